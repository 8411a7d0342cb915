"""A deterministic demo district that reproduces the 2023 report and gives every role real work today.

2023: 223 specialists serve 559 above-scale industrial enterprises, every one visited on site; more than
250 problems run through the whole lifecycle and are all closed. Today: open problems in every stage,
some due soon and some overdue. Everything is made through the same actions that users call, at the
dates they would have happened, so the history, the clocks and every figure come out of the data.
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from services.accounts.models import Role, User
from services.core import clock
from services.demo.problems import ProblemTexts
from services.departments.models import Unit, UnitKind
from services.enterprises.models import Enterprise, Ladder, MuJunGrade, Park, SpecialistAssignment, Town
from services.enterprises.uscc import CODE_SET, check_character
from services.issues import actions
from services.issues.lifecycle import Status
from services.issues.models import Category, Complexity, EventOutbox, Issue, Outcome, Satisfaction, Urgency
from services.visits.actions import FoundProblem, log_visit
from services.visits.models import Method, Visit
from services.workcalendar.calendar import add_working_days, is_working_day

PASSWORD = "jiangjin-demo"
ZONE = ZoneInfo("Asia/Shanghai")
SPECIALISTS = 223
ENTERPRISES = 559
ISSUES_2023 = 262
LOGINS = {
    "enterprise": Role.ENTERPRISE,
    "specialist": Role.SPECIALIST,
    "unit": Role.HANDLER,
    "dispatcher": Role.DISPATCHER,
    "leader": Role.LEADER,
    "admin": Role.ADMIN,
}

BRAND_CHARACTERS = "津渝江鼎德双圣珞沙福兴华盛宏泰恒瑞达通丰源鑫隆昌顺和嘉利祥博远航晟"
INDUSTRIES = [
    ("机械制造", "通用设备制造业"),
    ("汽车零部件", "汽车制造业"),
    ("摩托车配件", "汽车制造业"),
    ("新材料科技", "化学原料和化学制品制造业"),
    ("铝业", "有色金属冶炼和压延加工业"),
    ("精密铜材", "有色金属冶炼和压延加工业"),
    ("食品", "农副食品加工业"),
    ("酒业", "酒、饮料和精制茶制造业"),
    ("饮料", "酒、饮料和精制茶制造业"),
    ("纸业", "造纸和纸制品业"),
    ("光伏科技", "电气机械和器材制造业"),
    ("电子科技", "计算机、通信和其他电子设备制造业"),
    ("齿轮传动", "通用设备制造业"),
    ("农机装备", "专用设备制造业"),
    ("船舶配件", "铁路、船舶、航空航天和其他运输设备制造业"),
    ("建材", "非金属矿物制品业"),
    ("模具", "专用设备制造业"),
    ("智能装备", "专用设备制造业"),
    ("新能源科技", "电气机械和器材制造业"),
    ("航空零部件", "铁路、船舶、航空航天和其他运输设备制造业"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN_NAMES = [
    "建国", "晓梅", "志强", "秀英", "海燕", "伟", "静", "磊", "丽娟", "国华", "小红", "德明", "春燕",
    "文杰", "玉兰", "俊", "雪", "立新", "红梅", "家豪", "思远", "婷婷", "光荣", "永福", "佳怡",
]  # fmt: skip

REPLIES = {
    Outcome.SOLVED: "已会同相关单位现场协调，问题已解决，后续如有需要请随时联系。",
    Outcome.PARTLY: "已协调解决主要部分，剩余事项已纳入下阶段计划并明确时间节点。",
    Outcome.EXPLAINED: "经核实，该事项受现行政策限制暂不能办理，已向企业当面解释政策依据和替代方案。",
    Outcome.REFERRED_UP: "该事项需市级部门审批，已提级报送并跟踪进度。",
}


@dataclass
class Summary:
    specialists: int
    enterprises: int
    visits: int
    issues_2023: int
    closed_2023: int
    open_now: dict[str, int]


def ensure_demo_mode() -> None:
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured(
            "The demo district and its well-known logins are made only in demo mode (JIANGJIN_DEMO=1)."
        )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE)


def working_days_in(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def working_day_before(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


class DistrictBuilder:
    def __init__(self, *, seed: int = 2023, today: dt.date | None = None, log=print) -> None:
        self.rng = random.Random(seed)
        self.problem_texts = ProblemTexts()
        self.today = today or timezone.localdate()
        self.log = log

    # ------------------------------------------------------------ people and places

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)

    def build(self) -> Summary:
        ensure_demo_mode()
        if User.objects.filter(username="admin").exists() and Enterprise.objects.count() >= ENTERPRISES:
            self.log("演示数据已存在，跳过生成。")
            return self.summary()
        with transaction.atomic():
            self.make_people_and_enterprises()
        self.log(f"企业 {ENTERPRISES} 家、服务专员 {SPECIALISTS} 名已生成。")
        self.make_visits()
        self.log("走访记录已生成。")
        self.make_issues_2023()
        self.log("2023 年诉求已全部办结。")
        self.make_open_issues()
        self.log("当前在办诉求已生成。")
        return self.summary()

    def make_people_and_enterprises(self) -> None:
        unusable = make_password(None)
        towns = list(Town.objects.all())
        parks = list(Park.objects.select_related("town"))
        if not towns or not parks:
            raise ImproperlyConfigured("Load the reference data first: manage.py load_reference")
        used_names: set[str] = set()
        used_codes: set[str] = set()
        enterprises = []
        for index in range(ENTERPRISES):
            while True:
                brand = "".join(self.rng.sample(BRAND_CHARACTERS, 2))
                industry, industry_class = INDUSTRIES[self.rng.randrange(len(INDUSTRIES))]
                name = f"重庆{brand}{industry}有限公司"
                if name not in used_names:
                    used_names.add(name)
                    break
            while True:
                division = "500116" if self.rng.random() < 0.8 else "500381"
                body = "91" + division + "".join(self.rng.choice(CODE_SET[:10]) for _ in range(8))
                body += self.rng.choice(CODE_SET)
                code = body + check_character(body)
                if code not in used_codes:
                    used_codes.add(code)
                    break
            park = self.rng.choice(parks) if self.rng.random() < 0.7 else None
            town = park.town if park else self.rng.choice(towns)
            enterprises.append(
                Enterprise(
                    name=name,
                    uscc=code,
                    town=town,
                    park=park,
                    industry=industry_class,
                    is_above_scale=True,
                    address=f"重庆市江津区{town.name}工业大道{index + 1}号",
                    legal_representative=self.person_name(),
                    contact_name=self.person_name(),
                    contact_phone=f"139{index:08d}",
                    ladder=self.rng.choice([Ladder.NONE] * 6 + [Ladder.INNOVATIVE, Ladder.MUNICIPAL_SRDI]),
                    mujun_grade=self.rng.choice([MuJunGrade.A, MuJunGrade.B, MuJunGrade.B, MuJunGrade.C]),
                    rates_by_phone=self.rng.random() < 0.2 and index > 0,
                )
            )
        Enterprise.objects.bulk_create(enterprises)
        enterprises = list(Enterprise.objects.order_by("pk"))

        users = []
        for index, enterprise in enumerate(enterprises):
            users.append(
                User(
                    username="enterprise" if index == 0 else f"qy{index:04d}",
                    display_name=enterprise.contact_name,
                    role=Role.ENTERPRISE,
                    enterprise=enterprise,
                    phone=enterprise.contact_phone,
                    password=unusable,
                )
            )
        for index in range(SPECIALISTS):
            users.append(
                User(
                    username="specialist" if index == 0 else f"zy{index:03d}",
                    display_name=self.person_name(),
                    role=Role.SPECIALIST,
                    phone=f"136{index:08d}",
                    password=unusable,
                )
            )
        for unit in Unit.objects.order_by("pk"):
            users.append(
                User(
                    username="unit" if unit.code == "hrss" else f"jb_{unit.code}",
                    display_name=self.person_name(),
                    role=Role.HANDLER,
                    unit=unit,
                    password=unusable,
                )
            )
            users.append(
                User(
                    username=f"fz_{unit.code}",
                    display_name=self.person_name(),
                    role=Role.UNIT_HEAD,
                    unit=unit,
                    password=unusable,
                )
            )
        for name, role, display in [
            ("dispatcher", Role.DISPATCHER, "政企互动中心 王敏"),
            ("dispatcher2", Role.DISPATCHER, "政企互动中心 李娜"),
            ("leader", Role.LEADER, "区领导 陈国强"),
            ("admin", Role.ADMIN, "系统管理员"),
        ]:
            users.append(User(username=name, display_name=display, role=role, password=unusable))
        User.objects.bulk_create(users)
        demo = make_password(PASSWORD)
        User.objects.filter(username__in=list(LOGINS)).update(password=demo)
        User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)

        # 559 enterprises among 223 specialists: two or three each, as in the report (≈ 1 : 2.5).
        specialists = list(User.objects.filter(role=Role.SPECIALIST).order_by("pk"))
        SpecialistAssignment.objects.bulk_create(
            SpecialistAssignment(
                enterprise=enterprise,
                specialist=specialists[index % SPECIALISTS],
                started_on=dt.date(2023, 1, 3),
                note="2023年服务企业专员制度",
            )
            for index, enterprise in enumerate(enterprises)
        )

    # ------------------------------------------------------------ visits

    def make_visits(self) -> None:
        """Every enterprise on site once a quarter in 2023; this year the current quarter is under way."""
        enterprises = list(Enterprise.objects.order_by("pk"))
        serving = dict(
            SpecialistAssignment.objects.filter(ended_on__isnull=True).values_list(
                "enterprise_id", "specialist_id"
            )
        )
        specialists = {user.pk: user for user in User.objects.filter(role=Role.SPECIALIST)}
        quarters = [(2023, q) for q in (1, 2, 3, 4)]
        this_quarter = (self.today.month - 1) // 3 + 1
        quarters += [(self.today.year, q) for q in range(1, this_quarter + 1)]
        for year, quarter in quarters:
            first = dt.date(year, 3 * quarter - 2, 1)
            last = min(
                dt.date(year, 12, 31)
                if quarter == 4
                else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1),
                self.today - dt.timedelta(days=1),
            )
            days = working_days_in(first, last)
            if not days:
                continue
            current = (year, quarter) == (self.today.year, this_quarter)
            with transaction.atomic():
                for enterprise in enterprises:
                    if current and self.rng.random() > 0.7:
                        continue  # not everyone has been visited yet this quarter
                    when = at(self.rng.choice(days), self.rng.randint(9, 16), self.rng.choice((0, 30)))
                    specialist = specialists[serving[enterprise.pk]]
                    with clock.travel_to(when + dt.timedelta(hours=2)):
                        self._log_visit(specialist, enterprise, when)

    def _log_visit(self, specialist: User, enterprise: Enterprise, when: dt.datetime, problems=()):
        return log_visit(
            actor=specialist,
            enterprise=enterprise,
            visited_at=when,
            method=Method.ON_SITE,
            people_met=f"{enterprise.contact_name}（总经理）",
            orders=self.rng.choice(
                ["订单饱满，排产至下季度", "订单同比增长约10%", "订单基本稳定", "新订单不足，开工率约七成"]
            ),
            labour=self.rng.choice(["用工稳定", "缺一线技工约20人", "季节性缺工"]),
            energy=self.rng.choice(["用能正常", "高峰期用电紧张", "天然气价格上涨"]),
            funds=self.rng.choice(["资金运转正常", "应收账款回款偏慢", "技改资金有缺口"]),
            production_sales=self.rng.choice(["产销两旺", "产销基本平衡", "库存略有增加"]),
            policies_explained="宣讲了制造业高质量发展、稳岗返还、技改补助等政策。",
            problems=problems,
        )

    # ------------------------------------------------------------ issues

    def lead_unit_for(self, issue: Issue) -> Unit:
        unit = issue.category.lead_unit()
        if unit is None or unit.kind == UnitKind.PARK:
            park = issue.enterprise.park
            if park is not None:
                unit = Unit.objects.filter(kind=UnitKind.PARK, code=f"park_{park.code}").first() or unit
        if unit is None:
            unit = Unit.objects.get(code=f"town_{issue.enterprise.town.code}")
        return unit

    def pick_category(self) -> Category:
        return self.rng.choice(self.leaf_categories)

    def problem_text(self, category: Category) -> tuple[str, str]:
        return self.problem_texts.next_for(category.code)

    def file(
        self,
        enterprise: Enterprise,
        when: dt.datetime,
        *,
        category=None,
        channel="online",
        urgency=Urgency.NORMAL,
        text: tuple[str, str] | None = None,
    ):
        category = category or self.pick_category()
        title, description = text or self.problem_text(category)
        serving = SpecialistAssignment.objects.get(enterprise=enterprise, ended_on__isnull=True).specialist
        with clock.travel_to(when):
            if channel == "visit":
                visit = log_visit(
                    actor=serving,
                    enterprise=enterprise,
                    visited_at=when - dt.timedelta(hours=1),
                    method=Method.ON_SITE,
                    people_met=enterprise.contact_name,
                    problems=[
                        FoundProblem(category=category, title=title, description=description, urgency=urgency)
                    ],
                )
                return visit.issues.get()
            filer = enterprise.users.first() if channel == "online" else serving
            return actions.file_issue(
                actor=filer,
                enterprise=enterprise,
                category=category,
                title=title,
                description=description,
                urgency=urgency,
                complexity=Complexity.COMPLEX if self.rng.random() < 0.15 else Complexity.NORMAL,
            )

    def rater_for(self, issue: Issue) -> User:
        if issue.enterprise.rates_by_phone:
            return SpecialistAssignment.objects.get(
                enterprise=issue.enterprise, ended_on__isnull=True
            ).specialist
        return issue.enterprise.users.first()

    def staff(self, unit: Unit) -> User:
        return unit.staff.filter(role=Role.HANDLER).first()

    def later(self, day: dt.date, working_days: int, hour: int | None = None) -> dt.datetime:
        target = add_working_days(day, working_days)
        return at(
            target, hour if hour is not None else self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45))
        )

    def run_to_closure(self, issue: Issue, filed_at: dt.datetime, dispatcher: User) -> Issue:
        """Drive one issue through its whole life, at plausible times, through the real actions."""
        rng = self.rng
        t = filed_at + dt.timedelta(minutes=rng.randint(30, 180))
        with clock.travel_to(t):
            issue = actions.accept_issue(issue=issue, actor=dispatcher, note="符合受理条件")
        t += dt.timedelta(minutes=rng.randint(10, 60))
        lead = self.lead_unit_for(issue)
        co = []
        if rng.random() < 0.2:
            co = [u for u in rng.sample(self.departments, 2) if u.pk != lead.pk][:1]
        if rng.random() < 0.06:
            co = []
            wrong = rng.choice([u for u in self.departments if u.pk != lead.pk])
            with clock.travel_to(t):
                issue = actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=wrong)
            t += dt.timedelta(hours=1)
            with clock.travel_to(t):
                issue = actions.send_back_issue(
                    issue=issue, actor=self.staff(wrong), reason="不属于本单位职责范围，建议转交主管部门。"
                )
            t += dt.timedelta(minutes=40)
            with clock.travel_to(t):
                issue = actions.transfer_issue(
                    issue=issue, actor=dispatcher, lead_unit=lead, note="改派主管部门"
                )
        else:
            with clock.travel_to(t):
                issue = actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=lead, co_units=co)
        handler = self.staff(lead)
        day = timezone.localtime(t).date()
        sign_at = self.later(day, 3 if rng.random() < 0.04 else rng.choice((0, 1)) or 1, hour=9)
        sign_at = max(sign_at, t + dt.timedelta(minutes=20))
        with clock.travel_to(sign_at):
            issue = actions.acknowledge_issue(issue=issue, actor=handler)
        for unit in co:
            with clock.travel_to(sign_at + dt.timedelta(hours=3)):
                actions.submit_co_input(
                    issue=issue, actor=self.staff(unit), text="同意牵头单位意见，我单位配合落实。"
                )
        contact_at = sign_at + dt.timedelta(hours=rng.randint(1, 5))
        with clock.travel_to(contact_at):
            issue = actions.record_first_contact(
                issue=issue, actor=handler, note="已电话联系企业负责人，约定现场会商。"
            )
        answer_day = timezone.localtime(contact_at).date()
        late = rng.random() < 0.06
        span = rng.randint(1, 4) + (rng.randint(5, 8) if late else 0)
        if rng.random() < 0.05:
            with clock.travel_to(contact_at + dt.timedelta(minutes=30)):
                actions.request_extension(
                    issue=issue, actor=handler, working_days=5, reason="需市级部门会商，申请延期。"
                )
            with clock.travel_to(contact_at + dt.timedelta(hours=2)):
                actions.decide_extension(
                    issue=issue, actor=dispatcher, approve=True, note="同意延期5个工作日"
                )
            span += 3
        respond_at = self.later(answer_day, span)
        outcome = rng.choices(list(REPLIES), weights=(70, 15, 12, 3))[0]
        with clock.travel_to(respond_at):
            issue = actions.respond_to_issue(
                issue=issue, actor=handler, outcome=outcome, reply=REPLIES[outcome]
            )
        roll = rng.random()
        if roll < 0.03:
            rating_clock = issue.clocks.get(stage="rating", met_at__isnull=True, stopped_at__isnull=True)
            with clock.travel_to(rating_clock.due_at + dt.timedelta(hours=1)):
                return actions.close_unrated_issue(issue=issue)
        rate_at = self.later(timezone.localtime(respond_at).date(), rng.choice((0, 1, 2)) or 1)
        rater = self.rater_for(issue)
        if roll < 0.08:
            with clock.travel_to(rate_at):
                issue = actions.evaluate_issue(
                    issue=issue,
                    actor=rater,
                    satisfaction=Satisfaction.DISSATISFIED,
                    was_contacted=True,
                    was_solved=False,
                    comment="问题没有实质解决，希望再协调。",
                )
            review_at = rate_at + dt.timedelta(hours=3)
            with clock.travel_to(review_at):
                issue = actions.reopen_issue(
                    issue=issue, actor=dispatcher, note="经研判，需牵头单位重新办理。"
                )
            respond_at = self.later(timezone.localtime(review_at).date(), rng.randint(1, 3))
            with clock.travel_to(respond_at):
                issue = actions.respond_to_issue(
                    issue=issue, actor=handler, outcome=Outcome.SOLVED, reply="重新协调后，问题已解决。"
                )
            rate_at = self.later(timezone.localtime(respond_at).date(), 1)
        satisfaction = rng.choices([Satisfaction.SATISFIED, Satisfaction.BASIC], weights=(88, 12))[0]
        with clock.travel_to(rate_at):
            return actions.evaluate_issue(
                issue=issue,
                actor=rater,
                satisfaction=satisfaction,
                was_contacted=True,
                was_solved=outcome != Outcome.EXPLAINED,
                comment="感谢部门的高效服务！" if satisfaction == Satisfaction.SATISFIED else "",
            )

    def prepare_issue_context(self) -> tuple[User, list[Enterprise]]:
        self.leaf_categories = list(Category.objects.filter(parent__isnull=False).select_related("parent"))
        self.departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT))
        return User.objects.get(username="dispatcher"), list(
            Enterprise.objects.select_related("park", "town")
        )

    def make_issues_2023(self) -> None:
        dispatcher, enterprises = self.prepare_issue_context()
        days = working_days_in(dt.date(2023, 1, 4), dt.date(2023, 12, 15))
        for index in range(ISSUES_2023):
            enterprise = self.rng.choice(enterprises)
            filed_at = at(
                days[index * len(days) // ISSUES_2023], self.rng.randint(9, 15), self.rng.choice((0, 20, 40))
            )
            channel = self.rng.choices(["online", "visit", "on_behalf"], weights=(50, 35, 15))[0]
            with transaction.atomic():
                issue = self.file(enterprise, filed_at, channel=channel)
                self.run_to_closure(issue, filed_at, dispatcher)
                # History, not news: nobody is notified today of what happened in 2023.
                EventOutbox.objects.filter(event__issue=issue).update(notified_at=filed_at)

    # ------------------------------------------------------------ today's work

    def make_open_issues(self) -> None:
        dispatcher, enterprises = self.prepare_issue_context()
        rng = self.rng
        today = self.today
        home = Enterprise.objects.get(users__username="enterprise")
        hrss = Unit.objects.get(code="hrss")
        labour = [c for c in self.leaf_categories if c.top.code == "labour"]
        handler = self.staff(hrss)

        def filed(days_ago: int, *, enterprise=None, category=None, urgency=Urgency.NORMAL, hour=10):
            day = working_day_before(today, days_ago) if days_ago else today
            when = at(day, hour, rng.choice((0, 15, 30)))
            when = min(when, timezone.now() - dt.timedelta(minutes=5))
            return self.file(
                enterprise or rng.choice(enterprises), when, category=category, urgency=urgency
            ), when

        def then(moment: dt.datetime, minutes: int) -> dt.datetime:
            return min(moment + dt.timedelta(minutes=minutes), timezone.now() - dt.timedelta(minutes=1))

        # Closed earlier this year, so this year's figures are not empty.
        for days_ago in range(60, 20, -2):
            issue, when = filed(days_ago)
            with transaction.atomic():
                self.run_to_closure(issue, when, dispatcher)
                EventOutbox.objects.filter(event__issue=issue).update(notified_at=when)
        # 待受理: one filed today, one overdue for acceptance.
        for days_ago in (0, 0, 2):
            filed(days_ago, hour=9)
        # 待派单
        for days_ago in (0, 1):
            issue, when = filed(days_ago, hour=9)
            with clock.travel_to(then(when, 40)):
                actions.accept_issue(issue=issue, actor=dispatcher)
        # 待签收 at the demo unit: due today, and overdue.
        for days_ago, urgency in (
            (0, Urgency.NORMAL),
            (1, Urgency.NORMAL),
            (3, Urgency.NORMAL),
            (0, Urgency.URGENT),
        ):
            issue, when = filed(
                days_ago,
                enterprise=home if days_ago == 1 else None,
                category=rng.choice(labour),
                urgency=urgency,
                hour=9,
            )
            with clock.travel_to(then(when, 30)):
                actions.accept_issue(issue=issue, actor=dispatcher)
            with clock.travel_to(then(when, 60)):
                actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=hrss)
        # 办理中 at the demo unit: answers due soon, one overdue, one asking for more time, one with a co-handler.
        for days_ago in (1, 2, 3, 4, 7, 9):
            issue, when = filed(
                days_ago, enterprise=home if days_ago == 4 else None, category=rng.choice(labour), hour=9
            )
            with clock.travel_to(then(when, 30)):
                actions.accept_issue(issue=issue, actor=dispatcher)
            co = [Unit.objects.get(code="econ_info")] if days_ago == 3 else []
            with clock.travel_to(then(when, 60)):
                actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=hrss, co_units=co)
            with clock.travel_to(then(when, 120)):
                actions.acknowledge_issue(issue=issue, actor=handler)
            if days_ago in (2, 4):
                with clock.travel_to(then(when, 180)):
                    actions.record_first_contact(
                        issue=issue, actor=handler, note="已电话联系企业，约定上门。"
                    )
            if days_ago == 2:
                with clock.travel_to(then(when, 200)):
                    actions.request_extension(
                        issue=issue,
                        actor=handler,
                        working_days=5,
                        reason="需协调区就业服务中心专场招聘会，申请延期。",
                    )
        # Other units' work, so the dispatcher's desk shows the whole district.
        for days_ago in (1, 2, 5, 8):
            issue, when = filed(days_ago, hour=10)
            with clock.travel_to(then(when, 30)):
                actions.accept_issue(issue=issue, actor=dispatcher)
            lead = self.lead_unit_for(issue)
            with clock.travel_to(then(when, 60)):
                actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=lead)
            if days_ago > 1:
                with clock.travel_to(then(when, 120)):
                    actions.acknowledge_issue(issue=issue, actor=self.staff(lead))
        # 已退回待转办
        issue, when = filed(1, hour=9)
        with clock.travel_to(then(when, 30)):
            actions.accept_issue(issue=issue, actor=dispatcher)
        wrong = Unit.objects.get(code="transport")
        with clock.travel_to(then(when, 60)):
            actions.dispatch_issue(issue=issue, actor=dispatcher, lead_unit=wrong)
        with clock.travel_to(then(when, 120)):
            actions.send_back_issue(
                issue=issue, actor=self.staff(wrong), reason="该事项属企业用工，不属于交通局职责。"
            )
        # 已答复待评价 (one for the demo enterprise), and 不满意待研判.
        for days_ago, satisfaction in ((2, None), (3, None), (5, Satisfaction.DISSATISFIED)):
            issue, when = filed(
                days_ago, enterprise=home if days_ago == 2 else None, category=rng.choice(labour), hour=9
            )
            for minutes, step in (
                (30, lambda i: actions.accept_issue(issue=i, actor=dispatcher)),
                (60, lambda i: actions.dispatch_issue(issue=i, actor=dispatcher, lead_unit=hrss)),
                (120, lambda i: actions.acknowledge_issue(issue=i, actor=handler)),
                (
                    300,
                    lambda i: actions.respond_to_issue(
                        issue=i,
                        actor=handler,
                        outcome=Outcome.SOLVED,
                        reply="已推送符合条件的求职者简历，并安排专场招聘。",
                    ),
                ),
            ):
                with clock.travel_to(then(when, minutes)):
                    issue = step(issue)
            if satisfaction:
                with clock.travel_to(then(when, 600)):
                    actions.evaluate_issue(
                        issue=issue,
                        actor=self.rater_for(issue),
                        satisfaction=satisfaction,
                        was_contacted=True,
                        was_solved=False,
                        comment="推荐人员不符合岗位要求。",
                    )
        # 不予受理, 撤回, 合并.
        issue, when = filed(3, hour=11)
        with clock.travel_to(then(when, 30)):
            actions.reject_issue(issue=issue, actor=dispatcher, reason="该事项已进入诉讼程序，依法不予受理。")
        issue, when = filed(2, enterprise=home, hour=11)
        with clock.travel_to(then(when, 30)):
            actions.withdraw_issue(issue=issue, actor=home.users.first(), reason="问题已自行解决。")
        first, when = filed(1, hour=14)
        duplicate = self.file(
            first.enterprise,
            then(when, 20),
            category=first.category,
            text=(first.title, "同一问题再次提交：" + first.description),
        )
        with clock.travel_to(then(when, 40)):
            actions.merge_issue(issue=duplicate, actor=dispatcher, into=first, note="同一问题重复提交")

    # ------------------------------------------------------------ what came out

    def summary(self) -> Summary:
        year_2023 = Issue.objects.filter(created_at__year=2023)
        open_now = {}
        for status in Status:
            count = Issue.objects.filter(status=status, created_at__year__gte=self.today.year).count()
            if count:
                open_now[str(status.label)] = count
        return Summary(
            specialists=User.objects.filter(role=Role.SPECIALIST).count(),
            enterprises=Enterprise.objects.filter(is_above_scale=True).count(),
            visits=Visit.objects.count(),
            issues_2023=year_2023.count(),
            closed_2023=year_2023.filter(status=Status.CLOSED).count(),
            open_now=open_now,
        )


def iter_logins() -> Iterator[tuple[str, str]]:
    for username, role in LOGINS.items():
        yield username, str(role.label)
