"""Forms for signing in and for the beheerder's pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, FieldList, FormField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import ValidationError

from auth.models import Role
from auth.passwords import password_problem
from core.db import Side
from core.forms import (
    BaseForm,
    Chosen,
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
    organisation_id = IdSelectField(
        _l("Organisatie"),
        validators=[Required(_l("Kies een organisatie."))],
        description=_l(
            "Naar een andere organisatie: de persoon verlaat de huidige en verliest, zoals bij vertrek, de rollen, "
            "sessies, agendakoppeling en de berichten die nog klaarstonden."
        ),
    )
    is_beheerder = BooleanField(_l("Beheerder (beheert organisaties, gebruikers en overleggen)"))


class InvitationForm(BaseForm):
    """A person to invite: they choose their password themselves, so there is no password here."""

    name = title_field(_l("Naam"))
    email = EmailField(
        _l("E-mailadres"),
        validators=[Required(), MaxLength(254), EmailAddress()],
        filters=[strip],
        description=_l("Hierheen gaat de uitnodiging, met een link om zelf een wachtwoord te kiezen."),
    )
    function = optional_line(_l("Functie"))
    organisation_id = IdSelectField(_l("Organisatie"), validators=[Required(_l("Kies een organisatie."))])
    locale = SelectField(
        _l("Taal van de uitnodiging en de e-mails"),
        choices=list(LANGUAGE_NAMES.items()),
        default="nl",
        validate_choice=False,
        validators=[Required()],
    )

    def validate_locale(self, field: Any) -> None:
        if not known(field.data):
            raise ValidationError(_l("Kies Nederlands of English."))

    def person_data(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "email": self.email.data or "",
            "function": self.function.data,
            "organisation_id": self.organisation_id.data,
            "locale": self.locale.data,
        }


class RoleRowForm(BaseForm):
    """One body's line on the beheerder's invitation: a role there, or none."""

    class Meta:
        csrf = False

    body_id = HiddenField()
    role = EnumSelectField(_l("Rol"), choices=[("", _l("— geen rol —")), *choices(Role)])


class AdminInvitationForm(InvitationForm):
    """The beheerder's: any organisation, any body, any role, and the beheer right."""

    is_beheerder = BooleanField(_l("Beheerder (beheert organisaties, gebruikers en overleggen)"))
    roles = FieldList(FormField(RoleRowForm))

    def chosen_roles(self, offered: dict[int, Any]) -> list[tuple[Any, Role]]:
        """The (body, role) pairs chosen; a body that was not offered is no choice at all."""
        chosen = []
        for entry in self.roles:
            ident = _as_int(entry.form.body_id.data)
            body = offered.get(ident) if ident is not None else None
            if body is not None and entry.form.role.data:
                chosen.append((body, Role(entry.form.role.data)))
        return chosen

    def validate_roles(self, field: Any) -> None:
        for entry in field:
            if entry.form.role.data and _as_int(entry.form.body_id.data) is None:
                raise ValidationError(_l("Kies een van de mogelijkheden."))


class BodyInvitationForm(InvitationForm):
    """A secretariat's, for its own body: the role there (deelnemer or waarnemer)."""

    role = EnumSelectField(_l("Rol in dit overleg"), validators=[Chosen()])


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SwitchOffForm(BaseForm):
    """Switching an account off (a leaver), with the reason for the audit trail."""

    reason = optional_line(_l("Reden (voor de geschiedenis)"), maximum=500)


class ChoosePasswordForm(BaseForm):
    """A password chosen on an invitation's or a reset link's page; the token rides along unseen."""

    token = HiddenField(validators=[MaxLength(200)])
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[Required(), _valid_password],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Herhaal het wachtwoord"), validators=[Required()], render_kw={"autocomplete": "new-password"}
    )

    def validate_confirm(self, field: Any) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("De twee wachtwoorden zijn niet gelijk."))


class ForgottenPasswordForm(BaseForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[Required(), MaxLength(254), EmailAddress()],
        filters=[strip],
        render_kw={"autocomplete": "email"},
    )


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


def _claim_name(_form: Any, field: Any) -> None:
    if field.data and not all(ch.isalnum() or ch in "_-.:/" for ch in field.data):
        raise ValidationError(_l("Een claim is één woord, zoals email of preferred_username."))


class IdentityProviderForm(BaseForm):
    """An organisation's OpenID Connect provider. The client secret is never shown back: empty keeps it."""

    organisation_id = IdSelectField(_l("Organisatie"), validators=[Required(_l("Kies een organisatie."))])
    issuer = StringField(
        _l("Issuer"),
        validators=[Required(), MaxLength(300)],
        filters=[strip],
        description=_l(
            "Precies zoals de provider het noemt, bijvoorbeeld https://login.microsoftonline.com/<tenant>/v2.0."
        ),
    )
    client_id = StringField(_l("Client-ID"), validators=[Required(), MaxLength(200)], filters=[strip])
    client_secret = PasswordField(
        _l("Clientgeheim"),
        validators=[MaxLength(500)],
        description=_l("Wordt versleuteld bewaard en nooit getoond. Laat leeg om het opgeslagen geheim te houden."),
        render_kw={"autocomplete": "new-password"},
    )
    email_claim = StringField(
        _l("Claim met het e-mailadres"),
        default="email",
        validators=[Required(), MaxLength(60), _claim_name],
        filters=[strip],
    )
    verified_claim = StringField(
        _l("Claim die zegt dat het adres bevestigd is"),
        default="email_verified",
        validators=[Required(), MaxLength(60), _claim_name],
        filters=[strip],
    )
    email_domains = StringField(
        _l("E-maildomeinen van de organisatie"),
        validators=[Required(), MaxLength(500)],
        filters=[strip],
        description=_l("Gescheiden door spaties, bijvoorbeeld minezk.nl rvo.nl. Alleen adressen daarin loggen zo in."),
    )
    create_users = BooleanField(
        _l("Account aanmaken bij de eerste aanmelding (in deze organisatie, zonder rol in een overleg)")
    )
    mfa_acr_values = optional_line(
        _l("acr-waarden die als tweede stap gelden"),
        maximum=300,
        description=_l("Gescheiden door spaties. Leeg: Regiotafel vraagt zelf om de tweede stap."),
    )
    mfa_amr_values = optional_line(
        _l("amr-waarden die als tweede stap gelden"),
        maximum=300,
        description=_l("Gescheiden door spaties, bijvoorbeeld mfa otp hwk. Eén ervan volstaat."),
    )
    active = BooleanField(_l("In gebruik (knop op de inlogpagina)"), default=True)
