from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Figure(models.TextChoices):
    """The figures of DESIGN §6 that carry an annual target."""

    SPECIALISTS = "specialists", _("服务专员人数")
    ENTERPRISES_SERVED = "enterprises_served", _("服务企业数")
    VISITS = "visits", _("走访次数")
    ON_SITE_COVERAGE = "on_site_coverage", _("实地遍访率")
    ISSUES_LOGGED = "issues_logged", _("录入问题数")
    SIGN_RATE = "sign_rate", _("签收率")
    ON_TIME_SIGN_RATE = "on_time_sign_rate", _("按时签收率")
    CLOSURE_RATE = "closure_rate", _("办结率")
    ON_TIME_CLOSURE_RATE = "on_time_closure_rate", _("按时办结率")
    FOLLOW_UP_RATE = "follow_up_rate", _("回访率")
    CONTACT_RATE = "contact_rate", _("响应率")
    SOLVED_RATE = "solved_rate", _("解决率")
    SATISFACTION_RATE = "satisfaction_rate", _("满意率")
    FIRST_SATISFACTION_RATE = "first_satisfaction_rate", _("首次满意率")
    REOPEN_RATE = "reopen_rate", _("重办率")
    SEND_BACK_RATE = "send_back_rate", _("退回率")
    AVERAGE_ANSWER_DAYS = "average_answer_days", _("平均答复时长（工作日）")
    AVERAGE_HANDLING_DAYS = "average_handling_days", _("平均办结时长（工作日）")
    TECH_VICE_PRESIDENTS = "tech_vice_presidents", _("科技副总人数")
    INNOVATION_PROBLEMS = "innovation_problems_enterprises", _("收集创新难题企业数")
    POLICY_FUND_PROJECTS = "policy_fund_projects", _("推荐专项资金项目数")
    POLICY_FUND_AMOUNT = "policy_fund_amount", _("争取专项资金（万元）")


