"""One SELECT per source per night: exactly the contract's fields, in a fixed order.
Dates are yyyyMMddHHmmss strings in Vietnam time (macro `f`)."""
from __future__ import annotations

from datetime import date, timedelta

from . import applicants

SUPPLEMENT = "struct(NgayYeuCauBoSung varchar, NgayBoSung varchar)"


def hoso(night: date, province_names: list[str]) -> str:
    cycle1 = "{'NgayYeuCauBoSung': f(req1), 'NgayBoSung': case when sup1 <= t then f(sup1) end}"
    cycle2 = "{'NgayYeuCauBoSung': f(req2), 'NgayBoSung': case when sup2 <= t then f(sup2) end}"
    return f"""
    select MaHoSo, MaTTHC, MaCoQuan, channel as KenhThucHien, s as TrangThaiHoSo,
        f(submit_ts) as NgayNopHoSo, f(recv_ts) as NgayTiepNhan, f(due_ts) as NgayHenTra,
        case when s in (9, 10) then f(end_ts) when s = 8 then f(term_ts) end as NgayKetThucXuLy,
        case when s = 10 then f(ret_ts) end as NgayTra,
        case when s = 3 then f(term_ts) end as NgayTuChoi,
        f(t) as NgayCapNhat,
        lodt as LoaiDoiTuong,
        [{{'LoaiDinhDanh': 1, 'SoDinhDanh': {applicants.citizen_id()}}}] as DinhDanhCHS,
        {{'HoTen': {applicants.full_name()}, 'SoDienThoai': {applicants.phone()},
          'DiaChi': {applicants.address(province_names)}}} as ChuHoSo,
        vneid as TaiKhoanDuocXacThucVoiVNeID,
        case when csdldc then [{{'MaCSDL': 'CSDLDC'}}] else []::struct(MaCSDL varchar)[] end as DSKetNoiCSDL,
        digitised::int as HoSoCoThanhPhanSoHoa,
        case when paid_online and not fee_exempt then case when rnd(h, 'gw') < 0.7 then 1 else 2 end end as DuocThanhToanTrucTuyen,
        case when not has_fee then []::struct(MaPhiLePhi varchar, TenPhiLePhi varchar, Gia bigint, HinhThucThu varchar)[]
             else list_concat(
                [{{'MaPhiLePhi': 'LP.' || MaTTHC || '.1', 'TenPhiLePhi': 'Lệ phí giải quyết thủ tục hành chính',
                   'Gia': case when fee_exempt then 0 else fee end::bigint,
                   'HinhThucThu': case when paid_online then 'TRUC_TUYEN' else 'TRUC_TIEP' end}}],
                case when rnd(MaTTHC, 'fee2') < 0.3 then
                [{{'MaPhiLePhi': 'LP.' || MaTTHC || '.2', 'TenPhiLePhi': 'Phí thẩm định hồ sơ',
                   'Gia': case when fee_exempt then 0 else fee // 2 end::bigint,
                   'HinhThucThu': case when paid_online then 'TRUC_TUYEN' else 'TRUC_TIEP' end}}] else [] end)
        end as DanhSachLePhi,
        list_transform(range(1, n_comp + 1), lambda k: {{
            'MaThanhPhanHoSo': MaTTHC || '.TP' || k,
            'DuocSoHoa': (digitised and (k = 1 or rnd(h, 'dig' || k) < 0.5))::int,
            'DuocTaiSuDung': (reused and k = 1)::int,
            'DuocLayTuKhoDMQG': (from_store and k = 1)::int}}) as TaiLieuNop,
        case when s in (9, 10) and eresult then
            [{{'MaGiayToKetQua': 'KQ.' || MaHoSo, 'DuongDanTepTinKetQua': 'https://dichvucong.gov.vn/ketqua/' || MaHoSo || '.pdf'}}]
            else []::struct(MaGiayToKetQua varchar, DuongDanTepTinKetQua varchar)[] end as DanhSachGiayToKetQua,
        case when req2 <= t then [{cycle1}, {cycle2}] when req1 <= t then [{cycle1}] else []::{SUPPLEMENT}[] end as DanhSachHoSoBoSung
    from versions where day = date '{night}' and synced
    order by t, MaHoSo
    """


def coquan() -> str:
    return """
    select code as MaCoQuan, name as TenCoQuan, kind as LoaiCoQuan, parent as MaCoQuanCha, madinhdanh as MaDinhDanh,
        case when code like 'H%' then '20250701000000' else '20250301000000' end as HieuLucTu,
        null::varchar as HieuLucDen
    from units where selected order by code
    """


def tthc(night: date) -> str:
    nxt = night + timedelta(days=1)
    return f"""
    with cur as (
        select * from tthc_events where NgayQuyetDinhCongBo < timestamp '{nxt}'
        qualify row_number() over (partition by MaTTHC order by NgayQuyetDinhCongBo desc, k desc) = 1
    )
    select t.MaTTHC, t.TenTTHC, t.CapThucHien, t.CoQuanCongBo, t.MucDoDVC, t.DuDieuKienToanTrinh, t.YeuCauKetQuaGiay,
        t.CoPhiLePhi, t.DoiTuongThucHien, t.ThoiHanGiaiQuyet, t.DonViThoiHan, t.DayDuBoPhanTaoThanh,
        f(c.NgayQuyetDinhCongBo) as NgayQuyetDinhCongBo, f(c.NgayHieuLucCanCu) as NgayHieuLucCanCu,
        case when c.published_at < timestamp '{nxt}' then f(c.published_at) end as NgayCongKhai,
        case when c.abolishes and c.published_at < timestamp '{nxt}' then 'BAI_BO'
             when c.published_at < timestamp '{nxt}' or c.k > 0 then 'CONG_KHAI' else 'CHO_CONG_KHAI' end as TrangThai
    from tthc t join cur c using (MaTTHC)
    where t.level <> 'BO' or exists (select 1 from units where kind = 'BO' and selected)
    order by t.MaTTHC
    """
