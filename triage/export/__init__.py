"""Exports: gogen-compatible files, court exhibits, the decisions log, the summary report.

Every export is staged and renamed into place all at once with a manifest
(`triage.export.bundle`); CSV cells follow one of two profiles (`triage.export.csvfmt`).
"""
