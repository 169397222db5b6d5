"""Parquet out and DuckDB roll-ups over it: an existing engine, never a home-made one."""
