"""Prompts are text files in `prompts/`, loaded by name, with `$name` placeholders.

They ship with the package: `assistant/prompt_files` is a link to the project's `prompts/`
folder, which a built wheel holds as package data (setuptools copies what the link points to),
so an installed assistant reads the same files as a checkout."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from ..errors import AssistantError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompt_files"


class Prompt:
    """One prompt template; `format` fails with the name of any variable left unfilled."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.template = string.Template(text)

    @property
    def variables(self) -> set[str]:
        names = set()
        for match in self.template.pattern.finditer(self.template.template):
            name = match.group("named") or match.group("braced")
            if name:
                names.add(name)
        return names

    def format(self, **values: str) -> str:
        missing = sorted(self.variables - values.keys())
        if missing:
            raise AssistantError(
                f"prompt '{self.name}' needs the variable(s) {', '.join(missing)}; "
                f"pass them or edit {(PROMPTS_DIR / (self.name + '.txt')).resolve()}."
            )
        # safe_substitute: a `$` inside a value (a price in an article) is left as it is.
        return self.template.safe_substitute(values).strip()


@lru_cache(maxsize=32)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load(name: str, directory: Path | None = None) -> Prompt:
    """The prompt `prompts/<name>.txt`."""
    path = (directory or PROMPTS_DIR) / f"{name}.txt"
    if not path.is_file():
        raise AssistantError(f"prompt file {path} is missing; restore it from the repository.")
    return Prompt(name, _read(path))
