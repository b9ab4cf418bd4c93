"""A small run of the load test (bench/load.py): a few askers for two seconds on the shared
bundled index, through the Python API. No errors, and every answer its own question's."""

from __future__ import annotations

from assistant import Assistant
from bench.load import run_api


def test_concurrent_askers_get_their_own_correct_answers(bundled: Assistant) -> None:
    result = run_api(bundled, askers=4, seconds=2)
    assert result.questions >= 20 and result.answers > 0
    assert result.errors == 0, result.error_samples
    assert result.wrong == 0, result.wrong_samples
    assert result.p50_ms > 0 and result.p99_ms >= result.p95_ms >= result.p50_ms
