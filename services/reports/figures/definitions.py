"""The figures of DESIGN §6 for any period, and broken down by unit, category, town, park or month.

These are the product's official definitions. Every figure is computed by SQL aggregates (``Count(...,
filter=Q(...))`` over grouped querysets): one call costs a fixed number of queries whatever the volume of data
and however many rows a breakdown has (14 for the totals; about 25 with a breakdown, which computes the
totals too).

Period and horizon
    A period is ``[start, end)`` in Asia/Shanghai (``services.visits.coverage.Period``; a year is
    ``Period.year(2025)``). Everything is judged **as of the horizon** ``T = min(now, end)``: what had
    happened by the period's end, read from timestamps and the append-only event history, never from an
    issue's current status. Once ``end`` has passed, later activity (closing a December issue in January,
    a reopen, a transfer) cannot change the period's figures. ``Report.is_final`` says whether the period has
    ended.

Cohorts
    Each issue figure is taken over one cohort of the period; a breakdown partitions that cohort, so the
    rows of a count add up to the total (distinct counts — specialists, enterprises — need not):

    * *filed* — issues with ``created_at`` in the period;
    * *accepted* — issues with ``accepted_at`` in the period;
    * *closed* — issues with ``closed_at`` in the period (closure is final, so their rating, outcome,
      reopen count and lead unit no longer move);
    * *dispatches* — the lead unit's 签收 (SIGN) clocks started in the period: one per dispatch or transfer
      (转办) to a lead unit.

Figures
    ``specialists`` 服务专员人数
        Distinct users with the specialist role who had an assignment (包联) overlapping the period
        (``started_on < end`` and ``ended_on`` empty or ``> start``, as ``coverage_by_specialist`` reads
        it). Read from the assignment history, not from ``is_active``, so deactivating an account later
        does not rewrite the past; ending the assignment is what takes a specialist off the count.
    ``enterprises_served`` 服务企业数
        Distinct enterprises with an on-site visit in the period or an issue filed in the period (merged
        duplicates excluded, as for ``issues_logged``). In a unit or category breakdown (and with a unit
        filter) only issues count: visits belong to no unit.
    ``visits`` 走访次数
        Visits of any method in the period.
    ``on_site_coverage`` 实地遍访率
        ``services.visits.coverage``: enterprises in scope (above-scale and active) with an on-site visit in
        the period ÷ enterprises in scope. By month: visited that month ÷ in scope.
    ``issues_logged`` 录入问题数
        Filed in the period, less those merged (合并) into another before ``T``.
    ``sign_rate`` 签收率 / ``on_time_sign_rate`` 按时签收率
        Dispatches signed for (``met_at < T``) ÷ dispatches the unit could sign, and those signed by the due
        time (``met_at <= due_at``) ÷ the same. A dispatch whose sign clock was stopped before its due time
        without being signed — sent back (退回, only allowed within the sign deadline), transferred away or
        withdrawn by the enterprise before the unit's time was up — is not one the unit could sign and
        leaves the denominator; it is measured by ``send_back_rate`` instead. A dispatch left unsigned past
        its due time counts against the unit even if it was later transferred.
    ``closure_rate`` 办结率
        Of the accepted cohort, those closed before ``T`` ÷ those not withdrawn (撤回) or merged before
        ``T`` (an issue the enterprise withdrew is not the units' failure to close). All closures count:
        rated, reviewed (研判办结) and unrated.
    ``on_time_closure_rate`` 按时办结率
        Of the closed cohort, those whose **final** answer (答复, the last answer clock met) was given by its
        due time ÷ closed. The due time counts only extensions (延期) approved before the due time then in
        force: an extension decided after that moment leaves the breach standing (the answer is late if it
        came after the ``old_due_at`` of such an extension), so a closure cannot be made on time after the
        fact. A unit's clock stopped by a transfer is not an answer (the next unit starts fresh).
    ``follow_up_rate`` 回访率
        Of the closed cohort, those closed with a rating (``rated_at`` set: rated and reviewed closures) ÷
        closed. An issue closed unrated after the rating window counts as unrated, never as satisfied.
    ``contact_rate`` 响应率 / ``solved_rate`` 解决率
        Of the closed cohort's rated issues, those whose enterprise said it was contacted / that the
        problem was solved ÷ rated.
    ``satisfaction_rate`` 满意率
        ``(satisfied + factor × basically satisfied) ÷ rated`` over the closed cohort's rated issues, on each
        issue's **final** rating (a reopen clears the dissatisfied one; a dissatisfied rating closed by review
        counts as rated and not satisfied). ``factor`` is ``IssuePolicy.current().basic_satisfaction_factor``
        (0.9 by default).
    ``first_satisfaction_rate`` 首次满意率
        The same over the closed cohort's issues that were rated at least once, on each issue's **first**
        rating, read from its first ``evaluate``/``evaluate_dissatisfied`` event (``data.satisfaction``), so a
        dissatisfied rating that led to a reopen stays visible.
    ``reopen_rate`` 重办率
        Of the closed cohort, those reopened at least once (``reopen_count > 0``) ÷ closed. Chosen over
        "÷ responded" because a closed issue's reopen count is final, so the figure cannot drift.
    ``send_back_rate`` 退回率
        Dispatches sent back (退回) before ``T`` ÷ dispatches (all of them). A dispatch's send-back is read
        from the lead unit's part (``IssueUnit``, created with the sign clock) ending with reason
        ``sent_back``.
    ``average_answer_days`` 平均答复时长 / ``average_handling_days`` 平均办结时长（工作日）
        Means over the closed cohort of the working days from acceptance to the final answer (the units'
        part, ``responded_at``) and from acceptance to closure (which includes the enterprise's rating
        window), counted the way deadlines are: ``working_days_between(accepted day, other day)`` in
        Asia/Shanghai (the same day = 0). Exact and without a per-issue loop: with ``W(d)`` the number of
        working days up to ``d`` from a fixed day, ``Σ (W(b) − W(a)) = Σ_d n_b(d)·W(d) − Σ_d n_a(d)·W(d)``,
        so SQL counts the cohort per (row, day) and the working-day calendar is walked once over the dates
        involved, with the administrators' overrides read in one query.
    ``overdue_issues_now`` 当前超期问题数 / ``overdue_now`` 当前超期环节数
        Stage clocks (except the enterprise's rating window) running at ``T`` whose due time had passed, and
        the distinct problems they belong to: "overdue now" for the current period, "overdue at the end" for
        a finished one. An issue late to sign and to make first contact counts twice among clocks, once
        among problems. Not a monthly figure (empty in a month breakdown). District clocks (受理) have no
        unit.

Breakdowns
    ``unit``: an issue belongs to the lead unit whose part (``IssueUnit``) was active at ``T`` (for a closed
    issue, the unit that closed it; an issue not dispatched at ``T``, or sent back and awaiting transfer, has
    none); a dispatch and a clock belong to their own unit. ``category``: the level-1 category.
    ``town``/``park``: the enterprise's. ``month``: the month of the cohort's own timestamp (filed, accepted,
    closed, dispatched, visited), Asia/Shanghai. Figures that have no meaning for a breakdown (visits,
    specialists and coverage by unit or category) are ``None``. A ``unit`` filter restricts the issue and
    dispatch figures to one unit in the same way.

Rates are ``Decimal`` fractions between 0 and 1, rounded to four places; ``None`` when the denominator is 0.

Cost
    Each query reads one cohort once: issues by ``created_at`` or ``closed_at`` (indexed) or ``accepted_at``,
    sign clocks and unit parts by their start, visits by ``visited_at`` (indexed). Rare events (merges,
    withdrawals) and late answers are uncorrelated ``IN`` subqueries that the database hashes once. Only
    the unit breakdown (and the unit filter) asks, per issue of the filed and accepted cohorts, for the lead
    part active at ``T`` (an index probe on ``IssueUnit.issue_id``). Measured on 500,000 issues of one year
    (2.4 million clocks, 2.7 million events) on a shared development machine: about 1–2 s for the totals and
    3–6 s with a breakdown; a district's few thousand issues take milliseconds. A period that has not
    ended therefore reads the issue and dispatch counts from the roll-ups (``services.reports.rollups``:
    rows per day, in total, per unit and per category, kept current by every event and counted by these
    same sources), in one query, and for a calendar year, quarter or month the distinct counts
    (enterprises served, visits, visiting specialists, coverage's numerator) too, as sums of each day's first
    appearances (``services.reports.first_appearances``); the town and park breakdowns, a range starting
    before the roll-ups, a custom range's distinct counts, overdue clocks, specialists with assignments and
    enterprises in scope are computed here.

Frozen periods
    What the history does not keep — an enterprise's scale, activity, town and park, a user's role, the
    satisfaction factor, a holiday entered later — can still move a finished period's live figures. A
    closed period therefore reads its frozen snapshot (``services.reports.snapshots``), never the live
    computation; the recompute view shows any difference between the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from services.reports.models import Figure
from services.visits.coverage import Period

RATE_PLACES = Decimal("0.0001")
DAYS_PLACES = Decimal("0.01")
TOTAL = "__total__"  # the key of the one bucket when there is no breakdown


class Breakdown:
    UNIT = "unit"
    CATEGORY = "category"
    TOWN = "town"
    PARK = "park"
    MONTH = "month"

    CHOICES = (
        (UNIT, _("按承办单位")),
        (CATEGORY, _("按一级分类")),
        (TOWN, _("按镇街")),
        (PARK, _("按园区")),
        (MONTH, _("按月份")),
    )
    VALUES = tuple(value for value, _label in CHOICES)
    # Not offered to users: the issue's own category, which the roll-ups keep (grouped to level 1 when read).
    CATEGORY_ID = "category_id"


class Kind:
    COUNT = "count"
    RATE = "rate"
    DAYS = "days"


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: Any  # a lazy translation
    kind: str
    # The raw counts behind the figure, numerator(s) first and the denominator last for a rate; each is a
    # list in the drill-down with exactly that many rows.
    parts: tuple[str, ...] = ()
    definition: Any = ""  # a lazy translation: what the figure measures, in one sentence


def _spec(figure: Figure, kind: str, parts: tuple[str, ...], definition: Any) -> FigureSpec:
    return FigureSpec(key=figure.value, label=figure.label, kind=kind, parts=parts, definition=definition)


OVERDUE_NOW = "overdue_now"
OVERDUE_ISSUES_NOW = "overdue_issues_now"

# What each raw count is, as the drill-down's heading and the definition's numerator or denominator.
PART_LABELS: dict[str, Any] = {
    "specialists": _("包联期间与统计期重叠的服务专员"),
    "served": _("有实地走访或提交问题的企业"),
    "visits": _("走访（各种方式）"),
    "covered": _("有实地走访的规上在营企业"),
    "in_scope": _("规上在营企业"),
    "logged": _("录入问题（不含被合并的）"),
    "signable": _("可签收的派单"),
    "signed": _("已签收的派单"),
    "signed_on_time": _("按时签收的派单"),
    "dispatched": _("派单（含转办）"),
    "sent_back": _("被退回的派单"),
    "accepted": _("受理问题（不含撤回、合并）"),
    "accepted_closed": _("受理后已办结的问题"),
    "closed": _("办结问题"),
    "closed_on_time": _("最终答复在时限内的办结问题"),
    "rated": _("有评价的办结问题（最终评价）"),
    "contacted": _("企业称已联系的"),
    "solved": _("企业称已解决的"),
    "satisfied": _("最终评价满意的"),
    "basic": _("最终评价基本满意的"),
    "first_rated": _("有首次评价的办结问题"),
    "first_satisfied": _("首次评价满意的"),
    "first_basic": _("首次评价基本满意的"),
    "reopened": _("重办过的办结问题"),
    "overdue": _("超期运行中的环节时限"),
    "overdue_issues": _("有超期环节的问题"),
}

FIGURES: tuple[FigureSpec, ...] = (
    _spec(Figure.SPECIALISTS, Kind.COUNT, ("specialists",), _("包联期间与统计期重叠的服务专员人数。")),
    _spec(Figure.ENTERPRISES_SERVED, Kind.COUNT, ("served",), _("统计期内有实地走访或提交问题的企业数。")),
    _spec(Figure.VISITS, Kind.COUNT, ("visits",), _("统计期内各种方式的走访次数。")),
    _spec(
        Figure.ON_SITE_COVERAGE,
        Kind.RATE,
        ("covered", "in_scope"),
        _("有实地走访的规上在营企业 ÷ 规上在营企业。"),
    ),
    _spec(Figure.ISSUES_LOGGED, Kind.COUNT, ("logged",), _("统计期内提交的问题，不含被合并的重复问题。")),
    _spec(
        Figure.SIGN_RATE,
        Kind.RATE,
        ("signed", "signable"),
        _("已签收的派单 ÷ 可签收的派单（时限内退回、转走或撤回的不计）。"),
    ),
    _spec(
        Figure.ON_TIME_SIGN_RATE,
        Kind.RATE,
        ("signed_on_time", "signable"),
        _("在签收时限内签收的派单 ÷ 可签收的派单。"),
    ),
    _spec(
        Figure.CLOSURE_RATE,
        Kind.RATE,
        ("accepted_closed", "accepted"),
        _("统计期内受理的问题中已办结的 ÷ 受理问题（撤回、合并的不计）。"),
    ),
    _spec(
        Figure.ON_TIME_CLOSURE_RATE,
        Kind.RATE,
        ("closed_on_time", "closed"),
        _("最终答复在其时限内的办结问题 ÷ 办结问题；只计在原时限届满前批准的延期。"),
    ),
    _spec(Figure.FOLLOW_UP_RATE, Kind.RATE, ("rated", "closed"), _("有评价的办结问题 ÷ 办结问题。")),
    _spec(Figure.CONTACT_RATE, Kind.RATE, ("contacted", "rated"), _("企业称已联系的 ÷ 有评价的办结问题。")),
    _spec(Figure.SOLVED_RATE, Kind.RATE, ("solved", "rated"), _("企业称已解决的 ÷ 有评价的办结问题。")),
    _spec(
        Figure.SATISFACTION_RATE,
        Kind.RATE,
        ("satisfied", "basic", "rated"),
        _("按每个问题的最终评价：（满意 + 系数 × 基本满意）÷ 有评价的办结问题。"),
    ),
    _spec(
        Figure.FIRST_SATISFACTION_RATE,
        Kind.RATE,
        ("first_satisfied", "first_basic", "first_rated"),
        _("按每个问题的首次评价：（满意 + 系数 × 基本满意）÷ 有首次评价的办结问题；导致重办的不满意仍计入。"),
    ),
    _spec(Figure.REOPEN_RATE, Kind.RATE, ("reopened", "closed"), _("重办过的办结问题 ÷ 办结问题。")),
    _spec(
        Figure.SEND_BACK_RATE, Kind.RATE, ("sent_back", "dispatched"), _("被退回的派单 ÷ 派单（含转办）。")
    ),
    _spec(
        Figure.AVERAGE_ANSWER_DAYS,
        Kind.DAYS,
        ("closed",),
        _("办结问题从受理到最终答复的工作日数的平均值（承办单位的部分）。"),
    ),
    _spec(
        Figure.AVERAGE_HANDLING_DAYS,
        Kind.DAYS,
        ("closed",),
        _("办结问题从受理到办结的工作日数的平均值（含企业评价期）。"),
    ),
    FigureSpec(
        key=OVERDUE_ISSUES_NOW,
        label=_("当前超期问题数"),
        kind=Kind.COUNT,
        parts=("overdue_issues",),
        definition=_("至统计时点有环节已超期仍在运行的问题数（年度结束后为年末时的状态）。"),
    ),
    FigureSpec(
        key=OVERDUE_NOW,
        label=_("当前超期环节数"),
        kind=Kind.COUNT,
        parts=("overdue",),
        definition=_("至统计时点已超期仍在运行的环节时限数，不含企业评价期；一个问题可有多个。"),
    ),
)
SPECS = {spec.key: spec for spec in FIGURES}


@dataclass(frozen=True)
class FigureValue:
    key: str
    value: int | Decimal | None
    numerator: int | Decimal | None = None  # rates and averages: what was divided
    denominator: int | None = None
    parts: dict[str, int] = field(default_factory=dict)  # the raw counts of ``spec.parts``

    @property
    def definition(self) -> str:
        return str(self.spec.definition)

    def part_rows(self) -> list[tuple[str, str, int | None]]:
        """(raw name, label, count) of each list behind the figure."""
        return [(name, str(PART_LABELS[name]), self.parts.get(name)) for name in self.spec.parts]

    @property
    def spec(self) -> FigureSpec:
        return SPECS[self.key]

    @property
    def label(self) -> str:
        return str(self.spec.label)

    @property
    def kind(self) -> str:
        return self.spec.kind


@dataclass(frozen=True)
class Row:
    key: int | str | None  # a unit, category, town or park id; "2025-03" for a month; None for "none"
    label: str
    figures: dict[str, FigureValue]


@dataclass(frozen=True)
class Report:
    period: Period
    as_of: dt.datetime
    is_final: bool
    by: str | None
    unit_id: int | None
    figures: dict[str, FigureValue]
    rows: list[Row]
    # For the report's sentence: on-site visitors and visited enterprises among the above-scale ones.
    visiting_specialists: int | None
    visited_above_scale: int | None
    warnings: list[str] = field(default_factory=list)
    frozen_at: dt.datetime | None = None  # set when read from a closed period's snapshot

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def value(self, key: str) -> int | Decimal | None:
        return self.figures[key].value

    def headline(self) -> Headline:
        """The report's sentence from the same counts as the figures, so the two never disagree."""
        closure = self.figures[Figure.CLOSURE_RATE]
        return Headline(
            year=self.period.start.year,
            specialists=self.visiting_specialists or 0,
            enterprises_visited=self.visited_above_scale or 0,
            issues_logged=self.value(Figure.ISSUES_LOGGED) or 0,
            accepted=closure.denominator or 0,
            closed=int(closure.numerator or 0),
        )

    def sentence(self) -> str:
        return self.headline().sentence()


