"""A minimal driver for headless Chromium over the DevTools protocol, for tests/test_browser.py.

Chromium talks the protocol on a pipe (``--remote-debugging-pipe``: commands on its fd 3, answers
and events on its fd 4, each a JSON message ended by a NUL byte), so this needs the standard
library only: no WebSocket client, no Python package, no browser download (Chromium is Debian's).
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import time
from pathlib import Path

# Chromium flags for a test browser that cannot reach the network: every host name but 127.0.0.1
# fails to resolve, and whatever is not loopback goes to a proxy where nothing listens.
OFFLINE = [
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]


class Browser:
    """One headless Chromium process; open pages with :class:`Page`."""

    def __init__(self, exe: str, profile: Path, extra: list[str] = ()):
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()

        def pipe_fds():  # in the child, before exec: the protocol's pipe on fds 3 and 4
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [
                exe,
                "--headless",
                "--remote-debugging-pipe",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--mute-audio",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                *extra,
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=pipe_fds,
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        return self._id

    def _read(self, timeout: float) -> dict:
        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium closed the pipe (exit code {self.proc.poll()})")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        want = self._send(method, params, session)
        end = time.monotonic() + timeout
        while True:
            msg = self._read(end - time.monotonic())
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method: str, session: str, timeout: float = 60) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(i)
        end = time.monotonic() + timeout
        while True:
            msg = self._read(max(0.1, end - time.monotonic()))
            if msg.get("method") == method and msg.get("sessionId") == session:
                return msg
            self.events.append(msg)

    def close(self) -> None:
        try:
            self._send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


class Page:
    """A tab with a fixed viewport (``width`` CSS px; below 600 px it emulates a phone)."""

    def __init__(self, browser: Browser, width: int, height: int):
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            browser.call(f"{domain}.enable", session=self.session)
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session=self.session,
        )

    def open(self, url: str, settle: str | None = None, timeout: float = 120) -> tuple[list[str], list[dict]]:
        """Load ``url``, then await the JavaScript promise ``settle``; return the URLs the page
        requested and the requests that failed."""
        b, s = self.browser, self.session
        b.events = [e for e in b.events if e.get("sessionId") != s]
        b.call("Page.navigate", {"url": url}, session=s)
        b.wait_event("Page.loadEventFired", s, timeout)
        if settle:
            self.eval(settle, timeout=timeout)
        mine = [e for e in b.events if e.get("sessionId") == s]
        requests = [e["params"]["request"]["url"] for e in mine if e.get("method") == "Network.requestWillBeSent"]
        failed = [e["params"] for e in mine if e.get("method") == "Network.loadingFailed"]
        return requests, failed

    def eval(self, js: str, timeout: float = 60):
        r = self.browser.call(
            "Runtime.evaluate",
            {"expression": js, "awaitPromise": True, "returnByValue": True},
            session=self.session,
            timeout=timeout,
        )
        if "exceptionDetails" in r:
            detail = r["exceptionDetails"]
            raise RuntimeError(f"{js[:80]}: {detail.get('text')} {detail.get('exception')}")
        return r["result"].get("value")

    def dom(self) -> str:
        return self.eval("document.documentElement.outerHTML")

    def screenshot(self, path: Path) -> None:
        data = self.browser.call("Page.captureScreenshot", {"format": "png"}, session=self.session)["data"]
        path.write_bytes(base64.b64decode(data))
