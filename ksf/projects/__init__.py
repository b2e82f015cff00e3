"""projects app."""
