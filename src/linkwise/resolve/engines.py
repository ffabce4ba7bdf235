"""The SQL engines Splink runs the linkage on: DuckDB in process, or Spark.

DuckDB is the default and the fast path for anything that fits one machine. Spark is for
data that does not; in tests it runs as a local session. The linkage talks to either
through a ``Backend``: the Splink database API plus the few reads the linkage does itself
(a column as numpy, a query's result as Arrow), so no engine's SQL connection leaks into
the modelling code.

pyspark is an optional dependency (``pip install linkwise[spark]``) and is imported only
when the Spark engine is asked for. One Spark session serves the whole process, because
starting the JVM costs seconds; each linkage run gets its own temporary checkpoint
directory (where Splink writes intermediate tables as Parquet), removed with the run's
``Linkage`` or at exit.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import tempfile
import uuid
import warnings
import weakref
from typing import TYPE_CHECKING, Any, Literal, get_args

import duckdb
import numpy as np
import pyarrow as pa
from splink import DuckDBAPI

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from splink import SettingsCreator
    from splink.internals.database_api import DatabaseAPI
    from splink.internals.splink_dataframe import SplinkDataFrame

log = logging.getLogger(__name__)

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = get_args(Engine)

SPARK_SHUFFLE_PARTITIONS = 8
"""Spark's default (200) suits a cluster; on one machine it means hundreds of near-empty
tasks per join."""
SPARK_DRIVER_MEMORY = "4g"


class EngineUnavailableError(RuntimeError):
    """The engine asked for is not installed or cannot start: the message says what to do."""


class Backend:
    """One engine, as the linkage uses it: ``api`` for Splink, plus direct reads."""

    engine: Engine
    api: DatabaseAPI[Any]
    u_chunks: int = 10
    """How many pieces Splink cuts u sampling into (its default, 10, on DuckDB): it stops
    early once every level has been seen often enough, which saves work on an engine where
    a query costs little, but on Spark each piece is a job costing about a second however
    small, so there it is one piece."""

    def register(self, table: pa.Table, *, table_name: str) -> SplinkDataFrame:
        """Hand ``table`` to Splink as an input table called ``table_name``."""
        return self.api.register(table, table_name=table_name)

    def arrow(self, sql: str) -> pa.Table:
        """The result of a query (written in Spark or DuckDB SQL alike) as an Arrow table."""
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        raise NotImplementedError

    def column(self, table: str, column: str) -> np.ndarray[Any, Any]:
        result = self.arrow(f"SELECT {column} FROM {table}").column(0)
        return np.asarray(result.to_numpy(), dtype=np.float64)

    def close(self) -> None:
        """Release what this run made (temporary files) now rather than when garbage
        collected; the engine itself stays up for the next run."""


DUCKDB_MEMORY_LIMIT = os.environ.get("LINKWISE_DUCKDB_MEMORY", "3GB")
"""DuckDB's working memory during a linkage run; what does not fit (scored pairs of a big
run) spills to a temporary directory instead of growing the process. Set
``LINKWISE_DUCKDB_MEMORY`` (e.g. ``8GB``) on a machine with memory to spare."""


class DuckDBBackend(Backend):
    engine: Engine = "duckdb"

    def __init__(self, api: DuckDBAPI, spill: str | None = None) -> None:
        self.api = api
        self.con = api.duckdb_con
        self._spill = spill
        if spill is not None:
            weakref.finalize(self, shutil.rmtree, spill, True)

    def close(self) -> None:
        self.con.close()
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)

    def arrow(self, sql: str) -> pa.Table:
        table: pa.Table = self.con.sql(sql).to_arrow_table()
        return table

    def columns(self, table: str) -> list[str]:
        return list(self.con.sql(f"SELECT * FROM {table} LIMIT 0").columns)

    def column(self, table: str, column: str) -> np.ndarray[Any, Any]:
        values: np.ndarray[Any, Any] = self.con.sql(f"SELECT {column} FROM {table}").fetchnumpy()[
            column
        ]
        return values


class SparkBackend(Backend):
    engine: Engine = "spark"
    u_chunks = 1

    def __init__(self, spark: SparkSession, threads: int) -> None:
        from splink.backends.spark import SparkAPI

        self.spark = spark
        self.checkpoints = tempfile.mkdtemp(prefix="linkwise-spark-")
        self.run = uuid.uuid4().hex[:8]
        # Splink's tables live as Parquet here for as long as the linker that made them;
        # the directory goes when this backend (held by the Linkage) does, or at exit.
        spark.sparkContext.setCheckpointDir(self.checkpoints)
        self.api = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark,
            break_lineage_method="parquet",
            num_partitions_on_repartition=max(2, threads),
        )
        self._cleanup = weakref.finalize(self, _forget, self.api, self.checkpoints)

    def register(self, table: pa.Table, *, table_name: str) -> SplinkDataFrame:
        # Temporary views are per session, and the session outlives this run (another
        # run's "lw_records" may still be in use), so each run's names are its own.
        return self.api.register(table, table_name=f"{table_name}_{self.run}")

    def arrow(self, sql: str) -> pa.Table:
        frame = self.spark.sql(sql)
        if hasattr(frame, "toArrow"):  # pyspark >= 4
            table: pa.Table = frame.toArrow()
        else:
            table = pa.Table.from_pandas(frame.toPandas(), preserve_index=False)
        return table

    def columns(self, table: str) -> list[str]:
        return list(self.spark.table(table).columns)

    def close(self) -> None:
        self._cleanup()


def _forget(api: DatabaseAPI[Any], checkpoints: str) -> None:
    """Drop the tables Splink made and their Parquet files (best effort: at exit the
    session may already be gone)."""
    try:
        api.delete_tables_created_by_splink_from_db()  # type: ignore[no-untyped-call]
    except Exception:  # the JVM has shut down; its views went with it
        log.debug("Spark session gone before Splink's tables were dropped")
    shutil.rmtree(checkpoints, ignore_errors=True)


def in_duckdb_dialect(model: dict[str, Any], settings: SettingsCreator) -> dict[str, Any]:
    """A trained model (``save_model_to_json``) with its SQL rendered for DuckDB.

    Splink writes a model's SQL in the dialect of the engine that trained it, and a Spark
    model does not load on DuckDB (quoting and function names differ), while stored models
    are read back by the real-time matcher, which runs on DuckDB. The model definition is
    dialect-neutral Python (``settings``), so its DuckDB rendering takes the SQL and the
    trained model the parameters.
    """
    duck = settings.get_settings("duckdb").as_dict()  # type: ignore[no-untyped-call]
    out = copy.deepcopy(model)
    out["sql_dialect"] = duck["sql_dialect"]
    out["blocking_rules_to_generate_predictions"] = duck["blocking_rules_to_generate_predictions"]
    for trained, rendered in zip(out["comparisons"], duck["comparisons"], strict=True):
        for level, sql in zip(
            trained["comparison_levels"], rendered["comparison_levels"], strict=True
        ):
            level["sql_condition"] = sql["sql_condition"]
    return out


def duckdb_api(
    threads: int = 2, memory_limit: str | None = None, spill: str | None = None
) -> DuckDBAPI:
    """A DuckDB backend on its own in-memory connection with explicit resource limits
    (Splink sets none itself); ``spill`` is the directory DuckDB may write what does not
    fit in ``memory_limit`` to."""
    con = duckdb.connect()
    con.execute(f"SET threads TO {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    if spill:
        con.execute(f"SET temp_directory = '{spill}'")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    return DuckDBAPI(connection=con)


def spark_session(threads: int = 2) -> SparkSession:
    """The process's local Spark session, started on first use.

    Splink's Spark comparisons (Jaro-Winkler, Damerau-Levenshtein) are Scala UDFs shipped
    as a jar with Splink, so the jar goes on the session. Driver and bind address are the
    loopback interface, so a container whose hostname does not resolve still starts.
    """
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise EngineUnavailableError(
            "the Spark engine needs pyspark: pip install 'linkwise[spark]'"
        ) from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # pyspark 4 warns that it is not yet tested with pandas 3; the warning is about pandas
    # conversions, and on pyspark 4 the engine moves data as Arrow tables only.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    conf = (
        SparkConf()
        .setMaster(f"local[{max(1, int(threads))}]")
        .setAppName("linkwise")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.driver.memory", SPARK_DRIVER_MEMORY)
        .set("spark.jars", similarity_jar_location())
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.shuffle.partitions", str(SPARK_SHUFFLE_PARTITIONS))
        .set("spark.default.parallelism", str(SPARK_SHUFFLE_PARTITIONS))
        .set("spark.sql.session.timeZone", "UTC")
    )
    try:
        spark = SparkSession.builder.config(conf=conf).getOrCreate()
    except Exception as exc:  # the JVM did not start: no Java, or no free port
        raise EngineUnavailableError(
            f"Spark did not start ({exc}); the Spark engine needs a Java runtime (17 or "
            "newer for pyspark 4) on PATH or in JAVA_HOME"
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def stop_spark() -> None:
    """Stop the process's Spark session, if one is running."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def open_backend(engine: Engine, threads: int = 2) -> Backend:
    """A backend for one linkage run on ``engine`` with ``threads`` worker threads."""
    if engine == "duckdb":
        spill = tempfile.mkdtemp(prefix="linkwise-duckdb-")
        return DuckDBBackend(duckdb_api(threads, DUCKDB_MEMORY_LIMIT, spill), spill)
    if engine == "spark":
        return SparkBackend(spark_session(threads), threads)
    raise ValueError(f"unknown engine {engine!r}; engines are {', '.join(ENGINES)}")
