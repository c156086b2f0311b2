"""The form on *Mijn account* that makes a personal access token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from api.tokens import MAX_DAYS
from core.forms import BaseForm, Chosen, EnumSelectField, MaxLength, Required, WholeNumberField, strip


class TokenForm(BaseForm):
    name = StringField(_l("Naam"), validators=[Required(), MaxLength(100)], filters=[strip])
    scope = EnumSelectField(
        _l("Mag"),
        choices=[("read", _l("lezen")), ("write", _l("lezen en schrijven"))],
        default="read",
        validators=[Chosen(_l("Kies lezen of schrijven."))],
    )
    days = WholeNumberField(
        _l("Geldig (dagen)"),
        minimum=1,
        maximum=MAX_DAYS,
        message=_l("Een token geldt 1 tot 365 dagen."),
        required=True,
        default=90,
    )
