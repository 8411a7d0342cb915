"""The demo's problem texts: every level-2 category has its own, handed out in turn."""

import csv
from pathlib import Path

from django.conf import settings

from services.demo.problems import GENERIC_PROBLEMS, PROBLEMS, ProblemTexts


def level_2_codes() -> list[str]:
    with open(Path(settings.BASE_DIR) / "seeds" / "categories.csv", encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle) if row["parent_code"]]


def test_every_level_2_category_of_the_seeds_has_at_least_two_problems_of_its_own():
    missing = [code for code in level_2_codes() if len(PROBLEMS.get(code, [])) < 2]

    assert missing == []


def test_no_two_problems_share_a_title():
    titles = [title for texts in PROBLEMS.values() for title, _description in texts]

    assert len(titles) == len(set(titles))


def test_a_category_gives_every_one_of_its_problems_before_repeating_one():
    texts = ProblemTexts()
    recruitment = PROBLEMS["labour_recruitment"]

    handed_out = [texts.next_for("labour_recruitment") for _ in range(len(recruitment) + 1)]

    assert handed_out[: len(recruitment)] == recruitment
    assert handed_out[-1] == recruitment[0]


def test_categories_take_turns_independently():
    texts = ProblemTexts()
    texts.next_for("labour_recruitment")

    assert texts.next_for("energy_power") == PROBLEMS["energy_power"][0]


def test_a_category_the_seeds_do_not_know_gets_a_general_problem():
    assert ProblemTexts().next_for("added_by_an_administrator") == GENERIC_PROBLEMS[0]
