"""dvcqg_danhgia: satisfaction ratings of dossiers (1 very unsatisfied .. 5 very satisfied).

MaHoSo is not checked against dvcqg_hoso: a rating may arrive before its dossier's version.
"""
from ._spec import Field, SourceSpec

SPEC = SourceSpec(
    name="dvcqg_danhgia",
    table="raw.dvcqg_danhgia",
    snapshot=False,
    key=("MaHoSo", "NgayDanhGia"),
    fields=(
        Field("MaHoSo", required=True),
        Field("MucDo", "int", required=True, codes=(1, 2, 3, 4, 5)),
        Field("NgayDanhGia", "ts", required=True, when="event"),
    ),
)
