"""Dutch labels of the notify enums (``notify.init_app`` registers them)."""

from flask_babel import lazy_gettext as _l

from core.labels import register_labels
from notify.models import NotificationState


def register() -> None:
    register_labels(
        {
            NotificationState.GEPLAND: _l("gepland"),
            NotificationState.BEZIG: _l("wordt verzonden"),
            NotificationState.IN_POSTVAK: _l("in postvak (geen mailserver)"),
            NotificationState.VERZONDEN: _l("verzonden"),
            NotificationState.VERVALLEN: _l("vervallen"),
            NotificationState.MISLUKT: _l("mislukt"),
        }
    )
