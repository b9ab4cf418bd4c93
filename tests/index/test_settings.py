"""Settings come from the environment and `.env`, and every one is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Settings

from ..conftest import ROOT


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"ASSISTANT_{name.upper()}" in readme, name


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ASSISTANT_TOP_K=5\nASSISTANT_MODEL=from-dotenv\n")
    monkeypatch.setenv("ASSISTANT_MODEL", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = Settings()
    assert settings.top_k == 5
    assert settings.model == "from-env"
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"


def test_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TOP_K", "many")
    with pytest.raises(ValueError, match="top_k"):
        Settings()


def test_assistant_without_arguments_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A script's `Assistant()` is the Assistant the environment configures, as the CLI's is.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "my-index"))
    monkeypatch.setenv("ASSISTANT_LLM", "extractive")
    assistant = Assistant()
    assert assistant.settings.index_dir == tmp_path / "my-index"
    assert assistant.ingest([ROOT / "data" / "articles"]).ok
    assert (tmp_path / "my-index").is_dir()
    assert "James Hackett" in assistant.ask("Who warned about Russia's reaction?").text
