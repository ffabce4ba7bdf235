"""One module per source, each writing its own format, encoding and column names."""
