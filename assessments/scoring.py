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
- FAAM: a subscale is scored only when at least 90% of its items are answered
  (ADL 19 of 21, Sports 7 of 8; Martin 2005). ``NA`` is excluded from the sum
  and the denominator and does **not** count as answered: a form of N/A alone
  says nothing about the foot (clinical reference R2.2.5).
- FFI: ``NA`` items are excluded from the sum and the denominator; a subscale
  that is entirely ``NA`` has no subscale score, and then only the sum-method
  total (over the applicable items) is computed. An unanswered (``None``) item
  leaves its subscale and the total unscored, because the FFI has no rule for
  missing answers and a guess would bias the score.
- PSFS: each rating is a whole number 0-10 (Stratford 1995); a decimal raises.
- PSFS and FPI-6: an unrated activity or a missing item means no score.
- Real change for one client (R2.2.5): |change| >= max(MDC, MCID) of the
  measure, "at least" at the threshold. Where only an MDC exists the change is
  "measurable", not "important". See ``CHANGE_RULES`` and ``real_change``.
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
    "faam_adl": "faam-martin2005-adl-v2",
    "faam_sports": "faam-martin2005-sports-v2",
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

# Minimal clinically important change and minimal detectable change (R2.2.5).
# PSFS: the MCID is 1.3 / 2.3 / 2.7 for a small / medium / large change (Abbott &
# Schmitt 2014); the smallest is kept here. No MCID is published for one PSFS
# activity: "psfs_activity" keeps its MDC so older callers still find a number,
# and ``CHANGE_RULES`` (what the screens use) records it as having no MCID.
MCID = {"lefs": 9, "faam_adl": 8, "faam_sports": 9, "psfs": 1.3, "psfs_activity": 3, "nprs": 2}
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
    if isinstance(answer, Decimal) and not answer.is_finite():
        raise ValueError(f"{label}: {answer!r} is not a number")
    # The stubs give numbers.Real no int() or comparison with float; Real values support both.
    if integer and answer != int(answer):  # type: ignore[arg-type]
        raise ValueError(f"{label}: {answer!r} is not a whole number")
    if not low <= answer <= high:  # type: ignore[operator]
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
    # N/A is not an answer about the foot, so it does not count toward the minimum.
    completed = len(scored)
    needed = FAAM_MIN_COMPLETED[subscale]
    version = ALGORITHM_VERSIONS[f"faam_{subscale}"]
    details = {"completed": completed, "na": na_count, "missing": missing, "answered": len(scored)}
    if not scored and na_count == expected:
        return ScoreResult(
            value=None,
            reason=f"{name} has no score: every item is marked not applicable.",
            algorithm_version=version,
            details=details,
        )
    if completed < needed:
        na_text = f" ({na_count} marked N/A, which does not count)" if na_count else ""
        return ScoreResult(
            value=None,
            reason=f"{name} has no score: {completed} of {expected} items answered{na_text}; "
            f"at least {needed} answered items are needed.",
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
    """PSFS (Stratford 1995): mean of 1 to 5 activity ratings, each a whole number
    0-10 (higher = better). A decimal rating raises ``ValueError``."""
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
            _check_number("PSFS", number, rating, 0, 10, integer=True)
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
    # The stubs do not let Fraction() take a numbers.Real (Rational and Decimal values work).
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)  # type: ignore[arg-type]


def is_clinically_important_change(instrument: str, baseline, followup) -> bool:
    """True when the follow-up improves on the baseline by a real, important change.

    Corrected by the clinical reference (R2.0 #1, R2.2.5): an improvement counts
    only at |change| >= max(MDC, MCID), because a change inside the measurement
    error can be noise however large the MCID. LEFS Δ ≥ 9, FAAM ADL Δ ≥ 8,
    FAAM Sports Δ ≥ 12.3, PSFS mean Δ ≥ 2 (one activity, "psfs_activity":
    Δ ≥ 3), NPRS a fall of at least max(2, ⌈0.3 × baseline⌉). Exact arithmetic,
    so 30% of 7 is not lost to floating point.
    """
    base = _exact(baseline, "baseline")
    follow = _exact(followup, "follow-up")
    instrument = instrument.lower() if isinstance(instrument, str) else instrument
    if instrument not in MCID:
        raise ValueError(f"no clinically important change is defined for {instrument!r}")
    rule = CHANGE_RULES[instrument]
    improvement = follow - base if rule.higher_is_better else base - follow
    return improvement > 0 and improvement >= rule.threshold(base)


# --- Real change for one client (clinical reference R2.2.5) -------------------


