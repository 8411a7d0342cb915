"""A move's form on the page, made from the move's own input serializer (``workflow.Move.input``).

The API parses a move's body with that serializer; the page renders the same fields and parses the posted
form with it too, so the two doors cannot ask for different things. The page adds only presentation: the
field's label (``Move.field_labels``), its widget, the options a person may pick, and what they typed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from services.departments.models import Unit
from services.issues.models import Issue
from services.issues.workflow import Move
from services.issues.worklists import merge_candidates, suggested_lead_unit_id

LONG_TEXT = 200  # a text field longer than this is a textarea

YES_NO = (("true", _("是")), ("false", _("否")))


@dataclass
class FieldView:
    name: str
    label: str
    widget: str  # text, textarea, number, select, radio, checkboxes
    required: bool
    html_id: str
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = ""
    values: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None

    @property
    def error_id(self) -> str:
        return f"{self.html_id}-error"


@dataclass
class MoveForm:
    move: Move
    fields: list[FieldView]
    errors: list[str] = field(default_factory=list)  # not tied to one field (the action's refusal)
    is_open: bool = False  # shown unfolded: the person just tried it

    @property
    def slug(self) -> str:
        return self.move.slug


def _units() -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in Unit.objects.filter(is_active=True).order_by("kind", "name").values_list("pk", "name")
    ]


def _options(
    name: str, serializer_field: serializers.Field, *, actor, issue: Issue, units
) -> list[tuple[str, str]]:
    if isinstance(serializer_field, serializers.BooleanField):
        return [(value, str(label)) for value, label in YES_NO]
    if isinstance(serializer_field, serializers.ChoiceField):
        return [(str(value), str(label)) for value, label in serializer_field.choices.items()]
    if name == "into":
        return [(str(other.pk), f"{other.number} {other.title}") for other in merge_candidates(actor, issue)]
    if name in ("lead_unit", "co_units"):
        return units()
    return []


RADIO_MAX = 4  # a choice among this many or fewer is a row of radio buttons, more a drop-down


def _widget(serializer_field: serializers.Field) -> str:
    if isinstance(serializer_field, serializers.ListField):
        return "checkboxes"
    if isinstance(serializer_field, serializers.BooleanField):
        return "radio"
    if isinstance(serializer_field, serializers.ChoiceField):
        return "radio" if len(serializer_field.choices) <= RADIO_MAX else "select"
    if isinstance(serializer_field, serializers.RelatedField):
        return "select"
    if isinstance(serializer_field, serializers.IntegerField):
        return "number"
    if isinstance(serializer_field, serializers.CharField):
        return "textarea" if (serializer_field.max_length or LONG_TEXT + 1) > LONG_TEXT else "text"
    return "text"


def _initial(move: Move, name: str, issue: Issue) -> Any:
    if move.slug == "dispatch" and name == "lead_unit":
        unit_id = suggested_lead_unit_id(issue)
        return str(unit_id) if unit_id else ""
    if name == "complexity":
        return issue.complexity
    return ""


def build(
    move: Move,
    *,
    actor,
    issue: Issue,
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, Iterable[str]] | None = None,
    refusal: str = "",
    units_cache: dict | None = None,
) -> MoveForm:
    """The move's form; with ``data`` and ``errors`` as the person posted them after a refused try."""
    errors = errors or {}
    cache = units_cache if units_cache is not None else {}

    def units() -> list[tuple[str, str]]:
        if "units" not in cache:
            cache["units"] = _units()
        return cache["units"]

    views: list[FieldView] = []
    if move.input is not None:
        for name, serializer_field in move.input().fields.items():
            if serializer_field.read_only:
                continue
            widget = _widget(serializer_field)
            view = FieldView(
                name=name,
                label=str(move.field_labels.get(name, name)),
                widget=widget,
                required=bool(serializer_field.required),
                html_id=f"{move.slug}-{name}",
                options=_options(name, serializer_field, actor=actor, issue=issue, units=units)
                if widget in ("select", "radio", "checkboxes")
                else [],
                max_length=getattr(serializer_field, "max_length", None),
                minimum=getattr(serializer_field, "min_value", None),
                maximum=getattr(serializer_field, "max_value", None),
                errors=[str(message) for message in errors.get(name, [])],
            )
            if data is not None:
                view.value = data.get(name, "")
                view.values = list(data.getlist(name)) if hasattr(data, "getlist") else []
            else:
                view.value = _initial(move, name, issue)
            views.append(view)
    general = [str(message) for key in ("__all__", "non_field_errors") for message in errors.get(key, [])]
    # Errors for fields the form does not show (an action may name one) still reach the person.
    shown = {view.name for view in views}
    general += [
        str(m)
        for key, messages in errors.items()
        if key not in shown | {"__all__", "non_field_errors"}
        for m in messages
    ]
    if refusal:
        general.append(refusal)
    return MoveForm(move=move, fields=views, errors=general, is_open=data is not None)
