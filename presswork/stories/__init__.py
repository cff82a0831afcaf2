"""Near-duplicates and stories: which articles are reprints, which tell the same event."""
