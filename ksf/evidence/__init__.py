"""evidence app."""
