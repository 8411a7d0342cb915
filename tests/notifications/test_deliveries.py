"""The e-mail and SMS outbox: a delivery that fails is retried with a growing backoff, is marked failed after
MAX_ATTEMPTS, and an administrator can queue failed ones again. E-mail goes through Django's mail backend
(locmem in the tests), SMS through the sender named in ``settings.JIANGJIN_SMS_SENDER``."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from services.core import clock
from services.core.errors import NotPermitted
from services.core.models import SweepRun
from services.notifications.actions import (
    MAX_ATTEMPTS,
    attempt_delivery,
    backoff,
    notify,
    retry_failed_deliveries,
)
from services.notifications.models import Channel, Delivery, DeliveryStatus
from services.notifications.tasks import send_due_deliveries_task
from tests.factories import AdminFactory, UserFactory
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 3, 2, 10)
HERE = "tests.notifications.test_deliveries"


class GatewayDownSmsSender:
    calls = 0

    def send(self, *, phone: str, text: str) -> None:
        GatewayDownSmsSender.calls += 1
        raise ConnectionError("短信网关无响应")


class RecordingSmsSender:
    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        RecordingSmsSender.sent.append((phone, text))


class SmtpDownBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """A backend failing in a way that is not an OSError, as a malformed address does."""

    def send_messages(self, email_messages):
        raise ValueError("Invalid address")


class PickyBackend(locmem.EmailBackend):
    """The test outbox, refusing addresses without an @ the way the SMTP backend does."""

    def send_messages(self, email_messages):
        if any("@" not in address for message in email_messages for address in message.to):
            raise ValueError("Invalid address")
        return super().send_messages(email_messages)


@pytest.fixture(autouse=True)
def _fresh_senders():
    GatewayDownSmsSender.calls = 0
    RecordingSmsSender.sent = []


@pytest.fixture
def gateway_down(settings):
    settings.JIANGJIN_SMS_SENDER = f"{HERE}.GatewayDownSmsSender"


@pytest.fixture
def gateway_up(settings):
    settings.JIANGJIN_SMS_SENDER = f"{HERE}.RecordingSmsSender"


@pytest.fixture
def head(unit_head):
    unit_head.phone = "13900000002"
    unit_head.save(update_fields=["phone"])
    return unit_head


def a_message_to(person, *, source_key: str = "event:1", sms: bool = False) -> list[Delivery]:
    with clock.travel_to(NOW):
        ids = notify(
            recipient=person,
            source_key=source_key,
            kind="escalate",
            title="督办（1级）：诉求 JJ2026-00001 的“答复”已超期",
            body="“招工难，急需焊工30名”（重庆江记酒庄有限公司）当前状态：办理中。",
            url="/issues/1/",
            sms=sms,
        )
    return list(Delivery.objects.filter(pk__in=ids).order_by("channel"))


def a_text_to(person, **kw) -> Delivery:
    (text,) = [
        delivery for delivery in a_message_to(person, sms=True, **kw) if delivery.channel == Channel.SMS
    ]
    return text


def attempt_at(moment: dt.datetime, delivery: Delivery) -> Delivery:
    with clock.travel_to(moment):
        attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def fail_until_given_up(delivery: Delivery) -> Delivery:
    moment = NOW
    for _attempt in range(MAX_ATTEMPTS):
        delivery = attempt_at(moment, delivery)
        moment = delivery.next_attempt_at
    return delivery


# ---------------------------------------------------------------- sending and retrying


def test_an_e_mail_goes_out_through_django_s_mail_backend(head):
    (email, _text) = a_message_to(head, sms=True)

    attempt_at(NOW, email)

    (sent,) = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (
        [head.email],
        "督办（1级）：诉求 JJ2026-00001 的“答复”已超期",
        "“招工难，急需焊工30名”（重庆江记酒庄有限公司）当前状态：办理中。\n\n/issues/1/",
    )


def test_a_sent_delivery_is_marked_sent(head, gateway_up):
    text = attempt_at(NOW, a_text_to(head))

    assert (text.status, text.attempts, text.sent_at, text.last_error) == (DeliveryStatus.SENT, 1, NOW, "")


def test_a_text_the_gateway_refuses_stays_pending_with_the_error_and_a_backoff(head, gateway_down):
    text = attempt_at(NOW, a_text_to(head))

    assert (text.status, text.attempts, text.next_attempt_at, text.last_error) == (
        DeliveryStatus.PENDING,
        1,
        NOW + dt.timedelta(seconds=30),
        "ConnectionError('短信网关无响应')",
    )


def test_a_delivery_is_not_tried_again_before_its_backoff_has_passed(head, gateway_down):
    text = attempt_at(NOW, a_text_to(head))

    text = attempt_at(NOW + dt.timedelta(seconds=29), text)

    assert (GatewayDownSmsSender.calls, text.attempts) == (1, 1)


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920), (8, 3600), (20, 3600)],
)
def test_the_backoff_doubles_with_each_failed_attempt_up_to_an_hour(attempts, seconds):
    assert backoff(attempts) == dt.timedelta(seconds=seconds)


def test_a_text_goes_out_once_the_gateway_works_again(head, gateway_down, settings):
    text = attempt_at(NOW, a_text_to(head))
    settings.JIANGJIN_SMS_SENDER = f"{HERE}.RecordingSmsSender"

    text = attempt_at(text.next_attempt_at, text)

    assert (text.status, text.attempts, text.last_error) == (DeliveryStatus.SENT, 2, "")
    assert RecordingSmsSender.sent == [
        ("13900000002", "【江津企业服务】督办（1级）：诉求 JJ2026-00001 的“答复”已超期")
    ]


def test_a_delivery_that_keeps_failing_is_marked_failed_after_the_last_attempt(head, gateway_down):
    text = fail_until_given_up(a_text_to(head))

    assert (text.status, text.attempts, GatewayDownSmsSender.calls) == (
        DeliveryStatus.FAILED,
        MAX_ATTEMPTS,
        MAX_ATTEMPTS,
    )


def test_a_failed_delivery_is_left_alone_by_the_delivery_sweep(head, gateway_down):
    fail_until_given_up(a_text_to(head))

    with clock.travel_to(NOW + dt.timedelta(days=1)):
        send_due_deliveries_task()

    assert GatewayDownSmsSender.calls == MAX_ATTEMPTS


def test_an_e_mail_the_smtp_server_drops_is_retried_later(head, settings):
    settings.EMAIL_BACKEND = f"{HERE}.SmtpDownBackend"
    (email,) = a_message_to(head)

    email = attempt_at(NOW, email)

    assert (email.status, email.attempts, email.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "Connection unexpectedly closed",
    )


def test_an_e_mail_the_backend_refuses_in_an_unexpected_way_counts_as_a_failed_attempt(head, settings):
    settings.EMAIL_BACKEND = f"{HERE}.RefusingBackend"
    (email,) = a_message_to(head)

    email = attempt_at(NOW, email)

    assert (email.status, email.attempts, email.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "ValueError('Invalid address')",
    )


def test_a_delivery_that_cannot_be_sent_does_not_hold_up_the_ones_behind_it(head, dispatcher, settings):
    settings.EMAIL_BACKEND = f"{HERE}.PickyBackend"
    (refused,) = a_message_to(head, source_key="event:1")
    (waiting,) = a_message_to(dispatcher, source_key="event:2")
    Delivery.objects.filter(pk=refused.pk).update(
        address="not an address", next_attempt_at=NOW - dt.timedelta(minutes=1)
    )

    with clock.travel_to(NOW):
        send_due_deliveries_task()

    waiting.refresh_from_db()
    assert (waiting.status, [message.to for message in mail.outbox]) == (
        DeliveryStatus.SENT,
        [[dispatcher.email]],
    )


def test_the_delivery_sweep_records_its_run(head, gateway_up):
    a_message_to(head, sms=True)

    with clock.travel_to(NOW):
        send_due_deliveries_task()

    run = SweepRun.objects.get()
    assert (run.name, run.found, run.processed) == ("notifications.send_due_deliveries", 2, 2)


# ---------------------------------------------------------------- an administrator retries


@pytest.fixture
def given_up(head, gateway_down) -> Delivery:
    return fail_until_given_up(a_text_to(head))


def outbox_rows() -> list[dict]:
    return list(Delivery.objects.order_by("pk").values())


def test_an_administrator_queues_failed_deliveries_again_from_the_first_attempt(given_up):
    later = NOW + dt.timedelta(days=1)

    with clock.travel_to(later):
        queued = retry_failed_deliveries(actor=AdminFactory())

    given_up.refresh_from_db()
    assert (queued, given_up.status, given_up.attempts, given_up.next_attempt_at, given_up.last_error) == (
        1,
        DeliveryStatus.PENDING,
        0,
        later,
        "",
    )


def test_a_requeued_delivery_goes_out_with_the_next_delivery_sweep(given_up, settings):
    settings.JIANGJIN_SMS_SENDER = f"{HERE}.RecordingSmsSender"
    later = NOW + dt.timedelta(days=1)
    with clock.travel_to(later):
        retry_failed_deliveries(actor=AdminFactory())

    with clock.travel_to(later + dt.timedelta(minutes=1)):
        send_due_deliveries_task()

    given_up.refresh_from_db()
    assert (given_up.status, len(RecordingSmsSender.sent)) == (DeliveryStatus.SENT, 1)


def test_an_administrator_may_queue_only_the_chosen_failed_deliveries(given_up, dispatcher, gateway_down):
    dispatcher.phone = "13900000003"
    dispatcher.save(update_fields=["phone"])
    other = fail_until_given_up(a_text_to(dispatcher))

    with clock.travel_to(NOW):
        retry_failed_deliveries(actor=AdminFactory(), ids=[other.pk])

    statuses = dict(Delivery.objects.filter(channel=Channel.SMS).values_list("pk", "status"))
    assert statuses == {given_up.pk: DeliveryStatus.FAILED, other.pk: DeliveryStatus.PENDING}


@pytest.mark.parametrize("person", ["dispatcher", "handler", "enterprise_user"])
def test_no_one_but_an_administrator_may_queue_failed_deliveries_again(given_up, person, request):
    before = outbox_rows()

    with pytest.raises(NotPermitted):
        retry_failed_deliveries(actor=request.getfixturevalue(person))

    assert outbox_rows() == before


def test_the_admin_action_queues_the_selected_failed_deliveries_again(given_up, client):
    client.force_login(AdminFactory())

    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry", "_selected_action": [given_up.pk]},
        follow=True,
    )

    given_up.refresh_from_db()
    assert given_up.status == DeliveryStatus.PENDING
    assert "已重新排队 1 条消息。" in response.content.decode()


def test_staff_who_may_only_look_at_the_outbox_are_not_offered_the_retry(given_up, client):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(role="dispatcher", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client.force_login(viewer)
    before = outbox_rows()

    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry", "_selected_action": [given_up.pk]},
    )

    assert response.status_code == 200  # the changelist again, with "no action selected"
    assert 'value="retry"' not in response.content.decode()
    assert outbox_rows() == before
