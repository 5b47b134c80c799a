"""Local receivers for the outbox's tests: an SMTP server (aiosmtpd) that keeps the messages it is given, and a
webhook receiver that verifies each request's signature (refusing a replay older than five minutes), keeps the
event ids it accepted (so it acts on each event once), and can hold its answer until told to answer."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from coalition.domain.notifications import EVENT_ID_HEADER, SIGNATURE_HEADER, verify


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Keep:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(found, EmailMessage)
        self.messages.append(found)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a free port of this machine, in a thread of the test."""

    def __init__(self) -> None:
        self.port = free_port()
        self._keep = _Keep()
        self._controller = Controller(self._keep, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self._keep.messages

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@dataclass
class Receiver:
    """A party's system that receives webhooks (see the module's text)."""

    secret: str = ""
    port: int = field(default_factory=free_port)
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)  # every request: (id, ...)
    kept: list[str] = field(default_factory=list)  # the event ids acted on, each once
    refused: list[str] = field(default_factory=list)
    hold: threading.Event | None = None  # when set, answers wait until it is set
    arrived: threading.Event = field(default_factory=threading.Event)
    clock_offset: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def judge(self, headers: dict[str, str], body: bytes) -> int:
        if not verify(self.secret, headers.get(SIGNATURE_HEADER, ""), body, int(time.time() + self.clock_offset)):
            self.refused.append(headers.get(EVENT_ID_HEADER, ""))
            return 400
        event_id = headers[EVENT_ID_HEADER]
        if event_id not in self.kept:
            self.kept.append(event_id)
        return 200

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k: v for k, v in self.headers.items()}
                receiver.received.append((headers.get(EVENT_ID_HEADER, ""), headers, body))
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(120)
                status = receiver.judge(headers, body)
                try:
                    self.send_response(status)
                    self.end_headers()
                except OSError:  # the worker died meanwhile
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.hold is not None:
            self.hold.set()
        self._server.shutdown()
        self._server.server_close()
