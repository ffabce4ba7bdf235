"""linkwise: accountable person-record integration for investigative case work."""

__version__ = "0.1.0"
