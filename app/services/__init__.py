"""Thin QObjects between widgets and the core: they own the long-lived collaborators and turn
core results and events into Qt signals."""
