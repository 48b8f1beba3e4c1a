"""Scorecard quality and binning speed against the peers, side by side in one run.

    .venv/bin/python -m bench.bench_scorecard [--data PATH] [--rows 1000000]
        [--skip-large] [--skip-german] [--scorecardpy-python PATH]

Part 1, German credit (the four charter-forbidden columns left out), the same
RepeatedStratifiedKFold(5 splits, 3 repeats, seed 0) folds for every model:
one-hot logistic regression, optbinning BinningProcess + LR, scorecardpy
woebin + LR, LightGBM defaults, and ours (creditcity Scorecard). Out-of-fold
AUC mean ± std, mean fit+predict time per fold, and ours against the best
peer (by AUC).

If ``domain/charter.py`` refuses more columns than the four, ours runs twice:
on what the charter allows, and (labelled) on the same columns as the peers
with the charter check switched off inside this process only, so the model
itself is compared like for like.

scorecardpy needs pandas < 3. When this venv's pandas is newer it is skipped
and said so, unless ``--scorecardpy-python`` names an interpreter of another
virtualenv (pandas < 3, scorecardpy, scikit-learn) that runs this same file in
worker mode on the same folds.

Part 2: fit time of our BinningProcess against optbinning's BinningProcess on
synthetic rows (default 1,000,000) x 20 numeric features. Target >= 10x.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path("/work/shared/data/germancredit.csv")
TARGET = "creditability"
FORBIDDEN = ["job", "personal_status_and_sex", "foreign_worker", "age_in_years"]
Folds = list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]


# -- part 1: German credit ---------------------------------------------------


def _frame(path: Path, drop: list[str]) -> tuple[Any, np.ndarray[Any, Any]]:
    import pandas as pd

    df = pd.read_csv(path)
    y = (df.pop(TARGET).astype(str).str.strip().str.lower() == "bad").astype(int).to_numpy()
    return df.drop(columns=drop), y


def _folds(y: np.ndarray[Any, Any]) -> Folds:
    from sklearn.model_selection import RepeatedStratifiedKFold

    splitter = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0)
    return list(splitter.split(np.zeros(y.size), y))


def _evaluate(
    fit_predict: Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any]], Any],
    y: np.ndarray[Any, Any],
    folds: Folds,
) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score

    aucs, seconds = [], []
    for train, test in folds:
        start = time.perf_counter()
        risk = fit_predict(train, test)
        seconds.append(time.perf_counter() - start)
        aucs.append(roc_auc_score(y[test], risk))
    return {
        "auc": float(np.mean(aucs)),
        "std": float(np.std(aucs)),
        "fit_s": float(np.mean(seconds)),
    }


def _one_hot_lr(df: Any, y: np.ndarray[Any, Any]) -> Callable[..., Any]:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    cats = [c for c in df.columns if df[c].dtype == object or str(df[c].dtype) == "str"]
    nums = [c for c in df.columns if c not in cats]

    def fit_predict(train: Any, test: Any) -> Any:
        prep = ColumnTransformer(
            [("cat", OneHotEncoder(handle_unknown="ignore"), cats), ("num", StandardScaler(), nums)]
        )
        model = make_pipeline(prep, LogisticRegression(max_iter=2000))
        model.fit(df.iloc[train], y[train])
        return model.predict_proba(df.iloc[test])[:, 1]

    return fit_predict


def _optbinning_lr(df: Any, y: np.ndarray[Any, Any]) -> Callable[..., Any]:
    from optbinning import BinningProcess
    from sklearn.linear_model import LogisticRegression

    cats = [c for c in df.columns if df[c].dtype == object or str(df[c].dtype) == "str"]

    def fit_predict(train: Any, test: Any) -> Any:
        bp = BinningProcess(list(df.columns), categorical_variables=cats)
        bp.fit(df.iloc[train], y[train])
        model = LogisticRegression().fit(bp.transform(df.iloc[train]), y[train])
        return model.predict_proba(bp.transform(df.iloc[test]))[:, 1]

    return fit_predict


def _lightgbm(df: Any, y: np.ndarray[Any, Any]) -> Callable[..., Any]:
    import lightgbm as lgb

    data = df.copy()
    for c in data.columns:
        if data[c].dtype == object or str(data[c].dtype) == "str":
            data[c] = data[c].astype("category")

    def fit_predict(train: Any, test: Any) -> Any:
        model = lgb.LGBMClassifier(verbose=-1).fit(data.iloc[train], y[train])
        return model.predict_proba(data.iloc[test])[:, 1]

    return fit_predict


def _ours(df: Any, y: np.ndarray[Any, Any]) -> Callable[..., Any]:
    import pyarrow as pa

    from creditcity.scoring import Scorecard

    table = pa.Table.from_pandas(df, preserve_index=False)

    def fit_predict(train: Any, test: Any) -> Any:
        card = Scorecard().fit(table.take(train), y[train])
        return card.predict_proba(table.take(test))[:, 1]

    return fit_predict


@contextmanager
def _charter_check_off() -> Iterator[None]:
    """Only for the labelled like-for-like run: lets ours see the peers' columns."""
    import creditcity.scoring.scorecard as module

    saved = module.ensure_allowed
    module.ensure_allowed = lambda *args, **kwargs: None
    try:
        yield
    finally:
        module.ensure_allowed = saved


