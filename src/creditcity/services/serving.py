"""What a decision reads about a person's score, served from memory in each worker.

A decision needs the person's current score, its model version and its reason
codes. Reading them from the database costs a statement per decision; a
city's scores change only when people are rescored, so each worker keeps them
in memory and catches up on every batch with one indexed query for the score
rows written since it last looked (any worker or process may have written
them). Correctness does not rest on this copy: caps are enforced by the
per-person lock and the exposure read in the database (see
:mod:`creditcity.ledger.guards`); a score is at most one batch old.

Memory: a 22-million-resident city must fit in well under 1 GiB per worker,
so the table is numpy arrays, not objects: each pseudonym as its 16 raw bytes
in two ``uint64`` halves (sorted, found by a numeric binary search on the
first half), the score as ``uint16``, the model as a
``uint8`` index, and up to four reasons as ``uint16`` indexes into a table of
distinct ``(code, text)`` pairs. People rescored since the arrays were built
sit in a small dict in front of them, and go into the arrays every
:data:`COMPACT_AT` of them (a live city rescores someone on every outcome and
record, so the dict would otherwise grow towards the whole city).

On PostgreSQL, score ids come from a sequence and two rescoring transactions
can commit out of id order; ids skipped over when catching up are kept as
*gaps* and asked for again until they appear or are older than
:data:`GAP_SECONDS` (an id a rolled-back transaction took never appears).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Connection, bindparam, func, or_, select

from creditcity.domain.decisions import Reason
from creditcity.domain.reason_catalogue import sentence_of
from creditcity.domain.subjects import is_pseudonym
from creditcity.ledger.pipelining import Later, Pending, Send, together
from creditcity.ledger.tables import scores

__all__ = ["COMPACT_AT", "GAP_SECONDS", "DirectScores", "ScoreFacts", "ScoreTable", "ServingState"]

#: How long a skipped score id is asked for again (an open rescoring transaction).
GAP_SECONDS = 600.0
#: At most this many skipped ids are tracked (a huge rolled-back rescoring).
MAX_GAPS = 100_000
REASON_SLOTS = 4
#: Score rows read per catch-up statement (a city-wide rescoring is read in several).
REFRESH_ROWS = 10_000
#: People rescored since the arrays were built at which they are put into the arrays: each
#: costs about a kilobyte as Python objects and 27 bytes in the arrays, and every rescore
#: of a live city (an outcome, a record) adds one, so without this a worker grows all day.
COMPACT_AT = 10_000
_NO_REASON = 0


class ScoreFacts(NamedTuple):
    """A person's current score, the model that gave it and its reason codes."""

    score: int
    model_version: str
    reasons: tuple[Reason, ...]


def _halves(subject: str) -> tuple[int, int]:
    """A pseudonym's 128 bits as two unsigned 64-bit halves."""
    return int(subject[2:18], 16), int(subject[18:34], 16)


