from __future__ import annotations

import pytest

from badges.storage.instance import load_instance
from badges.storage.sealing import SealBroken, Sealer


def test_sealed_bytes_open_only_with_the_same_secret() -> None:
    token = Sealer("secret-one").seal(b"private key")
    assert b"private key" not in token
    assert Sealer("secret-one").open(token) == b"private key"
    with pytest.raises(SealBroken):
        Sealer("secret-two").open(token)
    with pytest.raises(SealBroken):
        Sealer("secret-one", purpose="connector-secrets").open(token)


def test_instance_secret_is_generated_once_and_kept(tmp_path) -> None:
    env = {"CHEMINS_INSTANCE_DIR": str(tmp_path / "inst")}
    first = load_instance(env, create=True)
    second = load_instance(env, create=True)
    assert first.secret_key == second.secret_key and len(first.secret_key) > 40
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first.database_url == f"sqlite:///{tmp_path / 'inst' / 'chemins.db'}"


def test_environment_secret_wins(tmp_path) -> None:
    env = {"CHEMINS_INSTANCE_DIR": str(tmp_path), "CHEMINS_SECRET_KEY": "given"}
    assert load_instance(env, create=True).secret_key == "given"
    assert not (tmp_path / "secret_key").exists()
