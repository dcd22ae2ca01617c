# Two commands do everything on a fresh machine with Python 3.11:  make demo   and   make test
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export SVCINDEX_HOME ?= $(CURDIR)/data
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False

DBT_SOURCES := $(shell find dbt/models dbt/macros dbt/tests seeds -type f 2>/dev/null) dbt/dbt_project.yml dbt/profiles.yml

.PHONY: setup demo test ui bench clean screenshots java poppler

$(BIN)/uv:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet uv

# --compile-bytecode: every process (svcindex, dbt's subprocess, pytest) then reads the libraries'
# .pyc instead of compiling them from source. Python writes no .pyc of its own where
# PYTHONDONTWRITEBYTECODE is set (it is on these machines), and then `import dagster, dagster_dbt,
# pandas, duckdb, great_expectations` took 6.7 s instead of 3.3 s.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock -e '.[dev]'
	touch $@

# dagster-dbt loads assets from the manifest, so it must exist before the definitions load; the
# profile's vars (warehouse file, DuckDB settings) come from dagster_project/settings.py.
dbt/target/manifest.json: $(VENV)/.installed $(DBT_SOURCES)
	$(BIN)/python -m dagster_project.dbt_project parse
	touch $@

# The project's own modules too (only the changed ones are compiled again).
setup: $(VENV)/.installed dbt/target/manifest.json
	@$(BIN)/python -m compileall -q dagster_project tools >/dev/null

demo: setup
	@$(BIN)/svcindex demo

# Spark 4 (the parity test, README "Scaling out") needs Java 17 or later: OpenJDK 17 from Debian when
# `java` is missing or older.
java:
	java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' || (apt-get update && apt-get install -y openjdk-17-jre-headless)

# The PDF tests render pages with poppler-utils (pdftoppm, pdfimages): a test that needs them fails
# without them rather than skipping, so `make test` installs them when missing.
poppler:
	command -v pdftoppm >/dev/null && command -v pdfimages >/dev/null || (apt-get update && apt-get install -y poppler-utils)

# The tests' tmp homes live in RAM when /dev/shm has 4 GB free (a container's default /dev/shm is
# 64 MB): every run commits Dagster's SQLite event log and DuckDB checkpoints, which otherwise wait
# on the disk (two test files on this machine, loaded: 558 s on /tmp, 269 s here). One folder per checkout, about 2 GB by the end; kept after a
# failure for a look (the next run replaces it), removed after a pass. `make test TEST_TMP=` keeps
# pytest's own tmp folder.
SHM_FREE_KB := $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $$4}')
TEST_TMP ?= $(if $(shell [ "$(SHM_FREE_KB)" -gt 4000000 ] 2>/dev/null && echo y),/dev/shm/svcindex-tests$(subst /,-,$(CURDIR)))

# Two pytest-xdist workers, a test file each at a time (--dist loadfile: a file's module fixtures are
# built once), so that both cores work: most of a test is one run of the job, which keeps about one
# core busy (README "Tests" has the times on one, two and three workers). `make test
# TEST_WORKERS=0` runs it in one process. --durations=15: the slowest tests.
TEST_WORKERS ?= 2
test: setup java poppler
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15 $(if $(TEST_TMP),--basetemp=$(TEST_TMP) && rm -rf $(TEST_TMP))

ui: setup
	$(BIN)/svcindex ui

# The README images, from the published run in $(SVCINDEX_HOME) (run `make demo` first).
screenshots: setup
	command -v chromium >/dev/null && command -v pdftoppm >/dev/null || (apt-get update && apt-get install -y chromium poppler-utils)
	$(BIN)/python -m tools.screenshots --out docs/img

clean:
	rm -rf data dbt/target dbt/logs
