"""Bringing collections and API descriptions in: File → Import…, an address, or files dropped on
the window; a summary before anything is written, the report after."""
