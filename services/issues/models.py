import datetime
import itertools
import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.core import sqlread
from services.issues.lifecycle import OPEN_STATUSES, Status, event_label


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Complexity(models.TextChoices):
    NORMAL = "normal", _("一般")
    COMPLEX = "complex", _("复杂")


class Channel(models.TextChoices):
    ONLINE = "online", _("企业网上提交")
    VISIT = "visit", _("专员走访发现")
    PHONE = "phone", _("电话反映")
    ON_BEHALF = "on_behalf", _("专员代为提交")


class Outcome(models.TextChoices):
    SOLVED = "solved", _("已解决")
    PARTLY = "partly", _("部分解决")
    EXPLAINED = "explained", _("解释说明")
    # 提级办理: passed to a higher level. Not "escalated": in this code base escalate means 督办 only.
    REFERRED_UP = "referred_up", _("提级办理")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ClosureKind(models.TextChoices):
    RATED = "rated", _("评价后办结")
    UNRATED = "unrated", _("超期未评价")
    REVIEWED = "reviewed", _("研判办结")


class Stage(models.TextChoices):
    ACCEPT = "accept", _("受理")
    DISPATCH = "dispatch", _("派单")
    REDISPATCH = "redispatch", _("退回后转办")
    REVIEW = "review", _("不满意研判")
    SIGN = "sign", _("签收")
    FIRST_CONTACT = "first_contact", _("首次联系")
    ANSWER = "answer", _("答复")
    CO_INPUT = "co_input", _("协办意见")
    RATING = "rating", _("评价")


# The dispatchers' own stages (DESIGN §3): their clocks belong to the district, not to a unit.
DISPATCHER_STAGES = (Stage.ACCEPT, Stage.DISPATCH, Stage.REDISPATCH, Stage.REVIEW)


class UnitRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    CO = "co", _("协办单位")


