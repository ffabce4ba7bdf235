#!/usr/bin/env bash
# Install everything, start PostgreSQL, and run every check CI runs: ruff, mypy,
# import-linter (the layers of DESIGN.md) and the whole pytest suite on SQLite and PostgreSQL.
source "$(dirname "$0")/_env.sh"
.venv/bin/pip install -q -e '.[dev]'

# --- PostgreSQL: Debian's packaged cluster (initdb refuses root, pg_ctlcluster does not) ---
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt_install postgresql
fi
PGVER=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
PGPORT=${LINKWISE_TEST_PGPORT:-5432}
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$PGVER main"; then
  as_root pg_createcluster "$PGVER" main -p "$PGPORT" >/dev/null
fi
PGPORT=$(pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" {print $3}')
as_root pg_ctlcluster "$PGVER" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PGPORT" || { echo "PostgreSQL did not start" >&2; exit 1; }
as_root su postgres -c "psql -q -p $PGPORT -tc \"SELECT 1 FROM pg_roles WHERE rolname='linkwise_test'\" | grep -q 1 \
  || psql -q -p $PGPORT -c \"CREATE ROLE linkwise_test LOGIN CREATEDB PASSWORD 'linkwise_test'\""
# DROP DATABASE ... WITH (FORCE) must be able to end an autovacuum worker on a test database
as_root su postgres -c "psql -q -p $PGPORT -c 'GRANT pg_signal_backend TO linkwise_test'" >/dev/null
export LINKWISE_TEST_PG="postgresql+psycopg://linkwise_test:linkwise_test@127.0.0.1:$PGPORT/postgres"
export LINKWISE_TEST_REQUIRE_PG=1

# --- Spark (the --engine spark tests): pyspark comes with .[dev]; it needs a Java runtime ---
if ! command -v java >/dev/null && [ -z "${JAVA_HOME:-}" ]; then
  apt_install default-jre-headless
fi
export LINKWISE_TEST_REQUIRE_SPARK=1

# --- Browser tests: Playwright drives Debian's Chromium (Playwright may not download one) ---
if ! command -v chromium >/dev/null; then
  apt_install chromium
fi
export LINKWISE_TEST_CHROMIUM=$(command -v chromium)
export LINKWISE_TEST_REQUIRE_BROWSER=1

status=0
echo "== ruff";          .venv/bin/ruff check src tests benchmarks || status=1
echo "== ruff format";   .venv/bin/ruff format --check src tests benchmarks || status=1
echo "== mypy";          .venv/bin/mypy || status=1
echo "== import-linter"; .venv/bin/lint-imports || status=1
echo "== pytest";        .venv/bin/pytest "$@" || status=1
exit $status
