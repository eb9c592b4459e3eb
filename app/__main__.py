"""`python -m app`: the same as the `tokendesk` command."""

import sys

from app.cli import main

sys.exit(main())
