from django.db.models import QuerySet

from services.accounts.models import User
from services.notifications.models import Notification


def list_notifications_for(actor: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=actor)


def unread_count(actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()
