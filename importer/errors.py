"""Every exception this package raises on purpose, in one tree. Row problems are never
exceptions: they are values (:class:`importer.model.Problem`, :class:`importer.model.RowOutcome`).

The tree, and what each branch means::

    LsqImportError                 base of everything this package raises on purpose
    ├── UsageError         exit 2  nothing was done: bad file, mapping, options or config
    │   ├── InputFileError         the spreadsheet cannot be read (encoding, format, headers)
    │   ├── MappingError           the mapping file is wrong (names the file and the key)
    │   └── ConfigError            host, keys or options are missing or unsafe
    ├── AbortedError       exit 3  stopped part-way; running the same command again resumes
    │   ├── AuthError              401: keys rejected or wrong host
    │   ├── RetriesExhausted       the server kept failing after every retry
    │   ├── Interrupted            Ctrl-C: requests in flight were finished first
    │   └── RunRefused             the server refuses every request alike (wrong host path,
    │                              a redirect): no single row is at fault
    └── RequestError               one request's outcome; the sender handles it, the run goes on
        ├── RequestRejected        the server said no to this request's data (never retried)
        └── Ambiguous              a write was sent and may have been applied (reconcile first)

Transient failures worth another try (connect errors, most 5xx to reads, 429) are not
exceptions: the transport retries them itself (:class:`importer.send.classify.TryAgain`).
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
    """A request kept failing after every retry; ``reason`` is the last failure, in words
    (for a caller that words the message itself, such as the check before a run)."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


class Interrupted(AbortedError):
    """The user pressed Ctrl-C."""


class RunRefused(AbortedError):
    """The server refused a request in a way no row can cause (a redirect, for one): every
    other request would be refused alike, so the run stops instead of failing each row."""


class RequestError(LsqImportError):
    """One request's outcome that the sender must handle; the run continues."""


class RequestRejected(RequestError):
    """LeadSquared refused this request's data; sending it again would fail again."""

    def __init__(self, status: int, exception_type: str | None, message: str) -> None:
        self.status = status
        self.exception_type = exception_type
        self.message = message
        kind = f", {exception_type}" if exception_type else ""
        super().__init__(f"LeadSquared refused the request (HTTP {status}{kind}): {message}")


class Ambiguous(RequestError):
    """A write was sent but its fate is unknown; reconcile before sending it again."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"No clear answer from LeadSquared ({reason}); it may have been applied")
