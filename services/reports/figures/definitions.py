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
    3–6 s with a breakdown; a district's few thousand issues take milliseconds. Indexes on
    ``Issue.accepted_at`` and ``StageClock(stage, started_at)`` would turn the remaining full scans into
    range scans.

Frozen periods
    What the history does not keep — an enterprise's scale, activity, town and park, a user's role, the
    satisfaction factor, a holiday entered later — can still move a finished period's live figures. A
    closed period therefore reads its frozen snapshot (``services.reports.snapshots``), never the live
    computation; the recompute view shows any difference between the two.
"""
