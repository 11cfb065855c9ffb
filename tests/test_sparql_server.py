"""`kg serve` over real HTTP, `kg query` on a graph folder and on endpoints, `kg push` into a real
`oxigraph serve`, and servers that are down."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSON, XML, SPARQLWrapper

from kg.cli import main
from kg.graph.store import write_graph
from kg.sparql.queries import bundled_queries

FIXTURE = Path(__file__).parent / "fixtures" / "sparql" / "graph.ttl"
BIN = Path(sys.executable).parent
ID = "https://w3id.org/mlkg/id/"
HOSTILE = 'x" } ; DROP ALL ; { "'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?q ?r ?s }"
#: parameters for the bundled queries that need them
PARAMS = {
    "adoption-by-month": ["entity=LoRA"],
    "entity-aliases": ["entity=gpt4"],
    "link-evidence": ["entity=lora", "paper=2401.00001"],
    "paper-entities": ["paper=rec-4"],
    "papers-using-model": [f"model={HOSTILE}"],
}

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(command: list[str], ready_url: str, log: Path) -> subprocess.Popen:
    """Start ``command`` and wait until ``ready_url`` answers over HTTP."""
    handle = open(log, "wb")
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: {log.read_text()}")
        try:
            httpx.get(ready_url, timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{command[0]} did not start: {log.read_text()}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory) -> Path:
    """A graph folder written by kg.graph.store from the fixture graph."""
    fixture = Graph()
    fixture.parse(FIXTURE)
    folder = tmp_path_factory.mktemp("graph") / "exports"
    write_graph(folder, iter(fixture))
    return folder


@pytest.fixture(scope="module")
def endpoint(graph_dir, tmp_path_factory) -> str:
    """A running `kg serve` over the fixture graph: 2 s query timeout, 5 rows at most."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [str(BIN / "kg"), "serve", "--graph", str(graph_dir), "--port", str(port), "--timeout", "2", "--max-rows", "5"]
    process = start_server(command, f"http://127.0.0.1:{port}/", log)
    yield f"http://127.0.0.1:{port}/sparql"
    stop_server(process)


@pytest.fixture
def oxigraph(tmp_path) -> str:
    """A running `oxigraph serve` with an empty store; yields its base URL."""
    binary = BIN / "oxigraph"
    if not binary.exists():
        pytest.skip("oxigraph server (PyPI package oxigraph) is not installed")
    port = free_port()
    command = [str(binary), "serve", "--location", str(tmp_path / "store"), "--bind", f"127.0.0.1:{port}"]
    process = start_server(command, f"http://127.0.0.1:{port}/", tmp_path / "oxigraph.log")
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


#: one client for every request: generous timeouts, as a query after a stopped one may wait for a
#: fresh worker process to open the graph
http = httpx.Client(timeout=120)


