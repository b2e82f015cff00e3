"""priorities app."""