@dataclass
class ScoreTable:
    """Scores of many people as compact sorted arrays (see the module docstring)."""

    hi: np.ndarray  # uint64, first half of the pseudonym, sorted (then by lo)
    lo: np.ndarray  # uint64, second half
    score: np.ndarray  # uint16
    model: np.ndarray  # uint8 index into models
    reasons: np.ndarray  # (n, REASON_SLOTS) uint16 index into reason_table, 0 = none
    models: list[str]
    reason_table: list[Reason]

    @classmethod
    def build(cls, rows: Iterable[tuple[str, int, str, Sequence[Reason]]]) -> ScoreTable:
        """From ``(pseudonym, score, model_version, reasons)`` rows, one per person."""
        models: dict[str, int] = {}
        reason_ids: dict[Reason, int] = {}
        his, los, values, model_ids, reason_rows = [], [], [], [], []
        for subject, value, model_version, reasons in rows:
            hi, lo = _halves(subject)
            his.append(hi)
            los.append(lo)
            values.append(value)
            model_ids.append(models.setdefault(model_version, len(models)))
            slot = [reason_ids.setdefault(r, len(reason_ids) + 1) for r in reasons[:REASON_SLOTS]]
            reason_rows.append(slot + [_NO_REASON] * (REASON_SLOTS - len(slot)))
        if len(models) > 255 or len(reason_ids) > 65_535:
            raise ValueError("too many distinct models or reasons for the compact table")
        hi_array, lo_array = np.array(his, dtype=np.uint64), np.array(los, dtype=np.uint64)
        order = np.lexsort((lo_array, hi_array))
        return cls(
            hi=hi_array[order],
            lo=lo_array[order],
            score=np.array(values, dtype=np.uint16)[order],
            model=np.array(model_ids, dtype=np.uint8)[order],
            reasons=np.array(reason_rows, dtype=np.uint16).reshape(-1, REASON_SLOTS)[order],
            models=list(models),
            reason_table=[("", ""), *reason_ids],
        )

    def __len__(self) -> int:
        return int(self.hi.shape[0])

    @property
    def nbytes(self) -> int:
        return int(
            self.hi.nbytes
            + self.lo.nbytes
            + self.score.nbytes
            + self.model.nbytes
            + self.reasons.nbytes
        )

    def find(self, subject: str) -> ScoreFacts | None:
        at = self.index_of(subject)
        if at is None:
            return None
        reasons = tuple(self.reason_table[int(i)] for i in self.reasons[at] if i != _NO_REASON)
        return ScoreFacts(int(self.score[at]), self.models[int(self.model[at])], reasons)

    def index_of(self, subject: str) -> int | None:
        """Where ``subject`` sits in the arrays; None if the table does not hold them."""
        if not len(self) or not is_pseudonym(subject):
            return None
        hi, lo = _halves(subject)
        at = self._first_at_or_after(hi, lo)
        if at >= len(self) or int(self.hi[at]) != hi or int(self.lo[at]) != lo:
            return None
        return at

    def _first_at_or_after(self, hi: int, lo: int) -> int:
        at, size = int(np.searchsorted(self.hi, np.uint64(hi))), len(self)
        while at < size and int(self.hi[at]) == hi and int(self.lo[at]) < lo:
            at += 1  # first halves shared by two people: rare, and short
        return at

    def put(self, rows: Sequence[tuple[str, ScoreFacts]]) -> ScoreTable:
        """This table holding ``rows`` (pseudonyms, one row per person) as well.

        People it holds are overwritten in place; the others are inserted in
        order, into new arrays (returned; ``self`` then must not be used).
        Raises ValueError when a model or reason more than the compact
        indexes can name would be needed (nothing is changed then).
        """
        models = {m: i for i, m in enumerate(self.models)}
        reason_ids = {r: i for i, r in enumerate(self.reason_table) if i != _NO_REASON}
        encoded = [(s, f, _encode(f, models, reason_ids)) for s, f in rows]
        if len(models) > 255 or len(reason_ids) > 65_535:
            raise ValueError("too many distinct models or reasons for the compact table")
        self.models = list(models)
        self.reason_table = [("", ""), *reason_ids]
        new: list[tuple[int, int, int, int, list[int]]] = []
        for subject, facts, (model, slots) in encoded:
            at = self.index_of(subject)
            if at is None:
                new.append((*_halves(subject), facts.score, model, slots))
            else:
                self.score[at], self.model[at], self.reasons[at] = facts.score, model, slots
        return self._inserted(sorted(new)) if new else self

    def _inserted(self, new: Sequence[tuple[int, int, int, int, list[int]]]) -> ScoreTable:
        """New arrays with ``new`` people (sorted by pseudonym, none held) in their places."""
        at = [self._first_at_or_after(hi, lo) for hi, lo, *_ in new]
        his, los, values, model_ids, slots = zip(*new, strict=True)
        return ScoreTable(
            hi=np.insert(self.hi, at, np.array(his, dtype=np.uint64)),
            lo=np.insert(self.lo, at, np.array(los, dtype=np.uint64)),
            score=np.insert(self.score, at, np.array(values, dtype=np.uint16)),
            model=np.insert(self.model, at, np.array(model_ids, dtype=np.uint8)),
            reasons=np.insert(self.reasons, at, np.array(slots, dtype=np.uint16), axis=0),
            models=self.models,
            reason_table=self.reason_table,
        )


