"""The city's Ed25519 signing keys, kept in one directory, published as a JWKS.

Layout of the directory (created with mode 0700, every file 0600)::

    keys.json          manifest: the active kid, and when each key was made and retired
    <kid>.pem          the active private key (PKCS#8 PEM); deleted when the key retires
    <kid>.pub.pem      the public key of every key, active or retired (SubjectPublicKeyInfo PEM)

A ``kid`` is the RFC 7638 thumbprint of the public key, so anyone can check
that a published key and its id belong together. :meth:`KeyStore.rotate`
makes a new active key; a retired key stays in the JWKS for
:data:`MAX_CERTIFICATE_TTL` after it retires, so every certificate it signed
verifies until it expires, and then drops out. The private key of a retired
key is deleted: nothing can be signed with it again.

The manifest is replaced atomically after the new key files exist, so a crash
in the middle of a rotation leaves the old key active and a stray file, never
a store without an active key. Two rotations at the same moment are not
guarded against: rotation is an operator's command, run by one person.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from creditcity.errors import InputRejected, NotFound, Problem
from creditcity.rights._clock import moment

__all__ = ["MAX_CERTIFICATE_TTL", "KeyStore", "b64url", "jwk_for", "thumbprint"]

#: No certificate lives longer than this; a retired key is published this long after it retires.
MAX_CERTIFICATE_TTL = timedelta(days=366)

_MANIFEST = "keys.json"


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE spells binary values."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def thumbprint(public: Ed25519PublicKey) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256) of an Ed25519 public key: its ``kid``."""
    members = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": b64url(_raw(public))}, separators=(",", ":")
    )
    return b64url(hashlib.sha256(members.encode("ascii")).digest())


def jwk_for(public: Ed25519PublicKey) -> dict[str, str]:
    """The public JWK a verifier needs for this key."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(_raw(public)),
        "kid": thumbprint(public),
        "use": "sig",
        "alg": "EdDSA",
    }


@dataclass(frozen=True, slots=True)
class _KeyEntry:
    kid: str
    created_at: str
    retired_at: str | None = None


class KeyStore:
    """The signing keys in ``directory``; :meth:`open` creates the first key when none exist."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @classmethod
    def open(cls, directory: Path, *, now: datetime | None = None) -> KeyStore:
        """The store in ``directory``, made (with a first active key) if it is empty."""
        store = cls(directory)
        if not (store.directory / _MANIFEST).exists():
            store.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            kid = store._write_new_key()
            store._write_manifest(kid, [_KeyEntry(kid, _iso(now))])
        return store

    @property
    def active_kid(self) -> str:
        return str(self._manifest()["active"])

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The active kid and private key; refuses a key file others can read."""
        kid = self.active_kid
        path = self.directory / f"{kid}.pem"
        if not path.exists():
            raise NotFound(
                f"the active private key {path} is missing; restore it from backup "
                "or run `creditcity certificate rotate` to make a new one"
            )
        _require_private_mode(path)
        key = _load(path, private=True)
        if not isinstance(key, Ed25519PrivateKey) or thumbprint(key.public_key()) != kid:
            raise InputRejected(
                "the active signing key does not match its id",
                problems=[
                    Problem(
                        message="not the Ed25519 key named by the manifest",
                        where=str(path),
                        expected=f"the private key of kid {kid}",
                    )
                ],
            )
        return kid, key

    def rotate(self, *, now: datetime | None = None) -> str:
        """Make a new active key, retire the old one (public part kept), return the new kid."""
        old = self.active_kid
        entries = [
            _KeyEntry(e.kid, e.created_at, _iso(now) if e.kid == old else e.retired_at)
            for e in self._entries()
        ]
        kid = self._write_new_key()
        self._write_manifest(kid, [_KeyEntry(kid, _iso(now)), *entries])
        (self.directory / f"{old}.pem").unlink(missing_ok=True)
        return kid

    def jwks(self, *, now: datetime | None = None) -> dict[str, list[dict[str, str]]]:
        """The public keys a verifier needs now: the active one first, then recent retirees."""
        at = moment(now)
        keys = []
        for entry in self._entries():
            if entry.retired_at is not None and (
                datetime.fromisoformat(entry.retired_at) + MAX_CERTIFICATE_TTL <= at
            ):
                continue
            keys.append(jwk_for(self._public_key(entry.kid)))
        return {"keys": keys}

    def _public_key(self, kid: str) -> Ed25519PublicKey:
        path = self.directory / f"{kid}.pub.pem"
        key = _load(path, private=False)
        if not isinstance(key, Ed25519PublicKey) or thumbprint(key) != kid:
            raise InputRejected(
                "a public key file does not match its id",
                problems=[Problem(message="not the Ed25519 key its name says", where=str(path))],
            )
        return key

    def _write_new_key(self) -> str:
        key = Ed25519PrivateKey.generate()
        kid = thumbprint(key.public_key())
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _write_private(self.directory / f"{kid}.pem", private)
        _write_private(self.directory / f"{kid}.pub.pem", public)
        return kid

    def _manifest(self) -> dict[str, Any]:
        path = self.directory / _MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or not isinstance(manifest.get("active"), str):
                raise ValueError("no active kid")
        except FileNotFoundError:
            raise NotFound(
                f"no key store in {self.directory}; run `creditcity certificate "
                f"rotate --keys {self.directory}` to create one"
            ) from None
        except ValueError as error:
            raise InputRejected(
                "the key store manifest is damaged",
                problems=[
                    Problem(
                        message=str(error),
                        where=str(path),
                        expected='{"active": KID, "keys": [...]}',
                    )
                ],
            ) from error
        return manifest

    def _entries(self) -> list[_KeyEntry]:
        return [_KeyEntry(**entry) for entry in self._manifest().get("keys", [])]

    def _write_manifest(self, active: str, entries: list[_KeyEntry]) -> None:
        body = {
            "active": active,
            "keys": [
                {"kid": e.kid, "created_at": e.created_at, "retired_at": e.retired_at}
                for e in entries
            ],
        }
        final = self.directory / _MANIFEST
        temporary = final.with_name(_MANIFEST + ".tmp")
        temporary.unlink(missing_ok=True)
        _write_private(temporary, json.dumps(body, indent=2).encode("utf-8"))
        os.replace(temporary, final)


def _load(path: Path, *, private: bool) -> object:
    """The key in a PEM file, or an error naming the file (never a traceback)."""
    try:
        data = path.read_bytes()
        if private:
            return serialization.load_pem_private_key(data, password=None)
        return serialization.load_pem_public_key(data)
    except FileNotFoundError:
        raise NotFound(
            f"key file {path} is missing; restore the key directory from backup"
        ) from None
    except (ValueError, TypeError) as error:
        raise InputRejected(
            "a key file is unreadable",
            problems=[Problem(message=str(error), where=str(path), expected="an Ed25519 PEM key")],
        ) from error


def _iso(now: datetime | None) -> str:
    return moment(now).isoformat()


def _write_private(path: Path, data: bytes) -> None:
    """Write a new file readable by its owner only, whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.chmod(path, 0o600)


def _require_private_mode(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise InputRejected(
            "a private key is readable by other users",
            problems=[
                Problem(
                    message=f"mode is {mode:o}",
                    where=str(path),
                    expected=f"mode 600 (run: chmod 600 {path})",
                )
            ],
        )
