"""Forms of the meetings pages. They validate input; services decide."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from auth.models import Role
from core.db import Audience
from core.forms import (
    TITLE_MAX,
    BaseForm,
    Chosen,
    EnumSelectField,
    IdCheckboxesField,
    IdSelectField,
    MaxLength,
    Required,
    VersionedForm,
    WholeNumberField,
    date_field,
    optional_line,
    strip,
    text_field,
    title_field,
    unix_newlines,
)
from core.labels import choices
from meetings.models import AgendaItemKind, AttendanceStatus, CommentStatus, MilestoneKind, Placement
from meetings.services.agenda import MAX_DURATION_MINUTES
from meetings.storage import Upload


def files_field(label: Any) -> MultipleFileField:
    """Several files at once (``<input type=file multiple>``); none is fine unless the form says so."""
    return MultipleFileField(label)


def chosen_files(field: Any) -> list[Any]:
    """The files actually chosen in a file field (a browser posts an empty part when none is)."""
    data = field.data or []
    files = data if isinstance(data, list) else [data]
    return [f for f in files if f is not None and bool(getattr(f, "filename", None))]


def uploads_of(field: Any, titles: list[str | None] | None = None) -> list[Upload]:
    """The chosen files as the services take them, each with its title (None: from its name)."""
    titles = titles or []
    return [
        Upload(filename=f.filename or "", content=f.read(), title=titles[i] if i < len(titles) else None)
        for i, f in enumerate(chosen_files(field))
    ]


AUDIENCE_HELP = _l("Wie dit mag zien. 'Alleen Rijk' en 'Alleen regio' blijven verborgen voor de andere kant.")


def audience_field(
    label: Any = None,
    optional: bool = False,
    inherit: Any = None,
    confidential: bool = True,
    default: Audience | None = None,
) -> EnumSelectField:
    members = [a for a in Audience if confidential or a is not Audience.VERTROUWELIJK]
    options = choices(Audience, members)
    if optional:
        options = [("", inherit or _l("— zoals de vergadering —")), *options]
    return EnumSelectField(
        label or _l("Zichtbaar voor"),
        choices=options,
        validators=[Optional()] if optional else [Chosen()],
        default=default.value if default else None,
    )


class AudienceFields:
    """Who may see an item: its audience, and for a vertrouwelijk item the members named."""

    audience = audience_field(optional=True)
    shared_with = IdCheckboxesField(_l("Gedeeld met (alleen bij vertrouwelijk)"))

    def validate_shared_with(self, field: Any) -> None:
        if self.audience.data == Audience.VERTROUWELIJK.value and not field.data:
            raise ValidationError(_l("Noem wie dit vertrouwelijke stuk mag zien."))

    def audience_data(self) -> dict[str, Any]:
        return {"audience": self.audience.data or None, "shared_with": list(self.shared_with.data or [])}


def offer_members(form: Any, body_id: int, current: Any = None) -> None:
    """Fill the "shared with" choices with the body's members; tick the named people of ``current``."""
    from auth.services import named_people
    from meetings.services.bodies import members_of

    form.shared_with.choices = [(u.id, f"{u.name} ({u.organisation.short_name})") for u in members_of(body_id)]
    if current is not None and not form.is_submitted():
        form.audience.data = current.audience.value
        form.shared_with.data = [u.id for u in named_people(current)]


class BodyForm(BaseForm):
    name = title_field(_l("Naam"))
    slug = StringField(_l("Korte naam in het webadres"), validators=[Required(), MaxLength(60)], filters=[strip])
    description = text_field(_l("Omschrijving"))


def _offset_field(label: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Required(_l("Vul een aantal dagen in (negatief is vóór de vergadering).")),
            NumberRange(-365, 365, message=_l("Tussen -365 en 365 dagen.")),
        ],
    )


class BodySettingsForm(BaseForm):
    """A body's name and its milestone plan: days from the meeting (day 0) to each milestone."""

    name = title_field(_l("Naam"))
    description = text_field(_l("Omschrijving"))
    agendaverzoeken_sluiten = _offset_field(_l("Agendaverzoeken sluiten"))
    ambtelijk_voorportaal = _offset_field(_l("Ambtelijk voorportaal"))
    stukken_verzonden = _offset_field(_l("Stukken verzonden"))
    conceptverslag = _offset_field(_l("Conceptverslag gereed"))
    reactietermijn_sluit = _offset_field(_l("Reactietermijn sluit"))

    def offsets(self) -> dict[str, int]:
        values = {k.value: self[k.value].data for k in MilestoneKind if k is not MilestoneKind.VERGADERING}
        return {**values, MilestoneKind.VERGADERING.value: 0}


