from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.errors import OAuthServerError
from app.core.timefmt import countdown, expiry_words, relative, span, state_words
from app.core.tokens import TokenState, token_from_response

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (42, "0:42"),
        (605, "10:05"),
        (3723, "1:02:03"),
        (90000, "1 d 1 h"),
        (-5, "0:00"),
    ],
)
def test_countdown(seconds: int, text: str) -> None:
    assert countdown(timedelta(seconds=seconds)) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (40, "40 s"),
        (240, "4 min"),
        (7200, "2 h"),
        (5400, "1.5 h"),
        (86400 * 3, "3 days"),
        (118, "2 min"),  # beside a "1:58 left" countdown, not "1 min"
        (3599.6, "1 h"),  # a 3600 s token a moment after it came: not "59 min"
        (59.7, "1 min"),
    ],
)
def test_span(seconds: float, text: str) -> None:
    assert span(timedelta(seconds=seconds)) == text


def test_relative() -> None:
    assert relative(NOW + timedelta(minutes=4), NOW) == "in 4 min"
    assert relative(NOW - timedelta(minutes=3), NOW) == "3 min ago"
    assert relative(NOW, NOW) == "now"


def test_state_words() -> None:
    token = token_from_response(
        {"access_token": "t", "token_type": "Bearer", "expires_in": 600}, NOW
    )
    assert state_words(TokenState.VALID, token, NOW) == "Valid"
    later = NOW + timedelta(seconds=558)
    assert state_words(TokenState.EXPIRING, token, later) == "Expires in 0:42"
    expired = NOW + timedelta(seconds=780)
    assert state_words(TokenState.EXPIRED, token, expired) == "Expired 3 min ago"
    assert state_words(TokenState.NONE, None, NOW) == "No token yet"
    error = OAuthServerError("The server said no.", "Fix it.")
    assert state_words(TokenState.FAILED, None, NOW, error) == "Failed: The server said no"
    quoted = OAuthServerError("The server refused: “bad thing”.", "")
    assert state_words(TokenState.FAILED, None, NOW, quoted) == "Failed: The server refused"


def test_expiry_words() -> None:
    token = token_from_response(
        {"access_token": "t", "token_type": "Bearer", "expires_in": 600}, NOW
    )
    assert expiry_words(token, NOW).startswith("10:00 left · expires ")
    assert expiry_words(token, NOW + timedelta(hours=1)).startswith("Expired at ")
    unknown = token_from_response({"access_token": "t", "token_type": "Bearer"}, NOW)
    assert "unknown" in expiry_words(unknown, NOW)
