"""Sign-in in a real browser: a page on another origin cannot sign a person in (login CSRF).

``creditcity serve`` runs on one port; a tiny second server on another port
plays the attacker, with a page that posts the portal's sign-in form with the
attacker's own key. Debian's Chromium, driven by Playwright, loads it after
visiting the portal (so it holds the portal's form cookie): the portal refuses
the post (wrong origin, no form token) and nobody is signed in. The same key
typed on the portal's own page signs in, so the refusal is the origin's doing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.support.served import environment, free_port, served

from creditcity.domain.subjects import pseudonymise

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET = "browser-sign-in-secret"
ATTACKER_KEY = "cc_attacker-owned-key-0123456789"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("sign-in-browser")
    keys = folder / "keys.toml"
    resident = pseudonymise("330106199001011234", SECRET)
    keys.write_text(
        f'[[keys]]\nprincipal = "resident:{resident}"\nrole = "resident"\n'
        f'key = "{ATTACKER_KEY}"\nlabel = "the attacker\'s own account"\n',
        encoding="utf-8",
    )
    url = f"sqlite:///{folder / 'city.db'}"
    args = ["serve", "--database-url", url, "--keys", str(keys)]
    with served(args, environment(folder / "home", SECRET)) as base:
        yield base


@pytest.fixture
def attacker(portal: str) -> Iterator[str]:
    """Another origin (same host, another port) whose page posts the portal's sign-in form."""
    page = f"""<!doctype html><html><body>
<form id="f" method="post" action="{portal}/sign-in">
  <input name="key" value="{ATTACKER_KEY}"><input name="csrf" value="0000">
</form>
<script>document.getElementById('f').submit();</script>
</body></html>""".encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def test_a_sign_in_posted_from_another_origin_is_refused_in_chromium(
    portal: str, attacker: str
) -> None:
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{portal}/sign-in?lang=en")  # the victim has the portal's form cookie
        with page.expect_response(f"{portal}/sign-in") as posted:
            page.goto(attacker)
        assert posted.value.status == 403
        page.wait_for_load_state()
        assert "did not come from this site" in page.content()
        assert not [c for c in context.cookies() if c["name"] == "cc_session"]
        page.goto(f"{portal}/me?lang=en")
        assert page.url.startswith(f"{portal}/sign-in")

        # the same key on the portal's own form does sign in
        page.locator("#key").fill(ATTACKER_KEY)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{portal}/me**")
        assert [c for c in context.cookies() if c["name"] == "cc_session"]
        browser.close()
