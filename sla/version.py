"""The version of Garantie."""

__version__ = "0.1.0"
