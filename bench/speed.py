"""Speed and scale: embedding throughput, ingest, retrieval latency by index size, ask latency.

    .venv/bin/python -m bench.speed [--only embed,ingest,scale,ask] [--json]

- embed: the 2,067 SQuAD v1.1 dev paragraphs through the project's MiniLMEmbedding and through a
  plain onnxruntime loop with the same model (batches of 16 sorted by length, default session):
  paragraphs/s, tokens/s, and the lowest cosine between the two vectors of a paragraph.
- ingest: `Assistant.ingest` of the same paragraphs (one .txt file each) into an empty index, in
  a child process: wall time and peak memory.
- scale: query latency p50/p95 of the project's retriever at about 1k, 10k and 100k nodes by
  default (`--scale 1000,10000,100000,1000000` for the issue's million), over the SQuAD
  sentences, then generated sentences whose vectors mix real ones, plotted to PNG when matplotlib
  is installed. Each index is built in a child process that writes it a batch at a time, and
  measured in another that only opens it and asks: that process's resident memory is the figure
  for serving from the index.
- ask: the bundled article: index time, warm `ask` latency over ../shared/eval/dev_seed.jsonl,
  cold `assistant ask` wall time in a new process next to the time Python takes to import
  llama_index.core + chromadb + onnxruntime, and the peak memory of that process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.embeddings import MAX_TOKENS, MiniLMEmbedding, model_files

from .common import (
    CACHE,
    RESULTS,
    ROOT,
    SHARED,
    SQUAD_V1,
    VectorCache,
    bench_settings,
    code_hash,
    command,
    commit_stream,
    facts_markdown,
    load_squad,
    log,
    machine_facts,
    markdown_table,
    percentile,
    sample,
    write_result,
)

PARTS = ("embed", "ingest", "scale", "ask")
BUNDLED = ROOT / "data" / "articles"
DEV_SEED = SHARED / "eval" / "dev_seed.jsonl"


# --------------------------------------------------------------------------- embed
def plain_onnx_loop(texts: list[str], batch: int = 16) -> tuple[np.ndarray, int]:
    """The reference: onnxruntime defaults, batches of 16 sorted by length; (vectors, tokens)."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    model_path, tokenizer_path = model_files()
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    out = np.zeros((len(texts), 384), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    tokens = 0
    for begin in range(0, len(order), batch):
        chunk = order[begin : begin + batch]
        enc = tokenizer.encode_batch([texts[i] for i in chunk])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]
        w = mask[..., None].astype(np.float32)
        pooled = (hidden * w).sum(axis=1) / np.clip(w.sum(axis=1), 1e-9, None)
        out[chunk] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        tokens += int(mask.sum())
    return out, tokens


def bench_embed(texts: list[str]) -> dict[str, Any]:
    embed = MiniLMEmbedding()
    embed.encode(texts[:4])  # load the model outside the timing
    started = time.perf_counter()
    ours = embed.encode(texts)
    ours_s = time.perf_counter() - started
    plain_onnx_loop(texts[:4])
    started = time.perf_counter()
    plain, tokens = plain_onnx_loop(texts)
    plain_s = time.perf_counter() - started
    cosine = (ours * plain).sum(axis=1)
    return {
        "paragraphs": len(texts),
        "tokens": tokens,
        "project": {
            "seconds": round(ours_s, 2),
            "paragraphs_per_s": round(len(texts) / ours_s, 1),
            "tokens_per_s": round(tokens / ours_s),
        },
        "plain_onnxruntime": {
            "seconds": round(plain_s, 2),
            "paragraphs_per_s": round(len(texts) / plain_s, 1),
            "tokens_per_s": round(tokens / plain_s),
        },
        "min_cosine": round(float(cosine.min()), 6),
    }


# --------------------------------------------------------------------------- children
# Peak memory is read by the child itself from /proc (VmHWM): getrusage's ru_maxrss of a child
# keeps the high-water mark of the (large) benchmark process it was forked from.
PEAK = "print('peak-kb', open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"


