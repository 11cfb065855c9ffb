"""Merging records of the same paper into one Paper, deterministically.

Identity: records with an arXiv id are one paper per id; a record without one joins the arXiv
paper whose records share its normalised title (the smallest id if several do), else the other
id-less records with the same normalised title.

Field rule, applied to a group's records in sorted Source order (path, line, format):
title, abstract, record_id, url, organization and authors come from the first record that has
them; date is the first that has a year, else the first; upvotes and author_count are the largest
given (author_count also counts listed names); links are the union in first-seen order;
sources are all sources, sorted.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.model import Paper, normalise_title


def group_records(papers: Iterable[Paper]) -> list[list[Paper]]:
    """Records grouped by paper identity; each group in sorted source order."""
    records = sorted(papers, key=lambda paper: paper.sources)
    by_arxiv: dict[str, list[Paper]] = {}
    for paper in records:
        if paper.arxiv_id:
            by_arxiv.setdefault(paper.arxiv_id, []).append(paper)
    arxiv_by_title: dict[str, str] = {}
    for arxiv_id in sorted(by_arxiv):
        for paper in by_arxiv[arxiv_id]:
            arxiv_by_title.setdefault(normalise_title(paper.title), arxiv_id)
    by_title: dict[str, list[Paper]] = {}
    for paper in records:
        if paper.arxiv_id:
            continue
        title = normalise_title(paper.title)
        if title in arxiv_by_title:
            by_arxiv[arxiv_by_title[title]].append(paper)
        else:
            by_title.setdefault(title, []).append(paper)
    groups = list(by_arxiv.values()) + list(by_title.values())
    return [sorted(group, key=lambda paper: paper.sources) for group in groups]


def merge_group(group: list[Paper]) -> Paper:
    """One Paper from records of the same paper (given in sorted source order)."""
    if len(group) == 1:
        return group[0]
    dates = [paper.date for paper in group if paper.date]
    counts = [paper.author_count for paper in group if paper.author_count is not None]
    counts += [len(paper.authors) for paper in group if paper.authors]
    upvotes = [paper.upvotes for paper in group if paper.upvotes is not None]
    return Paper(
        title=_first(paper.title for paper in group),
        abstract=_first(paper.abstract for paper in group),
        record_id=_first(paper.record_id for paper in group),
        arxiv_id=_first(paper.arxiv_id for paper in group),
        authors=_first(paper.authors for paper in group) or (),
        author_count=max(counts) if counts else None,
        organization=_first(paper.organization for paper in group),
        date=next((date for date in dates if date.year is not None), dates[0] if dates else None),
        upvotes=max(upvotes) if upvotes else None,
        url=_first(paper.url for paper in group),
        links=tuple(dict.fromkeys(link for paper in group for link in paper.links)),
        sources=tuple(sorted(source for paper in group for source in paper.sources)),
    )


def merge_papers(papers: Iterable[Paper]) -> tuple[list[Paper], int]:
    """Merged papers sorted by key, and how many records were folded into another."""
    groups = group_records(papers)
    merged = sorted((merge_group(group) for group in groups), key=lambda paper: (paper.key, paper.sources))
    return merged, sum(len(group) - 1 for group in groups)


def _first(values):
    return next((value for value in values if value), None)
