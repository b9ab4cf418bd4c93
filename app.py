"""Start the web chat: `python app.py [--port N] [--index DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant import Assistant, AssistantError
from assistant.interfaces.web import serve


def main() -> int:
    parser = argparse.ArgumentParser(description="Web chat over the indexed news articles.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--index", metavar="DIR", help="index folder (default: ./index)")
    args = parser.parse_args()
    try:
        serve(
            Assistant.open(Path(args.index) if args.index else None), host=args.host, port=args.port
        )
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
