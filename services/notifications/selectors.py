from django.core.cache import cache
from django.db.models import QuerySet

from services.accounts.models import User
from services.notifications.models import Notification


def list_notifications_for(actor: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=actor)


def unread_count(actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


# The header shows the unread count on every page: kept in the cache a short while per user, forgotten by
# the actions that add or read messages (notify, mark_read, mark_all_read). The key carries date_joined so a
# recreated database (tests) never meets an old count under a reused id.
UNREAD_CACHE_SECONDS = 60


def _unread_key(user: User) -> str:
    return f"notifications:unread:{user.pk}:{user.date_joined.timestamp():.6f}"


def cached_unread_count(actor: User) -> int:
    count = cache.get(_unread_key(actor))
    if count is None:
        count = unread_count(actor)
        cache.set(_unread_key(actor), count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread_count(user: User) -> None:
    cache.delete(_unread_key(user))
