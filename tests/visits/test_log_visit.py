"""走访: the serving specialist records a visit; each problem found becomes a linked issue, all or nothing."""

import pytest

from services.core import clock
from services.core.errors import InvalidInput, NotPermitted
from services.issues.lifecycle import Status
from services.issues.models import Channel, Issue
from services.visits.actions import FoundProblem, log_visit
from services.visits.models import Method, Visit
from tests.factories import AssignmentFactory, EnterpriseFactory, SpecialistFactory
from tests.issues.state import event_kinds, shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 3, 6, 18)
VISITED_AT = shanghai(2026, 3, 6, 14, 30)


@pytest.fixture
def found(category):
    return [
        FoundProblem(category=category, title="招工难：缺焊工30名", description="订单增长，夜班缺人。"),
        FoundProblem(category=category, title="用电增容报装慢⚡️", description="10kV专线报装逾两月未排期。"),
    ]


def visit(actor, enterprise, **kw):
    kw.setdefault("visited_at", VISITED_AT)
    with clock.travel_to(NOW):
        return log_visit(actor=actor, enterprise=enterprise, **kw)


def test_the_serving_specialist_logs_an_on_site_visit_with_its_snapshot(specialist, enterprise):
    record = visit(
        specialist,
        enterprise,
        people_met="总经理 周海燕",
        orders="一季度订单同比增长40%",
        labour="缺焊工30名",
        policies_explained="稳岗返还、技能提升补贴",
    )

    record.refresh_from_db()
    assert (record.specialist, record.method, record.visited_at, record.people_met) == (
        specialist,
        Method.ON_SITE,
        VISITED_AT,
        "总经理 周海燕",
    )
    assert (record.orders, record.labour, record.policies_explained, record.energy) == (
        "一季度订单同比增长40%",
        "缺焊工30名",
        "稳岗返还、技能提升补贴",
        "",
    )


def test_each_problem_found_on_a_visit_becomes_an_issue_linked_to_it(specialist, enterprise, found):
    record = visit(specialist, enterprise, problems=found)

    issues = Issue.objects.filter(visit=record).order_by("number")
    assert [(i.title, i.channel, i.filed_by, i.status, i.enterprise) for i in issues] == [
        ("招工难：缺焊工30名", Channel.VISIT, specialist, Status.SUBMITTED, enterprise),
        ("用电增容报装慢⚡️", Channel.VISIT, specialist, Status.SUBMITTED, enterprise),
    ]
    assert [event_kinds(i) for i in issues] == [["submit"], ["submit"]]


def test_companions_are_recorded_with_the_visit(specialist, enterprise):
    colleague = SpecialistFactory(display_name="黄国华")

    record = visit(specialist, enterprise, companions=[colleague])

    assert list(record.companions.all()) == [colleague]


def test_a_problem_that_cannot_be_filed_undoes_the_whole_visit(
    specialist, enterprise, found, nothing_changes
):
    broken = [*found, FoundProblem(category=found[0].category, title="", description="没有标题的问题")]

    with nothing_changes(), pytest.raises(InvalidInput, match="请填写标题。"):
        visit(specialist, enterprise, problems=broken)

    assert (Visit.objects.count(), Issue.objects.count()) == (0, 0)


def test_another_specialist_cannot_log_a_visit_to_an_enterprise_he_does_not_serve(
    specialist, enterprise, nothing_changes
):
    elsewhere = EnterpriseFactory(name="重庆白沙酒业有限公司")
    AssignmentFactory(enterprise=elsewhere, specialist=SpecialistFactory())

    with nothing_changes(), pytest.raises(NotPermitted, match="只有该企业的包联服务专员可以录入走访记录。"):
        visit(specialist, elsewhere)


def test_a_dispatcher_cannot_log_a_visit(dispatcher, enterprise, specialist, nothing_changes):
    with nothing_changes(), pytest.raises(NotPermitted, match="只有该企业的包联服务专员可以录入走访记录。"):
        visit(dispatcher, enterprise)


def test_a_visit_in_the_future_is_refused(specialist, enterprise, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="走访时间不能晚于现在。"):
        visit(specialist, enterprise, visited_at=shanghai(2026, 3, 7, 9))


def test_an_unknown_visit_method_is_refused(specialist, enterprise, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="走访方式无效。"):
        visit(specialist, enterprise, method="letter")


def test_a_snapshot_with_a_control_character_is_refused(specialist, enterprise, nothing_changes):
    with nothing_changes(), pytest.raises(InvalidInput, match="订单情况含有不可见的控制字符，请删除后重试。"):
        visit(specialist, enterprise, orders="订单\x1b增长")
