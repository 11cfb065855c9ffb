"""Readers (kg.sources): every format, detection, walking, merging, and bad input of every kind."""

from __future__ import annotations

import doctest
import itertools
import json
import os
import random
from pathlib import Path

import pytest

import kg.sources
from kg.errors import InputError
from kg.model import PaperDate, ReadResult, Reject, Source
from kg.sources import iter_input_files, read_inputs
from kg.sources import arxiv_atom, detect, fields, hf_api, hf_text, jsonl, lines, merge

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

ATOM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
ATOM_ENTRY = """  <entry>
    <id>http://arxiv.org/abs/{id}v1</id>
    <published>2017-06-12T17:57:34Z</published>
    <title>{title}</title>
    <summary>  {summary}
    </summary>
    <author><name>Ada Lovelace</name></author>
    <author><name>Alan Turing</name></author>
    <link href="http://arxiv.org/abs/{id}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{id}v1" rel="related"/>
  </entry>
"""


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def check_invariant(result: ReadResult) -> ReadResult:
    assert result.records_read == len(result.papers) + result.duplicates_merged + len(result.rejects)
    return result


def read(*paths, year=None) -> ReadResult:
    return check_invariant(read_inputs(list(paths), year=year))


def only_reject(result: ReadResult) -> Reject:
    assert result.papers == [] and len(result.rejects) == 1, result
    return result.rejects[0]


def by_title(result: ReadResult) -> dict:
    return {paper.title: paper for paper in result.papers}


@pytest.mark.parametrize("module", [fields, lines, hf_text, hf_api, jsonl, arxiv_atom, detect, merge])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


# --- hf-text -------------------------------------------------------------------------------------


def test_hf_text_awkward_shapes():
    result = read(FIXTURES / "awkward_page.txt")
    assert result.records_read == 5 and not result.rejects
    papers = by_title(result)
    widgets = papers["Sparse Widgets: Pruning Toy Networks"]
    assert widgets.author_count == 3
    assert widgets.date == PaperDate(month=3, day=17, year=None)  # no year printed, none invented
    assert widgets.upvotes is None
    assert widgets.links == ("https://github.com/example/widgets",)  # trailing full stop dropped
    assert widgets.sources == (Source("awkward_page.txt", 13, "hf-text"),)
    org = papers["Organised Papers from a Lab"]
    assert (org.organization, org.author_count, org.upvotes) == ("OpenBMB", None, 2)
    assert org.date == PaperDate(9, 29, None)
    dot_only = papers["A Paper With Only a Date Block"]
    assert (dot_only.author_count, dot_only.date, dot_only.upvotes) == (None, PaperDate(10, 14, 2024), 2)
    bare = papers["No Meta Block Here"]
    assert (bare.date, bare.author_count, bare.upvotes) == (None, None, None)
    assert bare.abstract.startswith("An entry without any authors")
    assert papers["Dated With Year"].author_count == 1


def test_hf_text_year_option_fills_only_missing_years():
    papers = by_title(read(FIXTURES / "awkward_page.txt", year=2025))
    assert papers["Sparse Widgets: Pruning Toy Networks"].date == PaperDate(3, 17, 2025)
    assert papers["Dated With Year"].date == PaperDate(10, 14, 2024)


def test_hf_text_bad_entries_are_rejected_and_good_ones_kept():
    path = FIXTURES / "bad_page.txt"
    result = read(path)
    assert sorted(by_title(result)) == ["Good One", "Good Two"]
    assert [(r.path, r.line, r.reason) for r in result.rejects] == [
        (str(path), 7, "title without an abstract"),
        (str(path), 13, "abstract without a title"),
        (str(path), 25, "no such date: 2023-02-30"),
    ]


