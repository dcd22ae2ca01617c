"""One SELECT per source per night: exactly the contract's fields, in a fixed order.
Dates are yyyyMMddHHmmss strings in Vietnam time (macro `f`)."""
from __future__ import annotations

from datetime import date, timedelta

from ..sources import agency as agency_source
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
    from ({portal_versions(night)})
    order by t, MaHoSo
    """


def portal_versions(night: date) -> str:
    """The versions the portal receives on `night`: those of synced dossiers from their sync day
    on; a late dossier (sync_day set) arrives on its sync night in the state of its last earlier
    version (updated, as every version of a night, at a time in that night), unless it changed that
    night anyway."""
    return f"""
    select * from versions where day = date '{night}' and synced and coalesce(sync_day, day) <= day
    union all by name
    select * replace (date '{night}' as day,
                      timestamp '{night}' + to_seconds(floor(28800 + 28800 * rnd(h, 'synced_at'))::bigint) as t)
    from versions v
    where v.synced and v.sync_day = date '{night}' and v.day < date '{night}'
      and not exists (select 1 from versions w where w.h = v.h and w.day = date '{night}')
    qualify row_number() over (partition by v.h order by v.day desc) = 1
    """


def coquan(night: date) -> str:
    """The directory as of the night: units that exist by then, those of the old map with their end date."""
    return f"""
    select code as MaCoQuan, name as TenCoQuan, kind as LoaiCoQuan, parent as MaCoQuanCha, madinhdanh as MaDinhDanh,
        strftime(valid_from, '%Y%m%d') || '000000' as HieuLucTu,
        strftime(valid_to, '%Y%m%d') || '235959' as HieuLucDen
    from units where selected and valid_from <= date '{night}' order by code
    """


def tthc(night: date) -> str:
    nxt = night + timedelta(days=1)
    return f"""
    with cur as (
        select * from tthc_events where NgayQuyetDinhCongBo < timestamp '{nxt}'
        qualify row_number() over (partition by MaTTHC order by NgayQuyetDinhCongBo desc, k desc) = 1
    )
    select t.MaTTHC, t.TenTTHC,
        -- levels as unit-type codes of dvcqg_coquan: provincial procedures are carried out by departments
        list_transform(t.CapThucHien, lambda x: case x when 'TINH' then 'SO' else x end) as CapThucHien, t.CoQuanCongBo, t.MucDoDVC, t.DuDieuKienToanTrinh, t.YeuCauKetQuaGiay,
        t.CoPhiLePhi, t.DoiTuongThucHien, t.ThoiHanGiaiQuyet, t.DonViThoiHan, t.DayDuBoPhanTaoThanh,
        f(c.NgayQuyetDinhCongBo) as NgayQuyetDinhCongBo, f(c.NgayHieuLucCanCu) as NgayHieuLucCanCu,
        case when c.published_at < timestamp '{nxt}' then f(c.published_at) end as NgayCongKhai,
        case when c.abolishes and c.published_at < timestamp '{nxt}' then 'BAI_BO'
             when c.published_at < timestamp '{nxt}' or c.k > 0 then 'CONG_KHAI' else 'CHO_CONG_KHAI' end as TrangThai
    from tthc t join cur c using (MaTTHC)
    where t.level <> 'BO' or exists (select 1 from units where kind = 'BO' and selected)
    order by t.MaTTHC
    """


def tthc_donvi(night: date) -> str:
    """Procedures assigned to each unit (full snapshot): those whose first announcing decision
    came before the end of the night; the list of a unit not in the directory is not sent."""
    return f"""
    select MaCoQuan, MaTTHC, strftime(applies_from, '%Y%m%d') as NgayApDung, null::varchar as NgayHetHieuLuc
    from tthc_donvi where applies_from <= date '{night}'
      and MaCoQuan in (select code from units where valid_from <= date '{night}')
    order by MaCoQuan, MaTTHC
    """


def dvctt(night: date) -> str:
    """Online services: each online-capable procedure a province offers (departments' procedures by
    the department, commune procedures configured once by the province), and the ministries' own;
    only procedures already announced that night."""
    announced = f"(select MaTTHC from tthc_events where k = 0 and NgayQuyetDinhCongBo < timestamp '{night + timedelta(days=1)}')"
    return f"""
    with offered as (
        select p.scope || '|' || t.MaTTHC as k, t.MaTTHC, t.MucDoDVC,
            case when t.level = 'TINH' and exists (select 1 from units d where d.code = p.scope || '.' || lpad(t.slot::varchar, 2, '0'))
                 then p.scope || '.' || lpad(t.slot::varchar, 2, '0') else p.scope end as MaCoQuan
        from tthc t join units p on p.kind = 'TINH' and p.selected and t.level in ('TINH', 'XA')
             and (t.local_scope is null or t.local_scope = p.scope) and p.valid_from <= date '{night}'
        where t.MucDoDVC <> 'none' and t.MaTTHC in {announced}
        union all
        select t.CoQuanCongBo || '|' || t.MaTTHC, t.MaTTHC, t.MucDoDVC, t.CoQuanCongBo
        from tthc t join units m on m.code = t.CoQuanCongBo and m.selected and m.valid_from <= date '{night}'
        where t.level = 'BO' and t.MucDoDVC <> 'none' and t.MaTTHC in {announced}
    )
    select 'DV.' || MaCoQuan || '.' || MaTTHC as MaDichVu, MaTTHC, MaCoQuan, MucDoDVC as MucDo,
        case when rnd(k, 'svc') < 0.9 then 'CONG_KHAI' when rnd(k, 'svc') < 0.95 then 'THU_NGHIEM' else 'CHO_DUNG' end as TrangThai
    from offered order by MaDichVu
    """


def pakn(night: date) -> str:
    return f"""
    select MaPAKN, MaCoQuan, MaHoSo, PhanLoai, f(pk_recv) as NgayTiepNhan,
        case when pk_transfer <= t then f(pk_transfer) end as NgayChuyen,
        case when s >= 3 then f(pk_handled) end as NgayXuLy,
        ['MOI_TIEP_NHAN', 'DANG_XU_LY', 'DA_XU_LY', 'DA_CONG_KHAI'][s] as TrangThai,
        case when s = 4 then likes else 0 end as SoThich, case when s = 4 then dislikes else 0 end as SoKhongThich,
        case when s >= 3 then reraised else 0 end as PhanAnhLaiVeKetQua,
        f(t) as NgayCapNhat
    from pakn_versions where day = date '{night}' order by t, MaPAKN
    """


def danhgia(night: date) -> str:
    return f"""
    select MaHoSo, MucDo, f(rated_at) as NgayDanhGia from ratings
    where rated_at::date = date '{night}' order by rated_at, MaHoSo
    """


def bcqg(night: date) -> str:
    """Running count of dossiers received per unit this month (and, in a month's first five days,
    the previous month's total), all locally received dossiers, synced or not."""
    month = night.replace(day=1)
    prev = (month - timedelta(days=1)).replace(day=1)
    months = f"(d between date '{month}' and date '{night}')"
    if night.day <= 5:
        months += f" or (d >= date '{prev}' and d < date '{month}')"
    return f"""
    select code as MaCoQuan, strftime(date_trunc('month', d), '%Y-%m') as Thang, sum(n)::bigint as SoHoSoTiepNhan
    from unit_day where {months}
    group by all having sum(n) > 0 order by Thang, MaCoQuan
    """


def agency_delimiter(system: str) -> str:
    return agency_source.mapping(system)["delimiter"]


def agency(system: str, night: date) -> str:
    """Every dossier the system's units received that day, synced to the portal or not, in its
    state at the end of the day, in the vendor's layout: the loader's own mapping file
    (sources/agency_mappings/<system>.json) read backwards, headers, dates and value labels."""
    m = agency_source.mapping(system)
    fmt = m["date_format"]
    labels = {}  # raw column -> SQL turning our code into the vendor's label (the first label of a code)
    for column, values in m.get("values", {}).items():
        first = {}
        for label, code in values.items():
            first.setdefault(code, label)
        labels[column] = "case {v} " + " ".join(f"when {code} then '{label}'" for code, label in first.items()) + " end"
    value = {"MaHoSo": "MaHoSo", "MaTTHC": "MaTTHC", "MaCoQuan": "MaCoQuan", "KenhThucHien": "coalesce(channel, 1)",
             "TrangThaiHoSo": "s", "NgayTiepNhan": f"strftime(recv_ts, '{fmt}')", "NgayHenTra": f"strftime(due_ts, '{fmt}')",
             "NgayCapNhat": f"strftime(t, '{fmt}')"}
    columns = ", ".join(f'{labels[col].format(v=value[col]) if col in labels else value[col]} as "{header}"'
                        for header, col in m["columns"].items())
    return f"""
    select {columns}
    from versions where day = date '{night}' and d = date '{night}' and system = '{system}'
    order by MaHoSo
    """
