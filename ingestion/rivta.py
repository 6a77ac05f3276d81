"""The national platform's conventions (RIVTA): TS timestamps, service namespaces,
system HSA-ids, and safe, offline validation of RIVTA XML against its XSD.

Shared by the aggregation-layer feeds (SOURCES.md section 2).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import polars as pl
import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from ingestion.privacy import scrub_text

# TS: YYYYMMDDhhmmss, Swedish local time (RIVTA core components' `TS` type).
TS_PATTERN = r"^[0-9]{14}$"
TS_FORMAT = "%Y%m%d%H%M%S"

# HSA-ids as the platform uses them: a unit (`SE2321000016-A1D4`), a system with the
# "16" organisation-number prefix (`SE165565594230-1000`), or a certificate-bound
# consumer (`T-SERVICES-SE165565594230-10SZ`). A superset of ingestion.hsa's unit pattern.
PLATFORM_HSA_ID_PATTERN = r"^(?:T-SERVICES-)?SE(?:16)?[0-9]{10}-[A-Za-z0-9]+$"
# 1177's e-services call the platform as these certificate HSA-ids (SOURCES.md 2d).
ESERVICES_1177_PREFIX = "T-SERVICES-SE165565594230-"

# urn:riv:<domain, colon-separated>:<Interaction>Responder:<major version>
_NAMESPACE = re.compile(r"^urn:riv:(?P<domain>[A-Za-z0-9]+(?::[A-Za-z0-9]+)*)"
                        r":(?P<interaction>[A-Za-z0-9]+)Responder:(?P<major>[0-9]+)$")
NAMESPACE_PATTERN = _NAMESPACE.pattern
# Domains whose traffic is booking traffic (SOURCES.md 2d), any interaction, any version.
BOOKING_DOMAINS = ("crm:scheduling", "supportprocess:logistics:scheduling")

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "rivta-crm-scheduling-1.1"
RESPONDER_XSD = (SCHEMA_DIR / "interactions" / "GetSubjectOfCareScheduleInteraction"
                 / "GetSubjectOfCareScheduleResponder_1.1.xsd")
RESPONDER_NS = "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1"
CORE_NS = "urn:riv:crm:scheduling:1"
EXT_NS = "urn:riv:crm:scheduling:1.1"


def ts_expr(expr: pl.Expr) -> pl.Expr:
    """A TS string as a naive local timestamp; null when it is not a real time.

    The shape is checked first: Polars' lenient parse would accept a value cut short."""
    return (pl.when(expr.str.contains(TS_PATTERN))
            .then(expr.str.strptime(pl.Datetime("us"), TS_FORMAT, strict=False))
            .otherwise(None))


def parse_namespace(namespace: str) -> tuple[str, str, int] | None:
    """(service domain, interaction, major version) of a RIVTA responder namespace."""
    match = _NAMESPACE.match(namespace or "")
    if not match:
        return None
    return match["domain"], match["interaction"], int(match["major"])


def namespace_parts(expr: pl.Expr) -> list[pl.Expr]:
    """The vectorised parse_namespace: service_domain, interaction, major_version."""
    return [
        expr.str.extract(NAMESPACE_PATTERN, 1).alias("service_domain"),
        expr.str.extract(NAMESPACE_PATTERN, 2).alias("interaction"),
        expr.str.extract(NAMESPACE_PATTERN, 3).cast(pl.Int16).alias("major_version"),
    ]


# ---------------------------------------------------------------- XML


class UnsafeOrBrokenXml(ValueError):
    """An XML member that is not well-formed or tries DTD/entity tricks; no content quoted."""


def parse_xml_safely(data: bytes) -> Element:
    """Parse untrusted XML: no DTD at all (so no entity expansion, no billion laughs,
    no external entity or network fetch). RIVTA messages never carry a DTD."""
    try:
        return defused_fromstring(data, forbid_dtd=True, forbid_entities=True,
                                  forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeOrBrokenXml(f"forbidden XML construct ({type(exc).__name__}: "
                                "DTDs and entity declarations are not allowed)") from None
    except ParseError as exc:
        raise UnsafeOrBrokenXml(f"not well-formed XML: {exc}") from None


@cache
def subject_of_care_schedule_schema() -> xmlschema.XMLSchema:
    """The GetSubjectOfCareScheduleResponder 1.1 schema, loaded from the product's own
    copy: local files only (never the network; the imports are relative paths inside
    SCHEMA_DIR), schema files parsed defused."""
    return xmlschema.XMLSchema(str(RESPONDER_XSD), allow="local", defuse="always")


_LONG_NUMBER = re.compile(r"[0-9]{6,}")
_CLARK = re.compile(r"\{[^}]*\}")


def xsd_errors(element: Element, limit: int = 3) -> list[str]:
    """The first XSD violations of a parsed document, safe to store: where and why,
    never the instance text, scrubbed of anything number-like."""
    messages = []
    schema = subject_of_care_schedule_schema()
    # No xsi:schemaLocation hints: a member must never make us load another schema.
    for error in schema.iter_errors(element, use_location_hints=False):
        messages.append(_describe(error))
        if len(messages) >= limit:
            break
    return messages


def _describe(error: xmlschema.XMLSchemaValidationError) -> str:
    where = _local_path(getattr(error, "path", None))
    validator = error.validator
    if type(validator).__name__ == "XsdPatternFacets":
        type_name = getattr(getattr(validator, "parent", None), "name", None) or "its type"
        reason = f"does not match the pattern of {local_name(type_name)}"
    else:
        reason = (error.reason or type(error).__name__).splitlines()[0]
    reason = _LONG_NUMBER.sub("…", scrub_text(_CLARK.sub("", reason)))[:200]
    return f"{where}: {reason}" if where else reason


def _local_path(path: str | None) -> str | None:
    """/{urn…}GetSubjectOfCareScheduleResponse/tns:timeslotDetail → /…Response/timeslotDetail."""
    if not path:
        return None
    return "/".join(part.split(":")[-1] for part in _CLARK.sub("", path).split("/"))


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
