"""Who may do what to an issue, and whether the step is open now. Predicates on the actor, the row and the
``Facts`` a selector gathered; actions call ``ensure_may`` under the row lock, and the registry of moves
(``workflow.py``) asks ``refusal`` to offer exactly the moves that would succeed.

Whether the actor may *see* the issue is the selectors' business; these rules decide, for a visible issue,
which moves the actor may make.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts import roles
from services.accounts.models import Role, User
from services.core.errors import ActionRefused, InvalidTransition, NotPermitted
from services.issues import lifecycle as lc
from services.issues.models import Issue, IssuePolicy


@dataclass
class Facts:
    """What a decision about an issue needs beyond the actor and the row, gathered once by
    ``selectors.move_facts`` (from rows already read for the detail page when it has them)."""

    now: datetime
    serving_specialist_id: int | None = None
    rates_by_phone: bool = False
    # The actor's unit: on the issue as the active lead, as an active co-handler, or in any active part.
    on_lead_unit: bool = False
    on_co_unit: bool = False
    on_handling_unit: bool = False
    co_input_given: bool = False
    first_contact_recorded: bool = False
    # The lead unit's sign clock (not stopped) and its running answer clock.
    sign_due_at: datetime | None = None
    answer_due_at: datetime | None = None
    # Working days from today to the answer's due day (the extension notice rule), and the deadline
    # settings: read only for the lead unit's staff while the problem is being handled.
    answer_working_days_left: int | None = None
    pending_extension: bool = False
    approved_extensions: int = 0
    # Extension requests the current lead unit has made on this problem, declined ones included: the
    # limit counts requests, and a unit that takes over by re-dispatch starts from its own zero.
    lead_unit_extension_requests: int = 0
    # An answer has been given at some point (a reopened problem has had one): no withdrawing any more.
    answered_before: bool = False
    policy: IssuePolicy | None = None


def is_enterprise_member(actor: User, issue: Issue) -> bool:
    return actor.role == Role.ENTERPRISE and actor.enterprise_id == issue.enterprise_id


def is_lead_unit_staff(actor: User, issue: Issue) -> bool:
    return actor.is_unit_staff and issue.lead_unit_id is not None and actor.unit_id == issue.lead_unit_id


def is_serving_specialist(actor: User, current_specialist_id: int | None) -> bool:
    return (
        actor.role == Role.SPECIALIST
        and current_specialist_id is not None
        and current_specialist_id == actor.pk
    )


DISPATCHER_MOVES = {
    lc.ACCEPT,
    lc.REJECT,
    lc.MERGE,
    lc.DISPATCH,
    lc.TRANSFER,
    lc.DECIDE_EXTENSION,
    lc.REOPEN,
    lc.REVIEW_CLOSE,
}
LEAD_UNIT_MOVES = {lc.ACKNOWLEDGE, lc.SEND_BACK, lc.RECORD_CONTACT, lc.REQUEST_EXTENSION, lc.RESPOND}
RATING_MOVES = {lc.EVALUATE, lc.EVALUATE_DISSATISFIED}

_REASONS = {
    "dispatcher": _("只有调度员可以进行此操作。"),
    "lead_unit": _("只有牵头单位的经办人或负责人可以进行此操作。"),
    "co_unit": _("只有协办单位的经办人或负责人可以提交协办意见。"),
    "enterprise": _("只有提出诉求的企业可以进行此操作。"),
    "rater": _("只有提出诉求的企业或其服务专员（电话回访）可以评价。"),
    "phone_rater": _("该企业在线评价；只有设为电话回访评价的企业，才由服务专员代为录入评价。"),
    "participant": _("只有提出诉求的企业、其服务专员、调度员和正在办理的单位可以上传附件。"),
    "filer": _("只有提出诉求的企业或其服务专员可以补充信息。"),
}


def _reason_key(transition: lc.Transition) -> str:
    if transition in DISPATCHER_MOVES:
        return "dispatcher"
    if transition in LEAD_UNIT_MOVES:
        return "lead_unit"
    if transition is lc.CO_HANDLER_INPUT:
        return "co_unit"
    if transition in RATING_MOVES:
        return "rater"
    if transition is lc.ATTACH:
        return "participant"
    if transition is lc.SUPPLEMENT:
        return "filer"
    return "enterprise"


def refusal_for(transition: lc.Transition) -> str:
    return str(_REASONS[_reason_key(transition)])


def may(actor: User, transition: lc.Transition, issue: Issue, facts: Facts) -> bool:
    """Whether the actor's role and part in the issue let them make this kind of move at all."""
    if not actor.is_active:
        return False
    if transition in DISPATCHER_MOVES:
        return roles.is_dispatcher(actor)
    if transition in LEAD_UNIT_MOVES:
        return is_lead_unit_staff(actor, issue)
    if transition is lc.CO_HANDLER_INPUT:
        return actor.is_unit_staff and facts.on_co_unit
    if transition in RATING_MOVES:
        # The specialist records a rating taken by phone (回访) only for an enterprise that rates by phone.
        return is_enterprise_member(actor, issue) or (
            facts.rates_by_phone and is_serving_specialist(actor, facts.serving_specialist_id)
        )
    if transition is lc.ATTACH:
        # Those taking part now: the enterprise and its specialist, the dispatchers, the units on it.
        return (
            is_enterprise_member(actor, issue)
            or is_serving_specialist(actor, facts.serving_specialist_id)
            or roles.is_dispatcher(actor)
            or (actor.is_unit_staff and facts.on_handling_unit)
        )
    if transition is lc.SUPPLEMENT:
        return is_enterprise_member(actor, issue) or is_serving_specialist(actor, facts.serving_specialist_id)
    if transition is lc.WITHDRAW:
        # DESIGN §1: withdrawing is the enterprise's own decision, even when a specialist filed for it.
        return is_enterprise_member(actor, issue)
    return False


