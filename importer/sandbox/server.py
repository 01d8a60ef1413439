"""The HTTP side of the sandbox: the standard library's threading server (a thread per
connection, so a configured latency never serialises clients), keep-alive HTTP/1.1, and
the two ways a fault ends a connection without a reply."""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from importer.errors import ConfigError
from importer.sandbox.app import Sandbox
from importer.sandbox.request import Request


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a reply held back by the "ambiguous" fault never blocks exit
    request_queue_size = 256  # many clients connect at once in the benchmark

    def __init__(self, address: tuple[str, int], app: Sandbox) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed or timed out mid-reply is what the crash tests do on purpose:
        # no traceback for it. Any other error still prints one.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lsq-sandbox"
    timeout = 120  # idle keep-alive connections are closed after this
    # Headers and body go out in two writes; with Nagle on, the second waits for the
    # client's delayed ACK (~40 ms a reply on keep-alive connections).
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = self.headers.get("Content-Length", "0").strip()
        if not length.isdigit():
            self.send_error(400, "Content-Length must be a number")
            return
        size = int(length)
        too_large = size > self.server.app.options.max_body_bytes
        body = self._discard(size) if too_large else self.rfile.read(size) if size else b""
        url = urlsplit(self.path)
        query = {k.lower(): v for k, v in parse_qsl(url.query, keep_blank_values=True)}
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, url.path, query, headers, body, too_large=too_large)
        reply = self.server.app.handle(request)
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.drop:
            self._reset_connection()
            return
        data = reply.payload()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _discard(self, size: int) -> bytes:
        """Read a body too large to keep and throw it away: a reply sent before the body is
        read would reach a client still sending as a reset, not as the 413."""
        while size > 0:
            chunk = self.rfile.read(min(size, 65536))
            if not chunk:
                break
            size -= len(chunk)
        return b""

    def _reset_connection(self) -> None:
        """Linger 0 makes close() send a TCP RST: the client sees 'connection reset'."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a request log would bury the four lines other tools parse."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SandboxServer:
    """An HTTP server around a :class:`Sandbox`; ``port=0`` picks a free port."""

    def __init__(
        self, app: Sandbox, host: str = "127.0.0.1", port: int = 0, allow_remote: bool = False
    ) -> None:
        if not is_loopback(host) and not allow_remote:
            raise ConfigError(f"the sandbox listens on loopback only; {host} needs --allow-remote")
        self.app = app
        self._host = host
        try:
            self._httpd = _Server((host, port), app)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        shown = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{shown}:{self._httpd.server_port}"

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def start(self) -> None:
        """Serve from a background thread (tests, benchmarks)."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True, name="sandbox")
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join()
        self.app.store.close()
        self.app.noojee.close()
