"""Which pages a person may open, from the role alone. The views and the navigation ask the same question."""

from services.accounts import roles
from services.accounts.models import User
from services.notifications.actions import may_retry_deliveries


def sees_district_figures(user: User) -> bool:
    """Dispatchers, leaders and administrators see district-wide figures such as on-site coverage."""
    return roles.reads_whole_district(user)


def runs_operations(user: User) -> bool:
    """System administrators watch the sweeps and the outbox, and send failed messages again."""
    return bool(user.is_authenticated and may_retry_deliveries(user))
