"""The demo: a synthetic city run through the whole system, on the embedded default store.

It is the README's first command, so it uses only public use cases, in the
order an operator would: simulate, ingest, train, score, then what residents
and providers do with it (decisions, a lost bike closing the loop, a
certificate), and the operator's figures.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from creditcity.config import Settings
from creditcity.domain.reason_catalogue import DEFAULT_LANG, render_all
from creditcity.ledger.db import make_engine, migrate
from creditcity.ledger.scores import current_score, current_scores
from creditcity.services.decide import DecisionRequest, decide_request, policy_for
from creditcity.services.ingest import ingest_files
from creditcity.services.outcomes import report_outcome
from creditcity.services.scoring import rescore
from creditcity.services.stats import city_stats
from creditcity.services.train_ledger import train_from_ledger
from creditcity.sim import SimulationSpec, simulate

Say = Callable[[str], None]
#: Years of records the demo city has. Four, not three: with three, a third of the
#: city shares one thin-history score a few points under the top tier's edge, and
#: the history-length and on-time features have too little range for the best
#: files to reach the top of the scale (docs/benchmarks.md, "Finer bins, four years").
DEMO_YEARS = 4


@dataclass
class DemoSummary:
    database_url: str
    city_dir: str
    records: int
    model_version: str
    auc: float
    scored: int
    people: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    certificate: dict[str, Any] = field(default_factory=dict)


def run_demo(
    directory: Path, *, residents: int, seed: int, settings: Settings, say: Say
) -> DemoSummary:
    """Build a fresh demo city in ``directory`` (its database is recreated each time)."""
    city = directory / "city"
    if city.exists():
        shutil.rmtree(city)
    spec = SimulationSpec(residents, years=DEMO_YEARS, seed=seed)
    say(f"simulating {residents:,} residents over {DEMO_YEARS} years (seed {seed})")
    summary = simulate(spec, city)
    db_path = directory / "creditcity.db"
    for stale in directory.glob("creditcity.db*"):
        stale.unlink()
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    migrate(engine)
    say(f"ingesting {summary.records:,} records into {db_path}")
    report = ingest_files([city / "records.parquet"], engine=engine, settings=settings)
    say(
        f"training the scorecard on outcomes as of {spec.training_as_of}, "
        f"validating out of time on {spec.as_of}"
    )
    trained = train_from_ledger(
        city / "outcomes.parquet",
        None,
        database_url=url,
        out=directory / "models",
        settings=settings,
    )
    say("scoring everyone as of today")
    # today, not the simulation's as-of date: the live rescoring that follows a
    # decision's outcome scores as of today too, so before and after compare
    run = rescore(engine)
    result = DemoSummary(
        url, str(city), report.accepted, trained.version, trained.auc_mean, run.scored
    )
    _residents_at_work(engine, settings, result, spec.as_of, say)
    result.stats = city_stats(engine, policy=policy_for(settings)).as_dict()
    return result


def _residents_at_work(
    engine: Engine, settings: Settings, result: DemoSummary, as_of: Any, say: Say
) -> None:
    policy = policy_for(settings)
    with engine.connect() as conn:
        ranked = sorted(current_scores(conn), key=lambda s: s.score)
    # "highest" is the best score below the top of the scale: at 950 a score is
    # clipped, so a lost bike could not visibly lower it
    below_top = [s for s in ranked if s.score < settings.score_max] or ranked
    picks = {"highest": below_top[-1], "median": ranked[len(ranked) // 2], "lowest": ranked[0]}
    for label, s in picks.items():
        result.people.append(
            {
                "who": label,
                "subject": s.subject,
                "score": s.score,
                "tier": policy.tier_for(s.score).name,
                "percentile": s.percentile,
                "reasons": render_all(s.reasons[:3], DEFAULT_LANG),
            }
        )
    say("providers ask for decisions")
    ask = [
        ("highest", "bike_deposit", 299, "bike_operator:hellobike"),
        ("highest", "rental_deposit", 2600, "landlord_platform:anju"),
        ("median", "umbrella_deposit", 39, "umbrella_operator:rainy-day"),
        ("lowest", "bike_deposit", 299, "bike_operator:hellobike"),
    ]
    for who, service, amount, provider in ask:
        answer = decide_request(
            engine,
            DecisionRequest(
                picks[who].subject,
                service,
                amount,
                f"deposit-free {service.split('_')[0]}",
                provider,
            ),
            policy=policy,
            settings=settings,
        )
        result.decisions.append({"who": who, **answer.as_dict()})
    bike = next(d for d in result.decisions if d["who"] == "highest" and d["approved"])
    say("the bike is lost: the operator reports it and the person is rescored")
    closed = report_outcome(engine, bike["decision_id"], "lost", policy=policy, settings=settings)
    with engine.connect() as conn:
        after = current_score(conn, picks["highest"].subject)
    result.decisions.append(
        {
            "who": "highest",
            "outcome": closed.as_dict(),
            "score_before": picks["highest"].score,
            "score_after": after.score if after else None,
        }
    )
    again = decide_request(
        engine,
        DecisionRequest(
            picks["highest"].subject,
            "power_bank_deposit",
            99,
            "deposit-free power bank",
            "power_bank_operator:jiedian",
        ),
        policy=policy,
        settings=settings,
    )
    result.decisions.append({"who": "highest", **again.as_dict()})
    _certificate(engine, settings, picks["median"].subject, result)


def _certificate(engine: Engine, settings: Settings, subject: str, result: DemoSummary) -> None:
    from creditcity.rights.keystore import KeyStore
    from creditcity.services.certify import issue_for

    # the server's own signing keys, so that its /verify accepts what the demo issued
    # and /readyz finds a signing key
    keys = KeyStore.open(settings.signing_keys_dir)
    issued = issue_for(
        engine, keys, subject, settings=settings, audience="landlord:anju", ttl=timedelta(days=30)
    )
    result.certificate = {k: v for k, v in issued.as_dict().items() if k != "token"}
    result.certificate["token_prefix"] = issued.token[:40] + "..."
