"""Loads the reference lists and the report's figures from seeds/. Idempotent: rows are keyed by code."""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from services.departments.models import Unit
from services.enterprises.models import Park, Town
from services.issues.models import Category, IssuePolicy
from services.reports.models import AnnualTarget, ReportedFigure

SEEDS = Path(settings.BASE_DIR) / "seeds"
REPORT_SOURCE = "区经济信息委《扬帆起航风正劲 砥砺奋进谱新篇——区经济信息委2023年工作回眸》"


def rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_reference() -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows("towns.csv"):
        Town.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "kind": row["kind"]})
    counts["towns"] = Town.objects.count()
    towns = {town.code: town for town in Town.objects.all()}
    for row in rows("parks.csv"):
        Park.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "town": towns[row["town_code"]]}
        )
    counts["parks"] = Park.objects.count()
    for row in rows("units.csv"):
        Unit.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "short_name": row["short_name"], "kind": row["kind"]},
        )
    counts["units"] = Unit.objects.count()
    units = {unit.code: unit for unit in Unit.objects.all()}
    categories = rows("categories.csv")
    # Parents first, so that children can point at them.
    for row in sorted(categories, key=lambda r: bool(r["parent_code"])):
        parent = Category.objects.get(code=row["parent_code"]) if row["parent_code"] else None
        Category.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "parent": parent,
                "default_lead_unit": units.get(row["default_lead_unit_code"]),
                "led_by_location": row.get("led_by_location") == "1",
                "sort": int(row["sort"] or 0),
            },
        )
    counts["categories"] = Category.objects.count()
    year = next((int(r["value"]) for r in rows("report_figures.csv") if r["key"] == "report_year"), 2023)
    for row in rows("report_figures.csv"):
        ReportedFigure.objects.update_or_create(
            year=year,
            key=row["key"],
            defaults={
                "value": Decimal(row["value"]),
                "unit_label": row["unit"],
                "phrase": row["phrase"],
                "source": REPORT_SOURCE,
            },
        )
    counts["reported_figures"] = ReportedFigure.objects.count()
    for row in rows("targets.csv"):
        AnnualTarget.objects.update_or_create(
            year=int(row["year"]),
            figure=row["figure"],
            unit=None,
            defaults={"value": Decimal(row["value"]), "note": row["note"]},
        )
    counts["targets"] = AnnualTarget.objects.count()
    IssuePolicy.current()
    return counts
