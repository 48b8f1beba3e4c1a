"""The portal in a real browser on a phone-sized screen: Chinese, signing in with a key, my score.

``creditcity serve`` runs as a subprocess on a small scored city; Debian's
Chromium drives it through Playwright at 390x844 (a common phone). Without
Chromium the test is skipped, except in CI (``CI=true``), where it fails.
The screenshot is left in the test's tmp folder for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.support.city import SETTINGS, scored_city, simulated

from creditcity.services.demo_residents import demo_residents
from creditcity.services.key_file import demo_keys_toml

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``creditcity serve`` on a scored city with demo keys; yields its URL and a resident key."""
    folder = tmp_path_factory.mktemp("portal")
    url = f"sqlite:///{folder / 'city.db'}"
    engine = scored_city(url, simulated(folder / "city", residents=300, seed=5), folder / "m")
    keys = folder / "keys.toml"
    toml, issued = demo_keys_toml(demo_residents(engine))
    keys.write_text(toml, encoding="utf-8")
    resident_key = next(k for who, k in issued.items() if who.endswith("(resident)"))
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "CREDITCITY_HOME": str(folder / "home"),
        "CREDITCITY_PSEUDONYM_SECRET": SETTINGS.pseudonym_secret,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "creditcity",
            "serve",
            "--database-url",
            url,
            "--keys",
            str(keys),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base, resident_key
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode() if server.stdout else ""
            pytest.fail(f"creditcity serve exited: {output}")
        try:
            if httpx.get(f"{base}/v1/public/policy", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("creditcity serve did not answer within 120 s")


def _chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def test_a_resident_signs_in_on_a_phone_in_chinese_and_sees_their_score_and_dimensions(
    portal: tuple[str, str], tmp_path: Path
) -> None:
    base, key = portal
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        page = browser.new_page(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        page.goto(f"{base}/?lang=en")
        assert page.locator("html").get_attribute("lang") == "en"
        page.get_by_role("link", name="中文").click()
        page.wait_for_url("**lang=zh")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        page.get_by_role("link", name="登录").click()
        page.locator("#key").fill(key)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/me?lang=zh")

        score = page.locator(".score")
        assert score.is_visible() and 350 <= int(score.inner_text()) <= 950
        chart = page.locator("#dimensions svg.chart")
        assert chart.is_visible()
        assert chart.locator("rect.bar").count() == 5
        assert page.get_by_role("heading", name="五个维度").is_visible()
        assert chart.get_by_text("还款与履约").is_visible()
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(tmp_path / "portal-phone-zh.png"), full_page=True)
        browser.close()
    assert (tmp_path / "portal-phone-zh.png").stat().st_size > 10_000
