"""The domain: profiles, tokens, the OAuth2 client. No Qt here (tests/unit/test_import_fence.py)."""
