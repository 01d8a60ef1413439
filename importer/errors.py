"""Exceptions that stop a run. Row problems are never exceptions: they are values
(:class:`importer.model.Problem`, :class:`importer.model.RowOutcome`).

The tree, and the exit code each branch maps to::

    LsqImportError                 base of everything this package raises on purpose
    ├── UsageError         exit 2  nothing was done: bad file, mapping, options or config
    │   ├── InputFileError         the spreadsheet cannot be read (encoding, format, headers)
    │   ├── MappingError           the mapping file is wrong (names the file and the key)
    │   └── ConfigError            host, keys or options are missing or unsafe
    └── AbortedError       exit 3  stopped part-way; running the same command again resumes
        ├── AuthError              401: keys rejected or wrong host
        ├── RetriesExhausted       the server kept failing after every retry
        └── Interrupted            Ctrl-C: requests in flight were finished first

Messages are written for a CRM admin, in one line, and never contain a secret.
"""

from __future__ import annotations


class LsqImportError(Exception):
    """Base class; ``exit_code`` tells the CLI what to return."""

    exit_code = 2


class UsageError(LsqImportError):
    exit_code = 2


class InputFileError(UsageError):
    """The input spreadsheet cannot be read as a table of text cells."""


class MappingError(UsageError):
    """The mapping file is invalid; the message names the file and the key."""


class ConfigError(UsageError):
    """Configuration (host, keys, options) is missing or unsafe."""


class AbortedError(LsqImportError):
    exit_code = 3


class AuthError(AbortedError):
    """LeadSquared answered 401: the keys are wrong or belong to another host."""


class RetriesExhausted(AbortedError):
    """A request kept failing after every retry."""


class Interrupted(AbortedError):
    """The user pressed Ctrl-C."""
