"""Domain errors: services raise these, never HTTP errors; views turn them into pages or messages."""

from __future__ import annotations

from flask_babel import gettext as _


class DomainError(Exception):
    """A rule of the domain refused the request; ``message`` is for the user, in their language."""

    def __init__(self, message: str, field: str | None = None, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The form field the message belongs next to, if any.
        self.field = field
        #: For a refusal of several fields at once (the dates of a year plan): field → its message.
        self.errors = dict(errors or {})


class NotVisible(DomainError):
    """The item does not exist for this user. Shown as 404, exactly like a missing item."""

    def __init__(self, object_type: str | None = None, object_id: int | None = None) -> None:
        super().__init__(_("Niet gevonden."))
        #: What was asked for, for the audit trail's record of the refusal.
        self.object_type = object_type
        self.object_id = object_id


class NotPermitted(DomainError):
    """The user sees the item but may not do this with it."""

    def __init__(self, message: str | None = None, obj: object = None) -> None:
        super().__init__(message or _("U mag dit niet doen."))
        self.object_type: str | None = getattr(obj, "__tablename__", None)
        self.object_id: int | None = getattr(obj, "id", None)


class InvalidTransition(DomainError):
    """A workflow step that the item's state or the user's role does not allow."""
