"""The capture browser speaks HTTP through the archive's fetcher only: a captured page's WebRTC
(STUN/TURN over UDP), WebSocket or WebTransport reaches nothing. Checked with canaries: a local
UDP socket and a local TCP socket that must receive nothing while a captured page reaches for them."""

from __future__ import annotations

import socket
import time

import pytest

from claims.archive.browser import render
from claims.archive.fetch import fetch

PAGE = """<!doctype html><html><head><title>Canary</title></head><body><p>Canary page</p><script>
const stun = "stun:127.0.0.1:{udp}", turn = "turn:127.0.0.1:{udp}?transport=udp";
function call(Peer) {{
  try {{
    const pc = new Peer({{iceServers: [{{urls: stun}}, {{urls: turn, username: "u", credential: "p"}}]}});
    pc.createDataChannel("x");
    pc.createOffer().then(o => pc.setLocalDescription(o)).catch(() => {{}});
  }} catch (e) {{}}
}}
if (window.RTCPeerConnection) call(window.RTCPeerConnection);
// A fresh frame's own constructor, taken before any script of the frame could run.
const frame = document.createElement("iframe");
document.body.appendChild(frame);
try {{ if (frame.contentWindow.RTCPeerConnection) call(frame.contentWindow.RTCPeerConnection); }} catch (e) {{}}
try {{ new WebSocket("ws://127.0.0.1:{tcp}/"); }} catch (e) {{}}
try {{ new WebTransport("https://127.0.0.1:{udp}/"); }} catch (e) {{}}
</script></body></html>"""


@pytest.fixture
def canaries():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    yield udp, tcp
    udp.close()
    tcp.close()


def _received(udp: socket.socket, tcp: socket.socket) -> list[str]:
    heard = []
    try:
        while True:
            data, peer = udp.recvfrom(65536)
            heard.append(f"UDP {len(data)} bytes from {peer}")
    except BlockingIOError:
        pass
    try:
        while True:
            conn, peer = tcp.accept()
            heard.append(f"TCP connection from {peer}")
            conn.close()
    except BlockingIOError:
        pass
    return heard


def test_a_captured_page_reaches_no_udp_or_websocket_canary(source_server, policy, canaries):
    udp, tcp = canaries
    page = PAGE.format(udp=udp.getsockname()[1], tcp=tcp.getsockname()[1]).encode()
    source_server.pages["/canary"] = (200, "text/html; charset=utf-8", page, {})
    deadline = time.monotonic() + 8
    document = fetch(source_server.url("/canary"), policy=policy, deadline=deadline).final
    rendering = render(document, policy=policy, deadline=deadline + 4)
    assert "Canary page" in rendering.text
    time.sleep(2)  # ICE gathering sends its STUN requests within moments of setLocalDescription
    assert _received(udp, tcp) == []
