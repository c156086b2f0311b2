"""Dutch labels of the meetings enums (``meetings.init_app`` registers them)."""

from flask_babel import lazy_gettext as _l

from core.labels import register_labels
from meetings.models import (
    AgendaItemKind,
    AttendanceStatus,
    CommentStatus,
    MilestoneKind,
    Placement,
    ReviewStatus,
    Season,
    TextStatus,
)


def register() -> None:
    register_labels({Season.VOORJAAR: _l("voorjaar"), Season.NAJAAR: _l("najaar")})
    register_labels({Placement.BEGIN: _l("bij de eerste punten"), Placement.EIND: _l("bij de laatste punten")})
    register_labels(
        {
            MilestoneKind.AGENDAVERZOEKEN_SLUITEN: _l("Agendaverzoeken sluiten"),
            MilestoneKind.AMBTELIJK_VOORPORTAAL: _l("Ambtelijk voorportaal"),
            MilestoneKind.STUKKEN_VERZONDEN: _l("Stukken verzonden"),
            MilestoneKind.VERGADERING: _l("Bestuurlijk overleg"),
            MilestoneKind.CONCEPTVERSLAG: _l("Conceptverslag gereed"),
            MilestoneKind.REACTIETERMIJN_SLUIT: _l("Reactietermijn sluit"),
        }
    )
    register_labels(
        {
            AgendaItemKind.TER_BESLUITVORMING: _l("ter besluitvorming"),
            AgendaItemKind.TER_BESPREKING: _l("ter bespreking"),
            AgendaItemKind.TER_INFORMATIE: _l("ter informatie"),
            AgendaItemKind.HAMERSTUK: _l("hamerstuk"),
        }
    )
    register_labels(
        {
            AttendanceStatus.AANWEZIG: _l("aanwezig"),
            AttendanceStatus.AFWEZIG: _l("afwezig"),
            AttendanceStatus.VERVANGEN: _l("vervangen"),
        }
    )
    register_labels(
        {
            ReviewStatus.CONCEPT: _l("concept"),
            ReviewStatus.TER_COMMENTAAR: _l("ter commentaar"),
            ReviewStatus.VASTGESTELD: _l("vastgesteld"),
        }
    )
    register_labels(
        {
            CommentStatus.OPEN: _l("open"),
            CommentStatus.OVERGENOMEN: _l("overgenomen"),
            CommentStatus.BEANTWOORD: _l("beantwoord"),
        }
    )
    #: Why a document's text is (not yet) searchable; the page says "Tekst niet doorzoekbaar: <label>".
    register_labels(
        {
            TextStatus.WACHT: _l("de tekst wordt nog gelezen"),
            TextStatus.GELEZEN: _l("gelezen"),
            TextStatus.GEEN_TEKST: _l("er staat geen leesbare tekst in (een scan?)"),
            TextStatus.TE_ZWAAR: _l("het bestand was te zwaar om te lezen"),
            TextStatus.ONLEESBAAR: _l("het bestand is beschadigd of beveiligd"),
            TextStatus.NIET_ONDERSTEUND: _l("van dit soort bestand leest Regiotafel de tekst niet"),
        }
    )