def test_hf_text_crlf_and_bom(tmp_path):
    text = (FIXTURES / "awkward_page.txt").read_text(encoding="utf-8")
    crlf = write(tmp_path / "page.txt", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    plain = read(FIXTURES / "awkward_page.txt")
    windows = read(crlf)
    assert [(p.title, p.abstract, p.date, p.upvotes, p.sources[0].line) for p in windows.papers] == [
        (p.title, p.abstract, p.date, p.upvotes, p.sources[0].line) for p in plain.papers
    ]


def test_hf_text_pages_joined_in_one_file(tmp_path):
    page = (FIXTURES / "awkward_page.txt").read_text(encoding="utf-8")
    result = read(write(tmp_path / "two.txt", page + "\n" + page))
    assert (result.records_read, len(result.papers), result.duplicates_merged, result.rejects) == (10, 5, 5, [])
    assert all(len(paper.sources) == 2 for paper in result.papers)


def test_hf_text_without_header_and_multi_line_abstract(tmp_path):
    path = write(tmp_path / "p.txt", "First Title\n\nAbstract line one\ncontinues here.\n\nSecond Title\n\nShort\n")
    result = read(path)
    papers = by_title(result)
    assert papers["First Title"].abstract == "Abstract line one continues here."
    assert papers["Second Title"].abstract == "Short"  # two paragraphs that end a file always pair


def test_hf_text_invalid_utf8_spoils_only_its_entry(tmp_path):
    content = b"Good Title\n\nGood abstract.\n\nBad \xff Title\n\nBad abstract.\n\nLast Title\n\nLast abstract.\n"
    result = read(write(tmp_path / "p.txt", content))
    assert sorted(by_title(result)) == ["Good Title", "Last Title"]
    assert [(r.line, r.reason) for r in result.rejects] == [(5, "not valid UTF-8")]


def test_hf_text_meta_block_without_paper(tmp_path):
    result = read(write(tmp_path / "p.txt", "T\n\nAn abstract.\n\n  • 2 authors\n·\nMar 1\n\n  • 3 authors\n·\nMar 2\n"))
    assert len(result.papers) == 1
    assert [(r.line, r.reason) for r in result.rejects] == [(9, "authors/date block without a paper above it")]


def test_hf_text_unexpected_meta_line(tmp_path):
    result = read(write(tmp_path / "p.txt", "T\n\nAn abstract.\n\n  • 2 authors\n·\nyesterday\n"))
    reject = only_reject(result)
    assert reject.line == 7 and "unexpected line" in reject.reason


# --- jsonl ---------------------------------------------------------------------------------------


def test_jsonl_fields(tmp_path):
    records = [
        {"id": "2106.09685", "title": "LoRA", "abstract": "Low rank. See https://github.com/microsoft/LoRA).",
         "date": "2021-06-17", "authors": ["Edward Hu", "Yelong Shen"], "upvotes": 3},
        {"id": "abc123", "title": "Other", "summary": "Uses summary.", "published": "2023-05-23T17:50:33Z",
         "authors": 7, "url": "https://arxiv.org/abs/2305.14314v2"},
        {"id": 42, "title": "Page Style Date", "abstract": "Text.", "date": "Mar 17"},
    ]
    path = write(tmp_path / "p.jsonl", "\n".join(json.dumps(r) for r in records) + "\n\n")
    result = read(path)
    assert result.records_read == 3 and not result.rejects  # the blank line is not a record
    papers = by_title(result)
    lora = papers["LoRA"]
    assert (lora.record_id, lora.arxiv_id, lora.key, lora.id) == ("2106.09685", "2106.09685", "2106.09685", "2106.09685")
    assert lora.authors == ("Edward Hu", "Yelong Shen") and lora.author_count == 2
    assert lora.date == PaperDate(6, 17, 2021) and lora.upvotes == 3
    assert lora.links == ("https://github.com/microsoft/LoRA",)
    other = papers["Other"]
    assert (other.record_id, other.arxiv_id, other.id) == ("abc123", "2305.14314", "abc123")
    assert (other.abstract, other.author_count, other.authors) == ("Uses summary.", 7, ())
    assert other.url == "https://arxiv.org/abs/2305.14314v2"
    page_style = papers["Page Style Date"]
    assert page_style.record_id == "42" and page_style.date == PaperDate(3, 17, None)
    assert by_title(read(path, year=2024))["Page Style Date"].date == PaperDate(3, 17, 2024)


def test_jsonl_bad_records(tmp_path):
    lines_ = [
        json.dumps({"title": "Good", "abstract": "Fine."}),
        '{"title": "Truncated", "abstr',
        json.dumps(["a", "list"]),
        json.dumps({"title": "Only a title"}),
        json.dumps({"abstract": "Only an abstract."}),
        json.dumps({"title": 5, "abstract": "x"}),
        json.dumps({"title": "T", "abstract": "x", "date": "2024-02-30"}),
        json.dumps({"title": "T", "abstract": "x", "authors": [1, 2]}),
        json.dumps({"title": "T", "abstract": "x", "upvotes": "many"}),
        json.dumps({"title": "Also good", "abstract": "Fine too."}),
    ]
    result = read(write(tmp_path / "p.jsonl", "\n".join(lines_)))
    assert sorted(by_title(result)) == ["Also good", "Good"]
    reasons = {r.line: r.reason for r in result.rejects}
    assert reasons[2].startswith("invalid JSON")
    assert reasons[3] == "expected a JSON object, got a list"
    assert reasons[4] == "title without an abstract"
    assert reasons[5] == "abstract without a title"
    assert reasons[6] == "field 'title' must be a string, got int"
    assert reasons[7] == "no such date: 2024-02-30"
    assert "authors" in reasons[8] and "upvotes" in reasons[9]
    assert all(r.path == str(tmp_path / "p.jsonl") for r in result.rejects)


def test_jsonl_invalid_utf8_line(tmp_path):
    content = b'{"title": "A", "abstract": "x"}\n{"title": "\xff", "abstract": "x"}\n{"title": "B", "abstract": "y"}\n'
    result = read(write(tmp_path / "p.jsonl", content))
    assert sorted(by_title(result)) == ["A", "B"]
    assert [(r.line, r.reason) for r in result.rejects] == [(2, "not valid UTF-8")]


def test_jsonl_lone_surrogates_are_rejected(tmp_path):
    content = (
        '{"title": "A", "abstract": "x"}\n'
        '{"title": "Bad \\ud800 title", "abstract": "x"}\n'
        '{"title": "B", "abstract": "y", "authors": ["Ada \\udc00"]}\n'
        '{"title": "C", "abstract": "z \\ud83d\\ude00"}\n'  # a proper surrogate pair is an emoji
    )
    result = read(write(tmp_path / "p.jsonl", content))
    assert sorted(by_title(result)) == ["A", "C"]
    assert [(r.line, r.reason) for r in result.rejects] == [
        (2, "field 'title' holds an unpaired surrogate (not valid Unicode text)"),
        (3, "field 'authors' holds an unpaired surrogate (not valid Unicode text)"),
    ]


def test_jsonl_deeply_nested_line(tmp_path):
    result = read(write(tmp_path / "p.jsonl", "[" * 100_000 + "\n"))
    assert only_reject(result).reason.startswith("invalid JSON")


def test_annotation_papers(shared_dir):
    result = read(shared_dir / "annotation" / "dev_papers.jsonl", shared_dir / "annotation" / "train_papers.jsonl")
    assert (result.records_read, len(result.papers), len(result.rejects)) == (140, 140, 0)
    ids = {line and json.loads(line)["id"] for line in (shared_dir / "annotation" / "dev_papers.jsonl").open()}
    assert ids <= {paper.id for paper in result.papers}


# --- hf-api --------------------------------------------------------------------------------------


def test_hf_api_fields_and_lines(tmp_path):
    items = [
        {"paper": {"id": "2401.04088", "title": "Mixtral of Experts", "summary": "Sparse experts.",
                   "authors": [{"name": "A. Jiang", "_id": "x"}, {"name": "B. Roux"}],
                   "publishedAt": "2024-01-08T18:47:34.000Z", "upvotes": 14}, "numComments": 2},
        {"title": "Top Level", "summary": "Fields without a paper object.", "publishedAt": "2023-10-10"},
    ]
    text = json.dumps(items, indent=2)
    path = write(tmp_path / "daily.json", text)
    result = read(path)
    assert not result.rejects
    papers = by_title(result)
    mixtral = papers["Mixtral of Experts"]
    assert (mixtral.arxiv_id, mixtral.authors, mixtral.author_count, mixtral.upvotes) == (
        "2401.04088", ("A. Jiang", "B. Roux"), 2, 14)
    assert mixtral.date == PaperDate(1, 8, 2024)
    assert mixtral.sources == (Source("daily.json", 2, "hf-api"),)
    second_object_line = [number for number, line in enumerate(text.splitlines(), 1) if line == "  {"][1]
    assert papers["Top Level"].sources[0].line == second_object_line
    assert papers["Top Level"].date == PaperDate(10, 10, 2023)


def test_hf_api_bad_elements_and_syntax_error(tmp_path):
    text = '[\n{"paper": {"title": "A", "summary": "x"}},\n"not an object",\n{"paper": {"title": "B"}},\n{"title": "C", "summary": "y"},\n{"broken": \n]'
    result = read(write(tmp_path / "daily.json", text))
    assert sorted(by_title(result)) == ["A", "C"]
    reasons = [(r.line, r.reason.split(":")[0]) for r in result.rejects]
    assert reasons == [(3, "expected a JSON object, got a string"), (4, "title without an abstract"), (6, "invalid JSON")]


@pytest.mark.parametrize(
    "text, reason",
    [
        ('"just a string"', "expected a JSON list of papers or one paper object"),
        ("[]  x", "unexpected data after the JSON list"),
        ('[{"title": "A", "summary": "x"} {"title": "B"}]', "expected ',' or ']' after a list element"),
        ("[" * 50_000, "invalid JSON: nested too deeply"),
    ],
)
def test_hf_api_document_errors(tmp_path, text, reason):
    result = read(write(tmp_path / "daily.json", text))
    assert result.rejects[-1].reason.startswith(reason)


def test_hf_api_single_object_and_empty_list(tmp_path):
    single = write(tmp_path / "one.json", '{\n  "paper": {"title": "Solo", "summary": "x"}\n}\n')
    assert [p.title for p in read(single).papers] == ["Solo"]
    empty = write(tmp_path / "none.json", "[ ]")
    assert read(empty).records_read == 0


def test_hf_api_invalid_utf8(tmp_path):
    result = read(write(tmp_path / "daily.json", b'[\n{"title": "\xff"}]'))
    reject = only_reject(result)
    assert (reject.line, reject.reason) == (2, "not valid UTF-8 (byte 13)")


# --- arxiv-atom ----------------------------------------------------------------------------------


def atom(*entries: dict, head: str = ATOM_HEAD) -> str:
    return head + "".join(ATOM_ENTRY.format(**entry) for entry in entries) + "</feed>\n"


def test_atom_fields(tmp_path):
    path = write(tmp_path / "feed.atom", atom(
        {"id": "1706.03762", "title": "Attention Is\n      All You Need", "summary": "The   Transformer\n  uses attention."}))
    paper = read(path).papers[0]
    assert (paper.arxiv_id, paper.title, paper.abstract) == (
        "1706.03762", "Attention Is All You Need", "The Transformer uses attention.")
    assert paper.authors == ("Ada Lovelace", "Alan Turing") and paper.author_count == 2
    assert paper.date == PaperDate(6, 12, 2017)
    assert paper.url == "http://arxiv.org/abs/1706.03762v1"
    assert paper.sources == (Source("feed.atom", 3, "arxiv-atom"),)
    assert paper.record_id is None


def test_atom_entry_without_summary_is_rejected(tmp_path):
    text = atom({"id": "1706.03762", "title": "Kept", "summary": "x"}).replace(
        "</feed>", "  <entry><id>urn:x</id><title>No summary</title></entry>\n</feed>")
    result = read(write(tmp_path / "feed.xml", text))
    assert [p.title for p in result.papers] == ["Kept"]
    assert [(r.line, r.reason) for r in result.rejects] == [(14, "title without an abstract")]


XXE = """<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&secret;</title><summary>x</summary></entry></feed>
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY a "ha">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&d;</title><summary>x</summary></entry></feed>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE feed SYSTEM "http://example.invalid/feed.dtd">
<feed xmlns="http://www.w3.org/2005/Atom"></feed>
"""


@pytest.mark.parametrize("text", [XXE, LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion-laughs", "external-dtd"])
def test_atom_refuses_unsafe_xml(tmp_path, text):
    reject = only_reject(read(write(tmp_path / "feed.atom", text)))
    assert reject.reason.startswith("refused unsafe XML") and reject.line == 2


@pytest.mark.parametrize(
    "text, reason",
    [
        ("<html><body>hi</body></html>", "not an Atom feed (root element <html>)"),
        (ATOM_HEAD + "<entry><title>T</title>", "invalid XML: no element found"),
        (ATOM_HEAD + "&undefined;</feed>", "invalid XML: undefined entity"),
    ],
)
def test_atom_bad_documents(tmp_path, text, reason):
    assert only_reject(read(write(tmp_path / "feed.xml", text))).reason == reason


# --- detection, files, directories ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("a.txt", "Title\n\nAbstract.\n", "hf-text"),
        ("a.jsonl", '{"title": "T"}\n', "jsonl"),
        ("a.json", '[{"title": "T"}]', "hf-api"),
        ("a.json", '{"title": "T", "abstract": "x"}\n{"title": "U", "abstract": "y"}\n', "jsonl"),
        ("a.json", '{\n  "paper": {}\n}\n', "hf-api"),
        ("a.jsonl", '[1]\n{"title": "T"}\n', "jsonl"),
        ("a.jsonl", '[\n  {"title": "T"}\n]\n', "hf-api"),
        ("a.txt", '[{"title": "T"}]', "hf-api"),
        ("a.atom", ATOM_HEAD, "arxiv-atom"),
        ("a.xml", "<feed/>", "arxiv-atom"),
        ("feed.rss", ATOM_HEAD, "arxiv-atom"),
        ("data", '{"title": "T", "abstract": "x"}\n', "jsonl"),
        ("dump.page", "Daily Papers\n\nTitle\n\nAbstract.\n", "hf-text"),
        ("dump", "Title\n\nAbstract.\n\n  • 2 authors\n·\nMar 17\n", "hf-text"),
        ("a.TXT", "Title\n\nAbstract.\n", "hf-text"),
    ],
)
def test_detect_format(name, content, expected):
    assert detect.detect_format(Path(name), content.encode("utf-8")) == expected


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.jsonl", b"\n  \r\n", "file holds only whitespace"),
        ("bom.txt", b"\xef\xbb\xbf", "file holds only whitespace"),
        ("image.txt", bytes(range(256)) * 4, "binary file (contains NUL bytes), not a paper list"),
        ("notes.md", b"# Notes\n\nsome prose\n", "unknown extension '.md' and the content (text) is no known format"),
        ("blob.bin", b"\xff\xfe\xfa junk", "unknown extension '.bin' and the content (bytes that are not UTF-8 text) is no known format"),
        ("page.html", b"<html></html>", "XML or HTML that is not an Atom feed"),
    ],
)
def test_unreadable_content_is_one_file_reject(tmp_path, name, content, reason):
    path = write(tmp_path / name, content)
    reject = only_reject(read(path))
    assert (reject.path, reject.line, reject.reason) == (str(path), None, reason)


