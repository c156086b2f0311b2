"""A TCP relay to a database server that can be cut and restored: the network between Regiotafel and its
PostgreSQL, broken for real from the app's side without touching the server (which others share) and
without root. ``tests/core/test_unreachable.py`` and ``make drill-faults`` use it."""

from __future__ import annotations

import socket
import socketserver
import threading
from contextlib import suppress


class Relay(socketserver.ThreadingTCPServer):
    """Listens on a free local port and pipes every connection to ``target``. ``cut()`` closes every
    connection open through it and refuses new ones (each is closed as soon as it is accepted, as a
    server that is gone does) until ``restore()``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.refusing = False
        self.open_sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Pipe)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> Relay:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def cut(self) -> None:
        """The network down: open connections broken, new ones refused."""
        self.refusing = True
        self.close_open()

    def restore(self) -> None:
        """The network back: new connections go through (the broken ones stay broken)."""
        self.refusing = False

    def close_open(self) -> None:
        with self.lock:
            sockets, self.open_sockets = self.open_sockets, []
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        """Stop listening and close everything."""
        self.shutdown()
        self.server_close()
        self.close_open()


def relayed_url(url: str, relay: Relay) -> str:
    """``url`` (``scheme://user@host:port/name``) with the relay in place of the host and port."""
    server, _sep, name = url.rpartition("/")
    credentials = server.rsplit("@", 1)[0]
    return f"{credentials}@127.0.0.1:{relay.port}/{name}"


def target_of(url: str) -> tuple[str, int]:
    """The host and port ``url`` names (5432 when it names none)."""
    server = url.rpartition("/")[0]
    host, _colon, port = server.rsplit("@", 1)[-1].partition(":")
    return host, int(port or 5432)


class _Pipe(socketserver.BaseRequestHandler):
    server: Relay

    def handle(self) -> None:
        if self.server.refusing:
            return
        try:
            upstream = socket.create_connection(self.server.target, timeout=5)
        except OSError:
            return
        upstream.settimeout(None)
        with self.server.lock:
            self.server.open_sockets += [self.request, upstream]

        def pump(source: socket.socket, sink: socket.socket) -> None:
            with suppress(OSError):
                while chunk := source.recv(65536):
                    sink.sendall(chunk)
            with suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

        other = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
        other.start()
        pump(self.request, upstream)
        other.join(timeout=5)
        upstream.close()
