import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from services.accounts.models import User
from services.core import clock
from services.core.errors import NotPermitted
from services.notifications.models import Notification

logger = logging.getLogger(__name__)


def notify(*, recipient: User, source_key: str, kind: str, title: str, body: str = "", url: str = "") -> bool:
    """Put a message in the recipient's inbox once per source; e-mail it unless they take a digest.

    Returns whether a new message was created, so a repeated delivery sends nothing twice.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, source_key=source_key, kind=kind, title=title, body=body, url=url
            )
    except IntegrityError:
        return False
    if recipient.email and not recipient.wants_digest:
        try:
            send_mail(title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [recipient.email])
        except OSError:
            # The inbox has it; the mail is retried by the delivery sweep.
            logger.warning("e-mail to user %s failed", recipient.pk, exc_info=True)
        else:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=clock.now())
    return True


def mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise NotPermitted("")
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=clock.now())
