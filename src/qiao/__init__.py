"""qiao — open-source no-code customer management platform."""

__version__ = "0.1.0"
