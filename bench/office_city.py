"""A year of decisions and outcomes on a demo city, so the office's figures have work to do.

    CREDITCITY_HOME=.demo20k/home creditcity demo --dir .demo20k --residents 20000 --no-serve
    CREDITCITY_HOME=.demo20k/home .venv/bin/python -m bench.office_city --dir .demo20k

The demo asks five decisions; a city the office watches has many. This asks
``--decisions`` of them (default two per resident) through the ordinary
decision path, dated across the twelve months before today, and reports
outcomes through the ordinary outcome path (most returned or paid, some late,
lost or overdue, some still open), without rescoring, then writes the demo's
``keys.toml`` (``--no-serve`` leaves none) for :mod:`bench.bench_office_pages`.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from creditcity.config import get_settings
from creditcity.ledger.db import make_engine
from creditcity.ledger.scores import current_scores
from creditcity.ledger.unit_of_work import UnitOfWork
from creditcity.services.decide import DecisionAnswer, DecisionRequest, policy_for
from creditcity.services.decision_batch import decide_batch
from creditcity.services.demo_residents import demo_residents
from creditcity.services.key_file import demo_keys_toml
from creditcity.services.outcomes import report_outcome
from creditcity.services.serving import DirectScores

PROVIDER = {
    "pay_later_clinic": "clinic:west-lake",
    "pay_later_transit": "transit:metro",
    "pay_later_public_office": "public_office:citizen-centre",
    "rental_deposit": "landlord_platform:ziroom",
    "agency_fee": "landlord_platform:ziroom",
    "library_deposit": "library:hangzhou",
}
WAIVER_ENDINGS = [("returned_on_time", 80), ("returned_late", 6), ("lost", 3), (None, 11)]
PAY_LATER_ENDINGS = [("paid", 82), ("overdue", 5), (None, 13)]


def _ending(rng: random.Random, service: str) -> str | None:
    table = PAY_LATER_ENDINGS if service.startswith("pay_later") else WAIVER_ENDINGS
    return rng.choices([t[0] for t in table], weights=[t[1] for t in table])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=Path(".demo20k"))
    parser.add_argument("--decisions", type=int, default=None)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    settings = get_settings()
    policy = policy_for(settings)
    engine = make_engine(f"sqlite:///{args.dir / 'creditcity.db'}")
    rng = random.Random(args.seed)
    with engine.connect() as conn:
        people = sorted(s.subject for s in current_scores(conn))
    count = args.decisions or 2 * len(people)
    today = datetime.now(UTC).replace(tzinfo=None)
    services = list(policy.services)
    asked = [
        (
            today - timedelta(minutes=rng.randrange(365 * 24 * 60)),
            DecisionRequest(
                rng.choice(people),
                (service := rng.choice(services)),
                Decimal(rng.randrange(10, int(policy.services[service].max_amount) + 1)),
                "deposit-free use",
                PROVIDER.get(service, "bike_operator:hellobike"),
            ),
        )
        for _ in range(count)
    ]
    asked.sort(key=lambda item: item[0])
    approved: list[tuple[datetime, DecisionAnswer]] = []
    for start in range(0, len(asked), 250):
        chunk = asked[start : start + 250]
        with UnitOfWork(engine) as uow:
            for at, request in chunk:  # each on its own clock, one transaction a chunk
                (answer,) = decide_batch(
                    uow.conn,
                    [request],
                    policy=policy,
                    settings=settings,
                    scores=DirectScores(),
                    now=at,
                )
                if isinstance(answer, DecisionAnswer) and answer.decision.approved:
                    approved.append((at, answer))
            uow.commit()
    print(f"{count:,} decisions asked, {len(approved):,} approved")
    reported = 0
    for at, answer in approved:
        ending = _ending(rng, answer.decision.service)
        ended_at = at + timedelta(days=rng.randrange(1, 40))
        if ending is None or ended_at > today or answer.decision.service in policy.never_owed:
            continue
        report_outcome(
            engine,
            answer.decision_id,
            ending,
            policy=policy,
            settings=settings,
            days_late=rng.randrange(1, 20) if ending == "returned_late" else None,
            provider=answer.provider,
            rescore=None,
            now=ended_at,
        )
        reported += 1
    print(f"{reported:,} outcomes reported")
    text, _ = demo_keys_toml(demo_residents(engine))
    keys = args.dir / "keys.toml"
    keys.unlink(missing_ok=True)
    keys.touch(mode=0o600)
    keys.write_text(text, encoding="utf-8")
    print(f"keys in {keys}")


if __name__ == "__main__":
    main()
