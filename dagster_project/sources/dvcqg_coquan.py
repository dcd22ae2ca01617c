"""dvcqg_coquan: the portal's unit directory, a full snapshot every night."""
from ._spec import Field, SourceSpec

UNIT_TYPES = ("BO", "TINH", "SO", "HUYEN", "XA", "DON_VI")

SPEC = SourceSpec(
    name="dvcqg_coquan",
    table="raw.dvcqg_coquan",
    snapshot=True,
    key=("MaCoQuan",),
    fields=(
        Field("MaCoQuan", required=True),
        Field("TenCoQuan", required=True),
        Field("LoaiCoQuan", required=True, codes=UNIT_TYPES),
        Field("MaCoQuanCha"),
        Field("MaDinhDanh"),
        Field("HieuLucTu", "date"),
        Field("HieuLucDen", "date"),
    ),
)
