"""Benchmarks for search and matching (run as ``python -m bench.<name>``)."""
