"""djstate: a source-only model of a Django project's state."""

__version__ = "0.1.0"
