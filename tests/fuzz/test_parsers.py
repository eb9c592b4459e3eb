# ruff: noqa: PLR0917, PT017 - hypothesis passes each drawn value as an argument
"""Property-based fuzzing of every parser that reads what others wrote (issue 10): no example may
end in anything but a result or a TokendeskError.

`make test` runs 2,000 examples per parser; `make fuzz` runs 100,000 per parser
with the hypothesis profile "fuzz" and prints the counts.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import json
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import oauth
from app.core.api_response import parse_challenges
from app.core.curl import from_curl, is_placeholder, to_curl
from app.core.errors import ProfileError, ProfileStoreError, TokendeskError
from app.core.jwtinfo import decode_unverified
from app.core.profiles import Profile
from app.core.request_spec import AuthMode, Body, BodyKind, RequestSpec, Row, build
from app.core.tokens import B64TOKEN, Token
from app.storage.profile_store import ProfileStore, import_profiles

COUNTS: Counter[str] = Counter()
EXAMPLES = int(os.environ.get("TOKENDESK_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TOKEN_URL = "https://idp.example/token"

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.sampled_from([1e308, 3e11, -1, 0, "3600", "1e400", ""])
    | st.text(max_size=30)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
TOKEN_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "access_token": st.from_regex(B64TOKEN, fullmatch=True) | JSON,
        "token_type": st.sampled_from(["Bearer", "bearer", "DPoP", "N_A", "$(id)", ""]) | JSON,
        "expires_in": SCALARS,
        "scope": JSON,
        "error": JSON,
        "error_description": JSON,
    },
)


def _deep(depth: int) -> bytes:
    return b'{"access_token": ' + b"[" * depth + b"]" * depth + b"}"


BODIES = st.one_of(
    TOKEN_FIELDS.map(lambda d: json.dumps(d).encode()),
    JSON.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.integers(100, 3000).map(_deep),
    TOKEN_FIELDS.map(lambda d: json.dumps(d).encode()[: len(json.dumps(d)) // 2]),
)
ENCODINGS = st.sampled_from(["", "gzip", "deflate", "gzip, gzip", "br", "identity"])


def _encode(body: bytes, encoding: str, honest: bool) -> bytes:
    if not honest:
        return body
    for name in [e.strip() for e in encoding.split(",") if e.strip()]:
        if name == "gzip":
            body = gzip.compress(body)
        elif name == "deflate":
            import zlib

            body = zlib.compress(body)
    return body


def _reply(status: int, body: bytes, headers: dict[str, str]) -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda _r: httpx.Response(status, stream=httpx.ByteStream(body), headers=headers)
    )


@FUZZ
@given(
    status=st.sampled_from([200, 200, 200, 400, 401, 302, 429, 500, 503]),
    body=BODIES,
    encoding=ENCODINGS,
    honest=st.booleans(),
    content_type=st.sampled_from(["application/json", "text/html", "", "application/jwt"]),
    retry_after=st.sampled_from(["", "5", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "soon"]),
)
def test_token_reply_parser(
    status: int, body: bytes, encoding: str, honest: bool, content_type: str, retry_after: str
) -> None:
    COUNTS["token replies"] += 1
    headers = {"content-type": content_type}
    if encoding:
        headers["content-encoding"] = encoding
    if retry_after:
        headers["retry-after"] = retry_after

    async def go() -> Token:
        transport = _reply(status, _encode(body, encoding, honest), headers)
        async with httpx.AsyncClient(transport=transport) as client:
            return await oauth.request_token(
                client,
                Profile(name="p", client_id="c", token_url=TOKEN_URL),
                oauth.Credentials(client_secret="secret-value"),
                token_endpoint=TOKEN_URL,
                now=NOW,
            )

    try:
        token = asyncio.run(go())
    except TokendeskError as exc:
        assert "secret-value" not in str(exc) + exc.details
        return
    assert B64TOKEN.fullmatch(token.access_token)
    assert token.authorization_header.isprintable()


@FUZZ
@given(body=BODIES, issuer=st.sampled_from(["https://idp.example", "https://idp.example/r/x"]))
def test_discovery_metadata(body: bytes, issuer: str) -> None:
    COUNTS["discovery documents"] += 1

    async def go() -> oauth.ServerMetadata:
        transport = _reply(200, body, {"content-type": "application/json"})
        async with httpx.AsyncClient(transport=transport) as client:
            return await oauth.discover(client, issuer)

    try:
        found = asyncio.run(go())
    except TokendeskError:
        return
    assert isinstance(found.token_endpoint, str)


def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


JWT_PART = st.one_of(
    JSON.map(lambda v: _b64(json.dumps(v).encode())),
    st.fixed_dictionaries({"alg": st.just("RS256")}, optional={"exp": SCALARS, "scope": JSON}).map(
        lambda v: _b64(json.dumps(v).encode())
    ),
    st.integers(100, 3000).map(lambda d: _b64(b"[" * d + b"]" * d)),
    st.text(max_size=40),
)


@FUZZ
@given(header=JWT_PART, claims=JWT_PART, sig=st.text(max_size=10), raw=st.text(max_size=80))
def test_jwt_decoding(header: str, claims: str, sig: str, raw: str) -> None:
    COUNTS["JWTs"] += 1
    for text in (f"{header}.{claims}.{sig}", raw):
        decoded = decode_unverified(text)
        if decoded is not None:
            for name in ("exp", "iat", "nbf"):
                decoded.time_claim(name)
            assert isinstance(decoded.scopes, tuple)


CHALLENGE = st.lists(
    st.sampled_from(
        ["Bearer", "Basic", "DPoP", " ", ",", "=", '"', 'error="invalid_token"', "realm=x", "\\"]
    )
    | st.text(max_size=12),
    max_size=12,
).map("".join)


@FUZZ
@given(value=CHALLENGE)
def test_www_authenticate_parsing(value: str) -> None:
    COUNTS["WWW-Authenticate values"] += 1
    parsed = parse_challenges(value)
    assert all(isinstance(v, dict) for v in parsed.values())


SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
HEADER_NAME = st.from_regex(r"X-[A-Za-z][A-Za-z0-9-]{0,8}", fullmatch=True)
HEADER_VALUE = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=16
)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path=st.text(st.characters(min_codepoint=0x61, max_codepoint=0x7A), max_size=10),
    headers=st.lists(
        st.tuples(HEADER_NAME, HEADER_VALUE), max_size=3, unique_by=lambda h: h[0].lower()
    ),
    body=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=30
    ),
    token=st.from_regex(B64TOKEN, fullmatch=True).filter(
        lambda t: len(t) < 100 and not is_placeholder(t)
    ),
    junk=st.text(max_size=60),
)
def test_curl_round_trip_and_import(
    method: str, path: str, headers: list[tuple[str, str]], body: str, token: str, junk: str
) -> None:
    COUNTS["curl commands"] += 1
    spec = RequestSpec(
        method=method,
        url=f"https://api.example/{path}",
        headers=tuple(Row(n, v) for n, v in headers),
        body=Body(BodyKind.RAW, text=body, content_type="text/plain") if body else Body(),
        auth=AuthMode.PASTED,
        pasted_token=token,
    )
    request = build(spec)
    command = to_curl(request, authorization=f"Bearer {token}")
    back = from_curl(command)
    assert (back.method, back.pasted_token) == (method, token)
    again = build(back)
    assert (again.method, str(again.url), again.content) == (
        request.method,
        str(request.url),
        request.content,
    )
    sent = {k.lower(): v for k, v in request.headers.items()}
    assert all(sent[k.lower()] == v for k, v in again.headers.items() if k.lower() in sent)
    for text in (f"curl {junk}", junk, f"curl https://a.example -H {junk!r} -d {junk}"):
        with contextlib.suppress(ProfileError):
            from_curl(text)


PROFILE_ENTRY = st.fixed_dictionaries(
    {"name": st.text(max_size=10) | JSON, "client_id": st.text(max_size=10) | JSON},
    optional={
        key: JSON | st.just("https://a:99999/")
        for key in (
            "token_url",
            "issuer_url",
            "auth_method",
            "scopes",
            "resources",
            "extra_params",
            "api_base_url",
            "verify_tls",
            "ca_bundle",
            "allowed_origins",
            "variables",
            "id",
        )
    },
)
PROFILE_FILES = st.one_of(
    st.lists(PROFILE_ENTRY, max_size=3).map(
        lambda p: json.dumps({"format": "tokendesk.profiles", "version": 1, "profiles": p}).encode()
    ),
    JSON.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=100),
)


@FUZZ
@given(content=PROFILE_FILES)
def test_profile_file_validation(tmp_path_factory: Any, content: bytes) -> None:
    COUNTS["profile files"] += 1
    folder: Path = tmp_path_factory.mktemp("profiles")
    (folder / "profiles.json").write_bytes(content)
    store = ProfileStore(folder)
    try:
        profiles = store.load()
    except ProfileStoreError:
        assert (folder / "profiles.json").read_bytes() == content  # untouched
        return
    for profile in profiles:  # what loads is usable: it survives a save and a reload
        assert Profile.from_dict(profile.to_dict()) == profile
    store.save(Profile(name="\x00fresh", client_id="c", token_url=TOKEN_URL))
    assert len(ProfileStore(folder).load()) == len(profiles) + 1


@FUZZ
@given(entries=st.lists(PROFILE_ENTRY, max_size=3), junk=st.text(max_size=40))
def test_profile_import_validation(entries: list[dict[str, Any]], junk: str) -> None:
    COUNTS["profile imports"] += 1
    text = json.dumps({"format": "tokendesk.profiles.export", "version": 1, "profiles": entries})
    for candidate in (text, junk):
        try:
            imported = import_profiles(candidate, [])
        except ProfileError:
            continue
        for profile in imported:
            assert Profile.from_dict(profile.to_dict()) == profile
