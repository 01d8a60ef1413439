"""Shared fixtures. The sandbox fixtures live in importer.sandbox.testing so that
benchmarks and other projects' tests can use them too."""

pytest_plugins = ["importer.sandbox.testing"]
