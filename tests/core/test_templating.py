"""The shared template filters: English names that shadow no Jinja built-in, numbers in the reader's language."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from jinja2 import Environment

FILTERS = ("local_date", "local_datetime", "local_time", "label", "paragraphs", "filesize")


def test_the_shared_filters_are_registered_and_shadow_no_builtin(app):
    builtin = Environment().filters
    for name in FILTERS:
        assert name in app.jinja_env.filters, name
        assert name not in builtin, name


def _render(app, source: str, **context) -> str:
    return app.jinja_env.from_string(source).render(**context)


def test_filesize_writes_the_readers_decimal_separator(app):
    with app.test_request_context():
        with force_locale("nl"):
            sizes = [_render(app, "{{ n|filesize }}", n=n) for n in (850, 12 * 1024 + 100, 1536 * 1024)]
            assert sizes == ["850 B", "12 kB", "1,5 MB"]
        with force_locale("en"):
            assert _render(app, "{{ n|filesize }}", n=1536 * 1024) == "1.5 MB"


def test_paragraphs_escape_and_split_plain_text(app):
    with app.test_request_context():
        html = _render(app, "{{ text|paragraphs }}", text="Een <b>\nregel\n\nTwee")
    assert html == "<p>Een &lt;b&gt;<br>regel</p><p>Twee</p>"


def test_local_date_speaks_the_readers_language(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert _render(app, "{{ d|local_date }}", d=date(2026, 3, 14)) == "14 maart 2026"
        with force_locale("en"):
            assert _render(app, "{{ d|local_date }}", d=date(2026, 3, 14)) == "14 March 2026"
