"""Which pages a person may open, from the role alone. The views and the navigation ask the same question."""

from services.accounts.models import User
from services.issues.selectors import DISTRICT_WIDE
from services.notifications.actions import may_retry_deliveries


def sees_district_figures(user: User) -> bool:
    """Dispatchers, leaders and administrators see district-wide figures such as on-site coverage."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role in DISTRICT_WIDE)
    )


def runs_operations(user: User) -> bool:
    """System administrators watch the sweeps and the outbox, and send failed messages again."""
    return bool(user.is_authenticated and may_retry_deliveries(user))