def ensure_permitted(actor: User, transition: lc.Transition, issue: Issue, facts: Facts) -> None:
    if may(actor, transition, issue, facts):
        return
    if (
        transition in RATING_MOVES
        and not facts.rates_by_phone
        and is_serving_specialist(actor, facts.serving_specialist_id)
    ):
        raise NotPermitted(str(_REASONS["phone_rater"]))
    raise NotPermitted(refusal_for(transition))


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _send_back_refusal(facts: Facts) -> str | None:
    if facts.sign_due_at is None or facts.now > facts.sign_due_at:
        return gettext("已超过签收时限，不能退回；如确属错派，请联系调度员转办。")
    return None


def _first_contact_refusal(facts: Facts) -> str | None:
    return gettext("已记录过首次联系。") if facts.first_contact_recorded else None


def _co_input_refusal(facts: Facts) -> str | None:
    return gettext("本单位已提交过协办意见。") if facts.co_input_given else None


def _extension_decision_refusal(facts: Facts) -> str | None:
    return None if facts.pending_extension else gettext("没有待审核的延期申请。")


def step_refusal(transition: lc.Transition, facts: Facts) -> str | None:
    """The rules of a step beyond its status: a second first contact, a send-back after the sign window, an
    extension asked too late or twice… ``None`` when the step is open now."""
    rule = STEP_RULES.get(transition)
    return rule(facts) if rule is not None else None


def _extension_request_refusal(facts: Facts) -> str | None:
    if facts.policy is None:  # not the lead unit's staff on a problem being handled
        return gettext("没有进行中的答复时限，无需延期。")
    if facts.pending_extension:
        return gettext("已有待审核的延期申请。")
    if facts.lead_unit_extension_requests >= facts.policy.extension_max_count:
        return gettext("本单位对该诉求的延期申请已达%(max)d次（含未获同意的），不能再次申请。") % {
            "max": facts.policy.extension_max_count
        }
    if facts.answer_due_at is None:
        return gettext("没有进行中的答复时限，无需延期。")
    if (facts.answer_working_days_left or 0) < facts.policy.extension_notice_days:
        return gettext("延期须在答复截止日前至少%(days)d个工作日提出（截止：%(due)s）。") % {
            "days": facts.policy.extension_notice_days,
            "due": f"{local_day(facts.answer_due_at):%Y-%m-%d}",
        }
    return None


def _withdraw_refusal(facts: Facts) -> str | None:
    # DESIGN §1: before an answer. A reopened problem has had one; withdrawing it now would drop it from the
    # 办结率 denominator after the fact.
    if facts.answered_before:
        return gettext("该诉求已经答复过（含重办），不能撤回。")
    return None


STEP_RULES = {
    lc.WITHDRAW: _withdraw_refusal,
    lc.SEND_BACK: _send_back_refusal,
    lc.RECORD_CONTACT: _first_contact_refusal,
    lc.CO_HANDLER_INPUT: _co_input_refusal,
    lc.REQUEST_EXTENSION: _extension_request_refusal,
    lc.DECIDE_EXTENSION: _extension_decision_refusal,
}


def ensure_may(actor: User, transition: lc.Transition, issue: Issue, facts: Facts) -> None:
    """Raise the refusal the actor would meet: who (403), then the status (409), then the step's own rules."""
    ensure_permitted(actor, transition, issue, facts)
    lc.ensure_allowed(transition, issue.status)
    reason = step_refusal(transition, facts)
    if reason is not None:
        raise InvalidTransition(reason)


def refusal(actor: User, transition: lc.Transition, issue: Issue, facts: Facts) -> ActionRefused | None:
    """The refusal ``ensure_may`` would raise, or ``None`` when the move is open to the actor now."""
    try:
        ensure_may(actor, transition, issue, facts)
    except ActionRefused as refused:
        return refused
    return None


def may_file_for(actor: User, enterprise_id: int, current_specialist_id: int | None) -> bool:
    """An enterprise files for itself; its specialist and the dispatchers (phone calls) file on its behalf."""
    if not actor.is_active:
        return False
    if actor.role == Role.ENTERPRISE:
        return actor.enterprise_id == enterprise_id
    if actor.role == Role.SPECIALIST:
        return current_specialist_id == actor.pk
    return roles.is_dispatcher(actor)
