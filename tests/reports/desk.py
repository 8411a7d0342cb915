"""Issues driven through the real actions, each step at its own moment, for the figures' tests.

``Desk`` holds the people; every method takes ``at`` (a Shanghai time) and performs one action then. The
shortcuts (``handling``, ``closed``) take a day and spread their steps over it: filed at 09:00, accepted at
09:30, dispatched at 10:00, signed for at 11:00.
"""

from datetime import timedelta

from services.core import clock
from services.issues import actions
from services.issues.models import Outcome, Satisfaction


class Desk:
    def __init__(self, *, enterprise_user, dispatcher, handler, category):
        self.enterprise_user = enterprise_user
        self.dispatcher = dispatcher
        self.handler = handler
        self.category = category

    # ---------------------------------------------------------------- single steps

    def file(self, at, *, enterprise_user=None, category=None, **kw):
        enterprise_user = enterprise_user or self.enterprise_user
        with clock.travel_to(at):
            return actions.file_issue(
                actor=enterprise_user,
                enterprise=enterprise_user.enterprise,
                category=category or self.category,
                title="招工难，急需焊工30名",
                description="今年订单增长，车间缺焊工。",
                **kw,
            )

    def accept(self, issue, at):
        with clock.travel_to(at):
            return actions.accept_issue(issue=issue, actor=self.dispatcher)

    def dispatch(self, issue, at, *, unit=None):
        with clock.travel_to(at):
            return actions.dispatch_issue(
                issue=issue, actor=self.dispatcher, lead_unit=unit or self.handler.unit
            )

    def acknowledge(self, issue, at, *, handler=None):
        with clock.travel_to(at):
            return actions.acknowledge_issue(issue=issue, actor=handler or self.handler)

    def send_back(self, issue, at, *, handler=None):
        with clock.travel_to(at):
            return actions.send_back_issue(
                issue=issue, actor=handler or self.handler, reason="不属于本单位职责。"
            )

    def transfer(self, issue, at, *, unit):
        with clock.travel_to(at):
            return actions.transfer_issue(issue=issue, actor=self.dispatcher, lead_unit=unit)

    def respond(self, issue, at, *, handler=None):
        with clock.travel_to(at):
            return actions.respond_to_issue(
                issue=issue,
                actor=handler or self.handler,
                outcome=Outcome.SOLVED,
                reply="已推送焊工简历42份。",
            )

    def extend(self, issue, *, asked, decided, working_days=3, handler=None):
        with clock.travel_to(asked):
            actions.request_extension(
                issue=issue, actor=handler or self.handler, working_days=working_days, reason="需会商。"
            )
        with clock.travel_to(decided):
            actions.decide_extension(issue=issue, actor=self.dispatcher, approve=True)
        issue.refresh_from_db()
        return issue

    def evaluate(self, issue, at, *, satisfaction=Satisfaction.SATISFIED, contacted=True, solved=True):
        comment = "推荐的人员不符合要求。" if satisfaction == Satisfaction.DISSATISFIED else ""
        with clock.travel_to(at):
            return actions.evaluate_issue(
                issue=issue,
                actor=issue_enterprise_user(self, issue),
                satisfaction=satisfaction,
                was_contacted=contacted,
                was_solved=solved,
                comment=comment,
            )

    def close_unrated(self, issue, at):
        with clock.travel_to(at):
            return actions.close_unrated_issue(issue=issue)

    def reopen(self, issue, at):
        with clock.travel_to(at):
            return actions.reopen_issue(issue=issue, actor=self.dispatcher, note="请重新办理。")

    def review_close(self, issue, at):
        with clock.travel_to(at):
            return actions.review_close_issue(issue=issue, actor=self.dispatcher, reason="诉求超出政策范围。")

    def withdraw(self, issue, at):
        with clock.travel_to(at):
            return actions.withdraw_issue(
                issue=issue, actor=issue_enterprise_user(self, issue), reason="问题已自行解决。"
            )

    def merge(self, issue, into, at):
        with clock.travel_to(at):
            return actions.merge_issue(issue=issue, actor=self.dispatcher, into=into)

    # ---------------------------------------------------------------- shortcuts

    def accepted(self, day, **kw):
        issue = self.file(day, **kw)
        return self.accept(issue, day + timedelta(minutes=30))

    def dispatched(self, day, *, unit=None, **kw):
        issue = self.accepted(day, **kw)
        return self.dispatch(issue, day + timedelta(hours=1), unit=unit)

    def handling(self, day, *, handler=None, **kw):
        handler = handler or self.handler
        issue = self.dispatched(day, unit=handler.unit, **kw)
        return self.acknowledge(issue, day + timedelta(hours=2), handler=handler)

    def responded(self, day, *, answered, handler=None, **kw):
        issue = self.handling(day, handler=handler, **kw)
        return self.respond(issue, answered, handler=handler)

    def closed(self, day, *, answered, rated, handler=None, satisfaction=Satisfaction.SATISFIED, **kw):
        issue = self.responded(day, answered=answered, handler=handler, **kw)
        return self.evaluate(issue, rated, satisfaction=satisfaction)


def issue_enterprise_user(desk, issue):
    """The enterprise user who filed ``issue`` (the desk's own one unless another enterprise filed it)."""
    if issue.filed_by.enterprise_id == issue.enterprise_id:
        return issue.filed_by
    return desk.enterprise_user
