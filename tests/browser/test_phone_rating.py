"""回访: for an enterprise that rates by phone, its specialist records the rating from the problem page, on a phone."""

from playwright.sync_api import expect

from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import Issue, Outcome
from tests.browser.support import assert_accessible, assert_no_horizontal_scroll, login, screenshot


def test_the_specialist_records_a_rating_taken_by_phone_from_the_problem_page(phone, live_server, world):
    world.enterprise.rates_by_phone = True
    world.enterprise.save(update_fields=["rates_by_phone"])
    issue = actions.file_issue(
        actor=world.enterprise_user,
        enterprise=world.enterprise,
        category=world.categories["用工"].children.first(),
        title="急需叉车司机5名",
        description="仓储扩建，急需持证叉车司机。",
    )
    actions.accept_issue(issue=issue, actor=world.dispatcher)
    actions.dispatch_issue(issue=issue, actor=world.dispatcher, lead_unit=world.hrss)
    actions.acknowledge_issue(issue=issue, actor=world.handler)
    actions.respond_to_issue(
        issue=issue, actor=world.handler, outcome=Outcome.SOLVED, reply="已推荐持证叉车司机8名，企业录用5名。"
    )
    login(phone, live_server, world.specialist.username, world.password)

    phone.goto(f"{live_server.url}/issues/{issue.pk}/")
    form = phone.locator("#move-evaluate")
    form.locator("summary").click()
    form.locator("fieldset", has_text="办理单位是否联系过您").get_by_label("是", exact=True).check()
    form.locator("fieldset", has_text="问题是否已解决").get_by_label("是", exact=True).check()
    form.get_by_label("基本满意", exact=True).check()
    form.get_by_label("评价意见").fill("电话回访：企业表示基本满意，希望后续提供培训。")
    assert_accessible(phone)
    with phone.expect_navigation():
        form.get_by_role("button", name="确认评价").click()

    expect(phone.locator(".status-line")).to_contain_text("已办结")
    assert_no_horizontal_scroll(phone)
    screenshot(phone, "phone-rating-recorded")
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.status == Status.CLOSED
    assert (issue.satisfaction, issue.rated_by_id) == ("basic", world.specialist.pk)
