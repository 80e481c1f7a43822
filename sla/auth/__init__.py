"""Users, roles, passwords, login throttling and personal API tokens."""
