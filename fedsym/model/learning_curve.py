"""Measured learning curves: accuracy at several training-set sizes (Model §10, extension).

A :class:`LearningCurve` holds every measurement (size, score); repeated sizes
are seeds, and :meth:`LearningCurve.groups` gives per-size mean, standard
deviation and count.  Curves come from a user CSV (:func:`read_csv`) or from
the LCDB learning-curve database of Mohr et al. (:func:`read_lcdb`,
:func:`read_lcdb_learner`).  The six curves the report fits ship with fedsym
(:data:`SHIPPED_CURVES`); any other is read straight from the CSV files the
MIT-licensed ``lcdb`` package ships (``pip install 'fedsym[lcdb]'``).  Importing ``lcdb``
itself needs pandas and scikit-learn, so fedsym never imports it: it locates
the package directory with :func:`importlib.util.find_spec` and reads the file
with the standard :mod:`csv` module, without network access.  The first read of
a curve scans the file once (about one second) to index the byte range of each
OpenML data set; the index is kept in memory and, unless the cache is off
(``fedsym --no-cache``), in the user cache folder (``$FEDSYM_CACHE_DIR``, else
the platform's, e.g. ``~/.cache/fedsym``).  What is read back is checked: the
entry must name the same file, match its digest and hold only byte ranges inside
the file, and the rows it points to must be all the rows of the data set asked
for; an entry that fails, or that lacks the data set, is replaced by a fresh scan.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib.util
import io
import json
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from fedsym.core.errors import InputFileError, ParameterError
from fedsym.core.files import require_regular_file

__all__ = [
    "LCDB_SCORES",
    "MAX_MEASUREMENTS",
    "SHIPPED_CURVES",
    "SIZE_RANGE",
    "CurveShape",
    "LearningCurve",
    "SizeGroups",
    "lcdb_available",
    "lcdb_file",
    "parse_curve_name",
    "read_csv",
    "read_lcdb",
    "read_lcdb_learner",
]

#: score columns of the LCDB files a curve can use
LCDB_SCORES = ("valid", "test")
#: the LCDB curves fedsym ships (the report's six, rows copied from the ``lcdb`` package's
#: ``database-accuracy.csv``; source and MIT licence in ``data/README.md`` beside it)
SHIPPED_CURVES = Path(__file__).parent / "data" / "lcdb_curves.csv"
#: most measurements of one learning curve (LCDB curves have at most a few thousand): a fit over this many
#: distinct sizes takes seconds, and a larger file is refused before it is read to the end
MAX_MEASUREMENTS = 100_000
#: training-set sizes a curve may hold: beyond them powers such as m^(-3) of the fitted families leave double
#: precision (sizes near 1e-300 or 1e300 crashed the fit)
SIZE_RANGE = (1e-3, 1e15)
#: bytes read before a data set's rows to find the line above them (an LCDB line is about 100 bytes)
_NEIGHBOUR = 4096


@dataclass(frozen=True)
class SizeGroups:
    """Per distinct training-set size: mean score, sample standard deviation across seeds, count."""

    sizes: np.ndarray
    means: np.ndarray
    spreads: np.ndarray
    counts: np.ndarray


@dataclass(frozen=True)
class CurveShape:
    """Whether measured means satisfy assumption (1) (non-decreasing, concave) up to ``z`` standard errors."""

    monotone: bool
    concave: bool
    z: float

    @property
    def satisfies_assumption(self) -> bool:
        return self.monotone and self.concave


@dataclass(frozen=True)
class LearningCurve:
    """Measured scores at training-set sizes; repeated sizes are seeds.

    Raises :class:`ParameterError` naming the curve when a size is not a
    positive finite number or a score lies outside [0, 1].
    """

    label: str
    sizes: tuple[float, ...]
    scores: tuple[float, ...]
    source: str = "user data"

    def __post_init__(self) -> None:
        if len(self.sizes) != len(self.scores) or not self.sizes:
            raise ParameterError(f"learning curve {self.label}: needs equally many sizes and scores, at least one")
        if len(self.sizes) > MAX_MEASUREMENTS:
            raise ParameterError(f"learning curve {self.label}: {len(self.sizes)} measurements, more than the "
                                 f"limit of {MAX_MEASUREMENTS}")
        for size, score in zip(self.sizes, self.scores):
            if not math.isfinite(size) or size <= 0:
                raise ParameterError(f"learning curve {self.label}: training-set size {size:g} must be positive")
            if not SIZE_RANGE[0] <= size <= SIZE_RANGE[1]:
                raise ParameterError(f"learning curve {self.label}: training-set size {size:g} is outside "
                                     f"[{SIZE_RANGE[0]:g}, {SIZE_RANGE[1]:g}]")
            if not math.isfinite(score) or not 0 <= score <= 1:
                raise ParameterError(f"learning curve {self.label}: accuracy {score:g} is outside [0, 1]")

    @cached_property
    def groups(self) -> SizeGroups:
        """Distinct sizes (ascending) with mean, standard deviation (``ddof=1``, 0 for one seed) and count."""
        sizes = np.asarray(self.sizes, dtype=float)
        scores = np.asarray(self.scores, dtype=float)
        distinct, inverse, counts = np.unique(sizes, return_inverse=True, return_counts=True)
        means = np.bincount(inverse, scores) / counts
        squares = np.bincount(inverse, (scores - means[inverse]) ** 2)
        spreads = np.sqrt(np.where(counts > 1, squares / np.maximum(counts - 1, 1), 0.0))
        for array in (distinct, means, spreads, counts):
            array.setflags(write=False)
        return SizeGroups(distinct, means, spreads, counts)

    def shape(self, z: float = 3.0) -> CurveShape:
        """Whether the measured means are non-decreasing and concave in m, up to *z* standard errors.

        Not monotone: some mean lies below an earlier one by more than *z*
        standard errors of their difference.  Not concave: the slope between
        consecutive sizes rises by more than *z* standard errors of the rise
        (standard errors of the means from the seed spread; without seeds any
        strict violation counts).
        """
        g = self.groups
        se2 = np.where(g.counts > 1, g.spreads**2 / g.counts, 0.0)
        drop = g.means[:, None] - g.means[None, :]
        upper = np.triu(np.ones_like(drop, dtype=bool), 1)
        monotone = not np.any(upper & (drop > z * np.sqrt(se2[:, None] + se2[None, :])))
        concave = True
        if g.sizes.size >= 3:
            width = np.diff(g.sizes)
            rise = np.diff(np.diff(g.means) / width)
            # variance of (y2 - y1)/w1 - (y1 - y0)/w0 - ... for consecutive triples
            var = (se2[2:] / width[1:] ** 2 + se2[1:-1] * (1 / width[1:] + 1 / width[:-1]) ** 2
                   + se2[:-2] / width[:-1] ** 2)
            concave = not np.any(rise > z * np.sqrt(var))
        return CurveShape(monotone, concave, z)

    def falls(self, z: float = 3.0) -> bool:
        """Whether the mean at the largest size lies below the mean at the smallest size by more than *z*
        standard errors of their difference (from the seed spread; without seeds any fall counts).

        Such a curve breaks assumption (1) over its whole range: no non-decreasing
        accuracy function describes it (a fit collapses to a constant).
        """
        g = self.groups
        if g.sizes.size < 2:
            return False
        se2 = np.where(g.counts > 1, g.spreads**2 / g.counts, 0.0)
        return bool(g.means[0] - g.means[-1] > z * math.sqrt(se2[0] + se2[-1]))

    @property
    def size_range(self) -> tuple[float, float]:
        return float(min(self.sizes)), float(max(self.sizes))

    def to_dict(self) -> dict[str, object]:
        """Label, source and the per-size summary (JSON-ready)."""
        g = self.groups
        return {"label": self.label, "source": self.source, "observations": len(self.sizes),
                "sizes": [float(x) for x in g.sizes], "means": [float(x) for x in g.means],
                "spreads": [float(x) for x in g.spreads], "counts": [int(x) for x in g.counts]}


def _number(text: str, what: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputFileError(f"{where}: {what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputFileError(f"{where}: {what} {text!r} is not a finite number")
    return value


def read_csv(path: str | os.PathLike[str], size_column: str = "size", score_column: str = "accuracy") -> LearningCurve:
    """A learning curve from a CSV file with a header row.

    Parameters
    ----------
    path:
        The file; other columns are ignored.
    size_column, score_column:
        Header names of the training-set size and the accuracy (in [0, 1]).

    Raises
    ------
    InputFileError
        Naming the file (and line) when it is missing or not a regular file (a
        pipe or a device is never read), lacks a column, holds a non-numeric
        value, a size <= 0 or outside :data:`SIZE_RANGE`, an accuracy outside [0, 1], a cell longer than the
        csv module's field limit or more than :data:`MAX_MEASUREMENTS` data rows.
    """
    file = Path(path)
    require_regular_file(file, str(file))
    sizes: list[float] = []
    scores: list[float] = []
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            for column in (size_column, score_column):
                if column not in header:
                    raise InputFileError(f"{file}: no column {column!r} (columns: {', '.join(header) or 'none'})")
            for row in reader:
                where = f"{file} line {reader.line_num}"
                if len(sizes) == MAX_MEASUREMENTS:
                    raise InputFileError(f"{where}: more than {MAX_MEASUREMENTS} measurements (the limit of a "
                                         "learning curve)")
                size = _number(row[size_column] or "", "size", where)
                score = _number(row[score_column] or "", "accuracy", where)
                if size <= 0:
                    raise InputFileError(f"{where}: training-set size {size:g} must be positive")
                if not SIZE_RANGE[0] <= size <= SIZE_RANGE[1]:
                    raise InputFileError(f"{where}: training-set size {size:g} is outside "
                                         f"[{SIZE_RANGE[0]:g}, {SIZE_RANGE[1]:g}]")
                if not 0 <= score <= 1:
                    raise InputFileError(f"{where}: accuracy {score:g} is outside [0, 1]")
                sizes.append(size)
                scores.append(score)
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"{file}: cannot be read ({error.strerror if isinstance(error, OSError) else error})"
                             ) from None
    except csv.Error as error:
        raise InputFileError(f"{file}: not a CSV file the csv module reads ({error})") from None
    if not sizes:
        raise InputFileError(f"{file}: no data rows")
    return LearningCurve(file.name, tuple(sizes), tuple(scores), f"CSV file {file}")


# -- LCDB ----------------------------------------------------------------------------

def lcdb_file(metric: str = "accuracy") -> Path | None:
    """The LCDB CSV of *metric* inside the installed ``lcdb`` package (not imported), or None."""
    spec = importlib.util.find_spec("lcdb")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / f"database-{metric}.csv"
        if candidate.is_file():
            return candidate
    return None


def lcdb_available() -> bool:
    """Whether the LCDB curves are installed (the ``lcdb`` extra)."""
    return lcdb_file() is not None


def _require_lcdb() -> Path:
    path = lcdb_file()
    if path is None:
        raise InputFileError("the LCDB curves are not installed: pip install 'fedsym[lcdb]'")
    return path


def parse_curve_name(name: str) -> tuple[int, str]:
    """``"6:SVC_linear"`` to ``(6, "SVC_linear")``; :class:`ParameterError` naming it otherwise."""
    openmlid, sep, learner = name.partition(":")
    digits = openmlid.strip()
    if not sep or not (digits.isascii() and digits.isdigit()) or not learner.strip():
        raise ParameterError(f"LCDB curve {name!r}: expected OPENMLID:LEARNER, e.g. 6:SVC_linear")
    return int(openmlid), learner.strip()


def _index_folder() -> Path | None:
    """Folder of the LCDB index cache (the user cache: settings ``cache_dir``, ``$FEDSYM_CACHE_DIR``, else the
    platform's), or None when the cache is off (``fedsym --no-cache``, ``FEDSYM_NO_CACHE=1``)."""
    from fedsym.core import cache  # imported on use: cli/fit imports this module when its parser is built

    return cache.cache_dir() if cache.cache_enabled() else None


def _index_name(data: Path) -> str:
    return f"lcdb-index-{data.stem}.json"


def _identity(data: Path) -> dict[str, object]:
    """What an index cache entry must name: the LCDB file's name, size and modification time."""
    stat = data.stat()
    return {"file": data.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _index_digest(identity: dict[str, object], ranges: dict[str, list[int]]) -> str:
    return hashlib.sha256(json.dumps([identity, ranges], sort_keys=True).encode()).hexdigest()


def _index_entry(identity: dict[str, object], ranges: dict[int, tuple[int, int]]) -> dict[str, object]:
    """The JSON of an index cache entry: the file it describes, each data set's byte range, their digest."""
    encoded = {str(k): [v[0], v[1]] for k, v in ranges.items()}
    return {"identity": identity, "ranges": encoded, "digest": _index_digest(identity, encoded)}


def _index_plausible(entry: dict[str, Any], identity: dict[str, object], size: int) -> bool:
    """Whether a cached index entry describes this file (*identity*, digest) and each of its ranges is a
    non-empty byte range inside the file (checked again against the rows on use: :func:`_range_is_data_set`)."""
    ranges = entry["ranges"]
    return (entry["identity"] == identity and entry["digest"] == _index_digest(identity, ranges)
            and all(key.isascii() and key.isdigit() and len(key) < 20 and len(value) == 2
                    and all(type(end) is int for end in value) and 0 < value[0] < value[1] <= size
                    for key, value in ranges.items()))


def _scan(data: Path) -> dict[int, tuple[int, int]]:
    """Byte range of each OpenML data set's rows, by one pass over the file (about one second)."""
    ranges: dict[int, tuple[int, int]] = {}
    with data.open("rb") as handle:
        handle.readline()
        offset = handle.tell()
        current, start = None, offset
        for line in handle:
            key = int(line[:line.index(b",")])
            if key != current:
                if current is not None:
                    ranges[current] = (start, offset)
                current, start = key, offset
            offset += len(line)
        if current is not None:
            ranges[current] = (start, offset)
    return ranges


@functools.lru_cache(maxsize=4)
def _index(data: Path, folder: Path | None) -> dict[int, tuple[int, int]]:
    """Byte range of each OpenML data set's rows (the file keeps each data set's rows together).

    *folder* is the user cache folder in force (:func:`_index_folder`, part of
    the in-memory key), None when the cache is off.  Read from the user cache
    (:func:`fedsym.core.cache.read_user_file`: size-bounded, never under
    ``--no-cache``) when the entry names this file (name, size, modification
    time), matches its digest and holds only byte ranges inside the file; else
    scanned and, when *folder* is not None, written there.  Each range is
    checked again against the rows when it is used (:func:`_data_set_rows`).
    """
    from fedsym.core import cache

    identity = _identity(data)
    if folder is not None:
        stored = cache.read_user_file(_index_name(data), lambda entry: _index_plausible(entry, identity, data.stat().st_size))
        if stored is not None:
            return {int(k): (v[0], v[1]) for k, v in stored["ranges"].items()}
    ranges = _scan(data)
    if folder is not None:
        cache.write_user_file(_index_name(data), _index_entry(identity, ranges))  # a read-only folder: scan again
    return ranges


def _range_is_data_set(data: Path, openmlid: int, start: int, stop: int) -> bool:
    """Whether bytes [start, stop) of *data* are whole lines, all of data set *openmlid*, and all of them
    (the line before and the line after belong to another data set or are the header / end of file)."""
    prefix = f"{openmlid},".encode()
    if not 0 < start < stop:
        return False
    window = max(0, start - _NEIGHBOUR)
    with data.open("rb") as handle:
        handle.seek(window)
        before = handle.read(start - window)
        chunk = handle.read(stop - start)
        after = handle.readline()
    if not before.endswith(b"\n"):
        return False
    cut = before.rfind(b"\n", 0, len(before) - 1)
    if cut < 0 and window > 0:
        return False  # the line above is longer than the window: not an LCDB file
    lines = chunk.split(b"\n")
    return (not before[cut + 1:].startswith(prefix) and lines[-1] == b""
            and all(line.startswith(prefix) for line in lines[:-1]) and not after.startswith(prefix))


def _data_set_rows(data: Path, openmlid: int) -> Iterator[list[str]]:
    """The rows of data set *openmlid*, from the (checked) index; ParameterError when LCDB lacks it."""
    folder = _index_folder()
    ranges = _index(data, folder)
    if folder is not None and not (openmlid in ranges and _range_is_data_set(data, openmlid, *ranges[openmlid])):
        # the cached index may have been edited (a data set dropped or pointed elsewhere): trust only a fresh scan
        fresh = _index(data, None)
        if fresh != ranges:
            _index.cache_clear()
            from fedsym.core import cache

            cache.write_user_file(_index_name(data), _index_entry(_identity(data), fresh))
        ranges = fresh
    if openmlid not in ranges:
        raise ParameterError(f"LCDB curve: no OpenML data set {openmlid} in LCDB")
    if not _range_is_data_set(data, openmlid, *ranges[openmlid]):
        raise InputFileError(f"{data}: the rows of OpenML data set {openmlid} are not together")
    return _rows(data, *ranges[openmlid])


def _header(data: Path) -> list[str]:
    with data.open(newline="") as handle:
        return next(csv.reader(handle))


def _rows(data: Path, start: int, stop: int) -> Iterator[list[str]]:
    with data.open("rb") as handle:
        handle.seek(start)
        chunk = handle.read(stop - start).decode()
    return csv.reader(io.StringIO(chunk))


def _learner_matches(stored: str, wanted: str) -> bool:
    """``SVC_linear`` matches itself; ``LogisticRegression`` matches ``sklearn.linear_model.LogisticRegression``."""
    return stored == wanted or stored.rsplit(".", 1)[-1] == wanted


def _curves(rows: Iterable[list[str]], header: list[str], learner: str, score: str) -> dict[tuple[int, str], LearningCurve]:
    if score not in LCDB_SCORES:
        raise ParameterError(f"LCDB score {score!r}: choose one of {', '.join(LCDB_SCORES)}")
    cols = [header.index(name) for name in ("openmlid", "learner", "size_train", f"score_{score}")]
    points: dict[tuple[int, str], tuple[list[float], list[float]]] = {}
    for row in rows:
        openmlid, stored, size, value = (row[i] for i in cols)
        if not _learner_matches(stored, learner) or not value:
            continue
        sizes, scores = points.setdefault((int(openmlid), stored.rsplit(".", 1)[-1]), ([], []))
        sizes.append(float(size))
        scores.append(float(value))
    return {key: LearningCurve(f"{key[0]}:{key[1]}", tuple(s), tuple(v), f"LCDB (Mohr et al.), score_{score}")
            for key, (s, v) in points.items()}


def _shipped(openmlid: int, learner: str, score: str) -> LearningCurve | None:
    """The curve from :data:`SHIPPED_CURVES` (same rows and parser as the ``lcdb`` file), or None."""
    with SHIPPED_CURVES.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        curves = _curves((row for row in reader if row[0] == str(openmlid)), header, learner, score)
    return next(iter(curves.values()), None)


def read_lcdb(name: str, score: str = "valid") -> LearningCurve:
    """The LCDB accuracy curve ``OPENMLID:LEARNER`` (all seeds) with the ``score_valid`` or ``score_test`` column.

    *LEARNER* is the LCDB name (``SVC_linear``) or the last part of a
    scikit-learn class path (``LogisticRegression``).  The curves of
    :data:`SHIPPED_CURVES` are read from fedsym's own copy, any other from the
    ``lcdb`` package.  Raises :class:`InputFileError` when that package is
    needed but not installed and :class:`ParameterError` naming an unknown curve.
    """
    openmlid, learner = parse_curve_name(name)
    shipped = _shipped(openmlid, learner, score)
    if shipped is not None:
        return shipped
    data = _require_lcdb()
    try:
        rows = _data_set_rows(data, openmlid)
    except ParameterError:
        raise ParameterError(f"LCDB curve {name!r}: no OpenML data set {openmlid} in LCDB") from None
    curves = _curves(rows, _header(data), learner, score)
    if not curves:
        raise ParameterError(f"LCDB curve {name!r}: no learner {learner!r} on OpenML data set {openmlid}")
    return next(iter(curves.values()))


def read_lcdb_learner(learner: str, score: str = "valid") -> list[LearningCurve]:
    """Every LCDB accuracy curve of *learner*, one per OpenML data set (one pass over the file)."""
    data = _require_lcdb()
    with data.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        curves = _curves(reader, header, learner, score)
    if not curves:
        raise ParameterError(f"LCDB learner {learner!r} has no curves")
    return [curves[key] for key in sorted(curves)]
