"""Every file ``write_results`` may write, and the rule that none of them is the user's own.

Promise 7: no command overwrites, truncates or deletes the input or the mapping. The fix-file
loop is the trap (``validate res.fix.csv --out res.xlsx`` would write its new fix file over the
one being read), so every path is compared with both before anything is written, and the
files are written under ``.part`` names and renamed only once complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from importer.errors import UsageError


@dataclass(frozen=True)
class OutputPaths:
    """The names of one report's files, all beside the workbook ``out``."""

    workbook: Path
    fix_file: Path  # <stem>.fix.csv or <stem>.fix.xlsx: the input's own format
    rows_csv: Path  # <stem>.rows.csv: every row's result, for a file too big for a sheet
    problems_csv: Path  # <stem>.problems.csv: every problem, when too many for a sheet

    @classmethod
    def beside(cls, out: Path, source_format: Literal["csv", "xlsx"]) -> OutputPaths:
        return cls(
            workbook=out,
            fix_file=out.with_name(f"{out.stem}.fix.{source_format}"),
            rows_csv=out.with_name(f"{out.stem}.rows.csv"),
            problems_csv=out.with_name(f"{out.stem}.problems.csv"),
        )

    def finals(self) -> tuple[Path, ...]:
        return (self.workbook, self.fix_file, self.rows_csv, self.problems_csv)

    def every(self) -> tuple[Path, ...]:
        """Each file name, then each one's ``.part``."""
        return (*self.finals(), *(partial(p) for p in self.finals()))


def partial(path: Path) -> Path:
    """Where ``path`` is written until it is complete."""
    return path.with_name(path.name + ".part")


def output_paths(out: Path, source_format: Literal["csv", "xlsx"]) -> tuple[Path, ...]:
    """Every path ``write_results(out, …)`` may write, replace or remove for an input of
    ``source_format``: check them all (e.g. that their folders are writable) before sending."""
    return OutputPaths.beside(out, source_format).every()


def check_outputs(
    out: Path,
    source_format: Literal["csv", "xlsx"],
    input_path: Path | None,
    mapping: Path | None,
) -> None:
    """Raise :class:`UsageError` if ``write_results(out, …)`` could write over the input or
    the mapping: call it before sending anything (``write_results`` checks again)."""
    refuse_users_files(output_paths(out, source_format), input_path, mapping)


def check_writable(out: Path, source_format: Literal["csv", "xlsx"]) -> None:
    """Raise :class:`UsageError` unless every file the report may write can be written:
    told before anything is sent, not after an hour of sending."""
    for path in output_paths(out, source_format):
        problem = _unwritable(path)
        if problem:
            raise UsageError(f"Cannot write {path}: {problem}; choose another --out.")


def _unwritable(path: Path) -> str | None:
    if path.is_dir():
        return "a folder has that name"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only (or open in another program)"
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to write in {folder}"
    return None


def refuse_users_files(
    paths: Iterable[Path], input_path: Path | None, mapping: Path | None
) -> None:
    """Raise :class:`UsageError` if any of ``paths`` is the input or the mapping file."""
    for own, role in ((input_path, "the input file"), (mapping, "the mapping file")):
        if own is None:
            continue
        for path in paths:
            if same_file(path, own):
                instead = _another_name(paths, input_path or own)
                raise UsageError(
                    f"{path} is {role}: the results would be written over it; "
                    f"give --out another name (e.g. --out {instead})"
                )


def _another_name(paths: Iterable[Path], source: Path) -> Path:
    """A workbook name beside the refused one whose files cannot be ``source``: its name
    plus ``-results`` (the refused name itself was often the one to suggest)."""
    workbook = next(iter(paths))
    return workbook.with_name(f"{source.stem}-results.xlsx")


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file (through links and different spellings)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist: it cannot be the other
        return False
