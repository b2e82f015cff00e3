"""The public API: versioned URL map, OpenAPI schema and docs, tokens, pagination, errors.

Each domain app keeps its own serializers and API views in `<app>/api.py`; this app wires
them under /api/v1/ so the whole API is one schema.
"""
