"""The auditor's export form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError

from core.forms import BaseForm, EmailAddress, EnumSelectField, IdSelectField, MaxLength, date_field, optional_line


class ExportForm(BaseForm):
    # Blank (whitespace too, which Optional() lets through unchecked) is the default format.
    form = EnumSelectField(
        _l("Formaat"),
        choices=[("jsonl", "JSON Lines"), ("csv", "CSV")],
        default="jsonl",
        validators=[Optional()],
        filters=[lambda value: value.strip() or None if isinstance(value, str) else value],
    )
    start = date_field(_l("Vanaf"), required=False)
    end = date_field(_l("Tot en met"), required=False)
    body = IdSelectField(_l("Overleg"), validators=[Optional()])
    case = IntegerField(_l("Zaak (nummer)"), validators=[Optional(), NumberRange(min=1, message=_l("Een zaaknummer."))])
    actor = optional_line(_l("Door (e-mailadres)"), maximum=254)

    def validate_end(self, field: Any) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("De einddatum ligt vóór de begindatum."))

    def validate_actor(self, field: Any) -> None:
        if field.data:
            EmailAddress()(self, field)
            MaxLength(254)(self, field)
