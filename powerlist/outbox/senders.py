"""How a message leaves: SMTP (smtplib) or a JSON webhook (企业微信/钉钉 group robots)."""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from powerlist.settings import Settings


class DeliveryError(RuntimeError):
    """A delivery attempt failed; the message says why (kept on the outbox row)."""


class Outgoing(Protocol):
    """What a sender needs of an outbox row."""

    channel: str
    recipient: str
    subject: str
    body: str


class Sender(Protocol):
    """Delivers one message or raises DeliveryError."""

    def __call__(self, message: Outgoing) -> None: ...


class SmtpSender:
    """Sends e-mail through one SMTP server, keeping one connection open for a whole pass."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        starttls: bool = False,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ):
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.user, self.password, self.timeout = starttls, user, password, timeout
        self._smtp: smtplib.SMTP | None = None

    def __call__(self, message: Outgoing) -> None:
        """Send `message` as a plain-text UTF-8 e-mail (reconnecting once if the link dropped)."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email.set_content(message.body)
        try:
            try:
                self._connection().send_message(email)
            except smtplib.SMTPServerDisconnected:
                self.close()
                self._connection().send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {error}") from error

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        """Say QUIT and drop the connection (ignoring a server that is already gone)."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with suppress(OSError, smtplib.SMTPException):
                smtp.quit()
            smtp.close()


@dataclass(frozen=True)
class WebhookSender:
    """Posts {"msgtype": "text", "text": {"content": …}} to a robot URL (WeCom/DingTalk shape)."""

    timeout: float = 15.0

    def __call__(self, message: Outgoing) -> None:
        """POST the message; a non-2xx answer or a JSON errcode other than 0 is a failure."""
        content = f"{message.subject}\n{message.body}"
        data = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False)
        request = urllib.request.Request(
            message.recipient,
            data=data.encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read(65536)
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryError(f"webhook {redact_url(message.recipient)}: {error}") from error
        _check_robot_answer(answer, message.recipient)


def _check_robot_answer(answer: bytes, url: str) -> None:
    try:
        parsed = json.loads(answer or b"{}")
    except ValueError:
        return  # a plain 2xx without JSON is accepted
    if isinstance(parsed, dict) and parsed.get("errcode", 0) != 0:
        code, text = parsed.get("errcode"), parsed.get("errmsg")
        raise DeliveryError(f"webhook {redact_url(url)}: errcode {code} {text}")


def redact_url(url: str) -> str:
    """A robot URL without its query (企业微信/钉钉 put the robot's secret key there)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def senders_from(settings: Settings) -> dict[str, Sender]:
    """The sender for each channel, configured from POWERLIST_SMTP_* settings."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return {
        "smtp": SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_sender,
            settings.smtp_starttls,
            settings.smtp_user,
            password,
        ),
        "webhook": WebhookSender(),
    }
