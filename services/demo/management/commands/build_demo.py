import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from services.demo.district import PASSWORD, DistrictBuilder, iter_logins


class Command(BaseCommand):
    help = "生成演示区县数据（仅限演示模式 JIANGJIN_DEMO=1，可重复执行）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2023, help="随机种子（相同种子生成相同数据）")

    def handle(self, *args, seed: int, **options) -> None:
        started = time.monotonic()
        try:
            summary = DistrictBuilder(seed=seed, log=self.stdout.write).build()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"服务专员 {summary.specialists} 名，规上工业企业 {summary.enterprises} 家，走访 {summary.visits} 次；"
            f"2023年录入问题 {summary.issues_2023} 件，办结 {summary.closed_2023} 件。"
        )
        self.stdout.write(
            "今年诉求：" + "，".join(f"{label} {count}" for label, count in summary.open_now.items())
        )
        self.stdout.write(f"用时 {time.monotonic() - started:.1f} 秒。")
        self.stdout.write(f"演示账号（密码均为 {PASSWORD}）：")
        for username, role in iter_logins():
            self.stdout.write(f"  {username:<11} {role}")
