"""A problem's whole life, clicked through the pages by each person in their own browser, on a desktop and on
a phone. No API call: only what a person sees and clicks. Every page checks that nothing left the server's
origin (the fixtures), that it passes axe-core, and that it does not scroll sideways."""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import ExtensionRequest, Issue, IssueAttachment
from tests.browser.support import assert_accessible, assert_no_horizontal_scroll, login, screenshot

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Person:
    """One person at their own browser: logs in once, then opens pages and takes moves."""

    def __init__(self, open_page, screen: str, live_server, user, password: str) -> None:
        self.page: Page = open_page(screen)
        self.live_server = live_server
        self.screen = screen
        login(self.page, live_server, user.username, password)

    def open(self, path: str) -> Page:
        self.page.goto(f"{self.live_server.url}{path}")
        return self.page

    def check(self, name: str) -> None:
        assert_no_horizontal_scroll(self.page)
        assert_accessible(self.page)
        screenshot(self.page, f"{name}-{self.screen}")

    def move(self, slug: str, confirm: str, fill=None) -> None:
        """Unfold a move's form on the problem page, fill it in, confirm, and wait for the page it leads to."""
        form = self.page.locator(f"#move-{slug}")
        form.locator("summary").click()
        if fill:
            fill(form)
        with self.page.expect_navigation():
            form.get_by_role("button", name=confirm).click()
        expect(self.page.locator(".notice").first).to_contain_text("已完成")

    def click(self, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name, exact=True).click()


@pytest.fixture
def people(open_page, live_server, world):
    def person(user, screen):
        return Person(open_page, screen, live_server, user, world.password)

    return person


