"""The Hours CSV never hands a spreadsheet a formula: a cell that starts with one of OWASP's
CSV-injection characters, or a fullwidth or small look-alike of one, is prefixed with '."""

import csv
import io

import pytest
from django.urls import reverse

from tests.views import factories as f

# Each a name a member could give themselves at Calendly.
HOSTILE = [
    "=HYPERLINK(\"http://evil.example\")",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝HYPERLINK(1)",  # fullwidth equals sign, U+FF1D
    "＋SUM(1)",  # U+FF0B
    "－2+3",  # U+FF0D
    "＠SUM(1)",  # U+FF20
    "﹦1+1",  # small equals sign, U+FE66
    "﹢1",  # U+FE62
    "﹣1",  # U+FE63
    "﹫SUM(1)",  # U+FE6B
]
HARMLESS = ["Nora York", "'quoted", "Zoë =1", "1-2"]


def exported(client, admin) -> list[dict]:
    f.sign_in(client, admin)
    response = client.get(reverse("dashboard:team_hours_csv"))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))


@pytest.mark.parametrize("name", HOSTILE, ids=[repr(n[:2]) for n in HOSTILE])
def test_a_cell_starting_a_formula_is_prefixed(client, clock, org, admin, name):
    f.calendly_user(org, name, email=f"{ord(name[0]):x}@acme.example")
    rows = exported(client, admin)
    names = [row["name"] for row in rows]
    assert f"'{name}" in names, names
    assert name not in names


@pytest.mark.parametrize("start", ["=", "＝", "\t", "@", "－"])
def test_an_email_starting_a_formula_is_prefixed(client, clock, org, admin, start):
    f.calendly_user(org, "Eve Mail", email=f"{start}cmd@acme.example")
    row = next(r for r in exported(client, admin) if r["name"] == "Eve Mail")
    assert row["email"] == f"'{start}cmd@acme.example"


def test_other_cells_are_left_as_they_are(client, clock, org, admin):
    for index, name in enumerate(HARMLESS):
        f.calendly_user(org, name, email=f"plain{index}@acme.example")
    names = {row["name"] for row in exported(client, admin)}
    assert set(HARMLESS) <= names
    assert admin.name in names
