"""Opening the DuckDB files. One writer at a time: every caller closes what it opens."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from .settings import duckdb_settings, duckdb_temp_directory


class WarehouseBusy(RuntimeError):
    """Another live process holds the warehouse."""


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = dict(duckdb_settings())
    if not read_only:
        config["temp_directory"] = str(duckdb_temp_directory(path))
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as e:  # DuckDB allows one writer process: say who holds the file, plainly
        if "Could not set lock" not in str(e):
            raise
        pid = re.search(r"PID (\d+)", str(e))
        raise WarehouseBusy(f"another process{f' (pid {pid.group(1)})' if pid else ''} holds the warehouse "
                            f"{path}: DuckDB allows one writer; wait for it to finish and run again") from None


@contextmanager
def connection(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()
