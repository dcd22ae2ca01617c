"""dvcqg_pakn: feedback and petitions, one line per version (latest NgayCapNhat wins in staging)."""
from ._spec import Field, Ref, SourceSpec

SPEC = SourceSpec(
    name="dvcqg_pakn",
    table="raw.dvcqg_pakn",
    snapshot=False,
    key=("MaPAKN", "NgayCapNhat"),
    refs=(Ref("MaCoQuan", "dvcqg_coquan"),),
    not_after=(("NgayTiepNhan", "NgayXuLy"),),
    fields=(
        Field("MaPAKN", required=True),
        Field("MaCoQuan", required=True),
        Field("MaHoSo"),
        Field("PhanLoai", codes=("QUY_DINH", "HANH_VI")),
        Field("NgayTiepNhan", "ts", required=True, when="event"),
        Field("NgayChuyen", "ts", when="event"),
        Field("NgayXuLy", "ts", when="event"),
        Field("TrangThai"),
        Field("SoThich", "int"),
        Field("SoKhongThich", "int"),
        Field("PhanAnhLaiVeKetQua", "int", codes=(0, 1)),
        Field("NgayCapNhat", "ts", required=True, when="event"),
    ),
)
