"""The warehouse: table definitions, Parquet files, snapshots and atomic commits, compaction, DuckDB views."""