class MembershipForm(BaseForm):
    user_id = IdSelectField(_l("Gebruiker"), validators=[Required(_l("Kies een gebruiker."))])
    role = EnumSelectField(_l("Rol"), choices=choices(Role), validators=[Chosen()])


class SeatForm(BaseForm):
    function = title_field(_l("Functie"), description=_l("Bijvoorbeeld: Minister van Economische Zaken en Klimaat"))
    organisation_id = IdSelectField(_l("Organisatie"), validators=[Required(_l("Kies een organisatie."))])
    person_name = optional_line(_l("Naam (optioneel)"))
    is_chair = BooleanField(_l("Voorzitter"))


class ThemeForm(BaseForm):
    name = StringField(_l("Thema"), validators=[Required(), MaxLength(100)], filters=[strip])
    tooi_uri = optional_line(_l("TOOI-thema (voor Woo-publicatie)"))


class TimesMixin:
    start_time = TimeField(_l("Begintijd"), validators=[Required(_l("Vul een geldige tijd in (uu:mm)."))])
    end_time = TimeField(_l("Eindtijd"), validators=[Required(_l("Vul een geldige tijd in (uu:mm)."))])
    location = title_field(_l("Plaats"))
    chair = title_field(_l("Voorzitter"))

    def validate_end_time(self, field: Any) -> None:
        start = self.start_time.data
        if start and field.data and field.data <= start:
            raise ValidationError(_l("De eindtijd moet na de begintijd liggen."))


class MeetingTimesMixin(TimesMixin):
    meeting_date = date_field(_l("Datum van het bestuurlijk overleg"))
    kenmerk = optional_line(_l("Kenmerk (optioneel)"), maximum=60)


def _standing_items_field() -> BooleanField:
    return BooleanField(_l("De vaste agendapunten van dit overleg op de agenda zetten"), default=True)


class CycleForm(MeetingTimesMixin, BaseForm):
    # The whole table, as the form's help says is usual; a select without a default shows its first
    # choice (openbaar), which is what a secretariat would then publish without having chosen it.
    audience = audience_field(_l("Zichtbaarheid van de vergadering"), confidential=False, default=Audience.OVERLEG)
    standing_items = _standing_items_field()


class YearPlanForm(TimesMixin, BaseForm):
    """The year's cycles of a body at once: a meeting date per half year, with the same times and place."""

    year = IntegerField(
        _l("Jaar"),
        validators=[
            Required(_l("Vul een jaar in.")),
            NumberRange(2000, 2099, message=_l("Een jaar van 2000 tot 2099.")),
        ],
    )
    voorjaar = date_field(_l("Vergadering in het voorjaar"), required=False)
    najaar = date_field(_l("Vergadering in het najaar"), required=False)
    audience = audience_field(_l("Zichtbaarheid van de vergaderingen"), confidential=False, default=Audience.OVERLEG)
    standing_items = _standing_items_field()


class StandingItemRowForm(BaseForm):
    """One standing agenda item of a body, on the beheer page; an empty row adds nothing."""

    class Meta:
        csrf = False

    #: Not ``id``: a row's own ``id`` is the FormField's (``entries-0``), which would hide this field.
    item_id = HiddenField()
    title = optional_line(_l("Titel"))
    kind = EnumSelectField(_l("Soort"), choices=choices(AgendaItemKind), validators=[Chosen()])
    placement = EnumSelectField(_l("Plaats op de agenda"), choices=choices(Placement), validators=[Chosen()])
    position = IntegerField(
        _l("Volgorde"), validators=[Optional(), NumberRange(0, 99, message=_l("Een getal van 0 tot 99."))]
    )
    progress = BooleanField(_l("Voortgangsoverzicht (open actiepunten en toezeggingen)"))
    remove = BooleanField(_l("Verwijderen"))


