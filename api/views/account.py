"""The personal access tokens on *Mijn account*: make one (its secret shown this once), revoke one.

Pages, not the API: they take the signed-in session and every change is a POST with CSRF.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from api import tokens
from api.forms import TokenForm
from core.forms import BaseForm
from core.pages import form_page, submit_form
from core.sections import HomePanel

pages = Blueprint("api_tokens", __name__, template_folder="../templates")


def account_section(user: Any) -> HomePanel:
    """The section *API-tokens* on *Mijn account* (a receiver of ``auth.signals.account_sections``)."""
    return HomePanel(
        title=_("API-tokens"),
        template="api/account_tokens.html",
        context={"form": TokenForm(formdata=None), "tokens": tokens.tokens_of(user), "now": tokens.now()},
    )


@pages.post("/auth/account/api-tokens")
@login_required
def create() -> ResponseReturnValue:
    """Make a token and show its secret, this once (never cached)."""
    form = TokenForm()
    issued = submit_form(
        form,
        lambda user: tokens.create_token(
            user, owner=user, name=form.name.data, scope=form.scope.data, days=form.days.data or 0
        ),
    )
    if not issued:
        return form_page("api/token_form.html", form=form)
    response = make_response(render_template("api/token_created.html", issued=issued))
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.post("/auth/account/api-tokens/<int:token_id>/intrekken")
@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one's own token: from now on the API answers it 401."""
    if submit_form(BaseForm(), lambda user: tokens.revoke_token(user, token_id)):
        flash(_("De token is ingetrokken."), "success")
    return redirect(url_for("auth.account") + "#api-tokens")
