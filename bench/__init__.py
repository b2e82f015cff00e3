"""Benchmarks for search and matching (run as ``python -m bench.<name>``)."""

import ksf  # noqa: F401 - sets the thread settings (ksf/__init__.py) before numpy is imported
