"""Regenerate the shipped sample data (deterministic: the same files every time).

    python sample_data/make_samples.py

Writes, beside this script:
- opportunities.csv   course enquiries of "Horizon Institute" (UTF-8 with BOM, as Excel saves it)
- opportunities.xlsx  the same rows, with real date cells and some mobiles stored as numbers
- sandbox_leads.csv   the leads the sandbox account already has (most, not all, of the emails)

The deliberately bad rows are listed in BAD_ROWS and in README.md (keep both in step).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

HERE = Path(__file__).parent
ROWS = 300
NEW_LEADS_EVERY = 12  # every 12th lead is not in the sandbox yet: `auto` captures it

HEADERS = [
    "Email",
    "First Name",
    "Last Name",
    "Mobile",
    "City",
    "Opportunity Name",
    "Status",
    "Stage",
    "Course",
    "Campus",
    "Expected Fee",
    "Scholarship Applied",
    "Start Date",
    "Status Comment",
    "Notes",
    "Enquiry Date",
    "Counsellor Email",
]

FIRST = "Aarav Vivaan Aditya Ananya Diya Ishaan Kavya Rohan Saanvi Arjun Meera Kabir Nisha Rahul"
LAST = "Sharma Verma Iyer Nair Reddy Gupta Mehta Joshi Kulkarni Das Menon Rao Pillai Bose Khan"
CITIES = ["Mumbai", "Pune", "Bengaluru", "Hyderabad", "Chennai", "Delhi", "Kochi", "Nagpur"]
COURSES = {
    "MBA": 1_250_000,
    "BBA": 450_000,
    "B.Tech Computer Science": 900_000,
    "M.Sc Data Science": 600_000,
    "B.Sc Nursing": 350_000,
    "Diploma in Digital Marketing": 85_000,
}
CAMPUSES = ["Mumbai", "Pune", "Bengaluru", "Hyderabad", "Online"]
STAGES = {
    "Open": ["Prospecting", "Counselling", "Application Submitted"],
    "Won": ["Enrolled"],
    "Lost": ["Not Interested", "Fees Too High", "Chose Competitor"],
}
COMMENTS = {
    "Open": "Follow-up call booked",
    "Won": "Fee paid, seat confirmed",
    "Lost": "Closed after three follow-ups",
}
NOTES = ["Walk-in at open day", "Website form", "Partner referral", ""]
COUNSELLORS = ["anita.k@horizon-institute.in", "vikram.s@horizon-institute.in", ""]

# spreadsheet row -> (column, bad value, the code the dry run must report)
BAD_ROWS: dict[int, tuple[str, str, str]] = {
    7: ("Email", "", "missing_unique_field"),
    19: ("Email", "rohan.mehta@gmail", "invalid_email"),
    31: ("Mobile", "98765", "invalid_phone"),
    44: ("Status Comment", "", "comment_required"),
    58: ("Stage", "Enrolled", "dependent_dropdown_mismatch"),
    73: ("Status", "", "child_without_parent"),
    89: ("Course", "PhD Astrophysics", "not_an_option"),
    104: ("Enquiry Date", "last Tuesday", "bad_datetime"),
    121: ("Opportunity Name", "Enquiry " + "for the weekend executive programme " * 4, "too_long"),
    137: ("Course", "", "mandatory_missing"),
    152: ("Expected Fee", "twelve lakh", "bad_number"),
    168: ("Scholarship Applied", "maybe", "bad_boolean"),
    # 185 repeats the lead, course and campus of row 184
    185: ("", "", "duplicate_in_file"),
}


def make_rows(rng: random.Random, count: int = ROWS) -> list[dict[str, object]]:
    """The good rows; bad values are applied afterwards by `spoil`."""
    return list(iter_rows(rng, count))


def iter_rows(rng: random.Random, count: int) -> Iterator[dict[str, object]]:
    """:func:`make_rows` one row at a time, so the benchmarks and the big-file tests can
    write millions of realistic rows without holding them (each row's lead is its own)."""
    first, last = FIRST.split(), LAST.split()
    start = datetime(2026, 9, 1, 9, 0)
    for i in range(count):
        fn, ln = rng.choice(first), rng.choice(last)
        course = rng.choice(list(COURSES))
        status = rng.choices(["Open", "Won", "Lost"], weights=[6, 2, 2])[0]
        yield {
            "Email": f"{fn}.{ln}{i:03d}@example.com".lower(),
            "First Name": fn,
            "Last Name": ln,
            "Mobile": f"9{rng.randrange(10**8, 10**9):09d}",
            "City": rng.choice(CITIES),
            "Opportunity Name": f"{course} enquiry - {fn} {ln}",
            "Status": rng.choice([status, status.lower()]),
            "Stage": rng.choice(STAGES[status]),
            "Course": course,
            "Campus": rng.choice(CAMPUSES),
            "Expected Fee": COURSES[course],
            "Scholarship Applied": rng.choice(["Yes", "No", ""]),
            "Start Date": datetime(2027, rng.choice([1, 7]), rng.choice([5, 15]), 0, 0),
            "Status Comment": COMMENTS[status],
            "Notes": rng.choice(NOTES),
            "Enquiry Date": start + timedelta(hours=7 * i, minutes=rng.randrange(60)),
            "Counsellor Email": rng.choice(COUNSELLORS),
        }


def spoil(rows: list[dict[str, object]]) -> None:
    for sheet_row, (column, value, code) in BAD_ROWS.items():
        row = rows[sheet_row - 2]
        if code == "duplicate_in_file":
            earlier = rows[sheet_row - 3]
            for key in ("Email", "First Name", "Last Name", "Opportunity Name", "Course", "Campus"):
                row[key] = earlier[key]
        elif code == "dependent_dropdown_mismatch":
            row["Status"], row[column] = "Open", value
        else:
            row[column] = value


def as_text(column: str, value: object) -> str:
    """Cells as an admin's CSV export writes them (dd/mm/yyyy dates, local times)."""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y" if column == "Start Date" else "%Y-%m-%d %H:%M")
    return str(value)


def write_csv(rows: list[dict[str, object]]) -> None:
    with (HERE / "opportunities.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows([as_text(h, row[h]) for h in HEADERS] for row in rows)


def write_xlsx(rows: list[dict[str, object]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Enquiries"
    ws.append(HEADERS)
    for i, row in enumerate(rows):
        cells: list[object] = [row[h] for h in HEADERS]
        mobile = HEADERS.index("Mobile")
        if i % 3 == 0 and len(str(cells[mobile])) == 10:
            cells[mobile] = int("91" + str(cells[mobile]))  # a phone stored as a number
        ws.append(cells)
    for cell in ws["M"][1:]:
        cell.number_format = "dd/mm/yyyy"
    wb.create_sheet("Read me").append(["Enquiries from the Horizon Institute open days"])
    wb.save(HERE / "opportunities.xlsx")


def write_leads(rows: list[dict[str, object]]) -> None:
    """Leads already in the sandbox account; every NEW_LEADS_EVERY-th is left out."""
    seen: set[str] = set()
    with (HERE / "sandbox_leads.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["EmailAddress", "FirstName", "LastName", "Phone", "mx_City"])
        for i, row in enumerate(rows):
            email = str(row["Email"])
            if i % NEW_LEADS_EVERY == 5 or not email or email in seen:
                continue
            seen.add(email)
            phone = f"+91-{row['Mobile']}" if str(row["Mobile"]).isdigit() else ""
            writer.writerow([email, row["First Name"], row["Last Name"], phone, row["City"]])


@dataclass(frozen=True)
class GeneratedImport:
    """A CSV of generated rows for ``mappings/opportunities.yaml`` and a sandbox account
    (the sample account's types and rules) whose leads are exactly those rows' leads."""

    csv: Path
    account: Path
    leads: Path  # the account's leads_file
    rows: int


def write_import(folder: Path, rows: int, seed: int) -> GeneratedImport:
    """``rows`` valid rows, each a distinct opportunity of its own lead, streamed to
    ``folder/opportunities.csv`` (as an admin's export writes them) and the account to
    ``folder/account.yaml``: so ``bulk`` finds every lead and nothing is held in memory."""
    path, leads = folder / "opportunities.csv", folder / "leads.csv"
    with (
        path.open("w", encoding="utf-8-sig", newline="") as out,
        leads.open("w", encoding="utf-8", newline="") as lead_out,
    ):
        writer, lead_writer = csv.writer(out), csv.writer(lead_out)
        writer.writerow(HEADERS)
        lead_writer.writerow(["EmailAddress", "FirstName", "LastName", "Phone", "mx_City"])
        for r in iter_rows(random.Random(seed), rows):
            writer.writerow([as_text(h, r[h]) for h in HEADERS])
            phone = f"+91-{r['Mobile']}"
            lead_writer.writerow([r["Email"], r["First Name"], r["Last Name"], phone, r["City"]])
    account: dict[str, Any] = yaml.safe_load((HERE / "sandbox_account.yaml").read_text("utf-8"))
    account["leads_file"] = leads.name  # relative to the account file, as in the sample
    account["leads"] = []  # the sample's inline leads are not part of this import
    account_path = folder / "account.yaml"
    account_path.write_text(yaml.safe_dump(account, sort_keys=False), encoding="utf-8")
    return GeneratedImport(path, account_path, leads, rows)


def main() -> None:
    rows = make_rows(random.Random(2027))
    spoil(rows)
    write_csv(rows)
    write_xlsx(rows)
    write_leads(rows)


if __name__ == "__main__":
    main()
