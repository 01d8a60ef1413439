"""Regenerate sample_data/dialer_leads.csv (deterministic: the same file every time).

    python sample_data/make_dialer_leads.py

Course enquiries of "Horizon Institute" to be called back from the Noojee campaign of
noojee_account.yaml, through mappings/noojee.yaml. The deliberately bad rows are listed in
BAD_ROWS and in README.md (keep both in step); every other row is valid.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

from make_samples import CAMPUSES, COURSES, FIRST, LAST

HERE = Path(__file__).parent
ROWS = 36
HEADERS = [
    "Lead Ref",
    "First Name",
    "Last Name",
    "Mobile",
    "Landline",
    "Email",
    "Course",
    "Campus",
    "Call Back",
    "Priority",
]

# spreadsheet row -> (column, bad value, the code Noojee answers for it)
BAD_ROWS: dict[int, tuple[str, str, int]] = {
    6: ("Mobile", "", 102),  # and no landline: no phone number at all
    11: ("Mobile", "98450 00404", 104),  # on the DNC list of noojee_account.yaml
    17: ("Mobile", "98450-00902", 105),  # the mobile of HZ-DL-0902, already in the campaign
    23: ("Campus", "<NO CHANGE>", 108),  # only an update may say "keep the value"
    29: ("Lead Ref", "HZ-DL-0903", 112),  # an external id already in the campaign
}


def make_rows(rng: random.Random) -> list[dict[str, str]]:
    first, last = FIRST.split(), LAST.split()
    rows: list[dict[str, str]] = []
    for i in range(ROWS):
        fn, ln = rng.choice(first), rng.choice(last)
        # Local times (Asia/Kolkata) within the call centre's day, four leads a day.
        day = datetime(2027, 2, 1) + timedelta(days=i // 4)
        call_back = day + timedelta(hours=rng.choice([10, 11.5, 14, 15.5, 17]))
        # 97xxx numbers: none is on the DNC list or in the campaign already; every
        # twelfth lead gives only a landline.
        mobile = "" if i % 12 == 7 else f"97{rng.randrange(10**7, 10**8):08d}"
        landline = f"080 4120 {1000 + i}"
        rows.append(
            {
                "Lead Ref": f"HZ-DL-{1001 + i}",
                "First Name": fn,
                "Last Name": ln,
                "Mobile": mobile,
                "Landline": landline if not mobile else rng.choice(["", "", landline]),
                "Email": f"{fn}.{ln}{i:02d}@example.com".lower(),
                "Course": rng.choice(list(COURSES)),
                "Campus": rng.choice(CAMPUSES),
                "Call Back": rng.choice([call_back.strftime("%d/%m/%Y %H:%M"), ""]),
                "Priority": rng.choice(["", "5", "10", "20", "50"]),
            }
        )
    return rows


def spoil(rows: list[dict[str, str]]) -> None:
    for sheet_row, (column, value, code) in BAD_ROWS.items():
        row = rows[sheet_row - 2]
        row[column] = value
        if code == 102:
            row["Landline"] = ""


def main() -> None:
    rows = make_rows(random.Random(2027))
    spoil(rows)
    with (HERE / "dialer_leads.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, HEADERS)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
