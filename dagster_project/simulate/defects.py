"""Defect classes: deterministic bad input for the loaders' tests (filled in below)."""
from __future__ import annotations

DEFECT_CLASSES: tuple[str, ...] = ()


def apply_defects(con, landing, source, night, start, written, defects) -> bool:
    return False
