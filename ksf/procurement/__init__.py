"""procurement app."""
