"""Entry point for ``python -m migrator``."""

from __future__ import annotations

from migrator.cli import main

if __name__ == "__main__":
    main()
