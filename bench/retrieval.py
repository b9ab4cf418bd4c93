"""Retrieval (and, with --answers, answer) quality on SQuAD, against baselines, in one run.

    .venv/bin/python -m bench.retrieval [--split dev|holdout] [--questions 500] [--answers] [--json]

Corpus: every paragraph of dev-v1.1.json, one document each, indexed by the project's own
pipeline. A retrieved node hits when it comes from the gold paragraph; paragraphs are ranked by
their best node. Side by side on the same corpus and questions: the project's retriever, BM25
alone and dense alone (the project's own stores), and llama-index's default pipeline with the same
embedding model (VectorStoreIndex.from_documents, default splitter, in memory).

--answers runs the default offline answerer end to end on the same questions, and, over a corpus
of SQuAD v2.0's paragraphs, on that file's unanswerable questions of the same split and on
out-of-corpus questions (v1.1 questions about the articles v2.0 leaves out): does it abstain, or
say which names no article mentions?
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from assistant.answer import NOT_MENTIONED
from assistant.index.embeddings import MiniLMEmbedding

from .common import (
    CACHE,
    RESULTS,
    SQUAD_V1,
    SQUAD_V2,
    CorpusIndex,
    Progress,
    Question,
    Squad,
    VectorCache,
    command,
    corpus_index,
    facts_markdown,
    load_squad,
    log,
    machine_facts,
    markdown_table,
    out_of_corpus_questions,
    percentile,
    split_questions,
    write_result,
)

DEPTH = 10  # paragraphs ranked per question
NODE_DEPTH = 100  # nodes taken from each system before ranking paragraphs
SYSTEMS = ("project", "bm25", "dense", "llamaindex_default")

Ranker = Callable[[str], list[int]]  # question -> paragraph numbers, best first


def limit_corpus(squad: Squad, per_article: int | None, articles: int | None = None) -> Squad:
    """Only the first `per_article` paragraphs of each of the first `articles` articles, with
    their questions (for quick runs; both splits keep questions). Paragraphs are renumbered."""
    if not per_article and not articles:
        return squad
    kept: dict[int, int] = {}  # old paragraph number -> new
    seen: dict[int, int] = {}
    for p, article in enumerate(squad.article_of):
        if articles and article >= articles:
            continue
        if not per_article or seen.get(article, 0) < per_article:
            seen[article] = seen.get(article, 0) + 1
            kept[p] = len(kept)
    return Squad(
        squad.titles,
        [squad.contexts[p] for p in kept],
        [squad.article_of[p] for p in kept],
        [replace(q, paragraph=kept[q.paragraph]) for q in squad.questions if q.paragraph in kept],
    )


def corpus_suffix(per_article: int, articles: int) -> str:
    """Names quick-run indexes and results apart from the full ones."""
    return (f"-{per_article}" if per_article else "") + (f"-a{articles}" if articles else "")


def _paragraphs(index: CorpusIndex, sources: Sequence[str]) -> list[int]:
    ranked: list[int] = []
    for source in sources:
        p = index.paragraph(source)
        if p not in ranked:
            ranked.append(p)
            if len(ranked) == DEPTH:
                break
    return ranked


def project_ranker(index: CorpusIndex) -> Ranker:
    retriever = index.assistant.retriever

    def rank(question: str) -> list[int]:
        passages = retriever.passages(question, top_k=NODE_DEPTH)
        return _paragraphs(index, [p.document.source for p in passages])

    return rank


def store_ranker(index: CorpusIndex, kind: str) -> Ranker:
    store = index.assistant.store
    embed = index.assistant.embed

    def rank(question: str) -> list[int]:
        if kind == "bm25":
            hits = store.bm25(question, NODE_DEPTH)
        else:
            hits = store.dense(embed.get_query_embedding(question), NODE_DEPTH)
        return _paragraphs(index, [store.document_of(node_id).source for node_id, _ in hits])

    return rank


def llamaindex_ranker(contexts: Sequence[str], cache: Path) -> Ranker:
    """llama-index's defaults (SentenceSplitter 1024/200, in-memory vector store), our model.

    The built index is persisted under the cache folder so reruns skip the embedding.
    """
    from llama_index.core import (
        Document,
        StorageContext,
        VectorStoreIndex,
        load_index_from_storage,
    )

    # The same model and vectors. llama-index hands it embed_batch_size texts at a time, in
    # document order: large calls let it sort them by length and use every core.
    embed = MiniLMEmbedding(embed_batch_size=2048)
    key = hashlib.sha256(
        "\x00".join([metadata.version("llama-index-core"), *contexts, _embedding_source()]).encode()
    ).hexdigest()[:12]
    folder = cache / f"llamaindex-{key}"
    if (folder / "docstore.json").is_file():
        storage = StorageContext.from_defaults(persist_dir=str(folder))
        index = load_index_from_storage(storage, embed_model=embed)
    else:
        for old in cache.glob("llamaindex-*"):
            shutil.rmtree(old, ignore_errors=True)
        log(f"llama-index: embedding {len(contexts)} paragraphs with its default pipeline")
        started = time.perf_counter()
        documents = [Document(text=text, id_=f"p{i}") for i, text in enumerate(contexts)]
        index = VectorStoreIndex.from_documents(documents, embed_model=embed)
        log(f"llama-index: built in {time.perf_counter() - started:.0f} s")
        index.storage_context.persist(persist_dir=str(folder))
    retriever = index.as_retriever(similarity_top_k=DEPTH)

    def rank(question: str) -> list[int]:
        ranked: list[int] = []
        for hit in retriever.retrieve(question):
            p = int(str(hit.node.ref_doc_id)[1:])
            if p not in ranked:
                ranked.append(p)
        return ranked

    return rank


def _embedding_source() -> str:
    root = Path(__file__).resolve().parents[1]
    return (root / "assistant" / "index" / "embeddings.py").read_text()


def score(rankings: Sequence[list[int]], gold: Sequence[int]) -> dict[str, float]:
    ranks = [r.index(g) + 1 if g in r else 0 for r, g in zip(rankings, gold, strict=True)]
    n = max(len(ranks), 1)
    return {
        "R@1": round(sum(0 < r <= 1 for r in ranks) / n, 4),
        "R@5": round(sum(0 < r <= 5 for r in ranks) / n, 4),
        "R@10": round(sum(0 < r <= 10 for r in ranks) / n, 4),
        "MRR@10": round(sum(1 / r for r in ranks if r) / n, 4),
    }


def run_retrieval(
    index: CorpusIndex, contexts: Sequence[str], questions: list[Question], cache: Path
) -> dict[str, dict[str, float]]:
    rankers: dict[str, Ranker] = {
        "project": project_ranker(index),
        "bm25": store_ranker(index, "bm25"),
        "dense": store_ranker(index, "dense"),
        "llamaindex_default": llamaindex_ranker(contexts, cache),
    }
    gold = [q.paragraph for q in questions]
    systems: dict[str, dict[str, float]] = {}
    for name, rank in rankers.items():
        rank(questions[0].text)  # warm: model loaded, caches filled
        bar = Progress(len(questions), f"retrieval {name}")
        rankings, latencies = [], []
        for done, q in enumerate(questions):
            started = time.perf_counter()
            rankings.append(rank(q.text))
            latencies.append((time.perf_counter() - started) * 1000)
            bar.update(done + 1)
        systems[name] = score(rankings, gold) | {"ms_p50": round(percentile(latencies, 50), 2)}
    return systems


def _contains(text: str, answers: Sequence[str]) -> bool:
    folded = text.lower()
    return any(a.lower() in folded for a in answers if a)


def run_answers(
    index: CorpusIndex,
    questions: list[Question],
    v2: CorpusIndex,
    impossible: list[Question],
    outside: Sequence[Question] = (),
) -> dict[str, Any]:
    assistant = index.assistant
    answered = in_answer = in_first = abstained = cited = from_gold = 0
    direct = direct_right = 0  # answers led by the words that answer (Answer.direct)
    bar = Progress(len(questions), "answers")
    for done, q in enumerate(questions):
        answer = assistant.ask(q.text)
        bar.update(done + 1)
        if answer.abstained:
            abstained += 1
            continue
        answered += 1
        in_answer += _contains(answer.text, q.answers)
        in_first += bool(answer.citations) and _contains(answer.citations[0].quote, q.answers)
        if answer.direct:
            direct += 1
            # Right when it holds a gold answer or a gold answer holds it ("Denver Broncos" /
            # "the Broncos").
            direct_right += _contains(answer.direct, q.answers) or any(
                answer.direct.lower() in a.lower() for a in q.answers
            )
        cited += len(answer.citations)
        from_gold += sum(index.paragraph(c.source) == q.paragraph for c in answer.citations)
    n = max(len(questions), 1)
    bar = Progress(len(impossible), "unanswerable (v2.0)")
    abstained_v2 = 0
    for done, q in enumerate(impossible):
        abstained_v2 += v2.assistant.ask(q.text).abstained
        bar.update(done + 1)
    bar = Progress(len(outside), "out of corpus")
    abstained_out = flagged_out = 0
    for done, q in enumerate(outside):
        answer = v2.assistant.ask(q.text)
        abstained_out += answer.abstained
        flagged_out += not answer.abstained and answer.text.startswith(NOT_MENTIONED)
        bar.update(done + 1)
    return {
        "answer_contains_gold": round(in_answer / n, 4),
        "first_citation_contains_gold": round(in_first / n, 4),
        "citation_precision": round(from_gold / cited, 4) if cited else None,
        "direct_answers": round(direct / n, 4),
        "direct_answers_right": round(direct_right / direct, 4) if direct else None,
        "false_abstention_rate": round(abstained / n, 4),
        "unanswerable": len(impossible),
        "abstention_accuracy": round(abstained_v2 / len(impossible), 4) if impossible else None,
        "out_of_corpus": len(outside),
        "out_of_corpus_abstained": round(abstained_out / len(outside), 4) if outside else None,
        "out_of_corpus_flagged": round(flagged_out / len(outside), 4) if outside else None,
        "abstain_below": assistant.settings.abstain_below,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__)
    parser.add_argument("--split", choices=("dev", "holdout"), default="dev")
    parser.add_argument("--questions", type=int, default=500, help="sampled with random.seed(0)")
    parser.add_argument("--answers", action="store_true", help="also run the answerer end to end")
    parser.add_argument("--unanswerable", type=int, default=200, help="v2.0 questions (--answers)")
    parser.add_argument(
        "--out-of-corpus", type=int, default=200, help="questions about absent articles"
    )
    parser.add_argument(
        "--paragraphs", type=int, default=0, help="only N paragraphs per article (quick runs)"
    )
    parser.add_argument("--articles", type=int, default=0, help="only the first N articles")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results go")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where built indexes go")
    args = parser.parse_args(argv)
    cmd = command("bench.retrieval", argv)
    facts = machine_facts()
    log(cmd)

    squad = limit_corpus(load_squad(SQUAD_V1), args.paragraphs, args.articles)
    questions = split_questions(squad, args.split, args.questions)
    if not questions:
        parser.error(f"no {args.split} questions in that corpus; give more --paragraphs")
    vectors = VectorCache(args.cache)
    suffix = corpus_suffix(args.paragraphs, args.articles)
    index = corpus_index(f"squad-v1{suffix}", squad.contexts, vectors, args.cache)
    result: dict[str, Any] = {
        "systems": run_retrieval(index, squad.contexts, questions, args.cache),
        "questions": len(questions),
        "split": args.split,
        "corpus": {"paragraphs": len(squad.contexts), "nodes": index.assistant.store.table.size},
    }
    if args.answers:
        v2_file = load_squad(SQUAD_V2)
        squad2 = limit_corpus(v2_file, args.paragraphs, args.articles)
        v2 = corpus_index(f"squad-v2{suffix}", squad2.contexts, vectors, args.cache)
        impossible = split_questions(squad2, args.split, args.unanswerable, impossible=True)
        # Absent from the whole v2.0 file's articles, whatever the corpus limits.
        outside = out_of_corpus_questions(squad, v2_file.titles, args.split, args.out_of_corpus)
        result["answers"] = run_answers(index, questions, v2, impossible, outside)
    result["command"] = cmd
    result["machine"] = facts

    markdown = render(result, facts, cmd)
    path = write_result(f"retrieval-{args.split}{suffix}", markdown, result, args.results)
    log(markdown)
    log(f"written to {path}")
    if args.json:
        print(json.dumps(result))
    return 0


def render(result: dict[str, Any], facts: dict[str, Any], cmd: str) -> str:
    rows = [
        [name, *(m[k] for k in ("R@1", "R@5", "R@10", "MRR@10")), m["ms_p50"]]
        for name, m in result["systems"].items()
    ]
    corpus = result["corpus"]
    parts = [
        f"# Retrieval on SQuAD v1.1 dev, `{result['split']}` split\n",
        f"{result['questions']} questions; corpus {corpus['paragraphs']:,} paragraphs "
        f"({corpus['nodes']:,} sentence nodes); hit = a node of the gold paragraph.\n",
        markdown_table(["system", "R@1", "R@5", "R@10", "MRR@10", "ms/query p50"], rows),
    ]
    answers = result.get("answers")
    if answers:
        parts += [
            "\n## Answers (default offline answerer, end to end)\n",
            markdown_table(
                ["measure", "value"],
                [
                    ["answer contains a gold answer", answers["answer_contains_gold"]],
                    [
                        "first citation contains a gold answer",
                        answers["first_citation_contains_gold"],
                    ],
                    ["citation precision (from the gold paragraph)", answers["citation_precision"]],
                    ["answers led by a direct answer", answers.get("direct_answers")],
                    [
                        "direct answers holding (or held by) a gold answer",
                        answers.get("direct_answers_right"),
                    ],
                    ["false abstentions (answerable)", answers["false_abstention_rate"]],
                    [
                        f"abstention accuracy ({answers['unanswerable']} v2.0 unanswerable)",
                        answers["abstention_accuracy"],
                    ],
                    [
                        f"out of corpus ({answers['out_of_corpus']} questions about articles "
                        "not in the index): abstained",
                        answers["out_of_corpus_abstained"],
                    ],
                    [
                        "out of corpus: answered, saying which names no article mentions",
                        answers["out_of_corpus_flagged"],
                    ],
                    ["abstain_below", answers["abstain_below"]],
                ],
            ),
        ]
    parts.append("\n" + facts_markdown(facts, cmd))
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
