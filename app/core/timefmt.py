"""Times as people read them: "0:42", "in 4 min", "3 min ago", "Expires in 0:42"."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.errors import TokendeskError
from app.core.tokens import Token, TokenState


def countdown(remaining: timedelta) -> str:
    """`m:ss` under an hour, `h:mm:ss` under a day, then days and hours."""
    seconds = max(0, int(remaining.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def span(delta: timedelta) -> str:
    """A rough length, rounded to the nearest unit so it agrees with a countdown beside it:
    "40 s", "2 min" (for 1:58), "1 h" (for 3599.6 s), "1.5 h", "3 days"."""
    seconds = round(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = round(seconds / 3600, 1)
    if hours < 48:
        return f"{hours:.0f} h" if hours >= 10 or hours.is_integer() else f"{hours:.1f} h"
    return f"{round(seconds / 86400)} days"


def relative(when: datetime, now: datetime) -> str:
    delta = when - now
    if abs(delta.total_seconds()) < 1:
        return "now"
    return f"in {span(delta)}" if delta.total_seconds() > 0 else f"{span(delta)} ago"


def local_time(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def state_words(
    state: TokenState, token: Token | None, now: datetime, error: TokendeskError | None = None
) -> str:
    """The badge text: words first, so colour is never the only signal."""
    if state is TokenState.FAILED:
        # The badge names the failure; the error box below says the rest.
        return f"Failed: {error.message.split(': “')[0].rstrip('.')}" if error else "Failed"
    if state is TokenState.NONE or token is None:
        return "No token yet"
    remaining = token.remaining(now)
    if state is TokenState.EXPIRED:
        return f"Expired {span(-remaining)} ago" if remaining is not None else "Expired"
    if state is TokenState.EXPIRING and remaining is not None:
        return f"Expires in {countdown(remaining)}"
    return "Valid"


def expiry_words(token: Token | None, now: datetime) -> str:
    """The line under the badge: the live countdown and the local expiry time."""
    if token is None:
        return ""
    if token.expires_at is None:
        return "Expiry unknown (not a JWT and the server did not say)"
    remaining = token.remaining(now)
    assert remaining is not None
    if remaining.total_seconds() <= 0:
        return f"Expired at {local_time(token.expires_at)}"
    return f"{countdown(remaining)} left · expires {local_time(token.expires_at)}"
