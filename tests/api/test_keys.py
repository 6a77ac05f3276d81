"""`python -m aggregator_api.keys`: a key is printed once, only its hash is stored."""

import json
import subprocess
import sys
from pathlib import Path

from aggregator_api.keys import KeyStore, digest


def keys_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aggregator_api.keys", *args],
        env={"TIDBOK_HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_create_list_revoke(tmp_path: Path) -> None:
    created = keys_cli("create", "--scope", "region:13", "--name", "halland", home=tmp_path)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("tbk_") and "not shown again" in created.stderr
    path = tmp_path / "secrets" / "api_keys.json"
    stored = json.loads(path.read_text())["keys"]
    assert [(k["name"], k["scopes"], k["sha256"]) for k in stored] == [
        ("halland", ["region:13"], digest(key))
    ]
    assert key not in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600
    assert KeyStore(path).lookup(key).name == "halland"

    listed = keys_cli("list", home=tmp_path)
    assert "halland" in listed.stdout and "region:13" in listed.stdout and key not in listed.stdout

    assert keys_cli("revoke", "halland", home=tmp_path).returncode == 0
    assert KeyStore(path).lookup(key) is None
    assert keys_cli("revoke", "halland", home=tmp_path).returncode == 1  # nothing live left


def test_unknown_scopes_are_refused_before_a_key_exists(tmp_path: Path) -> None:
    result = keys_cli("create", "--scope", "admin", "--name", "x", home=tmp_path)
    assert result.returncode == 2 and "Unknown scope" in result.stderr
    assert not (tmp_path / "secrets" / "api_keys.json").exists()