@dataclass(frozen=True)
class Headline:
    year: int
    specialists: int
    enterprises_visited: int
    issues_logged: int
    accepted: int
    closed: int

    @property
    def closure_rate(self) -> Decimal | None:
        if not self.accepted:
            return None
        return (Decimal(self.closed) / Decimal(self.accepted)).quantize(Decimal("0.0001"))

    @property
    def issues_floor(self) -> int:
        """The round figure the report says it is "more than" (超过): the next multiple of 50 below."""
        return max((self.issues_logged - 1) // 50 * 50, 0)

    def sentence(self) -> str:
        rate = "—" if self.closure_rate is None else f"{(self.closure_rate * 100).normalize():f}%"
        logged = (
            f"平台录入问题超过{self.issues_floor}件"
            if self.issues_floor >= 50
            else f"平台录入问题{self.issues_logged}件"
        )
        return (
            f"{self.specialists}名专员对{self.enterprises_visited}家规上工业企业进行实地走访，"
            f"{logged}，办结率{rate}"
        )


# ---------------------------------------------------------------- the computation


@dataclass(frozen=True)
class Scope:
    period: Period
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    as_of_is_now: bool
    by: str | None
    unit_id: int | None
    tz: ZoneInfo


Tallies = dict[Any, dict[str, int]]
