"""Who hears about which event, and what they are told. Runs in the worker, after the commit."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from services.accounts.models import Role, User
from services.core import clock
from services.issues.models import Issue, IssueEvent, IssueUnit
from services.notifications.actions import notify

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
TO_CO_UNITS = {"dispatch", "transfer"}
TO_UNIT_HEADS = {"escalate"}


def recipients_for(event: IssueEvent) -> list[User]:
    issue: Issue = event.issue
    kind = event.kind
    who = Q(pk__in=[])
    if kind in TO_DISPATCHERS:
        who |= Q(role=Role.DISPATCHER)
    if kind in TO_ENTERPRISE:
        who |= Q(role=Role.ENTERPRISE, enterprise_id=issue.enterprise_id)
    lead_unit_id = issue.lead_unit_id
    if kind in TO_LEAD_UNIT and lead_unit_id:
        who |= Q(role__in=[Role.HANDLER, Role.UNIT_HEAD], unit_id=lead_unit_id)
    if kind in TO_UNIT_HEADS and lead_unit_id:
        who |= Q(role=Role.UNIT_HEAD, unit_id=lead_unit_id)
    if kind in TO_CO_UNITS:
        co_units = IssueUnit.objects.filter(issue=issue, role="co", ended_at__isnull=True).values("unit_id")
        who |= Q(role__in=[Role.HANDLER, Role.UNIT_HEAD], unit_id__in=co_units)
    users = User.objects.filter(who, is_active=True).exclude(pk=event.actor_id)
    return list(users)


def message_for(event: IssueEvent) -> tuple[str, str]:
    issue = event.issue
    title = _("诉求 %(number)s：%(step)s") % {"number": issue.number, "step": event.label}
    body = _("“%(title)s”（%(enterprise)s）当前状态：%(status)s。") % {
        "title": issue.title,
        "enterprise": issue.enterprise.name,
        "status": issue.get_status_display(),
    }
    if event.note:
        body += "\n" + event.note
    return title, body


def deliver_event(event_id: int) -> int:
    """Notify everyone concerned once; safe to run again. Returns how many messages were new."""
    event = IssueEvent.objects.select_related("issue", "issue__enterprise").filter(pk=event_id).first()
    if event is None or event.notified_at is not None:
        return 0
    title, body = message_for(event)
    url = reverse("web:issue-detail", args=[event.issue_id])
    created = 0
    for recipient in recipients_for(event):
        created += notify(
            recipient=recipient,
            source_key=f"event:{event.pk}",
            kind=event.kind,
            title=title,
            body=body,
            url=url,
        )
    with transaction.atomic():
        IssueEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(notified_at=clock.now())
    return created


def pending_event_ids(*, older_than_seconds: int = 60, limit: int = 500) -> list[int]:
    """Events whose notifications never went out (the broker was down when they were recorded)."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    return list(
        IssueEvent.objects.filter(notified_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
