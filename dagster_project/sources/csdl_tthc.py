"""csdl_tthc: the national procedure catalogue, a full snapshot every night.

MucDoDVC, DonViThoiHan and TrangThai are kept as delivered (NFC): their wording is the
catalogue's, and staging maps it; a code list here would quarantine the whole catalogue on
a harmless spelling change.
"""
from ._spec import Field, SourceSpec

_TEXT_LIST = "list_transform({v}, lambda x: nfc_normalize(x))"

SPEC = SourceSpec(
    name="csdl_tthc",
    table="raw.csdl_tthc",
    snapshot=True,
    key=("MaTTHC",),
    fields=(
        Field("MaTTHC", required=True),
        Field("TenTTHC", required=True),
        Field("CapThucHien", "json", json_type="VARCHAR[]", post=_TEXT_LIST),
        Field("CoQuanCongBo", note="MaCoQuan of the announcing ministry or province"),
        Field("MucDoDVC", note="none | một phần | toàn trình (as delivered, NFC)"),
        Field("DuDieuKienToanTrinh", "int", codes=(0, 1)),
        Field("YeuCauKetQuaGiay", "int", codes=(0, 1)),
        Field("CoPhiLePhi", "int", codes=(0, 1)),
        Field("DoiTuongThucHien", "json", json_type="VARCHAR[]", post=_TEXT_LIST),
        Field("ThoiHanGiaiQuyet", "double"),
        Field("DonViThoiHan", note="working days | days | hours (as delivered, NFC)"),
        Field("DayDuBoPhanTaoThanh", "int", codes=(0, 1)),
        Field("NgayQuyetDinhCongBo", "ts"),
        Field("NgayHieuLucCanCu", "ts"),
        Field("NgayCongKhai", "ts"),
        Field("TrangThai"),
    ),
)
