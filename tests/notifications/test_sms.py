"""SMS is for what cannot wait — supervision notices and anything about an urgent problem — and goes through
a pluggable sender named in ``settings.JIANGJIN_SMS_SENDER``; the default only writes to the log."""

import logging

import pytest

from services.core import clock
from services.issues import actions
from services.issues.models import Urgency
from services.issues.tracking import sweep_clocks
from services.notifications.actions import attempt_delivery, notify
from services.notifications.models import Channel, Delivery
from services.notifications.senders import LoggingSmsSender, sms_sender
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

MONDAY = shanghai(2026, 3, 2, 10)


class RecordingSmsSender:
    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        RecordingSmsSender.sent.append((phone, text))


class GatewayDownSmsSender:
    def send(self, *, phone: str, text: str) -> None:
        raise ConnectionError("短信网关无响应")


@pytest.fixture(autouse=True)
def recording(settings):
    RecordingSmsSender.sent = []
    settings.JIANGJIN_SMS_SENDER = "tests.notifications.test_sms.RecordingSmsSender"
    return RecordingSmsSender.sent


@pytest.fixture
def on_the_phone(handler, unit_head, dispatcher):
    """The handler, the unit head and the dispatcher each have a mobile number."""
    for person, phone in ((handler, "13900000001"), (unit_head, "13900000002"), (dispatcher, "13900000003")):
        person.phone = phone
        person.save(update_fields=["phone"])


def test_the_sender_is_the_class_the_settings_name(settings):
    settings.JIANGJIN_SMS_SENDER = "services.notifications.senders.LoggingSmsSender"

    assert isinstance(sms_sender(), LoggingSmsSender)


def test_the_default_sender_writes_the_text_to_the_log(caplog):
    with caplog.at_level(logging.INFO, logger="jiangjin.sms"):
        LoggingSmsSender().send(phone="13900000002", text="【江津企业服务】督办")

    assert caplog.messages == ["SMS to 13900000002: 【江津企业服务】督办"]


def test_a_text_carries_the_platform_signature_and_the_title(unit_head, recording):
    unit_head.phone = "13900000002"
    unit_head.save(update_fields=["phone"])
    with clock.travel_to(MONDAY):
        ids = notify(
            recipient=unit_head, source_key="event:1", kind="escalate", title="督办：诉求已超期", sms=True
        )
        for delivery_id in ids:
            attempt_delivery(delivery_id)

    assert recording == [("13900000002", "【江津企业服务】督办：诉求已超期")]


def test_a_supervision_notice_is_texted_to_the_unit_head_and_the_dispatcher(
    build, on_the_phone, recording, django_capture_on_commit_callbacks
):
    # Dispatched on Monday 2 March 2026; not signed for by the end of Tuesday.
    with clock.travel_to(MONDAY):
        build.dispatched()

    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=shanghai(2026, 3, 4, 0, 0))

    assert sorted(phone for phone, _text in recording) == ["13900000002", "13900000003"]


def test_news_of_an_urgent_problem_is_texted(
    build, on_the_phone, recording, django_capture_on_commit_callbacks
):
    with clock.travel_to(MONDAY), django_capture_on_commit_callbacks(execute=True):
        issue = build.dispatched(urgency=Urgency.URGENT)

    assert ("13900000001", f"【江津企业服务】诉求 {issue.number}：派单") in recording


def test_news_of_an_ordinary_problem_is_not_texted(build, on_the_phone, django_capture_on_commit_callbacks):
    with clock.travel_to(MONDAY), django_capture_on_commit_callbacks(execute=True):
        build.dispatched()

    assert set(Delivery.objects.values_list("channel", flat=True)) == {Channel.EMAIL}


def test_nobody_without_a_phone_number_is_texted(
    build, handler, recording, django_capture_on_commit_callbacks
):
    with clock.travel_to(MONDAY), django_capture_on_commit_callbacks(execute=True):
        build.dispatched(urgency=Urgency.URGENT)

    assert (recording, Delivery.objects.filter(channel=Channel.SMS).count()) == ([], 0)


def test_an_official_who_reads_english_is_texted_in_english(
    build, handler, on_the_phone, recording, django_capture_on_commit_callbacks
):
    handler.language = "en"
    handler.save(update_fields=["language"])
    with clock.travel_to(MONDAY), django_capture_on_commit_callbacks(execute=True):
        issue = build.dispatched(urgency=Urgency.CRITICAL)

    assert ("13900000001", f"【江津企业服务】Issue {issue.number}: Dispatch") in recording


def test_a_texting_failure_does_not_undo_the_action(
    build, dispatcher, unit, on_the_phone, settings, django_capture_on_commit_callbacks
):
    settings.JIANGJIN_SMS_SENDER = "tests.notifications.test_sms.GatewayDownSmsSender"
    with clock.travel_to(MONDAY):
        issue = build.accepted(urgency=Urgency.URGENT)

    with clock.travel_to(MONDAY), django_capture_on_commit_callbacks(execute=True):
        actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=unit)

    issue.refresh_from_db()
    text = Delivery.objects.get(channel=Channel.SMS, address="13900000001")
    assert (issue.status, text.status, text.attempts) == ("dispatched", "pending", 1)