class AnnualTarget(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    figure = models.CharField(_("指标"), max_length=40, choices=Figure.choices)
    unit = models.ForeignKey(
        "departments.Unit",
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("留空表示全区目标。"),
    )
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["-year", "figure"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "figure"],
                condition=Q(unit__isnull=True),
                name="one_district_target_per_figure",
                violation_error_message=_("该年度该指标的全区目标已存在。"),
            ),
            models.UniqueConstraint(
                fields=["year", "figure", "unit"],
                condition=Q(unit__isnull=False),
                name="one_unit_target_per_figure",
                violation_error_message=_("该年度该单位该指标的目标已存在。"),
            ),
            models.CheckConstraint(
                name="target_value_not_negative",
                condition=Q(value__gte=0),
                violation_error_message=_("目标值不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_figure_display()} {self.value}"


class ReportedFigure(models.Model):
    """A figure as the source report states it, with the phrase it comes from (loaded from seeds/)."""

    key = models.SlugField(_("键"), max_length=60)
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4)
    unit_label = models.CharField(_("单位"), max_length=20, blank=True)
    phrase = models.CharField(_("原文"), max_length=300)
    source = models.CharField(_("出处"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("报告数据")
        verbose_name_plural = _("报告数据")
        ordering = ["-year", "key"]
        constraints = [models.UniqueConstraint(fields=["year", "key"], name="one_reported_figure_per_key")]

    def __str__(self) -> str:
        return f"{self.year} {self.key} = {self.value}{self.unit_label}"


class TargetChange(models.Model):
    """One change to an annual target: who changed what, from which value to which. Written by
    ``services.reports.actions`` only; never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("新增")
        CHANGED = "changed", _("修改")
        DELETED = "deleted", _("删除")

    target = models.ForeignKey(
        AnnualTarget,
        verbose_name=_("年度目标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    kind = models.CharField(_("操作"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    figure = models.CharField(_("指标"), max_length=40, choices=Figure.choices)
    unit = models.ForeignKey(
        "departments.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, null=True, blank=True
    )
    old_value = models.DecimalField(_("原目标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(_("新目标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    old_note = models.CharField(_("原说明"), max_length=200, blank=True)
    new_note = models.CharField(_("新说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("目标变更记录")
        verbose_name_plural = _("目标变更记录")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.year} {self.figure}"


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年")


class PeriodSnapshot(models.Model):
    """A closed period's figures and breakdowns, frozen: reports of the period read this, never the live
    tables, so nothing edited later changes them. Written by ``services.reports.actions`` only."""

    kind = models.CharField(_("统计期类型"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期（不含）"))
    data = models.JSONField(_("冻结数据"))
    closed_at = models.DateTimeField(_("关账时间"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关账人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("为空表示由定时任务自动关账。"),
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("已关账统计期")
        verbose_name_plural = _("已关账统计期")
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="one_snapshot_per_period"),
            models.CheckConstraint(name="snapshot_period_not_empty", condition=Q(end__gt=F("start"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


class ExportJob(models.Model):
    """A large Excel export made by a Celery worker: its progress, then the file in the attachment storage
    until ``expires_at``. Only the person who asked for it may download it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="+"
    )
    query = models.CharField(_("导出条件"), max_length=500)
    title = models.CharField(_("名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已写行数"), default=0)
    file_name = models.CharField(_("文件"), max_length=300, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"))
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        return (
            int(self.done * 100 / self.total) if self.total else (100 if self.state == self.State.DONE else 0)
        )


# ---------------------------------------------------------------- roll-ups of the open period (DESIGN §8)

# The raw counts of the issue and dispatch cohorts (``services.reports.figures.compute.SOURCE_OF``) kept per
# day; ``services.reports.rollups`` says how they are kept current and read.
ROLLUP_COUNTS = (
    "logged",
    "accepted",
    "accepted_closed",
    "closed",
    "closed_on_time",
    "rated",
    "contacted",
    "solved",
    "satisfied",
    "basic",
    "first_rated",
    "first_satisfied",
    "first_basic",
    "reopened",
    "handling_days",
    "answer_days",
    "answered",
    "dispatched",
    "cut_short",
    "signable",
    "signed",
    "signed_on_time",
    "sent_back",
)


# The distinct counts (``SOURCE_OF["visits"]`` and ``["served"]``) kept as first appearances: for each day, the
# enterprises (specialists) whose first qualifying visit or filing of that day's year, quarter or month was on
# that day. Summed over a calendar year, quarter or month, they give its distinct count; ``visits`` is a plain
# count of the day's visits. ``services.reports.rollups`` counts them.
FIRST_PERIODS = ("year", "quarter", "month")
DISTINCT_NAMES = ("visited_above_scale", "covered", "visiting_specialists", "served")
FIRST_COUNTS = tuple(f"{name}_first_in_{period}" for name in DISTINCT_NAMES for period in FIRST_PERIODS)
TALLY_COUNTS = (*ROLLUP_COUNTS, "visits", *FIRST_COUNTS)


class Grain(models.TextChoices):
    """What one roll-up row is the count of: the day in total, or one unit's or one category's part of it."""

    TOTAL = "total", _("合计")
    UNIT = "unit", _("承办单位")
    CATEGORY = "category", _("分类")


class TallyCounts(models.Model):
    """The raw counts a roll-up row keeps (``TALLY_COUNTS``), for a day or for a month, in total or for one
    unit or one category (``key``: its id, 0 for "none")."""

    grain = models.CharField(max_length=8, choices=Grain.choices)
    key = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField()
    logged = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    accepted_closed = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    contacted = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basic = models.IntegerField(default=0)
    first_rated = models.IntegerField(default=0)
    first_satisfied = models.IntegerField(default=0)
    first_basic = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    handling_days = models.IntegerField(default=0)
    answer_days = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    cut_short = models.IntegerField(default=0)
    signable = models.IntegerField(default=0)
    signed = models.IntegerField(default=0)
    signed_on_time = models.IntegerField(default=0)
    sent_back = models.IntegerField(default=0)
    # In total only; ``served_first_in_*`` also per unit (an enterprise's problems led by that unit).
    visits = models.IntegerField(default=0)
    visited_above_scale_first_in_year = models.IntegerField(default=0)
    visited_above_scale_first_in_quarter = models.IntegerField(default=0)
    visited_above_scale_first_in_month = models.IntegerField(default=0)
    covered_first_in_year = models.IntegerField(default=0)
    covered_first_in_quarter = models.IntegerField(default=0)
    covered_first_in_month = models.IntegerField(default=0)
    visiting_specialists_first_in_year = models.IntegerField(default=0)
    visiting_specialists_first_in_quarter = models.IntegerField(default=0)
    visiting_specialists_first_in_month = models.IntegerField(default=0)
    served_first_in_year = models.IntegerField(default=0)
    served_first_in_quarter = models.IntegerField(default=0)
    served_first_in_month = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DayTally(TallyCounts):
    """The raw counts of one day's cohorts (issues filed, accepted and closed that day, sign clocks and lead
    parts started that day), in total or for one unit or one category (the issue's own category; the
    level-1 grouping is applied when read). ``key`` is the unit's or category's id, 0 for "none"."""

    day = models.DateField()

    class Meta:
        verbose_name = _("日统计汇总")
        verbose_name_plural = _("日统计汇总")
        constraints = [
            models.UniqueConstraint(fields=["grain", "day", "key"], name="one_tally_per_day_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.grain} {self.key}"


class MonthTally(TallyCounts):
    """The sums of a calendar month's ``DayTally`` rows, per grain and key, written with them: a period of whole
    months reads a dozen rows per unit instead of some 365. Derived data: ``verify_rollups`` checks them
    against their days."""

    month = models.DateField(help_text="the month's first day")

    class Meta:
        verbose_name = _("月统计汇总")
        verbose_name_plural = _("月统计汇总")
        constraints = [
            models.UniqueConstraint(fields=["grain", "month", "key"], name="one_tally_per_month_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grain} {self.key}"


class StaleDay(models.Model):
    """A day whose roll-up rows must be counted again (an event touched one of its cohorts, or the working
    calendar changed): written on commit, drained by ``services.reports.rollups.refresh``."""

    day = models.DateField(unique=True)
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("待重算日")
        verbose_name_plural = _("待重算日")

    def __str__(self) -> str:
        return str(self.day)


class RollupState(models.Model):
    """One row: the roll-ups are complete from ``first_day`` on (set by ``verify_rollups --rebuild``). Until
    it exists, or for a period starting earlier, the figures are computed live."""

    first_day = models.DateField()
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("汇总状态")
        verbose_name_plural = _("汇总状态")

    def __str__(self) -> str:
        return f"{self.first_day}"
