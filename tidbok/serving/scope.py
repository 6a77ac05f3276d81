"""Who is asking: the access scope that decides whether disclosure control applies.

DESIGN.md decision 7: `public` sees disclosure-controlled figures; `region:<code>` and
`national` see uncontrolled unit figures. Only `public` is served today; the other scopes
are parsed here so that the check lives beside the query layer when auth arrives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tidbok.serving.errors import ScopeNotSupported

_REGION_SCOPE = re.compile(r"^region:(\d{2})$")


@dataclass(frozen=True)
class Scope:
    kind: str  # "public" | "region" | "national"
    region: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        if text in ("public", "national"):
            return cls(text)
        match = _REGION_SCOPE.match(text)
        if match:
            return cls("region", match.group(1))
        raise ScopeNotSupported(
            f"Unknown scope {text!r}; expected 'public', 'national' or 'region:<two-digit code>'."
        )

    def __str__(self) -> str:
        return f"region:{self.region}" if self.kind == "region" else self.kind


PUBLIC = Scope("public")


def require_public(scope: Scope) -> None:
    """Refuse scopes whose rules (uncontrolled unit figures) are not implemented yet."""
    if scope != PUBLIC:
        raise ScopeNotSupported(
            f"Scope {scope} is not served yet; only 'public' (disclosure-controlled) figures are."
        )
