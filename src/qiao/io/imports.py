"""Imports of spreadsheets into forms (being written, issue 6)."""
