"""Typed errors of the query layer, so each caller (API, dashboard, CLI) can map them itself.

Messages are written for the person who sent the query: they say what was wrong and
what would be accepted. They never contain row data.
"""

from __future__ import annotations


class ServingError(Exception):
    """Base class: the serving file could not answer."""


class ServingNotPublished(ServingError):
    """No serving file has been published under TIDBOK_HOME yet."""


class ServingContractBroken(ServingError):
    """The serving file lacks a table or row that the serving contract promises."""


class NotYetPublished(ServingError):
    """The catalogue lists the metric (or table) but the serving file does not hold it yet."""


class OutOfScope(ServingError):
    """The caller's access scope does not cover what was asked (DESIGN.md decision 7)."""


class InvalidQuery(ServingError):
    """The caller asked for something the served tables cannot answer."""


class UnknownMetric(InvalidQuery):
    pass


class UnknownDimension(InvalidQuery):
    pass


class InvalidRegion(InvalidQuery):
    pass


class InvalidPeriod(InvalidQuery):
    pass


class ScopeNotSupported(InvalidQuery):
    pass
