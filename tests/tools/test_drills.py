"""The pieces of ``make drill-faults`` and ``make drill-load`` that must work for the drills to mean
anything: the relay really cuts the network and lets it through again, the markers of acknowledged writes
come back as written, a multipart body carries its fields and files. The drills themselves are not run
here (minutes, real processes): ``make drill-faults``, ``make drill-load``."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import pytest

from tools.drilling import multipart
from tools.load.markers import Tally, acknowledged, new_marker, record
from tools.relay import Relay, relayed_url, target_of


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(1024):
            self.request.sendall(data)


@pytest.fixture
def relay() -> Iterator[Relay]:
    echo = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    echo.daemon_threads = True
    threading.Thread(target=echo.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    relay = Relay(("127.0.0.1", int(echo.server_address[1]))).start()
    yield relay
    relay.close()
    echo.shutdown()
    echo.server_close()


def _connect(relay: Relay) -> socket.socket:
    return socket.create_connection(("127.0.0.1", relay.port), timeout=5)


def _echoes(sock: socket.socket, data: bytes = b"ping") -> bool:
    try:
        sock.sendall(data)
        return sock.recv(1024) == data
    except OSError:
        return False


def test_the_relay_cuts_open_connections_refuses_new_ones_and_lets_them_through_again(relay):
    with closing(_connect(relay)) as before:
        assert _echoes(before)
        relay.cut()
        assert not _echoes(before)  # the open connection is broken, as when the network goes
        with closing(_connect(relay)) as during:
            assert not _echoes(during)  # a new one is closed at once
        relay.restore()
        assert not _echoes(before)  # a broken connection stays broken: the pool must replace it
    with closing(_connect(relay)) as after:
        assert _echoes(after)


def test_the_relayed_url_points_at_the_relay_and_keeps_the_rest(relay):
    url = "postgresql+psycopg://postgres:geheim@db.example:6543/regiotafel_drill_x"
    assert target_of(url) == ("db.example", 6543)
    assert target_of("postgresql://postgres@127.0.0.1/x") == ("127.0.0.1", 5432)
    assert relayed_url(url, relay) == f"postgresql+psycopg://postgres:geheim@127.0.0.1:{relay.port}/regiotafel_drill_x"


def test_acknowledged_writes_come_back_as_recorded_and_a_cut_off_line_is_an_error(tmp_path: Path):
    path = tmp_path / "markers.jsonl"
    assert acknowledged(path) == []
    first, second = new_marker("agendapunt"), new_marker("reactie")
    assert first != second and first.startswith("drill-load-agendapunt-") and " " not in first
    record(path, "agendapunt", first, "http://127.0.0.1:1")
    record(path, "reactie", second, "http://127.0.0.1:2")
    writes = acknowledged(path)
    assert [(w.kind, w.marker, w.outcome, w.answer) for w in writes] == [
        ("agendapunt", first, "ok", "http://127.0.0.1:1"),
        ("reactie", second, "ok", "http://127.0.0.1:2"),
    ]
    with path.open("a") as f:
        f.write('{"kind": "besluit", "mark')
    with pytest.raises(ValueError, match="line 3"):
        acknowledged(path)


def test_the_tally_survives_its_file_and_gives_the_nearest_rank_percentiles(tmp_path: Path):
    tally = Tally()
    for ms in range(1, 101):  # 1 .. 100 ms
        tally.add("download", 200, float(ms), failed=False)
    tally.add("reactie: opslaan", 0, 5000.0, failed=True)  # no answer: the connection failed
    tally.save(tmp_path / "statuses.json")
    kept = Tally.load(tmp_path / "statuses.json")
    assert kept.statuses == {"download": Counter({200: 100}), "reactie: opslaan": Counter({0: 1})}
    assert kept.failures == Counter({"reactie: opslaan": 1, "download": 0})
    assert (kept.percentile("download", 0.5), kept.percentile("download", 0.95)) == (50.0, 95.0)
    assert kept.percentile(None, 0.95) == 96.0 and kept.percentile(None, 1.0) == 5000.0
    assert Tally.load(tmp_path / "absent.json").statuses == {}


def test_a_multipart_body_carries_every_field_and_file_byte_for_byte():
    content = b"%PDF-1.4\n\x00\xff\r\n--"
    body, content_type = multipart({"csrf_token": ["abc"], "audience": ["overleg"]}, {"file": [("stuk.pdf", content)]})
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert parts["csrf_token"].get_content().strip() == "abc"
    assert parts["audience"].get_content().strip() == "overleg"
    assert parts["file"].get_filename() == "stuk.pdf"
    assert parts["file"].get_payload(decode=True) == content
