"""Which settings a cached token was obtained with.

Its own small module (json and hashlib only) so the CLI's cached-token path can tell whether a
keychain entry still fits the profile without loading the OAuth engine.
"""

from __future__ import annotations

import hashlib
import json

from app.core.profiles import Profile


def fingerprint(profile: Profile) -> str:
    """Identifies the settings a token was obtained with; a cached token obtained with other
    settings (another client, other scopes) is not reused."""
    relevant = [
        profile.token_url,
        profile.issuer_url,
        profile.client_id,
        str(profile.auth_method),
        list(profile.scopes),
        profile.audience,
        list(profile.resources),
        [list(p) for p in profile.extra_params],
        [profile.presents_certificate and profile.client_cert, profile.dpop and profile.dpop_alg],
    ]
    return hashlib.sha256(json.dumps(relevant).encode()).hexdigest()[:16]
