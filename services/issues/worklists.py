"""Reads behind each role's work list: the enterprise's tabs, the unit's inbox with its counts, the
dispatcher's queues, and search. Every list starts from the actor's scope (``list_issues_for``), so a
person never finds what they may not see; counts are one aggregate query each, whatever the number of rows.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts import roles
from services.accounts.models import User
from services.core.api import choice_label
from services.issues.lifecycle import FINAL_STATUSES, Status
from services.issues.models import ExtensionRequest, ExtensionStatus, Issue, Stage, StageClock, Urgency
from services.issues.routing import default_lead_unit
from services.issues.selectors import (
    list_issues_for,
    unit_inbox,
    unit_inbox_keys,
    visible_issues,
    with_next_due,
)

SEARCH_MAX = 50


@dataclass(frozen=True)
class Tab:
    key: str
    label: str


def search(issues: QuerySet[Issue], words: str) -> QuerySet[Issue]:
    """By number, enterprise name or words of the title; every word must match one of them."""
    for word in words.split()[:5]:
        word = word[:SEARCH_MAX]
        issues = issues.filter(
            Q(number__icontains=word) | Q(enterprise__name__icontains=word) | Q(title__icontains=word)
        )
    return issues


# ---------------------------------------------------------------- the enterprise's problems

AWAITING_RATING = (Status.RESPONDED,)
BEING_HANDLED = tuple(s for s in Status if s not in FINAL_STATUSES and s not in AWAITING_RATING)

ENTERPRISE_TABS = (
    Tab("open", _("办理中")),
    Tab("rate", _("待我评价")),
    Tab("closed", _("已结束")),
    Tab("all", _("全部")),
)
_ENTERPRISE_TAB_FILTERS = {
    "open": Q(status__in=BEING_HANDLED),
    "rate": Q(status__in=AWAITING_RATING),
    "closed": Q(status__in=FINAL_STATUSES),
    "all": Q(),
}


def enterprise_tab_counts(actor: User) -> dict[str, int]:
    return list_issues_for(actor).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in _ENTERPRISE_TAB_FILTERS.items()}
    )


def with_due_flags(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    """``next_due_at`` as the lists compute it, and whether that soonest due was counted Monday to Friday."""
    soonest = StageClock.objects.filter(
        issue_id=OuterRef("pk"), met_at__isnull=True, stopped_at__isnull=True
    ).order_by("due_at")
    return with_next_due(issues).annotate(next_due_fallback=Subquery(soonest.values("due_from_fallback")[:1]))


def enterprise_issues(actor: User, *, tab: str) -> QuerySet[Issue]:
    condition = _ENTERPRISE_TAB_FILTERS.get(tab, _ENTERPRISE_TAB_FILTERS["open"])
    return with_due_flags(list_issues_for(actor).filter(condition)).order_by("-created_at", "-pk")


# ---------------------------------------------------------------- the unit's inbox


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    today = timezone.localtime(now).date()
    start = timezone.make_aware(datetime.combine(today, time.min))
    return start, start + timedelta(days=1)


def unit_counts(actor: User, *, now: datetime) -> dict[str, int]:
    """To sign, being handled, due today and overdue: the unit's running clocks, counted per issue; ``all``
    is the whole inbox (every issue with a running clock of the unit)."""
    if not roles.is_unit_staff(actor):
        return {"all": 0, "to_sign": 0, "handling": 0, "due_today": 0, "overdue": 0}
    _start, end = _day_bounds(now)
    running = StageClock.objects.filter(unit_id=actor.unit_id, met_at__isnull=True, stopped_at__isnull=True)
    return running.aggregate(
        all=Count("issue", distinct=True),
        to_sign=Count("issue", distinct=True, filter=Q(stage=Stage.SIGN)),
        handling=Count("issue", distinct=True, filter=Q(issue__status=Status.HANDLING)),
        due_today=Count("issue", distinct=True, filter=Q(due_at__gte=now, due_at__lt=end)),
        overdue=Count("issue", distinct=True, filter=Q(due_at__lt=now)),
    )


UNIT_FILTERS = (
    Tab("all", _("全部待办")),
    Tab("to_sign", _("待签收")),
    Tab("handling", _("办理中")),
    Tab("due_today", _("今日到期")),
    Tab("overdue", _("已超期")),
)


def unit_worklist(actor: User, *, show: str, now: datetime, words: str = "") -> QuerySet[Issue]:
    """The unit's inbox, soonest due first, each row with the stage its soonest due time belongs to."""
    running = StageClock.objects.filter(
        issue_id=OuterRef("pk"), unit_id=actor.unit_id, met_at__isnull=True, stopped_at__isnull=True
    ).order_by("due_at", "pk")
    issues = unit_inbox(actor).annotate(
        next_stage=Subquery(running.values("stage")[:1]),
        next_due_fallback=Subquery(running.values("due_from_fallback")[:1]),
    )
    _start, end = _day_bounds(now)
    if show == "to_sign":
        issues = issues.filter(Exists(running.filter(stage=Stage.SIGN)))
    elif show == "handling":
        issues = issues.filter(status=Status.HANDLING)
    elif show == "due_today":
        issues = issues.filter(Exists(running.filter(due_at__gte=now, due_at__lt=end)))
    elif show == "overdue":
        issues = issues.filter(Exists(running.filter(due_at__lt=now)))
    if words:
        issues = search(issues, words)
    return issues


