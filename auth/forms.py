"""Forms for signing in and for the beheerder's pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import ValidationError

from auth.passwords import password_problem
from core.db import Side
from core.forms import (
    BaseForm,
    EmailAddress,
    EnumSelectField,
    IdSelectField,
    MaxLength,
    Required,
    optional_line,
    strip,
    title_field,
)
from core.i18n import LANGUAGE_NAMES, known
from core.labels import choices


class LoginForm(BaseForm):
    email = EmailField(_l("E-mailadres"), validators=[Required(), MaxLength(254)], filters=[strip])
    password = PasswordField(_l("Wachtwoord"), validators=[Required(), MaxLength(256)])


def _valid_password(_form: Any, field: Any) -> None:
    if field.data:
        problem = password_problem(field.data)
        if problem:
            raise ValidationError(problem)


class OrganisationForm(BaseForm):
    name = title_field(_l("Naam"))
    short_name = StringField(_l("Korte naam"), validators=[Required(), MaxLength(60)], filters=[strip])
    side = EnumSelectField(_l("Kant"), choices=choices(Side), validators=[Required()])
    tooi_uri = optional_line(_l("TOOI-identificatie"))

    def validate_tooi_uri(self, field: Any) -> None:
        if field.data and not field.data.startswith("https://identifier.overheid.nl/tooi/id/"):
            raise ValidationError(_l("Een TOOI-identificatie begint met https://identifier.overheid.nl/tooi/id/."))


class UserForm(BaseForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[Required(), MaxLength(254), EmailAddress()],
        filters=[strip],
    )
    name = title_field(_l("Naam"))
    function = optional_line(_l("Functie"))
    organisation_id = IdSelectField(_l("Organisatie"), validators=[Required(_l("Kies een organisatie."))])
    is_beheerder = BooleanField(_l("Beheerder (beheert organisaties, gebruikers en overleggen)"))
    active = BooleanField(_l("Account actief"), default=True)


class NewUserForm(UserForm):
    password = PasswordField(_l("Eerste wachtwoord"), validators=[Required(), _valid_password])


class PasswordForm(BaseForm):
    password = PasswordField(_l("Nieuw wachtwoord"), validators=[Required(), _valid_password])
    confirm = PasswordField(_l("Herhaal het wachtwoord"), validators=[Required()])

    def validate_confirm(self, field: Any) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("De twee wachtwoorden zijn niet gelijk."))


def organisation_choices(organisations: list[Any]) -> list[tuple[Any, str]]:
    return [("", _l("— kies —"))] + [(o.id, f"{o.name} ({o.side.value})") for o in organisations]


class SecondFactorForm(BaseForm):
    code = StringField(
        _l("Code"),
        validators=[Required(_l("Vul de code in.")), MaxLength(40)],
        filters=[strip],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off"},
    )


class OwnPasswordForm(BaseForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[Required(), MaxLength(256)])
    password = PasswordField(_l("Nieuw wachtwoord"), validators=[Required(), _valid_password])
    confirm = PasswordField(_l("Herhaal het nieuwe wachtwoord"), validators=[Required()])

    def validate_confirm(self, field: Any) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("De twee wachtwoorden zijn niet gelijk."))


class LanguageForm(BaseForm):
    """Taal / Language: named in both, because whoever needs the switch may not read the page's one."""

    locale = SelectField(
        "Taal / Language",
        choices=list(LANGUAGE_NAMES.items()),
        validate_choice=False,
        validators=[Required()],
    )
    next = HiddenField()

    def validate_locale(self, field: Any) -> None:
        if not known(field.data):
            raise ValidationError(_l("Kies Nederlands of English."))