@dataclass(frozen=True)
class ChangeRule:
    """When a change in one client's measure is real.

    ``mdc`` is the measurement error (minimal detectable change, or the limits of
    agreement it is derived from); ``mcid`` the minimal clinically important
    change. Either may be None. A change is real at |Δ| >= ``threshold``, which is
    max(MDC, MCID) unless the reference gives a rounded working threshold.
    ``relative`` rules are in percent of the baseline (HHD strength)."""

    key: str
    label: str
    unit: str
    higher_is_better: bool
    mdc: Fraction | None
    mdc_source: str
    mcid: Fraction | None = None
    mcid_source: str = ""
    working_threshold: Fraction | None = None
    threshold_note: str = ""
    relative: bool = False
    # NPRS: a fall must also reach this share of the baseline (Farrar 2001: ≈30%).
    mcid_share: Fraction | None = None
    # NPRS: at or below this baseline a fall cannot show; judge by function instead.
    floor_at: Fraction | None = None

    @property
    def kind(self) -> str:
        """ "important" when an MCID exists, else "measurable" (only an MDC)."""
        return "important" if self.mcid is not None else "measurable"

    def threshold(self, baseline=None) -> Fraction:
        """The smallest |change| that counts as real, for this baseline."""
        if self.working_threshold is not None:
            return self.working_threshold
        parts = [x for x in (self.mdc, self.mcid) if x is not None]
        if self.mcid_share is not None and baseline is not None:
            parts.append(Fraction(math.ceil(self.mcid_share * _exact(baseline, "baseline"))))
        return max(parts)

    def describe(self) -> str:
        """ "MDC 2 (Childs 2005); MCID 2 points or 30% (Farrar 2001)" for the therapist."""
        parts = []
        if self.mdc is not None:
            parts.append(f"MDC {_plain(self.mdc)}{self.unit} ({self.mdc_source})")
        if self.mcid is not None:
            share = f" or {int(self.mcid_share * 100)}%" if self.mcid_share is not None else ""
            parts.append(f"MCID {_plain(self.mcid)}{self.unit}{share} ({self.mcid_source})")
        else:
            parts.append("no MCID published, so a change beyond it is measurable, not proven important")
        return "; ".join(parts)


def _plain(value: Fraction) -> str:
    number = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{number.normalize():f}"


def _f(text: str) -> Fraction:
    return Fraction(text)


CHANGE_RULES: dict[str, ChangeRule] = {
    rule.key: rule
    for rule in (
        ChangeRule(
            "nprs",
            "NPRS",
            "",
            False,
            mdc=_f("2"),
            mdc_source="Childs 2005",
            mcid=_f("2"),
            mcid_source="Farrar 2001",
            mcid_share=_f("0.3"),
            floor_at=_f("2"),
        ),
        ChangeRule(
            "psfs",
            "PSFS mean",
            "",
            True,
            mdc=_f("2"),
            mdc_source="Stratford 1995",
            mcid=_f("1.3"),
            mcid_source="small change, Abbott & Schmitt 2014",
        ),
        ChangeRule(
            "psfs_activity", "PSFS activity", "", True, mdc=_f("3"), mdc_source="one activity, Stratford 1995"
        ),
        ChangeRule(
            "faam_adl",
            "FAAM ADL",
            "",
            True,
            mdc=_f("5.7"),
            mdc_source="Martin 2005",
            mcid=_f("8"),
            mcid_source="Martin 2005",
        ),
        ChangeRule(
            "faam_sports",
            "FAAM Sports",
            "",
            True,
            mdc=_f("12.3"),
            mdc_source="Martin 2005",
            mcid=_f("9"),
            mcid_source="Martin 2005",
        ),
        ChangeRule(
            "lefs",
            "LEFS",
            "",
            True,
            mdc=_f("9"),
            mdc_source="Binkley 1999",
            mcid=_f("9"),
            mcid_source="Binkley 1999",
        ),
        ChangeRule(
            "lunge_cm",
            "Weight-bearing lunge distance",
            " cm",
            True,
            mdc=_f("1.9"),
            mdc_source="intra-rater, Powden 2015",
            working_threshold=_f("2"),
            threshold_note="rounded up from the MDC",
        ),
        ChangeRule(
            "lunge_deg",
            "Weight-bearing lunge angle",
            "°",
            True,
            mdc=_f("4.7"),
            mdc_source="intra-rater, Powden 2015",
            working_threshold=_f("5"),
            threshold_note="rounded up from the MDC",
        ),
        ChangeRule(
            "heel_rise",
            "Single-leg heel rise",
            " reps",
            True,
            mdc=_f("6.5"),
            mdc_source="95% limits of agreement, Hébert-Losier 2017",
            working_threshold=_f("7"),
            threshold_note="just beyond the limits of agreement",
        ),
        ChangeRule(
            "hhd",
            "Hand-held dynamometry",
            "%",
            True,
            mdc=_f("10"),
            mdc_source="test-retest variation 3-12%, Thorborg 2010",
            relative=True,
        ),
    )
}


