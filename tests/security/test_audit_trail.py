"""Administrators' changes leave an audit trail: who changed what, when, from what, to what; browsable in the
admin."""

import pytest
from auditlog.models import LogEntry
from django.test import Client

from services.departments.models import Unit

pytestmark = pytest.mark.django_db


def _entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("timestamp")


def test_a_unit_renamed_in_the_admin_records_who_and_from_what_to_what(unit, administrator):
    admin = Client()
    admin.force_login(administrator)
    form = admin.get(f"/admin/departments/unit/{unit.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(short_name="区人社局", name=unit.name)

    response = admin.post(f"/admin/departments/unit/{unit.pk}/change/", data)

    assert response.status_code == 302, response.content[:500]
    entry = _entries_for(unit).last()
    assert entry.actor == administrator
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes_dict["short_name"] == ["区人力社保局", "区人社局"]


def test_a_role_change_is_recorded_and_a_password_change_is_masked(handler):
    handler.role = "unit_head"
    handler.save()
    handler.set_password("Jiangjin-新密码-2026")
    handler.save()

    changes = [entry.changes_dict for entry in _entries_for(handler)]
    assert {"role": ["handler", "unit_head"]} in changes
    password = next(change["password"] for change in changes if "password" in change)
    assert "Jiangjin-新密码-2026" not in str(password)
    assert all("pbkdf2" not in str(value) and "md5$" not in str(value) for value in password)


def test_a_new_unit_and_its_deletion_are_both_recorded():
    unit = Unit.objects.create(
        name="重庆市江津区数据管理局", short_name="区数据局", code="J-DATA", kind="department"
    )
    pk = unit.pk
    unit.delete()

    entries = LogEntry.objects.filter(object_pk=str(pk), content_type__model="unit").order_by("timestamp")
    actions = list(entries.values_list("action", flat=True))
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]


def test_logins_do_not_fill_the_trail(handler):
    before = _entries_for(handler).count()

    answer = Client().post("/login/", {"username": handler.username, "password": "jiangjin-test"})

    assert answer.status_code == 302
    assert _entries_for(handler).count() == before


def test_administrators_browse_the_trail_in_the_admin(unit, administrator):
    unit.short_name = "区人社局"
    unit.save()
    admin = Client()
    admin.force_login(administrator)

    listing = admin.get("/admin/auditlog/logentry/")

    assert listing.status_code == 200
    assert "区人社局" in listing.content.decode() or str(unit.pk) in listing.content.decode()
