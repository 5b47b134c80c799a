"""Sending what the outbox delivers: email through SMTP (smtplib) and webhook requests (httpx)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import httpx


@dataclass(frozen=True)
class SmtpMailer:
    """An SMTP server (COALITION_SMTP_*): one connection per message, STARTTLS and login where configured."""

    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    def send(self, to: str, subject: str, body: str, *, language: str, event_id: str) -> None:
        """Send one plain-text message; smtplib's errors (OSError, smtplib.SMTPException) tell why it was not."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(idstring=event_id, domain=self.sender.partition("@")[2] or None)
        message["X-Coalition-Event-Id"] = event_id
        message.set_content(body)
        message["Content-Language"] = language  # after the content, which replaces every Content- header
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


@dataclass(frozen=True)
class WebhookPoster:
    """Posts a signed body to a receiver; the answer's status code, or the reason no answer came."""

    timeout: float = 5.0

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
        try:
            answer = httpx.post(url, content=body, headers={"Content-Type": "application/json", **headers},
                                timeout=self.timeout, follow_redirects=False)
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"[:500]
        return answer.status_code, "" if answer.is_success else answer.text[:200]
