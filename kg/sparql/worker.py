"""Queries with a deadline: each runs in a worker process that is killed when time is up.

Why processes: a SPARQL query inside pyoxigraph (or rdflib) cannot be interrupted from Python — a
thread that overruns keeps burning CPU and memory until it finishes on its own. A worker process
holds the graph open (the store is opened read-only, so several workers can share it); a query that
passes its deadline gets its worker killed (SIGKILL), which really stops the work, and a fresh worker
takes its place. Workers are started once and reused, so an ordinary query pays no start-up cost;
only the query after a timeout waits for a replacement to open the graph (outside its own deadline).

Memory: each worker may allocate at most ``memory_mb`` MiB of data (``RLIMIT_DATA``: the heap and
anonymous mappings, not the store's memory-mapped files), so a query that would sort or group an
enormous intermediate result fails inside its worker (the store aborts on a failed allocation) and
the worker is replaced, instead of the machine running out of memory before the deadline.

Results are capped and serialised inside the worker, so at most ``max_rows`` rows ever cross the
pipe and the server process never holds a huge answer.
"""

from __future__ import annotations

import multiprocessing
import queue
import resource
import signal
import threading
from collections.abc import Callable
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rdflib import Graph
from rdflib.term import Identifier

from kg.errors import KGError
from kg.graph.store import STORE, open_graph
from kg.sparql.queries import NamedQuery
from kg.sparql.results import cap_result, serialize_result
from kg.sparql.run import prepare, run_local


class QueryStopped(KGError):
    """A query was stopped for using too much time or memory."""


class QueryTimeout(QueryStopped):
    """A query ran past its deadline and was stopped."""


@dataclass(frozen=True)
class QueryRequest:
    """What a worker is asked: a query and its parameters, the format to answer in and the row cap.

    The worker checks and binds the query itself, so parsing a huge query is under the deadline too.
    """

    query: NamedQuery
    params: dict[str, list[Identifier]]
    fmt: str
    max_rows: int


@dataclass(frozen=True)
class Answer:
    """A serialised query answer."""

    body: bytes
    fmt: str
    truncated: bool


def answer(graph: Graph, request: QueryRequest) -> Answer:
    """Run ``request`` on ``graph``: capped at ``max_rows`` and serialised in ``fmt``."""
    prepared = prepare(request.query, request.params, partial(run_local, graph))
    result, truncated = cap_result(run_local(graph, prepared), request.max_rows)
    return Answer(serialize_result(result, request.fmt), request.fmt, truncated)


@dataclass(frozen=True)
class BuiltGraph:
    """A loader for the graph `kg build` keeps in ``graph_dir``. A rebuild switches that folder to
    a new generation (and removes the old one), so workers compare ``generation()`` before every
    query and reopen the graph when it moved: a long-running endpoint always answers from the
    latest build."""

    graph_dir: Path

    def __call__(self) -> Graph:
        return open_graph(self.graph_dir)

    def generation(self) -> str:
        return os.path.realpath(self.graph_dir / STORE)


def _worker_main(loader: Callable[[], Graph], conn, memory_mb: int | None) -> None:
    """A worker's life: cap its memory, open the graph, say ready, then answer requests until the
    pipe closes (the server stopped or was killed: the worker then ends quietly)."""
    if memory_mb is not None:
        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    generation = getattr(loader, "generation", lambda: None)
    try:
        opened = generation()
        graph = loader()
    except Exception as exc:  # report any failure to open the graph to the parent, then stop
        _reply(conn, ("error", KGError(str(exc) or type(exc).__name__)))
        return
    if not _reply(conn, ("ready", None)):
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if generation() != opened:
                opened = generation()
                graph = loader()
            reply = ("ok", answer(graph, request))
        except KGError as exc:
            reply = ("error", exc)
        except MemoryError:
            reply = ("error", QueryStopped(f"the query needed more than {memory_mb} MiB and was stopped"))
        except Exception as exc:  # a store or serialiser failure ends this query, not the worker
            reply = ("error", KGError(f"{type(exc).__name__}: {exc}"))
        if not _reply(conn, reply):
            return


def _reply(conn, message) -> bool:
    """Send ``message`` to the server; False when the server is gone."""
    try:
        conn.send(message)
    except OSError:  # BrokenPipeError, ConnectionResetError: nobody is listening any more
        return False
    return True


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context, loader: Callable[[], Graph], memory_mb: int | None):
        self.conn, child = context.Pipe()
        self.memory_mb = memory_mb
        self.process = context.Process(target=_worker_main, args=(loader, child, memory_mb), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has opened the graph; KGError if it could not."""
        if self.ready:
            return
        if not self.conn.poll(timeout):
            self.stop()
            raise KGError(f"the query worker did not open the graph within {timeout:g}s")
        try:
            status, value = self._receive()
        except QueryStopped:
            raise KGError(f"the query worker could not open the graph within {self.memory_mb} MiB") from None
        if status != "ready":
            self.stop()
            raise value
        self.ready = True

    def _receive(self):
        try:
            return self.conn.recv()
        except EOFError:
            self.stop()
            if self.memory_mb is not None and self.process.exitcode == -signal.SIGABRT:
                raise QueryStopped(f"the query needed more than {self.memory_mb} MiB and was stopped") from None
            raise KGError(f"the query worker died (exit code {self.process.exitcode})") from None

    def ask(self, request: QueryRequest, timeout: float) -> Answer:
        """Send ``request`` and wait at most ``timeout`` seconds for the answer."""
        self.conn.send(request)
        if not self.conn.poll(timeout):
            self.stop()
            raise QueryTimeout(f"the query ran longer than {timeout:g}s and was stopped")
        status, value = self._receive()
        if status != "ok":
            raise value
        return value

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """Kill the process (a running query cannot be stopped any other way) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class WorkerPool:
    """``size`` worker processes, each with the graph from ``loader()`` open, answering one query at a
    time within ``timeout`` seconds and ``memory_mb`` MiB (None: no memory cap). ``loader`` must be
    picklable (a module-level function or a ``functools.partial`` of one), as workers are started
    with the ``spawn`` method."""

    def __init__(
        self,
        loader: Callable[[], Graph],
        *,
        size: int = 2,
        timeout: float = 30.0,
        memory_mb: int | None = 2048,
        start_timeout: float = 120.0,
    ):
        self.loader = loader
        self.memory_mb = memory_mb
        self.size = size
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()

    def start(self) -> WorkerPool:
        """Start every worker and wait until each has opened the graph (errors raise KGError)."""
        try:
            workers = [self._spawn() for _ in range(self.size)]
            for worker in workers:
                worker.wait_ready(self.start_timeout)
                self._idle.put(worker)
        except BaseException:
            self.close()
            raise
        return self

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.loader, self.memory_mb)
        with self._lock:
            self._workers.append(worker)
        return worker

    def run(self, request: QueryRequest) -> Answer:
        """Answer ``request`` on the next free worker; QueryTimeout when it overruns."""
        worker = self._idle.get()
        try:
            worker.wait_ready(self.start_timeout)
            return worker.ask(request, self.timeout)
        finally:
            if not worker.alive:
                with self._lock:
                    self._workers.remove(worker)
                worker = self._spawn()
            self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
