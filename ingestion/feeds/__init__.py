"""One adapter per landing feed (SOURCES.md); the registry says which exist."""
