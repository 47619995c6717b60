"""filters stage."""
