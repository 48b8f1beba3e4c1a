"""The rights of the person, as pure logic plus a small file-based key store.

- :mod:`~creditcity.rights.audit_chain`: the tamper-evident hash chain of the audit log.
- :mod:`~creditcity.rights.keystore`: the city's Ed25519 signing keys and their JWKS.
- :mod:`~creditcity.rights.certificates`: signed credit certificates (tier and validity only).
- :mod:`~creditcity.rights.revocation`: revoked certificates, as a signed list for verifiers.
- :mod:`~creditcity.rights.fairness`: the fairness audit maths (four-fifths rule).

Nothing here imports the ledger, the API, the web portal or the CLI: the
callers fetch rows and hand them in, so every rule can be tested without a
database.
"""
