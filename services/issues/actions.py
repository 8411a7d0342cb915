"""Every use case that changes an issue, one function each.

Each action locks the issue row, checks the actor and the state, writes, records one event and schedules
the notifications for after the commit. A refused action raises before writing anything, inside the
transaction, so nothing it touched survives.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import Role, User
from services.core import clock
from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.core.keys import key_taken, parse_client_key
from services.core.text import clean_text
from services.departments.models import Unit
from services.enterprises.models import Enterprise
from services.enterprises.selectors import current_specialist_id
from services.issues import lifecycle as lc
from services.issues.attachments import PER_ISSUE_MAX, inspect_upload
from services.issues.deadlines import clock_data, limit_for, working_days_after
from services.issues.lifecycle import Status
from services.issues.models import (
    Category,
    Channel,
    ClosureKind,
    Complexity,
    ExtensionRequest,
    ExtensionStatus,
    Issue,
    IssueAttachment,
    IssueEvent,
    IssueNumberSequence,
    IssuePolicy,
    IssueUnit,
    Outcome,
    Satisfaction,
    Stage,
    StageClock,
    UnitRole,
    Urgency,
)
from services.issues.permissions import Facts, ensure_may, may_file_for
from services.issues.tracking import schedule_clock

logger = logging.getLogger(__name__)

TITLE_MAX = 100
TEXT_MAX = 5000
NOTE_MAX = 2000


# ---------------------------------------------------------------- helpers shared by the actions


def _locked(issue: Issue) -> Issue:
    return Issue.objects.select_for_update().get(pk=issue.pk)


def _ensure_may(actor: User, transition: lc.Transition, issue: Issue) -> Facts:
    """Refuse unless the actor may make the move now (who, status, the step's own rules); the facts come
    from the locked row, so the answer holds until the commit."""
    from services.issues.selectors import move_facts

    facts = move_facts(actor=actor, issue=issue)
    ensure_may(actor, transition, issue, facts)
    return facts


def _schedule_notifications(event_id: int) -> None:
    """Hand the event to the worker after commit. If the broker is down the event stays in the outbox."""
    from services.issues.tasks import notify_event_task

    try:
        notify_event_task.delay(event_id=event_id)
    except Exception:  # the broker being unreachable must never fail the user's request
        logger.warning(
            "could not queue notifications for event %s; the outbox sweep will", event_id, exc_info=True
        )


# ``listener(issue_id=…, kind=…)``, called inside the action's transaction for every event recorded: the
# reports' roll-ups register here (``services.reports.apps``; this app cannot import them, imports flow the
# other way). A listener defers its work with ``transaction.on_commit``.
_EVENT_LISTENERS: list[Callable[..., object]] = []


def on_event_recorded(listener: Callable[..., object]) -> Callable[..., object]:
    if listener not in _EVENT_LISTENERS:
        _EVENT_LISTENERS.append(listener)
    return listener


def _record(
    issue: Issue,
    kind: str,
    *,
    actor: User | None,
    at: datetime,
    from_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> IssueEvent:
    event = IssueEvent.objects.create(
        issue=issue,
        kind=kind,
        actor=actor,
        actor_unit_id=actor.unit_id if actor is not None and actor.is_unit_staff else None,
        from_status=from_status,
        to_status=issue.status,
        note=note,
        data=data or {},
        created_at=at,
    )
    transaction.on_commit(partial(_schedule_notifications, event.pk))
    for listener in _EVENT_LISTENERS:
        listener(issue_id=issue.pk, kind=kind)
    return event


def _move(
    issue: Issue,
    transition: lc.Transition,
    *,
    actor: User | None,
    at: datetime,
    fields: Iterable[str] = (),
    note: str = "",
    data: dict | None = None,
) -> IssueEvent:
    """The only place that assigns ``issue.status``."""
    from_status = issue.status
    issue.status = lc.ensure_allowed(transition, from_status)
    issue.save(update_fields=["status", "updated_at", *fields])
    return _record(issue, transition.name, actor=actor, at=at, from_status=from_status, note=note, data=data)


def _start_clock(
    issue: Issue, stage: str, *, unit: Unit | None, at: datetime, policy: IssuePolicy, cycle: int = 0
) -> StageClock:
    limit = limit_for(policy, stage, urgency=issue.urgency, complexity=issue.complexity)
    deadline = limit.deadline_from(at)
    stage_clock = StageClock(
        issue=issue,
        unit=unit,
        stage=stage,
        cycle=cycle,
        started_at=at,
        due_at=deadline.due_at,
        original_due_at=deadline.due_at,
        counts_hours=limit.in_hours,
        limit_amount=limit.amount,
        due_from_fallback=deadline.fallback,
    )
    schedule_clock(stage_clock, policy)
    stage_clock.save(force_insert=True)
    return stage_clock


def _clocks(*clocks: StageClock) -> dict:
    """The event data of the clocks a step starts: limit in force and due time, so the history alone can
    rebuild every clock (``manage.py rebuild_clocks``)."""
    return {"clocks": [clock_data(stage_clock) for stage_clock in clocks]}


def _running_clocks(issue: Issue, *, stages: Iterable[str] | None = None, unit_id: int | bool | None = False):
    """Running clocks of the issue; ``unit_id=None`` means the district's own clocks, False every unit's."""
    clocks = StageClock.objects.filter(issue=issue, met_at__isnull=True, stopped_at__isnull=True)
    if stages is not None:
        clocks = clocks.filter(stage__in=list(stages))
    if unit_id is not False:
        clocks = clocks.filter(unit_id=unit_id)
    return clocks


def _meet(issue: Issue, stage: str, *, at: datetime, unit_id: int | bool | None = False) -> None:
    _running_clocks(issue, stages=[stage], unit_id=unit_id).update(met_at=at)


def _stop_all(issue: Issue, *, at: datetime, unit_id: int | bool | None = False) -> None:
    _running_clocks(issue, unit_id=unit_id).update(stopped_at=at)


def _end_parts(issue: Issue, *, at: datetime, reason: str) -> None:
    IssueUnit.objects.filter(issue=issue, ended_at__isnull=True).update(ended_at=at, end_reason=reason)


def _void_pending_extension(issue: Issue, *, at: datetime, note: str) -> None:
    """A pending extension request is moot once its clock stops (answer given, re-dispatched, withdrawn)."""
    ExtensionRequest.objects.filter(issue=issue, status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.DECLINED, decided_at=at, decision_note=note
    )


def _check_choice(value: str, choices: type, field: str, label: str) -> str:
    if value not in choices.values:
        raise InvalidInput({field: [_("%(label)s的取值无效。") % {"label": label}]})
    return value


def _next_number(at: datetime) -> str:
    year = timezone.localtime(at).year
    IssueNumberSequence.objects.get_or_create(year=year)
    sequence = IssueNumberSequence.objects.select_for_update().get(year=year)
    sequence.last = F("last") + 1
    sequence.save(update_fields=["last"])
    sequence.refresh_from_db(fields=["last"])
    return f"JJ{year}-{sequence.last:05d}"


def _active_co_part(issue: Issue, unit_id: int | None) -> IssueUnit | None:
    if unit_id is None:
        return None
    return IssueUnit.objects.filter(
        issue=issue, unit_id=unit_id, role=UnitRole.CO, ended_at__isnull=True
    ).first()


def _escalate_if_repeated(issue: Issue, *, at: datetime, policy: IssuePolicy, counted: str) -> None:
    """Three reopens or three re-dispatches put an issue under supervision (督办) automatically.

    The event is recorded when the count reaches the threshold, even if a deadline sweep has supervised the
    problem already: the reason is part of the history either way.
    """
    reason = None
    if counted == "reopens" and issue.reopen_count == policy.escalate_after_reopens:
        reason = "reopens"
    elif counted == "transfers" and issue.transfer_count == policy.escalate_after_transfers:
        reason = "transfers"
    if reason:
        if not issue.is_escalated:
            issue.is_escalated = True
            issue.save(update_fields=["is_escalated", "updated_at"])
        _record(
            issue,
            "escalate",
            actor=None,
            at=at,
            from_status=issue.status,
            data={"reason": reason, "reopens": issue.reopen_count, "transfers": issue.transfer_count},
        )


# ---------------------------------------------------------------- filing


def file_issue(
    *,
    actor: User,
    enterprise: Enterprise,
    category: Category,
    title: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    complexity: str = Complexity.NORMAL,
    contact_name: str = "",
    contact_phone: str = "",
    visit=None,
    client_key: uuid.UUID | str | None = None,
) -> Issue:
    """An enterprise files a problem; its specialist or a dispatcher may file on its behalf (代为提交).

    ``client_key`` is the filer's key for this submission: sent again (a retry after a lost answer, a double
    click), it returns the problem the first one filed, with ``repeated`` set, and files nothing.
    """
    key = parse_client_key(client_key)
    if key is not None:
        first = _filed_with_key(actor, key)
        if first is not None:
            return first
    at = clock.now()
    serving = current_specialist_id(enterprise.pk)
    if not may_file_for(actor, enterprise.pk, serving):
        raise NotPermitted(_("您不能为该企业提交诉求。"))
    title = clean_text(title, field="title", label=_("标题"), max_length=TITLE_MAX)
    description = clean_text(description, field="description", label=_("问题描述"), max_length=TEXT_MAX)
    contact_name = clean_text(
        contact_name, field="contact_name", label=_("联系人"), max_length=50, required=False
    )
    contact_phone = clean_text(
        contact_phone, field="contact_phone", label=_("联系电话"), max_length=20, required=False
    )
    _check_choice(urgency, Urgency, "urgency", _("紧急程度"))
    _check_choice(complexity, Complexity, "complexity", _("复杂程度"))
    if not category.is_active:
        raise InvalidInput({"category": [_("该分类已停用，请选择其他分类。")]})
    if not enterprise.is_active:
        raise InvalidInput({"enterprise": [_("该企业已不在营，不能提交诉求。")]})
    if visit is not None and visit.enterprise_id != enterprise.pk:
        raise InvalidInput({"visit": [_("走访记录与企业不一致。")]})
    if actor.role == Role.ENTERPRISE:
        channel = Channel.ONLINE
    elif visit is not None:
        channel = Channel.VISIT
    elif actor.role == Role.SPECIALIST:
        channel = Channel.ON_BEHALF
    else:
        channel = Channel.PHONE
    try:
        # A savepoint when the caller holds a transaction (a visit, the filing page).
        with transaction.atomic():
            issue = Issue.objects.create(
                number=_next_number(at),
                title=title,
                description=description,
                enterprise=enterprise,
                category=category,
                urgency=urgency,
                complexity=complexity,
                channel=channel,
                status=Status.SUBMITTED,
                filed_by=actor,
                visit=visit,
                contact_name=contact_name or enterprise.contact_name,
                contact_phone=contact_phone or enterprise.contact_phone,
                created_at=at,
                client_key=key,
            )
            accept = _start_clock(issue, Stage.ACCEPT, unit=None, at=at, policy=IssuePolicy.current())
            _record(issue, lc.SUBMIT.name, actor=actor, at=at, data={"channel": channel, **_clocks(accept)})
    except IntegrityError:
        # The same key committed by a send that ran at the same moment: that one is the problem.
        first = _filed_with_key(actor, key) if key is not None else None
        if first is None:
            raise
        return first
    return issue


def _filed_with_key(actor: User, key: uuid.UUID) -> Issue | None:
    first = Issue.objects.filter(client_key=key).first()
    if first is None:
        return None
    if first.filed_by_id != actor.pk:
        raise key_taken()
    first.repeated = True  # the caller files nothing more (attachments) for a repeat
    return first


# ---------------------------------------------------------------- the dispatcher's desk


@transaction.atomic
def accept_issue(*, issue: Issue, actor: User, note: str = "") -> Issue:
    issue = _locked(issue)
    _ensure_may(actor, lc.ACCEPT, issue)
    note = clean_text(note, field="note", label=_("受理意见"), max_length=NOTE_MAX, required=False)
    at = clock.now()
    issue.accepted_at = at
    _meet(issue, Stage.ACCEPT, at=at)
    # The dispatchers' own next stage: dispatching the accepted problem.
    dispatch = _start_clock(issue, Stage.DISPATCH, unit=None, at=at, policy=IssuePolicy.current())
    _move(issue, lc.ACCEPT, actor=actor, at=at, fields=["accepted_at"], note=note, data=_clocks(dispatch))
    return issue


@transaction.atomic
def reject_issue(*, issue: Issue, actor: User, reason: str) -> Issue:
    issue = _locked(issue)
    _ensure_may(actor, lc.REJECT, issue)
    reason = clean_text(reason, field="reason", label=_("不予受理理由"), max_length=NOTE_MAX)
    at = clock.now()
    issue.closure_reason = reason
    _meet(issue, Stage.ACCEPT, at=at)
    _move(issue, lc.REJECT, actor=actor, at=at, fields=["closure_reason"], note=reason)
    return issue


@transaction.atomic
def merge_issue(*, issue: Issue, actor: User, into: Issue, note: str = "") -> Issue:
    """Close a duplicate into the issue that carries on; the enterprise follows the surviving one."""
    issue = _locked(issue)
    _ensure_may(actor, lc.MERGE, issue)
    if into.pk == issue.pk:
        raise InvalidInput({"into": [_("不能把诉求合并到它自己。")]})
    into = Issue.objects.get(pk=into.pk)  # its status now, not when the caller read it
    if into.enterprise_id != issue.enterprise_id:
        # The enterprise follows the surviving problem: another enterprise's would be out of its sight.
        raise InvalidInput({"into": [_("只能合并同一企业的诉求。")]})
    if into.status in (Status.MERGED, Status.REJECTED, Status.WITHDRAWN):
        raise InvalidInput({"into": [_("目标诉求已合并、撤回或不予受理，不能作为合并目标。")]})
    note = clean_text(note, field="note", label=_("合并说明"), max_length=NOTE_MAX, required=False)
    at = clock.now()
    issue.merged_into = into
    _stop_all(issue, at=at)
    _move(issue, lc.MERGE, actor=actor, at=at, fields=["merged_into"], note=note, data={"into": into.number})
    return issue


def _validate_units(lead_unit: Unit, co_units: Iterable[Unit]) -> list[Unit]:
    if not lead_unit.is_active:
        raise InvalidInput({"lead_unit": [_("牵头单位已停用。")]})
    co = []
    for unit in co_units:
        if unit.pk == lead_unit.pk:
            raise InvalidInput({"co_units": [_("协办单位不能与牵头单位相同。")]})
        if not unit.is_active:
            raise InvalidInput({"co_units": [_("协办单位“%(unit)s”已停用。") % {"unit": unit}]})
        if unit.pk not in {u.pk for u in co}:
            co.append(unit)
    return co


def _hand_to_units(issue: Issue, *, lead_unit: Unit, co_units: list[Unit], at: datetime) -> list[StageClock]:
    policy = IssuePolicy.current()
    started = []
    IssueUnit.objects.create(issue=issue, unit=lead_unit, role=UnitRole.LEAD, dispatched_at=at)
    for stage in (Stage.SIGN, Stage.FIRST_CONTACT, Stage.ANSWER):
        started.append(
            _start_clock(issue, stage, unit=lead_unit, at=at, policy=policy, cycle=issue.reopen_count)
        )
    for unit in co_units:
        IssueUnit.objects.create(issue=issue, unit=unit, role=UnitRole.CO, dispatched_at=at)
        started.append(
            _start_clock(issue, Stage.CO_INPUT, unit=unit, at=at, policy=policy, cycle=issue.reopen_count)
        )
    issue.lead_unit = lead_unit
    issue.dispatched_at = at
    return started


@transaction.atomic
def dispatch_issue(
    *,
    issue: Issue,
    actor: User,
    lead_unit: Unit,
    co_units: Iterable[Unit] = (),
    complexity: str | None = None,
    note: str = "",
) -> Issue:
    issue = _locked(issue)
    _ensure_may(actor, lc.DISPATCH, issue)
    co = _validate_units(lead_unit, co_units)
    note = clean_text(note, field="note", label=_("派单意见"), max_length=NOTE_MAX, required=False)
    fields = ["lead_unit", "dispatched_at"]
    if complexity is not None:
        issue.complexity = _check_choice(complexity, Complexity, "complexity", _("复杂程度"))
        fields.append("complexity")
    at = clock.now()
    _meet(issue, Stage.DISPATCH, at=at, unit_id=None)
    started = _hand_to_units(issue, lead_unit=lead_unit, co_units=co, at=at)
    _move(
        issue,
        lc.DISPATCH,
        actor=actor,
        at=at,
        fields=fields,
        note=note,
        data={"lead_unit": lead_unit.code, "co_units": [u.code for u in co], **_clocks(*started)},
    )
    return issue


@transaction.atomic
def transfer_issue(
    *, issue: Issue, actor: User, lead_unit: Unit, co_units: Iterable[Unit] = (), note: str = ""
) -> Issue:
    """Re-dispatch (转办): the previous units' clocks stop, the next unit's start fresh."""
    issue = _locked(issue)
    _ensure_may(actor, lc.TRANSFER, issue)
    co = _validate_units(lead_unit, co_units)
    note = clean_text(note, field="note", label=_("转办意见"), max_length=NOTE_MAX, required=False)
    at = clock.now()
    previous = issue.lead_unit
    _end_parts(issue, at=at, reason="transferred")
    _meet(issue, Stage.REDISPATCH, at=at, unit_id=None)
    _stop_all(issue, at=at)
    _void_pending_extension(issue, at=at, note=_("已转办，原单位的延期申请自动失效。"))
    started = _hand_to_units(issue, lead_unit=lead_unit, co_units=co, at=at)
    issue.transfer_count += 1
    _move(
        issue,
        lc.TRANSFER,
        actor=actor,
        at=at,
        fields=["lead_unit", "dispatched_at", "transfer_count"],
        note=note,
        data={
            "from_unit": previous.code if previous else None,
            "lead_unit": lead_unit.code,
            "co_units": [u.code for u in co],
            **_clocks(*started),
        },
    )
    _escalate_if_repeated(issue, at=at, policy=IssuePolicy.current(), counted="transfers")
    return issue


# ---------------------------------------------------------------- the unit's desk


@transaction.atomic
def acknowledge_issue(*, issue: Issue, actor: User) -> Issue:
    """签收 — the unit reports for duty ("报到")."""
    issue = _locked(issue)
    _ensure_may(actor, lc.ACKNOWLEDGE, issue)
    at = clock.now()
    IssueUnit.objects.filter(issue=issue, unit_id=issue.lead_unit_id, ended_at__isnull=True).update(
        acknowledged_at=at
    )
    _meet(issue, Stage.SIGN, at=at, unit_id=issue.lead_unit_id)
    _move(issue, lc.ACKNOWLEDGE, actor=actor, at=at)
    return issue


@transaction.atomic
def send_back_issue(*, issue: Issue, actor: User, reason: str) -> Issue:
    """退回 a wrongly dispatched problem, only within the sign deadline, with a reason."""
    issue = _locked(issue)
    _ensure_may(actor, lc.SEND_BACK, issue)
    reason = clean_text(reason, field="reason", label=_("退回理由"), max_length=NOTE_MAX)
    at = clock.now()
    unit = issue.lead_unit
    _end_parts(issue, at=at, reason="sent_back")
    _stop_all(issue, at=at)
    _void_pending_extension(issue, at=at, note=_("已退回，延期申请自动失效。"))
    issue.lead_unit = None
    # The dispatchers' stage: re-dispatching what came back.
    redispatch = _start_clock(
        issue, Stage.REDISPATCH, unit=None, at=at, policy=IssuePolicy.current(), cycle=issue.reopen_count
    )
    _move(
        issue,
        lc.SEND_BACK,
        actor=actor,
        at=at,
        fields=["lead_unit"],
        note=reason,
        data={"unit": unit.code, **_clocks(redispatch)},
    )
    return issue


@transaction.atomic
def record_first_contact(*, issue: Issue, actor: User, note: str) -> Issue:
    issue = _locked(issue)
    _ensure_may(actor, lc.RECORD_CONTACT, issue)
    note = clean_text(note, field="note", label=_("联系情况"), max_length=NOTE_MAX)
    at = clock.now()
    IssueUnit.objects.filter(
        issue=issue, unit_id=issue.lead_unit_id, ended_at__isnull=True, first_contact_at__isnull=True
    ).update(first_contact_at=at)
    _meet(issue, Stage.FIRST_CONTACT, at=at, unit_id=issue.lead_unit_id)
    _move(issue, lc.RECORD_CONTACT, actor=actor, at=at, note=note)
    return issue


@transaction.atomic
def submit_co_input(*, issue: Issue, actor: User, text: str) -> Issue:
    """A co-handling unit (协办) gives its input to the lead unit."""
    issue = _locked(issue)
    _ensure_may(actor, lc.CO_HANDLER_INPUT, issue)
    part = _active_co_part(issue, actor.unit_id)
    text = clean_text(text, field="text", label=_("协办意见"), max_length=TEXT_MAX)
    at = clock.now()
    part.input_text = text
    part.input_at = at
    part.save(update_fields=["input_text", "input_at"])
    _meet(issue, Stage.CO_INPUT, at=at, unit_id=part.unit_id)
    _move(issue, lc.CO_HANDLER_INPUT, actor=actor, at=at, note=text, data={"unit": part.unit.code})
    return issue


@transaction.atomic
def respond_to_issue(*, issue: Issue, actor: User, outcome: str, reply: str) -> Issue:
    issue = _locked(issue)
    _ensure_may(actor, lc.RESPOND, issue)
    _check_choice(outcome, Outcome, "outcome", _("答复结果"))
    reply = clean_text(reply, field="reply", label=_("答复内容"), max_length=TEXT_MAX)
    at = clock.now()
    # Answering reaches the enterprise: a first contact not yet recorded is met now.
    IssueUnit.objects.filter(
        issue=issue, unit_id=issue.lead_unit_id, ended_at__isnull=True, first_contact_at__isnull=True
    ).update(first_contact_at=at)
    _meet(issue, Stage.FIRST_CONTACT, at=at, unit_id=issue.lead_unit_id)
    _meet(issue, Stage.ANSWER, at=at, unit_id=issue.lead_unit_id)
    # A pending extension request is moot once the answer is given; so is input the lead no longer waits for.
    _void_pending_extension(issue, at=at, note=_("已答复，延期申请自动失效。"))
    _running_clocks(issue, stages=[Stage.CO_INPUT]).update(stopped_at=at)
    issue.outcome = outcome
    issue.response = reply
    issue.responded_at = at
    rating = _start_clock(
        issue, Stage.RATING, unit=None, at=at, policy=IssuePolicy.current(), cycle=issue.reopen_count
    )
    _move(
        issue,
        lc.RESPOND,
        actor=actor,
        at=at,
        fields=["outcome", "response", "responded_at"],
        note=reply,
        data={"outcome": outcome, **_clocks(rating)},
    )
    return issue


@transaction.atomic
def request_extension(*, issue: Issue, actor: User, working_days: int, reason: str) -> ExtensionRequest:
    issue = _locked(issue)
    policy = _ensure_may(actor, lc.REQUEST_EXTENSION, issue).policy
    reason = clean_text(reason, field="reason", label=_("延期理由"), max_length=NOTE_MAX)
    if (
        not isinstance(working_days, int)
        or isinstance(working_days, bool)
        or not (1 <= working_days <= policy.extension_max_days)
    ):
        raise InvalidInput(
            {"working_days": [_("延期天数应为1至%(max)d个工作日。") % {"max": policy.extension_max_days}]}
        )
    answer = (
        _running_clocks(issue, stages=[Stage.ANSWER], unit_id=issue.lead_unit_id)
        .order_by("-started_at", "-pk")
        .first()
    )
    at = clock.now()
    extension = ExtensionRequest.objects.create(
        issue=issue,
        unit_id=issue.lead_unit_id,
        clock=answer,
        requested_by=actor,
        requested_at=at,
        working_days=working_days,
        reason=reason,
        old_due_at=answer.due_at,
    )
    _move(
        issue,
        lc.REQUEST_EXTENSION,
        actor=actor,
        at=at,
        note=reason,
        data={"extension": extension.pk, "working_days": working_days},
    )
    return extension


@transaction.atomic
def decide_extension(*, issue: Issue, actor: User, approve: bool, note: str = "") -> ExtensionRequest:
    """The dispatcher decides; an approval moves the answer due date, never the status."""
    issue = _locked(issue)
    _ensure_may(actor, lc.DECIDE_EXTENSION, issue)
    extension = ExtensionRequest.objects.get(issue=issue, status=ExtensionStatus.PENDING)
    note = clean_text(note, field="note", label=_("审核意见"), max_length=NOTE_MAX, required=not approve)
    at = clock.now()
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DECLINED
    extension.decided_by = actor
    extension.decided_at = at
    extension.decision_note = note
    data = {"extension": extension.pk, "approved": approve}
    if approve:
        answer = StageClock.objects.select_for_update().get(pk=extension.clock_id)
        extended = working_days_after(answer.due_at, extension.working_days)
        extension.new_due_at = extended.due_at
        data.update(
            old_due_at=timezone.localtime(answer.due_at).isoformat(),
            new_due_at=timezone.localtime(extension.new_due_at).isoformat(),
            clock=answer.pk,
            working_days=extension.working_days,
            fallback=answer.due_from_fallback or extended.fallback,
        )
        fields = ["due_at", "next_alert_at", "due_from_fallback"]
        if answer.breached_at is None and at > answer.due_at:
            # Approved after the due time passed: the breach stands (DESIGN §6, only extensions approved
            # before the due time count); the new due time is the unit's next target, not an excuse.
            answer.breached_at = answer.due_at
            fields.append("breached_at")
        data["late"] = answer.breached_at is not None
        answer.due_at = extension.new_due_at
        answer.due_from_fallback = data["fallback"]
        # The new due time earns its own reminders and escalations.
        schedule_clock(answer)
        answer.save(update_fields=fields)
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "new_due_at"])
    _move(issue, lc.DECIDE_EXTENSION, actor=actor, at=at, note=note, data=data)
    return extension


# ---------------------------------------------------------------- the enterprise's word


@transaction.atomic
def evaluate_issue(
    *,
    issue: Issue,
    actor: User,
    satisfaction: str,
    was_contacted: bool,
    was_solved: bool,
    comment: str = "",
) -> Issue:
    """评价. Satisfied or basically satisfied closes the issue; dissatisfied sends it to review (研判)."""
    issue = _locked(issue)
    # Who may rate does not depend on the rating: ask that first, so a stranger learns nothing more.
    _ensure_may(actor, lc.EVALUATE, issue)
    _check_choice(satisfaction, Satisfaction, "satisfaction", _("满意度"))
    transition = lc.EVALUATE_DISSATISFIED if satisfaction == Satisfaction.DISSATISFIED else lc.EVALUATE
    lc.ensure_allowed(transition, issue.status)
    if satisfaction == Satisfaction.DISSATISFIED and not (comment or "").strip():
        raise InvalidInput({"comment": [_("选择不满意时，请说明不满意的原因。")]})
    comment = clean_text(comment, field="comment", label=_("评价意见"), max_length=NOTE_MAX, required=False)
    at = clock.now()
    issue.satisfaction = satisfaction
    issue.was_contacted = bool(was_contacted)
    issue.was_solved = bool(was_solved)
    issue.rating_comment = comment
    issue.rated_by = actor
    issue.rated_at = at
    fields = ["satisfaction", "was_contacted", "was_solved", "rating_comment", "rated_by", "rated_at"]
    _meet(issue, Stage.RATING, at=at, unit_id=None)
    started = {}
    if transition is lc.EVALUATE:
        issue.closure_kind = ClosureKind.RATED
        issue.closed_at = at
        fields += ["closure_kind", "closed_at"]
        _stop_all(issue, at=at)
        _end_parts(issue, at=at, reason="closed")
    else:
        # The dispatchers' stage: reviewing the dissatisfied rating (研判), reopen or close with a reason.
        review = _start_clock(
            issue, Stage.REVIEW, unit=None, at=at, policy=IssuePolicy.current(), cycle=issue.reopen_count
        )
        started = _clocks(review)
    _move(
        issue,
        transition,
        actor=actor,
        at=at,
        fields=fields,
        note=comment,
        data={
            "satisfaction": satisfaction,
            "contacted": bool(was_contacted),
            "solved": bool(was_solved),
            "by_phone": actor.role == Role.SPECIALIST,
            **started,
        },
    )
    return issue


@transaction.atomic
def reopen_issue(*, issue: Issue, actor: User, note: str) -> Issue:
    """重办: back to the lead unit with a fresh answer deadline."""
    issue = _locked(issue)
    _ensure_may(actor, lc.REOPEN, issue)
    note = clean_text(note, field="note", label=_("重办意见"), max_length=NOTE_MAX)
    at = clock.now()
    policy = IssuePolicy.current()
    issue.reopen_count += 1
    previous = {"outcome": issue.outcome, "satisfaction": issue.satisfaction}
    issue.outcome = ""
    issue.response = ""
    issue.satisfaction = ""
    issue.was_contacted = None
    issue.was_solved = None
    issue.rating_comment = ""
    issue.rated_by = None
    issue.rated_at = None
    issue.responded_at = None
    _meet(issue, Stage.REVIEW, at=at, unit_id=None)
    answer = _start_clock(
        issue, Stage.ANSWER, unit=issue.lead_unit, at=at, policy=policy, cycle=issue.reopen_count
    )
    _move(
        issue,
        lc.REOPEN,
        actor=actor,
        at=at,
        fields=[
            "reopen_count",
            "outcome",
            "response",
            "satisfaction",
            "was_contacted",
            "was_solved",
            "rating_comment",
            "rated_by",
            "rated_at",
            "responded_at",
        ],
        note=note,
        data={"reopen_count": issue.reopen_count, "previous": previous, **_clocks(answer)},
    )
    _escalate_if_repeated(issue, at=at, policy=policy, counted="reopens")
    return issue


@transaction.atomic
def review_close_issue(*, issue: Issue, actor: User, reason: str) -> Issue:
    """研判办结: the dispatcher closes a dissatisfied issue, saying why."""
    issue = _locked(issue)
    _ensure_may(actor, lc.REVIEW_CLOSE, issue)
    reason = clean_text(reason, field="reason", label=_("研判办结理由"), max_length=NOTE_MAX)
    at = clock.now()
    issue.closure_kind = ClosureKind.REVIEWED
    issue.closure_reason = reason
    issue.closed_at = at
    _meet(issue, Stage.REVIEW, at=at, unit_id=None)
    _stop_all(issue, at=at)
    _end_parts(issue, at=at, reason="closed")
    _move(
        issue,
        lc.REVIEW_CLOSE,
        actor=actor,
        at=at,
        fields=["closure_kind", "closure_reason", "closed_at"],
        note=reason,
    )
    return issue


@transaction.atomic
def close_unrated_issue(*, issue: Issue) -> Issue:
    """The rating window has passed without a rating: close as unrated, never as satisfied."""
    issue = _locked(issue)
    lc.ensure_allowed(lc.CLOSE_UNRATED, issue.status)
    at = clock.now()
    rating = _running_clocks(issue, stages=[Stage.RATING], unit_id=None).first()
    if rating is not None and at <= rating.due_at:
        raise InvalidTransition(_("评价期限尚未届满。"))
    issue.closure_kind = ClosureKind.UNRATED
    issue.closed_at = at
    _stop_all(issue, at=at)
    _end_parts(issue, at=at, reason="closed")
    _move(issue, lc.CLOSE_UNRATED, actor=None, at=at, fields=["closure_kind", "closed_at"])
    return issue


@transaction.atomic
def withdraw_issue(*, issue: Issue, actor: User, reason: str) -> Issue:
    issue = _locked(issue)
    _ensure_may(actor, lc.WITHDRAW, issue)
    reason = clean_text(reason, field="reason", label=_("撤回原因"), max_length=NOTE_MAX)
    at = clock.now()
    issue.closure_reason = reason
    _stop_all(issue, at=at)
    _void_pending_extension(issue, at=at, note=_("企业已撤回诉求，延期申请自动失效。"))
    _end_parts(issue, at=at, reason="withdrawn")
    _move(issue, lc.WITHDRAW, actor=actor, at=at, fields=["closure_reason"], note=reason)
    return issue


@transaction.atomic
def add_information(*, issue: Issue, actor: User, text: str) -> Issue:
    """补充信息: the enterprise (or its specialist) adds to its open problem; the units see it in the history."""
    issue = _locked(issue)
    _ensure_may(actor, lc.SUPPLEMENT, issue)
    text = clean_text(text, field="text", label=_("补充信息"), max_length=TEXT_MAX)
    _move(issue, lc.SUPPLEMENT, actor=actor, at=clock.now(), note=text)
    return issue


# ---------------------------------------------------------------- attachments


def ensure_may_attach(*, issue: Issue, actor: User) -> None:
    """Raise NotPermitted or InvalidTransition unless ``actor`` may add a file to ``issue`` now."""
    _ensure_may(actor, lc.ATTACH, issue)


def add_attachment(*, issue: Issue, actor: User, upload, note: str = "") -> IssueAttachment:
    """Add a file to an open issue's record: checked, stored under a random key, recorded as an event.

    The file is written to storage before the transaction and removed again if the transaction does not
    commit, so a refusal or a failure leaves neither a row nor a stray file.
    """
    ensure_may_attach(issue=issue, actor=actor)  # refuse before storing anything; again under the lock
    facts = inspect_upload(upload)
    note = clean_text(note, field="note", label=_("附件说明"), max_length=200, required=False)
    storage = IssueAttachment._meta.get_field("file").storage
    stored = storage.save(_attachment_key(facts.extension), upload)
    try:
        with transaction.atomic():
            issue = _locked(issue)
            ensure_may_attach(issue=issue, actor=actor)
            if IssueAttachment.objects.filter(issue=issue).count() >= PER_ISSUE_MAX:
                raise InvalidInput(
                    {"file": [_("每件诉求最多%(max)d个附件，已达上限。") % {"max": PER_ISSUE_MAX}]}
                )
            at = clock.now()
            attachment = IssueAttachment.objects.create(
                issue=issue,
                file=stored,
                name=facts.name,
                content_type=facts.content_type,
                size=facts.size,
                sha256=facts.sha256,
                uploaded_by=actor,
                uploaded_at=at,
            )
            _move(
                issue,
                lc.ATTACH,
                actor=actor,
                at=at,
                note=note,
                data={"attachment": attachment.pk, "name": facts.name, "size": facts.size},
            )
    except BaseException:
        try:
            storage.delete(stored)
        except Exception:  # the refusal or failure is what the caller must see
            logger.exception("could not remove the stored file %s of a failed upload", stored)
        raise
    return attachment


def _attachment_key(extension: str) -> str:
    return IssueAttachment._meta.get_field("file").generate_filename(None, f"upload{extension}")
