"""What a visit carries besides the idempotency key: photos checked like attachments and kept in the
attachments' storage, companions who are officials, and the structured operating snapshot."""

import os

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from services.core import clock
from services.core.errors import InvalidInput
from services.issues.lifecycle import Status
from services.issues.models import Channel, Issue
from services.visits.actions import FoundProblem, log_visit
from services.visits.models import Condition, Visit, VisitPhoto
from tests.factories import DispatcherFactory, EnterpriseUserFactory, HandlerFactory
from tests.issues.state import shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 3, 6, 18)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def photo(name="车间.jpg", content=JPEG):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def visit(actor, enterprise, **kw):
    with clock.travel_to(NOW):
        return log_visit(actor=actor, enterprise=enterprise, visited_at=shanghai(2026, 3, 6, 14), **kw)


def test_photos_are_kept_in_the_attachments_storage_with_their_checked_facts(specialist, enterprise):
    record = visit(specialist, enterprise, photos=[photo(), photo("仓库.png", PNG)])

    photos = list(VisitPhoto.objects.filter(visit=record))
    assert [(p.caption, p.content_type, p.size) for p in photos] == [
        ("车间.jpg", "image/jpeg", len(JPEG)),
        ("仓库.png", "image/png", len(PNG)),
    ]
    assert all(len(p.sha256) == 64 for p in photos)
    assert photos[0].image.storage is storages["attachments"]
    assert storages["attachments"].exists(photos[0].image.name)
    assert not storages["default"].exists(photos[0].image.name)
    assert "车间" not in photos[0].image.name  # a random key, not the phone's file name


def test_a_program_renamed_as_a_photo_is_refused_and_nothing_is_recorded(
    specialist, enterprise, nothing_changes
):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        visit(specialist, enterprise, photos=[photo("现场.jpg", b"MZ\x90\x00" + b"\x00" * 100)])

    assert "现场.jpg" in refused.value.errors["photos"][0]
    assert VisitPhoto.objects.count() == 0


def test_a_document_is_not_a_photo(specialist, enterprise, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        visit(specialist, enterprise, photos=[photo("合同.pdf", b"%PDF-1.7\n" + b"0" * 100)])

    assert "合同.pdf" in refused.value.errors["photos"][0]


def stored_files() -> set[str]:
    root = storages["attachments"].location
    return {os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names}


def test_when_a_problem_found_is_refused_the_photos_already_stored_are_removed(
    specialist, enterprise, category
):
    category.is_active = False
    category.save()
    before = stored_files()

    with pytest.raises(InvalidInput):
        visit(
            specialist,
            enterprise,
            photos=[photo()],
            problems=[FoundProblem(category=category, title="缺工", description="缺焊工")],
        )

    assert (Visit.objects.count(), VisitPhoto.objects.count()) == (0, 0)
    assert stored_files() == before


def test_companions_are_officials(specialist, enterprise, unit):
    handler = HandlerFactory(unit=unit, display_name="陈经办")
    dispatcher = DispatcherFactory(display_name="王调度")

    record = visit(specialist, enterprise, companions=[handler, dispatcher])

    assert set(record.companions.all()) == {handler, dispatcher}


def test_an_enterprise_user_cannot_be_a_companion(specialist, enterprise, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        visit(specialist, enterprise, companions=[EnterpriseUserFactory(enterprise=enterprise)])

    assert refused.value.errors["companions"] == ["同行人员只能是在职的政府工作人员。"]


def test_a_departed_official_cannot_be_a_companion(specialist, enterprise, unit, nothing_changes):
    gone = HandlerFactory(unit=unit, is_active=False)

    with nothing_changes(), pytest.raises(InvalidInput):
        visit(specialist, enterprise, companions=[gone])


def test_the_snapshot_records_a_condition_for_each_side_of_the_business(specialist, enterprise):
    record = visit(
        specialist,
        enterprise,
        orders_condition=Condition.GOOD,
        labour_condition=Condition.STRAINED,
        energy_condition=Condition.SEVERE,
        labour="缺焊工30名",
    )

    record.refresh_from_db()
    assert (
        record.orders_condition,
        record.labour_condition,
        record.energy_condition,
        record.funds_condition,
        record.labour,
    ) == ("good", "strained", "severe", "", "缺焊工30名")


def test_an_unknown_condition_is_refused(specialist, enterprise, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput) as refused:
        visit(specialist, enterprise, funds_condition="很好")

    assert "funds_condition" in refused.value.errors


def test_problems_found_are_filed_on_the_enterprises_behalf_in_the_same_visit(
    specialist, enterprise, category
):
    record = visit(
        specialist,
        enterprise,
        problems=[
            FoundProblem(category=category, title="缺焊工", description="缺焊工30名"),
            FoundProblem(
                category=category, title="报装慢", description="10kV专线报装逾两月", urgency="urgent"
            ),
        ],
    )

    issues = Issue.objects.filter(visit=record).order_by("pk")
    assert [(i.enterprise, i.channel, i.status, i.urgency) for i in issues] == [
        (enterprise, Channel.VISIT, Status.SUBMITTED, "normal"),
        (enterprise, Channel.VISIT, Status.SUBMITTED, "urgent"),
    ]
