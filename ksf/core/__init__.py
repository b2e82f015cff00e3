"""Core: base layout, front page, health checks, shared helpers (privacy guard, text safety)."""
