"""Numbers in text follow the reader's language (Babel's ``format_decimal``): 20.000 in Dutch, 20,000 in
English."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from wtforms import Form, StringField

from auth.services import set_own_language
from core.forms import TEXT_MAX, MaxLength
from tests.conftest import in_app, user

SEC = "secretariaat@ezk.test"


class _Note(Form):
    text = StringField(validators=[MaxLength(TEXT_MAX)])


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl", "Deze tekst is te lang: hoogstens 20.000 tekens, u gaf er 20.001."),
        ("en", "This text is too long: at most 20,000 characters, you entered 20,001."),
    ],
)
def test_a_too_long_text_is_counted_in_the_readers_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        form = _Note(data={"text": "x" * (TEXT_MAX + 1)})
        assert not form.validate()
        assert [str(message) for message in form.errors["text"]] == [expected]


@pytest.mark.parametrize(("locale", "expected"), [("nl", "1.000 rijen"), ("en", "1,000 rows")])
def test_the_import_page_writes_its_row_limit_in_the_readers_language(app, clients, locale, expected):
    with in_app(app):
        set_own_language(user(SEC), locale=locale)
    page = clients(SEC).get("/overleggen/bo-brainport/acties/importeren").get_data(as_text=True)
    assert expected in page
