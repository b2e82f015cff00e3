"""monitor app."""
