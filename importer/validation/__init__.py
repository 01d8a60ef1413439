"""Validation: pandera schemas built from a mapping; every row problem is a value."""

from importer.validation.checker import CheckedChunk, Checker

__all__ = ["CheckedChunk", "Checker"]
