from django.core.management.base import BaseCommand, CommandError

from services.issues.clock_history import check


class Command(BaseCommand):
    help = (
        "Rebuild every stage clock from the issue events alone and report where a clock row differs "
        "(start, stage, unit, limit, original and current due time). Exits with an error if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare and report (the only mode: clocks are never rewritten from here).",
        )

    def handle(self, *args, **options):
        report = check()
        for clock_id, name, want, have in report.differences[:200]:
            self.stdout.write(f"clock {clock_id}: {name} rebuilt {want!r}, stored {have!r}")
        self.stdout.write(
            f"{report.checked} clocks checked, {len(report.differences)} differences, "
            f"{report.not_in_history} not in the history (started before events recorded their clocks)"
        )
        if report.differences:
            raise CommandError(f"{len(report.differences)} clock fields differ from their history")