def _encode(
    facts: ScoreFacts, models: dict[str, int], reason_ids: dict[Reason, int]
) -> tuple[int, list[int]]:
    """The model index and reason slots of ``facts``, adding new ones to the two indexes."""
    model = models.setdefault(facts.model_version, len(models))
    slots = [reason_ids.setdefault(r, len(reason_ids) + 1) for r in facts.reasons[:REASON_SLOTS]]
    return model, slots + [_NO_REASON] * (REASON_SLOTS - len(slots))


def _reasons(stored: Any) -> tuple[Reason, ...]:
    if isinstance(stored, str):  # a driver that leaves JSON as text
        stored = json.loads(stored)
    return tuple((str(r["code"]), sentence_of(r)) for r in stored or ())


_COLUMNS = (scores.c.score_id, scores.c.subject, scores.c.score, scores.c.model_version)
_SINCE = (
    select(*_COLUMNS, scores.c.reasons)
    .where(
        or_(
            scores.c.score_id > bindparam("last"),
            scores.c.score_id.in_(bindparam("gaps", expanding=True)),
        )
    )
    .order_by(scores.c.score_id)
)
# LIMIT: a prepared statement's generic plan would otherwise guess a third of the
# table for "score_id > $1" and scan it all; a limited, ordered read walks the key.
_SINCE_NO_GAPS = (
    select(*_COLUMNS, scores.c.reasons)
    .where(scores.c.score_id > bindparam("last"))
    .order_by(scores.c.score_id)
    .limit(REFRESH_ROWS)
)


