"""Dutch labels of the auth enums (``auth.init_app`` registers them)."""

from flask_babel import lazy_gettext as _l

from auth.models import Role
from core.labels import register_labels


def register() -> None:
    register_labels(
        {
            Role.SECRETARIAAT: _l("secretariaat"),
            Role.DEELNEMER: _l("deelnemer"),
            Role.WAARNEMER: _l("waarnemer"),
            Role.AUDITOR: _l("auditor"),
        }
    )
