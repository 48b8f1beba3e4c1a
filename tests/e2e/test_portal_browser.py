"""The portal in Debian's Chromium: what a resident and the credit office do, end to end.

``creditcity serve`` runs as a subprocess on a small scored city whose score
history spans three days; Playwright drives Chromium (``--no-sandbox``) on a
phone in Chinese and a desktop in English. Every page visited is checked by
axe-core (no serious or critical violation) and every Chinese page for Latin
words; no request may leave 127.0.0.1. Without Chromium the tests skip,
except in CI (``CI=true``), where they fail. Screenshots are written to the
test's tmp folder, and also to ``$CREDITCITY_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.browser import OutsideRequests, axe_script, serious_violations
from tests.support.city import AS_OF, SETTINGS, scored_city, simulated
from tests.support.latin import latin_words

from creditcity.domain.catalogue import CONSENT_KINDS
from creditcity.ledger.subject_file import entries_of
from creditcity.services.key_file import demo_keys_toml
from creditcity.services.scoring import rescore
from creditcity.services.what_if import settleable, what_if

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Portal:
    base: str
    resident_key: str
    operator_key: str
    #: the what-if answer the server must give for the resident's open records
    expected_then: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _resident(engine: Any) -> tuple[str, int]:
    """A person with open records to settle and a voluntary source, and their what-if score."""
    from sqlalchemy import text

    with engine.connect() as conn:
        people = [r[0] for r in conn.execute(text("select subject from subjects order by 1"))]
    for subject in people:
        open_records = settleable(engine, subject)
        if not open_records:
            continue
        forecast = what_if(engine, subject, [r.entry_id for r in open_records], as_of=AS_OF)
        with engine.connect() as conn:
            voluntary = any(e["kind"] in CONSENT_KINDS for e in entries_of(conn, subject))
        if voluntary:
            return subject, forecast.score_then
    raise AssertionError("nobody in the city has both a record to settle and a voluntary source")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    folder = tmp_path_factory.mktemp("portal")
    url = f"sqlite:///{folder / 'city.db'}"
    engine = scored_city(url, simulated(folder / "city", residents=300, seed=5), folder / "m")
    for days in (60, 30, 0):  # a score history of three days, the newest last
        rescore(engine, as_of=AS_OF - timedelta(days=days))
    subject, expected = _resident(engine)
    text, keys = demo_keys_toml([subject])
    engine.dispose()
    (folder / "keys.toml").write_text(text, encoding="utf-8")
    port = _free_port()
    env = {
        **os.environ,
        "CREDITCITY_HOME": str(folder / "home"),
        "CREDITCITY_PSEUDONYM_SECRET": SETTINGS.pseudonym_secret,
    }
    principal = next(p for p in keys if p.startswith("resident:")).split(" ")[0]
    resident = _created_key(url, env, principal)  # as the credit office would issue it
    command = [sys.executable, "-m", "creditcity", "serve", "--database-url", url]
    command += ["--keys", str(folder / "keys.toml"), "--port", str(port)]
    log = folder / "server.log"  # never a pipe nobody reads: it would fill and block the server
    with log.open("wb") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, log)
        operator = next(k for p, k in keys.items() if p.startswith("operator:"))
        yield Portal(base, resident, operator, expected)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _created_key(url: str, env: dict[str, str], principal: str) -> str:
    """A resident key made with ``creditcity keys create`` against the running server's data."""
    command = [sys.executable, "-m", "creditcity", "keys", "create", "--role", "resident"]
    command += ["--principal", principal, "--label", "Resident", "--json", "--database-url", url]
    made = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return str(json.loads(made.stdout)["key"])


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = log.read_text(errors="replace")[-4000:]
            pytest.fail(f"creditcity serve exited: {output}")
        try:
            if httpx.get(f"{base}/v1/public/policy", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("creditcity serve did not answer within 30 s")


def _chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


class Visit:
    """Checks every page it is shown: axe clean, and Latin-free when in Chinese."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []
        extra = os.environ.get("CREDITCITY_SCREENSHOTS")
        self.keep = Path(extra) if extra else None

    def check(self, page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        for violation in serious_violations(page):
            self.problems.append(f"{name}: {violation}")
        if page.locator("html").get_attribute("lang") == "zh-CN":
            latin = latin_words(page.content())
            if latin:
                self.problems.append(f"{name}: Latin words {latin}")
        self.shoot(page, name)

    def shoot(self, page: Any, name: str) -> None:
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)
        if self.keep is not None:
            self.keep.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.keep / f"{name}.png"), full_page=False)


def _browser(driver: Any) -> Any:
    return driver.chromium.launch(
        executable_path=str(_chromium()), args=["--no-sandbox", "--headless", "--disable-gpu"]
    )


def _sign_in(page: Any, base: str, key: str, lang: str) -> None:
    page.goto(f"{base}/sign-in?lang={lang}")
    page.locator("#key").fill(key)
    page.locator("form[action^='/sign-in'] button").first.click()


def test_a_resident_and_the_office_use_the_portal_end_to_end(
    portal: Portal, tmp_path: Path
) -> None:
    axe_script()
    from playwright.sync_api import sync_playwright

    visit, outside = Visit(tmp_path), OutsideRequests()
    with sync_playwright() as driver:
        browser = _browser(driver)
        # the portal's CSP forbids inline scripts: only the injected axe-core needs the bypass
        phone = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, bypass_csp=True
        )
        phone.route("**/*", outside)
        page = phone.new_page()
        page.goto(f"{portal.base}/?lang=zh")
        visit.check(page, "phone-zh-home")
        _resident_journey(page, portal, visit)
        office = browser.new_context(viewport=DESKTOP, bypass_csp=True)
        office.route("**/*", outside)
        _office_resolves_the_dispute(office.new_page(), portal, visit)
        page.goto(f"{portal.base}/me/file?lang=zh#disputes")
        assert page.locator(".dispute-item[data-status=upheld]").count() == 1
        _full_report(page, portal, visit)
        office_phone = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, bypass_csp=True
        )
        office_phone.route("**/*", outside)
        _office_on_a_phone(office_phone.new_page(), portal, visit)
        browser.close()
    assert outside.refused == []
    assert visit.problems == []


def _resident_journey(page: Any, portal: Portal, visit: Visit) -> None:
    _sign_in(page, portal.base, portal.resident_key, "zh")
    page.wait_for_url("**/me?lang=zh")
    score = int(page.locator(".score").inner_text())
    assert 350 <= score <= 950
    assert page.locator("figure.gauge svg .marker").count() == 1
    assert page.locator("#history svg .dot").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    visit.check(page, "phone-zh-my-credit")
    for box in page.locator("#what-if input[type=checkbox]").all():
        box.check()
    page.locator("#what-if button").click()
    forecast = page.locator(".forecast")
    assert int(forecast.get_attribute("data-then") or 0) == portal.expected_then
    visit.check(page, "phone-zh-what-if")

    page.goto(f"{portal.base}/me/file?lang=zh")
    visit.check(page, "phone-zh-file")
    record = page.locator("article.record.counts").first
    record.locator("summary").click()
    record.locator("textarea").fill("这条记录不是我的")
    record.locator("form button").click()
    page.wait_for_url("**/me/file?**")
    assert page.locator("[role=status]").first.is_visible()
    assert page.locator(".dispute-item[data-status=pending]").count() == 1

    page.goto(f"{portal.base}/me/consents?lang=zh")
    switch = page.locator("button[role=switch]").first
    before = switch.get_attribute("aria-checked")
    switch.click()
    page.wait_for_url("**/me/consents?lang=zh")
    assert page.locator("button[role=switch]").first.get_attribute("aria-checked") != before
    visit.check(page, "phone-zh-consents")
    _certificate(page, portal, visit)


def _full_report(page: Any, portal: Portal, visit: Visit) -> None:
    """The printable report inside the site's header; printed, without the navigation."""
    page.goto(f"{portal.base}/me/report?lang=zh")
    assert page.locator("header.top nav").is_visible() and page.locator("main#main").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    visit.check(page, "phone-zh-report")
    page.emulate_media(media="print")
    assert not page.locator("header.top nav").is_visible()
    assert page.locator("main .report h1").is_visible()
    page.emulate_media(media="screen")


def _certificate(page: Any, portal: Portal, visit: Visit) -> None:
    page.goto(f"{portal.base}/me/certificate?lang=zh")
    page.locator("#days").fill("30")
    page.locator("form[action^='/me/certificate?'] button").click()
    page.wait_for_url(re.compile(r".*show=.*"))
    assert page.locator("figure.qr svg").is_visible()
    link = page.locator("#verify-link").get_attribute("href") or ""
    assert "/verify?lang=zh#" in link
    visit.check(page, "phone-zh-certificate")
    token = link.split("#", 1)[1]

    page.goto(link)
    page.wait_for_selector(".verdict")
    assert page.locator(".verdict").get_attribute("data-valid") == "yes"
    visit.check(page, "phone-zh-verify")
    middle = len(token) // 2  # a changed byte inside the signed claims
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    page.goto(f"{portal.base}/verify?lang=en#{tampered}")  # another URL: a real navigation
    page.wait_for_selector(".verdict")
    assert page.locator(".verdict").get_attribute("data-valid") == "no"

    page.goto(f"{portal.base}/me/certificate?lang=zh")
    page.locator(".cert-row form button").first.click()
    page.wait_for_url("**/me/certificate?lang=zh**")
    page.goto(link)
    page.wait_for_selector(".verdict")
    assert page.locator(".verdict").get_attribute("data-valid") == "no"


def _office_resolves_the_dispute(page: Any, portal: Portal, visit: Visit) -> None:
    _sign_in(page, portal.base, portal.operator_key, "en")
    page.wait_for_url("**/operator?lang=en")
    visit.check(page, "desktop-en-office")
    queue = page.locator("#disputes form.dispute").first
    queue.locator("input[name=note]").fill("The source could not show the record is right.")
    queue.locator("button[value=uphold]").click()
    page.wait_for_load_state("load")
    assert page.locator("[role=status]").first.is_visible()
    page.goto(f"{portal.base}/operator/model?lang=en")
    assert page.locator("text=Default rate by tier").count() == 1  # the active model's report
    assert page.locator("#roc svg, #calibration svg").count() == 2  # both charts drawn
    visit.check(page, "desktop-en-model")
    page.goto(f"{portal.base}/operator/model?lang=zh")
    page.locator("#roc details summary").click()  # the figures behind the chart, opened
    visit.check(page, "desktop-zh-model")
    page.goto(f"{portal.base}/operator/restrictions?lang=zh")
    assert page.locator("#restrictions").is_visible()
    visit.check(page, "desktop-zh-restrictions")


def _office_on_a_phone(page: Any, portal: Portal, visit: Visit) -> None:
    """The office's figures and restrictions fit a 390-pixel screen: wide tables scroll
    inside their own focusable regions, never the page."""
    _sign_in(page, portal.base, portal.operator_key, "zh")
    page.wait_for_url("**/operator?lang=zh")
    assert page.locator("#rates").is_visible() and page.locator("#months").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    visit.check(page, "phone-zh-office")
    page.goto(f"{portal.base}/operator/restrictions?lang=zh&appeal=none")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    visit.check(page, "phone-zh-restrictions")
