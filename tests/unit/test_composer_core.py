"""Request building, URL/query sync, variables, token binding, curl both ways."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import binding
from app.core.curl import from_curl, to_curl
from app.core.errors import ProfileError
from app.core.profiles import Profile
from app.core.request_spec import (
    AuthMode,
    Body,
    BodyKind,
    RequestSpec,
    Row,
    build,
    join_query,
    resolve_url,
    split_query,
    substitute,
    variables_in,
)

API = "https://api.example.com/v1"


def test_relative_and_absolute_urls() -> None:
    assert resolve_url("/orders", API) == "https://api.example.com/v1/orders"
    assert resolve_url("orders?x=1", API + "/") == "https://api.example.com/v1/orders?x=1"
    assert resolve_url("https://other.example/x", API) == "https://other.example/x"
    assert resolve_url("api.example.com/orders", "") == "https://api.example.com/orders"
    with pytest.raises(ProfileError, match="no API base URL"):
        resolve_url("/orders", "")
    with pytest.raises(ProfileError):
        resolve_url("ftp://files.example/x", API)


def test_query_rows_and_url_stay_in_step() -> None:
    base, rows = split_query("https://a.example/x?b=2&a=1&a=3&empty=")
    assert base == "https://a.example/x"
    assert rows == [Row("b", "2"), Row("a", "1"), Row("a", "3"), Row("empty", "")]
    rows[1] = Row("a", "1", enabled=False)
    assert join_query(base, rows) == "https://a.example/x?b=2&a=3&empty="
    assert join_query("/x", [Row("q", "{{term}} & more")]) == "/x?q={{term}}+%26+more"


@given(st.lists(st.tuples(st.text("abc_=&", min_size=1), st.text("xyz &=?#"))))
def test_query_round_trip(pairs: list[tuple[str, str]]) -> None:
    rows = [Row(k, v) for k, v in pairs]
    assert split_query(join_query("https://h.example/p", rows))[1] == rows


def test_variables() -> None:
    assert variables_in("{{a}}/{{ b }}/{{a}}") == ["a", "b"]
    assert substitute("/orders/{{ id }}", {"id": "7"}) == "/orders/7"
    with pytest.raises(ProfileError, match="has no value"):
        substitute("{{missing}}", {})


def test_build_bodies_and_headers() -> None:
    spec = RequestSpec(
        method="post",
        url="/orders/{{id}}",
        headers=(Row("X-Trace", "{{id}}"), Row("X-Off", "no", enabled=False)),
        body=Body(BodyKind.JSON, text='{"a": 1}'),
    )
    request = build(spec, api_base=API, variables={"id": "9"})
    assert request.method == "POST"
    assert str(request.url) == "https://api.example.com/v1/orders/9"
    assert request.headers["x-trace"] == "9"
    assert "x-off" not in request.headers
    assert request.headers["content-type"] == "application/json"
    form = build(
        RequestSpec(
            method="POST",
            url=API,
            body=Body(BodyKind.FORM, fields=(Row("a", "1 2"), Row("b", "&"))),
        )
    )
    assert form.content == b"a=1+2&b=%26"
    with pytest.raises(ProfileError, match="not valid JSON"):
        build(RequestSpec(url=API, body=Body(BodyKind.JSON, text="{broken")))


def test_binding() -> None:
    profile = Profile(
        name="P",
        client_id="c",
        token_url="https://idp/t",
        api_base_url=API,
        allowed_origins=("https://eu.example.com",),
    )
    assert binding.check("https://api.example.com/v1/x", profile).allowed
    assert binding.check("https://api.example.com:443/other", profile).allowed
    assert binding.check("https://eu.example.com/x", profile).allowed
    refused = binding.check("https://evil.example/x", profile)
    assert not refused.allowed
    assert "evil.example:443 is not the API" in refused.reason
    assert "(api.example.com:443)" in refused.reason
    # Only the port differs: the message must still show the difference.
    port = binding.check("https://api.example.com:8443/x", profile)
    assert "api.example.com:8443 is not the API" in port.reason
    plain = binding.check("http://api.example.com/v1/x", profile)
    assert not plain.allowed
    assert "unencrypted" in plain.reason
    local = Profile(
        name="L", client_id="c", token_url="https://idp/t", api_base_url="http://127.0.0.1:8080"
    )
    assert binding.check("http://127.0.0.1:8080/x", local).allowed
    assert binding.check("https://x.example/y", local, frozenset({"https://x.example:443"})).allowed


DOCS_EXAMPLE = """
$ curl --request POST \\
     --url 'https://api.example.com/v1/orders?dry_run=true' \\
     --header 'Authorization: Bearer <YOUR_ACCESS_TOKEN>' \\
     --header 'accept: application/json' \\
     --header 'content-type: application/json' \\
     --data '{"item": "Widget", "qty": 3}'
