"""Identity resolution: decide which records are one person, say why, and keep human
judgements and entity ids stable across runs. Built on Splink (DuckDB or Spark)."""
