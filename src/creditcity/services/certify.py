"""Credit certificates issued from the stored score, revoked by the person who holds them.

The tier on a certificate is never typed in: it is looked up from the
person's current stored score through the policy's bands, so a certificate
can only ever state what the city's own file says. A person without a score
(a thin file) gets no certificate. Issuing and revoking are audited; the
audit row of an issue (its ``jti``, tier, audience and expiry, never the
token) is also how a revocation is checked to come from the holder.
Revocations are stored in the ``revocations`` table and in the key
directory's register, from which the signed list for verifiers is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.errors import NotFound
from creditcity.ledger.audit import chain, record_access
from creditcity.ledger.consents import record_revocation, revoked_jtis
from creditcity.ledger.portal_certificates import keep, kept_token
from creditcity.ledger.scores import current_score
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.rights.certificates import DEFAULT_TTL, CertificateClaims, issue_certificate, verify
from creditcity.rights.holder import HolderBinding
from creditcity.rights.keystore import KeyStore
from creditcity.rights.revocation import RevocationList, RevocationRegister
from creditcity.services.decide import policy_for

PURPOSE = "credit certificate"
ISSUED = "certificate.issued"


@dataclass(frozen=True, slots=True)
class Issued:
    token: str
    claims: CertificateClaims
    score_as_of: str

    def as_dict(self) -> dict[str, Any]:
        return {"token": self.token, **self.claims.as_dict(), "score_as_of": self.score_as_of}


def issue_for(
    engine: Engine,
    keystore: KeyStore,
    subject: str,
    *,
    settings: Settings,
    audience: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    holder: HolderBinding | None = None,
    now: datetime | None = None,
) -> Issued:
    """Sign a certificate of ``subject``'s current tier; refuse a thin file."""
    with UnitOfWork(engine) as uow:
        stored = current_score(uow.conn, subject)
        if stored is None:
            raise NotFound(
                "thin file: this person has no score yet, so there is no tier to certify; "
                "a certificate can be issued once records have been scored (`creditcity score`)"
            )
        tier = policy_for(settings).tier_for(stored.score).name
        token = issue_certificate(
            keystore,
            tier=tier,
            # the resident's own city (where they were scored), not the bureau's default
            city=stored.city or settings.city,
            audience=audience,
            ttl=ttl,
            now=now,
            holder=holder,
        )
        claims = verify(token, keystore.jwks(now=now), audience=audience, now=now)
        record_access(
            uow.conn,
            actor="resident",
            role="resident",
            purpose=PURPOSE,
            action=ISSUED,
            subject=subject,
            detail={
                "jti": claims.jti,
                "tier": tier,
                "audience": audience,
                "expires_at": claims.expires_at.isoformat(),
                "holder_bound": holder is not None,
            },
        )
        uow.commit()
    return Issued(token, claims, stored.as_of.isoformat())


def revoke_for(
    engine: Engine, keystore: KeyStore, subject: str, jti: str, *, now: datetime | None = None
) -> bool:
    """Revoke a certificate issued to ``subject``; False if it already was revoked."""
    at = now or datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        issued = any(
            row.event.action == ISSUED and row.event.detail.get("jti") == jti
            for row in chain(uow.conn, subject)
        )
        if not issued:
            raise NotFound(
                f"no certificate {jti} was issued to this person; their access report "
                "lists the certificates they were issued"
            )
        new = record_revocation(uow.conn, jti, at.astimezone(UTC).replace(tzinfo=None))
        # The register is written before the commit: if the commit then fails, the
        # certificate is revoked once too often, never left valid after a revocation.
        RevocationRegister(keystore.directory).revoke(jti, now=at)
        record_access(
            uow.conn,
            actor="resident",
            role="resident",
            purpose=PURPOSE,
            action="certificate.revoked",
            subject=subject,
            detail={"jti": jti, "new": new},
        )
        uow.commit()
    return new


def all_revoked(engine: Engine, keystore: KeyStore) -> frozenset[str]:
    """Every revoked id, from the table and the register, for the signed list."""
    with UnitOfWork(engine) as uow:
        stored = revoked_jtis(uow.conn)
    return stored | RevocationRegister(keystore.directory).jtis()


@dataclass(frozen=True, slots=True)
class IssuedRecord:
    """A certificate the person was issued, as their audit trail remembers it."""

    jti: str
    tier: str
    audience: str | None
    issued_at: datetime
    expires_at: datetime
    revoked: bool


def issued_to(engine: Engine, keystore: KeyStore, subject: str) -> list[IssuedRecord]:
    """Every certificate issued to ``subject``, newest first, with whether it was revoked."""
    revoked = all_revoked(engine, keystore)
    with UnitOfWork(engine) as uow:
        events = [row.event for row in chain(uow.conn, subject) if row.event.action == ISSUED]
    found = [
        IssuedRecord(
            str(e.detail["jti"]),
            str(e.detail.get("tier", "")),
            e.detail.get("audience"),
            datetime.fromisoformat(e.at),
            datetime.fromisoformat(str(e.detail["expires_at"])),
            str(e.detail["jti"]) in revoked,
        )
        for e in events
        if "jti" in e.detail
    ]
    return sorted(found, key=lambda r: r.issued_at, reverse=True)


def check_certificate(
    engine: Engine, keystore: KeyStore, token: str, *, audience: str | None = None
) -> CertificateClaims:
    """Verify a certificate as a landlord would, against this city's keys and revocations.

    Raises :class:`~creditcity.errors.VerificationFailed` naming what failed
    (signature, expiry, revocation or audience) in the problem's ``field``.
    """
    now = datetime.now(UTC)
    revoked = RevocationList(all_revoked(engine, keystore), now)
    return verify(token.strip(), keystore.jwks(), audience=audience, revocations=revoked, now=now)


def issue_kept(
    engine: Engine,
    keystore: KeyStore,
    subject: str,
    *,
    settings: Settings,
    audience: str | None,
    ttl: timedelta,
) -> Issued:
    """Issue a certificate and keep its token so the holder can show its QR code again."""
    issued = issue_for(engine, keystore, subject, settings=settings, audience=audience, ttl=ttl)
    with UnitOfWork(engine) as uow:
        keep(
            uow.conn,
            jti=issued.claims.jti,
            subject=subject,
            token=issued.token,
            at=issued.claims.issued_at.astimezone(UTC).replace(tzinfo=None),
        )
        uow.commit()
    return issued


def shown_certificate(engine: Engine, subject: str, jti: str) -> str:
    """The kept token of one of ``subject``'s certificates, or :class:`NotFound`."""
    with engine.connect() as conn:
        token = kept_token(conn, subject, jti)
    if token is None:
        raise NotFound(f"no certificate {jti[:64]} issued to this person from the portal")
    return token
