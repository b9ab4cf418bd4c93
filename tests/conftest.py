"""Shared fixtures: a real index (Chroma on disk, real embeddings) of the bundled article."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from assistant import Assistant, Settings

# CI gets the same property-test examples every run (a failure there is reproducible, never a
# coin toss); set HYPOTHESIS_PROFILE=explore locally to search with fresh random examples.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
BUNDLED = ARTICLES / "russia-pakistan-india.txt"


def _shared_dir() -> Path:
    """../shared beside the checkout (as CI lays it out), or beside the repository this one was
    cloned from (a check from a clone elsewhere: `git clone . /tmp/x`); ASSISTANT_SHARED_DIR
    overrides both. Exported, so the benchmarks the tests start find the same folder."""
    if "ASSISTANT_SHARED_DIR" in os.environ:
        return Path(os.environ["ASSISTANT_SHARED_DIR"])
    found = ROOT.parent / "shared"
    if not found.is_dir():
        origin = subprocess.run(
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        beside = Path(origin).parent / "shared" if origin and "://" not in origin else None
        if beside is not None and beside.is_dir():
            found = beside
    os.environ["ASSISTANT_SHARED_DIR"] = str(found)
    return found


SHARED = _shared_dir()
DEV_SEED = SHARED / "eval" / "dev_seed.jsonl"


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def offline_settings(index_dir: Path, **overrides: Any) -> Settings:
    """Settings for the offline backend whatever the environment says about OpenAI."""
    values: dict[str, Any] = {
        "index_dir": index_dir,
        "llm": "extractive",
        "openai_api_key": None,
        "openai_base_url": None,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """An assistant whose index holds the bundled article."""
    index = tmp_path_factory.mktemp("bundled-index")
    assistant = Assistant.open(settings=offline_settings(index))
    report = assistant.ingest(ARTICLES)
    assert report.ok and len(report.added) == 1, report
    return assistant


@pytest.fixture
def fresh(tmp_path: Path) -> Assistant:
    """An assistant over an empty index of its own."""
    return Assistant.open(settings=offline_settings(tmp_path / "index"))
