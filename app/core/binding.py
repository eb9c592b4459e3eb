"""Token binding: a profile's token goes only to the API it is for.

The token is attached without asking only when the request's origin (scheme, host, port) is the
profile's API base URL origin or on the profile's allow list. Anything else — another host, or
plain http:// to a host that is not this computer — needs the person's consent first, because the
token would leak to whoever runs that server or watches that network.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.errors import ProfileError
from app.core.profiles import Profile, is_loopback_host


def canonical_host(host: str) -> str:
    """One spelling per host: IDNA (punycode) for Unicode names, the compressed form for IPv6,
    lower case, no trailing dot; so the same server never looks like two."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # not a valid IDNA name: compare it as typed


def origin(url: str) -> str:
    try:
        split = urlsplit(url.strip())
        port = split.port
    except ValueError as exc:
        raise ProfileError(
            f"“{url[:200]}” is not a usable address: its host or port cannot be read.",
            "A port is a number from 1 to 65535; check the URL.",
            details=str(exc),
        ) from None
    scheme = split.scheme.lower()
    host = canonical_host(split.hostname or "")
    port = port or {"http": 80, "https": 443}.get(scheme, 0)
    return f"{scheme}://{host}:{port}"


def host_port(url: str) -> str:
    """ "api.example.com:443": the host alone hides a difference that only the port makes."""
    return origin(url).split("://", 1)[1]


@dataclass(frozen=True)
class Binding:
    """Whether the token may go to a URL without asking, and if not, why (plain words)."""

    allowed: bool
    reason: str = ""


def check(url: str, profile: Profile, consented: frozenset[str] = frozenset()) -> Binding:
    target = origin(url)
    split = urlsplit(url.strip())
    host = split.hostname or ""
    if split.scheme == "http" and not is_loopback_host(host) and target not in consented:
        return Binding(
            False,
            f"This request goes to {host} over plain http://, so the token would travel "
            "unencrypted and anyone on the network could copy it.",
        )
    trusted = {origin(profile.api_base_url)} if profile.api_base_url else set()
    trusted |= {origin(o) for o in profile.allowed_origins}
    if target in trusted or target in consented:
        return Binding(True)
    if not trusted:
        return Binding(
            False,
            f"The profile “{profile.name}” has no API base URL, so Tokendesk cannot tell whether "
            f"{host} is the API this token is for. Sending it to the wrong server leaks it.",
        )
    return Binding(
        False,
        f"{host_port(url)} is not the API of the profile “{profile.name}” "
        f"({host_port(profile.api_base_url)}). "
        "Sending the token there would hand it to whoever runs that server.",
    )
