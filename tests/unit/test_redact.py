from __future__ import annotations

from app.core.errors import Exchange, OAuthServerError
from app.core.redact import REDACTED, redact_form, redact_headers, redact_text


def test_headers() -> None:
    redacted = dict(
        redact_headers(
            [("Authorization", "Basic abc"), ("X-Api-Key", "k"), ("Accept", "application/json")]
        )
    )
    assert redacted == {
        "Authorization": f"Basic {REDACTED}",
        "X-Api-Key": REDACTED,
        "Accept": "application/json",
    }


def test_form_fields() -> None:
    body = redact_form("grant_type=client_credentials&client_secret=s%26x&client_assertion=eyJ")
    assert "s%26x" not in body
    assert "eyJ" not in body
    assert "grant_type=client_credentials" in body


def test_text_json_known_secrets_jwts_and_bearer() -> None:
    text = redact_text(
        '{"access_token": "abc", "nested": {"refresh_token": "r"}, "note": "Bearer xyz123 and '
        'eyJhbGciOi.eyJzdWIiOi.c2ln and my-secret-value"}',
        secrets=["my-secret-value"],
    )
    for secret in ("abc", '"r"', "xyz123", "eyJhbGciOi", "my-secret-value"):
        assert secret not in text


def test_error_details_include_the_exchange() -> None:
    exchange = Exchange(
        "POST",
        "https://idp/token",
        (("Accept", "json"),),
        "a=b",
        400,
        "Bad",
        (("Content-Type", "application/json"),),
        '{"error": "x"}',
    )
    error = OAuthServerError("Bad.", "Fix it.", exchange=exchange, details="extra")
    assert error.details.startswith("extra\n\nPOST https://idp/token")
    assert "HTTP 400 Bad" in error.details
    assert str(error) == "Bad. Fix it."
