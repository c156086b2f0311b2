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


class EditConflict(DomainError):
    """Someone else changed the object since the form was opened: the save changed nothing.

    Raised by ``audit.conflicts.expect_version``; ``core.pages.submit_form`` puts it next to the form,
    which keeps the user's input and now carries the current version, so that saving again applies that
    input over what the other person did, knowingly.
    """

    def __init__(
        self,
        obj: object,
        *,
        current_version: int,
        changed: dict[str, object] | None = None,
        who: list[str] | None = None,
        when: object = None,
    ) -> None:
        super().__init__(
            _(
                "Iemand anders heeft dit intussen gewijzigd. Uw wijziging is niet opgeslagen; "
                "uw invoer staat nog in het formulier."
            )
        )
        self.obj = obj
        #: The version the object has now: the form carries it from here on.
        self.current_version = current_version
        #: Field → its current value, for the fields whose value differs from the version opened.
        self.changed = dict(changed or {})
        #: Who changed it and when (the last change), as far as the reader may read the audit trail.
        self.who = list(who or [])
        self.when = when


class RaceLost(DomainError):
    """Someone else changed the same thing at the same moment, and was first: nothing changed."""

    def __init__(self) -> None:
        super().__init__(
            _("Iemand anders wijzigde dit op hetzelfde moment. Er is niets veranderd; bekijk de nieuwe stand.")
        )
