"""What every package's views share: a button POST, a form POST, a form page, and the question before a
button that cannot be undone."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.dates import show_date, show_datetime
from core.errors import DomainError, EditConflict, NotPermitted, NotVisible
from core.extensions import db


def run_action(action: Callable[..., Any], *args: Any, success: str, then: str, **kwargs: Any) -> ResponseReturnValue:
    """Call a service as the current user for a button POST; commit, or flash why not."""
    try:
        action(current_user, *args, **kwargs)
    except (NotVisible, NotPermitted):
        raise
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(then)


def submit_form(form: Any, call: Callable[[Any], Any]) -> Any:
    """Validate ``form``, then ``call(current_user)`` a service and commit.

    Returns the service's result (True if it returns nothing), or None when the form was not
    posted, not valid, or refused; a refusal lands next to its field or as a message on top.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = call(current_user)
    except (NotVisible, NotPermitted):
        raise
    except EditConflict as exc:
        form.conflict = conflict_notice(form, exc)
        # The input stays as posted; the version becomes the current one, so that saving again applies
        # it over the other person's change, now that the user has seen what that was.
        form.version.data = exc.current_version
        return None
    except DomainError as exc:
        if not form.add_domain_error(exc):
            flash(exc.message, "error")
        return None
    db.session.commit()
    return result if result is not None else True


def form_page(template: str, **context: Any) -> ResponseReturnValue:
    """A form page; 400 when it comes back after a refused POST."""
    return render_template(template, **context), 400 if request.method == "POST" else 200


def confirm_page(
    title: str, question: str, *, button: str, back: str, refused: str | None = None
) -> ResponseReturnValue:
    """The page that asks before something is removed (GET; it changes nothing). Its form POSTs to the
    same address; ``back`` is where *Annuleren* leads. With ``refused`` it says why it cannot be done
    instead of offering the button."""
    return render_template(
        "core/confirm.html", title=title, question=question, button=button, back=back, refused=refused
    )


@dataclass(frozen=True)
class ConflictNotice:
    """What the form page says about an edit conflict: who changed it and when, and what is different."""

    who: str
    when: str | None
    #: (label, current value) of each field whose value differs from the version the user opened.
    changed: list[tuple[str, str]]


#: Labels for what an object stores under another name than the form's field (a meeting's date and
#: times become its start and end).
_STORED_AS = {"starts_at": _l("Begin"), "ends_at": _l("Einde")}


def conflict_notice(form: Any, conflict: EditConflict) -> ConflictNotice:
    """The conflict in the form's own words: a field's label, a choice's label, a time as local time."""
    changed = []
    for name, value in conflict.changed.items():
        field = form._fields.get(name)
        label = str(field.label.text) if field is not None else str(_STORED_AS.get(name, name))
        changed.append((label, _shown(field, value)))
    who = ", ".join(conflict.who) or _("iemand anders")
    when = show_datetime(conflict.when) if isinstance(conflict.when, datetime) else None
    return ConflictNotice(who=who, when=when, changed=changed)


def _shown(field: Any, value: Any) -> str:
    if value is None or value == "":
        return _("(leeg)")
    if isinstance(value, enum.Enum):
        value = value.value
    for choice in getattr(field, "choices", None) or []:
        key, label = (choice[0], choice[1]) if isinstance(choice, tuple | list) else (choice, choice)
        if str(key) == str(value):
            return str(label)
    if isinstance(value, datetime):
        return show_datetime(value)
    if isinstance(value, date):
        return show_date(value)
    return str(value)
