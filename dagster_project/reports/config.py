"""The report's administrative frame (Decree 30/2020/NĐ-CP): defaults in report_config.toml,
overridden key by key by $SVCINDEX_HOME/report.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULTS = Path(__file__).with_name("report_config.toml")
OVERRIDE_NAME = "report.toml"


class ReportConfigError(ValueError):
    """The override file is unreadable or names a key the report does not know."""


@dataclass(frozen=True)
class ReportConfig:
    issuer_parent: str
    issuer_name: str
    issuer_in_text: str
    abbreviation: str
    number: str
    place: str
    date: date | None
    to: tuple[str, ...]
    recipients: tuple[str, ...]
    signer_authority: str
    signer_title: str
    signer_name: str

    @property
    def symbol(self) -> str:
        """'Số: 12/BC-KSTT', or with the number left blank for the clerk."""
        return f"Số: {self.number or ' ' * 8}/BC-{self.abbreviation}"


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ReportConfigError(f"{path}: {e}") from None


def load_report_config(home_root: Path | None = None) -> ReportConfig:
    raw = _read(DEFAULTS)
    override = Path(home_root) / OVERRIDE_NAME if home_root else None
    if override and override.exists():
        for table, values in _read(override).items():
            if table not in raw or not isinstance(values, dict):
                raise ReportConfigError(f"{override}: unknown table [{table}]; known: {', '.join(raw)}")
            unknown = set(values) - set(raw[table])
            if unknown:
                raise ReportConfigError(f"{override}: unknown key(s) {', '.join(sorted(unknown))} in [{table}]; "
                                        f"known: {', '.join(raw[table])}")
            raw[table].update(values)
    doc, issuer, signer = raw["document"], raw["issuer"], raw["signer"]
    when = doc["date"]
    if when and not isinstance(when, date):
        try:
            when = date.fromisoformat(str(when))
        except ValueError:
            raise ReportConfigError(f"{override}: [document] date must be YYYY-MM-DD, got {when!r}") from None
    return ReportConfig(
        issuer_parent=issuer["parent"], issuer_name=issuer["name"], issuer_in_text=issuer["in_text"],
        abbreviation=issuer["abbreviation"],
        number=str(doc["number"]), place=doc["place"], date=when or None, to=tuple(doc["to"]),
        recipients=tuple(raw["recipients"]["lines"]), signer_authority=signer["authority"],
        signer_title=signer["title"], signer_name=signer["name"])
