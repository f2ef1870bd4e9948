"""A local web server standing in for the sites evidence records cite (no network in tests).

It runs in a thread of the test process; the archive reaches it only because the tests put its
``127.0.0.1:<port>`` in ``ARCHIVE_ALLOW_HOSTS``. Its pages cover the good case and every fault of
issue 14: redirects to forbidden addresses, loops, endless bodies, a page that never finishes, a
wrong Content-Length, non-HTML types, a script that reaches for a private address. ``pages``
lets a test change what a path answers (the watch tests turn a page into a 404).
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A 1x1 PNG and a one-page PDF: small real files of those types.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e527de0000000049454e44ae426082"
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
STATEMENT = (
    "<!doctype html><html lang='en'><head><title>Statement on the model</title>"
    "<link rel='stylesheet' href='/style.css'></head><body><h1>Statement on the model</h1>"
    "<p>{text}</p><img src='/pixel.png' alt='pixel'>"
    "<script>fetch('http://169.254.169.254/latest/meta-data/').catch(() => {{}});"
    "new Image().src = 'http://10.0.0.7/track.gif';</script></body></html>"
)
ORIGINAL_TEXT = (
    "We trained the model from scratch on our own cluster over four months. The architecture follows "
    "our published design, and the weights were never derived from any other model. We welcome an "
    "independent comparison of the released checkpoints."
)


class SourceServer:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes, dict]] = {}
        self.requests: list[tuple[str, dict]] = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self.set_statement(ORIGINAL_TEXT)
        self.pages["/style.css"] = (200, "text/css", b"h1 { color: #123; }", {})
        self.pages["/pixel.png"] = (200, "image/png", PNG, {})
        self.pages["/figure.png"] = (200, "image/png", PNG, {})
        self.pages["/paper.pdf"] = (200, "application/pdf", PDF, {})
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def set_statement(self, text: str, *, etag: str = '"v1"') -> None:
        body = STATEMENT.format(text=text).encode()
        self.pages["/statement"] = (200, "text/html; charset=utf-8", body, {"ETag": etag})

    def url(self, path: str) -> str:
        return self.base + path

    def handle(self, h: BaseHTTPRequestHandler) -> None:  # noqa: C901 - one branch per fault
        path = h.path
        if path in self.pages:
            status, content_type, body, headers = self.pages[path]
            etag = headers.get("ETag")
            if etag and h.headers.get("If-None-Match") == etag:
                h.send_response(304)
                h.send_header("ETag", etag)
                h.end_headers()
                return
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Set-Cookie", "tracker=1; Path=/")
            for name, value in headers.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(body)
        elif path == "/redirect-to-loopback":
            self._redirect(h, "http://127.0.0.1:1/admin/")
        elif path == "/redirect-to-metadata":
            self._redirect(h, "http://169.254.169.254/latest/meta-data/iam/")
        elif path == "/redirect-to-statement":
            self._redirect(h, "/statement")
        elif path in ("/loop-a", "/loop-b"):
            self._redirect(h, "/loop-b" if path == "/loop-a" else "/loop-a")
        elif path.startswith("/chain/"):
            self._redirect(h, f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/five-gigabytes":
            # Announces 5 GB and streams zeros for as long as anyone reads.
            h.send_response(200)
            h.send_header("Content-Type", "application/octet-stream")
            h.send_header("Content-Length", str(5 * 2**30))
            h.end_headers()
            self._stream(h, b"\0" * 65536)
        elif path == "/endless":
            # No length at all: a generator that never ends (the size cap must stop it).
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.end_headers()
            h.wfile.write(b"<html><body>")
            self._stream(h, b"<p>more</p>" * 4096)
        elif path == "/never-finishes":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.end_headers()
            h.wfile.write(b"<html><body><p>Loading")
            while not self.stop.is_set():  # a byte now and then, never the end
                try:
                    h.wfile.write(b".")
                    h.wfile.flush()
                except OSError:
                    return
                time.sleep(0.3)
        elif path == "/wrong-length":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "5000")
            h.end_headers()
            h.wfile.write(b"<html><body>short</body></html>")
            h.close_connection = True
        else:
            h.send_response(404)
            h.send_header("Content-Type", "text/plain")
            h.end_headers()
            h.wfile.write(b"not found")

    @staticmethod
    def _redirect(h: BaseHTTPRequestHandler, location: str) -> None:
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _stream(self, h: BaseHTTPRequestHandler, chunk: bytes) -> None:
        while not self.stop.is_set():
            try:
                h.wfile.write(chunk)
            except OSError:
                return

    def __enter__(self) -> SourceServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
