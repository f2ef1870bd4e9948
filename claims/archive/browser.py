"""The page as a browser renders it: full-page PNG, PDF print and extracted text. No Django.

Headless Chromium (Debian's package, driven by Playwright) never touches the network itself:
every request it makes is intercepted (``context.route("**/*")``) and either answered with a body
fetched by ``claims.archive.fetch`` under the same SSRF rules (resolve once, refuse non-public
addresses, size and time caps), or aborted and recorded in ``blocked``. As a second line, the
browser's own resolver maps every name to "not found" (``--host-resolver-rules``), so a request
that escaped interception (a WebSocket, say) cannot reach anything. Each capture gets a fresh
context (no cookies or storage carried over), service workers blocked, downloads refused, and
``Set-Cookie`` removed from every answer. No transport but HTTP: WebRTC may send no UDP (its
STUN/TURN requests would go to any address a page names, resolver or not), QUIC is off, and
``RTCPeerConnection``, ``WebSocket``, ``WebTransport`` and ``EventSource`` are removed from every
frame before its scripts run (an ``EventSource`` is HTTP, but a stream the capture cannot finish);
a WebSocket that is opened all the same is closed by the route, never connected.

Call it outside any Django database work: Playwright's sync API runs an event loop in this
thread, where Django refuses queries.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field, replace

from claims.archive.fetch import Exchange, FetchFailed, Policy, WarcStream, fetch

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Captures add: nothing resolves inside the browser; every request it sends is answered by the route;
# and no transport but HTTP: WebRTC may use no UDP (nor TCP, as there is no proxy) - no STUN or TURN
# datagram leaves - and no QUIC (HTTP/3, WebTransport).
CAPTURE_ARGS = [
    *CHROMIUM_ARGS,
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-quic",
]
# And in every frame, before the page's scripts: the non-HTTP transports are not there at all.
NO_TRANSPORTS_SCRIPT = """(() => {
  for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel", "RTCIceTransport",
                      "RTCSctpTransport", "RTCDtlsTransport", "RTCRtpSender", "RTCRtpReceiver",
                      "RTCRtpTransceiver", "WebTransport", "WebSocket", "WebSocketStream", "EventSource"]) {
    try { Object.defineProperty(globalThis, name, {value: undefined, writable: false, configurable: false}); }
    catch (e) {}
  }
})();"""
HTML_TYPES = {"text/html", "application/xhtml+xml"}
MAX_SUBREQUESTS = 300
# Answers handed to the browser at once: each is held in memory several times over (base64, the
# message to the driver) until the browser takes it, so a page loading sixty large images at once
# would otherwise hold them all.
MAX_IN_FLIGHT = 2
_DROPPED_HEADERS = {"set-cookie", "set-cookie2", "content-length", "transfer-encoding", "content-encoding"}


@dataclass
class Rendering:
    png: bytes
    pdf: bytes
    text: str
    blocked: list[dict] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)


class RenderFailed(FetchFailed):
    pass


def render(
    document: Exchange, *, policy: Policy, deadline: float, warc: WarcStream | None = None
) -> Rendering:
    """Render the HTML ``document`` (already fetched) at its URL; raises ``RenderFailed``. What the
    page loads is written to ``warc`` as it arrives and not kept (else kept in ``exchanges``); past
    ``policy.max_capture_bytes`` (the document's body included) a request is refused and recorded
    in ``blocked``, so a capture of a heavy page is cut short and says so."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    blocked: list[dict] = []
    exchanges: list[Exchange] = []
    state = {"document_served": False, "requests": 0, "bytes": len(document.body), "in_flight": 0}
    pages = []

    def answer(route, request) -> None:
        url = request.url
        if not state["document_served"] and request.is_navigation_request():
            state["document_served"] = True
            route.fulfill(status=document.status, headers=_headers(document), body=document.body)
            return
        state["requests"] += 1
        if state["requests"] > MAX_SUBREQUESTS:
            blocked.append({"url": url, "reason": f"more than {MAX_SUBREQUESTS} requests from one page"})
            route.abort("blockedbyclient")
            return
        while state["in_flight"] >= MAX_IN_FLIGHT:  # the others wait (the event loop runs meanwhile)
            if time.monotonic() >= deadline:
                route.abort("timedout")
                return
            pages[0].wait_for_timeout(10)
        budget, left = policy.max_capture_bytes, policy.max_capture_bytes - state["bytes"]
        if budget and left <= 0:
            blocked.append({"url": url, "reason": _spent(budget)})
            route.abort("blockedbyclient")
            return
        state["in_flight"] += 1
        try:
            _fetch_and_fulfill(route, url, budget, left)
        finally:
            state["in_flight"] -= 1

    def _fetch_and_fulfill(route, url: str, budget: int, left: int) -> None:
        try:
            result = fetch(url, policy=replace(policy, max_bytes=min(policy.max_bytes, left)) if budget else policy,
                           deadline=deadline)  # fmt: skip
        except FetchFailed as exc:
            cut = budget and left < policy.max_bytes and "cap of" in str(exc)
            blocked.append({"url": url, "reason": _spent(budget) if cut else str(exc)})
            route.abort("blockedbyclient")
            return
        state["bytes"] += sum(len(exchange.body) for exchange in result.exchanges)
        if warc is None:
            exchanges.extend(result.exchanges)
        else:
            for exchange in result.exchanges:
                warc.add(exchange)
        route.fulfill(status=result.status, headers=_headers(result.final), body=result.body)

    def remaining_ms() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RenderFailed(
                f"The page did not finish rendering within {policy.deadline_seconds:g} seconds."
            )
        return left * 1000

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CAPTURE_ARGS, headless=True)
            try:
                context = browser.new_context(
                    service_workers="block",
                    accept_downloads=False,
                    viewport={"width": 1280, "height": 900},
                )
                context.route("**/*", answer)
                context.add_init_script(NO_TRANSPORTS_SCRIPT)
                # A WebSocket is answered by no server: closed at once, never connected.
                context.route_web_socket(re.compile(".*"), _refuse_web_socket)
                page = context.new_page()
                pages.append(page)
                try:
                    page.goto(document.url, wait_until="load", timeout=remaining_ms())
                except PlaywrightError as exc:
                    if "Timeout" in str(exc):
                        raise RenderFailed(
                            f"The page did not finish loading within {policy.deadline_seconds:g} seconds."
                        ) from None
                    raise
                text = page.evaluate("document.body ? document.body.innerText : ''")
                png = page.screenshot(full_page=True, timeout=remaining_ms())
                pdf = page.pdf(print_background=True)
                remaining_ms()
            finally:
                browser.close()
    except RenderFailed:
        raise
    except PlaywrightError as exc:
        message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise RenderFailed(f"The browser could not render the page: {message}") from None
    return Rendering(png=png, pdf=pdf, text=text, blocked=blocked, exchanges=exchanges)


def _spent(budget: int) -> str:
    return f"the capture's budget of {budget:,} bytes (ARCHIVE_CAPTURE_MAX_MB) is spent: not archived"


def _refuse_web_socket(ws) -> None:
    ws.close(code=1008, reason="an archive capture opens no WebSocket")


def _headers(exchange: Exchange) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in exchange.headers:
        if name.lower() not in _DROPPED_HEADERS:
            headers[name] = value
    return headers
