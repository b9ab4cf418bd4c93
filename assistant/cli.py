"""`python -m assistant.cli`: the command line lives in `assistant/interfaces/cli.py`."""

from .interfaces.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
