"""csdl_tthc_donvi: the procedures assigned to each unit, a full snapshot every night.

The lists ministries and provinces announce of the procedures under each of their units'
authority (spec/extracts.md). Every procedure-based criterion of a unit counts the procedures
assigned to it (a province or ministry: to it or any unit under it), so both codes must be known.
"""
from ._spec import Field, Ref, SourceSpec

SPEC = SourceSpec(
    name="csdl_tthc_donvi",
    table="raw.csdl_tthc_donvi",
    snapshot=True,
    key=("MaCoQuan", "MaTTHC"),
    refs=(Ref("MaCoQuan", "dvcqg_coquan"), Ref("MaTTHC", "csdl_tthc")),
    not_after=(("NgayApDung", "NgayHetHieuLuc"),),
    fields=(
        Field("MaCoQuan", required=True),
        Field("MaTTHC", required=True),
        Field("NgayApDung", "date", required=True),   # yyyyMMdd
        Field("NgayHetHieuLuc", "date"),              # null while in force
    ),
)
