import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from services.core import clock
from services.issues import actions
from services.issues.models import Issue
from services.issues.tasks import sweep_clocks_task
from services.notifications.actions import notify, send_digests
from services.reports.models import AnnualTarget, Figure, ReportedFigure
from services.visits.models import CoverageReminder, VisitPhoto
from tests.factories import AdminFactory, VisitFactory
from tests.factories import issues as make

MONDAY_MORNING = dt.datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def superuser(db):
    return AdminFactory(username="sysadmin", display_name="系统管理员")


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def issue_in_handling(enterprise_user, dispatcher, handler, other_unit, category) -> Issue:
    """A real issue, built through the actions: a lead and a co-handling unit, running clocks, an extension
    request and five events, so that every inline of the issue page has rows to show."""
    with clock.travel_to(timezone.make_aware(MONDAY_MORNING)):
        issue = make.handling(
            enterprise_user=enterprise_user,
            dispatcher=dispatcher,
            handler=handler,
            category=category,
            co_units=[other_unit],
        )
        actions.request_extension(
            issue=issue, actor=handler, working_days=3, reason="需协调供电公司现场勘察。"
        )
    issue.refresh_from_db()
    return issue


@pytest.fixture
def a_few_rows_everywhere(issue_in_handling, enterprise, specialist, enterprise_user, unit):
    """At least one row of every model the admin shows."""
    visit = VisitFactory(enterprise=enterprise, specialist=specialist)
    CoverageReminder.objects.create(
        specialist=specialist, year=2026, quarter=4, enterprises=2, sent_at=visit.created_at
    )
    VisitPhoto.objects.create(
        visit=visit,
        image=SimpleUploadedFile("workshop.jpg", b"\xff\xd8\xff\xe0", "image/jpeg"),
        caption="焊接车间",
    )
    actions.add_attachment(
        issue=issue_in_handling,
        actor=enterprise_user,
        upload=SimpleUploadedFile("用地红线图.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"),
    )
    notify(
        recipient=enterprise_user,
        source_key=f"issue:{issue_in_handling.pk}:accepted",
        kind="accepted",
        title=f"您的诉求 {issue_in_handling.number} 已受理",
    )
    AnnualTarget.objects.create(year=2026, figure=Figure.CLOSURE_RATE, value=Decimal("1"), note="办结率100%")
    target = AnnualTarget.objects.create(year=2026, figure=Figure.VISITS, unit=unit, value=Decimal("120"))
    _reports_rows(target)
    with clock.travel_to(timezone.make_aware(MONDAY_MORNING + dt.timedelta(days=3))):
        sweep_clocks_task()  # raises reminders and supervision for the issue, and records the run
    enterprise_user.email = "hr@jiangji.example.cn"
    enterprise_user.wants_digest = True
    enterprise_user.save()
    send_digests()
    ReportedFigure.objects.create(
        key="specialists",
        year=2023,
        value=Decimal("223"),
        unit_label="名",
        phrase="223名服务专员深入559家规上工业企业实地走访",
        source="2023年工作总结",
    )
    return issue_in_handling


def _reports_rows(target):
    """A target change, a closed month and an export job, as the reports actions write them."""
    from services.reports.actions import change_target, close_period
    from services.reports.models import ExportJob
    from services.reports.snapshots import month
    from tests.factories import AdminFactory

    administrator = AdminFactory()
    change_target(actor=administrator, target=target, value=Decimal("150"))
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 2, 2, 10))):
        close_period(actor=administrator, period=month(2026, 1), reason="月报定稿")
    now = timezone.now()
    ExportJob.objects.create(
        requested_by=administrator,
        query="kind=year&year=2026&part=closed",
        title="办结问题（2026年）",
        created_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
