"""How messages leave the building. SMS goes through a pluggable sender named in settings
(``JIANGJIN_SMS_SENDER``); the default logs, which is what development and the demo want."""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("jiangjin.sms")


class DeliveryError(Exception):
    """The channel refused or failed; the delivery is retried later."""


class SmsSender(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class LoggingSmsSender:
    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


def sms_sender() -> SmsSender:
    return import_string(settings.JIANGJIN_SMS_SENDER)()


def send_email(*, address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError as error:  # SMTP errors are OSErrors
        raise DeliveryError(str(error)) from error
    except Exception as error:
        # A backend may refuse in other ways (a malformed address is a ValueError). Uncaught, the error would
        # roll back the attempt: never counted, never failed, retried first at every sweep and in the way of
        # every delivery queued behind it.
        raise DeliveryError(repr(error)) from error


def send_sms(*, address: str, subject: str, body: str) -> None:
    try:
        sms_sender().send(phone=address, text=f"【江津企业服务】{subject}")
    except DeliveryError:
        raise
    except Exception as error:  # a vendor SDK may raise anything; it must not lose the message
        raise DeliveryError(repr(error)) from error


SENDERS = {"email": send_email, "sms": send_sms}
