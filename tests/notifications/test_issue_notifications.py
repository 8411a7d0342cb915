"""Every event tells the people concerned, once, after the commit; a broker outage delays but never loses it."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from services.core import clock
from services.core.errors import NotPermitted
from services.issues import actions, tasks
from services.issues.lifecycle import Status
from services.issues.models import Issue, IssueEvent
from services.issues.notify import deliver_event
from services.notifications.models import Notification
from tests.factories import DispatcherFactory, HandlerFactory
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 3, 2, 10)


def recipients_of(event: IssueEvent) -> set:
    return {n.recipient for n in Notification.objects.filter(source_key=f"event:{event.pk}")}


def test_a_new_problem_is_announced_to_every_dispatcher(
    build, dispatcher, second_dispatcher, django_capture_on_commit_callbacks
):
    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        issue = build.filed()

    event = IssueEvent.objects.get(issue=issue, kind="submit")
    assert recipients_of(event) == {dispatcher, second_dispatcher}


def test_the_message_names_the_problem_and_the_step_in_chinese(
    build, dispatcher, django_capture_on_commit_callbacks
):
    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        issue = build.filed()

    message = Notification.objects.get(recipient=dispatcher)
    assert (message.kind, message.title, message.url) == (
        "submit",
        f"诉求 {issue.number}：提交",
        f"/issues/{issue.pk}/",
    )
    assert message.body.startswith(f"“{issue.title}”（{issue.enterprise.name}）当前状态：待受理。")


def test_a_dispatch_reaches_the_lead_unit_the_co_handling_unit_and_the_enterprise_but_not_the_dispatcher(
    build,
    dispatcher,
    handler,
    unit_head,
    co_handler,
    co_unit_head,
    other_handler,
    enterprise_user,
    unit,
    co_unit,
    django_capture_on_commit_callbacks,
):
    with clock.travel_to(NOW):
        issue = build.accepted()
    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=unit, co_units=[co_unit])

    event = IssueEvent.objects.get(issue=issue, kind="dispatch")
    assert recipients_of(event) == {handler, unit_head, co_handler, co_unit_head, enterprise_user}


def test_the_dispatcher_who_took_a_phone_call_is_not_told_of_his_own_filing(
    enterprise, category, dispatcher, second_dispatcher, django_capture_on_commit_callbacks
):
    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        issue = actions.file_issue(
            actor=dispatcher,
            enterprise=enterprise,
            category=category,
            title="电话反映：停水",
            description="厂区停水",
        )

    assert recipients_of(IssueEvent.objects.get(issue=issue, kind="submit")) == {second_dispatcher}


def test_an_escalation_reaches_the_dispatchers_and_the_head_of_the_unit(
    build, dispatcher, unit, other_unit, unit_head, handler, django_capture_on_commit_callbacks
):
    with clock.travel_to(NOW):
        issue = build.dispatched()
        issue = actions.transfer_issue(issue=issue, actor=dispatcher, lead_unit=other_unit)
        issue = actions.transfer_issue(issue=issue, actor=dispatcher, lead_unit=unit)
    second_dispatcher = DispatcherFactory()
    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        actions.transfer_issue(issue=issue, actor=dispatcher, lead_unit=unit)

    escalation = IssueEvent.objects.get(issue=issue, kind="escalate")
    assert recipients_of(escalation) == {dispatcher, second_dispatcher, unit_head}


def test_delivering_an_event_twice_sends_nothing_twice(build, dispatcher, django_capture_on_commit_callbacks):
    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        issue = build.filed()
    event = IssueEvent.objects.get(issue=issue, kind="submit")

    again = deliver_event(event.pk)

    assert again == 0
    assert Notification.objects.filter(source_key=f"event:{event.pk}").count() == 1
    assert len(mail.outbox) == 1


def test_a_delivered_event_is_marked_so_the_sweep_leaves_it(build, django_capture_on_commit_callbacks):
    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        issue = build.filed()

    assert IssueEvent.objects.get(issue=issue, kind="submit").outbox.notified_at == NOW


def test_a_user_who_takes_a_digest_gets_the_inbox_message_but_no_mail(
    build, dispatcher, django_capture_on_commit_callbacks
):
    dispatcher.wants_digest = True
    dispatcher.save()

    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        build.filed()

    assert (Notification.objects.filter(recipient=dispatcher).count(), mail.outbox) == (1, [])


def test_a_refused_action_notifies_nobody(build, other_handler, django_capture_on_commit_callbacks):
    with clock.travel_to(NOW):
        issue = build.dispatched()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(NotPermitted, match="牵头单位"),
    ):
        actions.acknowledge_issue(issue=issue, actor=other_handler)

    assert (callbacks, Notification.objects.count()) == ([], 0)


# ---------------------------------------------------------------- the broker is down


def broker_down():
    return mock.patch.object(
        tasks.notify_event_task, "delay", side_effect=OperationalError("Error 111 connecting to redis:6379.")
    )


def test_the_action_succeeds_when_the_broker_is_down(build, handler, django_capture_on_commit_callbacks):
    with clock.travel_to(NOW):
        issue = build.dispatched()

    with broker_down(), clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        issue = actions.acknowledge_issue(issue=issue, actor=handler)

    assert Issue.objects.get(pk=issue.pk).status == Status.HANDLING
    event = IssueEvent.objects.get(issue=issue, kind="acknowledge")
    assert (event.outbox.notified_at, recipients_of(event)) == (None, set())


def test_the_outbox_sweep_delivers_what_the_broker_could_not_take(
    build, handler, enterprise_user, django_capture_on_commit_callbacks
):
    with clock.travel_to(NOW):
        issue = build.dispatched()
    with broker_down(), clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        actions.acknowledge_issue(issue=issue, actor=handler)

    with clock.travel_to(NOW + timedelta(minutes=2)):
        tasks.notify_pending_events_task.delay()

    event = IssueEvent.objects.get(issue=issue, kind="acknowledge")
    assert recipients_of(event) == {enterprise_user}
    assert event.outbox.notified_at == NOW + timedelta(minutes=2)


def test_the_outbox_sweep_run_twice_sends_nothing_twice(build, handler, django_capture_on_commit_callbacks):
    with clock.travel_to(NOW):
        issue = build.dispatched()
    with broker_down(), clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        actions.acknowledge_issue(issue=issue, actor=handler)

    with clock.travel_to(NOW + timedelta(minutes=2)):
        first = tasks.notify_pending_events_task()
        second = tasks.notify_pending_events_task()

    assert (first > 0, second) == (True, 0)


def test_the_outbox_sweep_leaves_an_event_a_worker_may_still_be_delivering(
    build, handler, django_capture_on_commit_callbacks
):
    with clock.travel_to(NOW):
        issue = build.dispatched()
    with broker_down(), clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        actions.acknowledge_issue(issue=issue, actor=handler)

    with clock.travel_to(NOW + timedelta(seconds=30)):
        tasks.notify_pending_events_task()

    assert IssueEvent.objects.get(issue=issue, kind="acknowledge").outbox.notified_at is None


def test_inactive_staff_are_not_notified(build, dispatcher, unit, django_capture_on_commit_callbacks):
    gone = HandlerFactory(unit=unit, is_active=False)
    with clock.travel_to(NOW):
        issue = build.accepted()
    with clock.travel_to(NOW), django_capture_on_commit_callbacks(execute=True):
        actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=unit)

    assert not Notification.objects.filter(recipient=gone).exists()
