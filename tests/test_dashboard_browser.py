"""The dashboard in a real browser: `presswork dashboard` served on 127.0.0.1, driven by headless Chromium.

Chromium is Debian's `chromium` package, driven over the DevTools protocol (a WebSocket; no chromedriver).
Screenshots of every page land in tests/artifacts/ (git-ignored). Without Chromium these tests skip, except in
CI (CI=true), where `.ci/run` installs it and its absence is a failure.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from websockets.sync.client import ClientConnection, connect

from .test_dashboard import SCRIPT_HEADLINE, build_script_warehouse, dashboard_server, seed_ids, seed_story

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    # Belt and braces for a machine with no network: the browser may resolve no name but the test server's.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--window-size=1400,2000",  # tall enough for a whole page in one screenshot
)
# Count `alert()` calls instead of showing them: markup from the data must never run.
TRAP_ALERTS = "window.__alerts = []; window.alert = (message) => window.__alerts.push(String(message));"


def find_chromium() -> str:
    """Chromium's path ($PRESSWORK_CHROMIUM, else `chromium` on PATH); skip without it, but fail in CI."""
    found = os.environ.get("PRESSWORK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = (
        "headless Chromium not found: the dashboard's browser tests need Debian's `chromium` package "
        "(apt-get install chromium) or PRESSWORK_CHROMIUM=/path/to/chrome; .ci/run installs it"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Browser:
    """One headless Chromium tab, driven over the Chrome DevTools Protocol."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.log = (profile.parent / "chromium.log").open("wb")
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,  # its own process group, so `close` stops its helper processes too
        )
        self.calls = 0
        self.requested: list[str] = []  # every URL the pages asked for (Network.requestWillBeSent)
        self.socket = self._connect(profile / "DevToolsActivePort")

    def _connect(self, port_file: Path) -> ClientConnection:
        # With port 0 Chromium picks a free port and writes it to DevToolsActivePort in its profile.
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Chromium did not start (exit {self.process.poll()}); see {self.log.name}")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            targets = json.load(response)
        tab = next(target for target in targets if target["type"] == "page")
        return connect(tab["webSocketDebuggerUrl"], max_size=None, open_timeout=30)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.calls += 1
        self.socket.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("method") == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])
            if message.get("id") == self.calls:  # anything else is an event
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def wait_until(self, condition: str, timeout: float = 60) -> None:
        """Poll a JavaScript condition until it holds (the page renders in steps, over a WebSocket)."""
        guarded = f"(() => {{ try {{ return !!({condition}); }} catch (error) {{ return false; }} }})()"
        deadline = time.monotonic() + timeout
        while not self.evaluate(guarded):
            if time.monotonic() > deadline:
                text = self.evaluate("document.body ? document.body.innerText.slice(0, 2000) : ''")
                pytest.fail(f"timed out waiting for {condition}; the page shows:\n{text}")
            time.sleep(0.25)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return path

    def close(self) -> None:
        self.socket.close()
        # The whole group: Chromium's helper processes can outlive the main one and keep writing to the profile,
        # which then could not be deleted (seen once: "Directory not empty: 'Default'").
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        with contextlib.suppress(ProcessLookupError):  # raised once no process of the group is left
            while time.monotonic() < deadline:
                os.killpg(self.process.pid, 0)
                time.sleep(0.1)
        self.log.close()


@pytest.fixture(scope="session")
def chromium() -> str:
    # Session scope, and the first dependency of `browser`, which every test names first: pytest sets up
    # session fixtures before module ones, so this is how a missing browser skips before the seed warehouse and
    # the Prefect harness are built for nothing.
    return find_chromium()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    with tempfile.TemporaryDirectory(prefix="presswork-chromium-") as folder:
        profile = Path(folder) / "profile"
        profile.mkdir()
        tab = Browser(chromium, profile)
        try:
            tab.call("Page.enable")
            tab.call("Network.enable")
            tab.call("Page.addScriptToEvaluateOnNewDocument", source=TRAP_ALERTS)
            yield tab
        finally:
            tab.close()


@pytest.fixture(scope="module")
def seed_dashboard(browser: Browser, seed_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dashboard_server(seed_warehouse, tmp_path_factory.mktemp("dashboard")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def script_dashboard(
    browser: Browser, prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The dashboard on a warehouse whose one article carries markup in its headline, body and boilerplate."""
    warehouse = build_script_warehouse(tmp_path_factory)
    with dashboard_server(warehouse, tmp_path_factory.mktemp("dashboard")) as (url, _):
        yield url


def rendered(browser: Browser, extra: str = "true") -> None:
    """Wait until Streamlit has finished the page (no run in progress), without an exception, and `extra` holds."""
    browser.wait_until(
        "document.querySelector('[data-testid=\"stMain\"] h1')"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        f" && ({extra})"
    )
    assert not browser.evaluate("document.querySelectorAll('[data-testid=\"stException\"]').length")
    time.sleep(0.5)  # let the charts finish drawing before the screenshot


def charts_drawn(count: int) -> str:
    """A condition: at least `count` Vega-Lite charts on the page have drawn (a canvas or an SVG)."""
    selector = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
    return f"document.querySelectorAll('{selector}').length >= {count}"


def test_overview(browser: Browser, seed_dashboard: str):
    browser.requested.clear()
    browser.open(seed_dashboard)
    # The runs table is a canvas grid: its presence is what the DOM can tell.
    rendered(browser, f"document.querySelector('[data-testid=\"stDataFrame\"] canvas') && {charts_drawn(2)}")
    text = browser.evaluate("document.body.innerText")
    assert "Articles per day" in text and "Last runs" in text and "No input was rejected." in text
    # Air-gapped: the page loads nothing (scripts, fonts, telemetry) from anywhere but the dashboard itself.
    local = (seed_dashboard, "data:", "blob:")
    assert browser.requested
    assert [url for url in browser.requested if not url.startswith(local)] == []
    assert browser.screenshot("dashboard-overview").stat().st_size > 10_000


def test_entities(browser: Browser, seed_dashboard: str, seed_warehouse: Path):
    entity = seed_ids(seed_warehouse)["entity"]
    browser.open(f"{seed_dashboard}entities?entity={entity}")
    rendered(browser, f"document.querySelector('.pw-entity-name') && {charts_drawn(3)}")
    assert browser.evaluate("document.querySelector('.pw-entity-name').innerText").startswith("Vladimir Putin")
    assert "Mongolia" in browser.evaluate("Array.from(document.querySelectorAll('.pw-links a')).map(a => a.innerText)")
    assert browser.evaluate("document.querySelector('.pw-aliases').innerText").startswith("Aliases")
    browser.screenshot("dashboard-entities")


def test_article(browser: Browser, seed_dashboard: str, seed_warehouse: Path):
    article = seed_ids(seed_warehouse)["article"]
    browser.open(f"{seed_dashboard}article?article={article}")
    rendered(browser, "document.querySelector('.pw-audit') && document.querySelector('.pw-body mark')")
    assert browser.evaluate("document.querySelector('.pw-title').innerText").startswith("Putin meets Mongolian")
    assert browser.evaluate("document.querySelectorAll('.pw-body mark').length") > 10
    audit = browser.evaluate(
        "Array.from(document.querySelectorAll('.pw-audit tbody tr')).map(row => row.cells[0].innerText)"
    )
    assert any(cell.startswith("photo_caption") for cell in audit)  # the reason, the rule on the next line
    browser.screenshot("dashboard-article")


def test_stories(browser: Browser, seed_dashboard: str, seed_warehouse: Path):
    story = seed_story(seed_warehouse)
    if story is None:  # a warehouse from before the pipeline assigned stories: the page says so
        browser.open(f"{seed_dashboard}stories")
        rendered(browser, "document.body.innerText.includes('No story in the selected days.')")
        browser.screenshot("dashboard-stories")
        return
    browser.open(f"{seed_dashboard}stories?story={story}")
    rendered(browser, f"document.querySelector('.pw-story-headline') && {charts_drawn(1)}")
    assert browser.evaluate("document.querySelectorAll('.pw-stories tbody tr').length") >= 1
    assert browser.evaluate("document.querySelectorAll('.pw-story-articles tbody tr').length") == 5
    assert "Mongolia" in browser.evaluate(
        "Array.from(document.querySelectorAll('.pw-story-entities a')).map(a => a.innerText)"
    )
    browser.screenshot("dashboard-stories")


def test_search(browser: Browser, seed_dashboard: str):
    browser.open(f"{seed_dashboard}search?q={quote('putin warrant')}")
    rendered(browser, "document.querySelectorAll('.pw-results li').length === 5")
    assert browser.evaluate("document.querySelectorAll('.pw-results mark').length") >= 10
    browser.screenshot("dashboard-search")


def test_markup_in_the_data_shows_as_text(browser: Browser, script_dashboard: str):
    browser.open(f"{script_dashboard}article")
    rendered(browser, "document.querySelector('.pw-audit')")
    assert browser.evaluate("document.querySelector('.pw-title').innerText") == SCRIPT_HEADLINE
    assert "<img src=x onerror=alert(2)>" in browser.evaluate("document.querySelector('.pw-body').innerText")
    assert "<b onmouseover=alert(3)>" in browser.evaluate("document.querySelector('.pw-audit').innerText")
    assert browser.evaluate("document.querySelectorAll('.pw-title *, .pw-body img, .pw-audit b').length") == 0
    assert browser.evaluate("window.__alerts") == []
    browser.screenshot("dashboard-markup-as-text")

    browser.open(f"{script_dashboard}search?q=bridge")
    rendered(browser, "document.querySelector('.pw-results li')")
    assert SCRIPT_HEADLINE in browser.evaluate("document.querySelector('.pw-results a').innerText")
    assert browser.evaluate("window.__alerts") == []
