"""kg.viz and `kg viz`: offline page, escaping, selection options, and a real headless Chromium check."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.analysis.view import graph_view
from kg.cli import main
from kg.errors import KGError
from kg.graph.store import open_graph, write_graph
from kg.viz import overview_view, render_html, select_view, write_html, write_overview
from kg.viz.browser import chromium_path

FIXTURE = Path(__file__).parent / "fixtures" / "analysis" / "small.ttl"
XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_ALIAS = "</script><script>window.kgInjected=1</script>"


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(FIXTURE)


@pytest.fixture(scope="module")
def page_html(graph) -> str:
    return render_html(graph)[0]


class ResourceFinder(HTMLParser):
    """Collects every URL an element would load (src, href of link) and every tag seen."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "srcset", "data", "poster") or (name == "href" and tag == "link"):
                self.urls.append(value or "")


def test_page_loads_no_remote_resource(page_html):
    finder = ResourceFinder()
    finder.feed(page_html)
    assert finder.urls == []
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page_html)
    assert "@import" not in page_html
    assert "cdn.jsdelivr" not in page_html and "cdnjs" not in page_html  # PyVis' Bootstrap and vis links
    # the Content-Security-Policy forbids any fetch even if a script tried one
    assert "default-src 'none'" in page_html


def test_untrusted_text_appears_only_escaped(page_html):
    assert XSS_TITLE not in page_html
    assert XSS_ALIAS not in page_html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page_html
    finder = ResourceFinder()
    finder.feed(page_html)
    assert "img" not in finder.tags
    assert finder.tags.count("script") == 4  # vis-network, data, options, page script


def test_page_is_byte_identical_for_the_same_graph(graph):
    assert render_html(graph)[0] == render_html(Graph().parse(FIXTURE))[0]


def test_options_select_what_is_drawn(graph):
    _, summary = render_html(graph, types=["Paper", "Method", "Model"])
    assert (summary.nodes, summary.total_nodes) == (11, 11)
    _, summary = render_html(graph, focus="Alpha", depth=1)
    assert summary.nodes == 3  # Alpha and the two papers that link to it
    _, summary = render_html(graph, max_nodes=5)
    assert (summary.nodes, summary.total_nodes) == (5, 17)
    _, summary = render_html(graph, min_degree=3)
    assert summary.nodes == 5  # four papers and GLUE


def test_select_view_keeps_most_connected_with_iri_ties(graph, tmp_path):
    # neighbours: papers 1, 3, 2 have 6, 5, 4; paper 4 ("Delta") and GLUE tie with 3: the IRI decides,
    # as in kg build's overview page
    view = select_view(graph_view(graph), max_nodes=4)
    assert sorted(view.nodes[n]["label"] for n in view) == [
        "Alpha: a method", "Beta model", "GLUE", "Gamma, compared with Alpha"]
    write_graph(tmp_path / "g", iter(graph))
    assert set(overview_view(open_graph(tmp_path / "g"), max_nodes=4)[0]) == set(view)


def test_overview_reads_only_the_most_connected_nodes_from_the_store(graph, tmp_path):
    write_graph(tmp_path / "g", iter(graph))
    stored = open_graph(tmp_path / "g")
    full = graph_view(graph)
    view, nodes, links = overview_view(stored, max_nodes=3)  # papers 1, 3, 2: no ties at the cut
    assert set(view) == set(select_view(full, max_nodes=3))
    assert (nodes, links) == (full.number_of_nodes(), full.number_of_edges())
    for max_nodes in (8, 12):
        view, _, _ = overview_view(stored, max_nodes=max_nodes)
        assert len(view) == max_nodes
        assert sorted(view.edges(keys=True)) == sorted(full.subgraph(view).edges(keys=True))
        assert all(view.nodes[node] == full.nodes[node] for node in view)  # paper_count of the whole graph
    summary = write_overview(stored, tmp_path / "page.html", max_nodes=8)
    assert (summary.nodes, summary.total_nodes) == (8, full.number_of_nodes())
    assert f"Showing the 8 most connected of {full.number_of_nodes()} nodes" in (tmp_path / "page.html").read_text()
    assert overview_view(stored, max_nodes=1000)[0].number_of_nodes() == full.number_of_nodes()
    write_overview(stored, tmp_path / "all.html")
    assert "most connected" not in (tmp_path / "all.html").read_text()


