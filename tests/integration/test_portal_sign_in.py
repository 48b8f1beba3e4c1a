"""Signing in to the portal safely: no demo sign-in outside the demo, form tokens and the
origin on every sign-in form, sessions that sign-out and revocation end, Secure cookies over
HTTPS (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.support.api import KEYS, Api, keys_file, running_api, settings_for

from creditcity.asgi import create_app
from creditcity.services.keys import KeyCache, revoke_key


@pytest.fixture
def api(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path) as running:
        yield running


@pytest.fixture
def demo(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Api]:
    with running_api(db_url, engine, tmp_path, demo=True) as running:
        yield running


def token(client: TestClient, path: str = "/sign-in") -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(path).text)
    assert found, "the form carries no token"
    return found.group(1)


def sign_in(api: Api, role: str) -> str:
    answer = api.client.post(
        "/sign-in", data={"key": KEYS[role], "csrf": token(api.client)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return str(api.client.cookies["cc_session"])


def test_the_portal_offers_no_demo_sign_in_outside_the_demo(api: Api) -> None:
    page = api.client.get("/sign-in?lang=en").text
    assert "data-demo" not in page and "data-demo-banner" not in page
    attempt = api.client.post(
        "/sign-in/demo", data={"principal": "operator:office", "role": "operator"}
    )
    assert attempt.status_code in (404, 405)
    assert "cc_session" not in api.client.cookies


def test_the_demo_shows_its_banner_and_signs_in_a_demo_account_with_one_tap(demo: Api) -> None:
    page = demo.client.get("/sign-in?lang=en").text
    assert "data-demo-banner" in page and "Demo mode" in page
    key_ids = re.findall(r'name="key_id" value="(k_[0-9a-f]+)"', page)
    assert len(key_ids) == 2  # the resident and the office marked demo = true
    csrf = token(demo.client)
    refused = demo.client.post("/sign-in/demo", data={"key_id": key_ids[0]})
    assert refused.status_code == 403 and "cc_session" not in demo.client.cookies
    signed = demo.client.post(
        "/sign-in/demo", data={"key_id": key_ids[0], "csrf": csrf}, follow_redirects=False
    )
    assert signed.status_code == 303 and "cc_session" in demo.client.cookies


def test_a_demo_tap_cannot_name_an_account_not_marked_demo(demo: Api) -> None:
    other = KeyCache(demo.engine).lookup(KEYS["other_resident"])
    assert other is not None
    answer = demo.client.post(
        "/sign-in/demo", data={"key_id": other.key_id, "csrf": token(demo.client)}
    )
    assert answer.status_code == 403 and "cc_session" not in demo.client.cookies


def test_a_sign_in_without_the_form_token_is_refused(api: Api) -> None:
    api.client.get("/sign-in")
    answer = api.client.post("/sign-in", data={"key": KEYS["operator"]})
    assert answer.status_code == 403 and "cc_session" not in api.client.cookies


def test_a_sign_in_from_another_origin_is_refused_even_with_a_token(api: Api) -> None:
    csrf = token(api.client)
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
        answer = api.client.post(
            "/sign-in", data={"key": KEYS["operator"], "csrf": csrf}, headers=header
        )
        assert answer.status_code == 403 and "cc_session" not in api.client.cookies
    same = api.client.post(
        "/sign-in",
        data={"key": KEYS["operator"], "csrf": csrf},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_signing_out_ends_the_session_so_the_old_cookie_is_worthless(api: Api) -> None:
    cookie = sign_in(api, "operator")
    assert api.client.get("/operator", follow_redirects=False).status_code == 200
    out = api.client.post(
        "/sign-out", data={"csrf": token(api.client, "/")}, follow_redirects=False
    )
    assert out.status_code == 303
    api.client.cookies.set("cc_session", cookie)  # replayed, as a thief would
    assert api.client.get("/operator", follow_redirects=False).status_code == 303


def test_a_sign_out_posted_from_elsewhere_does_not_sign_anyone_out(api: Api) -> None:
    sign_in(api, "operator")
    assert api.client.post("/sign-out", data={}).status_code == 403
    assert api.client.get("/operator", follow_redirects=False).status_code == 200


def test_revoking_the_key_ends_its_portal_session(api: Api) -> None:
    sign_in(api, "operator")
    assert api.client.get("/operator", follow_redirects=False).status_code == 200
    found = KeyCache(api.engine).lookup(KEYS["operator"])
    assert found is not None
    revoke_key(api.engine, found.key_id)
    assert api.client.get("/operator", follow_redirects=False).status_code == 303


def _set_cookies(answer: object) -> list[str]:
    return answer.headers.get_list("set-cookie")  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize(
    ("base_url", "mode", "secure"),
    [
        ("https://testserver", "auto", True),
        ("http://testserver", "auto", False),
        ("http://testserver", "always", True),
        ("https://testserver", "never", False),
    ],
)
def test_portal_cookies_are_secure_when_served_over_https(
    db_url: str, engine: Engine, tmp_path: Path, base_url: str, mode: str, secure: bool
) -> None:
    settings = settings_for(tmp_path / "home").model_copy(update={"cookie_secure": mode})
    app = create_app(db_url, settings=settings, keys=keys_file(tmp_path))
    with TestClient(app, base_url=base_url) as client:
        form = client.get("/sign-in")
        cookies = _set_cookies(form)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text)
        assert csrf
        if base_url.startswith("https") or not secure:  # a browser keeps Secure for HTTPS
            answer = client.post(
                "/sign-in",
                data={"key": KEYS["resident"], "csrf": csrf.group(1)},
                follow_redirects=False,
            )
            assert answer.status_code == 303
            cookies += _set_cookies(answer)
    for line in cookies:
        assert ("secure" in line.lower()) is secure, line
        assert "httponly" in line.lower()
    assert {c.split("=")[0] for c in cookies} >= {"cc_form"}
