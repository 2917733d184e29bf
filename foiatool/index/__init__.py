"""The embedded SQLite index: schema and store, queries over it, and full-text search syntax (storage only)."""
