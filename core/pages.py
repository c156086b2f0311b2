"""What every package's views share: a button POST, a form POST, a form page, and the question before a
button that cannot be undone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from core.errors import DomainError, NotPermitted, NotVisible
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