class UnitInbox:
    """The unfiltered inbox as the paginator's object list: the keyset walk of the API's inbox
    (``unit_inbox_keys``) picks a page's ids and dues, and only those rows are read, as ``list_rows``.
    Same order as ``unit_worklist`` (soonest due, then issue id); ``total`` is ``unit_counts()["all"]``.
    A page costs the same for a unit with a hundred open issues and for one with thousands."""

    def __init__(self, actor: User, *, total: int) -> None:
        self.actor = actor
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[dict]:
        keys = unit_inbox_keys(self.actor, after=None, limit=window.stop)[window.start : window.stop]
        return list_rows(self.actor, keys)


# What ``web/_issue_list.html`` shows of a problem, read as values: no model instances, labels looked up
# once per language.
_ROW_VALUES = (
    "pk",
    "number",
    "title",
    "status",
    "urgency",
    "enterprise__name",
    "category__name",
    "category__parent__name",
    "lead_unit__short_name",
)


def _row(values: tuple, next_due_at: datetime | None, next_stage: str | None, fallback: bool = False) -> dict:
    pk, number, title, status, urgency, enterprise, category, parent, lead_unit = values
    return {
        "pk": pk,
        "number": number,
        "title": title,
        "status": status,
        "status_label": choice_label(Status, status),
        "urgency": urgency,
        "urgency_label": choice_label(Urgency, urgency),
        "enterprise": {"name": enterprise},
        "category": f"{parent} / {category}" if parent else category,
        "lead_unit": {"short_name": lead_unit} if lead_unit else None,
        "next_due_at": next_due_at,
        "next_stage": next_stage,
        "next_due_fallback": bool(fallback),
    }


def list_rows(actor: User, keys: list[tuple[int, datetime]]) -> list[dict]:
    """The rows of ``keys`` (``(issue id, soonest due)`` of the actor's unit, in order) for the list
    template, with the stage the soonest due belongs to. Two queries, whatever the page's length."""
    if not keys:
        return []
    ids = [pk for pk, _due in keys]
    rows = {
        values[0]: values for values in visible_issues(actor).filter(pk__in=ids).values_list(*_ROW_VALUES)
    }
    soonest: dict[int, tuple[str, bool]] = {}
    running = StageClock.objects.filter(
        issue_id__in=ids, unit_id=actor.unit_id, met_at__isnull=True, stopped_at__isnull=True
    ).order_by("-due_at", "-pk")  # the soonest last, so it is the one kept
    for issue_id, stage, fallback in running.values_list("issue_id", "stage", "due_from_fallback"):
        soonest[issue_id] = (stage, fallback)
    return [_row(rows[pk], due, *soonest.get(pk, (None, False))) for pk, due in keys if pk in rows]


