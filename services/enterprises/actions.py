from datetime import date

from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from services.accounts import roles
from services.accounts.models import Role, User
from services.core.errors import InvalidInput, NotPermitted
from services.core.text import clean_text
from services.enterprises.models import Enterprise, Ladder, MuJunGrade, Park, SpecialistAssignment, Town
from services.enterprises.uscc import validate_uscc


@transaction.atomic
def assign_specialist(
    *, enterprise: Enterprise, specialist: User, actor: User, started_on: date, note: str = ""
) -> SpecialistAssignment:
    """Make ``specialist`` the enterprise's one current specialist, ending the previous assignment."""
    if not roles.is_administrator(actor):
        raise NotPermitted(_("只有系统管理员可以调整专员包联。"))
    if specialist.role != Role.SPECIALIST or not specialist.is_active:
        raise InvalidInput({"specialist": [_("所选用户不是在岗的服务专员。")]})
    # Lock the enterprise row so two administrators cannot both create a "current" assignment.
    Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    current = SpecialistAssignment.objects.filter(enterprise=enterprise, ended_on__isnull=True).first()
    if current is not None:
        if current.specialist_id == specialist.pk:
            return current
        if started_on < current.started_on:
            raise InvalidInput({"started_on": [_("新包联的开始日期不能早于现有包联的开始日期。")]})
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
    return SpecialistAssignment.objects.create(
        enterprise=enterprise, specialist=specialist, started_on=started_on, assigned_by=actor, note=note
    )


ENTERPRISE_TEXT_LIMITS = {
    "industry": 60,
    "address": 200,
    "legal_representative": 50,
    "contact_name": 50,
    "contact_phone": 20,
}


def register_enterprise(
    *,
    actor: User,
    name: str,
    uscc: str,
    town: Town,
    park: Park | None = None,
    is_above_scale: bool = False,
    ladder: str = Ladder.NONE,
    mujun_grade: str = MuJunGrade.NONE,
    rates_by_phone: bool = False,
    contact_email: str = "",
    **details: str,
) -> Enterprise:
    """An administrator registers an enterprise; its USCC is checked (GB 32100) and must be new."""
    if not roles.is_administrator(actor):
        raise NotPermitted(_("只有系统管理员可以登记企业。"))
    unknown = set(details) - set(ENTERPRISE_TEXT_LIMITS)
    if unknown:
        raise TypeError(f"unknown enterprise fields: {sorted(unknown)}")
    name = clean_text(name, field="name", label=_("企业名称"), max_length=100)
    cleaned = {
        field: clean_text(
            details.get(field, ""),
            field=field,
            label=str(Enterprise._meta.get_field(field).verbose_name),
            max_length=limit,
            required=False,
        )
        for field, limit in ENTERPRISE_TEXT_LIMITS.items()
    }
    try:
        code = validate_uscc(uscc)
    except ValidationError as error:
        raise InvalidInput({"uscc": list(error.messages)}) from None
    contact_email = (contact_email or "").strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            raise InvalidInput({"contact_email": [_("请输入有效的电子邮箱地址。")]}) from None
    if ladder not in Ladder.values:
        raise InvalidInput({"ladder": [_("专精特新梯度无效。")]})
    if mujun_grade not in MuJunGrade.values:
        raise InvalidInput({"mujun_grade": [_("亩均评价等级无效。")]})
    taken = InvalidInput({"uscc": [_("该统一社会信用代码已登记。")]})
    if Enterprise.objects.filter(uscc=code).exists():
        raise taken
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                name=name,
                uscc=code,
                town=town,
                park=park,
                is_above_scale=is_above_scale,
                ladder=ladder,
                mujun_grade=mujun_grade,
                rates_by_phone=rates_by_phone,
                contact_email=contact_email,
                **cleaned,
            )
            # The same history row the Django admin writes, so both show who registered it and when.
            LogEntry.objects.log_actions(actor.pk, [enterprise], ADDITION, change_message=[{"added": {}}])
    except IntegrityError:
        # Another administrator registered the same code a moment ago.
        raise taken from None
    return enterprise
