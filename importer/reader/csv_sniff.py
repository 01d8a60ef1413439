"""Guessing how a CSV file was written: its encoding and its delimiter.

Admins' CSVs come from Excel (UTF-8 with BOM, "Unicode text" = UTF-16 with tabs,
"CSV" = Windows-1252 in much of the world, semicolons where the comma is the decimal
mark), from Google Sheets and from other CRMs. csv.Sniffer guesses badly on such files,
so delimiters are counted outside quotes and the one used consistently wins.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from importer.errors import InputFileError

SAMPLE_BYTES = 64 * 1024
_BLOCK = 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_RECORDS = 50
# Signatures of files people rename to .csv by mistake, and what to tell them.
_SIGNATURES = (
    (b"PK\x03\x04", "is an Excel workbook (or another zip file), not a CSV; save it with .xlsx"),
    (b"\xd0\xcf\x11\xe0", "is an old Excel .xls workbook, not a CSV; rename it to .xls"),
    (b"%PDF", "is a PDF, not a CSV"),
)
# Control characters never found in text: a few of them mean a binary file.
_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13, 26})


@dataclass(frozen=True)
class Encoding:
    name: str
    warning: str | None = None


def read_sample(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SAMPLE_BYTES)


def detect_encoding(path: Path, sample: bytes) -> Encoding:
    """The encoding to read ``path`` with; refuses binary files."""
    if sample.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8-sig")  # -sig strips the BOM so the first header is clean
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Encoding("utf-16")
    unmarked = _utf16_without_bom(sample)
    if unmarked:
        return Encoding(unmarked)
    _refuse_binary(path, sample)
    if _is_utf8(path):
        return Encoding("utf-8")
    return Encoding(
        "cp1252",
        f"{path.name}: not UTF-8, read as Windows-1252 (cp1252); if accents look wrong, "
        "save the file as 'CSV UTF-8' and run again",
    )


def _utf16_without_bom(sample: bytes) -> str | None:
    # Some exporters write UTF-16 without a BOM: then mostly-ASCII text has a NUL in
    # every other byte, which would otherwise look like a binary file.
    even, odd = sample[0::2], sample[1::2]
    if len(sample) < 4 or len(sample) % 2:
        return None
    if odd.count(0) > len(odd) * 0.9 and not even.count(0):
        return "utf-16-le"
    if even.count(0) > len(even) * 0.9 and not odd.count(0):
        return "utf-16-be"
    return None


def _refuse_binary(path: Path, sample: bytes) -> None:
    for signature, what in _SIGNATURES:
        if sample.startswith(signature):
            raise InputFileError(f"{path.name} {what}")
    controls = sum(sample.count(byte) for byte in _CONTROL)
    if b"\x00" in sample or controls > max(8, len(sample) // 100):
        raise InputFileError(
            f"{path.name} does not contain text; it is not a CSV file (was it renamed?)"
        )


def _is_utf8(path: Path) -> bool:
    # The whole file, not a sample: a cp1252 accent on row 900,000 must not stop a run
    # half-way. Decoding is far faster than parsing, so this costs little.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while block := handle.read(_BLOCK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sample_text(sample: bytes, encoding: str) -> str:
    """The decoded sample; an incomplete character at the cut is dropped, not an error."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(sample, final=False)


def detect_delimiter(text: str, complete: bool) -> str:
    """The candidate used the same number of times in every sampled record.

    ``complete`` says whether ``text`` is the whole file (else its last record may be
    cut short and is ignored). A file with one column has no delimiter: ",".
    """
    records = list(_record_counts(text))
    if not complete and len(records) > 1:
        records = records[:-1]
    if not records:
        return ","
    header, rest = records[0], records[1:]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        in_header = header.get(delimiter, 0)
        if not in_header:
            continue
        same = sum(1 for record in rest if record.get(delimiter, 0) == in_header)
        score = (same / len(rest) if rest else 1.0, in_header)
        if score > best_score:  # strict: on a tie the earlier candidate keeps its place
            best, best_score = delimiter, score
    return best


def _record_counts(text: str) -> Iterator[dict[str, int]]:
    """Delimiter counts outside quotes for each record of ``text`` (blank lines skipped)."""
    counts: dict[str, int] = {}
    quoted = False
    seen = 0
    blank = True
    for char in text:
        if char == '"':
            quoted = not quoted  # "" inside a quoted field toggles twice: still quoted
            blank = False
        elif quoted:
            continue
        elif char in "\r\n":
            if not blank:
                yield counts
                seen += 1
                if seen >= _SAMPLE_RECORDS:
                    return
            counts, blank = {}, True
        else:
            blank = False
            if char in DELIMITERS:
                counts[char] = counts.get(char, 0) + 1
    if not blank:
        yield counts
