"""Sending e-mail through the SMTP server named by ``VSSID_SMTP_URL`` (stdlib ``smtplib``).

The URL: ``smtp://[user:password@]host[:port][?from=address]``, where the scheme says how
the connection is protected: ``smtp`` (plain, port 25: a relay on the same network),
``smtp+starttls`` (STARTTLS, port 587) or ``smtps`` (TLS from the start, port 465). User and
password are percent-encoded; ``from`` is the sender's address (default ``vssid@`` the
host).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
#: Seconds to wait for the SMTP server at each step.
TIMEOUT = 30.0


class MailFailed(Exception):
    """Sending stopped: ``sent`` messages had been accepted before ``cause``."""

    def __init__(self, sent: int, cause: Exception) -> None:
        super().__init__(f"{sent} e-mails sent, then: {type(cause).__name__}: {cause}")
        self.sent = sent


@dataclass(frozen=True, slots=True)
class Smtp:
    """Where and how to send mail."""

    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def parse(cls, url: str) -> Smtp:
        """Read ``VSSID_SMTP_URL`` (ValueError, saying what is wrong, when unusable)."""
        parts = urlsplit(url)
        if parts.scheme not in PORTS or not parts.hostname:
            raise ValueError(
                f"VSSID_SMTP_URL must be smtp://, smtp+starttls:// or smtps://host…, not {url!r}"
            )
        sender = parse_qs(parts.query).get("from", [f"vssid@{parts.hostname}"])[0]
        return cls(
            scheme=parts.scheme, host=parts.hostname, port=parts.port or PORTS[parts.scheme],
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None, sender=sender,
        )  # fmt: skip

    def send(self, messages: Iterable[EmailMessage]) -> int:
        """Send ``messages`` over one connection; how many the server accepted
        (:class:`MailFailed`, saying how many went, when the server or network fails)."""
        context = ssl.create_default_context()
        sent = 0
        try:
            client: smtplib.SMTP
            if self.scheme == "smtps":
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
            with client:
                if self.scheme == "smtp+starttls":
                    client.starttls(context=context)
                if self.user is not None:
                    client.login(self.user, self.password or "")
                for message in messages:
                    client.send_message(message, from_addr=self.sender)
                    sent += 1
        except (OSError, smtplib.SMTPException) as error:
            raise MailFailed(sent, error) from error
        return sent
