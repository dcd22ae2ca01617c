"""dvcqg_hoso: dossier versions synced to the portal; every distinct (MaHoSo, NgayCapNhat) is kept.

Personal data (DinhDanhCHS[].SoDinhDanh, ChuHoSo.*) is hashed in the same statement that
types it, so it is never written in clear; free text inside lists is NFC-normalised and an ID or
phone number typed into it (a fee name, a result link) is hashed by `pii_redact`.
"""
from ._spec import Check, Field, Ref, SourceSpec

_FLAG = (0, 1)


def _list_redacting(struct: str) -> str:
    """`list_transform({v}, lambda x: <struct>)`, the texts marked REDACT(...) in `struct` passed
    through pii_redact -- only in rows whose list, read as one text, may hold personal data: a
    redaction inside a lambda costs as much on a clean text as on a dirty one, and this was a
    sixth of a dossier night's load."""
    redacting, plain = struct.replace("REDACT(", "pii_redact("), struct.replace("REDACT(", "(")
    return (f"case when pii_may_hold({{v}}::varchar) then list_transform({{v}}, lambda x: {redacting})"
            f" else list_transform({{v}}, lambda x: {plain}) end")


SPEC = SourceSpec(
    name="dvcqg_hoso",
    table="raw.dvcqg_hoso",
    snapshot=False,
    key=("MaHoSo", "NgayCapNhat"),
    refs=(Ref("MaCoQuan", "dvcqg_coquan"), Ref("MaTTHC", "csdl_tthc")),
    not_after=(("NgayTiepNhan", "NgayKetThucXuLy"), ("NgayTiepNhan", "NgayTra")),
    checks=(
        # Fees are whole, non-negative VND; 2000.5 or "2000" would otherwise be cast silently.
        Check("DanhSachLePhi", "list_bool_or(list_transform(DanhSachLePhi, lambda x: x.Gia < 0))",
              "'DanhSachLePhi has a negative fee: Gia ' || list_min(list_transform(DanhSachLePhi, lambda x: x.Gia))"),
        Check("DanhSachLePhi", "list_bool_or(list_transform(json_type(s_DanhSachLePhi, '$[*].Gia'),"
                               " lambda t: t not in ('UBIGINT', 'BIGINT', 'NULL')))",
              "'DanhSachLePhi has a fee (Gia) that is not a whole number of VND: '"
              " || left(json_extract(s_DanhSachLePhi, '$[*].Gia')::varchar, 80)"),
    ),
    fields=(
        Field("MaHoSo", required=True),
        Field("MaTTHC", required=True),
        Field("MaCoQuan", required=True),
        Field("KenhThucHien", "int", codes=(1, 2, 3)),
        Field("TrangThaiHoSo", "int", required=True, codes=tuple(range(1, 11))),
        Field("NgayNopHoSo", "ts", when="event"),
        Field("NgayTiepNhan", "ts", when="event"),
        Field("NgayHenTra", "ts", when="due"),
        Field("NgayKetThucXuLy", "ts", when="event"),
        Field("NgayTra", "ts", when="event"),
        Field("NgayTuChoi", "ts", when="event"),
        Field("NgayCapNhat", "ts", required=True, when="event"),
        Field("LoaiDoiTuong", "int", codes=(1, 2, 3, 4)),
        Field("DinhDanhCHS", "json", json_type="STRUCT(LoaiDinhDanh INTEGER, SoDinhDanh VARCHAR)[]",
              post="list_transform({v}, lambda x: struct_pack(LoaiDinhDanh := x.LoaiDinhDanh,"
                   " SoDinhDanh := pii_hash(x.SoDinhDanh)))"),
        Field("ChuHoSo", "json", json_type="STRUCT(HoTen VARCHAR, SoDienThoai VARCHAR, DiaChi VARCHAR)",
              post="struct_pack(HoTen := pii_hash(nfc_normalize(({v}).HoTen)),"
                   " SoDienThoai := pii_hash(({v}).SoDienThoai), DiaChi := pii_hash(nfc_normalize(({v}).DiaChi)))"),
        Field("TaiKhoanDuocXacThucVoiVNeID", "int", codes=_FLAG),
        Field("DSKetNoiCSDL", "json", json_type="STRUCT(MaCSDL VARCHAR)[]"),
        Field("HoSoCoThanhPhanSoHoa", "int", codes=_FLAG),
        Field("DuocThanhToanTrucTuyen", "int"),
        Field("DanhSachLePhi", "json",
              json_type="STRUCT(MaPhiLePhi VARCHAR, TenPhiLePhi VARCHAR, Gia BIGINT, HinhThucThu VARCHAR)[]",
              post=_list_redacting("struct_pack(MaPhiLePhi := x.MaPhiLePhi, TenPhiLePhi := REDACT(nfc_normalize(x.TenPhiLePhi)),"
                                   " Gia := x.Gia, HinhThucThu := x.HinhThucThu)")),
        Field("TaiLieuNop", "json", json_type="STRUCT(MaThanhPhanHoSo VARCHAR, DuocSoHoa INTEGER,"
              " DuocTaiSuDung INTEGER, DuocLayTuKhoDMQG INTEGER)[]"),
        Field("DanhSachGiayToKetQua", "json", json_type="STRUCT(MaGiayToKetQua VARCHAR, DuongDanTepTinKetQua VARCHAR)[]",
              post=_list_redacting("struct_pack(MaGiayToKetQua := x.MaGiayToKetQua,"
                                   " DuongDanTepTinKetQua := REDACT(x.DuongDanTepTinKetQua))")),
        # Supplement dates travel as yyyyMMddHHmmss strings inside the list.
        Field("DanhSachHoSoBoSung", "json", json_type="STRUCT(NgayYeuCauBoSung VARCHAR, NgayBoSung VARCHAR)[]",
              raw_type="STRUCT(NgayYeuCauBoSung TIMESTAMP, NgayBoSung TIMESTAMP)[]",
              post="list_transform({v}, lambda x: struct_pack("
                   "NgayYeuCauBoSung := try_strptime(x.NgayYeuCauBoSung, '%Y%m%d%H%M%S'),"
                   " NgayBoSung := try_strptime(x.NgayBoSung, '%Y%m%d%H%M%S')))"),
    ),
)
