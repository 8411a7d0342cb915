"""The operations page (issue 3): the last run of each sweep, what is overdue, today's alerts, the e-mail and
SMS outbox, events not yet notified, and a button to send failed messages again. Administrators only."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.accounts.models import Role
from services.core import clock
from services.core.models import SweepRun
from services.issues import actions
from services.issues.models import AlertKind
from services.issues.tracking import sweep_clocks
from services.notifications.models import Channel, Delivery, DeliveryStatus
from tests.factories import UserFactory
from tests.factories import issues as make
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

OPS = reverse("web:ops")
MONDAY = shanghai(2026, 3, 2, 10)
THURSDAY = shanghai(2026, 3, 5, 10)  # sign (due Tue) and first contact (due Wed) of Monday's problems overdue


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def page_at(client, moment: dt.datetime):
    with clock.travel_to(moment):
        response = client.get(OPS)
    assert response.status_code == 200
    return response


def dispatched_on_monday(enterprise_user, dispatcher, category, handler, *, acknowledged: bool = False):
    with clock.travel_to(MONDAY):
        issue = make.dispatched(
            enterprise_user=enterprise_user, category=category, dispatcher=dispatcher, unit=handler.unit
        )
        if acknowledged:
            actions.acknowledge_issue(issue=issue, actor=handler)
    return issue


def a_delivery(
    recipient, *, status=DeliveryStatus.PENDING, created_at=MONDAY, source_key="event:1"
) -> Delivery:
    delivery = Delivery.objects.create(
        recipient=recipient,
        channel=Channel.SMS,
        address="13900000002",
        subject="督办（1级）：诉求 JJ2026-00001 的“答复”已超期",
        body="……",
        source_key=source_key,
        status=status,
        attempts=8 if status == DeliveryStatus.FAILED else 1,
        next_attempt_at=created_at,
        last_error="ConnectionError('短信网关无响应')" if status == DeliveryStatus.FAILED else "",
    )
    Delivery.objects.filter(pk=delivery.pk).update(created_at=created_at)  # created_at is set on insert
    return delivery


def outbox_rows() -> list[dict]:
    return list(Delivery.objects.order_by("pk").values())


# ---------------------------------------------------------------- who may open it


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(OPS)

    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={OPS}")


@pytest.mark.parametrize(
    "person", ["enterprise_user", "specialist", "handler", "unit_head", "dispatcher", "leader"]
)
def test_nobody_but_an_administrator_finds_the_page(client, request, person):
    client.force_login(request.getfixturevalue(person))

    assert client.get(OPS).status_code == 404


def test_an_administrator_by_role_opens_the_page_without_being_a_superuser(client):
    client.force_login(UserFactory(role=Role.ADMIN))

    assert client.get(OPS).status_code == 200


@pytest.mark.parametrize(
    ("person", "offered"), [("dispatcher", False), ("leader", False), ("admin_user", True)]
)
def test_the_navigation_offers_the_page_to_administrators_only(client, request, person, offered):
    client.force_login(request.getfixturevalue(person))

    page = client.get(reverse("web:home")).content.decode()

    assert (f'href="{OPS}"' in page) is offered


# ---------------------------------------------------------------- sweeps


def test_the_page_shows_the_latest_run_of_each_sweep(admin_client):
    SweepRun.objects.create(
        name="issues.sweep_clocks",
        started_at=shanghai(2026, 3, 5, 9, 58),
        duration_ms=40,
        found=9,
        processed=9,
    )
    SweepRun.objects.create(
        name="issues.sweep_clocks",
        started_at=shanghai(2026, 3, 5, 9, 59),
        duration_ms=12,
        found=3,
        processed=5,
    )

    page = page_at(admin_client, THURSDAY)

    (clocks,) = [sweep for sweep in page.context["sweeps"] if sweep.name == "issues.sweep_clocks"]
    run = clocks.last_run
    assert (run.started_at, run.duration_ms, run.found, run.processed, run.error) == (
        shanghai(2026, 3, 5, 9, 59),
        12,
        3,
        5,
        "",
    )
    assert "2026-03-05 09:59:00" in page.content.decode()


def test_the_page_shows_the_error_of_a_sweep_that_failed(admin_client):
    SweepRun.objects.create(
        name="notifications.send_due_deliveries",
        started_at=shanghai(2026, 3, 5, 9, 59),
        duration_ms=3,
        error="OperationalError('database is locked')",
    )

    page = page_at(admin_client, THURSDAY).content.decode()

    assert "OperationalError(&#x27;database is locked&#x27;)" in page


def test_a_sweep_that_never_ran_is_listed_as_not_yet_run(admin_client):
    page = page_at(admin_client, THURSDAY)

    assert {sweep.name for sweep in page.context["sweeps"]} == {
        "issues.sweep_clocks",
        "issues.notify_pending_events",
        "notifications.send_due_deliveries",
        "notifications.send_digests",
        "visits.send_coverage_reminders",
        "reports.freeze_due_periods",
        "reports.refresh_rollups",
        "workcalendar.remind_to_enter_next_year",
    }
    assert page.content.decode().count("尚未运行") == 8


# ---------------------------------------------------------------- clocks and alerts


def test_the_page_counts_the_running_clocks_that_are_overdue(
    admin_client, enterprise_user, dispatcher, category, handler
):
    dispatched_on_monday(enterprise_user, dispatcher, category, handler)  # sign and first contact overdue
    dispatched_on_monday(enterprise_user, dispatcher, category, handler, acknowledged=True)  # first contact

    clocks = page_at(admin_client, THURSDAY).context["clocks"]

    assert (clocks["overdue"], clocks["escalated"]) == (3, 0)


def test_the_page_counts_the_overdue_clocks_already_escalated(
    admin_client, enterprise_user, dispatcher, category, handler
):
    dispatched_on_monday(enterprise_user, dispatcher, category, handler)
    sweep_clocks(now=shanghai(2026, 3, 4, 0, 0))  # the sign clock is escalated; first contact is not due yet

    clocks = page_at(admin_client, THURSDAY).context["clocks"]

    assert (clocks["overdue"], clocks["escalated"]) == (2, 1)


def test_the_page_counts_alerts_whose_moment_came_but_no_sweep_raised(
    admin_client, enterprise_user, dispatcher, category, handler
):
    dispatched_on_monday(enterprise_user, dispatcher, category, handler)

    before = page_at(admin_client, THURSDAY).context["clocks"]["alerts_waiting"]
    sweep_clocks(now=THURSDAY)
    after = page_at(admin_client, THURSDAY).context["clocks"]["alerts_waiting"]

    # The sign and first-contact clocks had reminders and escalations waiting for the sweep.
    assert (before, after) == (2, 0)


def test_the_page_counts_today_s_alerts_by_kind(admin_client, enterprise_user, dispatcher, category, handler):
    dispatched_on_monday(enterprise_user, dispatcher, category, handler)
    sweep_clocks(now=shanghai(2026, 3, 3, 9, 0))  # yesterday: the sign clock's last-day reminder
    sweep_clocks(now=shanghai(2026, 3, 4, 0, 0, 1))  # today: the sign clock escalated
    sweep_clocks(now=shanghai(2026, 3, 4, 9, 0))  # today: first contact's last-day reminder

    alerts = dict(page_at(admin_client, shanghai(2026, 3, 4, 12)).context["alerts_today"])

    assert alerts == {
        AlertKind.REMIND.label: 0,
        AlertKind.REMIND_LAST_DAY.label: 1,
        AlertKind.ESCALATE.label: 1,
        AlertKind.ESCALATE_SECOND.label: 0,
        AlertKind.AUTO_CLOSE.label: 0,
    }


# ---------------------------------------------------------------- outbox


def test_the_page_counts_pending_and_failed_deliveries(admin_client, unit_head):
    a_delivery(unit_head, source_key="event:1")
    a_delivery(unit_head, source_key="event:2", status=DeliveryStatus.FAILED)
    a_delivery(unit_head, source_key="event:3", status=DeliveryStatus.FAILED)
    a_delivery(unit_head, source_key="event:4", status=DeliveryStatus.SENT)

    deliveries = page_at(admin_client, THURSDAY).context["deliveries"]

    assert (deliveries["pending"], deliveries["failed"]) == (1, 2)


def test_the_page_says_how_long_the_oldest_pending_delivery_has_waited(admin_client, unit_head):
    a_delivery(unit_head, source_key="event:1", created_at=THURSDAY - dt.timedelta(hours=3))
    a_delivery(unit_head, source_key="event:2", created_at=THURSDAY - dt.timedelta(minutes=5))

    page = page_at(admin_client, THURSDAY).content.decode()

    assert "最早一条待发送消息已等待 3\xa0小时。" in page


def test_the_page_lists_the_failed_deliveries_with_their_error(admin_client, unit_head):
    a_delivery(unit_head, status=DeliveryStatus.FAILED)

    page = page_at(admin_client, THURSDAY)

    assert [(d.recipient, d.last_error) for d in page.context["failures"]] == [
        (unit_head, "ConnectionError('短信网关无响应')")
    ]


def test_the_page_counts_the_events_whose_notifications_have_not_gone_out(
    admin_client, enterprise_user, dispatcher, category, handler
):
    # Submitted, accepted, dispatched: recorded, but the worker never got them (nothing ran after the commit).
    dispatched_on_monday(enterprise_user, dispatcher, category, handler)

    outbox = page_at(admin_client, THURSDAY).context["outbox"]

    assert (outbox["count"], outbox["oldest"]) == (3, MONDAY)


# ---------------------------------------------------------------- the retry button


def test_the_retry_button_queues_the_failed_deliveries_again_and_comes_back_with_a_message(
    admin_client, unit_head
):
    failed = a_delivery(unit_head, status=DeliveryStatus.FAILED)

    with clock.travel_to(THURSDAY):
        response = admin_client.post(OPS, follow=True)

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 0)
    assert response.redirect_chain == [(OPS, 302)]
    assert "已重新排队 1 条消息。" in response.content.decode()


def test_the_retry_button_says_so_when_nothing_had_failed(admin_client):
    response = admin_client.post(OPS, follow=True)

    assert "没有发送失败的消息。" in response.content.decode()


def test_the_retry_button_sends_the_csrf_token(admin_client):
    page = admin_client.get(OPS).content.decode()

    form = page[page.index(f'<form method="post" action="{OPS}">') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]


def test_a_retry_without_the_csrf_token_is_refused_and_changes_nothing(admin_user, unit_head):
    a_delivery(unit_head, status=DeliveryStatus.FAILED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = outbox_rows()

    response = client.post(OPS)

    assert (response.status_code, outbox_rows()) == (403, before)


@pytest.mark.parametrize("person", ["dispatcher", "leader", "handler"])
def test_nobody_but_an_administrator_can_retry_and_nothing_changes(client, request, person, unit_head):
    a_delivery(unit_head, status=DeliveryStatus.FAILED)
    client.force_login(request.getfixturevalue(person))
    before = outbox_rows()

    response = client.post(OPS)

    assert (response.status_code, outbox_rows()) == (404, before)


# ---------------------------------------------------------------- cost


def queries_of_the_page(client) -> int:
    with clock.travel_to(THURSDAY), CaptureQueriesContext(connection) as queries:
        assert client.get(OPS).status_code == 200
    return len(queries)


def test_the_page_takes_as_many_queries_with_plenty_to_show_as_with_nothing(
    admin_client, enterprise_user, dispatcher, category, handler, unit_head
):
    queries_of_the_page(admin_client)  # warm up what the page caches per user (the header's unread count)
    empty = queries_of_the_page(admin_client)
    for _ in range(3):
        dispatched_on_monday(enterprise_user, dispatcher, category, handler)
    sweep_clocks(now=shanghai(2026, 3, 5, 9, 0))
    for n in range(5):
        a_delivery(unit_head, source_key=f"event:p{n}")
        a_delivery(unit_head, source_key=f"event:f{n}", status=DeliveryStatus.FAILED)
    for name in ("issues.sweep_clocks", "notifications.send_due_deliveries"):
        for minute in range(3):
            SweepRun.objects.create(name=name, started_at=shanghai(2026, 3, 5, 9, minute), duration_ms=5)

    busy = queries_of_the_page(admin_client)

    # session, user; the sweeps' last runs; overdue clocks, waiting alerts, today's alerts, deliveries, recent
    # failures, events not notified (the header's unread count may come from the cache)
    assert empty == busy <= 10


def test_the_page_speaks_the_administrator_s_chinese(admin_client):
    page = page_at(admin_client, THURSDAY).content.decode()

    for heading in ("运行监控", "定时巡检", "办理时限", "今日提醒与督办", "邮件和短信", "重发失败消息"):
        assert heading in page
