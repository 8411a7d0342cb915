"""Role predicates: the one place that says who counts as an administrator, a dispatcher or a district-wide
reader. Every app asks these instead of comparing ``user.role`` by hand."""

from services.accounts.models import UNIT_ROLES, Role, User

# Roles that read every enterprise's problems and the district's figures.
DISTRICT_WIDE = (Role.DISPATCHER, Role.LEADER, Role.ADMIN)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_administrator(user: User) -> bool:
    """The system operator: the administrator role, or a superuser (``createsuperuser``)."""
    return _active(user) and (user.is_superuser or user.role == Role.ADMIN)


def reads_whole_district(user: User) -> bool:
    """Dispatchers, leaders and administrators see every problem and the district-wide figures."""
    return _active(user) and (user.is_superuser or user.role in DISTRICT_WIDE)


def is_dispatcher(user: User) -> bool:
    return _active(user) and user.role == Role.DISPATCHER


def is_specialist(user: User) -> bool:
    return _active(user) and user.role == Role.SPECIALIST


def is_enterprise_user(user: User) -> bool:
    return _active(user) and user.role == Role.ENTERPRISE and user.enterprise_id is not None


def is_unit_staff(user: User) -> bool:
    return _active(user) and user.role in UNIT_ROLES


def is_official(user: User) -> bool:
    """Anyone who works for the district (everyone but enterprise staff)."""
    return _active(user) and user.role != Role.ENTERPRISE
