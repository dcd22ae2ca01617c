"""bcqg_tiepnhan: dossiers received per unit per month, from the national reporting system (CSV)."""
from ._spec import Check, Field, Ref, SourceSpec

SPEC = SourceSpec(
    name="bcqg_tiepnhan",
    table="raw.bcqg_tiepnhan",
    format="csv",
    delimiter=";",
    header_map={"MaCoQuan": "MaCoQuan", "Thang": "Thang", "SoHoSoTiepNhan": "SoHoSoTiepNhan"},
    snapshot=True,
    key=("MaCoQuan", "Thang"),
    refs=(Ref("MaCoQuan", "dvcqg_coquan"),),
    fields=(
        Field("MaCoQuan", required=True),
        Field("Thang", "month", required=True, when="event"),
        Field("SoHoSoTiepNhan", "bigint", required=True),
    ),
    checks=(Check("SoHoSoTiepNhan", "SoHoSoTiepNhan < 0", "'SoHoSoTiepNhan is negative: ' || s_SoHoSoTiepNhan"),),
)
