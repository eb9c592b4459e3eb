from __future__ import annotations

from pathlib import Path

from app.core.errors import Exchange, OAuthServerError
from app.core.redact import REDACTED, redact_form, redact_headers, redact_text, redact_url


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


def test_history_redacts_tokens_by_value_everywhere(tmp_path: Path) -> None:
    """Issue 10, item 6: tokens in a URL path, an ordinary-named query parameter, a form field
    and a pasted token in the URL reached history.spec and saved.spec."""
    from app.core.request_spec import AuthMode, Body, BodyKind, RequestSpec, Row
    from app.storage.history_store import HistoryStore

    token, pasted = "tok_ABCdef123+/=", "pasted-XYZ987"
    spec = RequestSpec(
        method="POST",
        url=f"https://api.example/v1/{token}/items?auth={token}&other={pasted}&page=2",
        headers=(Row("X-Note", f"sent {token}"),),
        body=Body(BodyKind.FORM, fields=(Row("t", token), Row("keep", "yes"))),
        auth=AuthMode.PASTED,
        pasted_token=pasted,
    )
    store = HistoryStore(tmp_path)
    store.record(
        profile_id="p",
        profile_name="P",
        spec=spec,
        url=spec.url.replace("+", "%2B").replace("/", "%2F", 0),
        status=200,
        elapsed_ms=1.0,
        size=1,
        secrets=(token,),
    )
    store.save_request("p", "saved", spec, (token,))
    store.close()
    raw = (tmp_path / "history.sqlite3").read_bytes()
    for secret in (token, pasted, "tok_ABCdef123%2B"):
        assert secret.encode() not in raw
    assert b"page=2" in raw
    assert b"keep" in raw


def test_json_body_and_json_escaped_secret_values() -> None:
    from app.core.redact import redact_values

    secret = 'se"cr\\et'
    assert "cr" not in redact_text('{"a": "se\\"cr\\\\et"}', [secret]).replace("«redacted»", "")
    assert redact_values("x=se%22cr%5Cet", [secret]) == "x=«redacted»"


def test_the_marker_stays_readable_in_a_query() -> None:
    shown = redact_url(
        "https://api.example/x?page=2&ref=s3cr3t-value&access_token=abc", ["s3cr3t-value"]
    )
    assert shown == "https://api.example/x?page=2&ref=«redacted»&access_token=«redacted»"
