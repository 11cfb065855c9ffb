"""kg.analysis."""
