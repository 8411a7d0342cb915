"""Who hears about which event, and what they are told. Runs in the worker, after the commit.

Each event has an ``EventOutbox`` row, written with it: its ``notified_at`` stays empty until everyone
concerned has an inbox message, so a lost task is made good by ``pending_event_ids`` and a repeated one
creates nothing new. (The event row itself is append-only, so the mark lives in its own table.)

SMS about supervision waits for working hours, except for 特急 problems (DESIGN §4): the event and its
inbox message keep the moment the due time passed; only the text message waits.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from services.accounts.models import Role, User
from services.core import clock
from services.issues.models import (
    DISPATCHER_STAGES,
    EventOutbox,
    Issue,
    IssueEvent,
    IssuePolicy,
    IssueUnit,
    Stage,
    Urgency,
)
from services.issues.tracking import WorkingDays, within_working_hours
from services.notifications.actions import attempt_delivery, notify

TO_DISPATCHERS = {"submit", "send_back", "request_extension", "evaluate_dissatisfied", "withdraw", "escalate"}
TO_ENTERPRISE = {
    "accept",
    "reject",
    "merge",
    "acknowledge",
    "record_contact",
    "respond",
    "evaluate",
    "review_close",
    "close_unrated",
    "transfer",
    "dispatch",
}
TO_LEAD_UNIT = {
    "dispatch",
    "transfer",
    "decide_extension",
    "reopen",
    "evaluate",
    "evaluate_dissatisfied",
    "review_close",
    "close_unrated",
    "withdraw",
    "co_handler_input",
}
TO_CO_UNITS = {"dispatch", "transfer", "reopen"}
UNIT_STAFF = (Role.HANDLER, Role.UNIT_HEAD)


def _alert_recipients(event: IssueEvent) -> Q:
    """A clock's reminder goes to whoever owns the clock; its escalation to their head and the dispatchers,
    and at the second level to the district leaders as well."""
    unit_id = event.data.get("unit_id")
    stage = event.data.get("stage")
    if event.kind in ("remind", "calendar_correction"):
        if unit_id is None:
            # The district's own clocks: the dispatchers' stages; the rating window is the enterprise's.
            return Q(role=Role.DISPATCHER) if stage in DISPATCHER_STAGES else Q(pk__in=[])
        return Q(role__in=UNIT_STAFF, unit_id=unit_id)
    who = Q(role=Role.DISPATCHER)
    if unit_id is not None:
        who |= Q(role=Role.UNIT_HEAD, unit_id=unit_id)
    if event.data.get("level") == 2:
        who |= Q(role=Role.LEADER)
    return who


def recipients_for(event: IssueEvent) -> list[User]:
    issue: Issue = event.issue
    kind = event.kind
    if kind in ("remind", "escalate", "calendar_correction") and "clock" in event.data:
        who = _alert_recipients(event)
    else:
        who = Q(pk__in=[])
        if kind in TO_DISPATCHERS:
            who |= Q(role=Role.DISPATCHER)
        if kind in TO_ENTERPRISE:
            who |= Q(role=Role.ENTERPRISE, enterprise_id=issue.enterprise_id)
        if kind in TO_LEAD_UNIT and issue.lead_unit_id:
            who |= Q(role__in=UNIT_STAFF, unit_id=issue.lead_unit_id)
        if kind == "escalate" and issue.lead_unit_id:
            who |= Q(role=Role.UNIT_HEAD, unit_id=issue.lead_unit_id)
        if kind in TO_CO_UNITS:
            co_units = IssueUnit.objects.filter(issue=issue, role="co", ended_at__isnull=True).values(
                "unit_id"
            )
            who |= Q(role__in=UNIT_STAFF, unit_id__in=co_units)
    return list(User.objects.filter(who, is_active=True).exclude(pk=event.actor_id))


def message_for(event: IssueEvent) -> tuple[str, str]:
    """Title and body in the active language."""
    issue = event.issue
    if event.kind == "remind" and "due_at" in event.data:
        title = _("提醒：诉求 %(number)s 的“%(stage)s”将于 %(due)s 到期") % {
            "number": issue.number,
            "stage": Stage(event.data["stage"]).label,
            "due": event.data["due_at"][:16].replace("T", " "),
        }
    elif event.kind == "escalate" and "due_at" in event.data:
        title = _("督办（%(level)s级）：诉求 %(number)s 的“%(stage)s”已超期") % {
            "level": event.data.get("level") or 1,
            "number": issue.number,
            "stage": Stage(event.data["stage"]).label,
        }
    elif event.kind == "calendar_correction" and "due_at" in event.data:
        title = _("诉求 %(number)s 的“%(stage)s”截止时间按节假日安排调整为 %(due)s（原 %(old)s）") % {
            "number": issue.number,
            "stage": Stage(event.data["stage"]).label,
            "due": event.data["due_at"][:16].replace("T", " "),
            "old": event.data["old_due_at"][:16].replace("T", " "),
        }
    else:
        title = _("诉求 %(number)s：%(step)s") % {"number": issue.number, "step": event.label}
    body = _("“%(title)s”（%(enterprise)s）当前状态：%(status)s。") % {
        "title": issue.title,
        "enterprise": issue.enterprise.name,
        "status": issue.get_status_display(),
    }
    if event.note:
        body += "\n" + event.note
    return title, body


def wants_sms(event: IssueEvent) -> bool:
    """SMS is for what cannot wait: supervision, and anything about an urgent problem."""
    return event.kind == "escalate" or event.issue.urgency != Urgency.NORMAL


def sms_not_before(
    event: IssueEvent, policy: IssuePolicy, days: WorkingDays | None = None
) -> datetime | None:
    """When a text about supervision may go out: at once for 特急, otherwise in working hours (DESIGN §4)."""
    if event.kind != "escalate" or event.issue.urgency == Urgency.CRITICAL:
        return None
    return within_working_hours(event.created_at, policy, days)


# Events whose inbox messages are written in one transaction.
DELIVERY_CHUNK = 100


def deliver_event(event_id: int) -> int:
    """Notify everyone concerned once; safe to run again. Returns how many inbox messages were new."""
    return deliver_events([event_id])


def deliver_events(event_ids: list[int]) -> int:
    """``deliver_event`` for many events (a sweep's alerts, the outbox), a chunk of them per transaction.

    The inbox messages and the outbox marks of a chunk commit together: one flush of the database's log for
    a hundred events, where a commit per message and per mark made a sweep's thousands of alerts take
    minutes to reach the inboxes. E-mails and texts are tried only after the commit. An event another worker
    is delivering at the same moment is skipped, not waited for (and not marked: that worker marks it).
    """
    created = 0
    for start in range(0, len(event_ids), DELIVERY_CHUNK):
        created += _deliver_chunk(event_ids[start : start + DELIVERY_CHUNK])
    return created


def _deliver_chunk(event_ids: list[int]) -> int:
    created, deliveries = 0, []
    policy, days = IssuePolicy.current(), WorkingDays()
    with transaction.atomic():
        # The outbox rows are locked, never the append-only events.
        pending = list(
            EventOutbox.objects.select_for_update(skip_locked=True)
            .filter(event_id__in=event_ids, notified_at__isnull=True)
            .values_list("event_id", flat=True)
        )
        events = list(
            IssueEvent.objects.select_related("issue", "issue__enterprise")
            .filter(pk__in=pending)
            .order_by("pk")
        )
        for event in events:
            url = reverse("web:issue-detail", args=[event.issue_id])
            sms = wants_sms(event)
            wait = sms_not_before(event, policy, days) if sms else None
            for recipient in recipients_for(event):
                with translation.override(recipient.language):
                    title, body = message_for(event)
                new = notify(
                    recipient=recipient,
                    source_key=f"event:{event.pk}",
                    kind=event.kind,
                    title=title,
                    body=body,
                    url=url,
                    sms=sms,
                    sms_not_before=wait,
                )
                if new is not None:
                    created += 1
                    deliveries += new
        if events:
            EventOutbox.objects.filter(event_id__in=[event.pk for event in events]).update(
                notified_at=clock.now()
            )
    # We are in the worker already: try the e-mails and texts now; the delivery sweep retries failures.
    for delivery_id in deliveries:
        attempt_delivery(delivery_id)
    return created


def pending_event_ids(
    *, now: datetime | None = None, older_than_seconds: int = 60, limit: int = 500
) -> list[int]:
    """Events whose notifications never went out (the broker was down when they were recorded)."""
    cutoff = (now or clock.now()) - timedelta(seconds=older_than_seconds)
    return list(
        EventOutbox.objects.filter(notified_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("event_id", flat=True)[:limit]
    )