def test_missing_path_raises_input_error(tmp_path):
    with pytest.raises(InputError) as error:
        read_inputs([tmp_path / "nope.txt"])
    assert str(error.value) == f"{tmp_path / 'nope.txt'}: no such file or directory"


def test_unreadable_file_by_permissions(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    path = write(tmp_path / "secret.txt", "T\n\nA.\n")
    path.chmod(0)
    try:
        assert only_reject(read(path)).reason == "cannot read: Permission denied"
    finally:
        path.chmod(0o644)


def test_file_whose_read_fails_is_a_reject():
    """A file that exists but fails to read (works as root too): /proc/self/mem gives EIO at offset 0."""
    mem = Path("/proc/self/mem")
    if not mem.is_file():
        pytest.skip("needs Linux /proc")
    assert only_reject(read(mem)).reason.startswith("cannot read: ")


def test_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert only_reject(read(tmp_path)).reason == "not a regular file"


def test_directory_walk_is_recursive_sorted_and_skips_hidden(tmp_path):
    write(tmp_path / "b" / "z.txt", "T\n\nA.\n")
    write(tmp_path / "a.jsonl", "")
    write(tmp_path / "b" / "a" / "deep.json", "[]")
    write(tmp_path / ".git" / "config", "x")
    write(tmp_path / "b" / ".hidden.txt", "x")
    expected = [tmp_path / "a.jsonl", tmp_path / "b" / "a" / "deep.json", tmp_path / "b" / "z.txt"]
    assert iter_input_files([tmp_path]) == expected
    # the same file named twice, directly and through its folder, is read once
    assert iter_input_files([tmp_path / "b" / "z.txt", tmp_path, str(tmp_path / "a.jsonl")]) == expected


def test_unlistable_subdirectory_is_a_reject(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root lists directories whatever their mode")
    locked = tmp_path / "locked"
    write(locked / "x.txt", "T\n\nA.\n")
    locked.chmod(0)
    try:
        assert only_reject(read(tmp_path)).path == str(locked)
    finally:
        locked.chmod(0o755)


def test_ten_megabyte_single_line(tmp_path):
    long_title = "word " * 2_000_000
    result = read(write(tmp_path / "long.txt", long_title))
    assert only_reject(result).reason == "abstract without a title"  # too long for a title
    record = json.dumps({"title": "Long", "abstract": long_title})
    result = read(write(tmp_path / "long.jsonl", record))
    assert len(result.papers[0].abstract) == len(long_title.strip())
    result = read(write(tmp_path / "long.json", "[" + record + "]"))
    assert result.papers[0].title == "Long"


def test_directory_of_ten_thousand_files(tmp_path):
    for index in range(10_000):
        write(tmp_path / f"d{index % 10}" / f"p{index:05d}.jsonl",
              json.dumps({"title": f"Paper {index}", "abstract": "Same abstract."}) + "\n")
    result = read(tmp_path)
    assert (result.records_read, len(result.papers), len(result.rejects)) == (10_000, 10_000, 0)


# --- merging and determinism ---------------------------------------------------------------------


def test_same_paper_in_two_files_is_merged(tmp_path):
    page = write(tmp_path / "page.txt",
                 "LoRA: Low-Rank Adaptation of Large Language Models\n\nPage abstract https://x.io/a.\n\n"
                 "  • 8 authors\n·\nJun 17 12\n")
    lines_ = write(tmp_path / "more.jsonl", json.dumps(
        {"id": "2106.09685", "title": "LoRA - Low-rank adaptation of large language models", "abstract": "Other https://y.io/b",
         "date": "2021-06-17", "authors": ["A", "B"], "upvotes": 30}) + "\n")
    feed = write(tmp_path / "feed.atom", atom({"id": "2106.09685", "title": "Renamed on arXiv", "summary": "Atom abstract"}))
    result = read(page, lines_, feed)
    assert (result.records_read, len(result.papers), result.duplicates_merged) == (3, 1, 2)
    paper = result.papers[0]
    assert [s.path for s in paper.sources] == sorted(p.name for p in (page, lines_, feed))
    # feed.atom sorts first, so its title and abstract win; date with a year beats the page's
    assert (paper.title, paper.abstract) == ("Renamed on arXiv", "Atom abstract")
    assert paper.arxiv_id == "2106.09685" and paper.record_id == "2106.09685"
    assert paper.date == PaperDate(6, 12, 2017)
    assert (paper.upvotes, paper.author_count, paper.authors) == (30, 8, ("Ada Lovelace", "Alan Turing"))
    assert paper.links == ("https://y.io/b", "https://x.io/a")


def test_different_arxiv_ids_with_the_same_title_stay_apart(tmp_path):
    text = "\n".join(json.dumps({"id": i, "title": "Same Title", "abstract": "x"}) for i in ("2101.00001", "2101.00002", "t"))
    result = read(write(tmp_path / "p.jsonl", text))
    assert sorted(p.arxiv_id or "-" for p in result.papers) == ["2101.00001", "2101.00002"]
    merged = next(p for p in result.papers if len(p.sources) == 2)
    assert merged.arxiv_id == "2101.00001"  # the title-only record joins the smallest id


def test_input_order_never_changes_output(tmp_path):
    paths = [EXAMPLES / "papers.txt", EXAMPLES / "papers.jsonl", EXAMPLES / "hf_api.json", EXAMPLES / "arxiv.atom"]
    results = [read(*order) for order in itertools.permutations(paths)]
    assert all(result == results[0] for result in results)
    keys = [paper.key for paper in results[0].papers]
    assert keys == sorted(keys)


def test_examples_corpus():
    result = read(EXAMPLES / "papers.txt", EXAMPLES / "papers.jsonl", EXAMPLES / "hf_api.json", EXAMPLES / "arxiv.atom")
    assert not result.rejects
    page = read(EXAMPLES / "papers.txt")
    assert 15 <= len(page.papers) <= 20 and not page.rejects
    assert any(p.date and p.date.year is None for p in page.papers)
    assert any(p.date is None for p in page.papers) and any(p.upvotes for p in page.papers)
    assert result.duplicates_merged >= 5
    formats = {s.format for p in result.papers for s in p.sources}
    assert formats == {"hf-text", "jsonl", "hf-api", "arxiv-atom"}


def test_shuffled_records_merge_identically(tmp_path):
    records = [{"title": f"Paper {i % 7}", "abstract": f"Abstract {i}", "upvotes": i} for i in range(40)]
    results = []
    for seed in range(3):
        random.Random(seed).shuffle(records)
        for index, chunk in enumerate((records[:20], records[20:])):
            write(tmp_path / f"run{seed}" / f"{index}.jsonl", "\n".join(json.dumps(r) for r in chunk))
        results.append(read(tmp_path / f"run{seed}"))
    for result in results:
        assert [(p.title, p.upvotes) for p in result.papers] == [(p.title, p.upvotes) for p in results[0].papers]
        assert result.duplicates_merged == 33


# --- the real seeds ------------------------------------------------------------------------------


def test_seeds(shared_dir):
    seeds = shared_dir / "seeds"
    result = read(seeds)
    assert (result.records_read, len(result.papers), len(result.rejects)) == (431, 401, 0)
    assert all(p.title and p.abstract for p in result.papers)
    papers = by_title(result)
    act = papers[
        "ACT360: An Efficient 360-Degree Action Detection and Summarization Framework for Mission-Critical "
        "Training and Debriefing"]
    assert (act.author_count, act.date, act.upvotes) == (2, PaperDate(3, 17, None), None)
    cog = papers["CogVLA: Cognition-Aligned Vision-Language-Action Model via Instruction-Driven Routing & Sparsification"]
    assert (cog.author_count, cog.date, cog.upvotes) == (5, PaperDate(8, 28, None), 2)
    assert cog.links == ("https://github.com/JiuTian-VL/CogVLA",)
    n2n = papers["N2N Learning: Network to Network Compression via Policy Gradient Reinforcement Learning"]
    assert n2n.date == PaperDate(9, 18, 2017)
    infllm = next(p for t, p in papers.items() if t.startswith("InfLLM: Unveiling"))
    assert (infllm.author_count, infllm.date, infllm.upvotes) == (9, PaperDate(2, 7, 2024), 3)
    assert {p.organization for p in result.papers} >= {"OpenBMB", "Reactive AI", "HKUSTGZ"}
    no_meta = next(p for t, p in papers.items() if t.startswith("Generic-to-Specific Distillation"))
    assert no_meta.sources[0].path.endswith("001_48129bd662c7713c.txt") or len(no_meta.sources) > 1
    assert no_meta.links == ("https://github.com/pengzhiliang/G2SD",)
    first = next(p for p in result.papers if p.sources[0] == Source("seeds/000_e09219e85a2884a6.txt", 13, "hf-text"))
    assert first is act
    # every record whose page shows a meta block has its date and author count or organisation
    for page in sorted(seeds.glob("*.txt")):
        records = list(hf_text.read_hf_text(page))
        meta_blocks = page.read_text(encoding="utf-8").splitlines().count("·")
        assert sum(1 for r in records if r.date) == meta_blocks
        assert sum(1 for r in records if r.author_count or r.organization) == meta_blocks
    with_year = read(seeds, year=2025)
    assert all(p.date.year is not None for p in with_year.papers if p.date)
    assert by_title(with_year)[act.title].date == PaperDate(3, 17, 2025)


def test_public_api_names():
    assert set(kg.sources.FORMATS) == {"hf-text", "jsonl", "hf-api", "arxiv-atom"}


def test_source_names_do_not_depend_on_how_the_path_was_written(tmp_path, monkeypatch):
    folder = tmp_path / "papers"
    folder.mkdir()
    write(folder / "a.jsonl", json.dumps({"title": "T", "abstract": "A"}) + "\n")
    monkeypatch.chdir(tmp_path)
    given = [read(folder), read("papers"), read(Path("papers") / ".." / "papers")]
    monkeypatch.chdir(folder)
    given.append(read("."))
    assert {r.papers[0].sources[0].path for r in given} == {"papers/a.jsonl"}


def test_a_file_keeps_its_source_name_when_inputs_are_added(tmp_path):
    one = write(tmp_path / "a" / "day1.jsonl", json.dumps({"title": "T", "abstract": "A"}) + "\n")
    two = write(tmp_path / "b" / "day2.jsonl", json.dumps({"title": "U", "abstract": "B"}) + "\n")
    clash = write(tmp_path / "c" / "day1.jsonl", json.dumps({"title": "V", "abstract": "C"}) + "\n")
    names = lambda result: sorted(s.path for p in result.papers for s in p.sources)  # noqa: E731
    assert names(read(one)) == ["day1.jsonl"]
    assert names(read(one, two)) == ["day1.jsonl", "day2.jsonl"]
    assert names(read(tmp_path / "a", two)) == ["a/day1.jsonl", "day2.jsonl"]
    assert names(read(one, clash)) == ["a/day1.jsonl", "c/day1.jsonl"]  # one name for two files: not used


def test_an_output_folder_of_kg_build_is_not_read_as_input(tmp_path):
    write(tmp_path / "a.jsonl", json.dumps({"title": "T", "abstract": "A"}) + "\n")
    out = tmp_path / "exports"
    out.mkdir()
    write(out / "rejects.jsonl", json.dumps({"file": "x", "line": 1, "reason": "r"}) + "\n")
    (out / ".current").symlink_to(".gen-1")
    assert iter_input_files([tmp_path]) == [tmp_path / "a.jsonl"]
