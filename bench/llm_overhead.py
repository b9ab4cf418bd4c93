"""What the openai backend adds per answer, against the scripted local server (no model time):

- the citation work: the streaming marker parser, the sentence split and the support check of
  every sentence (goal: under 20 ms per answer);
- time to the first streamed piece and to the final answer, through the real `openai` client
  over HTTP to bench/fake_openai.py on 127.0.0.1.

    .venv/bin/python -m bench.llm_overhead [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant, Settings
from assistant.answer.citations import CitationList
from assistant.llm import LLMAnswerer
from assistant.llm.answerer import cite_source
from assistant.llm.markers import MarkerStream
from assistant.retrieve import Passage
from bench.fake_openai import Body, FakeOpenAI, Reply, sources

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "eval" / "dev_seed.jsonl"
FALLBACK_QUESTIONS = [
    "Who is Kamal Alam?",
    "What did James Hackett say about Russia's investment in India?",
    "In which year was India's S-400 deal signed?",
    "What did Kanwal Sibal say about Neemrana?",
]


def realistic_reply(body: Body) -> str:
    """An answer the way models write one: the first sources restated (one loosely, so its
    check needs the embedding model), cited in mixed styles, and one unsupported sentence."""
    numbered = sources(body)
    keys = list(numbered)[:3]
    parts = []
    for i, k in enumerate(keys):
        words = numbered[k].split()
        text = " ".join(words[: min(len(words), 25)]).rstrip('.,;:”"') + "."
        marker = ("[{k}]", "[Source {k}]", "【{k}】")[i % 3].format(k=k)
        parts.append(text[:-1] + f" {marker}.")
    parts.append("This sentence cites nothing the sources say about the weather on Mars.")
    return " ".join(parts)


def percentiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "mean": round(statistics.fmean(values), 2),
        "p50": round(values[len(values) // 2], 2),
        "p95": round(values[min(len(values) - 1, int(0.95 * len(values)))], 2),
        "max": round(values[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each question is asked")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    questions = FALLBACK_QUESTIONS
    if SEED.is_file():
        rows = [json.loads(line) for line in SEED.read_text().splitlines() if line.strip()]
        questions = [r["q"] for r in rows if not r.get("abstain") and not r.get("history")]

    server = FakeOpenAI(models=["bench-model"])
    with tempfile.TemporaryDirectory() as tmp:
        common: dict[str, Any] = {"index_dir": Path(tmp), "openai_api_key": None}
        Assistant(Settings(llm="extractive", openai_base_url=None, **common)).ingest(
            ROOT / "data" / "articles"
        )
        assistant = Assistant(
            Settings(llm="openai", model="bench-model", openai_base_url=server.url, **common)
        )
        llm = assistant.llm
        assert isinstance(llm, LLMAnswerer)
        # Warm-up: loads the embedding model's sessions (queries and batches use different ones).
        assistant.ask("Who is Kamal Alam?")
        assistant.embed.encode(["one warm-up sentence", "and another one"])

        first, total, parse, check, flagged, sentences = [], [], [], [], 0, 0
        for _ in range(args.rounds):
            for question in questions:
                server.enqueue(Reply(realistic_reply, pieces=40))
                started = time.perf_counter()
                first_piece = None
                answer = None
                for piece in assistant.stream(question):
                    if isinstance(piece, Answer):
                        answer = piece
                    elif first_piece is None:
                        first_piece = time.perf_counter()
                done = time.perf_counter()
                assert answer is not None and first_piece is not None
                if answer.backend == "extractive" or answer.abstained:
                    continue  # abstained before asking: no model answer to measure
                first.append((first_piece - started) * 1000)
                total.append((done - started) * 1000)
                check.append(answer.timings_ms["check"])
                sentences += len(answer.sentences)
                flagged += sum(not s.supported for s in answer.sentences)

                # The parser's share, alone: the same reply in the same 40 pieces.
                ranked = assistant.extractive.score(
                    answer.question, assistant.retrieve(answer.question)
                )
                passages = [s.passage for s in ranked]
                messages = llm.messages(answer.question, passages)
                raw = realistic_reply(
                    {"messages": [{"role": m.role.value, "content": m.content} for m in messages]}
                )
                cites = CitationList()

                def cite(k: int, c: CitationList = cites, p: list[Passage] = passages) -> list[int]:
                    return cite_source(c, p, k)

                t0 = time.perf_counter()
                stream = MarkerStream(len(passages), cite)
                size = max(1, len(raw) // 40)
                for i in range(0, len(raw), size):
                    stream.feed(raw[i : i + size])
                stream.finish()
                parse.append((time.perf_counter() - t0) * 1000)
    server.close()

    overhead = [p + c for p, c in zip(parse, check, strict=True)]
    result: dict[str, Any] = {
        "answers": len(total),
        "citation_overhead_ms": percentiles(overhead),
        "marker_parse_ms": percentiles(parse),
        "support_check_ms": percentiles(check),
        "first_token_ms": percentiles(first),
        "total_ms": percentiles(total),
        "sentences": sentences,
        "flagged_unsupported": flagged,
        "goal_ms": 20.0,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['answers']} answers from the scripted server on 127.0.0.1")
    for key in ("citation_overhead_ms", "marker_parse_ms", "support_check_ms"):
        print(f"  {key:22} {result[key]}")
    for key in ("first_token_ms", "total_ms"):
        print(f"  {key:22} {result[key]}")
    print(f"  sentences {sentences}, flagged unsupported {flagged}")
    ok = result["citation_overhead_ms"]["p95"] < 20.0
    print(f"  citation overhead p95 under 20 ms: {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