class StandingItemsForm(BaseForm):
    entries = FieldList(FormField(StandingItemRowForm))

    def rows(self) -> list[dict[str, Any]]:
        """The rows for ``save_standing_items``: ``id`` is the standing item's, empty for a new one."""
        return [{**entry, "id": entry.pop("item_id", None)} for entry in self.entries.data]


class NoticeForm(BaseForm):
    """A member signs in or off for a seat of their own organisation, ahead of the meeting."""

    status = EnumSelectField(
        _l("Komt de zetelhouder?"),
        choices=[
            (AttendanceStatus.AANWEZIG.value, _l("Ja, aangemeld")),
            (AttendanceStatus.AFWEZIG.value, _l("Nee, afgemeld")),
            (AttendanceStatus.VERVANGEN.value, _l("Nee, vervangen door")),
        ],
        validators=[Chosen()],
    )
    replaced_by = optional_line(_l("Vervanger (naam en functie)"))

    def validate_replaced_by(self, field: Any) -> None:
        if self.status.data == AttendanceStatus.VERVANGEN.value and not field.data:
            raise ValidationError(_l("Vul in wie de zetel vervangt."))


class MeetingForm(VersionedForm, MeetingTimesMixin, BaseForm):
    pass


class MilestoneForm(BaseForm):
    due_date = date_field(_l("Nieuwe datum"))


def duration_field() -> WholeNumberField:
    return WholeNumberField(
        _l("Duur in minuten (optioneel)"),
        minimum=1,
        maximum=MAX_DURATION_MINUTES,
        message=_l("Geef de duur in hele minuten, van 1 tot en met %(max)s.", max=MAX_DURATION_MINUTES),
    )


def position_field(label: Any, required: bool = True) -> WholeNumberField:
    """A place on the agenda, 1 at the top; the service knows how many places there are."""
    return WholeNumberField(
        label, minimum=1, maximum=9999, message=_l("Kies een plaats op de agenda."), required=required
    )


class AgendaItemForm(VersionedForm, AudienceFields, BaseForm):
    title = title_field(_l("Titel"))
    kind = EnumSelectField(_l("Soort"), choices=choices(AgendaItemKind), validators=[Chosen()])
    duration_minutes = duration_field()
    description = text_field(_l("Toelichting"))
    organisation_id = IdSelectField(_l("Indiener"), validators=[Optional()])
    theme_id = IdSelectField(_l("Thema"), validators=[Optional()])


class AgendaMoveForm(BaseForm):
    """*Naar plaats n*: one per item on the meeting page; dragging an item fills it in and sends it."""

    position = position_field(_l("Naar plaats"))


class DocumentForm(AudienceFields, BaseForm):
    """One or more documents at once. Titles come one per line, in the order of the files; a file
    without one is titled by its name (the page's script gives each chosen file its own title box)."""

    file = files_field(_l("Bestanden"))
    title = TextAreaField(_l("Titels, één per regel"), filters=[unix_newlines])
    audience = audience_field(optional=True, inherit=_l("— zoals het agendapunt of de vergadering —"))

    def validate_file(self, field: Any) -> None:
        if not chosen_files(field):
            raise ValidationError(_l("Kies een bestand."))

    def validate_title(self, field: Any) -> None:
        titles = self.titles()
        if any(title is not None and len(title) > TITLE_MAX for title in titles):
            raise ValidationError(_l("Een titel is te lang: hoogstens %(max)s tekens per regel.", max=TITLE_MAX))
        files = len(chosen_files(self.file))
        if files and len(titles) > files:
            raise ValidationError(
                ngettext(
                    "U gaf %(titles)s titels voor %(num)d bestand: één titel per regel, in de volgorde van de "
                    "bestanden.",
                    "U gaf %(titles)s titels voor %(num)d bestanden: één titel per regel, in de volgorde van de "
                    "bestanden.",
                    files,
                    titles=len(titles),
                )
            )

    def titles(self) -> list[str | None]:
        """The title of each file in order; None where the line is empty (the file's name is used)."""
        lines = (self.title.data or "").split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        return [line.strip() or None for line in lines]


