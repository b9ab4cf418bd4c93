"""`assistant doctor` in real processes: a healthy index, then one broken in every way it knows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from assistant import Assistant
from assistant.index import fingerprint
from assistant.ingest import build_nodes, doc_id_for, read_article

from ..conftest import BUNDLED, offline_settings
from ..helpers import run_cli

def doctor_json(index: Path, *flags: str) -> tuple[int, dict]:
    result = run_cli("doctor", "--json", *flags, index=index)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_healthy_index_is_reported_healthy(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assistant = Assistant.open(settings=offline_settings(index))
    assert assistant.ingest(BUNDLED).ok
    result = run_cli("doctor", index=index)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"checked 1 documents, {assistant.store.table.size} nodes"
    assert lines[-1] == "the index is healthy"


def test_doctor_finds_and_repairs_a_broken_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(BUNDLED, articles / "russia.txt")
    (articles / "harbour.txt").write_text(
        "Harbour report\nThe harbour of Tarsk was closed on Monday by the mayor.\n"
        "Fishing boats stayed at sea for three days.\n"
    )
    (articles / "gone.txt").write_text("Lake news\nThe lake of Morvan froze in 1962.\n")
    assistant = Assistant.open(settings=offline_settings(index))
    assert assistant.ingest(articles).ok
    store = assistant.store
    harbour = store.find_source(str((articles / "harbour.txt").resolve()))
    assert harbour is not None and harbour.n_nodes == 3

    # 1. Orphans: nodes of a version whose record never landed (an ingest killed mid-way).
    draft = tmp_path / "draft.txt"
    draft.write_text("Crash news\nThe server crashed while indexing this article.\n")
    art = read_article(draft)
    orphans = build_nodes(art, doc_id_for(art.source), art.sha256[:12])
    for node, vector in zip(
        orphans, assistant.embed.encode([n.text for n in orphans]), strict=True
    ):
        node.embedding = vector.tolist()
    store.vector_store.add(list(orphans))
    # 2. A committed document that lost one of its nodes.
    store.nodes.delete(ids=[f"{harbour.doc_id}-{harbour.version}-1"])
    # 3. A BM25 cache that disagrees with Chroma: its rows in another order.
    cache = store.cache_path(fingerprint(store.documents)) / "state.json"
    state = json.loads(cache.read_text())
    state["ids"] = state["ids"][::-1]
    cache.write_text(json.dumps(state))
    # 4. A source file deleted after ingest: noted, not an error.
    (articles / "gone.txt").unlink()
    total = store.nodes.count()

    code, found = doctor_json(index, "--check")
    assert code == 1
    assert found["healthy"] is False and found["repaired"] is False
    assert found["orphans"] == len(orphans) == 2
    assert found["broken"] == [
        {"source": harbour.source, "problem": "has 2 of its 3 nodes"},
    ]
    assert found["cache_problem"] == "its nodes differ from Chroma's"
    assert found["missing_sources"] == [str((articles / "gone.txt").resolve())]
    assert found["nodes"] == total

    result = run_cli("doctor", index=index)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "removed 2 orphan nodes (left by an interrupted ingest)" in out
    assert f"removed document {harbour.source}: has 2 of its 3 nodes" in out
    assert "BM25 cache rebuilt: its nodes differ from Chroma's" in out
    assert "note: source file missing: " + str((articles / "gone.txt").resolve()) in out
    assert f"re-ingest: assistant ingest {harbour.source}" in out
    assert out.splitlines()[-1] == "the index is repaired"

    code, after = doctor_json(index, "--check")
    assert code == 0 and after["healthy"] is True
    assert after["documents"] == 2 and after["nodes"] == total - 2 - 2
    assert after["missing_sources"] == found["missing_sources"]

    # Following the advice brings the document back, and the index answers about it again.
    assert run_cli("ingest", harbour.source, index=index).returncode == 0
    answer = run_cli("ask", "--json", "Who closed the harbour of Tarsk?", index=index)
    assert "mayor" in json.loads(answer.stdout)["answer"]
    code, final = doctor_json(index, "--check")
    assert code == 0 and final["documents"] == 3 and final["nodes"] == total - 2 + 1


def test_doctor_refuses_while_a_writer_holds_the_lock(
    fresh: Assistant,
) -> None:
    with fresh.store.locked():
        result = run_cli("doctor", index=fresh.settings.index_dir)
    assert result.returncode == 2
    assert result.stderr.startswith("error: another process is writing to the index")
    assert len(result.stderr.strip().splitlines()) == 1
