"""The daily digest for officials who chose it (DESIGN §4: "digest for officials rather than a burst"): no
e-mail per message, one e-mail each working morning listing what came in, never two on one day, none on a
holiday.

Time is frozen with freezegun rather than moved with ``clock.travel_to``: an inbox message takes its
``created_at`` from the wall clock (``auto_now_add``), and the digest compares it with ``clock.now()``.
"""

import datetime as dt

import pytest
from django.core import mail
from freezegun import freeze_time

from services.notifications.actions import notify, send_digests
from services.notifications.models import Channel, Delivery, Digest
from services.notifications.tasks import send_deliveries_task, send_digests_task, send_due_deliveries_task
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

TUESDAY = shanghai(2026, 3, 3, 15)
WEDNESDAY_MORNING = shanghai(2026, 3, 4, 8, 30)
THURSDAY_MORNING = shanghai(2026, 3, 5, 8, 30)


@pytest.fixture
def official(unit_head):
    unit_head.wants_digest = True
    unit_head.phone = "13900000002"
    unit_head.save(update_fields=["wants_digest", "phone"])
    return unit_head


def tell(person, number: int, *, at: dt.datetime, sms: bool = False) -> list[int]:
    with freeze_time(at):
        return notify(
            recipient=person,
            source_key=f"event:{number}",
            kind="remind",
            title=f"提醒：诉求 JJ2026-{number:05d} 的“答复”将于 2026-03-09 23:59 到期",
            sms=sms,
        )


def morning_run(at: dt.datetime) -> int:
    """What beat does at 08:30: the digest task, then the delivery sweep that sends its e-mails."""
    with freeze_time(at):
        digests = send_digests_task()
        send_due_deliveries_task()
    return digests


def test_an_official_who_takes_the_digest_gets_no_e_mail_per_message(official):
    ids = tell(official, 1, at=TUESDAY)

    send_deliveries_task(delivery_ids=ids)

    assert (Delivery.objects.filter(channel=Channel.EMAIL).count(), mail.outbox) == (0, [])


def test_an_official_who_takes_the_digest_is_still_texted_at_once(official):
    ids = tell(official, 1, at=TUESDAY, sms=True)

    assert list(Delivery.objects.filter(pk__in=ids).values_list("channel", flat=True)) == [Channel.SMS]


def test_the_next_working_morning_brings_one_e_mail_listing_the_day_s_messages(official):
    tell(official, 1, at=TUESDAY)
    tell(official, 2, at=TUESDAY + dt.timedelta(hours=1))

    morning_run(WEDNESDAY_MORNING)

    (digest,) = mail.outbox
    assert (digest.to, digest.subject, digest.body) == (
        [official.email],
        "江津企业服务每日汇总：2条新消息",
        "· 提醒：诉求 JJ2026-00001 的“答复”将于 2026-03-09 23:59 到期\n"
        "· 提醒：诉求 JJ2026-00002 的“答复”将于 2026-03-09 23:59 到期",
    )


def test_running_the_digest_twice_in_a_day_sends_one_digest(official):
    tell(official, 1, at=TUESDAY)
    morning_run(WEDNESDAY_MORNING)
    tell(official, 2, at=WEDNESDAY_MORNING + dt.timedelta(minutes=5))

    morning_run(WEDNESDAY_MORNING + dt.timedelta(minutes=10))

    assert (len(mail.outbox), Digest.objects.filter(recipient=official).count()) == (1, 1)


def test_a_message_that_came_after_the_day_s_digest_waits_for_the_next_one(official):
    tell(official, 1, at=TUESDAY)
    morning_run(WEDNESDAY_MORNING)
    tell(official, 2, at=WEDNESDAY_MORNING + dt.timedelta(minutes=5))

    morning_run(THURSDAY_MORNING)

    assert [(message.subject, message.body.count("·")) for message in mail.outbox] == [
        ("江津企业服务每日汇总：1条新消息", 1),
        ("江津企业服务每日汇总：1条新消息", 1),
    ]
    assert "JJ2026-00002" in mail.outbox[1].body


def test_an_official_with_no_new_messages_gets_no_digest(official):
    tell(official, 1, at=TUESDAY)
    morning_run(WEDNESDAY_MORNING)

    morning_run(THURSDAY_MORNING)

    assert (len(mail.outbox), Digest.objects.count()) == (1, 1)


def test_no_digest_is_sent_on_a_holiday(official):
    tell(official, 1, at=shanghai(2025, 9, 30, 15))

    sent = morning_run(shanghai(2025, 10, 1, 8, 30))  # National Day

    assert (sent, Digest.objects.count(), Delivery.objects.count(), mail.outbox) == (0, 0, 0, [])


def test_what_came_in_over_the_holiday_is_in_the_first_working_morning_s_digest(official):
    tell(official, 1, at=shanghai(2025, 9, 30, 15))
    tell(official, 2, at=shanghai(2025, 10, 3, 11))
    for day in range(1, 9):
        morning_run(shanghai(2025, 10, day, 8, 30))

    morning_run(shanghai(2025, 10, 9, 8, 30))

    (digest,) = mail.outbox
    assert digest.subject == "江津企业服务每日汇总：2条新消息"


def test_a_make_up_saturday_has_its_digest(official):
    tell(official, 1, at=shanghai(2025, 10, 10, 15))

    sent = morning_run(shanghai(2025, 10, 11, 8, 30))  # Saturday, worked in exchange for National Day

    assert (sent, len(mail.outbox)) == (1, 1)


def test_an_official_who_reads_english_gets_the_digest_in_english(official):
    official.language = "en"
    official.save(update_fields=["language"])
    tell(official, 1, at=TUESDAY)

    morning_run(WEDNESDAY_MORNING)

    assert mail.outbox[0].subject == "Jiangjin enterprise services daily digest (1 new)"


def test_an_official_without_an_e_mail_address_gets_no_digest(official):
    official.email = ""
    official.save(update_fields=["email"])
    tell(official, 1, at=TUESDAY)

    with freeze_time(WEDNESDAY_MORNING):
        sent = send_digests()

    assert (sent, Digest.objects.count()) == (0, 0)
