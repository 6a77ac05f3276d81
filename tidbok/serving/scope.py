"""Who is asking: the access scope that decides what is served and whether it is controlled.

DESIGN.md decision 7, checked here beside the query layer rather than in a route or page:
- `public` sees disclosure-controlled national and regional figures, never unit cuts;
- `region:<code>` additionally sees its own region's figures uncontrolled, per unit too;
- `national` sees every region's figures uncontrolled, per unit too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tidbok.serving.errors import OutOfScope, ScopeNotSupported

_REGION_SCOPE = re.compile(r"^region:(\d{2})$")
NATIONAL_REGION = "00"  # the region code of national totals (contract: '00' = Sweden)


@dataclass(frozen=True)
class Scope:
    kind: str  # "public" | "region" | "national"
    region: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        if text in ("public", "national"):
            return cls(text)
        match = _REGION_SCOPE.match(text)
        if match and match.group(1) != NATIONAL_REGION:
            return cls("region", match.group(1))
        raise ScopeNotSupported(
            f"Unknown scope {text!r}; expected 'public', 'national' or 'region:<two-digit code>'."
        )

    @classmethod
    def strongest(cls, texts: Iterable[str]) -> Scope:
        """The one scope a credential grants from its list (unknown entries are ignored)."""
        scopes = set()
        for text in texts:
            try:
                scopes.add(cls.parse(text))
            except ScopeNotSupported:
                continue  # tokens carry other scopes too (openid, profile, ...)
        if NATIONAL in scopes:
            return NATIONAL
        regional = sorted(s.region for s in scopes if s.kind == "region")
        if len(regional) > 1:
            raise ScopeNotSupported(
                f"A credential may carry one region scope; this one carries {len(regional)} "
                f"({', '.join(regional)}). Ask for one credential per region."
            )
        return cls("region", regional[0]) if regional else PUBLIC

    def __str__(self) -> str:
        return f"region:{self.region}" if self.kind == "region" else self.kind

    def sees_uncontrolled(self, region_code: str) -> bool:
        """Whether rows of this region (or '00', the nation) are served without control."""
        if self.kind == "national":
            return True
        return self.kind == "region" and region_code == self.region

    def require_unit_access(self, region: str | None) -> None:
        """Unit-level cuts: only a region's own units, or any for the national scope."""
        if self.kind == "national":
            return
        if self.kind == "region":
            if region == self.region:
                return
            raise OutOfScope(
                f"Scope {self} sees unit-level figures of region {self.region} only; "
                f"ask with region={self.region}."
            )
        raise OutOfScope(
            "Unit-level figures are not public: they need a region or national token "
            "(Authorization: Bearer ...)."
        )


PUBLIC = Scope("public")
NATIONAL = Scope("national")
