"""Dutch labels of the search enums (``search.init_app`` registers them)."""

from flask_babel import lazy_gettext as _l

from core.labels import register_labels
from search.models import EntryKind


def register() -> None:
    register_labels(
        {
            EntryKind.AGENDAPUNT: _l("Agendapunt"),
            EntryKind.BESLUIT: _l("Besluit"),
            EntryKind.VERSLAG: _l("Verslag"),
            EntryKind.DOCUMENT: _l("Document"),
            EntryKind.NOTITIE: _l("Notitie"),
            EntryKind.AGENDAVERZOEK: _l("Agendaverzoek"),
            EntryKind.ACTIEPUNT: _l("Actiepunt"),
            EntryKind.TOEZEGGING: _l("Toezegging"),
            EntryKind.NOTA: _l("Nota"),
            EntryKind.DOSSIER: _l("Dossier"),
        }
    )
