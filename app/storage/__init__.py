"""Persistence: the OS keychain, the profile file. No Qt here (tests/unit/test_import_fence.py)."""
