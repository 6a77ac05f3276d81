import os
import stat

from ingestion import pseudonym


def test_keyed_pseudonym_is_stable_and_depends_on_the_key():
    a = pseudonym.pseudonymise("191212121212", b"key-a")
    assert a == pseudonym.pseudonymise("191212121212", b"key-a")
    assert a != pseudonym.pseudonymise("191212121212", b"key-b")
    assert len(a) == 64 and "191212121212" not in a


def test_key_file_is_created_once_with_mode_0600(tidbok_home, monkeypatch):
    monkeypatch.delenv(pseudonym.KEY_ENV)
    pseudonym._key_for.cache_clear()
    first = pseudonym.pseudonym_key()
    path = pseudonym.key_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    pseudonym._key_for.cache_clear()
    assert pseudonym.pseudonym_key() == first


def test_environment_key_wins(tidbok_home):
    assert pseudonym.pseudonym_key() == b"test-key-not-secret"
