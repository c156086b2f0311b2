"""A real SMTP server on loopback (aiosmtpd) that records what it accepted."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What the server accepted, in order. ``refuse`` makes it answer with that reply instead;
    ``hold_at`` makes it keep the n-th message waiting (without an answer) until ``release``."""

    accepted: list[EmailMessage] = field(default_factory=list)
    refuse: str | None = None
    hold_at: int | None = None
    #: Seconds to take over each message, as a real server on the network would.
    delay: float = 0.0
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    seen: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.seen += 1
            number = self.seen
        if self.hold_at is not None and number == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Held by the test; the sender is gone"
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse
        message = message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.accepted.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.accepted)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox

    def config(self) -> dict[str, Any]:
        return {"MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5}

    def env(self) -> dict[str, str]:
        return {"MAIL_SERVER": self.host, "MAIL_PORT": str(self.port)}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        inbox.release.set()
        controller.stop()
