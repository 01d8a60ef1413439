"""How much the results workbook holds, and Excel's own limits.

Writing a styled cell costs microseconds, so a million-row Rows sheet would take longer to
write than the dry run takes to check the rows, and nobody scrolls it. The workbook therefore
shows every row of a file up to :data:`SHEET_ROWS` rows; past that, its Rows sheet lists the
rows that need attention (at most :data:`SHEET_ROWS` of them) and every row's result goes to
a CSV beside it, as Salesforce Data Loader's success and error files do. The Problems sheet
holds at most :data:`SHEET_ROWS` lines the same way. Tests monkeypatch these numbers, so
code reads them as ``limits.NAME`` at call time.
"""

from __future__ import annotations

#: Rows a results sheet holds; past it, the whole table is (also) written as CSV. 10,000
#: rows is a sheet a person can still filter and scroll, written in a second or two.
SHEET_ROWS = 10_000

#: Wrong cells that get their problem as a comment (each costs ~70 µs when the workbook is
#: saved); every wrong cell is filled red and its problem is on the Problems sheet anyway.
COMMENTED_CELLS = 2_000

#: Columns an Excel sheet holds. (Its 1,048,576 rows are never reached: see SHEET_ROWS.)
EXCEL_COLUMNS = 16_384
