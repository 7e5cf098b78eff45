"""triage: Prop 64 conviction review for California prosecutors."""

__version__ = "0.1.0"