"""


def test_curl_import_of_a_multi_line_docs_example() -> None:
    spec = from_curl(DOCS_EXAMPLE)
    assert spec.method == "POST"
    assert spec.url == "https://api.example.com/v1/orders?dry_run=true"
    assert spec.auth is AuthMode.PROFILE
    assert spec.body.kind is BodyKind.JSON
    assert json.loads(spec.body.text) == {"item": "Widget", "qty": 3}
    assert Row("accept", "application/json") in spec.headers
    assert not any(r.name.lower() == "authorization" for r in spec.headers)


@pytest.mark.parametrize(
    ("command", "method", "kind", "auth"),
    [
        ("curl https://a.example/x", "GET", BodyKind.NONE, AuthMode.NONE),
        ("curl -d 'a=1&b=2' https://a.example/x", "POST", BodyKind.FORM, AuthMode.NONE),
        (
            "curl -X PUT https://a.example -H 'Authorization: Bearer eyJa.b.c' --data-raw hi",
            "PUT",
            BodyKind.RAW,
            AuthMode.PASTED,
        ),
        ("curl -G https://a.example/s -d q=1", "GET", BodyKind.NONE, AuthMode.NONE),
        (
            'curl https://a.example -H "Authorization: Bearer $TOKEN"',
            "GET",
            BodyKind.NONE,
            AuthMode.PROFILE,
        ),
        (
            "curl https://a.example/up --data-binary @report.csv",
            "POST",
            BodyKind.FILE,
            AuthMode.NONE,
        ),
        ("curl ^\n https://a.example -u me:pw", "GET", BodyKind.NONE, AuthMode.NONE),
    ],
)
def test_curl_import_variants(command: str, method: str, kind: BodyKind, auth: AuthMode) -> None:
    spec = from_curl(command)
    assert (spec.method, spec.body.kind, spec.auth) == (method, kind, auth)


@pytest.mark.parametrize("command", ["wget https://a", "curl -H 'x: y'", "curl 'unclosed"])
def test_curl_import_refuses_nonsense_in_plain_words(command: str) -> None:
    with pytest.raises(ProfileError):
        from_curl(command)


def test_copy_as_curl_uses_token_placeholder_and_round_trips() -> None:
    spec = RequestSpec(
        method="POST",
        url="/orders",
        headers=(Row("Accept", "application/json"),),
        body=Body(BodyKind.JSON, text='{"a": "it\'s"}'),
    )
    request = build(spec, api_base=API)
    text = to_curl(request, authorization="Bearer $TOKEN")
    assert '-H "Authorization: Bearer $TOKEN"' in text
    back = from_curl(text)
    assert back.method == "POST"
    assert back.url == "https://api.example.com/v1/orders"
    assert back.auth is AuthMode.PROFILE
    assert json.loads(back.body.text) == {"a": "it's"}
    real = to_curl(request, authorization="Bearer real-token")
    assert "'Authorization: Bearer real-token'" in real