@dataclass(frozen=True)
class RealChange:
    """One client's change on one measure, judged by its ``ChangeRule``.

    ``verdict``: "improved" | "worse" | "no_real_change" | "same" | "floor".
    ``kind``: "important" or "measurable" for a real change, else "".
    ``text`` says what the threshold is and which figure is the MDC and which the MCID."""

    delta: Fraction
    threshold: Fraction
    verdict: str
    kind: str
    text: str


def real_change(key: str, baseline, followup) -> RealChange:
    """Judge the change from ``baseline`` to ``followup`` on measure ``key``
    (a ``CHANGE_RULES`` key): real only at |Δ| >= max(MDC, MCID) (R2.2.5).

    NPRS: an improvement needs a fall of max(2, ⌈0.3 × baseline⌉); a rise counts
    at the MDC (2 points), because the 30% figure describes improvement. With a
    baseline of 2 or less a fall cannot show, so the verdict is "floor" ("judge
    by function") unless pain rose by a real amount. Relative rules (HHD) judge
    the change in percent of the baseline."""
    rule = CHANGE_RULES.get(key)
    if rule is None:
        raise ValueError(f"no real-change rule is defined for {key!r}")
    base = _exact(baseline, "baseline")
    follow = _exact(followup, "follow-up")
    delta = follow - base
    if rule.relative:
        if base <= 0:
            raise ValueError("a relative change needs a baseline above 0")
        size = abs(delta) / base * 100
    else:
        size = abs(delta)
    better = delta > 0 if rule.higher_is_better else delta < 0
    if better:
        threshold = rule.threshold(base)
    elif rule.mcid_share is not None:
        # A rise counts at the MDC: the share of the baseline describes improvement.
        # The one rule with a share (NPRS) carries an MDC.
        assert rule.mdc is not None
        threshold = rule.mdc
    else:
        threshold = rule.threshold()
    unit = rule.unit
    rule_text = rule.describe()
    if rule.floor_at is not None and base <= rule.floor_at and not (not better and size >= threshold):
        return RealChange(
            delta,
            threshold,
            "floor",
            "",
            f"floor: judge by function (baseline {_plain(base)}{unit} leaves no room for a real fall; "
            f"{rule_text})",
        )
    if delta == 0:
        return RealChange(delta, threshold, "same", "", "unchanged")
    if size < threshold:
        return RealChange(
            delta,
            threshold,
            "no_real_change",
            "",
            f"no real change (under {_plain(threshold)}{unit}; {rule_text})",
        )
    kind = rule.kind
    word = "improved" if better else "worse"
    return RealChange(
        delta,
        threshold,
        word,
        kind,
        f"{word}: {kind} change (at least {_plain(threshold)}{unit}; {rule_text})",
    )


# --- Body size and strength ------------------------------------------------------

GRAVITY = Decimal("9.81")


def bmi(height_cm, weight_kg) -> float:
    """Body mass index, kg/m² (WHO): weight ÷ height². Raises on non-positive input."""
    height = _exact(height_cm, "height")
    weight = _exact(weight_kg, "weight")
    if height <= 0 or weight <= 0:
        raise ValueError("height and weight must be above 0")
    metres = height / 100
    return float(weight / (metres * metres))


def hhd_normalise(newtons, body_mass_kg) -> tuple[float, float]:
    """Hand-held dynamometer force per body weight: (N/kg, % of body weight),
    where %BW = N ÷ (kg × 9.81) × 100 (clinical reference R2.3)."""
    force = _exact(newtons, "force")
    mass = _exact(body_mass_kg, "body mass")
    if force < 0 or mass <= 0:
        raise ValueError("force must be 0 or more and body mass above 0")
    per_kg = force / mass
    return float(per_kg), float(per_kg / Fraction(GRAVITY) * 100)


def capacity_lsi(involved, uninvolved, *, less_is_better: bool = False) -> float | None:
    """Limb symmetry index for a capacity measure (R2.2.4): involved ÷ uninvolved × 100
    where more is better (reps, force, hop distance, stance time); uninvolved ÷
    involved × 100 for timed tests where less is better. Never use it for joint
    angles, lunge distance, navicular drop or FPI: compare those sides by their
    difference against the measurement error."""
    if less_is_better:
        return limb_symmetry_index(uninvolved, involved)
    return limb_symmetry_index(involved, uninvolved)
