"""The keyed pseudonym that replaces every personal identifier at the gate.

HMAC-SHA256 with a secret key (DESIGN.md decision 5): a plain hash of a
personnummer is reversible by enumerating the ~10^8 valid numbers, a keyed one
is not without the key. The key comes from TIDBOK_PSEUDONYM_KEY or a key file
created on first use with mode 0600; it is never printed or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from tidbok import config

KEY_ENV = "TIDBOK_PSEUDONYM_KEY"


def key_file() -> Path:
    return config.home() / "secrets" / "pseudonym.key"


def _create_key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    key = secrets.token_hex(32).encode()
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


@lru_cache(maxsize=4)
def _key_for(env_value: str | None, path: str) -> bytes:
    if env_value:
        return env_value.encode()
    file = Path(path)
    if file.exists():
        return file.read_bytes().strip()
    return _create_key_file(file)


def pseudonym_key() -> bytes:
    return _key_for(os.environ.get(KEY_ENV), str(key_file()))


def pseudonymise(normalised_id: str, key: bytes | None = None) -> str:
    """Return the 64-hex-character pseudonym of a normalised identifier."""
    mac = hmac.new(key or pseudonym_key(), normalised_id.encode(), hashlib.sha256)
    return mac.hexdigest()
