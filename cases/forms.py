"""Forms for agenda requests, follow-ups, workflow steps and progress notes."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField
from wtforms.validators import Optional, ValidationError

from cases.models import CaseType
from core.db import Audience
from core.forms import (
    BaseForm,
    Chosen,
    EnumSelectField,
    IdSelectField,
    Required,
    VersionedForm,
    date_field,
    optional_line,
    text_field,
    title_field,
)
from core.labels import choices
from meetings.forms import AudienceFields, audience_field, files_field
from meetings.models import AgendaItemKind


class AgendaRequestForm(BaseForm):
    title = title_field(_l("Onderwerp"))
    description = text_field(_l("Toelichting: wat vraagt u van het overleg, en waarom nu?"), required=True)
    requested_kind = EnumSelectField(
        _l("Gevraagd"),
        choices=choices(AgendaItemKind),
        validators=[Chosen()],
        default=AgendaItemKind.TER_BESPREKING.value,
    )
    theme_id = IdSelectField(_l("Thema"), validators=[Optional()])
    files = files_field(_l("Bijlagen (optioneel)"))


class FollowUpForm(AudienceFields, BaseForm):
    case_type = EnumSelectField(
        _l("Soort"),
        choices=[(CaseType.ACTIEPUNT.value, _l("Actiepunt")), (CaseType.TOEZEGGING.value, _l("Toezegging"))],
        validators=[Chosen()],
        default=CaseType.ACTIEPUNT.value,
    )
    title = title_field(_l("Wat moet er gebeuren?"))
    description = text_field(_l("Toelichting"))
    owner_organisation_id = IdSelectField(
        _l("Eigenaar (organisatie)"), validators=[Chosen(_l("Kies een organisatie."))]
    )
    assignee_id = IdSelectField(_l("Uitvoerder (optioneel)"), validators=[Optional()])
    due_date = date_field(_l("Gereed op"), required=False)
    source = optional_line(_l("Herkomst (bij een toezegging, bijv. het debat)"))
    audience = audience_field(optional=True, inherit=_l("— zoals het besluit, of het hele overleg —"))


class TransitionForm(BaseForm):
    reason = text_field(_l("Reden of toelichting"))

    def details(self) -> dict[str, Any]:
        """The step's optional answers (``Transition.asks``); a plain step has none."""
        return {}


class ScheduleForm(TransitionForm):
    """Agenderen: what kind of item the request becomes, and where on the agenda it goes."""

    kind = EnumSelectField(_l("Soort agendapunt"), choices=choices(AgendaItemKind), validators=[Optional()])
    position = IdSelectField(_l("Plaats op de agenda"), validators=[Optional()])

    def for_step(self, name: str) -> ScheduleForm:
        """Field ids of their own per step, as the case page shows every step's form at once."""
        for field in (self.kind, self.position):
            field.id = field.label.field_id = f"{field.name}-{name}"
        return self

    def details(self) -> dict[str, Any]:
        return {"kind": self.kind.data or None, "position": self.position.data}


class PostponeForm(TransitionForm):
    """Uitstel aanvragen: the new date asked for, and why."""

    due_date = date_field(_l("Nieuwe datum"))

    def details(self) -> dict[str, Any]:
        return {"due_date": self.due_date.data}


class NoteForm(BaseForm):
    text = text_field(_l("Voortgang"), required=True)
    files = files_field(_l("Bijlagen (optioneel)"))


class DueDateForm(BaseForm):
    due_date = date_field(_l("Nieuwe datum"))
    reason = text_field(_l("Reden"), required=True)


class NotaForm(AudienceFields, BaseForm):
    title = title_field(_l("Onderwerp"))
    kenmerk = optional_line(_l("Kenmerk"), maximum=60)
    description = text_field(_l("Tekst van de nota"), required=True)
    audience = audience_field(optional=True, inherit=_l("— mijn eigen kant (Rijk of regio) —"))


class NotaEditForm(VersionedForm, BaseForm):
    title = title_field(_l("Onderwerp"))
    kenmerk = optional_line(_l("Kenmerk"), maximum=60)
    description = text_field(_l("Tekst van de nota"), required=True)


class RouteStepForm(BaseForm):
    user_id = IdSelectField(_l("Persoon"), validators=[Chosen(_l("Kies een persoon."))])
    capacity = title_field(_l("Functie (bijv. directeur Topsectoren en Industriebeleid)"))
    decides = BooleanField(_l("Deze persoon beslist (de laatste in de route)"))


class DossierForm(AudienceFields, BaseForm):
    title = title_field(_l("Naam van het dossier"))
    description = text_field(_l("Waar gaat het over?"))
    audience = audience_field(optional=True, inherit=_l("— het hele overleg —"))


class DossierLinkForm(BaseForm):
    """One of the three selects is posted, by its own button on the dossier page."""

    agenda_item_id = IdSelectField(_l("Agendapunt"), validators=[Optional()])
    decision_id = IdSelectField(_l("Besluit"), validators=[Optional()])
    case_id = IdSelectField(_l("Zaak (verzoek, actie, toezegging, nota)"), validators=[Optional()])


class ImportUploadForm(BaseForm):
    """Step 1 of importing an action list: the .xlsx, and who may see what it brings in."""

    file = FileField(_l("Actielijst (Excel-werkmap, .xlsx)"))
    audience = EnumSelectField(
        _l("Zichtbaar voor"),
        choices=choices(Audience, [Audience.OPENBAAR, Audience.OVERLEG, Audience.RIJK, Audience.REGIO]),
        validators=[Chosen()],
        default=Audience.OVERLEG.value,
    )

    def validate_file(self, field: Any) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Kies een bestand."))


class ImportConfirmForm(BaseForm):
    """Step 3: the sealed rows of the preview, and whether to store all of them or the good ones."""

    payload = HiddenField(validators=[Required(_l("De voorvertoning ontbreekt."))])
    mode = EnumSelectField(
        _l("Importeren"),
        choices=[("alles", _l("Alles importeren")), ("goede", _l("Alleen de goede rijen importeren"))],
        validators=[Chosen()],
    )
