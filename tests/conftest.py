"""Fixtures shared by every test module."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` (seeds and gold annotations); tests using it skip cleanly when it is absent."""
    if not (SHARED / "seeds").is_dir() or not (SHARED / "annotation").is_dir():
        pytest.skip("../shared is not available")
    return SHARED


@pytest.fixture
def repo_dir() -> Path:
    return REPO