def _yes_no(form, question: str, answer: str) -> None:
    form.locator("fieldset", has_text=question).get_by_label(answer, exact=True).check()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_flow_1_filed_dispatched_co_handled_answered_rated_dissatisfied_reopened_and_closed(
    screen, people, world, tmp_path: Path
):
    enterprise = people(world.enterprise_user, screen)
    dispatcher = people(world.dispatcher, screen)
    co_handler = people(world.co_handler, screen)
    handler = people(world.handler, screen)
    pdf = tmp_path / "岗位需求表（盖章）.pdf"
    pdf.write_bytes(PDF)

    # The enterprise files a problem with a PDF.
    page = enterprise.open("/issues/new/")
    enterprise.check("file-issue")
    page.get_by_label("问题分类").select_option(label="用工 · 招工难")
    page.get_by_label("标题").fill("急需焊工30名，二期扩产在即")
    page.get_by_label("问题描述").fill("订单增长，二期车间缺焊工；本地招聘一个月应聘者不足5人。😟")
    page.get_by_label("附件（可选）").set_input_files(str(pdf))
    with page.expect_navigation():
        page.get_by_role("button", name="提交诉求", exact=True).click()
    issue_id = int(re.search(r"/issues/(\d+)/", page.url).group(1))
    path = f"/issues/{issue_id}/"
    expect(page.locator("h1")).to_have_text("急需焊工30名，二期扩产在即")
    expect(page.get_by_role("link", name="岗位需求表（盖章）.pdf")).to_be_visible()

    # The dispatcher finds it in the queue to accept, accepts and dispatches it to a lead and a co-handler.
    page = dispatcher.open("/")
    dispatcher.check("dispatch-queues")
    with page.expect_navigation():
        page.get_by_role("link", name="急需焊工30名，二期扩产在即").first.click()
    dispatcher.move("accept", "确认受理")
    dispatcher.check("issue-accepted")
    dispatcher.move(
        "dispatch",
        "确认派单",
        lambda form: form.get_by_label(world.econ_info.name, exact=True).check(),
    )

    # The co-handling unit gives its input.
    co_handler.open(path)
    co_handler.move(
        "co-handler-input",
        "确认提交协办意见",
        lambda f: f.get_by_label("协办意见").fill("可结合稳岗补贴一并解决。"),
    )

    # The lead unit signs, records first contact and answers.
    page = handler.open("/")
    handler.check("unit-inbox")
    handler.open(path)
    handler.click("签收")
    handler.move(
        "contact",
        "确认记录首次联系",
        lambda f: f.get_by_label("联系情况").fill("已电话联系李经理，约定现场查看。"),
    )

    def answer(text):
        def fill(form):
            form.get_by_label("已解决", exact=True).check()
            form.get_by_label("答复内容").fill(text)

        return fill

    handler.move("respond", "确认答复", answer("已推送焊工简历42份。"))
    handler.check("issue-answered")

    # The enterprise is dissatisfied; the dispatcher reopens it; the unit answers again.
    enterprise.open(path)

    def dissatisfied(form):
        _yes_no(form, "办理单位是否联系过您", "是")
        _yes_no(form, "问题是否已解决", "否")
        form.get_by_label("不满意", exact=True).check()
        form.get_by_label("评价意见").fill("推荐的人员不符合岗位要求。")

    enterprise.move("evaluate", "确认评价", dissatisfied)
    dispatcher.open(path)
    dispatcher.move(
        "reopen", "确认重办", lambda f: f.get_by_label("重办意见").fill("请对接职教中心定向培养。")
    )
    handler.open(path)
    handler.move("respond", "确认答复", answer("已对接区职教中心，定向培训焊工20名，首批12人已上岗。"))

    # Satisfied: closed, with every step in the timeline.
    page = enterprise.open(path)

    def satisfied(form):
        _yes_no(form, "办理单位是否联系过您", "是")
        _yes_no(form, "问题是否已解决", "是")
        form.get_by_label("满意", exact=True).check()

    enterprise.move("evaluate", "确认评价", satisfied)
    expect(page.locator(".status-line")).to_contain_text("已办结")
    history = page.locator(".history")
    for step in (
        "提交",
        "受理",
        "派单",
        "协办意见",
        "签收",
        "首次联系",
        "答复",
        "不满意评价",
        "重办",
        "评价",
    ):
        expect(history).to_contain_text(step)
    enterprise.check("issue-closed")
    issue = Issue.objects.get(pk=issue_id)
    assert issue.status == Status.CLOSED
    assert issue.reopen_count == 1
    assert IssueAttachment.objects.filter(issue=issue).count() == 1


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_flow_2_sent_back_re_dispatched_extension_requested_and_approved(screen, people, world):
    issue = actions.file_issue(
        actor=world.enterprise_user,
        enterprise=world.enterprise,
        category=world.categories["用地"].children.first(),
        title="新增用地指标，二期厂房无法开工",
        description="二期厂房规划已批，用地指标未落实。",
    )
    actions.accept_issue(issue=issue, actor=world.dispatcher)
    actions.dispatch_issue(issue=issue, actor=world.dispatcher, lead_unit=world.hrss)
    path = f"/issues/{issue.pk}/"
    handler = people(world.handler, screen)
    dispatcher = people(world.dispatcher, screen)
    planner = people(world.planning_handler, screen)

    handler.open(path)
    handler.move(
        "send-back", "确认退回", lambda f: f.get_by_label("退回理由").fill("用地指标不属于本单位职责。")
    )

    page = dispatcher.open("/?queue=sent_back")
    expect(page.get_by_role("link", name="新增用地指标，二期厂房无法开工").first).to_be_visible()
    dispatcher.open(path)
    dispatcher.move(
        "transfer",
        "确认转办",
        lambda f: f.get_by_label("新牵头单位").select_option(label=world.planning.name),
    )

    planner.open(path)
    planner.click("签收")

    def ask(form):
        form.get_by_label("延期工作日数").fill("3")
        form.get_by_label("延期理由").fill("需现场踏勘并报市局审批。")

    planner.move("request-extension", "确认申请延期", ask)
    dispatcher.open(path)
    dispatcher.move("decide-extension", "确认审核延期", lambda f: _yes_no(f, "是否同意延期", "是"))

    page = planner.open(path)
    extension = ExtensionRequest.objects.get(issue=issue)
    new_due = timezone.localtime(extension.new_due_at).strftime("%Y-%m-%d %H:%M")
    expect(page.locator("section", has_text="环节时限")).to_contain_text(new_due)
    planner.check("issue-extended")


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_flow_3_an_enterprise_withdraws_its_problem(screen, people, world):
    issue = actions.file_issue(
        actor=world.enterprise_user,
        enterprise=world.enterprise,
        category=world.categories["用工"],
        title="社保缴费基数咨询",
        description="想了解2026年社保缴费基数调整。",
    )
    enterprise = people(world.enterprise_user, screen)

    page = enterprise.open(f"/issues/{issue.pk}/")
    enterprise.move(
        "withdraw", "确认撤回诉求", lambda f: f.get_by_label("撤回原因").fill("已从12333热线得到答复。")
    )

    expect(page.locator(".status-line")).to_contain_text("已撤回")
    page = enterprise.open("/?tab=closed")
    expect(page.get_by_role("link", name="社保缴费基数咨询").first).to_be_visible()
    enterprise.check("enterprise-closed-tab")
    issue.refresh_from_db()
    assert issue.status == Status.WITHDRAWN
