"""``manage.py verify_rollups [--year 2026] [--rebuild]``: prove the open period's roll-ups equal a recount.

Counts every day of the year from the base tables (the live computation's own sources), compares
with the stored ``DayTally`` rows and prints each difference (day, grain, key, count, stored, recounted), and
each ``MonthTally`` row that is not the sum of its stored days.
Exits with status 1 when there is one, unless ``--rebuild``, which writes the recount and reads roll-ups
from that year on (the first run after deploying the roll-ups).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from services.core import clock
from services.reports import rollups

SHOWN = 50


class Command(BaseCommand):
    help = "Recount the open period's roll-ups from the base tables; report (and with --rebuild, repair) differences."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the year to check (default: this year)")
        parser.add_argument("--rebuild", action="store_true", help="write the recount over the stored rows")

    def handle(self, *args, year=None, rebuild=False, **options):
        today = timezone.localdate(clock.now())
        year = year or today.year
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if first > today:
            raise CommandError(f"{year} has not begun")
        if rebuild:
            rows = rollups.rebuild(first, last)
            self.stdout.write(f"{year}: {rows} roll-up rows written from a recount ({first} – {last}).")
            return
        found = rollups.compare(rollups.stored_days(first, last), rollups.count_days(first, last))
        # The month rows are sums of the stored day rows: any difference there is a month row gone stale.
        months = rollups.compare(rollups.stored_months(first, last), rollups.summed_months(first, last))
        for difference in found[:SHOWN]:
            self.stdout.write(
                f"{difference.day} {difference.grain} {difference.key or '-'} {difference.count}: "
                f"stored {difference.stored}, recounted {difference.recounted}"
            )
        for difference in months[:SHOWN]:
            self.stdout.write(
                f"{difference.day:%Y-%m} {difference.grain} {difference.key or '-'} {difference.count}: "
                f"month row {difference.stored}, sum of its days {difference.recounted}"
            )
        found += months
        if found:
            more = f" (first {SHOWN} shown)" if len(found) > SHOWN else ""
            self.stdout.write(f"{year}: {len(found)} differences{more}; run with --rebuild to repair.")
            raise SystemExit(1)
        self.stdout.write(f"{year}: the roll-ups equal a recount of {first} – {last}.")
