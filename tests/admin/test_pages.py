"""Every admin page of our apps opens for a superuser, in Chinese, with real rows on it."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import override_settings
from django.urls import reverse

from services.accounts.models import User
from services.core.models import SweepRun
from services.departments.models import Unit
from services.enterprises.models import Enterprise, Park, SpecialistAssignment, Town
from services.issues.models import (
    Category,
    ClockAlert,
    EventOutbox,
    ExtensionRequest,
    Issue,
    IssueAttachment,
    IssueEvent,
    IssueNumberSequence,
    IssuePolicy,
    IssueUnit,
    StageClock,
)
from services.notifications.models import Delivery, Digest, Notification
from services.reports.models import (
    AnnualTarget,
    DayTally,
    ExportJob,
    MonthTally,
    PeriodSnapshot,
    ReportedFigure,
    RollupState,
    StaleDay,
    TargetChange,
)
from services.visits.admin import VisitAdmin, VisitPhotoInline
from services.visits.models import CoverageReminder, Visit, VisitPhoto

OUR_APPS = ("core", "accounts", "departments", "enterprises", "notifications", "issues", "visits", "reports")

ADDABLE = [User, Unit, Town, Park, Enterprise, SpecialistAssignment, Category, AnnualTarget]
# History, clocks and figures are written by actions and seeds only; the one policy row already exists. Visits
# count towards closed periods' coverage: corrected through the visits app's actions, not here.
NOT_ADDABLE = [
    Notification,
    IssuePolicy,
    Issue,
    IssueEvent,
    IssueAttachment,
    StageClock,
    ExtensionRequest,
    IssueUnit,
    IssueNumberSequence,
    ClockAlert,
    EventOutbox,
    ReportedFigure,
    Delivery,
    Digest,
    SweepRun,
    Visit,
    CoverageReminder,
    TargetChange,
    PeriodSnapshot,
    ExportJob,
]
REGISTERED = ADDABLE + NOT_ADDABLE


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _ids(model) -> str:
    return model.__name__


# The open period's roll-ups are a cache of the problems' own rows: ``manage.py verify_rollups`` shows and
# repairs them; an administrator has nothing to read or edit in them.
ROLLUP_BOOKKEEPING = {DayTally, MonthTally, StaleDay, RollupState}


def test_every_model_of_our_apps_has_an_admin_page_except_photos_and_the_roll_ups_bookkeeping():
    ours = {model for label in OUR_APPS for model in apps.get_app_config(label).get_models()}

    assert ours - set(REGISTERED) == {VisitPhoto, *ROLLUP_BOOKKEEPING}
    assert all(admin.site.is_registered(model) for model in REGISTERED)
    assert VisitPhotoInline in VisitAdmin.inlines


@pytest.mark.parametrize("model", REGISTERED, ids=_ids)
def test_every_admin_configuration_passes_the_system_checks(model):
    assert admin.site.get_model_admin(model).check() == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=_ids)
def test_the_list_page_opens_with_rows_on_it(superuser_client, a_few_rows_everywhere, model):
    assert model.objects.exists()

    response = superuser_client.get(_url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=_ids)
def test_the_detail_page_of_a_row_opens_with_its_inlines(superuser_client, a_few_rows_everywhere, model):
    row = model.objects.first()

    response = superuser_client.get(_url(model, "change", row.pk))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADDABLE, ids=_ids)
def test_the_add_page_opens_where_adding_is_allowed(superuser_client, a_few_rows_everywhere, model):
    response = superuser_client.get(_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", NOT_ADDABLE, ids=_ids)
def test_there_is_no_add_page_for_rows_that_only_actions_and_seeds_write(
    superuser_client, a_few_rows_everywhere, model
):
    response = superuser_client.get(_url(model, "add"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_issue_page_shows_units_clocks_extension_and_history(superuser_client, a_few_rows_everywhere):
    issue = a_few_rows_everywhere

    html = superuser_client.get(_url(Issue, "change", issue.pk)).content.decode()

    for inline_model in (IssueUnit, StageClock, ExtensionRequest, IssueEvent):
        assert str(inline_model._meta.verbose_name_plural) in html
    assert "需协调供电公司现场勘察。" in html  # the extension's reason
    assert "签收" in html  # the acknowledge event, by its label


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_admin_index_lists_every_model_under_its_chinese_plural_name(superuser_client):
    response = superuser_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    for model in REGISTERED:
        name = str(model._meta.verbose_name_plural)
        assert re.search(
            rf'<a href="{re.escape(_url(model, "changelist"))}"[^>]*>{re.escape(name)}</a>', html
        ), name
