"""Outcome-measure scoring: pure functions, no database access.

Conventions shared by every ``score_*`` function:

- ``None`` means an item was not answered; ``NA`` (this module's sentinel) means
  "not applicable", which only FAAM and FFI allow as an answer.
- A wrong number of items, an answer outside the item's range, or an answer that
  is not a number raises ``ValueError`` naming the item.
- When the published rules say the questionnaire cannot be scored (too many
  missing answers), the result has ``value=None`` and ``reason`` says why.

Documented policies where the sources leave a choice (clinical reference §3):

- LEFS: any missing item means no score (no official proration rule exists).
  LEFS has no N/A answer, so an ``NA`` item is treated as missing.
- FAAM: a subscale is scored when at least 90% of items are completed (ADL 19/21,
  Sports 7/8). ``NA`` counts as completed but is excluded from the sum and the
  denominator (the awell-score policy).
- FFI: ``NA`` items are excluded from the sum and the denominator; a subscale
  that is entirely ``NA`` has no subscale score, and then only the sum-method
  total (over the applicable items) is computed. An unanswered (``None``) item
  leaves its subscale and the total unscored, because the FFI has no rule for
  missing answers and a guess would bias the score.
- PSFS and FPI-6: an unrated activity or a missing item means no score.
- Clinically important change uses "at least" at the threshold (§3.6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from typing import Any


class _NotApplicable:
    """The ``NA`` sentinel: an item the respondent marked not applicable."""

    _instance: _NotApplicable | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"

    def __reduce__(self):
        return "NA"


NA = _NotApplicable()

ALGORITHM_VERSIONS = {
    "lefs": "lefs-binkley1999-sum-v1",
    "faam_adl": "faam-martin2005-adl-v1",
    "faam_sports": "faam-martin2005-sports-v1",
    "psfs": "psfs-stratford1995-mean-v1",
    "fpi6": "fpi6-redmond2008-v1",
    "ffi": "ffi-budimanmak1991-v1",
}

LEFS_ITEMS = 20
FAAM_ITEMS = {"adl": 21, "sports": 8}
FAAM_MIN_COMPLETED = {"adl": 19, "sports": 7}
FFI_SUBSCALES = (("pain", 9), ("disability", 9), ("activity_limitation", 5))
FFI_ITEMS = sum(n for _, n in FFI_SUBSCALES)
FPI6_ITEMS = 6

# Minimal clinically important change (§3.6) and minimal detectable change (§3).
MCID = {"lefs": 9, "faam_adl": 8, "faam_sports": 9, "psfs": 2, "psfs_activity": 3, "nprs": 2}
MDC = {"lefs": 9, "faam_adl": 5.7, "faam_sports": 12.3, "psfs": 2, "psfs_activity": 3, "nprs": 2}
HIGHER_IS_BETTER = {
    "lefs": True,
    "faam_adl": True,
    "faam_sports": True,
    "psfs": True,
    "psfs_activity": True,
    "ffi": False,
    "nprs": False,
}


class _Subscales(dict):
    """FFI subscale percents; "activity" is accepted as a short key for activity limitation."""

    _ALIASES = {"activity": "activity_limitation", "activity limitation": "activity_limitation"}

    def __missing__(self, key):
        alias = self._ALIASES.get(key)
        if alias is None:
            raise KeyError(key)
        return self[alias]


@dataclass(frozen=True)
class ScoreResult:
    value: float | int | None
    reason: str | None = None
    subscales: dict[str, float | None] = field(default_factory=dict)
    band: str | None = None
    algorithm_version: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        return self.value is not None


def _is_na(answer: Any) -> bool:
    return answer is NA


def _check_count(name: str, items, expected: int) -> list:
    if isinstance(items, (str, bytes)) or not hasattr(items, "__len__"):
        raise ValueError(f"{name} expects a list of {expected} items")
    items = list(items)
    if len(items) != expected:
        raise ValueError(f"{name} expects {expected} items, got {len(items)}")
    return items


def _check_number(name: str, number: int, answer: Any, low: float, high: float, *, integer: bool) -> None:
    label = f"{name} item {number}"
    if isinstance(answer, bool) or not isinstance(answer, (Real, Decimal)):
        raise ValueError(f"{label}: {answer!r} is not a number")
    if isinstance(answer, float) and not math.isfinite(answer):
        raise ValueError(f"{label}: {answer!r} is not a number")
    if integer and answer != int(answer):
        raise ValueError(f"{label}: {answer!r} is not a whole number")
    if not low <= answer <= high:
        raise ValueError(f"{label}: {answer!r} is outside {low:g}–{high:g}")


def _number(answer: Any) -> float | int:
    if isinstance(answer, Decimal):
        return int(answer) if answer == int(answer) else float(answer)
    if isinstance(answer, float) and answer.is_integer():
        return int(answer)
    return answer


def score_lefs(responses) -> ScoreResult:
    """LEFS (Binkley 1999): sum of 20 items scored 0-4, range 0-80, higher = better."""
    items = _check_count("LEFS", responses, LEFS_ITEMS)
    missing = []
    for number, answer in enumerate(items, start=1):
        if answer is None or _is_na(answer):
            missing.append(number)
            continue
        _check_number("LEFS", number, answer, 0, 4, integer=True)
    version = ALGORITHM_VERSIONS["lefs"]
    if missing:
        listed = ", ".join(str(n) for n in missing)
        return ScoreResult(
            value=None,
            reason=f"LEFS has no score: item{'s' if len(missing) > 1 else ''} {listed} not answered "
            "(every item is needed; there is no proration rule).",
            algorithm_version=version,
            details={"missing": missing},
        )
    total = sum(_number(a) for a in items)
    return ScoreResult(value=total, algorithm_version=version, details={"max": 80})


def score_faam(responses, subscale: str) -> ScoreResult:
    """FAAM (Martin 2005) ADL or Sports subscale, in percent (higher = better)."""
    subscale = subscale.lower() if isinstance(subscale, str) else subscale
    if subscale not in FAAM_ITEMS:
        raise ValueError(f"FAAM subscale must be 'adl' or 'sports', not {subscale!r}")
    name = f"FAAM {'ADL' if subscale == 'adl' else 'Sports'}"
    expected = FAAM_ITEMS[subscale]
    items = _check_count(name, responses, expected)
    scored = []
    na_count = 0
    missing = []
    for number, answer in enumerate(items, start=1):
        if answer is None:
            missing.append(number)
        elif _is_na(answer):
            na_count += 1
        else:
            _check_number(name, number, answer, 0, 4, integer=True)
            scored.append(_number(answer))
    completed = len(scored) + na_count
    needed = FAAM_MIN_COMPLETED[subscale]
    version = ALGORITHM_VERSIONS[f"faam_{subscale}"]
    details = {"completed": completed, "na": na_count, "missing": missing, "answered": len(scored)}
    if completed < needed:
        return ScoreResult(
            value=None,
            reason=f"{name} has no score: {completed} of {expected} items completed; "
            f"at least {needed} are needed.",
            algorithm_version=version,
            details=details,
        )
    if not scored:
        return ScoreResult(
            value=None,
            reason=f"{name} has no score: every item is marked not applicable.",
            algorithm_version=version,
            details=details,
        )
    value = sum(scored) / (4 * len(scored)) * 100
    details["max"] = 4 * len(scored)
    details["sum"] = sum(scored)
    return ScoreResult(value=value, algorithm_version=version, details=details)


def score_ffi(responses, *, method: str = "sum", item_max: int = 10) -> ScoreResult:
    """FFI (Budiman-Mak 1991): 23 items (pain 9, disability 9, activity limitation 5).

    ``method="sum"``: total = sum / (item_max x applicable items) x 100.
    ``method="mean_of_subscales"``: total = mean of the three subscale percents.
    ``item_max`` is 10 (current 0-10 version) or 9 (original VAS). Higher = worse.
    """
    if method not in ("sum", "mean_of_subscales"):
        raise ValueError(f"FFI method must be 'sum' or 'mean_of_subscales', not {method!r}")
    if item_max not in (9, 10):
        raise ValueError(f"FFI item_max must be 10 or 9, not {item_max!r}")
    items = _check_count("FFI", responses, FFI_ITEMS)
    missing = []
    for number, answer in enumerate(items, start=1):
        if answer is None:
            missing.append(number)
        elif not _is_na(answer):
            _check_number("FFI", number, answer, 0, item_max, integer=False)
    version = f"{ALGORITHM_VERSIONS['ffi']}-{method}-max{item_max}"
    subscales = _Subscales()
    reasons = []
    start = 0
    all_applicable: list = []
    for key, count in FFI_SUBSCALES:
        chunk = items[start : start + count]
        numbers = range(start + 1, start + count + 1)
        start += count
        chunk_missing = [n for n, a in zip(numbers, chunk, strict=True) if a is None]
        applicable = [_number(a) for a in chunk if a is not None and not _is_na(a)]
        all_applicable.extend(applicable)
        label = key.replace("_", " ")
        if chunk_missing:
            subscales[key] = None
            reasons.append(f"{label}: item(s) {', '.join(map(str, chunk_missing))} not answered")
        elif not applicable:
            subscales[key] = None
            # The sum method still has a total over the other applicable items.
            if method == "mean_of_subscales":
                reasons.append(f"{label}: every item is not applicable")
        else:
            subscales[key] = sum(applicable) / (item_max * len(applicable)) * 100
    details = {"method": method, "item_max": item_max, "missing": missing}
    if not reasons and not all_applicable:
        reasons.append("every item is not applicable")
    if reasons:
        return ScoreResult(
            value=None,
            reason="FFI has no total: " + "; ".join(reasons) + ".",
            subscales=subscales,
            algorithm_version=version,
            details=details,
        )
    if method == "sum":
        value = sum(all_applicable) / (item_max * len(all_applicable)) * 100
    else:
        value = sum(v for v in subscales.values()) / len(subscales)
    return ScoreResult(value=value, subscales=subscales, algorithm_version=version, details=details)


def score_psfs(ratings) -> ScoreResult:
    """PSFS (Stratford 1995): mean of 1 to 5 activity ratings, each 0-10 (higher = better)."""
    if isinstance(ratings, (str, bytes)) or not hasattr(ratings, "__len__"):
        raise ValueError("PSFS expects a list of 1 to 5 ratings")
    ratings = list(ratings)
    if not 1 <= len(ratings) <= 5:
        raise ValueError(f"PSFS expects 1 to 5 activity ratings, got {len(ratings)}")
    missing = []
    for number, rating in enumerate(ratings, start=1):
        if rating is None or _is_na(rating):
            missing.append(number)
        else:
            _check_number("PSFS", number, rating, 0, 10, integer=False)
    version = ALGORITHM_VERSIONS["psfs"]
    if missing:
        return ScoreResult(
            value=None,
            reason=f"PSFS has no score: activity {', '.join(map(str, missing))} not rated.",
            algorithm_version=version,
            details={"missing": missing},
        )
    values = [_number(r) for r in ratings]
    return ScoreResult(
        value=sum(values) / len(values), algorithm_version=version, details={"count": len(values)}
    )


def fpi6_band(total: int) -> str:
    if total <= -5:
        return "highly supinated"
    if total <= -1:
        return "supinated"
    if total <= 5:
        return "normal"
    if total <= 9:
        return "pronated"
    return "highly pronated"


def score_fpi6(items) -> ScoreResult:
    """FPI-6 (Redmond 2008): six items each -2..+2; total -12..+12 and its band."""
    values = _check_count("FPI-6", items, FPI6_ITEMS)
    missing = []
    for number, answer in enumerate(values, start=1):
        if answer is None or _is_na(answer):
            missing.append(number)
        else:
            _check_number("FPI-6", number, answer, -2, 2, integer=True)
    version = ALGORITHM_VERSIONS["fpi6"]
    if missing:
        return ScoreResult(
            value=None,
            reason=f"FPI-6 has no total: item {', '.join(map(str, missing))} not scored.",
            algorithm_version=version,
            details={"missing": missing},
        )
    total = int(sum(_number(v) for v in values))
    return ScoreResult(value=total, band=fpi6_band(total), algorithm_version=version)


def limb_symmetry_index(involved, uninvolved) -> float | None:
    """Involved / uninvolved x 100, in percent. None when the uninvolved value is 0."""
    for name, value in (("involved", involved), ("uninvolved", uninvolved)):
        if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
            raise ValueError(f"{name} side value {value!r} is not a number")
        if value < 0:
            raise ValueError(f"{name} side value {value!r} is negative; LSI needs values of 0 or more")
    if uninvolved == 0:
        return None
    return float(involved) / float(uninvolved) * 100


def wblt_cm_to_degrees(cm) -> float:
    """Knee-to-wall distance to approximate dorsiflexion: 1 cm ≈ 3.6° (Bennell 1998)."""
    if isinstance(cm, bool) or not isinstance(cm, (Real, Decimal)):
        raise ValueError(f"distance {cm!r} is not a number")
    if cm < 0:
        raise ValueError(f"distance {cm!r} cm is negative")
    return float(cm) * 3.6


def _exact(value, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise ValueError(f"{name} {value!r} is not a number")
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def is_clinically_important_change(instrument: str, baseline, followup) -> bool:
    """True when the follow-up improves on the baseline by at least the MCID (§3.6).

    LEFS Δ ≥ 9, FAAM ADL Δ ≥ 8, FAAM Sports Δ ≥ 9, PSFS mean Δ ≥ 2 (one
    activity, "psfs_activity": Δ ≥ 3), NPRS a fall of at least 2 points or at
    least 30% of the baseline. Exact arithmetic, so 30% of 7 is not lost to
    floating point.
    """
    base = _exact(baseline, "baseline")
    follow = _exact(followup, "follow-up")
    instrument = instrument.lower() if isinstance(instrument, str) else instrument
    if instrument == "nprs":
        fall = base - follow
        return fall >= 2 or (base > 0 and fall > 0 and fall / base >= Fraction(3, 10))
    if instrument not in MCID:
        raise ValueError(f"no clinically important change is defined for {instrument!r}")
    return follow - base >= MCID[instrument]
