"""The problem lifecycle (诉求办理闭环) as one transition table. Pure Python: no ORM, no I/O.

Each transition names the statuses it may start from and the status it leads to. Moves that record a step
without changing the status (first contact, co-handler input, extensions) are transitions too, so that one
table answers "may this happen now?" for every action.
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.core.errors import InvalidTransition


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("办理中")
    SENT_BACK = "sent_back", _("已退回待转办")
    RESPONDED = "responded", _("已答复待评价")
    UNDER_REVIEW = "under_review", _("不满意待研判")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    MERGED = "merged", _("已合并")


FINAL_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED})
OPEN_STATUSES = frozenset(set(Status) - FINAL_STATUSES)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is
    # A lazy translation: kept out of equality and hashing, or a move would differ by request language.
    label: str = field(compare=False)

    def target_from(self, current: str) -> str:
        return self.target or current


def _t(name: str, sources: set[str], target: str | None, label: str) -> Transition:
    return Transition(name=name, sources=frozenset(sources), target=target, label=label)


BEFORE_ANSWER = {Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.SENT_BACK}

SUBMIT = _t("submit", set(), Status.SUBMITTED, _("提交"))
ACCEPT = _t("accept", {Status.SUBMITTED}, Status.ACCEPTED, _("受理"))
REJECT = _t("reject", {Status.SUBMITTED}, Status.REJECTED, _("不予受理"))
MERGE = _t("merge", {Status.SUBMITTED, Status.ACCEPTED}, Status.MERGED, _("合并"))
DISPATCH = _t("dispatch", {Status.ACCEPTED}, Status.DISPATCHED, _("派单"))
ACKNOWLEDGE = _t("acknowledge", {Status.DISPATCHED}, Status.HANDLING, _("签收"))
SEND_BACK = _t("send_back", {Status.DISPATCHED, Status.HANDLING}, Status.SENT_BACK, _("退回"))
TRANSFER = _t(
    "transfer", {Status.SENT_BACK, Status.DISPATCHED, Status.HANDLING}, Status.DISPATCHED, _("转办")
)
RECORD_CONTACT = _t("record_contact", {Status.HANDLING}, None, _("首次联系"))
CO_HANDLER_INPUT = _t("co_handler_input", {Status.DISPATCHED, Status.HANDLING}, None, _("协办意见"))
REQUEST_EXTENSION = _t("request_extension", {Status.HANDLING}, None, _("申请延期"))
DECIDE_EXTENSION = _t("decide_extension", {Status.HANDLING}, None, _("审核延期"))
RESPOND = _t("respond", {Status.HANDLING}, Status.RESPONDED, _("答复"))
EVALUATE = _t("evaluate", {Status.RESPONDED}, Status.CLOSED, _("评价"))
EVALUATE_DISSATISFIED = _t("evaluate_dissatisfied", {Status.RESPONDED}, Status.UNDER_REVIEW, _("不满意评价"))
REOPEN = _t("reopen", {Status.UNDER_REVIEW}, Status.HANDLING, _("重办"))
REVIEW_CLOSE = _t("review_close", {Status.UNDER_REVIEW}, Status.CLOSED, _("研判办结"))
CLOSE_UNRATED = _t("close_unrated", {Status.RESPONDED}, Status.CLOSED, _("超期未评价办结"))
WITHDRAW = _t("withdraw", BEFORE_ANSWER, Status.WITHDRAWN, _("撤回"))
# Adding a file to the record while the issue is open; a closed record stays as it was closed.
ATTACH = _t("attach", set(OPEN_STATUSES), None, _("上传附件"))
# The enterprise (or its specialist) adds information to its open problem (补充信息).
SUPPLEMENT = _t("supplement", set(OPEN_STATUSES), None, _("补充信息"))

TRANSITIONS: tuple[Transition, ...] = (
    SUBMIT,
    ACCEPT,
    REJECT,
    MERGE,
    DISPATCH,
    ACKNOWLEDGE,
    SEND_BACK,
    TRANSFER,
    RECORD_CONTACT,
    CO_HANDLER_INPUT,
    REQUEST_EXTENSION,
    DECIDE_EXTENSION,
    RESPOND,
    EVALUATE,
    EVALUATE_DISSATISFIED,
    REOPEN,
    REVIEW_CLOSE,
    CLOSE_UNRATED,
    WITHDRAW,
    ATTACH,
    SUPPLEMENT,
)
BY_NAME = {transition.name: transition for transition in TRANSITIONS}


def is_allowed(transition: Transition, current: str) -> bool:
    return current in transition.sources


def ensure_allowed(transition: Transition, current: str) -> str:
    """Return the status after the move, or raise InvalidTransition with a message for the user."""
    if not is_allowed(transition, current):
        raise InvalidTransition(
            gettext("当前状态为“%(status)s”，不能进行“%(action)s”操作。")
            % {"status": Status(current).label, "action": transition.label}
        )
    return transition.target_from(current)


def allowed_from(current: str) -> list[Transition]:
    return [transition for transition in TRANSITIONS if is_allowed(transition, current)]


# Steps the system records that are not moves of the status.
SYSTEM_EVENTS = {
    "escalate": _("督办"),
    "clock_breached": _("环节超期"),
    "remind": _("到期提醒"),
    "calendar_correction": _("按节假日安排调整时限"),
}
# Every kind an event row carries (a transition's name or a system step): the API's EventKindEnum.
EVENT_KINDS = tuple({**{t.name: t.label for t in TRANSITIONS}, **SYSTEM_EVENTS}.items())


def event_label(kind: str) -> str:
    transition = BY_NAME.get(kind)
    if transition is not None:
        return str(transition.label)
    return str(SYSTEM_EVENTS.get(kind, kind))
