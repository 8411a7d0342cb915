"""Issues in a given stage, built through the real actions so their clocks and history are true."""

from services.issues import actions
from services.issues.models import Outcome, Satisfaction


def filed(
    *, enterprise_user, category, title="招工难，急需焊工30名", description="今年订单增长，车间缺焊工。", **kw
):
    return actions.file_issue(
        actor=enterprise_user,
        enterprise=enterprise_user.enterprise,
        category=category,
        title=title,
        description=description,
        **kw,
    )


def accepted(*, dispatcher, **kw):
    return actions.accept_issue(issue=filed(**kw), actor=dispatcher)


def dispatched(*, dispatcher, unit, co_units=(), **kw):
    issue = accepted(dispatcher=dispatcher, **kw)
    return actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=unit, co_units=co_units)


def handling(*, handler, **kw):
    issue = dispatched(unit=handler.unit, **kw)
    return actions.acknowledge_issue(issue=issue, actor=handler)


def responded(*, handler, **kw):
    issue = handling(handler=handler, **kw)
    return actions.respond_to_issue(
        issue=issue, actor=handler, outcome=Outcome.SOLVED, reply="已对接区就业服务中心，推送焊工简历42份。"
    )


def under_review(*, enterprise_user, **kw):
    issue = responded(enterprise_user=enterprise_user, **kw)
    return actions.evaluate_issue(
        issue=issue,
        actor=enterprise_user,
        satisfaction=Satisfaction.DISSATISFIED,
        was_contacted=True,
        was_solved=False,
        comment="推荐的人员不符合要求😞",
    )


def closed(*, enterprise_user, **kw):
    """Answered and rated satisfied by the enterprise: the record is closed (办结)."""
    issue = responded(enterprise_user=enterprise_user, **kw)
    return actions.evaluate_issue(
        issue=issue,
        actor=enterprise_user,
        satisfaction=Satisfaction.SATISFIED,
        was_contacted=True,
        was_solved=True,
        comment="问题已解决，感谢！👍",
    )
