"""Comments on records, with @mentions of users."""
