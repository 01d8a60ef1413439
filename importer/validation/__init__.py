"""Validation: pandera schemas built from a mapping; every row problem is a value."""

from importer.validation.checker import CheckedChunk, Checker, check_source

__all__ = ["CheckedChunk", "Checker", "check_source"]