@dataclass
class ServingState:
    """One worker's in-memory scores: a :class:`ScoreTable` plus what changed since."""

    table: ScoreTable
    #: the newest score id folded into ``table``
    base_id: int = 0
    #: people rescored since: subject -> (score id, facts)
    changed: dict[str, tuple[int, ScoreFacts]] = field(default_factory=dict)
    last_id: int = 0
    gaps: dict[int, float] = field(default_factory=dict)
    #: size of ``changed`` at which it is next put into ``table`` (see :meth:`_compact`)
    compact_at: int = COMPACT_AT

    @classmethod
    def load(cls, conn: Connection) -> ServingState:
        """Everyone's current score, read once (a worker's start)."""
        newest = (
            select(scores.c.subject, func.max(scores.c.score_id).label("score_id"))
            .group_by(scores.c.subject)
            .subquery()
        )
        query = select(*_COLUMNS, scores.c.reasons).join(
            newest, scores.c.score_id == newest.c.score_id
        )
        rows, odd, top = [], {}, 0
        for score_id, subject, value, model_version, reasons in conn.execute(query):
            top = max(top, score_id)
            facts = ScoreFacts(int(value), str(model_version), _reasons(reasons))
            if is_pseudonym(subject):
                rows.append((subject, facts.score, facts.model_version, facts.reasons))
            else:
                odd[subject] = (score_id, facts)
        return cls(ScoreTable.build(rows), top, odd, top)

    def refresh(self, conn: Connection) -> int:
        """Fold in score rows written since the last look; how many were read."""
        with together(conn) as send:
            return self.refresh_later(send)()

    def refresh_later(self, send: Send) -> Callable[[], int]:
        """Send the look for new score rows now; the returned call folds them in.

        So a decision batch's catch-up shares its round trip with the batch's
        other reads (see :mod:`creditcity.ledger.pipelining`).
        """
        pending = self._send_since(send)

        def fold() -> int:
            count = total = self._fold(pending())
            while count >= REFRESH_ROWS:  # a scoring run's worth: page through the rest
                count = self._fold(self._send_since(send)())
                total += count
            return total

        return fold

    def _send_since(self, send: Send) -> Pending:
        now = time.monotonic()
        for gap, seen in list(self.gaps.items()):
            if now - seen > GAP_SECONDS:
                del self.gaps[gap]
        if self.gaps:
            return send(_SINCE, {"last": self.last_id, "gaps": list(self.gaps)})
        return send(_SINCE_NO_GAPS, {"last": self.last_id})

    def _fold(self, rows: Iterable[Sequence[Any]]) -> int:
        now = time.monotonic()
        count = 0
        for score_id, subject, value, model_version, reasons in rows:
            count += 1
            self._apply(score_id, subject, ScoreFacts(int(value), model_version, _reasons(reasons)))
            self.gaps.pop(score_id, None)
            if score_id > self.last_id:
                self._skip(self.last_id + 1, score_id, now)
                self.last_id = score_id
        if len(self.changed) >= self.compact_at:
            self._compact()
        return count

    def _compact(self) -> None:
        """Put the people rescored up to the first open gap into the arrays.

        Rows above an open gap stay in ``changed``: a row of that gap may yet
        arrive, and ``base_id`` (what the arrays are known to hold) must not
        pass it. Subjects that are not pseudonyms stay too.
        """
        bound = min(min(self.gaps, default=self.last_id + 1) - 1, self.last_id)
        ready = [
            (subject, facts)
            for subject, (score_id, facts) in self.changed.items()
            if score_id <= bound and is_pseudonym(subject)
        ]
        if ready:
            try:
                self.table = self.table.put(ready)
            except ValueError:  # more models or reasons than the arrays can name
                ready = []
        for subject, _ in ready:
            del self.changed[subject]
        if ready:
            self.base_id = max(self.base_id, bound)
        self.compact_at = len(self.changed) + COMPACT_AT

    def _skip(self, start: int, stop: int, now: float) -> None:
        for missing in range(start, min(stop, start + MAX_GAPS)):
            self.gaps[missing] = now
        while len(self.gaps) > MAX_GAPS:
            del self.gaps[next(iter(self.gaps))]

    def _apply(self, score_id: int, subject: str, facts: ScoreFacts) -> None:
        held = self.changed.get(subject)
        if held is not None and held[0] >= score_id:
            return
        if held is None and score_id <= self.base_id and self.table.find(subject) is not None:
            return
        self.changed[subject] = (score_id, facts)

    def score_of(self, subject: str) -> ScoreFacts | None:
        held = self.changed.get(subject)
        return held[1] if held is not None else self.table.find(subject)

    def scores_later(self, send: Send, people: Sequence[str]) -> Later[dict[str, ScoreFacts]]:
        """The current scores of ``people``, after catching up with the database."""
        caught_up = self.refresh_later(send)

        def read() -> dict[str, ScoreFacts]:
            caught_up()
            found = {}
            for subject in people:
                facts = self.score_of(subject)
                if facts is not None:
                    found[subject] = facts
            return found

        return read


_NEWEST_OF = (
    select(*_COLUMNS, scores.c.reasons)
    .where(scores.c.subject.in_(bindparam("people", expanding=True)))
    .order_by(scores.c.score_id)
)


class DirectScores:
    """Scores read from the database on each call (the command line: one decision)."""

    def scores_later(self, send: Send, people: Sequence[str]) -> Later[dict[str, ScoreFacts]]:
        pending = send(_NEWEST_OF, {"people": list(people)}) if people else None

        def read() -> dict[str, ScoreFacts]:
            found: dict[str, ScoreFacts] = {}
            for _, subject, value, model_version, reasons in pending() if pending else ():
                found[subject] = ScoreFacts(int(value), str(model_version), _reasons(reasons))
            return found

        return read
