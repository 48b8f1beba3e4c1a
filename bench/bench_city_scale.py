"""The demo city's scale: in-time and out-of-time AUC with CIs, the tier table, refit migration.

    .venv/bin/python -m bench.bench_city_scale [--residents 10000] [--seed 7] [--refits 4]

Runs what ``make demo`` runs up to scoring (simulate the demo's years, ingest into a fresh
SQLite ledger, ``train --outcomes`` with the as-of date from the file), then:

- in time (out-of-fold, training vintage) and out of time (the later vintage)
  AUC, Gini, KS with 95% bootstrap intervals;
- the tier table of everyone scored at the later date: share, the policy's
  expected default rate, the observed out-of-time rate; median and the best
  attainable score;
- what each serious record costs a median resident (points lost when one is
  added), and the out-of-time AUC with the serious-record weight floor off
  (the baseline the floor is measured against);
- tier migration: ``--refits`` refits on 80% resamples of the training
  people, each scoring everyone at the later date; the share of residents
  whose tier differs from the full model's (target: at most 10%).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from sklearn.base import clone

from creditcity.config import Settings
from creditcity.domain.policy import default_policy
from creditcity.ledger.db import make_engine, migrate
from creditcity.scoring import metrics
from creditcity.services.demo import DEMO_YEARS
from creditcity.services.ingest import ingest_files
from creditcity.services.scoring import ledger_features, new_scorecard
from creditcity.services.train_ledger import read_outcomes, train_from_ledger, vintages
from creditcity.sim import SimulationSpec, simulate

SETTINGS = Settings(pseudonym_secret="bench-city-scale-secret")
SERIOUS = (
    "court_judgments_active",
    "proven_fraud_count",
    "credential_fraud_count",
    "loan_defaults",
    "tax_arrears_unpaid",
    "late_60_89_days_12m",
)


def _xy(features: pa.Table, labels: pa.Table, day: date) -> tuple[pa.Table, np.ndarray[Any, Any]]:
    import pyarrow.compute as pc

    vintage = labels.filter(pc.equal(labels.column("as_of"), pa.scalar(day, pa.date32())))
    joined = features.join(vintage.select(["subject", "defaulted"]), "subject")
    y = np.asarray(joined.column("defaulted").to_numpy(zero_copy_only=False), dtype=np.int64)
    return joined.drop_columns(["subject", "defaulted"]), y


def _tiers(scores: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    starts = np.array([t.min_score for t in default_policy().tiers])
    return np.searchsorted(starts, scores, side="right") - 1


def _interval(figure: dict[str, float]) -> str:
    return f"{figure['value']:.3f} [{figure['low']:.3f}, {figure['high']:.3f}]"


def _print_validation(validation: dict[str, Any]) -> None:
    for label, key in (("in time (out-of-fold)", "in_time"), ("out of time", "out_of_time")):
        sample = validation[key]
        figures = ", ".join(f"{m} {_interval(sample[m])}" for m in ("auc", "gini", "ks"))
        print(f"{label}: {sample['people']:,} people, {sample['events']:,} defaults; {figures}")
    print(f"score PSI training vs later: {validation['population_stability']['score_psi']:.3f}")
    print(f"gate: {'passed' if validation['gate']['passed'] else validation['gate']['failures']}")


def _print_tiers(scores: np.ndarray[Any, Any], later: dict[str, Any], best: int) -> None:
    print("\n| tier | band | share of scored | expected default | observed (out of time) |")
    print("| --- | --- | ---: | ---: | ---: |")
    tiers = _tiers(scores)
    for rank, (tier, row) in enumerate(zip(default_policy().tiers, later["tiers"], strict=True)):
        observed = row.get("observed_default_rate")
        print(
            f"| {tier.name} | {tier.min_score}–{tier.max_score} | {np.mean(tiers == rank):.1%} "
            f"| {tier.expected_default_rate:.1%} | "
            f"{'-' if observed is None else f'{observed:.1%}'} |"
        )
    print(f"\nmedian score {np.median(scores):.0f}; best attainable {best}")


def _serious_costs(card: Any, later_x: pa.Table, scores: np.ndarray[Any, Any]) -> None:
    median = int(np.argsort(scores)[scores.size // 2])
    person = later_x.slice(median, 1)
    before = int(card.predict_score(person)[0])
    costs = []
    for name in SERIOUS:
        if name not in person.column_names:
            continue
        value = person.column(name).to_numpy()[0] + 1
        changed = person.set_column(
            person.column_names.index(name), name, pa.array([value], person.column(name).type)
        )
        costs.append(f"{name} -{before - int(card.predict_score(changed)[0])}")
    print(f"one more serious record, median resident ({before}): {'; '.join(costs)}")


def _migration(card: Any, x: pa.Table, y: Any, later_x: pa.Table, refits: int) -> None:
    reference = _tiers(card.predict_score(later_x))
    rng = np.random.default_rng(0)
    moved = []
    for _ in range(refits):
        pick = rng.choice(y.size, size=int(0.8 * y.size), replace=False)
        refit = clone(card).fit(x.take(pa.array(pick)), y[pick])
        moved.append(float(np.mean(_tiers(refit.predict_score(later_x)) != reference)))
    shown = ", ".join(f"{m:.1%}" for m in moved)
    print(f"tier migration on {refits} refits (80% resamples): {shown}; max {max(moved):.1%}")


def _floor_baseline(x: pa.Table, y: Any, later_x: pa.Table, later_y: Any) -> None:
    for floor in (0.0, 0.5):
        card = new_scorecard(SETTINGS).set_params(serious_weight_floor=floor).fit(x, y)
        auc = metrics.auc(later_y, -card.predict_score(later_x))
        print(f"serious weight floor {floor}: out-of-time AUC {auc:.4f}")


def run(residents: int, seed: int, refits: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-city-scale-") as tmp:
        root = Path(tmp)
        spec = SimulationSpec(residents, years=DEMO_YEARS, seed=seed)
        simulate(spec, root / "city")
        url = f"sqlite:///{root / 'ledger.db'}"
        engine = make_engine(url)
        migrate(engine)
        ingest_files([root / "city" / "records.parquet"], engine=engine, settings=SETTINGS)
        outcomes = root / "city" / "outcomes.parquet"
        trained = train_from_ledger(
            outcomes, None, database_url=url, out=root / "models", settings=SETTINGS
        )
        labels = read_outcomes(outcomes, SETTINGS.pseudonym_secret)
        train_day, later_day = vintages(labels, None, outcomes)
        assert later_day is not None
        with engine.connect() as conn:
            x, y = _xy(ledger_features(conn, train_day), labels, train_day)
            later_all = ledger_features(conn, later_day)
        later_x, later_y = _xy(later_all, labels, later_day)
        card = new_scorecard(SETTINGS).fit(x, y)
        population = later_all.drop_columns(["subject"])
        scores = card.predict_score(population)
        print(f"city: {residents:,} residents, seed {seed}; trained as of {train_day}")
        _print_validation(trained.validation)
        _print_tiers(scores, trained.validation["out_of_time"], card.points_table_.max_score)
        _serious_costs(card, population, scores)
        _floor_baseline(x, y, later_x, later_y)
        _migration(card, x, y, population, refits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--refits", type=int, default=4)
    args = parser.parse_args()
    run(args.residents, args.seed, args.refits)


if __name__ == "__main__":
    main()
