"""presswork: an ETL pipeline from raw scraped news to a DuckDB warehouse."""

__version__ = "0.1.0"
