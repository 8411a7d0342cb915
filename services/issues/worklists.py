"""Reads behind each role's work list: the enterprise's tabs, the unit's inbox with its counts, the
dispatcher's queues, and search. Every list starts from the actor's scope (``list_issues_for``), so a
person never finds what they may not see; counts are one aggregate query each, whatever the number of rows.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts import roles
from services.accounts.models import User
from services.core import sqlread
from services.core.api import choice_label
from services.departments.models import Unit
from services.enterprises.models import Enterprise
from services.issues.lifecycle import FINAL_STATUSES, Status
from services.issues.models import (
    Category,
    ExtensionRequest,
    ExtensionStatus,
    Issue,
    IssueUnit,
    Stage,
    StageClock,
    Urgency,
)
from services.issues.routing import default_lead_unit
from services.issues.selectors import (
    aware,
    list_issues_for,
    unit_inbox,
    unit_inbox_keys_sql,
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


# The inbox's counts and its usual page, written out: the ORM spent more CPU building and compiling these
# two statements than PostgreSQL spends running them, and they run on every view of every unit's inbox.
# The counts group the unit's running clocks by issue from the index ``clock_unit_running_issue`` first, then
# ask each issue once whether it is being handled, of the partial index ``issue_handling``: at 1,000,000
# issues a unit with 2,037 open ones counts in 3 ms of PostgreSQL time, not 20-40. ``CASE`` rather than
# ``FILTER`` so that the demo's SQLite runs the same statement.
_UNIT_COUNTS_SQL = """
SELECT COUNT(*), COALESCE(SUM(mine.to_sign), 0),
       COALESCE(SUM(CASE WHEN EXISTS (
         SELECT 1 FROM {issues} AS issue WHERE issue.id = mine.issue_id AND issue.status = '{handling}'
       ) THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(mine.due_today), 0), COALESCE(SUM(mine.overdue), 0)
FROM (
  SELECT clock.issue_id,
         MAX(CASE WHEN clock.stage = %s THEN 1 ELSE 0 END) AS to_sign,
         MAX(CASE WHEN clock.due_at >= %s AND clock.due_at < %s THEN 1 ELSE 0 END) AS due_today,
         MAX(CASE WHEN clock.due_at < %s THEN 1 ELSE 0 END) AS overdue
  FROM {clocks} AS clock
  WHERE clock.unit_id = %s AND clock.met_at IS NULL AND clock.stopped_at IS NULL
  GROUP BY clock.issue_id
) AS mine
"""
_HANDLING = Status.HANDLING.value
assert _HANDLING.isidentifier()  # written into SQL as a literal
COUNT_KEYS = ("all", "to_sign", "handling", "due_today", "overdue")


def unit_counts(actor: User, *, now: datetime) -> dict[str, int]:
    """To sign, being handled, due today and overdue: the unit's running clocks, counted per issue; ``all``
    is the whole inbox (every issue with a running clock of the unit)."""
    if not roles.is_unit_staff(actor):
        return dict.fromkeys(COUNT_KEYS, 0)
    _start, end = _day_bounds(now)
    moment = connection.ops.adapt_datetimefield_value
    # The status is written into the statement, not bound: a prepared statement's generic plan could not
    # otherwise match it to the partial index (a constant of the code, never input).
    sql = _UNIT_COUNTS_SQL.format(
        clocks=sqlread.table(StageClock), issues=sqlread.table(Issue), handling=_HANDLING
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [Stage.SIGN.value, moment(now), moment(end), moment(now), actor.unit_id],
        )
        return dict(zip(COUNT_KEYS, cursor.fetchone(), strict=True))


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
    (``unit_inbox_keys``) picks a page's issues and their soonest running clock, and the same statement
    reads the rows as ``rows_of`` shapes them. Same order as ``unit_worklist`` (soonest due, then issue id);
    ``total`` is ``unit_counts()["all"]``. A page costs the same for a unit with a hundred open issues and
    for one with thousands."""

    def __init__(self, actor: User, *, total: int) -> None:
        self.actor = actor
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[dict]:
        return inbox_rows(self.actor, limit=window.stop)[window.start : window.stop]


_INBOX_ROWS_SQL = """
WITH page AS ({keys})
SELECT issue.id, issue.number, issue.title, issue.status, issue.urgency, enterprise.name, category.name,
       parent.name, lead.short_name, page.due_at, page.stage, page.due_from_fallback
FROM page
JOIN {issues} AS issue ON issue.id = page.issue_id
JOIN {enterprises} AS enterprise ON enterprise.id = issue.enterprise_id
JOIN {categories} AS category ON category.id = issue.category_id
LEFT JOIN {categories} AS parent ON parent.id = category.parent_id
LEFT JOIN {units} AS lead ON lead.id = issue.lead_unit_id
WHERE EXISTS (SELECT 1 FROM {parts} AS part WHERE part.issue_id = issue.id AND part.unit_id = %s)
ORDER BY page.due_at, page.issue_id
"""


def inbox_rows(actor: User, *, limit: int) -> list[dict]:
    """The first ``limit`` rows of the actor's unit inbox for the list template, each with the stage its
    soonest due belongs to: one statement. The rows are those the unit may see (``visible_issues``)."""
    if not roles.is_unit_staff(actor):
        return []
    keys, params = unit_inbox_keys_sql(actor, after=None, limit=limit)
    sql = _INBOX_ROWS_SQL.format(
        keys=keys,
        issues=sqlread.table(Issue),
        enterprises=sqlread.table(Enterprise),
        categories=sqlread.table(Category),
        units=sqlread.table(Unit),
        parts=sqlread.table(IssueUnit),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, actor.unit_id])
        return [_row(values[:9], aware(values[9]), values[10], values[11]) for values in cursor.fetchall()]


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
