"""The interactive HTML view of a graph (`kg viz`, and <out>/graph.html written by `kg build`)."""

from kg.viz.page import PageSummary, render_html, select_view, write_html

__all__ = ["PageSummary", "render_html", "select_view", "write_html"]
