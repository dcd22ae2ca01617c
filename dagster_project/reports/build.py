"""build_monthly_report: the one entry point the Dagster asset and the CLI call."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .config import ReportConfig, load_report_config
from .data import ReportData, load_report_data
from .pdf import write_pdf
from .workbook import write_workbook

FILE_STEM = "bao-cao-chi-so"


def build_monthly_report(published_db: Path, month: str, out_dir: Path, *, unit: str | None = None,
                         rule_version: str | None = None, config: ReportConfig | None = None) -> dict[str, Path]:
    """Writes <out_dir>/<month>/bao-cao-chi-so-<month>[-<unit>].xlsx and .pdf; returns their paths.

    Reads the month's rows at their latest as-of date under `rule_version` (default: the rule
    version published last). The administrative frame (issuer, number, signer...) comes from
    `config`: reports/report_config.toml, overridden by $SVCINDEX_HOME/report.toml when the caller
    loads it with load_report_config(home root) (the CLI and the Dagster asset do).
    The same published file and configuration give the same bytes.
    """
    if config is None:
        config = load_report_config()
    data = load_report_data(Path(published_db), month, unit=unit, rule_version=rule_version)
    target = Path(out_dir) / month
    stem = f"{FILE_STEM}-{month}" + (f"-{_safe(unit)}" if unit else "")
    xlsx = write_workbook(data, target / f"{stem}.xlsx", config)
    _fix_zip_timestamps(xlsx, data)
    pdf = write_pdf(data, target / f"{stem}.pdf", config)
    return {"xlsx": xlsx, "pdf": pdf}


def _safe(unit: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", unit)


def _fix_zip_timestamps(path: Path, data: ReportData) -> None:
    """An xlsx is a zip whose entries carry the wall-clock time, and openpyxl writes the save
    time into docProps/core.xml; both are set to the as-of date so reruns give the same bytes."""
    stamp = data.as_of_date.strftime("%Y-%m-%dT00:00:00Z")
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, payload in entries:
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), payload)
            fixed = zipfile.ZipInfo(info.filename, date_time=data.as_of_date.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, payload)
