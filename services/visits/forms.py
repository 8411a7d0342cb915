"""The specialist's forms on the web pages: logging a visit (with its problems found) and filing a problem on
an enterprise's behalf. They parse and present; ``log_visit`` and ``file_issue`` decide."""

import uuid

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.models import Role, User
from services.core import clock
from services.enterprises.models import Enterprise
from services.issues.actions import TEXT_MAX, TITLE_MAX
from services.issues.models import Category, Urgency
from services.visits.actions import CONDITION_FIELDS, PHOTOS_MAX, SNAPSHOT_FIELDS, FoundProblem
from services.visits.models import Condition, Method

SNAPSHOT_MAX = 5000
DERIVED_TITLE_MAX = 40
# Each side of the business: (condition field, note field).
SNAPSHOT_PAIRS = tuple(zip(CONDITION_FIELDS, SNAPSHOT_FIELDS[:5], strict=True))


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos under one name; each is checked by the action, like an attachment."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class AccessibleForm(forms.Form):
    """Ties each field's errors to it (``aria-describedby``, ``aria-invalid``) once the form is validated."""

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        for name, field in self.fields.items():
            if name in self.errors:
                bound = self[name]
                described = [f"{bound.auto_id}_helptext"] if field.help_text else []
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["aria-describedby"] = " ".join([*described, f"{bound.auto_id}-errors"])

    def add_action_errors(self, errors: dict[str, list[str]]) -> None:
        """Errors from an action's ``InvalidInput``, beside their fields where the form has them."""
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        self.mark_errors()


def officials(actor: User) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True)
        .exclude(role__in=[Role.ENTERPRISE, ""])
        .exclude(pk=actor.pk)
        .select_related("unit")
        .order_by("role", "display_name", "username")
    )


class OfficialChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user: User) -> str:
        where = user.unit.short_name if getattr(user, "unit", None) else user.get_role_display()
        return f"{user.name}（{where}）"


class VisitForm(AccessibleForm):
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=_("走访企业"))
    method = forms.ChoiceField(choices=Method.choices, initial=Method.ON_SITE, label=_("走访方式"))
    visited_at = forms.DateTimeField(
        label=_("走访时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    people_met = forms.CharField(
        label=_("接待人员"),
        max_length=200,
        required=False,
        help_text=_("姓名和职务，如：周海燕（办公室主任）"),
    )
    companions = OfficialChoiceField(
        queryset=User.objects.none(),
        label=_("同行人员"),
        required=False,
        help_text=_("只能选择政府工作人员；可多选。"),
    )
    orders_condition = forms.ChoiceField(label=_("订单"), required=False)
    orders = forms.CharField(
        label=_("订单情况"), required=False, max_length=SNAPSHOT_MAX, widget=forms.Textarea
    )
    labour_condition = forms.ChoiceField(label=_("用工"), required=False)
    labour = forms.CharField(
        label=_("用工情况"), required=False, max_length=SNAPSHOT_MAX, widget=forms.Textarea
    )
    energy_condition = forms.ChoiceField(label=_("用能"), required=False)
    energy = forms.CharField(
        label=_("用能情况"), required=False, max_length=SNAPSHOT_MAX, widget=forms.Textarea
    )
    funds_condition = forms.ChoiceField(label=_("资金"), required=False)
    funds = forms.CharField(
        label=_("资金情况"), required=False, max_length=SNAPSHOT_MAX, widget=forms.Textarea
    )
    production_sales_condition = forms.ChoiceField(label=_("产销"), required=False)
    production_sales = forms.CharField(
        label=_("产销情况"), required=False, max_length=SNAPSHOT_MAX, widget=forms.Textarea
    )
    policies_explained = forms.CharField(
        label=_("政策宣讲"), required=False, max_length=SNAPSHOT_MAX, widget=forms.Textarea
    )
    suggestions = forms.CharField(
        label=_("意见建议"), required=False, max_length=SNAPSHOT_MAX, widget=forms.Textarea
    )
    photos = MultiplePhotoField(label=_("现场照片"), required=False)

    def __init__(self, *args, actor: User, enterprises: QuerySet[Enterprise], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.fields["companions"].queryset = officials(actor)
        for name in CONDITION_FIELDS:
            self.fields[name].choices = [("", _("未填写")), *Condition.choices]
        self.fields["photos"].help_text = _("可直接拍照；每张不超过20 MB，最多%(count)d张。") % {
            "count": PHOTOS_MAX
        }

    @classmethod
    def blank(
        cls, *, actor: User, enterprises: QuerySet[Enterprise], enterprise_id: str | None
    ) -> "VisitForm":
        now = timezone.localtime(clock.now()).replace(second=0, microsecond=0)
        initial = {"client_key": uuid.uuid4(), "visited_at": now, "method": Method.ON_SITE}
        if enterprise_id and enterprise_id.isdigit():
            initial["enterprise"] = enterprise_id
        return cls(actor=actor, enterprises=enterprises, initial=initial)

    def snapshot_pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[condition], self[note]) for condition, note in SNAPSHOT_PAIRS]

    def action_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "enterprise": data["enterprise"],
            "visited_at": data["visited_at"],
            "method": data["method"],
            "people_met": data["people_met"],
            "companions": list(data["companions"]),
            "photos": data["photos"],
            "client_key": data["client_key"],
            **{name: data[name] for name in (*SNAPSHOT_FIELDS, *CONDITION_FIELDS)},
        }


def derived_title(description: str) -> str:
    """A problem found on the spot has no title typed on the phone: its first line, shortened, is one."""
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    if len(first_line) > DERIVED_TITLE_MAX:
        return first_line[: DERIVED_TITLE_MAX - 1] + "…"
    return first_line


class ProblemFoundForm(AccessibleForm):
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=_("问题分类"), empty_label=_("请选择分类")
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL, label=_("紧急程度"))
    description = forms.CharField(
        label=_("问题描述"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()

    def found(self) -> FoundProblem:
        data = self.cleaned_data
        return FoundProblem(
            category=data["category"],
            title=derived_title(data["description"]) or str(data["category"]),
            description=data["description"],
            urgency=data["urgency"],
        )


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("parent__name", "name")


class BaseProblemsFound(forms.BaseFormSet):
    def found(self) -> list[FoundProblem]:
        return [form.found() for form in self.forms if form.has_changed() and form.cleaned_data]


ProblemsFound = forms.formset_factory(
    ProblemFoundForm, formset=BaseProblemsFound, extra=1, max_num=20, absolute_max=20, validate_max=True
)


class FileOnBehalfForm(AccessibleForm):
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=_("问题分类"), empty_label=_("请选择分类")
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL, label=_("紧急程度"))
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    description = forms.CharField(label=_("问题描述"), max_length=TEXT_MAX, widget=forms.Textarea)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()
