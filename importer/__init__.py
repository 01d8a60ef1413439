"""lsq-import: dry-run, import and review spreadsheets of opportunities for LeadSquared."""

__version__ = "0.1.0"
