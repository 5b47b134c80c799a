"""Coalition: one trustworthy record for multinational capability coalitions."""

__version__ = "0.1.0"
