"""/api/v1/enterprises/: each caller sees the enterprises its role allows; administrators register new ones."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.enterprises.models import Enterprise, Ladder
from tests.api.roles import ROLES, SIGNED_IN
from tests.factories import (
    AssignmentFactory,
    EnterpriseFactory,
    ParkFactory,
    SpecialistFactory,
    TownFactory,
    uscc_for,
)

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.api.people"]

LIST = "/api/v1/enterprises/"
SEES_ALL = {"handler", "unit_head", "dispatcher", "leader", "administrator"}


def detail(enterprise) -> str:
    return f"{LIST}{enterprise.pk}/"


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


VALID_USCC = uscc_for(987654321)


def registration(**overrides) -> dict:
    town = TownFactory(code="luohuang", name="珞璜镇", kind="town")
    return {
        "name": "重庆珞璜临港新材料有限公司",
        "uscc": VALID_USCC,
        "town": town.pk,
        "is_above_scale": True,
        "industry": "新材料",
        "contact_name": "何海燕",
        "contact_phone": "023-47521234",
        **overrides,
    }


# ---------------------------------------------------------------- the permission matrix


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_each_role_exactly_the_enterprises_it_may_see(
    role, caller, enterprise, other_enterprise
):
    response = caller(role).get(LIST)

    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    expected = {enterprise.name, other_enterprise.name} if role in SEES_ALL else {enterprise.name}
    assert names(response) == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_role_may_open_its_own_enterprise(role, caller, enterprise):
    response = caller(role).get(detail(enterprise))

    assert response.status_code == (401 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", ROLES)
def test_another_enterprise_is_not_found_for_its_outsiders_and_visible_to_unit_and_district_staff(
    role, caller, other_enterprise
):
    response = caller(role).get(detail(other_enterprise))

    expected = {"anonymous": 401, "enterprise_user": 404, "specialist": 404}.get(role, 200)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ["enterprise_user", "specialist"])
def test_an_enterprise_out_of_sight_looks_exactly_like_one_that_does_not_exist(
    role, caller, other_enterprise
):
    hidden = caller(role).get(detail(other_enterprise))
    missing = caller(role).get(f"{LIST}999999999/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"code": "not_found", "message": "未找到。", "fields": {}}


@pytest.mark.parametrize("role", ROLES)
def test_only_an_administrator_may_register_an_enterprise_and_a_refusal_changes_nothing(role, caller):
    body = registration()
    enterprises, history = Enterprise.objects.count(), LogEntry.objects.count()

    response = caller(role).post(LIST, body, format="json")

    if role == "administrator":
        assert response.status_code == 201
        assert Enterprise.objects.count() == enterprises + 1
        return
    assert response.status_code == (401 if role == "anonymous" else 403)
    if role != "anonymous":
        assert response.json() == {
            "code": "not_permitted",
            "message": "只有系统管理员可以登记企业。",
            "fields": {},
        }
    assert Enterprise.objects.count() == enterprises
    assert LogEntry.objects.count() == history


def test_the_refusal_is_english_for_an_english_client(caller):
    response = caller("specialist").post(LIST, registration(), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json()["message"] == "Only a system administrator can register enterprises."


def test_a_refused_registration_is_refused_before_the_body_is_read(caller):
    response = caller("dispatcher").post(LIST, {"uscc": "不是代码"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("role", SIGNED_IN)
def test_no_role_may_change_or_delete_an_enterprise_through_the_api(method, role, caller, enterprise):
    response = getattr(caller(role), method)(detail(enterprise), {"name": "改名😈"}, format="json")

    assert response.status_code == 405
    enterprise.refresh_from_db()
    assert enterprise.name == "重庆江记酒庄有限公司"


# ---------------------------------------------------------------- what a reader sees


def test_the_detail_names_the_serving_specialist_and_the_contacts(caller, enterprise, specialist):
    specialist.phone = "13983000001"
    specialist.save(update_fields=["phone"])

    body = caller("enterprise_user").get(detail(enterprise)).json()

    assert body["name"] == "重庆江记酒庄有限公司"
    assert body["uscc"] == enterprise.uscc
    assert body["town"] == {"id": enterprise.town_id, "code": "shuangfu", "name": "双福街道"}
    assert body["park"]["name"] == "科学城江津片区"
    assert body["current_specialist"] == {
        "id": specialist.pk,
        "name": "张建国",
        "phone": "13983000001",
        "since": "2023-01-01",
    }
    assert body["contact_name"] == "周海燕"


def test_an_enterprise_without_a_specialist_says_so(caller):
    lonely = EnterpriseFactory(name="重庆白沙酿酒有限公司")

    body = caller("dispatcher").get(detail(lonely)).json()

    assert body["current_specialist"] is None


def test_a_specialist_who_was_replaced_no_longer_sees_the_enterprise(
    caller, client_for, enterprise, administrator
):
    import datetime as dt

    from services.enterprises.actions import assign_specialist

    before = SpecialistFactory(display_name="郑前任")
    assign_specialist(
        enterprise=enterprise, specialist=before, actor=administrator, started_on=dt.date(2024, 1, 1)
    )

    assert client_for(before).get(detail(enterprise)).status_code == 200
    assert caller("specialist").get(detail(enterprise)).status_code == 404


# ---------------------------------------------------------------- search and filters


@pytest.fixture
def district(enterprise):
    luohuang = TownFactory(code="luohuang", name="珞璜镇", kind="town")
    port = ParkFactory(code="luohuang_port", name="珞璜临港产业城", town=luohuang)
    return {
        "glass": EnterpriseFactory(
            name="重庆珞璜玻璃有限公司", town=luohuang, park=port, ladder=Ladder.LITTLE_GIANT
        ),
        "noodles": EnterpriseFactory(name="江津米花糖食品厂", town=luohuang, park=None, is_above_scale=False),
        "jiangji": enterprise,
    }


def test_search_finds_a_chinese_name_by_any_part_of_it(caller, district):
    assert names(caller("dispatcher").get(LIST, {"search": "米花糖"})) == {"江津米花糖食品厂"}


def test_search_finds_a_uscc_typed_in_lowercase_with_dashes(caller, district):
    code = district["glass"].uscc.lower()
    typed = f"{code[:4]}-{code[4:10]} {code[10:]}"

    assert names(caller("dispatcher").get(LIST, {"search": typed})) == {"重庆珞璜玻璃有限公司"}


def test_search_by_the_first_characters_of_a_uscc(caller, district):
    found = names(caller("dispatcher").get(LIST, {"search": district["glass"].uscc[:16]}))

    assert "重庆珞璜玻璃有限公司" in found


def test_search_stays_inside_the_callers_scope(caller, district):
    assert names(caller("specialist").get(LIST, {"search": "重庆"})) == {"重庆江记酒庄有限公司"}


def test_filters_by_town_park_above_scale_and_ladder(caller, district):
    client = caller("leader")
    glass = district["glass"]

    assert names(client.get(LIST, {"town": glass.town_id})) == {"重庆珞璜玻璃有限公司", "江津米花糖食品厂"}
    assert names(client.get(LIST, {"park": glass.park_id})) == {"重庆珞璜玻璃有限公司"}
    assert names(client.get(LIST, {"above_scale": "false"})) == {"江津米花糖食品厂"}
    assert names(client.get(LIST, {"ladder": "little_giant"})) == {"重庆珞璜玻璃有限公司"}


def test_the_list_is_in_name_order_and_pages_by_cursor(caller, district):
    client = caller("leader")
    first = client.get(LIST, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    listed = [row["name"] for row in first["results"] + second["results"]]
    assert listed == sorted(e.name for e in Enterprise.objects.all())
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"town": "双福"}, "town"),
        ({"park": "-1"}, "park"),
        ({"town": "99999999999999999999999"}, "town"),
        ({"above_scale": "也许"}, "above_scale"),
        ({"ladder": "独角兽🦄"}, "ladder"),
        ({"search": "x" * 101}, "search"),
        ({"search": "江津\x00"}, "search"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field_in_chinese(query, field, caller, district):
    response = caller("dispatcher").get(LIST, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]
    assert body["message"] == body["fields"][field][0]


def test_a_bad_filter_is_explained_in_english_to_an_english_client(caller, district):
    response = caller("dispatcher").get(LIST, {"ladder": "unicorn"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["fields"]["ladder"] == [
        "Select a valid choice. unicorn is not one of the available choices."
    ]


@pytest.mark.parametrize("cursor", ["garbage", "%00", "😀"])
def test_a_forged_cursor_is_a_400_not_a_crash(cursor, caller, district):
    response = caller("dispatcher").get(LIST, {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["fields"] == {"cursor": ["分页游标无效。"]}


def test_an_id_beyond_the_id_column_is_simply_not_found(caller):
    assert caller("dispatcher").get(f"{LIST}{2**70}/").status_code == 404


# ---------------------------------------------------------------- registration


def test_an_administrator_registers_an_enterprise_with_its_uscc_normalised(caller, administrator):
    typed = f"{VALID_USCC[:6].lower()} {VALID_USCC[6:12]}-{VALID_USCC[12:]}"

    response = caller("administrator").post(LIST, registration(uscc=typed), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["uscc"] == VALID_USCC
    assert body["name"] == "重庆珞璜临港新材料有限公司"
    assert body["town"]["name"] == "珞璜镇"
    assert body["current_specialist"] is None
    created = Enterprise.objects.get(uscc=VALID_USCC)
    entry = LogEntry.objects.get(object_id=str(created.pk))
    assert (entry.user_id, entry.action_flag) == (administrator.pk, ADDITION)


def test_a_uscc_with_a_wrong_check_character_is_refused_saying_which(caller):
    wrong = VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1")

    response = caller("administrator").post(LIST, registration(uscc=wrong), format="json")

    assert response.status_code == 400
    message = response.json()["fields"]["uscc"][0]
    assert message.startswith("统一社会信用代码校验位错误：第18位应为“")
    assert not Enterprise.objects.filter(uscc=wrong).exists()


def test_a_filter_that_is_not_true_or_false_says_so(caller, district):
    response = caller("dispatcher").get(LIST, {"above_scale": "也许"})

    assert response.json()["fields"] == {"above_scale": ["“也许”不是有效的是非值，请填写 true 或 false。"]}


def test_a_uscc_already_registered_is_refused(caller, enterprise):
    response = caller("administrator").post(LIST, registration(uscc=enterprise.uscc.lower()), format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"uscc": ["该统一社会信用代码已登记。"]}
    assert Enterprise.objects.filter(uscc=enterprise.uscc).count() == 1


def test_registration_errors_are_english_for_an_english_client(caller):
    response = caller("administrator").post(
        LIST, registration(uscc="9150011"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    message = response.json()["fields"]["uscc"][0]
    assert "18" in message and "7" in message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "企业\u0007名称"}, "name"),
        ({"town": 2**40}, "town"),
        ({"town": "双福"}, "town"),
        ({"ladder": "独角兽"}, "ladder"),
        ({"contact_email": "不是邮箱"}, "contact_email"),
        ({"uscc": ""}, "uscc"),
        ({"uscc": "ISOVZ" * 4}, "uscc"),
    ],
)
def test_bad_registrations_are_400s_that_name_the_field_and_write_nothing(change, field, caller):
    before = Enterprise.objects.count()

    response = caller("administrator").post(LIST, registration(**change), format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Enterprise.objects.count() == before


@pytest.mark.parametrize("body", [[], "江津", 42, None])
def test_a_body_that_is_not_an_object_is_a_400(body, caller):
    response = caller("administrator").post(LIST, body, format="json")

    assert response.status_code == 400


# ---------------------------------------------------------------- query counts


def _many_enterprises(count: int) -> None:
    for _ in range(count):
        AssignmentFactory(enterprise=EnterpriseFactory(), specialist=SpecialistFactory())


def test_the_list_costs_the_same_queries_for_three_rows_or_thirty(
    caller, enterprise, django_assert_max_num_queries
):
    _many_enterprises(2)
    with CaptureQueriesContext(connection) as few:
        caller("leader").get(LIST)
    _many_enterprises(28)

    with django_assert_max_num_queries(2):
        response = caller("leader").get(LIST, {"page_size": 100})

    assert len(response.json()["results"]) == 31
    assert len(few) == 2


def test_the_detail_costs_a_fixed_number_of_queries(
    caller, enterprise, specialist, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = caller("enterprise_user").get(detail(enterprise))

    assert response.status_code == 200
