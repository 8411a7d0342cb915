"""Reads scoped to the actor. The list and the detail use the same scope, so "not yours" is "not found"."""

from datetime import UTC, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from services.accounts import roles
from services.accounts.models import Role, User
from services.core import clock, sqlread
from services.departments.models import Unit
from services.enterprises.models import Enterprise, SpecialistAssignment
from services.enterprises.selectors import current_specialist_id
from services.issues.lifecycle import Status
from services.issues.models import (
    Category,
    ExtensionRequest,
    ExtensionStatus,
    Issue,
    IssueAttachment,
    IssueEvent,
    IssuePolicy,
    IssueUnit,
    Stage,
    StageClock,
    UnitRole,
)
from services.issues.permissions import Facts, local_day
from services.workcalendar.calendar import working_days_between


def visible_issues(actor: User) -> QuerySet[Issue]:
    issues = Issue.objects.all()
    if not actor.is_authenticated or not actor.is_active:
        return issues.none()
    if roles.reads_whole_district(actor):
        return issues
    if actor.role == Role.ENTERPRISE:
        return issues.filter(enterprise_id=actor.enterprise_id)
    if actor.role == Role.SPECIALIST:
        serving = SpecialistAssignment.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), specialist=actor, ended_on__isnull=True
        )
        return issues.filter(Q(Exists(serving)) | Q(filed_by=actor))
    if actor.is_unit_staff:
        # A unit keeps seeing what it once handled: it may be asked about it later.
        parts = IssueUnit.objects.filter(issue_id=OuterRef("pk"), unit_id=actor.unit_id)
        return issues.filter(Exists(parts))
    return issues.none()


def list_issues_for(actor: User) -> QuerySet[Issue]:
    return visible_issues(actor).select_related("enterprise", "category", "category__parent", "lead_unit")


