"""Sending over SMTP (``MAIL_*`` settings). Without ``MAIL_SERVER`` nothing is sent: messages stay
in the outbox until a scheduler with a mail server sends them on."""

from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from types import TracebackType
from typing import Any

from core.dates import now
from notify.registry import Mail


class TemporaryFailure(Exception):
    """The server could not take the message now (4xx, connection trouble): try again later."""


class ServerUnreachable(TemporaryFailure):
    """No connection to the mail server at all: no message can go, whichever it is."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


def configured(config: Any) -> bool:
    return bool(config.get("MAIL_SERVER"))


def sender_address(config: Any) -> str:
    return str(config.get("MAIL_DEFAULT_SENDER") or "Regiotafel <noreply@regiotafel.invalid>")


def message_id(config: Any, notification_id: int) -> str:
    """One Message-ID per notification: should it ever reach a server twice, mail clients fold it."""
    domain = parseaddr(sender_address(config))[1].rpartition("@")[2] or "regiotafel.invalid"
    return f"<regiotafel-melding-{notification_id}@{domain}>"


def build(config: Any, mail: Mail, *, to_name: str, to_email: str, msg_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender_address(config)
    message["To"] = Address(display_name=to_name, addr_spec=to_email)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now())
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message.set_content(mail.text)
    for attachment in mail.attachments:
        message.add_attachment(
            attachment.data,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            params=attachment.params,
        )
    return message


class MailServer:
    """One SMTP connection for a batch of messages."""

    def __init__(self, config: Any) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = int(config.get("MAIL_PORT") or 25)
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = float(config.get("MAIL_TIMEOUT") or 30)
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> MailServer:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            try:
                if self.use_ssl:
                    smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                        self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                    )
                else:
                    smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                    if self.use_tls:
                        smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
            except (OSError, smtplib.SMTPException) as exc:
                raise ServerUnreachable(f"Geen verbinding met de mailserver {self.host}:{self.port}: {exc}") from exc
            self._smtp = smtp
        return self._smtp

    def send(self, message: EmailMessage) -> None:
        connection = self._connection()
        try:
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = PermanentFailure if all(code >= 500 for code in codes) else TemporaryFailure
            raise error(f"Ontvanger geweigerd: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            error = PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure
            raise error(f"De mailserver antwoordde {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TemporaryFailure(f"Versturen mislukt: {exc}") from exc

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None