def _scorecardpy(path: Path, drop: list[str], folds: Folds, python: str | None) -> dict[str, Any]:
    import pandas as pd

    if python is None:
        try:
            import scorecardpy  # noqa: F401
        except ImportError:
            return {"skipped": "scorecardpy is not installed in this venv"}
        if int(pd.__version__.split(".")[0]) >= 3:
            return {
                "skipped": f"scorecardpy needs pandas < 3; this venv has pandas "
                f"{pd.__version__} (give --scorecardpy-python of a venv with pandas < 3)"
            }
        python = sys.executable
    job = {"data": str(path), "drop": drop, "folds": [[a.tolist(), b.tolist()] for a, b in folds]}
    done = subprocess.run(
        [python, __file__, "--scorecardpy-worker"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if done.returncode != 0:
        return {"skipped": f"scorecardpy worker failed: {done.stderr.strip()[-300:]}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _scorecardpy_worker() -> None:
    """Runs under the other interpreter: woebin + LR on the folds it is given."""
    warnings.simplefilter("ignore")
    import pandas as pd
    import scorecardpy as sc
    from sklearn.linear_model import LogisticRegression

    job = json.loads(sys.stdin.read())
    df, y = _frame(Path(job["data"]), job["drop"])
    df = df.assign(_y=y)
    folds = [(np.array(a), np.array(b)) for a, b in job["folds"]]

    def fit_predict(train: Any, test: Any) -> Any:
        bins = sc.woebin(df.iloc[train], y="_y", print_step=0)
        train_woe = sc.woebin_ply(df.iloc[train], bins, print_step=0)
        test_woe = sc.woebin_ply(df.iloc[test], bins, print_step=0)
        cols = [c for c in train_woe.columns if c != "_y"]
        model = LogisticRegression(max_iter=1000).fit(train_woe[cols], y[train])
        return model.predict_proba(test_woe[cols])[:, 1]

    with redirect_stdout(sys.stderr):  # scorecardpy prints its progress
        out: dict[str, Any] = dict(_evaluate(fit_predict, y, folds))
    out["pandas"] = pd.__version__
    sys.stdout.write(json.dumps(out) + "\n")


def _row(name: str, result: dict[str, Any]) -> None:
    if "skipped" in result:
        print(f"  {name:<44} skipped: {result['skipped']}")
    else:
        print(
            f"  {name:<44} AUC {result['auc']:.4f} ± {result['std']:.4f}   "
            f"fit+predict {result['fit_s'] * 1000:8.1f} ms/fold"
        )


def german_credit(path: Path, scorecardpy_python: str | None) -> None:
    from creditcity.domain.charter import forbidden_category

    df, y = _frame(path, FORBIDDEN)
    folds = _folds(y)
    misfires = [c for c in df.columns if forbidden_category(c) is not None]
    print(
        f"German credit: {len(y)} rows, {int(y.sum())} bad; columns left out: "
        f"{', '.join(FORBIDDEN)}; RepeatedStratifiedKFold(5, 3, seed 0)"
    )
    peers = {
        "one-hot logistic regression": _evaluate(_one_hot_lr(df, y), y, folds),
        "optbinning BinningProcess + LR": _evaluate(_optbinning_lr(df, y), y, folds),
        "scorecardpy woebin + LR": _scorecardpy(path, FORBIDDEN, folds, scorecardpy_python),
        "LightGBM defaults": _evaluate(_lightgbm(df, y), y, folds),
    }
    for name, result in peers.items():
        _row(name, result)
    ours: dict[str, dict[str, Any]] = {}
    if misfires:
        allowed = df.drop(columns=misfires)
        ours[f"creditcity Scorecard ({allowed.shape[1]} cols the charter allows)"] = _evaluate(
            _ours(allowed, y), y, folds
        )
        with _charter_check_off():
            ours["creditcity Scorecard (same cols, check off)"] = _evaluate(_ours(df, y), y, folds)
        print(f"  note: domain/charter.py also refuses {', '.join(misfires)}")
    else:
        ours["creditcity Scorecard"] = _evaluate(_ours(df, y), y, folds)
    for name, result in ours.items():
        _row(name, result)
    measured = {k: v for k, v in peers.items() if "skipped" not in v}
    best_name = max(measured, key=lambda k: measured[k]["auc"])
    best = measured[best_name]
    for name, result in ours.items():
        speed = best["fit_s"] / result["fit_s"]
        print(
            f"  {name}: AUC {result['auc'] - best['auc']:+.4f} vs best peer ({best_name}, "
            f"{best['auc']:.4f}); AUC ratio {result['auc'] / best['auc']:.4f}; "
            f"{speed:.1f}x the best peer's speed"
        )


# -- part 2: binning speed on 1M rows ----------------------------------------


def _synthetic(rows: int, seed: int = 0) -> tuple[dict[str, np.ndarray[Any, Any]], Any]:
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray[Any, Any]] = {}
    logit = np.full(rows, -1.5)
    for j in range(20):
        kind = j % 4
        if kind == 0:
            x = rng.normal(size=rows)
        elif kind == 1:
            x = rng.exponential(2.0, rows)
        elif kind == 2:
            x = rng.poisson(1.5, rows).astype(np.float64)
        else:
            x = rng.uniform(0, 100, rows)
            x[rng.random(rows) < 0.1] = np.nan
        logit += (0.3 if j % 2 else -0.2) * (np.nan_to_num(x) - np.nanmean(x)) / np.nanstd(x)
        columns[f"x{j:02d}"] = x
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return columns, y


def binning_speed(rows: int) -> None:
    import pandas as pd
    from optbinning import BinningProcess as OptBinningProcess

    from creditcity.scoring import BinningProcess

    columns, y = _synthetic(rows)
    print(f"\nBinning fit, {rows:,} rows x {len(columns)} numeric features (10% NaN in 5):")
    timings = {}
    for jobs in (1, 2):
        start = time.perf_counter()
        BinningProcess(n_jobs=jobs).fit(columns, y)
        timings[f"creditcity BinningProcess (n_jobs={jobs})"] = time.perf_counter() - start
    df = pd.DataFrame(columns)
    start = time.perf_counter()
    OptBinningProcess(list(df.columns)).fit(df, y)
    timings["optbinning BinningProcess"] = time.perf_counter() - start
    for name, seconds in timings.items():
        print(f"  {name:<44} {seconds:8.2f} s")
    peer = timings["optbinning BinningProcess"]
    for name, seconds in timings.items():
        if name.startswith("creditcity"):
            print(f"  {name}: {peer / seconds:.1f}x faster than optbinning (target >= 10x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-large", action="store_true", help="skip the 1M-row binning part")
    parser.add_argument("--skip-german", action="store_true", help="skip the German credit part")
    parser.add_argument("--scorecardpy-python", default=None)
    parser.add_argument("--scorecardpy-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scorecardpy_worker:
        _scorecardpy_worker()
        return
    warnings.simplefilter("ignore")
    if not args.skip_german:
        german_credit(args.data, args.scorecardpy_python)
    if not args.skip_large:
        binning_speed(args.rows)


if __name__ == "__main__":
    main()
