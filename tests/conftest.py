"""Test configuration: hypothesis profiles and the marker for tests that need ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the drawn examples are fixed (derandomize), so a run is reproducible; on a developer's
# machine each run draws new ones and keeps failures in the example database.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data; tests using it are skipped, with the reason shown, where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the shared data sets at {SHARED_DATA}")
    return SHARED_DATA
