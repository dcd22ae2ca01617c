"""dvcqg_dvctt: online services offered per unit, a full snapshot every night."""
from ._spec import Field, Ref, SourceSpec

SPEC = SourceSpec(
    name="dvcqg_dvctt",
    table="raw.dvcqg_dvctt",
    snapshot=True,
    key=("MaDichVu", "MaCoQuan"),
    refs=(Ref("MaCoQuan", "dvcqg_coquan"), Ref("MaTTHC", "csdl_tthc")),
    fields=(
        Field("MaDichVu", required=True),
        Field("MaTTHC", required=True),
        Field("MaCoQuan", required=True),
        Field("MucDo"),            # một phần | toàn trình, as delivered (NFC); staging maps it
        Field("TrangThai"),
    ),
)
