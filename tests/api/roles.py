"""Role names for the permission matrices, and small builders the API tests share."""

import itertools

ROLES = (
    "enterprise_user",
    "specialist",
    "handler",
    "unit_head",
    "dispatcher",
    "leader",
    "administrator",
    "anonymous",
)
SIGNED_IN = ROLES[:-1]
EDITORS = ("administrator",)


_messages = itertools.count(1)


def fill_inbox(recipient, *, unread: int, read: int = 0) -> list:
    """Put ``unread`` unread and ``read`` read messages in ``recipient``'s inbox, oldest first."""
    from services.core import clock
    from services.notifications.models import Notification

    made = []
    for n in range(unread + read):
        number = next(_messages)
        made.append(
            Notification.objects.create(
                recipient=recipient,
                kind="dispatched",
                title=f"新派单：招工难，急需焊工{number}名🔧",
                body="请在1个工作日内签收。",
                url="/issues/1/",
                source_key=f"test:{number}",
                read_at=clock.now() if n >= unread else None,
            )
        )
    return made
