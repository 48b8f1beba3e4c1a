"""A serving process asks glibc for two malloc arenas, unless the operator chose already."""

from __future__ import annotations

import ctypes
import platform

import pytest

from creditcity.cli import malloc_arenas
from creditcity.cli.malloc_arenas import cap_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_accepts_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert cap_malloc_arenas() is True


def test_an_operators_own_setting_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    called: list[object] = []
    monkeypatch.setattr(ctypes, "CDLL", lambda *a: called.append(a))
    assert cap_malloc_arenas() is False
    assert called == []


def test_a_c_library_without_mallopt_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)

    class NoMallopt:
        def __init__(self, _name: str) -> None: ...

    monkeypatch.setattr(malloc_arenas.ctypes, "CDLL", NoMallopt)
    assert cap_malloc_arenas() is False
