"""Qt-free value objects and rules: cases, patients, identifiers, ICD-10, lifecycle.

Imports nothing else of ours (enforced by import-linter, see pyproject.toml).
"""
