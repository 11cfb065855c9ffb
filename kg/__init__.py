"""kg: a knowledge graph builder for ML papers.

Data flows one way: sources -> extract -> graph (RDF) -> analysis / viz / query -> cli.
"""

__version__ = "0.1.0"
