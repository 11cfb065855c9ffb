"""Fuzzing the readers: whatever the bytes, the result is papers and rejects, never an exception."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import Paper, ReadResult, Reject
from kg.sources import read_file, read_inputs

EXTENSIONS = ("txt", "jsonl", "json", "atom", "xml", "dat")
#: raise with KG_FUZZ_EXAMPLES=5000 for a longer run
FUZZ = settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# pieces of every format, so random mixes reach deep into each reader
HF_LINES = st.sampled_from(
    [
        "", "", "", "new", "Subscribe", "Daily Papers", "byAK and the research community", "Mar 17",
        "Oct 14, 2024", "Oct 14, 2024 2", "Jun 5 2", "Feb 30", "Feb 29", "Zzz 1", "  • 3 authors",
        "  • 0 authors", "openbmb OpenBMB", "·", "A Title", "We propose X. See https://x.io/a).",
        "\ufeffTitle", "\r", "•", "https://", "(http://a.b/c)",
    ]
)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
JSON_KEYS = st.sampled_from(
    ["title", "abstract", "summary", "id", "date", "published", "publishedAt", "authors", "url", "upvotes",
     "paper", "name", "x"]
)
JSON_VALUES = st.recursive(
    JSON_SCALARS | st.sampled_from(["2024-03-17", "Mar 17", "2106.09685", "https://arxiv.org/abs/1706.03762"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(JSON_KEYS, children, max_size=6),
    max_leaves=20,
)
XML_PIECES = st.sampled_from(
    [
        '<?xml version="1.0"?>', '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "<entry>", "</entry>",
        "<title>", "</title>", "<summary>", "</summary>", "<id>http://arxiv.org/abs/1706.03762v1</id>",
        "<published>2017-06-12T00:00:00Z</published>", "<published>never</published>", "<author><name>",
        "</name></author>", '<link href="http://a.b" rel="alternate"/>', "<link/>", "&amp;", "&x;", "text",
        "<!DOCTYPE feed>", '<!ENTITY a "b">', "<![CDATA[x]]>", "<!-- c -->", "\n", "\x00", "\xff",
    ]
)


def read_bytes(data: bytes, extension: str) -> ReadResult:
    """Write ``data`` to a fresh file and read it both ways (read_inputs and read_file)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input.{extension}"
        path.write_bytes(data)
        records = list(read_file(path))
        result = read_inputs([path])
    assert all(isinstance(record, (Paper, Reject)) for record in records)
    assert result.records_read == len(records)
    assert result.records_read == len(result.papers) + result.duplicates_merged + len(result.rejects)
    for paper in result.papers:
        assert paper.title.strip() and paper.abstract.strip() and paper.sources
    for reject in result.rejects:
        assert reject.reason and reject.path.endswith(f"input.{extension}")
    return result


@FUZZ
@given(data=st.binary(max_size=2000), extension=st.sampled_from(EXTENSIONS))
def test_arbitrary_bytes(data, extension):
    read_bytes(data, extension)


@FUZZ
@given(text=st.text(max_size=1000), extension=st.sampled_from(EXTENSIONS))
def test_arbitrary_text(text, extension):
    read_bytes(text.encode("utf-8", errors="surrogatepass"), extension)


@FUZZ
@given(
    lines=st.lists(HF_LINES | st.text(max_size=40), max_size=60),
    newline=st.sampled_from(["\n", "\r\n"]),
    extension=st.sampled_from(["txt", "dat"]),
)
def test_hf_text_shapes(lines, newline, extension):
    read_bytes(newline.join(lines).encode("utf-8", errors="surrogatepass"), extension)


@FUZZ
@given(records=st.lists(JSON_VALUES, max_size=12), cut=st.integers(min_value=0, max_value=400))
def test_jsonl_shapes(records, cut):
    lines = [json.dumps(record) for record in records]
    result = read_bytes("\n".join(lines).encode("utf-8"), "jsonl")
    if len(lines) > 1 or (lines and not lines[0].startswith("[")):
        assert result.records_read == len(lines)
    truncated = "\n".join(lines)[: cut]
    read_bytes(truncated.encode("utf-8", errors="surrogatepass"), "jsonl")


@FUZZ
@given(document=JSON_VALUES, cut=st.integers(min_value=0, max_value=400), indent=st.sampled_from([None, 2]))
def test_hf_api_shapes(document, cut, indent):
    text = json.dumps(document, indent=indent)
    read_bytes(text.encode("utf-8"), "json")
    read_bytes(text[:cut].encode("utf-8", errors="surrogatepass"), "json")


@FUZZ
@given(pieces=st.lists(XML_PIECES | st.text(max_size=10), max_size=40), extension=st.sampled_from(["atom", "xml", "dat"]))
def test_atom_shapes(pieces, extension):
    read_bytes("".join(pieces).encode("utf-8", errors="surrogatepass"), extension)
