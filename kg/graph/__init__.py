"""kg.graph."""
