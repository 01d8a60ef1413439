"""Guessing how a CSV file was written: its encoding and its delimiter.

Admins' CSVs come from Excel (UTF-8 with BOM, "Unicode text" = UTF-16 with tabs,
"CSV" = Windows-1252 in much of the world, semicolons where the comma is the decimal
mark), from Google Sheets and from other CRMs. csv.Sniffer guesses badly on such files,
so delimiters are counted outside quotes and the one used consistently wins.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from importer.errors import InputFileError
from importer.wording import quoted

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
# Control characters never found in text: many of them mean a binary file.
_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13, 26})
# A decoded non-ASCII character that is not an undecodable byte (surrogateescape's range).
_UTF8_TEXT = re.compile("[^\x00-\x7f\udc80-\udcff]")


@dataclass(frozen=True)
class Encoding:
    name: str
    warning: str | None = None


def read_sample(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SAMPLE_BYTES)


def detect_encoding(path: Path, sample: bytes, given: str | None = None) -> Encoding:
    """The encoding to read ``path`` with (``given`` wins over guessing); refuses binary files
    and files that are UTF-8 except for a few lines."""
    if given is not None:
        name = _known_encoding(path, given)
        if not name.startswith(("utf-16", "utf-32")):  # their text is full of NUL bytes
            _refuse_binary(path, sample)
        return Encoding(name)
    if sample.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8-sig")  # -sig strips the BOM so the first header is clean
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Encoding("utf-16")
    unmarked = _utf16_without_bom(sample)
    if unmarked:
        return Encoding(unmarked)
    _refuse_binary(path, sample)
    bad = _first_non_utf8(path)
    if bad is None:
        return Encoding("utf-8")
    if _has_utf8_text(path):
        # Both UTF-8 accents and bytes that are not UTF-8: read as Windows-1252 the UTF-8
        # lines would turn into "JosÃ©", read as UTF-8 the others cannot be read at all.
        line, byte = _line_and_byte(path, bad)
        raise InputFileError(
            f"{path.name}: line {line} is not UTF-8 (byte 0x{byte:02X}) although the rest of "
            "the file is; fix that line, or save the file as "
            "'CSV UTF-8', or name the encoding to read it with (--encoding cp1252)"
        )
    return Encoding(
        "cp1252",
        f"{path.name}: not UTF-8, read as Windows-1252 (cp1252); if accents look wrong, "
        "save the file as 'CSV UTF-8' and run again (or name its encoding with --encoding)",
    )


def _known_encoding(path: Path, name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputFileError(
            f"{path.name}: {quoted(name)} is not an encoding Python knows; "
            "use e.g. utf-8, cp1252, latin-1 or utf-16"
        ) from None


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
    # A few stray control characters (a NUL typed into one cell) are the cells' problem,
    # reported on their rows; many of them mean the file is not text at all.
    controls = sum(sample.count(byte) for byte in _CONTROL)
    if controls > max(8, len(sample) // 100):
        raise InputFileError(
            f"{path.name} does not contain text; it is not a CSV file (was it renamed?)"
        )


def _first_non_utf8(path: Path) -> int | None:
    """Offset of the first byte that is not UTF-8, or None.

    The whole file, not a sample: a cp1252 accent on row 900,000 must not stop a run
    half-way. Decoding is far faster than parsing, so this costs little.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return done + error.start - len(decoder.getstate()[0])
            done += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return done - len(decoder.getstate()[0])
    return None


def _has_utf8_text(path: Path) -> bool:
    """Whether the file holds any non-ASCII character written as UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            if _UTF8_TEXT.search(decoder.decode(block)):
                return True
    return False


def _line_and_byte(path: Path, offset: int) -> tuple[int, int]:
    """The 1-based line holding byte ``offset``, and that byte."""
    lines = 1
    with path.open("rb") as handle:
        while offset > handle.tell():
            lines += handle.read(min(_BLOCK, offset - handle.tell())).count(b"\n")
        return lines, handle.read(1)[0]


def sample_text(sample: bytes, encoding: str) -> str:
    """The decoded sample; an incomplete character at the cut is dropped, not an error."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(sample, final=False)


def detect_delimiter(text: str, complete: bool, skip: int = 0) -> str:
    """The candidate used the same number of times in every sampled record.

    ``complete`` says whether ``text`` is the whole file (else its last record may be
    cut short and is ignored); the first ``skip`` records (titles above the header) are
    not looked at. A file with one column has no delimiter: ",".
    """
    records = list(_record_counts(text))[skip:]
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
