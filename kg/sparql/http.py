"""HTTP to SPARQL endpoints: one request with retries on 5xx and connection errors, one-line errors."""

from __future__ import annotations

import time

import httpx

from kg.errors import KGError


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    retries: int = 0,
    backoff: float = 0.5,
    **kwargs,
) -> httpx.Response:
    """``client.request(method, url, **kwargs)``, retried ``retries`` times with exponential backoff
    (``backoff``, 2×, 4× … seconds) when the server cannot be reached or answers 5xx.

    A 4xx answer is not retried. Every failure ends as a one-line KGError naming the URL.
    """
    error: KGError | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            error = KGError(f"cannot reach {url}: {exc or type(exc).__name__}")
            continue
        if response.status_code < 400:
            return response
        error = KGError(f"{url}: HTTP {response.status_code} {response.reason_phrase}: {first_line(response.text)}")
        if response.status_code < 500:
            break
    assert error is not None
    raise error


def first_line(text: str, limit: int = 200) -> str:
    """The first non-blank line of ``text``, cut to ``limit`` characters.

    >>> first_line("\\n  Parse error at 1:5\\nmore")
    'Parse error at 1:5'
    """
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return "(no message)"


def media_type(response: httpx.Response) -> str:
    """The response's media type without parameters, e.g. ``application/sparql-results+json``."""
    return response.headers.get("content-type", "").split(";")[0].strip().lower()
