"""tidbok-analytics: statistics on 1177 Vårdguiden's national booking services."""

__version__ = "0.1.0"
