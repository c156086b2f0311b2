"""The messages of ``auth``, which cannot send them itself (it sits below this package): an invitation's
link and a password reset link, and, when a person loses their access, the end of what was still
waiting to be sent to them.

Both links are planned by the scheduler from the open invitations and reset requests (one message per
link, by its key), and written when they are sent, in the recipient's language. The token in the link is
derived then (``auth.links``); the outbox keeps the message without it (``Mail.kept_text``), so the
beheerder who reads the outbox never holds a link that chooses someone else's password.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from auth import invitations, recovery
from auth.models import Invitation, PasswordReset, User
from auth.sessions import requires_second_factor
from auth.signals import account_closed
from core.dates import show_datetime
from core.extensions import db
from core.labels import label
from notify.models import Notification, NotificationState
from notify.registry import Lapsed, Mail, Planned, register_kind, register_planner

INVITATION, RESET = "account-uitnodiging", "wachtwoordherstel"


def _withheld() -> str:
    return _("[de link staat alleen in het verzonden bericht]")


# --- invitations ------------------------------------------------------------------------------------


def _open_invitations(moment: datetime) -> Iterator[Planned]:
    for invitation in db.session.scalars(
        select(Invitation).where(Invitation.ended_at.is_(None), Invitation.expires_at > moment)
    ):
        yield Planned(
            key=f"{INVITATION}:{invitation.id}",
            kind=INVITATION,
            recipient_id=invitation.user_id,
            subject_type="invitations",
            subject_id=invitation.id,
            due_at=invitation.created_at,
        )


def compose_invitation(notification: Any, recipient: User) -> Mail | Lapsed:
    invitation = db.session.get(Invitation, notification.subject_id)
    if invitation is None or invitation.user_id != recipient.id:
        return Lapsed("De uitnodiging bestaat niet meer.")
    if invitations.refusal(invitation) is not None:
        return Lapsed("De uitnodiging werkt niet meer (aanvaard, vervangen, ingetrokken of verlopen).")
    if not invitations.still_sendable(invitation):
        return Lapsed("De geheime sleutel van de server is veranderd: stuur de uitnodiging opnieuw.")
    inviter = db.session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None

    def text(link: str) -> str:
        parts = [
            _("Beste %(name)s,", name=recipient.name),
            _(
                "%(who)s nodigt u uit voor Regiotafel, waar Rijk en regio hun bestuurlijk overleg voorbereiden en "
                "vastleggen.",
                who=inviter.name if inviter else _("De beheerder"),
            ),
        ]
        # ``Membership.body`` is the backref the package of the bodies gives (this one may not import it).
        named = sorted((m.body.name, label(m.role)) for m in recipient.memberships)  # type: ignore[attr-defined]
        roles = [f"  {body}: {role}" for body, role in named]
        if roles:
            parts.append(_("Uw rollen:") + "\n" + "\n".join(roles))
        if recipient.is_beheerder:
            parts.append(_("U wordt beheerder van Regiotafel."))
        parts.append(
            _(
                "Kies uw wachtwoord via deze link. Hij werkt één keer, tot %(until)s:",
                until=show_datetime(invitation.expires_at),
            )
            + "\n"
            + link
        )
        if requires_second_factor(recipient):
            parts.append(
                _("Uw rol vraagt om aanmelden in twee stappen: houd uw telefoon met een authenticator-app bij de hand.")
            )
        parts.append(
            _(
                "Verwachtte u deze uitnodiging niet? Dan kunt u dit bericht negeren: "
                "zonder wachtwoord komt niemand binnen."
            )
        )
        parts.append("— Regiotafel")
        return "\n\n".join(parts)

    return Mail(
        subject=_("Uitnodiging voor Regiotafel"),
        text=text(invitations.link_of(invitation)),
        kept_text=text(_withheld()),
    )


# --- password resets --------------------------------------------------------------------------------


def _open_resets(moment: datetime) -> Iterator[Planned]:
    """A message per open reset link of an active account with a password; a request for any other
    address plans nothing (and the page that took it said the same)."""
    for reset in db.session.scalars(
        select(PasswordReset)
        .join(User, User.id == PasswordReset.user_id)
        .where(
            PasswordReset.used_at.is_(None),
            PasswordReset.ended_at.is_(None),
            PasswordReset.expires_at > moment,
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
    ):
        assert reset.user_id is not None  # joined on it
        yield Planned(
            key=f"{RESET}:{reset.id}",
            kind=RESET,
            recipient_id=reset.user_id,
            subject_type="password_resets",
            subject_id=reset.id,
            due_at=reset.created_at,
        )


def compose_reset(notification: Any, recipient: User) -> Mail | Lapsed:
    reset = db.session.get(PasswordReset, notification.subject_id)
    if reset is None or reset.user_id != recipient.id:
        return Lapsed("De herstellink bestaat niet meer.")
    if recovery.refusal(reset) is not None:
        return Lapsed("De herstellink werkt niet meer (gebruikt, vervangen of verlopen).")
    if not recovery.still_sendable(reset):
        return Lapsed("De geheime sleutel van de server is veranderd: vraag een nieuwe link aan.")

    def text(link: str) -> str:
        return "\n\n".join(
            [
                _("Beste %(name)s,", name=recipient.name),
                _("Iemand heeft voor uw e-mailadres een nieuw wachtwoord voor Regiotafel gevraagd."),
                _(
                    "Kies het via deze link. Hij werkt één keer, tot %(until)s:",
                    until=show_datetime(reset.expires_at),
                )
                + "\n"
                + link,
                _(
                    "Met het nieuwe wachtwoord eindigen uw andere sessies. Hebt u aanmelden in twee stappen aan, dan "
                    "vraagt Regiotafel daarna nog steeds uw code."
                ),
                _("Vroeg u dit niet? Dan kunt u dit bericht negeren: uw wachtwoord blijft zoals het is."),
                "— Regiotafel",
            ]
        )

    return Mail(
        subject=_("Nieuw wachtwoord voor Regiotafel"),
        text=text(recovery.link_of(reset)),
        kept_text=text(_withheld()),
    )


# --- leavers ---------------------------------------------------------------------------------------


def _lapse_waiting(user: User, **_details: Any) -> dict[str, int]:
    """A leaver's messages that were still waiting (planned, or kept for lack of a mail server) lapse,
    in the leaver's own step (``auth.services.close_access``)."""
    result: Any = db.session.execute(
        update(Notification)
        .where(
            Notification.recipient_id == user.id,
            Notification.state.in_([NotificationState.GEPLAND, NotificationState.IN_POSTVAK]),
        )
        .values(state=NotificationState.VERVALLEN, note="De ontvanger heeft geen toegang meer.", sent_at=None)
    )
    return {"meldingen": int(result.rowcount or 0)}


def register(app: Flask) -> None:
    register_kind(
        app, INVITATION, compose_invitation, label=_l("Uitnodiging voor een account"), variants={}, for_newcomers=True
    )
    register_kind(app, RESET, compose_reset, label=_l("Link voor een nieuw wachtwoord"), variants={})
    register_planner(app, _open_invitations)
    register_planner(app, _open_resets)
    # A module-level function: blinker keeps a weak reference, and connecting it again is a no-op.
    account_closed.connect(_lapse_waiting)


__all__ = ["INVITATION", "RESET", "register"]
