"""Who is looking: password hashes, the local users file, OIDC claims, the sign-in form."""

from pathlib import Path

import pytest

from dashboards import auth
from tests.dashboards.apptest import open_page
from tidbok.serving import NATIONAL, PUBLIC, Scope

FAST = 1000  # iterations: the real default is slow on purpose


def test_password_hashes_verify_and_differ_per_salt() -> None:
    first, second = auth.hash_password("hemligt", iterations=FAST), auth.hash_password(
        "hemligt", iterations=FAST)
    assert first != second and first.startswith("pbkdf2_sha256$1000$")
    assert auth.verify_password("hemligt", first)
    assert not auth.verify_password("Hemligt", first)
    assert not auth.verify_password("hemligt", "pbkdf2_sha256$x$y$z")
    assert not auth.verify_password("hemligt", "md5$abc")


def write_users(path: Path) -> Path:
    path.write_text(
        "[users.halland]\n"
        'name = "Analytiker Halland"\n'
        'scope = "region:13"\n'
        f'password_hash = "{auth.hash_password("halland-pw", iterations=FAST)}"\n'
        "[users.riket]\n"
        'scope = "national"\n'
        f'password_hash = "{auth.hash_password("riket-pw", iterations=FAST)}"\n',
        encoding="utf-8")
    return path


def test_users_file_gives_each_user_a_scope(tmp_path: Path) -> None:
    users = auth.load_users(write_users(tmp_path / "users.toml"))
    assert users["halland"].scope == Scope("region", "13")
    assert users["riket"].scope == NATIONAL and users["riket"].name == "riket"
    assert auth.authenticate(users, "halland", "halland-pw").scope == Scope("region", "13")
    assert auth.authenticate(users, "halland", "wrong") is None
    assert auth.authenticate(users, "nobody", "halland-pw") is None


@pytest.mark.parametrize("body", [
    '[users.a]\nscope = "region:1"\npassword_hash = "pbkdf2_sha256$1$a$b"\n',
    '[users.a]\nscope = "public"\npassword_hash = "plain-text"\n',
    "not toml at all [",
])
def test_a_broken_users_file_is_refused_without_leaking_it(tmp_path: Path, body: str) -> None:
    path = tmp_path / "users.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(auth.UsersFileError) as raised:
        auth.load_users(path)
    assert "plain-text" not in str(raised.value)


def test_oidc_claims_map_to_the_strongest_scope() -> None:
    assert auth.scope_from_claims({"tidbok_scopes": "openid region:13"}) == Scope("region", "13")
    assert auth.scope_from_claims({"tidbok_scopes": ["region:13", "national"]}) == NATIONAL
    assert auth.scope_from_claims({"email": "a@b.se"}) == PUBLIC
    assert auth.scope_from_claims({"tidbok_scopes": "region:13 region:14"}) == PUBLIC
    assert auth.scope_from_claims({"roles": ["region:01"]}, claim="roles") == Scope("region", "01")


def test_oidc_is_configured_only_by_an_auth_section() -> None:
    assert auth.oidc_providers({}) is None
    assert auth.oidc_providers({"auth": {"client_id": "x", "redirect_uri": "y"}}) == []
    assert auth.oidc_providers({"auth": {"redirect_uri": "y", "inera": {"client_id": "x"}}}) \
        == ["inera"]


def test_sign_in_with_the_local_users_file(dashboard_home, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.USERS_ENV, str(write_users(tmp_path / "users.toml")))
    app = open_page("benefits")
    assert any("Offentlig vy" in c.value for c in app.sidebar.caption)
    app.sidebar.text_input(key="sign_in_user").input("halland")
    app.sidebar.text_input(key="sign_in_password").input("wrong")
    app.sidebar.button[0].click().run()
    assert any("Fel användarnamn eller lösenord" in e.value for e in app.sidebar.error)
    app.sidebar.text_input(key="sign_in_password").input("halland-pw")
    app.sidebar.button[0].click().run()
    assert not app.exception
    assert app.session_state[auth.SESSION_KEY].scope == Scope("region", "13")
    assert any("Inloggad: Analytiker Halland (region Region Halland)" in c.value
               for c in app.sidebar.caption)
    app.sidebar.button(key="local_sign_out").click().run()
    assert any("Offentlig vy" in c.value for c in app.sidebar.caption)


def test_without_a_users_file_there_is_no_sign_in(dashboard_home) -> None:
    app = open_page("benefits")
    assert not app.sidebar.text_input
