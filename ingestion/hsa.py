"""HSA-id format: country code, the organisation number, a dash, a local part."""

import re

HSA_ID_PATTERN = r"^SE[0-9]{10}-[A-Za-z0-9]+$"
_HSA_ID = re.compile(HSA_ID_PATTERN)


def is_hsa_id(value: str | None) -> bool:
    return bool(value) and bool(_HSA_ID.match(value))
