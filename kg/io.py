"""Atomic file and directory writes: a failed or killed write never damages what was there."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(target: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one rename.

    >>> with atomic_path("/tmp/kg-doc.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> Path("/tmp/kg-doc.txt").read_text()
    'done'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(target: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def replace_dir(new: Path, target: Path) -> None:
    """Swap directory ``new`` in at ``target`` so that ``target`` is always a complete directory.

    ``target`` is a symlink to a generation directory; switching the link is one atomic rename,
    so a reader (or a crash) sees either the old or the new directory, never a half-written one.
    The old generation is removed after the switch.
    """
    target = Path(target)
    new = Path(new).resolve()
    old = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():
        # a plain directory from elsewhere: move it aside first (not atomic, only on first switch)
        aside = target.with_name(f".{target.name}.old")
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(target, aside)
        old = aside
    link_tmp = target.with_name(f".{target.name}.link.tmp")
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(os.path.relpath(new, target.parent), link_tmp)
    os.replace(link_tmp, target)
    _fsync_dir(target.parent)
    if old is not None and old != new and old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