class Category(models.Model):
    """A two-level tree: 用工 → 招工难. Each category names the unit that leads by default."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    default_lead_unit = models.ForeignKey(
        "departments.Unit",
        verbose_name=_("默认牵头单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    led_by_location = models.BooleanField(
        _("由企业所在地牵头"),
        default=False,
        help_text=_(
            "勾选后，默认牵头单位为企业所在园区管委会，没有园区时为所在镇街；找不到时才用上面的默认牵头单位。"
        ),
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="category_name_unique_in_parent",
                violation_error_message=_("同一上级分类下已有同名分类。"),
            ),
            models.CheckConstraint(name="category_not_its_own_parent", condition=~Q(parent=models.F("pk"))),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent_id == self.pk or self.parent.parent_id is not None:
            raise ValidationError({"parent": _("诉求分类只有两级：上级分类必须是一级分类。")})
        if self.pk and Category.objects.filter(parent_id=self.pk).exists():
            raise ValidationError({"parent": _("该分类下已有二级分类，不能再设置上级分类。")})

    @property
    def level(self) -> int:
        return 2 if self.parent_id else 1

    @property
    def top(self) -> "Category":
        return self.parent if self.parent_id else self

    def lead_unit(self):
        return self.default_lead_unit or (self.parent.default_lead_unit if self.parent_id else None)


class IssuePolicy(models.Model):
    """The configurable defaults of DESIGN §3 (one row). Changing it affects clocks started afterwards."""

    accept_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=1)
    sign_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=1)
    first_contact_days = models.PositiveSmallIntegerField(_("首次联系时限（工作日）"), default=2)
    answer_days_normal = models.PositiveSmallIntegerField(_("一般诉求答复时限（工作日）"), default=5)
    answer_days_complex = models.PositiveSmallIntegerField(_("复杂诉求答复时限（工作日）"), default=15)
    co_input_days = models.PositiveSmallIntegerField(_("协办意见时限（工作日）"), default=3)
    rating_window_days = models.PositiveSmallIntegerField(_("评价期限（工作日）"), default=3)
    extension_max_days = models.PositiveSmallIntegerField(_("延期最多（工作日）"), default=15)
    extension_max_count = models.PositiveSmallIntegerField(
        _("延期申请最多次数"),
        default=1,
        help_text=_("按本单位提出的申请计数，未获同意的也算；转办后新单位重新计数。"),
    )
    extension_notice_days = models.PositiveSmallIntegerField(_("延期须提前（工作日）"), default=1)
    escalate_after_reopens = models.PositiveSmallIntegerField(_("重办几次后自动督办"), default=3)
    escalate_after_transfers = models.PositiveSmallIntegerField(_("转办几次后自动督办"), default=3)
    basic_satisfaction_factor = models.DecimalField(
        _("基本满意折算系数"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.90"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    dispatch_days = models.PositiveSmallIntegerField(_("受理后派单时限（工作日）"), default=1)
    redispatch_days = models.PositiveSmallIntegerField(_("退回后转办时限（工作日）"), default=1)
    review_days = models.PositiveSmallIntegerField(_("不满意研判时限（工作日）"), default=2)
    urgent_accept_hours = models.PositiveSmallIntegerField(
        _("紧急：受理时限（小时）"), default=2, validators=[MinValueValidator(1)]
    )
    urgent_dispatch_hours = models.PositiveSmallIntegerField(
        _("紧急：派单时限（小时）"), default=2, validators=[MinValueValidator(1)]
    )
    urgent_redispatch_hours = models.PositiveSmallIntegerField(
        _("紧急：退回后转办时限（小时）"), default=2, validators=[MinValueValidator(1)]
    )
    urgent_review_hours = models.PositiveSmallIntegerField(
        _("紧急：不满意研判时限（小时）"), default=4, validators=[MinValueValidator(1)]
    )
    urgent_sign_hours = models.PositiveSmallIntegerField(
        _("紧急：签收时限（小时）"), default=2, validators=[MinValueValidator(1)]
    )
    urgent_first_contact_hours = models.PositiveSmallIntegerField(
        _("紧急：首次联系时限（小时）"), default=4, validators=[MinValueValidator(1)]
    )
    urgent_co_input_hours = models.PositiveSmallIntegerField(
        _("紧急：协办意见时限（小时）"), default=24, validators=[MinValueValidator(1)]
    )
    urgent_answer_hours = models.PositiveSmallIntegerField(
        _("紧急：答复时限（小时）"), default=48, validators=[MinValueValidator(1)]
    )
    urgent_rating_hours = models.PositiveSmallIntegerField(
        _("紧急：评价期限时限（小时）"), default=72, validators=[MinValueValidator(1)]
    )
    critical_accept_hours = models.PositiveSmallIntegerField(
        _("特急：受理时限（小时）"), default=1, validators=[MinValueValidator(1)]
    )
    critical_dispatch_hours = models.PositiveSmallIntegerField(
        _("特急：派单时限（小时）"), default=1, validators=[MinValueValidator(1)]
    )
    critical_redispatch_hours = models.PositiveSmallIntegerField(
        _("特急：退回后转办时限（小时）"), default=1, validators=[MinValueValidator(1)]
    )
    critical_review_hours = models.PositiveSmallIntegerField(
        _("特急：不满意研判时限（小时）"), default=2, validators=[MinValueValidator(1)]
    )
    critical_sign_hours = models.PositiveSmallIntegerField(
        _("特急：签收时限（小时）"), default=1, validators=[MinValueValidator(1)]
    )
    critical_first_contact_hours = models.PositiveSmallIntegerField(
        _("特急：首次联系时限（小时）"), default=2, validators=[MinValueValidator(1)]
    )
    critical_co_input_hours = models.PositiveSmallIntegerField(
        _("特急：协办意见时限（小时）"), default=12, validators=[MinValueValidator(1)]
    )
    critical_answer_hours = models.PositiveSmallIntegerField(
        _("特急：答复时限（小时）"), default=24, validators=[MinValueValidator(1)]
    )
    critical_rating_hours = models.PositiveSmallIntegerField(
        _("特急：评价期限时限（小时）"), default=48, validators=[MinValueValidator(1)]
    )
    reminder_fraction = models.DecimalField(
        _("提醒时点（已用时限比例）"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("0.99"))],
    )
    remind_on_last_day = models.BooleanField(_("截止当日上班时再提醒一次"), default=True)
    working_hours_start = models.TimeField(_("工作时间开始"), default=datetime.time(9, 0))
    working_hours_end = models.TimeField(_("工作时间结束"), default=datetime.time(18, 0))
    second_escalation_days = models.PositiveSmallIntegerField(
        _("二级督办：超期后再过（工作日）"), default=2, validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办理时限设置")
        verbose_name_plural = _("办理时限设置")
        constraints = [models.CheckConstraint(name="issue_policy_singleton", condition=Q(pk=1))]

    def __str__(self) -> str:
        return str(_("办理时限设置"))

    # What a unit does after one dispatch, in the order the limits must fall due (DESIGN §3: each stage
    # ahead of the next): signing, first contact, the co-handlers' input the lead needs, the answer.
    HANDLING_ORDER = {
        "days": ("sign_days", "first_contact_days", "co_input_days", "answer_days_normal"),
        "urgent": (
            "urgent_sign_hours",
            "urgent_first_contact_hours",
            "urgent_co_input_hours",
            "urgent_answer_hours",
        ),
        "critical": (
            "critical_sign_hours",
            "critical_first_contact_hours",
            "critical_co_input_hours",
            "critical_answer_hours",
        ),
    }

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for fields in self.HANDLING_ORDER.values():
            for earlier, later in itertools.pairwise(fields):
                if getattr(self, later) < getattr(self, earlier):
                    errors[later] = [_("各环节时限须依次不短于前一环节：签收 ≤ 首次联系 ≤ 协办意见 ≤ 答复。")]
        if self.answer_days_complex < self.answer_days_normal:
            errors["answer_days_complex"] = [_("复杂诉求的答复时限不能短于一般诉求。")]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> "IssuePolicy":
        # Written out (services.core.sqlread): read on every deadline and every problem page a lead unit opens.
        shape = sqlread.columns(cls, "policy")
        found = sqlread.rows(f"SELECT {shape.sql} FROM {shape.table} WHERE policy.id = 1", [], shape)
        if found:
            return found[0][0]
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class Issue(models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("问题描述"), max_length=5000)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="issues"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="issues"
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    complexity = models.CharField(
        _("复杂程度"), max_length=10, choices=Complexity.choices, default=Complexity.NORMAL
    )
    channel = models.CharField(_("来源"), max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="filed_issues",
    )
    visit = models.ForeignKey(
        "visits.Visit",
        verbose_name=_("来源走访"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
    )
    contact_name = models.CharField(_("企业联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    lead_unit = models.ForeignKey(
        "departments.Unit",
        verbose_name=_("牵头单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_issues",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    outcome = models.CharField(_("答复结果"), max_length=12, choices=Outcome.choices, blank=True)
    response = models.TextField(_("答复内容"), blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    was_contacted = models.BooleanField(_("是否联系企业"), null=True, blank=True)
    was_solved = models.BooleanField(_("问题是否解决"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closure_kind = models.CharField(_("办结方式"), max_length=10, choices=ClosureKind.choices, blank=True)
    closure_reason = models.TextField(_("办结说明"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    transfer_count = models.PositiveSmallIntegerField(_("转办次数"), default=0)
    is_escalated = models.BooleanField(_("已督办"), default=False)
    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True, db_index=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The filer's key for this submission (services/core/keys.py): sent again, it finds this problem.
    client_key = models.UUIDField(_("提交标识"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["lead_unit", "status"], name="issue_lead_unit_status"),
            models.Index(fields=["enterprise", "-created_at"], name="issue_enterprise_created"),
            models.Index(fields=["status", "-created_at"], name="issue_status_created"),
            # The inbox's "being handled" count asks, per issue of the unit, whether it is being handled: a
            # probe of this small index alone, not of the whole table's rows.
            models.Index(fields=["id"], condition=Q(status=Status.HANDLING), name="issue_handling"),
        ]
        constraints = [
            models.CheckConstraint(
                name="merged_issue_names_target",
                condition=~Q(status=Status.MERGED) | Q(merged_into__isnull=False),
            ),
            models.CheckConstraint(
                name="closed_issue_has_closure_kind",
                condition=~Q(status=Status.CLOSED) | ~Q(closure_kind=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IssueUnit(models.Model):
    """A unit's part in an issue: the lead (牵头) or a co-handler (协办), from dispatch until it ends."""

    issue = models.ForeignKey(
        Issue, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="unit_parts"
    )
    unit = models.ForeignKey(
        "departments.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="issue_parts"
    )
    role = models.CharField(_("角色"), max_length=4, choices=UnitRole.choices)
    dispatched_at = models.DateTimeField(_("派单时间"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    input_text = models.TextField(_("协办意见"), blank=True)
    input_at = models.DateTimeField(_("协办意见时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("承办记录")
        verbose_name_plural = _("承办记录")
        ordering = ["dispatched_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "unit"],
                condition=Q(ended_at__isnull=True),
                name="one_active_part_per_unit",
            ),
            models.UniqueConstraint(
                fields=["issue"],
                condition=Q(ended_at__isnull=True, role="lead"),
                name="one_active_lead_per_issue",
            ),
        ]
        indexes = [models.Index(fields=["unit", "ended_at"], name="issue_unit_active")]

    def __str__(self) -> str:
        return f"{self.issue.number} {self.unit} ({self.get_role_display()})"


class StageClock(models.Model):
    """One stage of one unit's work on an issue: when it started, when it is due, when it was met.

    A clock is never silently rewritten. An extension moves ``due_at`` and keeps ``original_due_at``, and the
    event records both; a re-dispatch stops the old unit's clocks and starts new ones.
    """

    issue = models.ForeignKey(Issue, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="clocks")
    unit = models.ForeignKey(
        "departments.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clocks",
    )
    stage = models.CharField(_("环节"), max_length=16, choices=Stage.choices)
    cycle = models.PositiveSmallIntegerField(_("办理轮次"), default=0)
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("截止时间"))
    original_due_at = models.DateTimeField(_("原截止时间"))
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("中止时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("标记超期时间"), null=True, blank=True)
    counts_hours = models.BooleanField(_("按小时计时"), default=False)
    limit_amount = models.PositiveSmallIntegerField(
        _("时限（工作日或小时）"),
        null=True,
        blank=True,
        help_text=_("开始计时时有效的时限，单位见“按小时计时”；延期另计。"),
    )
    due_from_fallback = models.BooleanField(
        _("按周一至周五推算"),
        default=False,
        help_text=_("截止时间所跨年度的法定节假日尚未录入，按周一至周五推算；录入后会重新计算并记录。"),
    )
    next_alert_at = models.DateTimeField(
        _("下次提醒/督办时间"),
        null=True,
        blank=True,
        help_text=_("由时限巡检维护：这一时刻之后巡检会处理该环节的提醒、督办或自动办结。"),
    )

    class Meta:
        verbose_name = _("环节时限")
        verbose_name_plural = _("环节时限")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "stage", "unit"],
                condition=Q(met_at__isnull=True, stopped_at__isnull=True, unit__isnull=False),
                name="one_running_clock_per_stage_and_unit",
            ),
            models.UniqueConstraint(
                fields=["issue", "stage"],
                condition=Q(met_at__isnull=True, stopped_at__isnull=True, unit__isnull=True),
                name="one_running_district_clock_per_stage",
            ),
            models.CheckConstraint(
                name="clock_due_after_start", condition=Q(due_at__gte=models.F("started_at"))
            ),
        ]
        indexes = [
            # The sweeps read only running clocks, ordered by when they fall due.
            # Running clocks by due time; with the stage, unit and issue, "overdue now" (the reports' clocks and
            # their distinct problems) is counted from the index alone.
            models.Index(
                fields=["due_at", "stage", "unit", "issue", "id"],
                condition=Q(met_at__isnull=True, stopped_at__isnull=True),
                name="clock_running_due",
            ),
            # A unit's inbox pages over its own running clocks, soonest due first (selectors.unit_inbox_keys).
            models.Index(
                fields=["unit", "due_at", "issue"],
                condition=Q(met_at__isnull=True, stopped_at__isnull=True),
                name="clock_unit_running_due",
            ),
            # The inbox's counts: a unit's running clocks grouped by issue, read from the index alone.
            # (Key columns rather than INCLUDE, which SQLite does not have.)
            models.Index(
                fields=["unit", "issue", "stage", "due_at"],
                condition=Q(met_at__isnull=True, stopped_at__isnull=True),
                name="clock_unit_running_issue_stage",
            ),
            # Report figures take the dispatches (sign clocks) and answers started in a period.
            models.Index(fields=["stage", "started_at"], name="clock_stage_started"),
            # The sweep reads exactly the clocks with something due, however many are open.
            models.Index(
                fields=["next_alert_at"],
                condition=Q(met_at__isnull=True, stopped_at__isnull=True, next_alert_at__isnull=False),
                name="clock_next_alert",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.issue.number} {self.get_stage_display()} {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"
        )

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.stopped_at is None

    @property
    def met_on_time(self) -> bool | None:
        # A breach stands once marked: an extension approved after the due time does not undo it.
        return None if self.met_at is None else self.breached_at is None and self.met_at <= self.due_at

    def is_breached(self, at) -> bool:
        finished = self.met_at or self.stopped_at
        return self.breached_at is not None or (finished or at) > self.due_at


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    DECLINED = "declined", _("不同意")


class ExtensionRequest(models.Model):
    issue = models.ForeignKey(
        Issue, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="extensions"
    )
    unit = models.ForeignKey("departments.Unit", verbose_name=_("申请单位"), on_delete=models.PROTECT)
    clock = models.ForeignKey(
        StageClock, verbose_name=_("延期环节"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    working_days = models.PositiveSmallIntegerField(_("申请延期（工作日）"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("审核结果"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    old_due_at = models.DateTimeField(_("原截止时间"))
    new_due_at = models.DateTimeField(_("新截止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue"], condition=Q(status="pending"), name="one_pending_extension_per_issue"
            ),
            models.CheckConstraint(name="extension_days_positive", condition=Q(working_days__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.issue.number} +{self.working_days}"


class IssueEvent(models.Model):
    """The append-only history. ``kind`` is a machine key (a transition name or a system step)."""

    # PROTECT: the history outlives any attempt to delete its problem (DESIGN §2, append-only).
    issue = models.ForeignKey(Issue, verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=30, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_unit = models.ForeignKey(
        "departments.Unit",
        verbose_name=_("操作单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["issue", "created_at"], name="event_issue_created")]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.label} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        # Append-only (on PostgreSQL a trigger refuses UPDATE and DELETE as well). The delivery bookkeeping
        # lives in EventOutbox, written with the event so that no event can miss its notifications.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("IssueEvent rows are append-only")
        super().save(*args, **kwargs)
        EventOutbox.objects.create(event=self, created_at=self.created_at)

    @property
    def label(self) -> str:
        label = event_label(self.kind)
        stage = self.data.get("stage") if isinstance(self.data, dict) else None
        if self.kind in ("remind", "escalate") and stage in Stage.values:
            if self.data.get("level") == 2:
                return _("%(label)s（%(stage)s，二级）") % {"label": label, "stage": Stage(stage).label}
            return _("%(label)s（%(stage)s）") % {"label": label, "stage": Stage(stage).label}
        return label


class EventOutbox(models.Model):
    """Whether an event's notifications have gone out: the outbox, kept off the append-only event row.

    One row per event, written with it; ``notified_at`` is set once everyone concerned has an inbox message.
    """

    event = models.OneToOneField(
        IssueEvent,
        verbose_name=_("办理记录"),
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="outbox",
    )
    created_at = models.DateTimeField(_("时间"))
    notified_at = models.DateTimeField(_("通知已分发"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知分发记录")
        verbose_name_plural = _("通知分发记录")
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(notified_at__isnull=True), name="outbox_unnotified"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.notified_at or '-'}"

    @classmethod
    def for_events(cls, events: list[IssueEvent]) -> list["EventOutbox"]:
        """The outbox rows of events written with ``bulk_create`` (which bypasses ``save``)."""
        return cls.objects.bulk_create(cls(event=event, created_at=event.created_at) for event in events)


def _attachment_storage():
    # Its own storage alias, so operators can put attachments in object storage (DESIGN §8: the web tier
    # keeps nothing on local disk) without moving anything else.
    return storages["attachments"]


def _attachment_path(attachment: "IssueAttachment", filename: str) -> str:
    # A random key, not the uploader's name: nothing to guess, nothing to collide, no path tricks.
    return f"issues/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class IssueAttachment(models.Model):
    """A file added to an issue: a site photo, a contract, a reply letter. Part of the record: never edited,
    never removed through the product. ``content_type`` and ``sha256`` are the platform's own findings."""

    issue = models.ForeignKey(
        Issue, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("文件"), upload_to=_attachment_path, storage=_attachment_storage, max_length=200
    )
    name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["issue", "uploaded_at"], name="attachment_issue_uploaded")]
        constraints = [models.CheckConstraint(name="attachment_not_empty", condition=Q(size__gt=0))]

    def __str__(self) -> str:
        return self.name


class IssueNumberSequence(models.Model):
    """The next serial per year, so numbers read JJ2026-00042 and never repeat under concurrency."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class AlertKind(models.TextChoices):
    REMIND = "remind", _("到期前提醒")
    REMIND_LAST_DAY = "remind_last_day", _("截止当日提醒")
    ESCALATE = "escalate", _("超期督办")
    ESCALATE_SECOND = "escalate_second", _("二级督办")
    AUTO_CLOSE = "auto_close", _("超期未评价自动办结")


class ClockAlert(models.Model):
    """One reminder, supervision notice (督办) or auto-close for one clock and one due time.

    The unique constraint is the exactly-once guarantee: a sweep that runs twice, overlaps itself or dies
    half-way can only insert each alert once. An extension moves the due time, so it earns new alerts.
    """

    clock = models.ForeignKey(
        StageClock, verbose_name=_("环节时限"), on_delete=models.CASCADE, related_name="alerts"
    )
    issue = models.ForeignKey(Issue, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="alerts")
    unit = models.ForeignKey(
        "departments.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    due_at = models.DateTimeField(_("对应截止时间"))
    scheduled_for = models.DateTimeField(_("应发时间"))
    created_at = models.DateTimeField(_("发出时间"))

    class Meta:
        verbose_name = _("提醒与督办")
        verbose_name_plural = _("提醒与督办")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "kind", "due_at"], name="one_alert_per_clock_kind_due"),
        ]
        indexes = [models.Index(fields=["kind", "created_at"], name="alert_kind_created")]

    def __str__(self) -> str:
        return (
            f"{self.issue_id} {self.get_kind_display()} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
        )
