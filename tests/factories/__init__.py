"""Factories for every model the tests build. Real Chinese names; valid USCCs made with the check rule."""

import datetime as dt

import factory
from django.utils import timezone

from services.accounts.models import Role, User
from services.departments.models import Unit, UnitKind
from services.enterprises.models import Enterprise, Park, SpecialistAssignment, Town, TownKind
from services.enterprises.uscc import check_character
from services.issues.models import Category
from services.visits.models import Method, Visit

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "晓梅", "志强", "秀英", "海燕", "伟", "静", "磊", "丽娟", "国华"]


def uscc_for(n: int) -> str:
    body = f"91500116{n:09d}"
    return body + check_character(body)


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("code",)

    code = "shuangfu"
    name = "双福街道"
    kind = TownKind.STREET


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park
        django_get_or_create = ("code",)

    code = "science_city"
    name = "科学城江津片区"
    town = factory.SubFactory(TownFactory)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"重庆市江津区第{n}承办单位")
    short_name = factory.Sequence(lambda n: f"承办单位{n}")
    kind = UnitKind.DEPARTMENT


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"重庆渝丰科技第{n}有限公司")
    uscc = factory.Sequence(uscc_for)
    town = factory.SubFactory(TownFactory)
    park = factory.SubFactory(ParkFactory)
    industry = "汽车零部件"
    is_above_scale = True
    contact_name = "周海燕"
    contact_phone = "13800000000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)])
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    role = Role.ADMIN
    password = factory.PostGenerationMethodCall("set_password", "jiangjin-test")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EnterpriseUserFactory(UserFactory):
    role = Role.ENTERPRISE
    enterprise = factory.SubFactory(EnterpriseFactory)


class SpecialistFactory(UserFactory):
    role = Role.SPECIALIST


class HandlerFactory(UserFactory):
    role = Role.HANDLER
    unit = factory.SubFactory(UnitFactory)


class UnitHeadFactory(UserFactory):
    role = Role.UNIT_HEAD
    unit = factory.SubFactory(UnitFactory)


class DispatcherFactory(UserFactory):
    role = Role.DISPATCHER


class LeaderFactory(UserFactory):
    role = Role.LEADER


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialistAssignment

    enterprise = factory.SubFactory(EnterpriseFactory)
    specialist = factory.SubFactory(SpecialistFactory)
    started_on = dt.date(2023, 1, 1)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"category{n}")
    name = factory.Sequence(lambda n: f"分类{n}")
    default_lead_unit = factory.SubFactory(UnitFactory)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    enterprise = factory.SubFactory(EnterpriseFactory)
    specialist = factory.SubFactory(SpecialistFactory)
    visited_at = factory.LazyFunction(timezone.now)
    method = Method.ON_SITE
