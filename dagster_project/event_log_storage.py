"""Dagster's SQLite event log, with its database connections kept open between events.

Dagster's `SqliteEventLogStorage` builds a SQLAlchemy engine and opens a new SQLite connection
for every write: storing an asset or check event takes three of them (the run's database and
the cross-run index), any other event one, and a nightly run stores about 860 events (dbt's
models and tests are asset materialisations and checks, each planned and then recorded). This
subclass keeps one engine, with SQLAlchemy's default connection pool, per database file: an asset
event about three times faster, any other about six (bench/README.md, `bench_event_log.py`, with
a small run timed side by side). Everything else — schema, files, the
transaction per write, the lock that serialises writers in a process — is Dagster's: the UI
reads the same files as before.

Configured in the instance's dagster.yaml (cli.prepare_environment writes it into a new home)."""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster import Field
from dagster._config import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData

# A UI process reads many runs' databases: the engines of the least recently used are closed.
OPEN_DATABASES = 16


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one pooled engine per database file (see the module's doc).

    dagster.yaml:
        event_log_storage:
          module: dagster_project.event_log_storage
          class: PooledSqliteEventLogStorage
    `base_dir` may be given; by default it is Dagster's own, $DAGSTER_HOME/history/runs, so a
    home keeps its run history when it switches, and a copied home writes to its own copy."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, db.Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        if not base_dir and not os.environ.get("DAGSTER_HOME"):
            # DagsterInstance.from_config(folder) does not say where the folder is: only the env does
            raise RuntimeError("this Dagster instance keeps its run history under $DAGSTER_HOME/history/runs: "
                               "set DAGSTER_HOME to the instance's folder ($SVCINDEX_HOME/dagster) before "
                               "opening it")
        base = base_dir or os.path.join(os.environ["DAGSTER_HOME"], "history", "runs")
        super().__init__(base, inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = db.create_engine(self.conn_string_for_shard(shard),
                                          connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
                self._engines[shard] = engine
                while len(self._engines) > OPEN_DATABASES:
                    self._engines.popitem(last=False)[1].dispose()
            self._engines.move_to_end(shard)
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.Connection]:
        with self._db_lock:  # as Dagster's: one write at a time in this process
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            return bool(engine.dialect.has_table(conn, table_name))

    def _close_engines(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_engines()  # before Dagster deletes the run databases
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()
