"""Accounts: users, memberships (organisation + role), log-in and language preference."""
