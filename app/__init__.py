"""Tokendesk: a desktop workbench for OAuth2 machine-to-machine clients."""

__version__ = "0.1.0"
