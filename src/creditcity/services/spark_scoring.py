"""Country-scale scoring on Apache Spark: the same features and scorecard, where the data lies.

``score --snapshot DIR --engine spark`` runs this job. The features are the
one SQL definition (:func:`creditcity.features.spark_engine.features_frame`),
kept as a distributed DataFrame, unsorted (nothing needs the people in order,
and a global sort costs a sampling pass and a range shuffle); each executor
scores its rows with the very function the DuckDB path uses
(:func:`creditcity.scoring.snapshot.snapshot_rows`, through ``mapInArrow``:
Arrow batches in, Arrow batches out, no pandas; the closure sent to the
Python workers imports the scoring core only, not the ledger); percentiles
come from the histogram of scores (at most 601 values from 350 to 950), so
they are exact and need no global sort. Nothing about a country's people is
collected to the driver but that histogram.

Local mode here; on a cluster the same module is submitted as a job (see
:mod:`creditcity.spark_job` and docs/federation.md):

    spark-submit --master spark://HOST:7077 --py-files creditcity.zip \\
        src/creditcity/spark_job.py --snapshot s3a://bucket/export \\
        --model model.json --out s3a://bucket/scores --as-of 2026-06-30
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from creditcity.features.engine import day_number, feature_schema
from creditcity.features.schema import empty_consents, empty_disputed
from creditcity.scoring.artefact import ModelArtefact
from creditcity.scoring.snapshot import EXPLAIN_SLICE
from creditcity.services.scoring import ScoreRun

__all__ = ["percentiles_from_histogram", "score_snapshot_spark", "scored_schema"]


def scored_schema(artefact: ModelArtefact) -> pa.Schema:
    """The columns of a snapshot's scores before percentiles (as ``score --snapshot`` writes)."""
    keys = artefact.scorecard.points_table_.dimension_keys()
    fields = [("subject", pa.string()), ("score", pa.int32()), ("base", pa.int32())]
    fields += [(key, pa.int32()) for key in keys]
    # what the 350-950 clip took off or added, so the parts still sum to the score
    fields.append(("clip", pa.int32()))
    fields.append(("reason_codes", pa.list_(pa.string())))
    return pa.schema(fields)


def percentiles_from_histogram(scores: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]) -> Any:
    """Mid-rank percentile of each distinct score: (share below + half the ties), as DuckDB's path.

    Computed with the same float64 expression as ``services.scoring._ranked``
    over the expanded distribution, so the two agree to the last bit.
    """
    order = np.argsort(scores)
    scores, counts = scores[order], counts[order].astype(np.int64)
    upto = np.cumsum(counts)
    below = upto - counts
    total = max(1, int(upto[-1])) if upto.size else 1
    return scores, np.round(100.0 * (below + upto) / (2.0 * total), 2)


def _scorer(
    artefact_json: str, schema: pa.Schema
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function each executor runs over its Arrow batches of features (``schema``).

    Everything it needs travels in the closure (the model as JSON, the
    feature schema), so a worker imports pyarrow and the scoring core and
    nothing of the features engines or the services.
    """

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from creditcity.scoring.artefact import ModelArtefact as Artefact
        from creditcity.scoring.snapshot import snapshot_rows

        card = Artefact.from_json(artefact_json).scorecard
        for batch in batches:
            if batch.num_rows == 0:
                continue
            table = pa.Table.from_batches([batch])
            features = pa.Table.from_arrays(
                [table.column(f.name).cast(f.type) for f in schema], schema=schema
            )
            yield from snapshot_rows(card, features).to_batches()

    return score


def score_snapshot_spark(
    entries_path: Path | str,
    *,
    as_of: date,
    artefact_path: Path,
    out: Path | str,
    spark: Any | None = None,
) -> ScoreRun:
    """Score a Parquet export on Spark into ``out``, a directory of Parquet part files.

    Same columns as the DuckDB path (subject, score, percentile, base, the
    dimensions, reason_codes) and, on the same export, the same values.
    """
    from creditcity.features.spark_engine import features_frame, local_session

    started = datetime.now(UTC)
    artefact_json = Path(artefact_path).read_text(encoding="utf-8")
    artefact = ModelArtefact.from_json(artefact_json)
    session = spark if spark is not None else local_session()
    # the scorer explains people in slices of EXPLAIN_SLICE: hand it batches that size
    # (Spark's default is 10,000 rows a batch)
    session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(EXPLAIN_SLICE))
    with (
        tempfile.TemporaryDirectory(prefix="creditcity-spark-score-") as folder,
        warnings.catch_warnings(),
    ):
        # PySpark warns that it does not fully support pandas 3; no pandas path is used here
        warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
        features = features_frame(
            session,
            Path(entries_path),
            as_of_day=day_number(as_of),
            disputed=empty_disputed(),
            consents=empty_consents(),
            folder=Path(folder),
            ordered=False,
        )
        schema = scored_schema(artefact)
        scorer = _scorer(artefact_json, feature_schema())
        scored = features.mapInArrow(scorer, _spark_type(schema))
        staged = str(Path(folder) / "scored")
        scored.write.mode("overwrite").parquet(staged)
        scored = session.read.parquet(staged)
        counts = scored.groupBy("score").count().collect()
        values = np.array([int(r["score"]) for r in counts], np.int64)
        totals = np.array([int(r["count"]) for r in counts], np.int64)
        distinct, pct = percentiles_from_histogram(values, totals)
        ranks = session.createDataFrame(
            [(int(s), float(p)) for s, p in zip(distinct, pct, strict=True)],
            "score INT, percentile DOUBLE",
        )
        from pyspark.sql import functions as F

        joined = scored.join(F.broadcast(ranks), "score")
        columns = ["subject", "score", F.col("percentile").cast("float").alias("percentile")]
        columns += [name for name in schema.names if name not in ("subject", "score")]
        joined.select(*columns).write.mode("overwrite").parquet(str(out))
    seconds = (datetime.now(UTC) - started).total_seconds()
    return ScoreRun(artefact.version, as_of, int(totals.sum()), 0, seconds)


def _spark_type(schema: pa.Schema) -> Any:
    """The Spark struct of an Arrow schema (only the types a scores table uses)."""
    from pyspark.sql import types as T

    simple: dict[pa.DataType, Any] = {pa.string(): T.StringType(), pa.int32(): T.IntegerType()}
    fields = []
    for field in schema:
        kind: Any = simple.get(field.type) or T.ArrayType(T.StringType())
        fields.append(T.StructField(field.name, kind, True))
    return T.StructType(fields)
