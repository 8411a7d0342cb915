"""Inbox messages and their deliveries by e-mail and SMS.

``notify`` writes the inbox row and the outbox rows in one go and is idempotent per source: a repeated
delivery of the same event creates nothing. Sending happens in ``attempt_delivery``, which a sweep retries
with backoff until it succeeds or gives up and leaves the row for an operator to retry.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from services.accounts import roles
from services.accounts.models import User
from services.core import clock
from services.core.errors import NotPermitted
from services.notifications.models import Channel, Delivery, DeliveryStatus, Digest, Notification
from services.notifications.selectors import forget_unread_count
from services.notifications.senders import SENDERS, DeliveryError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def notify(
    *,
    recipient: User,
    source_key: str,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    sms: bool = False,
    sms_not_before: datetime | None = None,
) -> list[int] | None:
    """Put a message in the inbox once per source, with its e-mail and SMS deliveries.

    Officials who take a daily digest get no immediate e-mail; SMS (for escalations and urgent matters)
    always goes out, from ``sms_not_before`` on if given (supervision waits for working hours). Returns the
    ids of the deliveries created, or None if the message existed already.
    """
    now = clock.now()
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, source_key=source_key, kind=kind, title=title, body=body, url=url
            )
            deliveries = []
            if recipient.email and not recipient.wants_digest:
                deliveries.append((Channel.EMAIL, recipient.email))
            if sms and recipient.phone:
                deliveries.append((Channel.SMS, recipient.phone))
            created = Delivery.objects.bulk_create(
                Delivery(
                    notification=notification,
                    recipient=recipient,
                    channel=channel,
                    address=address,
                    subject=title,
                    body=f"{body}\n\n{url}".strip(),
                    source_key=source_key,
                    next_attempt_at=max(now, sms_not_before)
                    if channel == Channel.SMS and sms_not_before
                    else now,
                )
                for channel, address in deliveries
            )
    except IntegrityError:
        return None
    forget_unread_count(recipient)  # now, and again once committed: no other request caches the old count
    transaction.on_commit(lambda: forget_unread_count(recipient))
    return [delivery.pk for delivery in created]


def attempt_delivery(delivery_id: int) -> bool:
    """Send one pending delivery if it is due; safe to call twice or from two workers at once."""
    now = clock.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        try:
            SENDERS[delivery.channel](address=delivery.address, subject=delivery.subject, body=delivery.body)
        except DeliveryError as error:
            delivery.last_error = str(error)[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
            logger.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
            delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def due_delivery_ids(*, limit: int = 500) -> list[int]:
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=clock.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def may_retry_deliveries(actor: User) -> bool:
    """System administrators, and only they, send failed messages again."""
    return roles.is_administrator(actor)


def retry_failed_deliveries(*, actor: User, ids: list[int] | None = None) -> int:
    """An operator sends failed deliveries again, from the first attempt."""
    if not may_retry_deliveries(actor):
        raise NotPermitted(_("只有系统管理员可以重发失败的消息。"))
    failed = Delivery.objects.filter(status=DeliveryStatus.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=ids)
    return failed.update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now(), last_error=""
    )


def send_digests(*, day_end: datetime | None = None) -> int:
    """One e-mail a day per official who chose the digest, listing what came in since the last one."""
    now = day_end or clock.now()
    day = timezone.localtime(now).date()
    waiting = Notification.objects.filter(digested_at__isnull=True, created_at__lte=now)
    recipients = User.objects.filter(
        Q(wants_digest=True, is_active=True) & ~Q(email=""), pk__in=waiting.values("recipient_id")
    )
    sent = 0
    for recipient in recipients:
        with transaction.atomic():
            digest, created = Digest.objects.get_or_create(recipient=recipient, day=day)
            if not created:
                continue
            items = list(
                waiting.filter(recipient=recipient)
                .select_for_update()
                .order_by("created_at")
                .values_list("pk", "title")
            )
            with translation.override(recipient.language):
                subject = _("江津企业服务每日汇总：%(count)d条新消息") % {"count": len(items)}
            body = "\n".join(f"· {title}" for _pk, title in items)
            Delivery.objects.create(
                recipient=recipient,
                channel=Channel.EMAIL,
                address=recipient.email,
                subject=subject,
                body=body,
                source_key=f"digest:{day.isoformat()}",
                next_attempt_at=now,
            )
            Notification.objects.filter(pk__in=[pk for pk, _title in items]).update(digested_at=now)
            digest.notifications = len(items)
            digest.save(update_fields=["notifications"])
            sent += 1
    return sent


def mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise NotPermitted(_("这不是您的消息。"))
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
        forget_unread_count(actor)
    return notification


def mark_all_read(*, actor: User) -> int:
    marked = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=clock.now())
    forget_unread_count(actor)
    return marked
