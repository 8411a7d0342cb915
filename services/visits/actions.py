import contextlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import Role, User
from services.core import clock
from services.core.errors import InvalidInput, NotPermitted
from services.core.keys import key_taken, parse_client_key
from services.core.text import clean_text
from services.enterprises.models import Enterprise
from services.enterprises.selectors import current_specialist_id
from services.issues.actions import file_issue
from services.issues.attachments import inspect_upload
from services.issues.models import Category, Complexity, Urgency
from services.visits.models import Condition, Method, Visit, VisitPhoto

# The specialist scheme began long after this; an earlier date is a typing error.
EARLIEST_VISIT = datetime(2000, 1, 1, tzinfo=timezone.get_default_timezone())
SNAPSHOT_FIELDS = (
    "orders",
    "labour",
    "energy",
    "funds",
    "production_sales",
    "policies_explained",
    "suggestions",
)
# The structured part of the operating snapshot: one condition per side of the business.
CONDITION_FIELDS = (
    "orders_condition",
    "labour_condition",
    "energy_condition",
    "funds_condition",
    "production_sales_condition",
)
PHOTOS_MAX = 10
COMPANIONS_MAX = 20


@dataclass(frozen=True)
class FoundProblem:
    """A problem found on a visit; it becomes an issue in the platform, linked to the visit."""

    category: Category
    title: str
    description: str
    urgency: str = Urgency.NORMAL
    complexity: str = Complexity.NORMAL


_VISIT_LISTENERS: list[Callable[..., object]] = []


def on_visit_logged(listener: Callable[..., object]) -> Callable[..., object]:
    """Call ``listener(visit_id=…)`` inside the transaction of every visit logged (the reports' roll-ups)."""
    if listener not in _VISIT_LISTENERS:
        _VISIT_LISTENERS.append(listener)
    return listener


def log_visit(
    *,
    actor: User,
    enterprise: Enterprise,
    visited_at: datetime,
    method: str = Method.ON_SITE,
    people_met: str = "",
    companions: Iterable[User] = (),
    problems: Iterable[FoundProblem] = (),
    photos: Iterable[UploadedFile] = (),
    client_key: uuid.UUID | str | None = None,
    **snapshot: str,
) -> Visit:
    """The serving specialist records a visit, its photos and the problems found, all or nothing.

    ``client_key`` is the phone's key for this submission: sent again (an offline queue catching up, a
    response lost on a weak signal, two sends at once), it returns the visit the first one recorded.
    """
    key = parse_client_key(client_key)
    if key is not None:
        first = _first_with_key(actor, key)
        if first is not None:
            return first
    if (
        not actor.is_active
        or actor.role != Role.SPECIALIST
        or current_specialist_id(enterprise.pk) != actor.pk
    ):
        raise NotPermitted(_("只有该企业的包联服务专员可以录入走访记录。"))
    if method not in Method.values:
        raise InvalidInput({"method": [_("走访方式无效。")]})
    if timezone.is_naive(visited_at):
        raise InvalidInput({"visited_at": [_("走访时间须包含时区。")]})
    if visited_at > clock.now() + timedelta(minutes=5):
        raise InvalidInput({"visited_at": [_("走访时间不能晚于现在。")]})
    if visited_at < EARLIEST_VISIT:
        raise InvalidInput({"visited_at": [_("走访时间不能早于2000年。")]})
    unknown = set(snapshot) - set(SNAPSHOT_FIELDS) - set(CONDITION_FIELDS)
    if unknown:
        raise TypeError(f"unknown visit fields: {sorted(unknown)}")
    cleaned = {
        name: clean_text(
            snapshot.get(name, ""),
            field=name,
            label=str(Visit._meta.get_field(name).verbose_name),
            max_length=5000,
            required=False,
        )
        for name in SNAPSHOT_FIELDS
    }
    for name in CONDITION_FIELDS:
        cleaned[name] = snapshot.get(name) or ""
        if cleaned[name] not in ("", *Condition.values):
            raise InvalidInput({name: [_("经营情况的选项无效。")]})
    people_met = clean_text(
        people_met, field="people_met", label=_("接待人员"), max_length=200, required=False
    )
    companions = _checked_companions(actor, companions)
    photos = _checked_photos(photos)
    problems = list(problems)
    stored: list[str] = []
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                enterprise=enterprise,
                specialist=actor,
                visited_at=visited_at,
                method=method,
                people_met=people_met,
                client_key=key,
                **cleaned,
            )
            for listener in _VISIT_LISTENERS:
                listener(visit_id=visit.pk)
            if companions:
                visit.companions.set(companions)
            for upload, facts in photos:
                photo = VisitPhoto(
                    visit=visit,
                    caption=facts.name[:100],
                    content_type=facts.content_type,
                    size=facts.size,
                    sha256=facts.sha256,
                )
                photo.image.save(facts.name, upload, save=False)
                stored.append(photo.image.name)
                photo.save()
            for problem in problems:
                file_issue(
                    actor=actor,
                    enterprise=enterprise,
                    category=problem.category,
                    title=problem.title,
                    description=problem.description,
                    urgency=problem.urgency,
                    complexity=problem.complexity,
                    visit=visit,
                )
    except BaseException as failure:
        _discard(stored)
        if key is not None and isinstance(failure, IntegrityError):
            # The same key committed by a send that ran at the same moment: that one is the visit.
            first = _first_with_key(actor, key)
            if first is not None:
                return first
        raise
    return visit


def _first_with_key(actor: User, key: uuid.UUID) -> Visit | None:
    first = Visit.objects.filter(client_key=key).first()
    if first is not None and first.specialist_id != actor.pk:
        raise key_taken()
    return first


def _checked_companions(actor: User, companions: Iterable[User]) -> list[User]:
    people = list({person.pk: person for person in companions}.values())
    if len(people) > COMPANIONS_MAX:
        raise InvalidInput({"companions": [_("同行人员最多%(count)d人。") % {"count": COMPANIONS_MAX}]})
    for person in people:
        if not person.is_active or person.role == Role.ENTERPRISE or person.role == "":
            raise InvalidInput({"companions": [_("同行人员只能是在职的政府工作人员。")]})
        if person.pk == actor.pk:
            raise InvalidInput({"companions": [_("同行人员不必包括您本人。")]})
    return people


def _checked_photos(photos: Iterable[UploadedFile]) -> list:
    uploads = list(photos)
    if len(uploads) > PHOTOS_MAX:
        raise InvalidInput({"photos": [_("照片最多%(count)d张。") % {"count": PHOTOS_MAX}]})
    checked = []
    for upload in uploads:
        try:
            facts = inspect_upload(upload)
        except InvalidInput as refused:
            name = getattr(upload, "name", "") or _("照片")
            raise InvalidInput(
                {"photos": [f"{name}：{message}" for message in refused.errors.get("file", [])]}
            ) from None
        if not facts.content_type.startswith("image/"):
            raise InvalidInput(
                {
                    "photos": [
                        _("“%(name)s”不是照片：请上传 jpg、png、gif 或 webp 图片。") % {"name": facts.name}
                    ]
                }
            )
        checked.append((upload, facts))
    return checked


def _discard(names: list[str]) -> None:
    """Files saved for a visit that was not recorded."""
    storage = VisitPhoto._meta.get_field("image").storage
    for name in names:
        with contextlib.suppress(OSError):  # best effort: an orphan file costs disk, never correctness
            storage.delete(name)
