"""The pieces of ``make bench`` (bench/): what they choose, count, parse and print.

No load is generated here: performance is measured by ``make bench``, never timed in the unit suite.
"""

from __future__ import annotations

import pytest

from bench.hello import app as hello_app
from bench.load import parse_wrk, percentile
from bench.pages import LABELS, SignInRefused, StatementCounter, count, discover, sign_in
from bench.report import AuditMeasured, Measured, audit_table, pages_table
from bench.web import rusage_run
from core.extensions import db
from tests.conftest import DEMO_PASSWORD


def test_hello_answers_hello_and_nothing_more():
    answer = hello_app.test_client().get("/")
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == "Hello, World!"


def test_the_statement_counter_counts_the_statements_of_one_request(app, clients, count_queries):
    client = clients("beleid@ezk.test")
    with app.app_context():
        counter = StatementCounter(db.engine)
    try:
        client.get("/acties")
        assert counter.count == 0  # only while counting
        counted = count(client, counter, "/acties")
        with count_queries() as reference:
            client.get("/acties")
    finally:
        counter.close()
    assert counted.status == 200
    assert counted.bytes > 1000
    assert counted.statements == reference.count > 0
    client.get("/acties")
    assert counter.count == counted.statements  # closed: no longer listening


def _signed_in(app, email):
    client = app.test_client()
    sign_in(client, email, DEMO_PASSWORD)
    return client


def test_every_page_is_found_for_the_rijk_participant_and_opens(app):
    client, historian = _signed_in(app, "beleid@ezk.test"), _signed_in(app, "auditor@ezk.test")
    pages = discover(app, client, "beleid@ezk.test", historian, "auditor@ezk.test")
    assert set(pages) == set(LABELS)
    assert all(pages.values()), [key for key, path in pages.items() if not path]
    for key, path in pages.items():
        assert (historian if key == "history" else client).get(path).status_code == 200, (key, path)
    assert pages["ics"].startswith("/agenda/") and pages["ics"].endswith(".ics")


def test_a_regio_participant_is_not_measured_on_what_they_may_not_see(app):
    client, historian = _signed_in(app, "economie@noord-brabant.test"), _signed_in(app, "auditor@noord-brabant.test")
    pages = discover(app, client, "economie@noord-brabant.test", historian, "auditor@noord-brabant.test")
    # The demo's notas are Rijk-internal: a regio user must not even learn that one exists.
    assert pages["nota"] is None
    assert pages["agenda"] and pages["decision"] and pages["history"]


def test_a_refused_sign_in_stops_the_bench(app):
    with pytest.raises(SignInRefused):
        sign_in(app.test_client(), "beleid@ezk.test", "niet-het-wachtwoord")


def test_wrk_figures_are_read_from_the_scripts_line():
    load = parse_wrk("Running 3s test @ http://127.0.0.1:8000/\n...\nBENCH 150 3000000 41500 98000 2\n")
    assert (load.requests, load.seconds, load.p50_ms, load.p95_ms, load.errors) == (150, 3.0, 41.5, 98.0, 2)
    assert load.per_second == 50
    with pytest.raises(RuntimeError):
        parse_wrk("unable to connect to 127.0.0.1:8000 Connection refused\n")


def test_percentiles_by_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 100)) == (50, 95, 100)
    assert percentile([], 95) == 0


def _measured(size: str, page: str, per_second: float, hello: float, errors: int = 0) -> Measured:
    return Measured("sqlite", size, "Rijk", page, "/", per_second, 20, 45, hello, 12, 10_000, errors, 100, 1.0)


def test_the_table_shows_both_sizes_and_how_much_longer_a_request_takes_at_large():
    rows = [
        _measured("demo", "home", 200, 2000),  # 10 % of hello
        _measured("large", "home", 100, 2000),  # 5 %: twice as long
        _measured("demo", "agenda", 40, 1000, errors=3),
    ]
    printed = pages_table(rows, [("home", "home"), ("agenda", "vergadering"), ("nota", "nota")], ["demo", "large"])
    lines = printed.splitlines()
    assert lines[0].split("|")[1].strip() == "pagina" and "large/demo" in lines[0]
    assert len({len(line) for line in lines}) == 1  # the columns line up
    home, agenda = lines[2], lines[3]
    assert "10.0 %" in home and "5.0 %" in home and home.rstrip(" |").endswith("2.00×")
    assert "40.0 !" in agenda  # a measurement with failed requests is marked
    assert agenda.rstrip(" |").endswith("—")  # no large figure, no growth
    assert "nota" not in printed  # a page measured at neither size has no row


def test_a_commands_peak_memory_is_its_own():
    import sys

    _, _, small = rusage_run([sys.executable, "-c", "pass"], {})
    _, cpu, big = rusage_run([sys.executable, "-c", "b = bytearray(80 * 2**20); b[::4096] = b'x' * len(b[::4096])"], {})
    assert big - small > 70  # MiB: the 80 MiB the second one took, not a running maximum over children
    assert cpu > 0


def test_the_audit_table_gives_rates_on_the_clock_and_per_cpu_second():
    printed = audit_table([AuditMeasured("sqlite", "large", 1_000_000, 990_000, 20.0, 10.0, 90, 40.0, 8.0, 60)])
    header, _rule, row = printed.splitlines()
    assert "records/CPU-s" in header
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:4] == ["sqlite", "large", "1,000,000", "990,000"]
    assert cells[4:9] == ["20.0", "10.0", "50,000", "100,000", "90"]
    assert cells[9:] == ["40.0", "8.0", "25,000", "125,000", "60"]
