"""Planning notifications, and sending each due one exactly once, whatever the number of processes.

Planning inserts rows by unique key and skips keys that exist, so every planner may plan the same
thing as often as it likes. Sending goes in three short transactions per batch:

1. *claim*: take up to ``NOTIFY_BATCH`` due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; the
   write lock of ``BEGIN IMMEDIATE`` on SQLite) and mark them ``bezig`` for this process until a
   lease runs out;
2. *compose*: for each row, the composer of its kind writes the message as its recipient may see
   things, or says the notification no longer applies;
3. *finish*: after the mail server accepted it, mark it ``verzonden`` (or ``in_postvak`` without a
   mail server, ``vervallen``, a retry, ``mislukt``), only if this process still holds it.

A process that dies between 1 and 3 leaves rows ``bezig``; when their lease runs out another
process (or the same one restarted) takes them over. The only way a message goes out twice is a
death in the instant between the server's "250 OK" and the commit of step 3; the message then
carries the same Message-ID twice, which mail clients fold into one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Update, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from auth.models import User
from auth.policy import Action, audiences_for, can, ensure
from core.acting import service
from core.dates import now
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from core.i18n import LANGUAGES, known
from core.refs import ObjectRef, model_for_table
from core.scheduler import STOP
from notify import mail
from notify.models import Notification, NotificationState
from notify.registry import Lapsed, Mail, Planned, composer_for, planners, reaches_newcomers

log = logging.getLogger("regiotafel.notify")

_CHUNK = 500


def plan(entries: Iterable[Planned]) -> int:
    """Store the planned notifications whose key is new; how many were new.

    Runs in the caller's transaction: a service plans what its change brings about, and if the
    change rolls back, so does the plan.
    """
    rows: dict[str, dict[str, Any]] = {}
    created = now()
    for entry in entries:
        rows.setdefault(
            entry.key,
            {
                "key": entry.key,
                "kind": entry.kind,
                "variant": entry.variant,
                "recipient_id": entry.recipient_id,
                "subject_type": entry.subject_type,
                "subject_id": entry.subject_id,
                "planned_for": entry.planned_for,
                "due_at": entry.due_at,
                "state": NotificationState.GEPLAND,
                "attempts": 0,
                "created_at": created,
            },
        )
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = list(rows.values())
    new = 0
    for start in range(0, len(values), _CHUNK):
        statement = insert(Notification).values(values[start : start + _CHUNK])
        # RETURNING counts what was inserted (rowcount does not, on every driver).
        inserted = db.session.execute(
            statement.on_conflict_do_nothing(index_elements=["key"]).returning(Notification.id)
        )
        new += len(inserted.all())
    return new


def plan_due(moment: datetime | None = None) -> int:
    """Ask every planner what is due around ``moment`` and plan it, in one transaction."""
    moment = moment or now()
    # Work out what is due while only reading; take the write lock for the inserts alone.
    entries = [entry for planner in planners() for entry in planner(moment)]
    db.session.commit()  # ends the read (a scheduler's own session has nothing else pending)
    db.begin_write()
    try:
        new = plan(entries)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return new


@dataclass
class DispatchReport:
    sent: int = 0
    kept: int = 0
    lapsed: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.sent} verzonden, {self.kept} in het postvak, {self.lapsed} vervallen, "
            f"{self.retried} later opnieuw, {self.failed} mislukt"
        )


def _claimable(moment: datetime, with_mail_server: bool) -> Any:
    due = or_(
        and_(Notification.state == NotificationState.GEPLAND, Notification.due_at <= moment),
        and_(Notification.state == NotificationState.BEZIG, Notification.lease_until < moment),
    )
    if with_mail_server:
        due = or_(due, Notification.state == NotificationState.IN_POSTVAK)
    return due


def claim(token: str, *, with_mail_server: bool, batch: int | None = None) -> list[int]:
    """Take up to ``batch`` due notifications for this process; their ids, oldest due first."""
    config = current_app.config
    moment = now()
    db.begin_write()
    try:
        ids = list(
            db.session.scalars(
                select(Notification.id)
                .where(_claimable(moment, with_mail_server))
                .order_by(Notification.due_at, Notification.id)
                .limit(batch or config["NOTIFY_BATCH"])
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            db.session.execute(
                update(Notification)
                .where(Notification.id.in_(ids))
                .values(
                    state=NotificationState.BEZIG,
                    claimed_by=token,
                    lease_until=moment + timedelta(seconds=config["NOTIFY_LEASE_SECONDS"]),
                )
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ids


def _while_held(notification_id: int, token: str) -> Update:
    """An update of the notification that changes nothing once this process no longer holds it (its
    lease ran out and another process claimed it, or it was finished)."""
    return update(Notification).where(
        Notification.id == notification_id,
        Notification.claimed_by == token,
        Notification.state == NotificationState.BEZIG,
    )


def _finish(notification_id: int, token: str, **values: Any) -> bool:
    """Record the outcome, if this process still holds the notification.

    Tried a few times: after a message went out, failing to record it would send it again once
    the lease runs out.
    """
    for attempt in range(4):
        db.begin_write()
        try:
            result: Any = db.session.execute(
                _while_held(notification_id, token).values(claimed_by=None, lease_until=None, **values)
            )
            db.session.commit()
            return bool(result.rowcount)
        except OperationalError:
            db.session.rollback()
            if attempt == 3:
                raise
            log.warning("recording notification %s failed; trying again", notification_id)
            time.sleep(0.5 * 2**attempt)
    return False  # not reached


def _renew(notification_id: int, token: str) -> bool:
    """Take a full lease again right before sending; False if another process has taken it over."""
    db.begin_write()
    try:
        result: Any = db.session.execute(
            _while_held(notification_id, token).values(
                lease_until=now() + timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return bool(result.rowcount)


def _compose(notification: Notification) -> Mail | Lapsed:
    composer = composer_for(notification.kind)
    if composer is None:
        return Lapsed(f"Onbekende soort melding: {notification.kind}.")
    recipient: User = notification.recipient
    if not recipient.active:
        return Lapsed("De ontvanger is niet meer actief.")
    if not recipient.has_credentials and not reaches_newcomers(notification.kind):
        # Invited, not yet in: if the address was wrong, a stranger must not read the table's mail.
        return Lapsed("De ontvanger heeft de uitnodiging nog niet aanvaard.")
    # In the recipient's language, whoever or whatever sends it.
    with force_locale(known(recipient.locale) or LANGUAGES[0]):
        return composer(notification, recipient)


def _deliver(notification_id: int, token: str, server: mail.MailServer | None, report: DispatchReport) -> None:
    config = current_app.config
    notification = db.session.get(
        Notification, notification_id, options=[joinedload(Notification.recipient)], populate_existing=True
    )
    if notification is None or notification.claimed_by != token:
        db.session.rollback()
        return
    try:
        composed = _compose(notification)
    except Exception as exc:  # a composer's bug must not stop the other messages
        log.exception("composing notification %s failed", notification_id)
        composed = exc  # type: ignore[assignment]
    recipient_name, recipient_email = notification.recipient.name, notification.recipient.email
    attempts = notification.attempts
    db.session.rollback()  # composing only read; the outcome is written in its own transaction

    if isinstance(composed, Exception):
        _retry_or_fail(notification_id, token, attempts, f"Opstellen mislukt: {composed!r}", report)
        return
    if isinstance(composed, Lapsed):
        _finish(notification_id, token, state=NotificationState.VERVALLEN, note=composed.reason)
        report.lapsed += 1
        return
    # What is kept leaves out a secret meant for the recipient alone (an invitation's link).
    kept = composed.text if composed.kept_text is None else composed.kept_text
    content = {"mail_subject": composed.subject[:300], "mail_text": kept}
    if server is None:
        _finish(notification_id, token, state=NotificationState.IN_POSTVAK, note=None, **content)
        report.kept += 1
        return
    if not _renew(notification_id, token):
        return  # the lease ran out and another process took the message over: it sends it
    msg_id = mail.message_id(config, notification_id)
    message = mail.build(config, composed, to_name=recipient_name, to_email=recipient_email, msg_id=msg_id)
    try:
        server.send(message)
    except mail.PermanentFailure as exc:
        _finish(notification_id, token, state=NotificationState.MISLUKT, note=str(exc), **content)
        report.failed += 1
        report.errors.append(str(exc))
        return
    except mail.ServerUnreachable:
        raise  # not this message's fault: the whole batch waits for the next round
    except mail.TemporaryFailure as exc:
        _retry_or_fail(notification_id, token, attempts, str(exc), report)
        return
    recorded = _finish(
        notification_id,
        token,
        state=NotificationState.VERZONDEN,
        sent_at=now(),
        message_id=msg_id,
        note=None,
        **content,
    )
    if recorded:
        report.sent += 1


def _retry_or_fail(notification_id: int, token: str, attempts: int, error: str, report: DispatchReport) -> None:
    attempts += 1
    report.errors.append(error)
    if attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        _finish(notification_id, token, state=NotificationState.MISLUKT, attempts=attempts, note=error)
        report.failed += 1
        return
    # 1, 4, 9, 16 minutes: a mail server that is down for a while is not hammered.
    retry_at = now() + timedelta(minutes=attempts**2)
    _finish(notification_id, token, state=NotificationState.GEPLAND, attempts=attempts, due_at=retry_at, note=error)
    report.retried += 1


def dispatch(token: str) -> DispatchReport:
    """Send (or keep in the outbox) every due notification this process can claim."""
    config = current_app.config
    report = DispatchReport()
    with_mail_server = mail.configured(config)
    server_context: Any = mail.MailServer(config) if with_mail_server else nullcontext(None)
    with server_context as server:
        while not STOP.is_set():
            ids = claim(token, with_mail_server=with_mail_server)
            if not ids:
                break
            for position, notification_id in enumerate(ids):
                if STOP.is_set():
                    _release(ids[position:], token)
                    break
                try:
                    _deliver(notification_id, token, server, report)
                except mail.ServerUnreachable as exc:
                    # Without a server no message can go; none of them used up an attempt.
                    _release(ids[position:], token)
                    report.errors.append(str(exc))
                    return report
    return report


def _release(ids: list[int], token: str) -> None:
    """Give back what this process claimed but will not send now (it is stopping, or the mail
    server cannot be reached): due again at once, for the next round."""
    for notification_id in ids:
        _finish(notification_id, token, state=NotificationState.GEPLAND)


# --- the beheerder's outbox -----------------------------------------------------------------------


@service
def retry(actor: User, notification: Notification) -> None:
    """Send a failed message again (after the beheerder fixed the mail settings, say)."""
    ensure(actor, Action.ADMINISTER)
    if notification.state is not NotificationState.MISLUKT:
        raise DomainError(_("Alleen een mislukt bericht kan opnieuw worden verstuurd."))
    notification.state = NotificationState.GEPLAND
    notification.attempts = 0
    notification.due_at = now()
    notification.note = None


@dataclass(frozen=True)
class OutboxLine:
    notification: Notification
    #: Whether the viewer may read what the message says (else only who, when, what kind).
    readable: bool


def outbox(viewer: User, state: NotificationState | None = None, limit: int = 200) -> list[OutboxLine]:
    """For the beheerder: notifications newest first, optionally in one state.

    A message about something of the other side's (or a vertrouwelijk item) is left out altogether;
    of the rest, the text shows only where the viewer may see what it is about."""
    query = select(Notification).options(joinedload(Notification.recipient))
    if state is not None:
        query = query.where(Notification.state == state)
    notifications = list(
        db.session.scalars(query.order_by(Notification.due_at.desc(), Notification.id.desc()).limit(limit))
    )
    subjects = subjects_of(notifications)
    admitted = set(audiences_for(viewer))
    lines = []
    for notification in notifications:
        subject = subjects.get(notification.id)
        readable = notification.recipient_id == viewer.id or (subject is not None and can(viewer, Action.VIEW, subject))
        audience = getattr(subject, "audience", Audience.OVERLEG)
        if readable or audience in admitted:
            lines.append(OutboxLine(notification, readable))
    return lines


def subjects_of(notifications: list[Notification]) -> dict[int, Any]:
    """What each notification is about, or the whole it is part of (the case of a step in it):
    a query per table, not per notification."""
    wanted: dict[int, tuple[str, int]] = {n.id: (n.subject_type, n.subject_id) for n in notifications}
    found: dict[int, Any] = {}
    for _level in range(3):
        by_table: dict[str, set[int]] = {}
        for table, ident in wanted.values():
            by_table.setdefault(table, set()).add(ident)
        loaded: dict[tuple[str, int], Any] = {}
        for table, ids in by_table.items():
            model = model_for_table(table)
            if model is None:
                continue
            for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
                loaded[(table, obj.id)] = obj
        parts: dict[int, tuple[str, int]] = {}
        for notification_id, key in wanted.items():
            obj = loaded.get(key)
            if obj is not None and getattr(obj, "body_id", None) is None:
                whole = ObjectRef.parse(obj.audit_main_object())
                if whole is not None:
                    parts[notification_id] = (whole.table, whole.id)
            else:
                found[notification_id] = obj
        if not parts:
            break
        wanted = parts
    return found


def get_notification(notification_id: int) -> Notification | None:
    return db.session.get(Notification, notification_id, options=[joinedload(Notification.recipient)])


def outbox_line(viewer: User, notification_id: int) -> OutboxLine | None:
    """One line of the outbox, or None when the viewer may not know of it (a 404)."""
    notification = get_notification(notification_id)
    if notification is None:
        return None
    subject = subjects_of([notification]).get(notification.id)
    readable = notification.recipient_id == viewer.id or (subject is not None and can(viewer, Action.VIEW, subject))
    if not readable and getattr(subject, "audience", Audience.OVERLEG) not in audiences_for(viewer):
        return None
    return OutboxLine(notification, readable)


def notifications_about(subject_type: str, subject_id: int) -> list[Notification]:
    """What was and will be sent about one item (the case page shows it to the secretariat)."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.subject_type == subject_type, Notification.subject_id == subject_id)
            .options(joinedload(Notification.recipient))
            .order_by(Notification.due_at, Notification.id)
        )
    )
