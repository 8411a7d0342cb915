from django.core.management.base import BaseCommand

from services.demo.reference import load_reference


class Command(BaseCommand):
    help = "载入镇街、园区、承办单位、诉求分类、报告数据和年度目标（可重复执行）。"

    def handle(self, *args, **options) -> None:
        counts = load_reference()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