def get_issue_for(*, actor: User, issue_id: int) -> Issue:
    try:
        return list_issues_for(actor).select_related("filed_by", "rated_by", "merged_into").get(pk=issue_id)
    except (Issue.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def events_of(issue: Issue) -> QuerySet[IssueEvent]:
    return issue.events.select_related("actor", "actor_unit").order_by("created_at", "pk")


_HISTORY_EVENT = sqlread.columns(IssueEvent, "event")
_HISTORY_ACTOR = sqlread.columns(
    User, "actor", ("username", "display_name", "first_name", "last_name", "phone")
)
_HISTORY_UNIT = sqlread.columns(Unit, "unit", ("code", "name", "short_name"))


def history_of(issue: Issue) -> list[IssueEvent]:
    """``events_of`` for the problem page, written out (see ``get_issue_detail_for``): every event in order,
    with who acted (name and phone) and for which unit."""
    found = sqlread.rows(
        f"SELECT {_HISTORY_EVENT.sql}, {_HISTORY_ACTOR.sql}, {_HISTORY_UNIT.sql} FROM {_HISTORY_EVENT.table}"
        f" LEFT JOIN {_HISTORY_ACTOR.table} ON actor.id = event.actor_id"
        f" LEFT JOIN {_HISTORY_UNIT.table} ON unit.id = event.actor_unit_id"
        " WHERE event.issue_id = %s ORDER BY event.created_at, event.id",
        [issue.pk],
        _HISTORY_EVENT,
        _HISTORY_ACTOR,
        _HISTORY_UNIT,
    )
    events = []
    for event, actor, unit in found:
        sqlread.attach(event, "actor", actor)
        sqlread.attach(event, "actor_unit", unit)
        events.append(event)
    return events


def attachments_of(issue: Issue) -> QuerySet[IssueAttachment]:
    return issue.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")


def get_attachment_for(*, actor: User, issue_id: int, attachment_id: int) -> IssueAttachment:
    """An attachment of an issue the actor may see; 404 like the issue's own for anything else."""
    issue = get_issue_for(actor=actor, issue_id=issue_id)
    try:
        return issue.attachments.get(pk=attachment_id)
    except (IssueAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def clocks_of(issue: Issue) -> QuerySet[StageClock]:
    return issue.clocks.select_related("unit").order_by("started_at", "pk")


def unit_inbox(actor: User) -> QuerySet[Issue]:
    """What the actor's unit must act on now, soonest due first."""
    if not actor.is_unit_staff:
        return Issue.objects.none()
    running = StageClock.objects.filter(
        issue_id=OuterRef("pk"), unit_id=actor.unit_id, met_at__isnull=True, stopped_at__isnull=True
    ).order_by("due_at")
    return (
        list_issues_for(actor)
        .filter(Exists(running))
        .annotate(next_due_at=Subquery(running.values("due_at")[:1]))
        .order_by("next_due_at", "pk")
    )


# ---------------------------------------------------------------- reads for the API (additive)


def _running_clocks_of_outer_issue() -> QuerySet[StageClock]:
    return StageClock.objects.filter(
        issue_id=OuterRef("pk"), met_at__isnull=True, stopped_at__isnull=True
    ).order_by("due_at")


def with_next_due(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    """Annotate ``next_due_at``: the due time of the issue's soonest running clock (None when none runs)."""
    return issues.annotate(next_due_at=Subquery(_running_clocks_of_outer_issue().values("due_at")[:1]))


def overdue_condition(at) -> Exists:
    """True for an issue with a running clock already past its due time."""
    return Exists(
        StageClock.objects.filter(
            issue_id=OuterRef("pk"), met_at__isnull=True, stopped_at__isnull=True, due_at__lt=at
        )
    )


# What the detail shows: the issue's own columns and the few it shows of each related row. The statement is
# written out (``services.core.sqlread``): the ORM spent more CPU compiling this join of eight tables than
# PostgreSQL spent running it. Only who may see the issue is still asked of the ORM (``visible_issues``,
# the one place that rule lives), as a subquery.
_DETAIL_ISSUE = sqlread.columns(Issue, "issue")
_DETAIL_RELATED = {
    "enterprise": sqlread.columns(Enterprise, "enterprise", ("name", "uscc", "rates_by_phone")),
    "category": sqlread.columns(Category, "category", ("code", "name", "parent")),
    "lead_unit": sqlread.columns(Unit, "lead", ("code", "name", "short_name")),
    "filed_by": sqlread.columns(User, "filer", ("username", "display_name", "first_name", "last_name")),
    "rated_by": sqlread.columns(User, "rater", ("username", "display_name", "first_name", "last_name")),
    "merged_into": sqlread.columns(Issue, "merged", ("number",)),
}
_DETAIL_PARENT = sqlread.columns(Category, "parent", ("name",))
_DETAIL_SQL = """
SELECT {issue}, {enterprise}, {category}, {lead_unit}, {filed_by}, {rated_by}, {merged_into}, {parent},
       EXISTS (SELECT 1 FROM {extensions} AS extension WHERE extension.issue_id = issue.id){serving}
FROM {issue_table}
JOIN {enterprise_table} ON enterprise.id = issue.enterprise_id
JOIN {category_table} ON category.id = issue.category_id
LEFT JOIN {lead_unit_table} ON lead.id = issue.lead_unit_id
LEFT JOIN {filed_by_table} ON filer.id = issue.filed_by_id
LEFT JOIN {rated_by_table} ON rater.id = issue.rated_by_id
LEFT JOIN {merged_into_table} ON merged.id = issue.merged_into_id
LEFT JOIN {parent_table} ON parent.id = category.parent_id
WHERE issue.id = %s AND issue.id IN ({visible})
"""
# A specialist (who may record a rating taken by phone) needs the enterprise's serving specialist.
_SERVING_SQL = """,
       (SELECT assignment.specialist_id FROM {assignments} AS assignment
        WHERE assignment.enterprise_id = issue.enterprise_id AND assignment.ended_on IS NULL LIMIT 1)"""
_DETAIL_PARTS = sqlread.columns(IssueUnit, "part")
_DETAIL_PART_UNIT = sqlread.columns(Unit, "unit")
_DETAIL_CLOCKS = sqlread.columns(StageClock, "clock")


def _detail_sql(*, serving: bool) -> str:
    return _DETAIL_SQL.format(
        issue=_DETAIL_ISSUE.sql,
        issue_table=_DETAIL_ISSUE.table,
        parent=_DETAIL_PARENT.sql,
        parent_table=_DETAIL_PARENT.table,
        extensions=sqlread.table(ExtensionRequest),
        serving=_SERVING_SQL.format(assignments=sqlread.table(SpecialistAssignment)) if serving else "",
        visible="{visible}",
        **{name: shape.sql for name, shape in _DETAIL_RELATED.items()},
        **{f"{name}_table": shape.table for name, shape in _DETAIL_RELATED.items()},
    )


def get_issue_detail_for(*, actor: User, issue_id: int) -> Issue:
    """The detail: the visible issue with its units, clocks, extensions and soonest due, in 3 queries (4 when
    it has extension requests).

    The related rows come as lists in ``part_list`` (by dispatch), ``clock_list`` (by start) and
    ``extension_list`` (newest first): three plain queries cost less than ``prefetch_related`` for one issue.
    ``next_due_at`` is the soonest running due among them, as ``with_next_due`` gives it.
    ``serving_specialist_id`` matters only to a specialist (who may record a rating taken by phone).
    Of the related rows only the columns the detail shows are read.
    """
    try:
        issue_id = int(issue_id)
    except (ValueError, TypeError):
        raise Http404 from None
    if not -(2**63) <= issue_id < 2**63:
        raise Http404
    try:
        visible, visible_params = (
            visible_issues(actor).filter(pk=issue_id).values("pk").query.sql_with_params()
        )
    except EmptyResultSet:  # nobody may see anything (signed out, deactivated, no role)
        raise Http404 from None
    specialist = actor.role == Role.SPECIALIST
    sql = _detail_sql(serving=specialist).format(visible=visible)
    found = sqlread.rows(
        sql, [issue_id, *visible_params], _DETAIL_ISSUE, *_DETAIL_RELATED.values(), _DETAIL_PARENT
    )
    if not found:
        raise Http404
    issue, *related, parent, has_extensions = found[0][: len(_DETAIL_RELATED) + 3]
    for name, instance in zip(_DETAIL_RELATED, related, strict=True):
        sqlread.attach(issue, name, instance)
    sqlread.attach(issue.category, "parent", parent)
    issue.has_extensions = bool(has_extensions)
    issue.serving_specialist_id = found[0][-1] if specialist else None
    issue.part_list = [
        _with(part, "unit", unit)
        for part, unit in sqlread.rows(
            f"SELECT {_DETAIL_PARTS.sql}, {_DETAIL_PART_UNIT.sql} FROM {_DETAIL_PARTS.table}"
            f" JOIN {_DETAIL_PART_UNIT.table} ON unit.id = part.unit_id"
            " WHERE part.issue_id = %s ORDER BY part.dispatched_at, part.id",
            [issue.pk],
            _DETAIL_PARTS,
            _DETAIL_PART_UNIT,
        )
    ]
    issue.clock_list = [
        stage_clock
        for (stage_clock,) in sqlread.rows(
            f"SELECT {_DETAIL_CLOCKS.sql} FROM {_DETAIL_CLOCKS.table}"
            " WHERE clock.issue_id = %s ORDER BY clock.started_at, clock.id",
            [issue.pk],
            _DETAIL_CLOCKS,
        )
    ]
    # A unit's clocks run while it has a part in the issue: its row came with the parts.
    units = {part.unit_id: part.unit for part in issue.part_list}
    missing = {c.unit_id for c in issue.clock_list if c.unit_id is not None and c.unit_id not in units}
    if missing:
        units.update(Unit.objects.in_bulk(missing))
    for stage_clock in issue.clock_list:
        if stage_clock.unit_id is not None:
            stage_clock.unit = units[stage_clock.unit_id]
    issue.extension_list = (
        list(ExtensionRequest.objects.filter(issue_id=issue.pk).order_by("-requested_at", "-pk"))
        if issue.has_extensions
        else []
    )
    issue.next_due_at = min(
        (stage_clock.due_at for stage_clock in issue.clock_list if stage_clock.is_running), default=None
    )
    # What the actor may do now is part of the detail: read from the lists above (the lead unit's staff
    # also read the deadline settings and the calendar, for the extension rules).
    issue.move_facts = move_facts(actor=actor, issue=issue)
    return issue


def _with(instance, field_name: str, related):
    sqlread.attach(instance, field_name, related)
    return instance


# The hottest read of the API, written out: the ORM spent three times the query's own run time building and
# compiling it. It walks the unit's running clocks in due order (index ``clock_unit_running_due``) and keeps
# each issue's soonest one, so a page costs the same for a unit with a hundred open issues and for one with
# thousands. The order is ``unit_inbox``'s (tests/api/test_issues_filters.py holds the two together).
_INBOX_KEYS_SQL = """
SELECT clock.issue_id, clock.due_at, clock.stage, clock.due_from_fallback
FROM {clocks} AS clock
WHERE clock.unit_id = %s AND clock.met_at IS NULL AND clock.stopped_at IS NULL{after}
  AND NOT EXISTS (
    SELECT 1 FROM {clocks} AS sooner
    WHERE sooner.issue_id = clock.issue_id AND sooner.unit_id = clock.unit_id
      AND sooner.met_at IS NULL AND sooner.stopped_at IS NULL
      AND (sooner.due_at < clock.due_at OR (sooner.due_at = clock.due_at AND sooner.id < clock.id))
  )
ORDER BY clock.due_at, clock.issue_id
LIMIT %s
"""
# ">=" alone is the index range; the rest drops the ties already shown.
_AFTER_SQL = "\n  AND clock.due_at >= %s AND (clock.due_at > %s OR clock.issue_id > %s)"


def unit_inbox_keys_sql(actor: User, *, after: tuple | None, limit: int) -> tuple[str, list]:
    """The statement and parameters of ``unit_inbox_keys`` (for it and for the benchmark's EXPLAIN)."""
    table = connection.ops.quote_name(StageClock._meta.db_table)
    params: list = [actor.unit_id]
    if after is not None:
        due = connection.ops.adapt_datetimefield_value(after[0])
        params += [due, due, after[1]]
    return _INBOX_KEYS_SQL.format(clocks=table, after=_AFTER_SQL if after else ""), [*params, limit]


def unit_inbox_keys(actor: User, *, after: tuple | None, limit: int) -> list[tuple[int, datetime]]:
    """The next ``limit`` entries of the actor's unit inbox as ``(issue id, soonest due)``, after ``after``
    (a ``(due, issue id)``)."""
    if not actor.is_unit_staff:
        return []
    sql, params = unit_inbox_keys_sql(actor, after=after, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(issue_id, aware(due)) for issue_id, due, _stage, _fallback in rows]


def aware(moment: datetime | None) -> datetime | None:
    """A datetime read with a written-out statement: PostgreSQL gives it aware, SQLite naive in UTC."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------- the facts a decision about a move needs


def move_facts(*, actor: User, issue: Issue, now: datetime | None = None) -> Facts:
    """What ``permissions`` needs to decide the actor's moves on ``issue``, read once.

    An issue from ``get_issue_detail_for`` brings its parts, clocks and extension requests along, and the
    facts come from those lists with no further query; any other issue is read here, and only what the
    actor's role can use (a dispatcher never needs the unit's clocks).
    """
    facts = Facts(
        now=now or clock.now(), answered_before=issue.reopen_count > 0 or issue.responded_at is not None
    )
    preloaded = hasattr(issue, "part_list")
    if actor.role == Role.SPECIALIST:
        facts.serving_specialist_id = (
            issue.serving_specialist_id if preloaded else current_specialist_id(issue.enterprise_id)
        )
        facts.rates_by_phone = issue.enterprise.rates_by_phone
    if actor.is_unit_staff:
        parts = (
            [part for part in issue.part_list if part.ended_at is None]
            if preloaded
            else list(IssueUnit.objects.filter(issue_id=issue.pk, ended_at__isnull=True))
        )
        mine = [part for part in parts if part.unit_id == actor.unit_id]
        co_part = next((part for part in mine if part.role == UnitRole.CO), None)
        facts.on_handling_unit = bool(mine)
        facts.on_co_unit = co_part is not None
        facts.co_input_given = co_part is not None and co_part.input_at is not None
        facts.on_lead_unit = issue.lead_unit_id is not None and actor.unit_id == issue.lead_unit_id
        if facts.on_lead_unit:
            facts.first_contact_recorded = not any(
                part.unit_id == issue.lead_unit_id and part.first_contact_at is None for part in parts
            )
            clocks = (
                [c for c in issue.clock_list if c.unit_id == issue.lead_unit_id]
                if preloaded
                else list(StageClock.objects.filter(issue_id=issue.pk, unit_id=issue.lead_unit_id))
            )
            _read_lead_clocks(facts, clocks)
            if issue.status == Status.HANDLING:
                facts.policy = IssuePolicy.current()
                if facts.answer_due_at is not None:
                    facts.answer_working_days_left = working_days_between(
                        local_day(facts.now), local_day(facts.answer_due_at)
                    )
    if facts.on_lead_unit or roles.is_dispatcher(actor):
        extensions = (
            issue.extension_list if preloaded else list(ExtensionRequest.objects.filter(issue_id=issue.pk))
        )
        facts.pending_extension = any(e.status == ExtensionStatus.PENDING for e in extensions)
        facts.approved_extensions = sum(e.status == ExtensionStatus.APPROVED for e in extensions)
        facts.lead_unit_extension_requests = sum(e.unit_id == issue.lead_unit_id for e in extensions)
    return facts


def _read_lead_clocks(facts: Facts, clocks: list[StageClock]) -> None:
    latest_first = sorted(clocks, key=lambda c: (c.started_at, c.pk), reverse=True)
    sign = next((c for c in latest_first if c.stage == Stage.SIGN and c.stopped_at is None), None)
    answer = next((c for c in latest_first if c.stage == Stage.ANSWER and c.is_running), None)
    facts.sign_due_at = sign.due_at if sign else None
    facts.answer_due_at = answer.due_at if answer else None