def child_peak_mb(out: str) -> float:
    for line in out.splitlines():
        if line.startswith("peak-kb "):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a process; (wall seconds, peak RSS in MB as getrusage has it, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(ROOT)
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {err.decode()[-800:]}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def offline_env(index: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
    env.update({"ASSISTANT_LLM": "extractive", "ASSISTANT_INDEX_DIR": str(index)})
    return env


def bench_ingest(texts: list[str], workdir: Path) -> dict[str, Any]:
    docs = workdir / "ingest-docs"
    shutil.rmtree(docs, ignore_errors=True)
    docs.mkdir(parents=True)
    for i, text in enumerate(texts):
        (docs / f"{i:05d}.txt").write_text(text + "\n")
    index = workdir / "ingest-index"
    shutil.rmtree(index, ignore_errors=True)
    code = (
        "import sys, time; from assistant import Assistant, Settings; "
        "a = Assistant.open(settings=Settings()); t = time.perf_counter(); "
        "r = a.ingest([sys.argv[1]]); "
        "print(len(r.added), len(r.failed), a.store.table.size, time.perf_counter() - t); " + PEAK
    )
    wall, _, out = run_child([sys.executable, "-c", code, str(docs)], offline_env(index))
    peak = child_peak_mb(out)
    added, failed, nodes, ingest_s = out.splitlines()[0].split()
    shutil.rmtree(index, ignore_errors=True)
    shutil.rmtree(docs, ignore_errors=True)
    return {
        "documents": int(added),
        "failed": int(failed),
        "nodes": int(nodes),
        "ingest_seconds": round(float(ingest_s), 1),
        "process_seconds": round(wall, 1),
        "peak_rss_mb": round(peak),
    }


# --------------------------------------------------------------------------- scale
# The scale part builds each index in a child process and measures it in another, so the memory
# reported is that of a process answering from the index, not of the build.
def _scale_folder(target: int, cache: Path) -> Path:
    store_code = "".join(p.read_text() for p in sorted((ROOT / "assistant" / "index").glob("*.py")))
    return cache / f"scale-{target}-{code_hash([str(target), store_code])}"


def _real_articles(target: int) -> list[tuple[Any, list[Any]]]:
    """The SQuAD v1.1 articles as (article, nodes), cut at `target` nodes."""
    from assistant.ingest import build_nodes, clean_article, doc_id_for

    squad = load_squad(SQUAD_V1)
    by_article: dict[int, list[str]] = {}
    for context, position in zip(squad.contexts, squad.article_of, strict=True):
        by_article.setdefault(position, []).append(context)
    articles: list[tuple[Any, list[Any]]] = []
    total = 0
    for a_i, paragraphs in by_article.items():
        article = clean_article("\n".join(paragraphs), source=f"squad://{a_i}")
        nodes = build_nodes(article, doc_id_for(article.source), article.sha256[:12])
        nodes = nodes[: target - total]
        articles.append((article, nodes))
        total += len(nodes)
        if total >= target:
            break
    return articles


def _generated_articles(vocabulary: list[str], total: int, target: int) -> Iterator[Any]:
    """Articles of 500 random sentences of SQuAD words, (article, nodes), from `total` nodes
    until `target`; the same sentences for every target (one seeded stream)."""
    from assistant.ingest import build_nodes, clean_article, doc_id_for

    rng = random.Random(0)
    generated = 0
    while total < target:
        size = min(500, target - total)
        sentences = [
            " ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 30))).capitalize() + "."
            for _ in range(size)
        ]
        article = clean_article(
            f"Generated article {generated}\n" + " ".join(sentences),
            source=f"generated://{generated}",
        )
        nodes = build_nodes(article, doc_id_for(article.source), article.sha256[:12])
        yield article, nodes
        total += len(nodes)
        generated += 1


def scale_articles(
    target: int, real: list[tuple[Any, list[Any]]], real_vectors: np.ndarray
) -> tuple[int, Iterator[tuple[Any, list[Any], np.ndarray]]]:
    """(number of articles, a stream of (article, nodes, vectors)) for an index of about
    `target` nodes: the real articles with their vectors, then generated ones, each generated
    sentence a mix of two real vectors plus noise, so they spread like real ones. The stream
    holds one article at a time; its contents are those of building the whole matrix at once
    (what this bench did before streaming): one pass counts the generated nodes, the pairs are
    drawn for all of them, then the noise row by row from the same generator."""
    vocabulary = " ".join(n.text for _, nodes in real for n in nodes).split()
    total = sum(len(nodes) for _, nodes in real)
    counts = [len(nodes) for _, nodes in _generated_articles(vocabulary, total, target)]

    def stream() -> Iterator[tuple[Any, list[Any], np.ndarray]]:
        row = 0
        for article, nodes in real:
            yield article, nodes, real_vectors[row : row + len(nodes)]
            row += len(nodes)
        np_rng = np.random.default_rng(0)
        pairs = np_rng.integers(0, len(real_vectors), (sum(counts), 2))
        row = 0
        for article, nodes in _generated_articles(vocabulary, total, target):
            part = pairs[row : row + len(nodes)]
            mixed = real_vectors[part[:, 0]] + real_vectors[part[:, 1]]
            mixed += 0.3 * np_rng.normal(size=mixed.shape)
            mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
            yield article, nodes, mixed.astype(np.float32)
            row += len(nodes)

    return len(real) + len(counts), stream()


def scale_index(target: int, cache: Path, vectors: VectorCache) -> Path:
    """Build (unless cached) the index of about `target` nodes; its folder. Nodes are written
    as they are generated, a batch at a time, so a 1,000,000-node build holds no more than a
    batch of them (before, every TextNode and vector was held at once: 22.7 GB at 1M)."""
    from assistant import Assistant

    folder = _scale_folder(target, cache)
    if (folder / "built.json").is_file():
        return folder
    if (folder / "failed.json").is_file():  # the same code failed before: do not spend minutes
        raise RuntimeError(json.loads((folder / "failed.json").read_text())["error"])
    for old in cache.glob(f"scale-{target}-*"):
        shutil.rmtree(old, ignore_errors=True)
    started = time.perf_counter()
    assistant = Assistant.open(settings=bench_settings(folder / "index"))
    real = _real_articles(target)
    texts = [n.text for _, nodes in real for n in nodes]
    real_vectors = vectors.encode(assistant, texts, f"embedding for {target} nodes")
    vectors.save()
    count, stream = scale_articles(target, real, real_vectors)
    commit_stream(assistant, stream, count, f"a {target:,}-node index")
    built = {
        "nodes": assistant.store.table.size,
        "build_s": round(time.perf_counter() - started, 1),
        "build_peak_rss_mb": round(_status_kb("VmHWM") / 1024),
    }
    (folder / "built.json").write_text(json.dumps(built))
    return folder


def _status_kb(field: str) -> int:
    """A field of /proc/self/status (VmRSS, VmHWM) in kB."""
    return int(Path("/proc/self/status").read_text().split(f"{field}:")[1].split()[0])


def _scale_index_or_record(target: int, cache: Path, vectors: VectorCache) -> Path:
    try:
        return scale_index(target, cache, vectors)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        for folder in cache.glob(f"scale-{target}-*"):
            shutil.rmtree(folder / "index", ignore_errors=True)
            (folder / "failed.json").write_text(json.dumps({"error": error}))
        raise RuntimeError(error) from exc


def build_scale_child(target: int, cache: Path) -> None:
    """In a child process: build the index of `target` nodes unless cached."""
    _scale_index_or_record(target, cache, VectorCache(cache))


def serve_scale_child(folder: Path, questions_file: Path) -> dict[str, Any]:
    """In a child process: open the index in `folder`, ask the retriever the questions, and
    report latency and this process's memory."""
    from assistant import Assistant

    questions = json.loads(questions_file.read_text())
    rss_start = _status_kb("VmRSS")
    started = time.perf_counter()
    assistant = Assistant.open(settings=bench_settings(folder / "index"))
    opened = time.perf_counter() - started
    rss_open = _status_kb("VmRSS")
    retriever = assistant.retriever
    started = time.perf_counter()
    retriever.passages(questions[0])  # the first query of a process that opened the index
    first = time.perf_counter() - started
    latencies = []
    for q in questions:
        started = time.perf_counter()
        retriever.passages(q)
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "nodes": assistant.store.table.size,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "first_query_s": round(first, 2),
        "open_s": round(opened, 1),
        "rss_imports_mb": round(rss_start / 1024),
        "rss_opened_mb": round(rss_open / 1024),
        "rss_mb": round(_status_kb("VmRSS") / 1024),
        "peak_rss_mb": round(_status_kb("VmHWM") / 1024),
    }


def _child(code: str, *args: str) -> str:
    """Run `code` (which may read sys.argv) in a new Python process with this one's limits,
    its stderr (progress) passed on as it comes; its stdout."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *args], cwd=str(ROOT), stdout=out, stderr=subprocess.PIPE
        )
        assert proc.stderr is not None
        tail = b""
        while chunk := os.read(proc.stderr.fileno(), 65536):
            sys.stderr.buffer.write(chunk)
            sys.stderr.flush()
            tail = (tail + chunk)[-4000:]
        if proc.wait() != 0:
            lines = tail.decode(errors="replace").replace("\r", "\n").strip().splitlines()
            last = lines[-1] if lines else ""
            if proc.returncode < 0:  # killed, by the kernel's OOM killer, say
                raise RuntimeError(f"killed by signal {-proc.returncode} after: {last}")
            raise RuntimeError(last or f"exit status {proc.returncode}")
        out.seek(0)
        return out.read().decode()


def bench_scale(
    targets: Sequence[int], questions: list[str], cache: Path, results: Path
) -> dict[str, Any]:
    rows = []
    questions_file = cache / "scale-questions.json"
    cache.mkdir(parents=True, exist_ok=True)
    questions_file.write_text(json.dumps(questions))
    for target in targets:
        folder = _scale_folder(target, cache)
        cached = (folder / "built.json").is_file()
        try:
            if not cached:
                _child(
                    "import sys; from pathlib import Path; from bench.speed import "
                    "build_scale_child; build_scale_child(int(sys.argv[1]), Path(sys.argv[2]))",
                    str(target),
                    str(cache),
                )
            built = json.loads((folder / "built.json").read_text())
            out = _child(
                "import sys, json; from pathlib import Path; from bench.speed import "
                "serve_scale_child; "
                "print(json.dumps(serve_scale_child(Path(sys.argv[1]), Path(sys.argv[2]))))",
                str(folder),
                str(questions_file),
            )
        except RuntimeError as exc:  # reported, and the other sizes still run
            rows.append({"nodes": target, "error": str(exc)[:300]})
            log(f"scale: {target:,} nodes failed: {exc}")
            continue
        row = json.loads(out.strip().splitlines()[-1])
        row["build_s"] = built.get("build_s")
        row["build_peak_rss_mb"] = built.get("build_peak_rss_mb")
        row["cached"] = cached
        rows.append(row)
        log(f"scale: {rows[-1]}")
    plot = _plot([r for r in rows if "error" not in r], results / "scale.png")
    return {"rows": rows, "plot": plot}


def _plot(rows: list[dict[str, Any]], path: Path) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(5, 3.5))
    nodes = [r["nodes"] for r in rows]
    ax.plot(nodes, [r["p50_ms"] for r in rows], marker="o", label="p50")
    ax.plot(nodes, [r["p95_ms"] for r in rows], marker="o", label="p95")
    ax.set_xscale("log")
    ax.set_xlabel("nodes")
    ax.set_ylabel("retrieval latency (ms)")
    ax.set_title("Retriever latency by index size (warm)")
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return str(path)


# --------------------------------------------------------------------------- ask
def bench_ask(workdir: Path, rounds: int, cold_runs: int) -> dict[str, Any]:
    from assistant import Assistant

    index = workdir / "bundled-index"
    shutil.rmtree(index, ignore_errors=True)
    assistant = Assistant.open(settings=bench_settings(index))
    started = time.perf_counter()
    report = assistant.ingest([BUNDLED])
    index_s = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"cannot index the bundled article: {report.failed}")
    cases = [json.loads(line) for line in DEV_SEED.read_text().splitlines() if line.strip()]
    assistant.ask("Who is Vladimir Putin?")  # loads the model; not one of the timed questions
    # The first pass asks each question for the first time (the texts alignment reads are kept,
    # so it gains from earlier questions about the same article, as a chat does); later passes
    # ask them again, those texts all kept.
    first: list[float] = []
    again: list[float] = []
    for round_ in range(rounds):
        for case in cases:
            started = time.perf_counter()
            assistant.ask(case["q"], history=case.get("history"))
            (again if round_ else first).append((time.perf_counter() - started) * 1000)
    del assistant

    env = offline_env(index)
    floor_code = "import llama_index.core, chromadb, onnxruntime"
    floors = [run_child([sys.executable, "-c", floor_code], env)[0] for _ in range(cold_runs)]
    script = Path(sys.executable).parent / "assistant"
    entry = [str(script)] if script.is_file() else [sys.executable, "-m", "assistant.cli"]
    cli = [*entry, "ask", "Who warned about Russia's reaction?"]
    colds = [run_child(cli, env)[0] for _ in range(cold_runs)]
    # The same command in a process that reports its own peak memory.
    measured = (
        "import sys; from assistant.interfaces.cli import main; "
        f"main(['ask', {cli[-1]!r}]); sys.stdout.flush(); " + PEAK
    )
    peaks = [child_peak_mb(run_child([sys.executable, "-c", measured], env)[2])]
    shutil.rmtree(index, ignore_errors=True)
    floor, cold = float(np.median(floors)), float(np.median(colds))
    return {
        "index_bundled_s": round(index_s, 2),
        "warm_questions": len(first),
        "warm_p50_ms": round(percentile(first, 50), 2),
        "warm_p95_ms": round(percentile(first, 95), 2),
        "again_questions": len(again),
        "again_p50_ms": round(percentile(again, 50), 2) if again else None,
        "again_p95_ms": round(percentile(again, 95), 2) if again else None,
        "import_floor_s": round(floor, 2),
        "cold_ask_s": round(cold, 2),
        "cold_minus_floor_s": round(cold - floor, 2),
        "ask_peak_rss_mb": round(max(peaks)),
    }


# --------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__)
    parser.add_argument(
        "--only", default=",".join(PARTS), help="comma-separated: " + ",".join(PARTS)
    )
    parser.add_argument("--paragraphs", type=int, default=0, help="only the first N (quick runs)")
    parser.add_argument(
        "--scale", default="1000,10000,100000", help="index sizes (nodes) for the latency curve"
    )
    parser.add_argument("--queries", type=int, default=200, help="questions per index size")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the dev questions")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold processes to time")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {sorted(unknown)}; choose from {', '.join(PARTS)}")
    cmd = command("bench.speed", argv)
    facts = machine_facts()
    log(cmd)

    squad = load_squad(SQUAD_V1)
    texts = squad.contexts[: args.paragraphs] if args.paragraphs else squad.contexts
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        workdir = Path(tmp)
        if "embed" in parts:
            log(f"embed: {len(texts)} paragraphs, project vs plain onnxruntime")
            result["embed"] = bench_embed(texts)
            log(f"embed: {result['embed']}")
        if "ingest" in parts:
            log(f"ingest: {len(texts)} paragraphs through Assistant.ingest (child process)")
            result["ingest"] = bench_ingest(texts, workdir)
            log(f"ingest: {result['ingest']}")
        if "ask" in parts:
            result["ask"] = bench_ask(workdir, args.rounds, args.cold_runs)
            log(f"ask: {result['ask']}")
        if "scale" in parts:
            targets = [int(x) for x in args.scale.split(",") if x.strip()]
            questions = [q.text for q in sample(squad.questions, args.queries)]
            result["scale"] = bench_scale(targets, questions, args.cache, args.results)
    result["command"] = cmd
    result["machine"] = facts
    markdown = render(result, facts, cmd)
    path = write_result(
        "speed" + (f"-{args.paragraphs}" if args.paragraphs else ""), markdown, result, args.results
    )
    log(markdown)
    log(f"written to {path}")
    if args.json:
        print(json.dumps(result))
    failed = [r for r in result.get("scale", {}).get("rows", []) if "error" in r]
    return 1 if failed else 0


def render(result: dict[str, Any], facts: dict[str, Any], cmd: str) -> str:
    parts = ["# Speed and scale\n"]
    if "embed" in result:
        e = result["embed"]
        parts += [
            f"## Embedding {e['paragraphs']:,} SQuAD paragraphs ({e['tokens']:,} tokens)\n",
            markdown_table(
                ["encoder", "seconds", "paragraphs/s", "tokens/s"],
                [
                    [name, e[key]["seconds"], e[key]["paragraphs_per_s"], e[key]["tokens_per_s"]]
                    for name, key in (
                        ("project (MiniLMEmbedding)", "project"),
                        ("plain onnxruntime loop", "plain_onnxruntime"),
                    )
                ],
            ),
            f"\nLowest cosine between the two vectors of a paragraph: {e['min_cosine']}\n",
        ]
    if "ingest" in result:
        i = result["ingest"]
        parts += [
            "## Ingest (Assistant.ingest, one file per paragraph, empty index)\n",
            markdown_table(
                ["documents", "nodes", "ingest s", "process s", "peak RSS MB"],
                [
                    [
                        i["documents"],
                        i["nodes"],
                        i["ingest_seconds"],
                        i["process_seconds"],
                        i["peak_rss_mb"],
                    ]
                ],
            ),
            "",
        ]
    if "scale" in result:
        s = result["scale"]
        parts += [
            "## Retriever latency by index size (warm, default top_k)\n",
            "Each index is measured in a new process that opens it and asks the questions; "
            "RSS is that process's resident memory after them (peak: its high-water mark), "
            "build s and build peak are the building process's.\n",
            markdown_table(
                [
                    "nodes",
                    "p50 ms",
                    "p95 ms",
                    "first query s",
                    "open s",
                    "RSS MB",
                    "peak RSS MB",
                    "build s",
                    "build peak MB",
                ],
                [
                    [
                        r["nodes"],
                        r["p50_ms"],
                        r["p95_ms"],
                        r["first_query_s"],
                        r["open_s"],
                        r["rss_mb"],
                        r["peak_rss_mb"],
                        r["build_s"],
                        r["build_peak_rss_mb"],
                    ]
                    if "error" not in r
                    else [r["nodes"], "failed", "", r["error"], "", "", "", "", ""]
                    for r in s["rows"]
                ],
            ),
            f"\nPlot: {s['plot']}\n" if s["plot"] else "\n(matplotlib not installed: no plot)\n",
        ]
    if "ask" in result:
        a = result["ask"]
        parts += [
            "## Asking about the bundled article\n",
            markdown_table(
                ["measure", "value"],
                [
                    ["index the bundled article (s)", a["index_bundled_s"]],
                    [
                        f"warm ask p50 ms, each question the first time ({a['warm_questions']})",
                        a["warm_p50_ms"],
                    ],
                    ["warm ask p95 ms, first time", a["warm_p95_ms"]],
                    [
                        f"warm ask p50 ms, asked again ({a['again_questions']} asks)",
                        a["again_p50_ms"],
                    ],
                    ["warm ask p95 ms, asked again", a["again_p95_ms"]],
                    [
                        "import floor s (llama_index.core + chromadb + onnxruntime)",
                        a["import_floor_s"],
                    ],
                    ["cold `assistant ask` s", a["cold_ask_s"]],
                    ["cold ask minus floor s", a["cold_minus_floor_s"]],
                    ["peak RSS of `assistant ask` MB", a["ask_peak_rss_mb"]],
                ],
            ),
            "",
        ]
    parts.append(facts_markdown(facts, cmd))
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
