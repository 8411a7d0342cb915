"""The soak's stand-ins for the SMTP server and the SMS gateway: one JSON line per message sent.

Each line is written with a single ``write`` on a file opened for appending, so lines from several worker
processes never interleave. The soak compares the lines with the ``Delivery`` rows marked sent.
"""

import json
import os

from django.core.mail.backends.base import BaseEmailBackend


def _record(channel: str, address: str, text: str) -> None:
    line = json.dumps({"channel": channel, "address": address, "text": text}, ensure_ascii=False) + "\n"
    fd = os.open(os.environ["JIANGJIN_SOAK_SENT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


class JournalEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            for address in message.recipients():
                _record("email", address, f"{message.subject}\n{message.body}")
        return len(email_messages)


class JournalSmsSender:
    def send(self, *, phone: str, text: str) -> None:
        _record("sms", phone, text)
