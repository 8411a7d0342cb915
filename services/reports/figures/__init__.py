"""The figures of DESIGN §6 for any period, and broken down by unit, category, town, park or month.

``definitions`` states what each figure means (read it first); ``cohorts`` holds one query per cohort of the
period; ``breakdowns`` splits them into rows; ``compute`` turns the raw counts into the figures. Callers import
from here.
"""

from services.reports.figures.compute import compute
from services.reports.figures.definitions import (
    FIGURES,
    OVERDUE_ISSUES_NOW,
    OVERDUE_NOW,
    PART_LABELS,
    SPECS,
    Breakdown,
    FigureSpec,
    FigureValue,
    Headline,
    Kind,
    Period,
    Report,
    Row,
)

__all__ = [
    "FIGURES",
    "OVERDUE_ISSUES_NOW",
    "OVERDUE_NOW",
    "PART_LABELS",
    "SPECS",
    "Breakdown",
    "FigureSpec",
    "FigureValue",
    "Headline",
    "Kind",
    "Period",
    "Report",
    "Row",
    "compute",
]
