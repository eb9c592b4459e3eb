"""PyInstaller's entry point: the same `tokendesk` command (window, CLI, format worker)."""

import sys

from app.cli import main

sys.exit(main())
