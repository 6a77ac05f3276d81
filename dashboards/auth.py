"""Who is looking: the access scope of the dashboard user (DESIGN.md decision 7).

Three modes, picked by configuration (README, "Dashboards"):

- OIDC: when `.streamlit/secrets.toml` has an `[auth]` section, Streamlit's own `st.login`
  signs the user in with the identity provider; the scope comes from the ID token claim
  named by TIDBOK_SCOPE_CLAIM (default `tidbok_scopes`: a list or a space-separated
  string such as "region:13").
- local: TIDBOK_DASHBOARD_USERS names a TOML file of users, each with a scope and a
  PBKDF2 password hash (`python -m dashboards.auth hash-password` makes one); a sign-in
  form in the sidebar checks them.
- public (neither configured): no sign-in, disclosure-controlled figures only.

This module only decides the scope. It is enforced where the API's is: every read goes
through dashboards.queries with the scope, and the query layer decides what to serve.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import secrets
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidbok.serving import PUBLIC, Scope, ScopeNotSupported

USERS_ENV = "TIDBOK_DASHBOARD_USERS"
SCOPE_CLAIM_ENV = "TIDBOK_SCOPE_CLAIM"
OIDC_PROVIDER_ENV = "TIDBOK_OIDC_PROVIDER"
DEFAULT_SCOPE_CLAIM = "tidbok_scopes"
HASH_SCHEME = "pbkdf2_sha256"
HASH_ITERATIONS = 600_000  # OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256
SESSION_KEY = "tidbok_user"


class UsersFileError(ValueError):
    """The local users file is missing or malformed (the message never holds a password)."""


@dataclass(frozen=True)
class User:
    username: str
    name: str
    scope: Scope


@dataclass(frozen=True)
class LocalUser:
    username: str
    name: str
    scope: Scope
    password_hash: str


# ---------------------------------------------------------------- passwords


def hash_password(password: str, *, iterations: int = HASH_ITERATIONS,
                  salt: bytes | None = None) -> str:
    """'pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>' for the users file."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    encode = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"{HASH_SCHEME}${iterations}${encode(salt)}${encode(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against a stored hash; False for any malformed hash."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != HASH_SCHEME:
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), base64.b64decode(salt, validate=True),
            int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


# ---------------------------------------------------------------- local users


def load_users(path: Path) -> dict[str, LocalUser]:
    """The users of a TOML file: [users.<name>] with scope, password_hash and optional name."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsersFileError(f"The dashboard users file {path} cannot be read: {exc}") from exc
    users = {}
    for username, entry in (document.get("users") or {}).items():
        if not isinstance(entry, Mapping):
            raise UsersFileError(f"{path}: users.{username} must be a table")
        try:
            scope = Scope.parse(str(entry.get("scope", "")))
        except ScopeNotSupported as exc:
            raise UsersFileError(f"{path}: users.{username}.scope: {exc}") from exc
        stored = entry.get("password_hash")
        if not isinstance(stored, str) or not stored.startswith(f"{HASH_SCHEME}$"):
            raise UsersFileError(
                f"{path}: users.{username}.password_hash must be a {HASH_SCHEME} hash "
                "(python -m dashboards.auth hash-password)"
            )
        users[username] = LocalUser(username, str(entry.get("name") or username), scope, stored)
    return users


def users_file() -> Path | None:
    configured = os.environ.get(USERS_ENV)
    return Path(configured) if configured else None


def authenticate(users: Mapping[str, LocalUser], username: str, password: str) -> User | None:
    """The user when the password matches; None otherwise (same work either way)."""
    user = users.get(username)
    # Hash even for unknown names, so the time taken does not tell which names exist.
    stored = user.password_hash if user else hash_password("", iterations=1000)
    if verify_password(password, stored) and user is not None:
        return User(user.username, user.name, user.scope)
    return None


# ---------------------------------------------------------------- OIDC


def scope_from_claims(claims: Mapping[str, Any], claim: str | None = None) -> Scope:
    """The strongest scope an identity token grants; public when it grants none."""
    value = claims.get(claim or os.environ.get(SCOPE_CLAIM_ENV) or DEFAULT_SCOPE_CLAIM)
    if value is None:
        return PUBLIC
    texts: Iterable[str] = value.split() if isinstance(value, str) else map(str, value)
    try:
        return Scope.strongest(texts)
    except ScopeNotSupported:
        return PUBLIC  # several regions in one token: refuse the extra access, not the page


def oidc_providers(secrets_mapping: Mapping[str, Any]) -> list[str] | None:
    """None when OIDC is not configured; [] for a single unnamed provider; else the names."""
    auth = secrets_mapping.get("auth") if secrets_mapping else None
    if not isinstance(auth, Mapping):
        return None
    named = [key for key, value in auth.items() if isinstance(value, Mapping)]
    if "client_id" in auth or not named:
        return []
    preferred = os.environ.get(OIDC_PROVIDER_ENV)
    return [preferred] if preferred in named else named


def main(argv: list[str]) -> int:
    """`python -m dashboards.auth hash-password`: print a hash for the users file."""
    if argv[:1] != ["hash-password"]:
        print("usage: python -m dashboards.auth hash-password", file=sys.stderr)
        return 2
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Again: "):
        print("The passwords differ.", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
