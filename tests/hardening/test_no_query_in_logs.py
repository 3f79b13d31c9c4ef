"""No query string in any log: an OAuth callback's carries the authorization code. Requests
to the callback with ``?code=SECRET…`` go through the project's logging configuration
(``ops.logs.logging_config``, JSON and plain): through the Django stack (the access line,
and a 429 and a 404, whose records carry the request), and through ``runserver``'s own
request handler (the demo's ``django.server`` lines, a malformed request's too). No
record, and no line written, holds the code or the state."""

from __future__ import annotations

import http.client
import io
import logging
import logging.config
import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connections
from django.utils.log import configure_logging

from ops.log_filters import without_query
from ops.logs import logging_config
from tests.hardening.test_brute_force import fresh_network, fresh_rate, host

CALLBACK = "/accounts/calendly/login/callback/"


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Logs:
    stream: io.StringIO
    collector: Collector
    secrets: list[str] = field(default_factory=list)

    def query(self) -> str:
        """A callback query whose code and state are new words this test looks for."""
        code, state = f"SECRET{secrets.token_hex(8)}", f"STATE{secrets.token_hex(8)}"
        self.secrets += [code, state]
        return f"?code={code}&state={state}"

    def assert_clean(self) -> None:
        written = self.stream.getvalue()
        assert written, "nothing was logged"
        for record in self.collector.records:
            shown = [record.getMessage(), *(str(v) for v in vars(record).values())]
            for word in self.secrets:
                assert not any(word in text for text in shown), (record.name, shown)
        leaked = [word for word in self.secrets if word in written]
        assert not leaked, written

    def lines(self, logger: str) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if logger in line]


@pytest.fixture(params=["json", "plain"])
def logs(request) -> Iterator[Logs]:
    config = logging_config("DEBUG", request.param)
    stream = io.StringIO()
    config["handlers"]["stdout"]["stream"] = stream
    logging.config.dictConfig(config)
    collector = Collector()  # after stdout's handler: it sees the records as that wrote them
    names = ["", "django", "django.server"]
    for name in names:
        logging.getLogger(name).addHandler(collector)
    try:
        yield Logs(stream, collector)
    finally:
        for name in names:
            logging.getLogger(name).removeHandler(collector)
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@pytest.mark.django_db
def test_the_django_stack_logs_no_query(client, settings, logs):
    settings.RATE_LIMIT_OAUTH_CALLBACK = fresh_rate(1)
    address = host(fresh_network())
    assert client.get(CALLBACK + logs.query(), REMOTE_ADDR=address).status_code == 302
    assert client.get(CALLBACK + logs.query(), REMOTE_ADDR=address).status_code == 429
    assert client.get("/no-such-page/" + logs.query()).status_code == 404
    logs.assert_clean()
    access = logs.lines("ops.access")
    assert len(access) == 3 and all(CALLBACK in line or "/no-such-page/" in line for line in access)
    # The 429's and 404's records carried the request: still named, by path.
    assert any("Too Many Requests" in line for line in logs.lines("django.request"))
    assert any("/no-such-page/" in line for line in logs.lines("django.request"))


@pytest.fixture
def runserver() -> Iterator[str]:
    """runserver's server and request handler (not the quiet one of live_server)."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler, ipv6=False)
    server.set_app(WSGIHandler())

    def serve() -> None:
        try:
            server.serve_forever()
        finally:  # the thread's own database connection, kept by CONN_MAX_AGE
            connections.close_all()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_runserver_request_lines_carry_no_query(runserver, logs):
    # http.client, which logs nothing of its own (urllib3 would log the URL it asks for).
    connection = http.client.HTTPConnection(runserver, timeout=10)
    connection.request("GET", CALLBACK + logs.query())
    assert connection.getresponse().status == 302
    connection.close()
    # A request line runserver cannot parse is logged whole, twice: make it hold a code too.
    with socket.create_connection(tuple(runserver.split(":")), timeout=10) as raw:
        raw.sendall(f"GET {CALLBACK}{logs.query()} HTTP/1.1 extra\r\n\r\n".encode())
        while raw.recv(4096):
            pass
    logs.assert_clean()
    served = logs.lines("django.server")
    assert any(f"GET {CALLBACK} HTTP/1.1" in line and "302" in line for line in served), served
    assert any(f"GET {CALLBACK} HTTP/1.1 extra" in line and "400" in line for line in served), served


@pytest.mark.parametrize(("text", "clean"), [
    ("GET /cb/?code=x&state=y HTTP/1.1", "GET /cb/ HTTP/1.1"),
    ("Bad request syntax ('GET /cb/?code=x y HTTP/1.1 extra')", "Bad request syntax ('GET /cb/ HTTP/1.1 extra')"),
    ("GET /cb/?code=x", "GET /cb/"),
    ("GET /week/ HTTP/1.1", "GET /week/ HTTP/1.1"),
])
def test_without_query(text, clean):
    assert without_query(text) == clean
