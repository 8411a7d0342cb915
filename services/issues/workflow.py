"""The registry of moves: one entry per step a person takes on an issue.

Each move names its transition, its action, its input, its URL slug and its label. The API's action
endpoints, its ``allowed_actions`` field and the pages' buttons and forms are all made from this list, and
"offered" means exactly "the action would not refuse now": both ask ``permissions.refusal`` with the same
``Facts``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.serializers import Serializer

from services.accounts.models import User
from services.issues import actions
from services.issues import inputs as i
from services.issues import lifecycle as lc
from services.issues.models import Issue
from services.issues.permissions import Facts, ensure_permitted, refusal
from services.issues.selectors import move_facts

Perform = Callable[[Issue, User, dict[str, Any]], Any]


@dataclass(frozen=True)
class Move:
    slug: str  # the path segment of POST /api/v1/issues/{id}/<slug>/ and of the page's form
    transition: lc.Transition  # the transition whose rules decide whether the move is open
    perform: Perform  # calls exactly one action
    input: type[Serializer] | None  # what it takes; None: nothing but the click
    label: str  # the button's words
    summary: str  # the API operation's summary (bilingual, as the schema has always had it)
    description: str
    # The page: a form a person must fill in first, or a one-click step. "danger" steps ask to confirm.
    tone: str = "primary"  # primary, secondary, danger
    field_labels: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.slug


def _call(action: Callable[..., Any], **fixed: Any) -> Perform:
    def perform(issue: Issue, actor: User, data: dict[str, Any]) -> Any:
        return action(issue=issue, actor=actor, **fixed, **data)

    return perform


MOVES: tuple[Move, ...] = (
    Move(
        slug="accept",
        transition=lc.ACCEPT,
        perform=_call(actions.accept_issue),
        input=i.IssueNoteInputSerializer,
        label=_("受理"),
        summary="受理 / Accept",
        description="调度员受理待受理的诉求。\n\nA dispatcher accepts a submitted issue.",
        field_labels={"note": _("受理意见（可选）")},
    ),
    Move(
        slug="reject",
        transition=lc.REJECT,
        perform=_call(actions.reject_issue),
        input=i.IssueReasonInputSerializer,
        label=_("不予受理"),
        summary="不予受理 / Reject",
        description="调度员说明理由后不予受理。\n\nA dispatcher rejects a submitted issue, giving the reason.",
        tone="danger",
        field_labels={"reason": _("不予受理理由")},
    ),
    Move(
        slug="merge",
        transition=lc.MERGE,
        perform=_call(actions.merge_issue),
        input=i.IssueMergeInputSerializer,
        label=_("合并重复诉求"),
        summary="合并重复诉求 / Merge a duplicate",
        description=(
            "调度员把重复诉求合并到继续办理的诉求。\n\nA dispatcher merges a duplicate into the issue that carries on."
        ),
        tone="secondary",
        field_labels={"into": _("合并到（同一企业的诉求）"), "note": _("合并说明（可选）")},
    ),
    Move(
        slug="dispatch",
        transition=lc.DISPATCH,
        perform=_call(actions.dispatch_issue),
        input=i.IssueDispatchInputSerializer,
        label=_("派单"),
        summary="派单 / Dispatch",
        description=(
            "调度员派给一个牵头单位和可选的协办单位，各单位的时限开始计算。\n\n"
            "A dispatcher hands the issue to one lead unit and optional co-handling units; their clocks start."
        ),
        field_labels={
            "lead_unit": _("牵头单位"),
            "co_units": _("协办单位（可多选）"),
            "complexity": _("复杂程度"),
            "note": _("派单意见（可选）"),
        },
    ),
    Move(
        slug="acknowledge",
        transition=lc.ACKNOWLEDGE,
        perform=_call(actions.acknowledge_issue),
        input=None,
        label=_("签收"),
        summary="签收（报到）/ Acknowledge",
        description="牵头单位签收派来的诉求。\n\nThe lead unit signs for the dispatched issue.",
    ),
    Move(
        slug="send-back",
        transition=lc.SEND_BACK,
        perform=_call(actions.send_back_issue),
        input=i.IssueReasonInputSerializer,
        label=_("退回"),
        summary="退回 / Send back",
        description=(
            "牵头单位在签收时限内说明理由退回错派的诉求。\n\n"
            "The lead unit sends a wrongly dispatched issue back within the sign deadline, giving the reason."
        ),
        tone="danger",
        field_labels={"reason": _("退回理由")},
    ),
    Move(
        slug="transfer",
        transition=lc.TRANSFER,
        perform=_call(actions.transfer_issue),
        input=i.IssueTransferInputSerializer,
        label=_("转办"),
        summary="转办 / Re-dispatch",
        description=(
            "调度员改派单位：原单位时限停止，新单位时限重新开始。\n\n"
            "A dispatcher re-dispatches: the previous units' clocks stop, the next unit's start fresh."
        ),
        tone="secondary",
        field_labels={
            "lead_unit": _("新牵头单位"),
            "co_units": _("新协办单位（可多选）"),
            "note": _("转办意见（可选）"),
        },
    ),
    Move(
        slug="contact",
        transition=lc.RECORD_CONTACT,
        perform=_call(actions.record_first_contact),
        input=i.IssueRequiredNoteInputSerializer,
        label=_("记录首次联系"),
        summary="首次联系 / Record first contact",
        description="牵头单位记录与企业的首次联系。\n\nThe lead unit records its first contact with the enterprise.",
        field_labels={"note": _("联系情况")},
    ),
    Move(
        slug="co-handler-input",
        transition=lc.CO_HANDLER_INPUT,
        perform=_call(actions.submit_co_input),
        input=i.IssueCoHandlerInputSerializer,
        label=_("提交协办意见"),
        summary="协办意见 / Co-handler input",
        description="协办单位向牵头单位提交意见。\n\nA co-handling unit gives its input to the lead unit.",
        field_labels={"text": _("协办意见")},
    ),
    Move(
        slug="respond",
        transition=lc.RESPOND,
        perform=_call(actions.respond_to_issue),
        input=i.IssueRespondInputSerializer,
        label=_("答复"),
        summary="答复 / Respond",
        description=(
            "牵头单位答复企业（已解决、部分解决、解释说明、提级办理）。\n\n"
            "The lead unit answers (solved, partly solved, explained, referred up to a higher level)."
        ),
        field_labels={"outcome": _("答复结果"), "reply": _("答复内容")},
    ),
    Move(
        slug="request-extension",
        transition=lc.REQUEST_EXTENSION,
        perform=_call(actions.request_extension),
        input=i.IssueExtensionRequestInputSerializer,
        label=_("申请延期"),
        summary="申请延期 / Request an extension",
        description=(
            "牵头单位在答复截止前申请延期，由调度员审核。\n\n"
            "The lead unit asks for more working days before the answer is due; a dispatcher decides."
        ),
        tone="secondary",
        field_labels={"working_days": _("延期工作日数"), "reason": _("延期理由")},
    ),
    Move(
        slug="decide-extension",
        transition=lc.DECIDE_EXTENSION,
        perform=_call(actions.decide_extension),
        input=i.IssueExtensionDecisionInputSerializer,
        label=_("审核延期"),
        summary="审核延期 / Decide an extension",
        description=(
            "调度员同意或不同意待审核的延期申请；同意则推迟答复截止时间，不改变状态。\n\n"
            "A dispatcher approves or declines the pending request; approval moves the answer due time, "
            "never the status."
        ),
        field_labels={"approve": _("是否同意延期"), "note": _("审核意见（不同意时必填）")},
    ),
    Move(
        slug="evaluate",
        transition=lc.EVALUATE,
        perform=_call(actions.evaluate_issue),
        input=i.IssueEvaluateInputSerializer,
        label=_("评价"),
        summary="评价 / Evaluate",
        description=(
            "企业评价答复（电话回访的企业由服务专员代录）。满意或基本满意即办结，不满意转调度员研判。\n\n"
            "The enterprise rates the answer (its specialist records a phone rating for an enterprise that rates "
            "by phone). Satisfied or basically satisfied closes the issue; dissatisfied sends it to review."
        ),
        field_labels={
            "was_contacted": _("办理单位是否联系过您？"),
            "was_solved": _("问题是否已解决？"),
            "satisfaction": _("满意度"),
            "comment": _("评价意见（不满意时必填）"),
        },
    ),
    Move(
        slug="reopen",
        transition=lc.REOPEN,
        perform=_call(actions.reopen_issue),
        input=i.IssueRequiredNoteInputSerializer,
        label=_("重办"),
        summary="重办 / Reopen",
        description=(
            "调度员把不满意的诉求退回牵头单位重新办理，答复时限重新计算。\n\n"
            "A dispatcher sends a dissatisfied issue back to the lead unit with a fresh answer deadline."
        ),
        field_labels={"note": _("重办意见")},
    ),
    Move(
        slug="close",
        transition=lc.REVIEW_CLOSE,
        perform=_call(actions.review_close_issue),
        input=i.IssueReasonInputSerializer,
        label=_("研判办结"),
        summary="研判办结 / Close after review",
        description=(
            "调度员研判后说明理由办结不满意的诉求。\n\nA dispatcher closes a dissatisfied issue after review, saying why."
        ),
        tone="secondary",
        field_labels={"reason": _("研判办结理由")},
    ),
    Move(
        slug="withdraw",
        transition=lc.WITHDRAW,
        perform=_call(actions.withdraw_issue),
        input=i.IssueReasonInputSerializer,
        label=_("撤回诉求"),
        summary="撤回 / Withdraw",
        description="企业在答复前撤回本企业的诉求。\n\nThe enterprise withdraws its issue before it is answered.",
        tone="danger",
        field_labels={"reason": _("撤回原因")},
    ),
    Move(
        slug="supplement",
        transition=lc.SUPPLEMENT,
        perform=_call(actions.add_information),
        input=i.IssueSupplementInputSerializer,
        label=_("补充信息"),
        summary="补充信息 / Add information",
        description=(
            "企业（或其服务专员）在办结前补充问题信息，记入办理记录。\n\n"
            "The enterprise (or its specialist) adds information to its open problem; it joins the history."
        ),
        tone="secondary",
        field_labels={"text": _("补充内容")},
    ),
)
BY_SLUG: dict[str, Move] = {move.slug: move for move in MOVES}
SLUGS: tuple[str, ...] = tuple(BY_SLUG)
# Offered in the order of the transition table: the step that moves the problem on comes before the rest.
IN_LIFECYCLE_ORDER = tuple(sorted(MOVES, key=lambda move: lc.TRANSITIONS.index(move.transition)))


def by_slug(slug: str) -> Move | None:
    return BY_SLUG.get(slug)


def available_moves(*, actor: User, issue: Issue, facts: Facts | None = None) -> list[Move]:
    """The moves the actor can make on the issue now: exactly those whose action would not refuse.

    ``issue`` may come from ``get_issue_detail_for``; the facts are then read from its lists, with no query.
    """
    candidates = [move for move in IN_LIFECYCLE_ORDER if lc.is_allowed(move.transition, issue.status)]
    if not candidates or not actor.is_authenticated:
        return []
    if facts is None:
        facts = getattr(issue, "move_facts", None) or move_facts(actor=actor, issue=issue)
    return [move for move in candidates if refusal(actor, move.transition, issue, facts) is None]


def allowed_slugs(actor: User, issue: Issue) -> list[str]:
    return [move.slug for move in available_moves(actor=actor, issue=issue)]


def ensure_may_act(*, move: Move, actor: User, issue: Issue) -> None:
    """Refuse a caller who may not make this kind of move at all (403), before the input is read; the
    action checks everything again under its row lock."""
    ensure_permitted(actor, move.transition, issue, move_facts(actor=actor, issue=issue))
