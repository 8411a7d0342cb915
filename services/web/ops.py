"""The operations page (issue 3, item 6): are the sweeps running, is anything overdue, is anything stuck on
its way out — and a button to send failed messages again. Administrators only.

Every figure is one aggregate query over a partial or composite index, so the page costs the same number of
queries however busy the platform is, and each query reads what is overdue, due or stuck rather than
everything open.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from services.core import clock
from services.core.models import SweepRun
from services.issues.models import AlertKind, ClockAlert, EventOutbox, StageClock
from services.notifications.actions import retry_failed_deliveries
from services.notifications.models import Delivery, DeliveryStatus
from services.web.access import runs_operations

SWEEP_LABELS = {
    "issues.sweep_clocks": gettext_lazy("时限巡检（提醒、督办、超期未评价自动办结）"),
    "issues.notify_pending_events": gettext_lazy("消息补发（未分发的办理记录）"),
    "notifications.send_due_deliveries": gettext_lazy("邮件和短信发送（含失败重试）"),
    "notifications.send_digests": gettext_lazy("每日汇总"),
    "visits.send_coverage_reminders": gettext_lazy("季度遍访提醒"),
    "reports.freeze_due_periods": gettext_lazy("统计期关账（冻结报表）"),
    "reports.refresh_rollups": gettext_lazy("当期统计汇总补算"),
    "workcalendar.remind_to_enter_next_year": gettext_lazy("提醒录入下一年节假日安排"),
}
RECENT_FAILURES = 10
RUNNING = Q(met_at__isnull=True, stopped_at__isnull=True)


@dataclass(frozen=True)
class Sweep:
    name: str
    label: str
    last_run: SweepRun | None


def sweep_names() -> list[str]:
    """The sweeps beat runs, in the order of its schedule, and any other this page knows by name."""
    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    return list(dict.fromkeys([*scheduled, *SWEEP_LABELS]))


def latest_runs(names: list[str]) -> list[Sweep]:
    """The last run of each sweep, in one query whatever the number of sweeps or runs."""
    newest = SweepRun.objects.filter(name=OuterRef("name")).order_by("-started_at", "-pk").values("pk")[:1]
    runs = {run.name: run for run in SweepRun.objects.filter(name__in=names, pk=Subquery(newest))}
    return [
        Sweep(name=name, label=str(SWEEP_LABELS.get(name, name)), last_run=runs.get(name)) for name in names
    ]


def clock_figures(now: dt.datetime) -> dict:
    overdue = StageClock.objects.filter(RUNNING, due_at__lt=now).aggregate(
        overdue=Count("pk"), escalated=Count("pk", filter=Q(breached_at__isnull=False))
    )
    # Alerts whose moment has come but that no sweep has raised yet: above zero for long, the sweep is stuck.
    waiting = StageClock.objects.filter(RUNNING, next_alert_at__lte=now).aggregate(
        count=Count("pk"), oldest=Min("next_alert_at")
    )
    return {**overdue, "alerts_waiting": waiting["count"], "oldest_waiting_alert": waiting["oldest"]}


def alerts_today(now: dt.datetime) -> list[tuple[str, int]]:
    """Every kind of alert, with how many were raised since midnight (local time)."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    counts = dict(
        ClockAlert.objects.filter(created_at__gte=midnight, created_at__lte=now)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(str(kind.label), counts.get(kind.value, 0)) for kind in AlertKind]


def delivery_figures() -> dict:
    return Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]).aggregate(
        pending=Count("pk", filter=Q(status=DeliveryStatus.PENDING)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        oldest_pending=Min("created_at", filter=Q(status=DeliveryStatus.PENDING)),
    )


def recent_failures() -> list[Delivery]:
    return list(
        Delivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("recipient")
        .order_by("-created_at", "-pk")[:RECENT_FAILURES]
    )


def outbox_figures() -> dict:
    """Events whose notifications have not gone out yet (the broker was down, or a worker is behind)."""
    return EventOutbox.objects.filter(notified_at__isnull=True).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )


def overview(now: dt.datetime) -> dict:
    return {
        "now": now,
        "sweeps": latest_runs(sweep_names()),
        "clocks": clock_figures(now),
        "alerts_today": alerts_today(now),
        "deliveries": delivery_figures(),
        "failures": recent_failures(),
        "outbox": outbox_figures(),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ops_view(request: HttpRequest) -> HttpResponse:
    if not runs_operations(request.user):
        raise Http404
    if request.method == "POST":
        count = retry_failed_deliveries(actor=request.user)
        if count:
            messages.success(request, _("已重新排队 %(count)d 条消息。") % {"count": count})
        else:
            messages.info(request, _("没有发送失败的消息。"))
        return redirect("web:ops")
    return render(request, "web/ops.html", overview(clock.now()))