def test_unknown_focus_or_type_is_a_clear_error(graph):
    with pytest.raises(KGError, match="no node named 'Omega'"):
        render_html(graph, focus="Omega")
    with pytest.raises(KGError, match="unknown node type"):
        render_html(graph, types=["Gadget"])


def test_write_html_is_atomic_and_reports_counts(graph, tmp_path):
    target = tmp_path / "out" / "graph.html"
    summary = write_html(graph, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (summary.nodes, summary.edges) == (17, 19)
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]  # no temporary file left


def test_cli_viz_writes_the_page(tmp_path):
    graph_dir = tmp_path / "graph"
    write_graph(graph_dir, iter(Graph().parse(FIXTURE)))
    runner = CliRunner()
    result = runner.invoke(main, ["viz", "--graph", str(graph_dir), "--types", "paper,method", "--types", "Model"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{graph_dir / 'viz.html'}: 11 of 11 nodes, 7 of 7 links"
    out = tmp_path / "focus.html"
    result = runner.invoke(main, ["viz", "--graph", str(graph_dir), "--out", str(out), "--focus", "alp"])
    assert result.exit_code == 0 and out.exists()
    result = runner.invoke(main, ["viz", "--graph", str(graph_dir), "--focus", "Omega"])
    assert result.exit_code == 1 and result.output.strip() == "Error: no node named 'Omega' in the graph"
    assert runner.invoke(main, ["viz", "--graph", str(graph_dir), "--types", "Gadget"]).exit_code == 2


def _need_chromium():
    """Skip without Chromium or Playwright, except on CI (CI=true), where they must be there."""
    if os.environ.get("CI") == "true":
        return
    if chromium_path() is None:
        pytest.skip("chromium is not installed")
    pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
def test_page_draws_in_headless_chromium_without_running_injected_script(graph, tmp_path):
    _need_chromium()
    from kg.viz.browser import open_page, wait_until_drawn

    path = tmp_path / "graph.html"
    write_html(graph, path)
    with open_page(path) as (page, log):
        wait_until_drawn(page)
        assert page.evaluate("window.kg.nodes.length") == 17
        assert page.evaluate("window.kg.network.body.nodeIndices.length") == 17
        assert page.evaluate("typeof window.kgInjected") == "undefined"
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        # the XSS title is shown as text in the details panel
        paper = page.evaluate("window.kg.nodes.get({filter: n => n.group === 'Paper' && n.title.startsWith('<img')})[0].id")
        page.evaluate(f"window.kg.focusNode({paper})")
        assert page.inner_text("#kg-details h2") == XSS_TITLE
        # hovering shows the tooltip as text
        box = page.locator("#kg-network").bounding_box()
        spot = page.evaluate(f"window.kg.network.canvasToDOM(window.kg.network.getPosition({paper}))")
        page.mouse.move(box["x"] + spot["x"], box["y"] + spot["y"])
        page.wait_for_selector("div.vis-tooltip", state="visible")
        assert page.inner_text("div.vis-tooltip").startswith(XSS_TITLE)
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        # search focuses a node by alias; the type filter hides a type
        page.fill("#kg-search", "ms-coco")
        page.press("#kg-search", "Enter")
        selected = page.evaluate("window.kg.network.getSelectedNodes()")
        assert page.evaluate(f"window.kg.nodes.get({selected[0]}).label") == "COCO"
        page.click("#kg-legend input[data-type=Paper]")
        assert page.evaluate("window.kg.nodes.get({filter: n => n.hidden}).length") == 5
        screenshot = tmp_path / "graph.png"
        page.screenshot(path=str(screenshot))
        assert log.blocked == [] and log.errors == [] and log.dialogs == []
    assert screenshot.stat().st_size > 10_000
