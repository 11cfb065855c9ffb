"""kg.sparql."""