def kg(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


LABELS = "SELECT ?label WHERE { ?e a kg:Benchmark ; skos:prefLabel ?label } ORDER BY ?label"


def test_select_in_every_result_format(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(LABELS)
    client.setReturnFormat(JSON)
    labels = [b["label"]["value"] for b in client.query().convert()["results"]["bindings"]]
    assert labels == ["GLUE", "ImageNet-Bench", "MMLU"]
    client.setReturnFormat(XML)
    xml_labels = [node.firstChild.data for node in client.query().convert().getElementsByTagName("literal")]
    assert xml_labels == labels
    csv = http.get(endpoint, params={"query": LABELS}, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines() == ["label", "GLUE", "ImageNet-Bench", "MMLU"]
    tsv = http.post(endpoint, data={"query": LABELS}, headers={"Accept": "text/tab-separated-values"})
    assert tsv.text.splitlines() == ["?label", '"GLUE"', '"ImageNet-Bench"', '"MMLU"']
    body = http.post(
        endpoint, content=LABELS, headers={"Content-Type": "application/sparql-query", "Accept": "application/json"}
    )
    assert [b["label"]["value"] for b in body.json()["results"]["bindings"]] == labels


def test_ask_construct_and_describe(endpoint):
    ask = http.get(endpoint, params={"query": "ASK { ?p a kg:Paper }"})
    assert ask.json() == {"head": {}, "boolean": True}
    assert "<boolean>true</boolean>" in http.get(
        endpoint, params={"query": "ASK { ?p a kg:Paper }"}, headers={"Accept": "application/sparql-results+xml"}
    ).text
    construct = "CONSTRUCT WHERE { ?b a kg:Benchmark }"
    turtle = http.get(endpoint, params={"query": construct}, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=turtle.text, format="turtle")) == 3
    nt = http.get(endpoint, params={"query": construct}, headers={"Accept": "application/n-triples"})
    assert nt.text.splitlines()[0] == f"<{ID}benchmark/glue> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/mlkg/ns#Benchmark> ."
    describe = http.get(endpoint, params={"query": f"DESCRIBE <{ID}model/vit>", "format": "nt"})
    assert len(describe.text.splitlines()) == 3


def test_updates_are_refused(endpoint):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = http.get(endpoint, params={"query": count}).json()
    refused = [
        http.post(endpoint, data={"update": "DROP ALL"}),
        http.post(endpoint, content="DROP ALL", headers={"Content-Type": "application/sparql-update"}),
        http.post(endpoint, data={"query": "DELETE WHERE { ?s ?p ?o }"}),
        http.get(endpoint, params={"update": "CLEAR DEFAULT"}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert http.get(endpoint, params={"query": count}).json() == before


def test_errors_are_one_line_with_a_status(endpoint):
    bad = http.get(endpoint, params={"query": "SELECT ?x WHERE {\n ?x ?p }"})
    assert bad.status_code == 400 and bad.text.startswith("query:2:") and bad.text.count("\n") == 1
    assert http.get(endpoint, params={"query": LABELS}, headers={"Accept": "image/png"}).status_code == 406
    assert http.get(endpoint).status_code == 400
    assert http.get(endpoint, params={"query": "HELLO { }"}).status_code == 400
    federated = http.get(endpoint, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert federated.status_code == 400 and "SERVICE" in federated.text
    huge = "SELECT * WHERE { ?s ?p ?o }" + " " * 1_000_000
    assert http.post(endpoint, content=huge, headers={"Content-Type": "application/sparql-query"}).status_code == 413
    assert http.post(endpoint, content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415


def test_results_are_capped(endpoint):
    answer = http.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert answer.headers["X-KG-Truncated"] == "true"
    assert len(answer.text.splitlines()) == 1 + 5
    assert "X-KG-Truncated" not in http.get(endpoint, params={"query": LABELS}).headers


def test_slow_query_is_stopped_and_the_endpoint_recovers(endpoint):
    started = time.monotonic()
    answers = [http.get(endpoint, params={"query": SLOW}) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert "longer than 2s" in answers[0].text
    assert time.monotonic() - started < 60  # unstopped, each would run for hours
    assert http.get(endpoint, params={"query": LABELS}).status_code == 200


def test_a_query_past_the_memory_limit_is_stopped(graph_dir, tmp_path):
    port = free_port()
    command = [str(BIN / "kg"), "serve", "--graph", str(graph_dir), "--port", str(port), "--workers", "1",
               "--timeout", "120", "--memory-limit", "800"]
    process = start_server(command, f"http://127.0.0.1:{port}/", tmp_path / "serve.log")
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        huge = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?a ?l"
        stopped = http.get(url, params={"query": huge})
        assert stopped.status_code == 503 and "needed more than 800 MiB" in stopped.text
        assert http.get(url, params={"query": LABELS}).status_code == 200
    finally:
        stop_server(process)


def test_a_slow_query_does_not_hold_up_others(endpoint):
    from concurrent.futures import ThreadPoolExecutor

    http.get(endpoint, params={"query": LABELS})  # both workers up after any earlier timeout
    http.get(endpoint, params={"query": LABELS})
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(http.get, endpoint, params={"query": SLOW})
        time.sleep(0.3)
        started = time.monotonic()
        fast = http.get(endpoint, params={"query": LABELS})
        fast_seconds = time.monotonic() - started
        assert fast.status_code == 200 and slow.result().status_code == 503
    assert fast_seconds < 1.5


def test_parameters_are_bound_as_literals_over_http(endpoint):
    query = "SELECT ?e WHERE { ?e skos:prefLabel ?label }"
    answer = http.post(endpoint, data={"query": query, "param": f"label={HOSTILE}"})
    assert [b["e"]["value"] for b in answer.json()["results"]["bindings"]] == [f"{ID}model/hostile"]


def test_page_escapes_and_forbids_inline_script(endpoint):
    page_url = endpoint.removesuffix("sparql")
    page = http.get(page_url, params={"query": "</textarea><script>alert(1)</script>", "param": "a=<b>"})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;/textarea&gt;&lt;script&gt;" in page.text
    assert "&lt;b&gt;" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.text  # the only script is the external query.js
    assert http.get(page_url + "query.js").headers["content-type"].startswith("text/javascript")


@pytest.mark.browser
def test_page_runs_a_query_in_chromium(endpoint, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium is not installed")
    query = "SELECT ?label WHERE { ?e skos:prefLabel ?label } ORDER BY ?label"
    url = str(httpx.URL(endpoint.removesuffix("sparql"), params={"query": query}))
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}",
         "--virtual-time-budget=10000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    ).stdout
    assert "<td>GLUE</td>" in dom
    assert "5 rows in" in dom  # the cap of this endpoint
    assert "<title>kg SPARQL endpoint</title>" in dom  # the hostile label's onerror did not rename it
    assert "<img" not in dom


def test_kg_query_on_a_graph_folder(graph_dir):
    listed = kg("query", "--list")
    assert listed.exit_code == 0 and "papers-per-benchmark" in listed.output
    csv = kg("query", "papers-per-benchmark", "--graph", str(graph_dir), "--format", "csv")
    assert csv.exit_code == 0
    assert csv.output.splitlines()[1:] == [f"{ID}benchmark/glue,GLUE,3", f"{ID}benchmark/mmlu,MMLU,2", f"{ID}benchmark/imagenet-bench,ImageNet-Bench,1"]
    table = kg("query", "papers-using-model", "--graph", str(graph_dir), "--param", "model=gpt4")
    assert "LoRA for Everyone" in table.output
    missing = kg("query", "papers-using-model", "--graph", str(graph_dir))
    assert missing.exit_code == 1 and "needs --param model=VALUE" in missing.output
    bad = kg("query", "SELECT ?x WHERE { ?x }", "--graph", str(graph_dir))
    assert bad.exit_code == 1 and bad.output.startswith("Error: query:1:") and bad.output.count("\n") == 1
    nowhere = kg("query", "papers-per-benchmark", "--graph", str(graph_dir.parent / "nothing"))
    assert nowhere.exit_code == 1 and "no graph here" in nowhere.output
    misfit = kg("query", "CONSTRUCT { ?s a kg:Paper } WHERE { ?s a kg:Paper }", "--graph", str(graph_dir), "--format", "csv")
    assert misfit.exit_code == 2 and "csv does not fit a CONSTRUCT/DESCRIBE query" in misfit.output


def test_kg_query_gives_the_same_answers_through_kg_serve(graph_dir, endpoint):
    local = kg("query", "top-datasets-benchmarks", "--graph", str(graph_dir), "--format", "json")
    remote = kg("query", "top-datasets-benchmarks", "--endpoint", endpoint, "--format", "json")
    assert remote.exit_code == 0
    assert len(json.loads(local.output)["results"]["bindings"]) == 4
    assert remote.output == local.output


def test_push_twice_then_every_bundled_query_answers_as_locally(graph_dir, oxigraph):
    for _ in range(2):
        pushed = kg("push", "--graph", str(graph_dir), "--endpoint", f"{oxigraph}/store", "--batch-size", "17")
        assert pushed.exit_code == 0, pushed.output
        assert "pushed 80 triples in 5 batches to the default graph" in pushed.output
    count = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--endpoint", f"{oxigraph}/query", "--format", "csv")
    assert count.output.splitlines() == ["n", "80"]
    for name in bundled_queries():
        params = [arg for value in PARAMS.get(name, []) for arg in ("--param", value)]
        local = kg("query", name, *params, "--graph", str(graph_dir), "--format", "tsv")
        remote = kg("query", name, *params, "--endpoint", f"{oxigraph}/query", "--format", "tsv")
        assert remote.exit_code == 0, remote.output
        assert remote.output == local.output, name
        assert len(local.output.splitlines()) > 1, name


def test_push_into_a_named_graph_by_update(graph_dir, oxigraph):
    graph_iri = "https://example.org/kg"
    for _ in range(2):
        pushed = kg(
            "push", "--graph", str(graph_dir), "--endpoint", f"{oxigraph}/update", "--protocol", "update",
            "--graph-iri", graph_iri, "--batch-size", "50",
        )
        assert pushed.exit_code == 0, pushed.output
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    named = kg("query", count, "--endpoint", f"{oxigraph}/query", "--graph-iri", graph_iri, "--format", "csv")
    assert named.output.splitlines() == ["n", "80"]
    default = kg("query", count, "--endpoint", f"{oxigraph}/query", "--format", "csv")
    assert default.output.splitlines() == ["n", "0"]
    bad = kg("push", "--graph", str(graph_dir), "--endpoint", f"{oxigraph}/store", "--graph-iri", "not an iri>")
    assert bad.exit_code == 1 and "not a valid IRI" in bad.output


def test_servers_that_are_down_give_one_line_errors(graph_dir):
    down = f"http://127.0.0.1:{free_port()}"
    query = kg("query", "papers-per-benchmark", "--endpoint", f"{down}/query")
    assert query.exit_code == 1
    assert query.output.startswith(f"Error: cannot reach {down}/query") and query.output.count("\n") == 1
    push = kg("push", "--graph", str(graph_dir), "--endpoint", f"{down}/store", "--retries", "1")
    assert push.exit_code == 1
    assert f"Error: cannot reach {down}/store" in push.output


class FlakyStore:
    """A real HTTP Graph Store that answers 503 to its first ``failures`` requests, then stores
    N-Triples bodies (PUT replaces, POST adds); served by uvicorn in a thread."""

    def __init__(self, failures: int, status: int = 503):
        from starlette.applications import Starlette
        from starlette.responses import Response
        from starlette.routing import Route

        self.failures, self.status = failures, status
        self.requests: list[str] = []
        self.lines: set[bytes] = set()
        self.authorization: set[str | None] = set()

        async def store(request):
            self.requests.append(request.method)
            self.authorization.add(request.headers.get("authorization"))
            if len(self.requests) <= self.failures:
                return Response("try again later", status_code=self.status)
            body = await request.body()
            if request.method == "PUT":
                self.lines.clear()
            self.lines.update(line for line in body.splitlines() if line.strip())
            return Response(status_code=204)

        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(Starlette(routes=[Route("/store", store, methods=["PUT", "POST"])]),
                                host="127.0.0.1", port=self.port, log_level="error")
        self.server = uvicorn.Server(config)

    def __enter__(self) -> str:
        import threading

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}/store"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join()


def test_push_retries_server_errors_but_not_client_errors():
    from kg.errors import KGError
    from kg.sparql.push import push_graph

    graph = Graph()
    graph.parse(FIXTURE)
    store = FlakyStore(failures=2)
    with store as url:
        report = push_graph(graph, url, batch_size=30, retries=3, backoff=0.01)
    assert (report.triples, report.batches) == (80, 3)
    assert store.requests == ["PUT", "PUT", "PUT", "POST", "POST"] and len(store.lines) == 80
    with FlakyStore(failures=2) as url:
        with pytest.raises(KGError, match="HTTP 503"):
            push_graph(graph, url, batch_size=30, retries=1, backoff=0.01)
    flaky = FlakyStore(failures=1, status=400)
    with flaky as url:
        with pytest.raises(KGError, match="HTTP 400 Bad Request: try again later"):
            push_graph(graph, url, retries=3, backoff=0.01)
    assert flaky.requests == ["PUT"]


def test_push_with_basic_authentication(graph_dir, monkeypatch):
    store = FlakyStore(failures=0)
    with store as url:
        missing = kg("push", "--graph", str(graph_dir), "--endpoint", url, "--user", "ada")
        assert missing.exit_code == 2 and "KG_ENDPOINT_PASSWORD" in missing.output
        monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "s3cret")
        pushed = kg("push", "--graph", str(graph_dir), "--endpoint", url, "--user", "ada")
        assert pushed.exit_code == 0, pushed.output
    assert store.authorization == {"Basic YWRhOnMzY3JldA=="} and len(store.lines) == 80


def test_serve_on_a_taken_port_is_a_one_line_error(graph_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = kg("serve", "--graph", str(graph_dir), "--port", str(port))
    assert result.exit_code == 1
    assert result.output == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_a_rebuild_is_served_without_a_restart(tmp_path):
    fixture = Graph()
    fixture.parse(FIXTURE)
    folder = tmp_path / "exports"
    write_graph(folder, iter(fixture))
    port = free_port()
    command = [str(BIN / "kg"), "serve", "--graph", str(folder), "--port", str(port), "--workers", "1"]
    process = start_server(command, f"http://127.0.0.1:{port}/", tmp_path / "serve.log")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    try:
        def triples() -> int:
            reply = http.get(f"http://127.0.0.1:{port}/sparql", params={"query": count},
                             headers={"Accept": "application/sparql-results+json"})
            return int(reply.json()["results"]["bindings"][0]["n"]["value"])

        before = triples()
        extra = (URIRef(ID + "paper/new"), URIRef("https://w3id.org/mlkg/ns#recordId"), Literal("new"))
        write_graph(folder, iter([*fixture, extra]))
        assert triples() == before + 1
    finally:
        stop_server(process)
