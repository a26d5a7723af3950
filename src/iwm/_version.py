"""The package version, in one place (read by the store, the executors and ``iwm --version``)."""

__version__ = "0.1.0"
