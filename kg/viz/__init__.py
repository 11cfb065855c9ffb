"""The interactive HTML view of a graph (`kg viz`, and <out>/graph.html written by `kg build`)."""

from kg.viz.page import OVERVIEW_NODES, PageSummary, overview_view, render_html, select_view, write_html, write_overview

__all__ = ["OVERVIEW_NODES", "PageSummary", "overview_view", "render_html", "select_view", "write_html", "write_overview"]
