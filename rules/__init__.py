"""Pure Prop 64 rules: charge parsing, predicates, policy packs and the engine.

This package must never import textual, sqlite3 or sqlite_utils (tests/packs/test_boundary.py).
"""
