"""Field types and validators every package's forms share, with Dutch messages."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

#: Limits that keep a page readable and a request bounded; a longer text is refused, not cut.
TITLE_MAX = 200
TEXT_MAX = 20_000


class Required(DataRequired):
    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _l("Vul dit veld in."))


class Chosen(InputRequired):
    def __init__(self, message: Any = None) -> None:
        super().__init__(message or _l("Maak een keuze."))


class MaxLength(Length):
    """A maximum length that says how long the text was, so the user knows how much to cut."""

    def __init__(self, maximum: int) -> None:
        super().__init__(max=maximum)

    def __call__(self, form: Any, field: Any) -> None:
        length = len(field.data or "")
        if length > self.max:
            raise StopValidation(
                _l(
                    "Deze tekst is te lang: hoogstens %(max)s tekens, u gaf er %(n)s.",
                    max=format_decimal(self.max),
                    n=format_decimal(length),
                )
            )


class EmailAddress:
    """A plausible e-mail address. Deliverability is the mail server's business; organisations
    use reserved test domains (``.test``) in demos and acceptance, so those must pass too."""

    _shape = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not self._shape.match(field.data):
            raise ValidationError(_l("Vul een geldig e-mailadres in, zoals naam@organisatie.nl."))


def title_field(label: Any, **kwargs: Any) -> StringField:
    return StringField(label, validators=[Required(), MaxLength(TITLE_MAX)], **kwargs)


# No Optional() on optional text: it would stop the chain before a form's own validate_<field>,
# which is where "required when another field says so" lives.
def optional_line(label: Any, maximum: int = TITLE_MAX, **kwargs: Any) -> StringField:
    return StringField(label, validators=[MaxLength(maximum)], filters=[_strip_or_none], **kwargs)


def text_field(label: Any, required: bool = False, **kwargs: Any) -> TextAreaField:
    validators = [Required(), MaxLength(TEXT_MAX)] if required else [MaxLength(TEXT_MAX)]
    filters = [unix_newlines, *kwargs.pop("filters", [])]
    return TextAreaField(label, validators=validators, filters=filters, **kwargs)


def unix_newlines(value: Any) -> Any:
    """Browsers post a textarea's lines ending in CRLF; we store LF, so that an unchanged text
    compares equal to what is stored."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def date_field(label: Any, required: bool = True, **kwargs: Any) -> DateField:
    first = Required(_l("Vul een geldige datum in (dd-mm-jjjj).")) if required else Optional()
    return DateField(label, validators=[first], **kwargs)


def _strip_or_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """A whole number from ``minimum`` to ``maximum``. Anything else (a word, a fraction, a number out
    of range) gets ``message``, in the user's language; WTForms' own message would be English."""

    _digits = re.compile(r"[0-9]{1,9}")

    def __init__(
        self, label: Any = None, *, minimum: int, maximum: int, message: Any, required: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(label, validators=[Required(message) if required else Optional()], **kwargs)
        self.minimum, self.maximum, self.message = minimum, maximum, message

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        raw = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        if not raw:
            return
        if not self._digits.fullmatch(raw) or not self.minimum <= int(raw) <= self.maximum:
            raise ValueError(self.message)
        self.data = int(raw)


class IdSelectField(SelectField):
    """A select of database ids; an empty choice means "none"."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, coerce=_int_or_none, validate_choice=True, **kwargs)

    def pre_validate(self, form: Any) -> None:
        typed = bool(self.raw_data) and self.raw_data[0] not in ("", "None")
        if self.data is None and typed:
            # Something that is no id at all: refused like an id not offered, never silently dropped.
            raise ValidationError(_l("Kies een van de mogelijkheden."))
        if self.data is None and not self.flags.required:
            return
        try:
            super().pre_validate(form)
        except ValidationError as exc:
            raise ValidationError(_l("Kies een van de mogelijkheden.")) from exc


def _int_or_none(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class IdCheckboxesField(SelectMultipleField):
    """Checkboxes of database ids (people to name on a vertrouwelijk item)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, coerce=int, **kwargs)

    def pre_validate(self, form: Any) -> None:
        allowed = {value for value, *_rest in (self.choices or [])}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("Kies een van de mogelijkheden."))


class EnumSelectField(SelectField):
    """A select of an enum's values, with their Dutch labels."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError as exc:
            raise ValidationError(_l("Kies een van de mogelijkheden.")) from exc


def not_before(other_field: str, message: Any) -> Any:
    """A validator: this date may not lie before the date in ``other_field``."""

    def check(form: Any, field: Any) -> None:
        other = form[other_field].data
        if isinstance(field.data, date) and isinstance(other, date) and field.data < other:
            raise ValidationError(message)

    return check


def without_nul(value: Any) -> Any:
    """No database text can hold a NUL character (PostgreSQL refuses it), and no person types one."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class VersionField(HiddenField):
    """The version of the object the form was opened with (``core.db.VersionedMixin``). Empty means
    none (a form from before versions existed); anything but a whole number is refused."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        raw = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        if not raw:
            return
        if not raw.isdigit() or len(raw) > 9:
            # A plain string: the summary above the form shows it, there being no field to show it next to.
            raise ValueError(str(_l("Dit formulier is niet meer bruikbaar. Open het opnieuw.")))
        self.data = int(raw)

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, int) else None


class VersionedForm:
    """A form that edits an object with a version: it carries the version it was opened with, which
    the service compares (``audit.conflicts``). Filled from ``obj=`` like every other field."""

    version = VersionField(_l("Versie"))
    #: Set by ``core.pages.submit_form`` when the save met a newer version (a ``ConflictNotice``).
    conflict: Any = None


class BaseForm(FlaskForm):
    """All our forms: CSRF on, Dutch messages, no NUL characters in any text."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            if not issubclass(unbound_field.field_class, FieldList | FormField):  # they filter their parts
                options["filters"] = (without_nul, *(unbound_field.kwargs.get("filters") or ()))
            return super().bind_field(form, unbound_field, options)  # type: ignore[misc]

    def add_domain_error(self, exc: Any) -> bool:
        """Put a service's refusal next to its field, or its fields (a refusal with ``errors``, field →
        message, as a year plan gives per date); a field in a list of rows is named as its input is,
        ``entries-2-title``. False when it belongs to no field."""
        named = dict(exc.errors)
        if getattr(exc, "field", None):
            named.setdefault(exc.field, exc.message)
        placed = False
        for name, message in named.items():
            field = self._field_named(name)
            if field is not None:
                field.errors = [*field.errors, message]
                placed = True
        return placed

    def _field_named(self, name: str) -> Any:
        if name in self._fields:
            return self._fields[name]
        for field in self._fields.values():
            if isinstance(field, FieldList) and name.startswith(f"{field.name}-"):
                index, _sep, rest = name[len(field.name) + 1 :].partition("-")
                if index.isdigit() and int(index) < len(field.entries):
                    entry = field.entries[int(index)]
                    return entry.form._fields.get(rest) if isinstance(entry, FormField) else None
        return None

    def service_data(self) -> dict[str, Any]:
        """The form's values for a service call, without the CSRF token and buttons."""
        return {k: v for k, v in self.data.items() if k not in {"csrf_token", "submit", "version"}}
