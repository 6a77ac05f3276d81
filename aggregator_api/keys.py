"""API keys, stored hashed: `python -m aggregator_api.keys create --scope region:13 --name halland`.

A key is `tbk_<id>_<secret>`: the id finds the stored entry, the secret is 256 random
bits. Only SHA-256 of the whole key is stored (with its client name and scopes), in
$TIDBOK_HOME/secrets/api_keys.json (mode 0600; folder 0700); the key itself is printed
once, at creation. A slow password hash (scrypt) would add tens of milliseconds to every
request and protects nothing more here: it exists to stop guessing low-entropy secrets,
and these secrets cannot be guessed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from tidbok.serving.errors import ScopeNotSupported
from tidbok.serving.scope import Scope

PREFIX = "tbk"


@dataclass(frozen=True)
class StoredKey:
    id: str
    name: str  # the client, e.g. "halland"; also its rate-limit identity
    scopes: tuple[str, ...]
    sha256: str
    created_at: str
    revoked: bool = False


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def split_key(key: str) -> str | None:
    """The id of a well-formed key, else None."""
    parts = key.split("_", 2)  # the secret may hold "_" itself
    if len(parts) == 3 and parts[0] == PREFIX and len(parts[1]) == 8 and parts[2]:
        return parts[1]
    return None


class KeyStore:
    """The hashed keys in one file, re-read whenever the file changes."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, StoredKey] = {}

    def lookup(self, key: str) -> StoredKey | None:
        """The stored entry of a presented key: None unless well-formed, known and live."""
        key_id = split_key(key)
        if key_id is None:
            return None
        stored = self._current().get(key_id)
        if stored is None or stored.revoked:
            return None
        return stored if hmac.compare_digest(stored.sha256, digest(key)) else None

    def keys(self) -> list[StoredKey]:
        return list(self._current().values())

    def configured(self) -> bool:
        return self.path.is_file()

    def _current(self) -> dict[str, StoredKey]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (st.st_ino, st.st_mtime_ns)
        with self._lock:
            if stamp != self._stamp:
                self._keys = _read(self.path)
                self._stamp = stamp
            return self._keys

    def create(self, name: str, scopes: list[str]) -> str:
        """Store a new key for `name`; returns the key, which is never stored or shown again."""
        for scope in scopes:
            Scope.parse(scope)  # refuse typos before a key is handed out
        Scope.strongest(scopes)
        existing = _read(self.path) if self.path.is_file() else {}
        key_id = secrets.token_hex(4)
        while key_id in existing:
            key_id = secrets.token_hex(4)
        key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        existing[key_id] = StoredKey(key_id, name, tuple(scopes), digest(key), created)
        _write(self.path, existing)
        return key

    def revoke(self, id_or_name: str) -> list[str]:
        existing = _read(self.path) if self.path.is_file() else {}
        revoked = []
        for key_id, stored in existing.items():
            if id_or_name in (key_id, stored.name) and not stored.revoked:
                existing[key_id] = StoredKey(**{**asdict(stored), "revoked": True})
                revoked.append(key_id)
        if revoked:
            _write(self.path, existing)
        return revoked


def _read(path: Path) -> dict[str, StoredKey]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        entry["id"]: StoredKey(**{**entry, "scopes": tuple(entry["scopes"])})
        for entry in data.get("keys", [])
    }


def _write(path: Path, keys: dict[str, StoredKey]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"keys": [asdict(k) for k in keys.values()]}, out, indent=2)
    os.replace(tmp, path)  # readers see the old file or the new one, never half of one


def main(argv: list[str] | None = None) -> int:
    from aggregator_api.settings import load_settings

    parser = argparse.ArgumentParser(
        prog="python -m aggregator_api.keys",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--file", type=Path, help="key file (default: from the API settings)")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="the client, e.g. halland")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        help="public, national or region:<code>; repeat for several",
    )
    sub.add_parser("list", help="list keys (never the keys themselves)")
    revoke = sub.add_parser("revoke", help="revoke keys by id or client name")
    revoke.add_argument("id_or_name")
    args = parser.parse_args(argv)
    store = KeyStore(args.file or load_settings().api_keys_file)
    if args.command == "create":
        try:
            key = store.create(args.name, args.scope)
        except ScopeNotSupported as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(key)
        print(
            f"stored the hash for {args.name} ({', '.join(args.scope)}) in {store.path}; "
            "the key is not shown again",
            file=sys.stderr,
        )
        return 0
    if args.command == "list":
        for stored in store.keys():
            state = "revoked" if stored.revoked else "live"
            print(
                f"{stored.id}  {stored.name}  {' '.join(stored.scopes)}  {stored.created_at}  "
                f"{state}"
            )
        return 0
    revoked = store.revoke(args.id_or_name)
    print(f"revoked {', '.join(revoked)}" if revoked else "no live key matched", file=sys.stderr)
    return 0 if revoked else 1


if __name__ == "__main__":
    sys.exit(main())
