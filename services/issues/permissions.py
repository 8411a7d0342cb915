"""Who may do what to an issue. Predicates on the actor and the row only; actions call ``ensure_permitted``.

Whether the actor may *see* the issue is the selectors' business; these rules decide, for a visible issue,
which moves the actor may make.
"""

from django.utils.translation import gettext_lazy as _

from services.accounts.models import Role, User
from services.core.errors import NotPermitted
from services.issues import lifecycle as lc
from services.issues.models import Issue


def is_dispatcher(actor: User) -> bool:
    return actor.is_active and actor.role == Role.DISPATCHER


def is_enterprise_member(actor: User, issue: Issue) -> bool:
    return actor.role == Role.ENTERPRISE and actor.enterprise_id == issue.enterprise_id


def is_lead_unit_staff(actor: User, issue: Issue) -> bool:
    return actor.is_unit_staff and issue.lead_unit_id is not None and actor.unit_id == issue.lead_unit_id


def is_serving_specialist(actor: User, current_specialist_id: int | None) -> bool:
    return actor.role == Role.SPECIALIST and current_specialist_id == actor.pk


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

_REASONS = {
    "dispatcher": _("只有调度员可以进行此操作。"),
    "lead_unit": _("只有牵头单位的经办人或负责人可以进行此操作。"),
    "co_unit": _("只有协办单位的经办人或负责人可以提交协办意见。"),
    "enterprise": _("只有提出诉求的企业可以进行此操作。"),
    "rater": _("只有提出诉求的企业或其服务专员（电话回访）可以评价。"),
    "phone_rater": _("该企业在线评价；只有设为电话回访评价的企业，才由服务专员代为录入评价。"),
    "participant": _("只有提出诉求的企业、其服务专员、调度员和正在办理的单位可以上传附件。"),
}


def refusal_for(transition: lc.Transition) -> str:
    if transition in DISPATCHER_MOVES:
        key = "dispatcher"
    elif transition in LEAD_UNIT_MOVES:
        key = "lead_unit"
    elif transition is lc.CO_HANDLER_INPUT:
        key = "co_unit"
    elif transition in (lc.EVALUATE, lc.EVALUATE_DISSATISFIED):
        key = "rater"
    elif transition is lc.ATTACH:
        key = "participant"
    else:
        key = "enterprise"
    return str(_REASONS[key])


def may(
    actor: User,
    transition: lc.Transition,
    issue: Issue,
    *,
    current_specialist_id: int | None = None,
    is_co_unit: bool = False,
    rates_by_phone: bool = False,
    is_handling_unit: bool = False,
) -> bool:
    if not actor.is_active:
        return False
    if transition in DISPATCHER_MOVES:
        return is_dispatcher(actor)
    if transition in LEAD_UNIT_MOVES:
        return is_lead_unit_staff(actor, issue)
    if transition is lc.CO_HANDLER_INPUT:
        return actor.is_unit_staff and is_co_unit
    if transition in (lc.EVALUATE, lc.EVALUATE_DISSATISFIED):
        # The specialist records a rating taken by phone (回访) only for an enterprise that rates by phone.
        return is_enterprise_member(actor, issue) or (
            rates_by_phone and is_serving_specialist(actor, current_specialist_id)
        )
    if transition is lc.ATTACH:
        # Those taking part now: the enterprise and its specialist, the dispatchers, the units on it.
        return (
            is_enterprise_member(actor, issue)
            or is_serving_specialist(actor, current_specialist_id)
            or is_dispatcher(actor)
            or (actor.is_unit_staff and is_handling_unit)
        )
    if transition is lc.WITHDRAW:
        # DESIGN §1: withdrawing is the enterprise's own decision, even when a specialist filed for it.
        return is_enterprise_member(actor, issue)
    return False


def ensure_permitted(actor: User, transition: lc.Transition, issue: Issue, **context) -> None:
    if not may(actor, transition, issue, **context):
        if (
            transition in (lc.EVALUATE, lc.EVALUATE_DISSATISFIED)
            and not context.get("rates_by_phone")
            and is_serving_specialist(actor, context.get("current_specialist_id"))
        ):
            raise NotPermitted(str(_REASONS["phone_rater"]))
        raise NotPermitted(refusal_for(transition))


def may_file_for(actor: User, enterprise_id: int, current_specialist_id: int | None) -> bool:
    """An enterprise files for itself; its specialist and the dispatchers (phone calls) file on its behalf."""
    if not actor.is_active:
        return False
    if actor.role == Role.ENTERPRISE:
        return actor.enterprise_id == enterprise_id
    if actor.role == Role.SPECIALIST:
        return current_specialist_id == actor.pk
    return actor.role == Role.DISPATCHER
