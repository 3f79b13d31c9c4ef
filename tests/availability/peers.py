"""Tiny HTTP servers on other loopback ports: a host that must never see our token, and a
stand-in API that answers what the sandbox cannot (a next_page on another host, a 424)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[str], tuple[int, dict, dict]]  # path -> (status, headers, JSON body)


class Peer:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"
        self.seen: list[dict] = []  # one entry per request: path and headers


def _handler(peer_box: list[Peer], answer: Answer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            peer_box[0].seen.append({"path": self.path, "headers": dict(self.headers)})
            status, headers, body = answer(self.path)
            raw = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextlib.contextmanager
def running_peer(answer: Answer | None = None) -> Iterator[Peer]:
    box: list[Peer] = []
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), _handler(box, answer or (lambda path: (200, {}, {})))
    )
    box.append(Peer(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
