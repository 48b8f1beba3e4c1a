"""Scoring: monotone binning, the points scorecard, PDO scaling, reasons, metrics, artefacts.

Estimators follow scikit-learn's contract (keyword-only parameters, learned
state ending in ``_``, ``fit`` returns ``self``). ``X`` is a pyarrow Table or
a mapping of column name to 1-D numpy array; ``y`` is 0/1 with 1 = default.
This package never imports the ledger, services, API, web or CLI.
"""

from creditcity.scoring.artefact import ModelArtefact
from creditcity.scoring.binning import MonotoneBinning
from creditcity.scoring.binning_process import BinningProcess
from creditcity.scoring.bins import Bin, BinKind
from creditcity.scoring.points import Explanation, FeaturePoints, PointsTable
from creditcity.scoring.reasons import Reason
from creditcity.scoring.scaling import Scaling
from creditcity.scoring.scorecard import Scorecard
from creditcity.scoring.spec import FeatureSpec

__all__ = [
    "Bin",
    "BinKind",
    "BinningProcess",
    "Explanation",
    "FeaturePoints",
    "FeatureSpec",
    "ModelArtefact",
    "MonotoneBinning",
    "PointsTable",
    "Reason",
    "Scaling",
    "Scorecard",
]
