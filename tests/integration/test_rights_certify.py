"""Certificates from the stored score; revocation by the holder, in the table and the register."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.support.rights import OTHER, SUBJECT, save_score

from creditcity.config import Settings
from creditcity.errors import NotFound
from creditcity.ledger.audit import chain
from creditcity.ledger.tables import revocations
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.certificates import verify
from creditcity.rights.keystore import KeyStore
from creditcity.rights.revocation import RevocationRegister
from creditcity.services.certify import all_revoked, issue_for, revoke_for
from creditcity.services.decide import policy_for

SETTINGS = Settings(city="hangzhou")


def test_a_certificate_states_the_tier_of_the_stored_score_and_is_audited(
    engine: Engine, tmp_path: Path
) -> None:
    keys = KeyStore.open(tmp_path / "keys")
    save_score(engine, SUBJECT, 640, date(2026, 4, 1))
    save_score(engine, SUBJECT, 810, date(2026, 5, 1))

    issued = issue_for(engine, keys, SUBJECT, settings=SETTINGS, audience="landlord:anju")

    claims = verify(issued.token, keys.jwks(), audience="landlord:anju")
    assert claims.tier == policy_for(SETTINGS).tier_for(810).name
    assert issued.score_as_of == "2026-05-01"
    with UnitOfWork(engine) as uow:
        (event,) = [r.event for r in chain(uow.conn, SUBJECT)]
    assert event.action == "certificate.issued"
    assert event.detail["jti"] == claims.jti and event.detail["tier"] == claims.tier
    assert issued.token not in str(event.detail), "the token itself is never logged"


def test_a_thin_file_gets_no_certificate(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="thin file"):
        issue_for(engine, KeyStore.open(tmp_path / "keys"), SUBJECT, settings=SETTINGS)


def test_the_holder_revokes_a_certificate_into_the_table_and_the_register(
    engine: Engine, tmp_path: Path
) -> None:
    keys = KeyStore.open(tmp_path / "keys")
    save_score(engine, SUBJECT, 700, date(2026, 5, 1))
    jti = issue_for(engine, keys, SUBJECT, settings=SETTINGS).claims.jti

    with pytest.raises(NotFound, match=f"no certificate {jti} was issued to this person"):
        revoke_for(engine, keys, OTHER, jti)
    assert revoke_for(engine, keys, SUBJECT, jti) is True
    assert revoke_for(engine, keys, SUBJECT, jti) is False, "revoking twice is harmless"

    with UnitOfWork(engine) as uow:
        assert list(uow.conn.execute(select(revocations.c.jti)).scalars()) == [jti]
        actions = [r.event.action for r in chain(uow.conn, SUBJECT)]
    assert RevocationRegister(keys.directory).jtis() == {jti}
    assert all_revoked(engine, keys) == {jti}
    assert actions == ["certificate.issued", "certificate.revoked", "certificate.revoked"]
