"""One data directory: the pseudonym secret is made there on first use, privately, once."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from creditcity.config import Settings, default_home
from creditcity.errors import InputRejected


def test_the_default_home_is_the_xdg_data_directory_not_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CREDITCITY_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings(pseudonym_secret="given-secret-123").home == tmp_path / "xdg" / "creditcity"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_home() == Path.home() / ".local" / "share" / "creditcity"


def test_a_secret_is_made_on_first_use_readable_only_by_its_owner_and_kept(
    tmp_path: Path,
) -> None:
    first = Settings(home=tmp_path / "home")
    path = tmp_path / "home" / "pseudonym-secret"
    assert len(first.pseudonym_secret) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(home=tmp_path / "home").pseudonym_secret == first.pseudonym_secret
    assert Settings(home=tmp_path / "other").pseudonym_secret != first.pseudonym_secret


def test_a_secret_given_in_the_environment_wins_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITCITY_PSEUDONYM_SECRET", "from-the-environment")
    assert Settings(home=tmp_path / "home").pseudonym_secret == "from-the-environment"
    assert not (tmp_path / "home").exists()


def test_a_too_short_secret_is_refused_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as caught:
        Settings(home=tmp_path, pseudonym_secret="short")
    assert caught.value.problems[0].field == "CREDITCITY_PSEUDONYM_SECRET"


def test_an_emptied_secret_file_is_refused_rather_than_replaced(tmp_path: Path) -> None:
    (tmp_path / "pseudonym-secret").write_text("\n", encoding="utf-8")
    with pytest.raises(InputRejected, match="empty or too short"):
        Settings(home=tmp_path)