def rows_of(issues) -> list[dict]:
    """Model rows of a filtered inbox page in the same shape as ``list_rows``."""
    return [
        _row(
            (
                issue.pk,
                issue.number,
                issue.title,
                issue.status,
                issue.urgency,
                issue.enterprise.name,
                issue.category.name,
                issue.category.parent.name if issue.category.parent_id else None,
                issue.lead_unit.short_name if issue.lead_unit_id else None,
            ),
            issue.next_due_at,
            getattr(issue, "next_stage", None),
            getattr(issue, "next_due_fallback", False),
        )
        for issue in issues
    ]


# ---------------------------------------------------------------- the dispatcher's queues


def _pending_extension() -> Exists:
    return Exists(ExtensionRequest.objects.filter(issue_id=OuterRef("pk"), status=ExtensionStatus.PENDING))


def _overdue(now: datetime) -> Exists:
    return Exists(
        StageClock.objects.filter(
            issue_id=OuterRef("pk"), met_at__isnull=True, stopped_at__isnull=True, due_at__lt=now
        )
    )


DISPATCH_QUEUES = (
    Tab("to_accept", _("待受理")),
    Tab("to_dispatch", _("待派单")),
    Tab("sent_back", _("退回待转办")),
    Tab("extensions", _("延期申请")),
    Tab("review", _("不满意待研判")),
    Tab("supervision", _("超期督办")),
    Tab("all", _("全部")),
)


def _queue_condition(key: str, now: datetime) -> Q | Exists:
    return {
        "to_accept": Q(status=Status.SUBMITTED),
        "to_dispatch": Q(status=Status.ACCEPTED),
        "sent_back": Q(status=Status.SENT_BACK),
        "extensions": _pending_extension(),
        "review": Q(status=Status.UNDER_REVIEW),
        "supervision": _overdue(now),
        "all": Q(),
    }[key]


def dispatch_counts(actor: User, *, now: datetime) -> dict[str, int]:
    issues = list_issues_for(actor).annotate(
        has_pending_extension=_pending_extension(), is_overdue=_overdue(now)
    )
    return issues.aggregate(
        to_accept=Count("pk", filter=Q(status=Status.SUBMITTED)),
        to_dispatch=Count("pk", filter=Q(status=Status.ACCEPTED)),
        sent_back=Count("pk", filter=Q(status=Status.SENT_BACK)),
        extensions=Count("pk", filter=Q(has_pending_extension=True)),
        review=Count("pk", filter=Q(status=Status.UNDER_REVIEW)),
        supervision=Count("pk", filter=Q(is_overdue=True)),
        all=Count("pk"),
    )


def dispatch_queue(actor: User, *, queue: str, now: datetime, words: str = "") -> QuerySet[Issue]:
    key = queue if queue in {tab.key for tab in DISPATCH_QUEUES} else "to_accept"
    issues = with_due_flags(list_issues_for(actor).filter(_queue_condition(key, now)))
    if words:
        issues = search(issues, words)
    # Oldest first where the dispatcher works through a queue; the supervision board by due time.
    if key in ("supervision", "extensions"):
        return issues.order_by("next_due_at", "pk")
    if key == "all":
        return issues.order_by("-created_at", "-pk")
    return issues.order_by("created_at", "pk")


# ---------------------------------------------------------------- choices the dispatcher's forms offer


def merge_candidates(actor: User, issue: Issue, *, limit: int = 50) -> QuerySet[Issue]:
    """Other problems of the same enterprise that a duplicate can be merged into, newest first."""
    return (
        list_issues_for(actor)
        .filter(enterprise_id=issue.enterprise_id)
        .exclude(pk=issue.pk)
        .exclude(status__in=(Status.MERGED, Status.REJECTED, Status.WITHDRAWN))
        .order_by("-created_at", "-pk")[:limit]
    )


def suggested_lead_unit_id(issue: Issue) -> int | None:
    """The unit that leads this problem by default: its category's, or its location's for local categories."""
    unit = default_lead_unit(issue.category, issue.enterprise)
    return unit.pk if unit is not None else None
