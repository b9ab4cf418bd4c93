"""Start the web chat: `python app.py [--port N] [--index DIR]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant import Assistant
from assistant.ui import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Web chat over the indexed news articles.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--index", metavar="DIR", help="index folder (default: ./index)")
    args = parser.parse_args()
    serve(Assistant.open(Path(args.index) if args.index else None), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