class AttendanceEntryForm(BaseForm):
    class Meta:
        csrf = False

    #: Sent back as the page gave it; anything but a seat's number (a hand-made request) is refused here,
    #: before the service looks the seat up.
    seat_id = WholeNumberField(
        minimum=1,
        maximum=999_999_999,
        message=_l("Deze zetel hoort niet bij dit overleg."),
        required=True,
        widget=HiddenInput(),
    )
    status = EnumSelectField(_l("Aanwezigheid"), choices=choices(AttendanceStatus), validators=[Chosen()])
    replaced_by = optional_line(_l("Vervangen door"))

    def validate_replaced_by(self, field: Any) -> None:
        if self.status.data == AttendanceStatus.VERVANGEN.value and not field.data:
            raise ValidationError(_l("Vul in door wie deze zetel werd vervangen."))


class AttendanceForm(BaseForm):
    entries = FieldList(FormField(AttendanceEntryForm))


class DecisionEditForm(VersionedForm, AudienceFields, BaseForm):
    text = text_field(_l("Besluit"), required=True)
    audience = audience_field(optional=True, inherit=_l("— zoals het agendapunt —"))


class DecisionForm(DecisionEditForm):
    amends_id = IdSelectField(_l("Wijzigt eerder besluit"), validators=[Optional()])


class PublishBesluitenlijstForm(BaseForm):
    comments_deadline = date_field(_l("Reageren kan tot en met"))


class CommentForm(BaseForm):
    text = text_field(_l("Uw reactie op dit besluit"), required=True)


class HandleCommentForm(BaseForm):
    outcome = EnumSelectField(
        _l("Verwerking"),
        choices=[
            (CommentStatus.OVERGENOMEN.value, _l("Overnemen: de tekst van het besluit wordt aangepast")),
            (CommentStatus.BEANTWOORD.value, _l("Beantwoorden: de tekst blijft")),
        ],
        validators=[Chosen()],
    )
    new_text = text_field(_l("Nieuwe tekst van het besluit (bij overnemen)"))
    response = text_field(_l("Antwoord aan de indiener"))

    def validate_new_text(self, field: Any) -> None:
        if self.outcome.data == CommentStatus.OVERGENOMEN.value and not (field.data or "").strip():
            raise ValidationError(_l("Geef de nieuwe tekst van het besluit."))

    def validate_response(self, field: Any) -> None:
        if self.outcome.data == CommentStatus.BEANTWOORD.value and not (field.data or "").strip():
            raise ValidationError(_l("Geef een antwoord aan de indiener."))


class MinutesForm(VersionedForm, AudienceFields, BaseForm):
    text = text_field(_l("Verslag"), required=True)


class DecisionFilterForm(BaseForm):
    class Meta:
        csrf = False

    body = IdSelectField(_l("Overleg"), validators=[Optional()])
    theme = IdSelectField(_l("Thema"), validators=[Optional()])
    meeting = IdSelectField(_l("Vergadering"), validators=[Optional()])
    status = EnumSelectField(_l("Status"), validators=[Optional()])


class NoteForm(VersionedForm, AudienceFields, BaseForm):
    title = title_field(_l("Titel"))
    text = text_field(_l("Tekst"), required=True)
    audience = audience_field(optional=True, inherit=_l("— mijn eigen kant (Rijk of regio) —"))


def notice_forms(own: list[Any], failed: tuple[int, NoticeForm] | None = None) -> dict[int, NoticeForm]:
    """Per seat of the reader's organisation (``OwnSeat``), its sign-in form filled with what was said;
    after a refused post, the posted form (with its messages) for that seat. The forms post the same
    field names (the seat is in the address); their ids are made unique per seat for the labels."""
    forms = {}
    for entry in own:
        if failed is not None and failed[0] == entry.seat.id:
            form = failed[1]
        else:
            form = NoticeForm(formdata=None)
            if entry.notice is not None:
                form.status.data, form.replaced_by.data = entry.notice.status.value, entry.notice.replaced_by
        for field in (form.status, form.replaced_by):
            field.id = field.label.field_id = f"zetel-{entry.seat.id}-{field.name}"
        forms[entry.seat.id] = form
    return forms


class InviteSettingForm(BaseForm):
    """Whether a body's secretariat may invite people into it (the beheerder decides)."""

    secretariat_invites = BooleanField(
        _l("Het secretariaat mag mensen uitnodigen in dit overleg (als deelnemer of waarnemer)")
    )


class ReviewDoneForm(BaseForm):
    """Confirming the periodic access review, with what was found or changed."""

    note = text_field(_l("Toelichting (optioneel)"))
