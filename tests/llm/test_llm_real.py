"""The dev questions against a real instruct model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) behind
llama.cpp's OpenAI-compatible server on 127.0.0.1. Opt-in and slow: `make test-llm` builds the
server into .venv-llm, assembles the model once (`bench/llm_model.py`) and names the server's
Python in ASSISTANT_TEST_LLAMA_PYTHON; without that variable these tests are skipped.

What is checked is behaviour, never the model's words: streamed answers, exact citations, a
support verdict on every sentence, abstentions without citations, the questions no article
answers abstained, and most answerable questions answered with a right citation. The summary
reports how many of its sentences the support check flagged.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from assistant import Answer, Assistant
from bench.llm_model import MODEL_ALIAS, assemble
from bench.llm_news import CACHE_BYTES
from bench.processes import free_port, serving

from ..conftest import DEV_SEED, ROOT, load_jsonl, offline_settings

PYTHON = os.environ.get("ASSISTANT_TEST_LLAMA_PYTHON", "")
MODEL = MODEL_ALIAS
pytestmark = pytest.mark.skipif(
    not PYTHON, reason="needs ASSISTANT_TEST_LLAMA_PYTHON (run `make test-llm`)"
)
SEED = load_jsonl(DEV_SEED)
RESULTS: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    gguf = assemble()  # a clear error naming the missing part when one is not downloaded
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--model_alias",
        MODEL,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--n_threads",
        "2",
        "--n_threads_batch",
        "2",
        "--cache",
        "true",
        "--cache_size",  # bounded as in bench.llm_news (CACHE_BYTES: the default grows to 20 GB+)
        str(CACHE_BYTES),
        # The GGUF carries Qwen's chat template; llama-cpp-python uses it.
    ]
    url = f"http://127.0.0.1:{port}/v1"
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with serving(command, url + "/models", log, timeout=180):
        yield url


@pytest.fixture(scope="module")
def real(bundled: Assistant, llama_url: str) -> Assistant:
    return Assistant(
        offline_settings(
            bundled.settings.index_dir,
            llm="openai",
            model=MODEL,
            openai_base_url=llama_url,
            request_timeout=180.0,
            max_retries=0,
            fallback="none",
        )
    )


@pytest.mark.parametrize("case", SEED, ids=[c["id"] for c in SEED])
def test_dev_question_against_a_real_model(real: Assistant, case: dict[str, Any]) -> None:
    started = time.perf_counter()
    pieces = list(real.stream(case["q"], history=case.get("history")))
    answer = pieces[-1]
    assert isinstance(answer, Answer)
    assert answer.backend == f"openai:{MODEL}"
    for c in answer.citations:
        assert real.document(c.source).text[c.start : c.end] == c.quote
    if answer.abstained:
        assert answer.citations == []
    else:
        assert answer.sentences, answer.text
        numbers = {c.n for c in answer.citations}
        for s in answer.sentences:
            assert set(s.citations) <= numbers
    if case.get("abstain"):
        # The answerability check abstains before the model is asked.
        assert answer.abstained
    good = [g.lower() for g in case.get("support", []) + case.get("any", [])]
    right = (
        not answer.abstained
        and any(a.lower() in answer.text.lower() for a in case.get("any", []))
        and any(g in c.quote.lower() for c in answer.citations for g in good)
    )
    RESULTS.append(
        {
            "id": case["id"],
            "abstain": bool(case.get("abstain")),
            "abstained": answer.abstained,
            "right": right,
            "sentences": len(answer.sentences),
            "flagged": sum(not s.supported for s in answer.sentences),
            "first_token_ms": answer.timings_ms.get("first_token"),
            "total_ms": round((time.perf_counter() - started) * 1000),
            "text": answer.text,
        }
    )


def test_report(real: Assistant) -> None:
    """Prints what the real model did (run with -s), and holds it to what an instruct model
    given the right sentences does: answers most answerable questions, with a right citation."""
    sentences = sum(r["sentences"] for r in RESULTS)
    flagged = sum(r["flagged"] for r in RESULTS)
    answerable = [r for r in RESULTS if not r["abstain"]]
    summary = {
        "model": MODEL,
        "questions": len(RESULTS),
        "right": sum(r["right"] for r in RESULTS),
        "answerable": len(answerable),
        "answerable_right": sum(r["right"] for r in answerable),
        "abstained": sum(r["abstained"] for r in RESULTS),
        "sentences": sentences,
        "flagged_unsupported": flagged,
    }
    print("\n" + json.dumps(summary))
    for r in RESULTS:
        print(json.dumps(r, ensure_ascii=False))
    out = ROOT / "bench" / "results"
    if out.is_dir():
        (out / "llm_real.json").write_text(json.dumps({"summary": summary, "answers": RESULTS}))
    assert summary["answerable_right"] >= len(answerable) / 2, summary
