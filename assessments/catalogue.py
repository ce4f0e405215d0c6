"""The catalogue of kinetic-chain measures.

One entry per measure drives the entry form, validation, display, derived
findings, comparison and charts. Adding a measure is one entry here, not a
migration: measurements are stored as rows keyed by ``code``.

Norms cite author and year. Where the clinical reference marks a figure as
secondary or unconfirmed, ``Norm.confirmed`` is False and the UI labels it
"unconfirmed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


class Region:
    CALF = "calf"
    ANKLE = "ankle"
    FOOT = "foot"
    HIP = "hip"
    GLUTE = "glute"
    GAIT = "gait"
    PAIN = "pain"

    LABELS = {
        "foot": "Foot",
        "ankle": "Ankle",
        "calf": "Calf",
        "hip": "Hip",
        "glute": "Glute",
        "gait": "Gait",
        "pain": "Pain (NPRS)",
    }
    # Order of the entry page and of the chain (foot -> ankle -> calf -> hip -> glute, then gait).
    ORDER = ("foot", "ankle", "calf", "hip", "glute", "gait", "pain")
    CHAIN = ("foot", "ankle", "calf", "hip", "glute", "gait")


class ValueType:
    DECIMAL = "decimal"
    INTEGER = "integer"
    GRADE = "grade"  # MMT 0-5 with +/- modifiers
    POSNEG = "posneg"
    CHOICE = "choice"
    DOMAINS = "domains"  # single-leg squat: five domains rated good/poor


@dataclass(frozen=True)
class Norm:
    """A normal value or band. ``low``/``high`` bound the normal range (either may be None);
    ``expected`` is the normal answer for pos/neg and choice measures."""

    text: str
    source: str
    confirmed: bool
    low: Decimal | None = None
    high: Decimal | None = None
    expected: str | None = None
    low_by_sex: dict[str, Decimal] | None = None

    @property
    def label(self) -> str:
        tail = "" if self.confirmed else " (unconfirmed)"
        return f"{self.text} ({self.source}){tail}"


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    region: str
    unit: str
    value_type: str
    per_side: bool
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    step: str = "1"
    choices: tuple[tuple[str, str], ...] = ()
    positions: tuple[tuple[str, str], ...] = ()
    norm: Norm | None = None
    mdc: Decimal | None = None
    mdc_source: str = ""
    higher_is_better: bool | None = None
    # Side-to-side difference beyond which the pair is flagged as asymmetric.
    asymmetry: Decimal | None = None
    asymmetry_source: str = ""
    # LSI below this (percent) is flagged, when the client's involved side is known.
    lsi_floor: Decimal | None = None
    help: str = ""
    short: str = ""
    charted: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def short_label(self) -> str:
        return self.short or self.label

    @property
    def sides(self) -> tuple[str, ...]:
        return ("L", "R") if self.per_side else ("",)

    @property
    def is_numeric(self) -> bool:
        return self.value_type in (ValueType.DECIMAL, ValueType.INTEGER, ValueType.DOMAINS)

    @property
    def range_text(self) -> str:
        if self.min_value is None:
            return ""
        return with_unit(f"{_fmt(self.min_value)}–{_fmt(self.max_value)}", self.unit)

    def display(self, *, value: Decimal | None, choice: str) -> str:
        if self.value_type in (ValueType.POSNEG, ValueType.CHOICE, ValueType.GRADE):
            return dict(self.choices).get(choice, choice)
        if value is None:
            return ""
        text = with_unit(_fmt(value), self.unit)
        if self.code == "knee_to_wall":
            text += f" (≈{_fmt(round(value * Decimal('3.6')))}°)"
        return text


def with_unit(text: str, unit: str) -> str:
    """ "12 cm", "12°", "7/10": degrees and "/10" attach without a space."""
    if not unit:
        return text
    return f"{text}{unit}" if unit.startswith(("°", "/")) else f"{text} {unit}"


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return f"{value.normalize():f}"


D = Decimal
POSNEG = (("pos", "Positive"), ("neg", "Negative"))
OBSERVED = (("pos", "Observed"), ("neg", "Not observed"))
GRADES = (
    ("0", "0"),
    ("1", "1"),
    ("2", "2"),
    ("3-", "3−"),
    ("3", "3"),
    ("3+", "3+"),
    ("4-", "4−"),
    ("4", "4"),
    ("4+", "4+"),
    ("5-", "5−"),
    ("5", "5"),
)
# Ordinal value of a grade, so grades compare and chart.
GRADE_VALUES = {
    "0": D("0"),
    "1": D("1"),
    "2": D("2"),
    "3-": D("2.67"),
    "3": D("3"),
    "3+": D("3.33"),
    "4-": D("3.67"),
    "4": D("4"),
    "4+": D("4.33"),
    "5-": D("4.67"),
    "5": D("5"),
}
SLS_DOMAINS = (
    ("overall", "Overall impression"),
    ("trunk", "Trunk / weight transfer"),
    ("pelvis", "Lumbo-pelvic alignment"),
    ("knee", "Leg alignment (knee out of plane)"),
    ("foot", "Foot stability"),
)

_WBLT_SRC = "Hoch & McKeon 2011, secondary summary"
_MMT_NORM = Norm(
    text="5/5 = full strength against maximal resistance",
    source="MRC 1976; Kendall 2005",
    confirmed=True,
    low=D("5"),
)
_NPRS_NORM = Norm(text="0 = no pain", source="Farrar 2001", confirmed=True, high=D("0"))
_NPRS = dict(
    region=Region.PAIN,
    unit="/10",
    value_type=ValueType.INTEGER,
    per_side=False,
    min_value=D(0),
    max_value=D(10),
    norm=_NPRS_NORM,
    mdc=D(2),
    mdc_source="≈2 points or 30%, Farrar 2001 (secondary); Salaffi 2004",
    higher_is_better=False,
)

MEASURES: tuple[Measure, ...] = (
    # --- Foot -------------------------------------------------------------
    Measure(
        code="windlass",
        short="Windlass",
        label="Windlass test",
        region=Region.FOOT,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=True,
        choices=POSNEG,
        positions=(("wb", "Weight-bearing"), ("nwb", "Non-weight-bearing")),
        norm=Norm(text="negative", source="De Garceau 2003", confirmed=True, expected="neg"),
        help="Positive = reproduces heel pain. Specificity 100%; test weight-bearing.",
    ),
    Measure(
        code="mct_tenderness",
        short="MCT tender",
        label="Medial calcaneal tubercle tenderness",
        region=Region.FOOT,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=True,
        choices=POSNEG,
        norm=Norm(text="not tender", source="Goff & Crawford 2011", confirmed=True, expected="neg"),
    ),
    Measure(
        code="fpi6_total",
        short="FPI-6",
        label="Foot Posture Index (FPI-6) total",
        region=Region.FOOT,
        unit="",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(-12),
        max_value=D(12),
        norm=Norm(
            text="0 to +5 normal (healthy mean ≈ +4)",
            source="Redmond 2008; bands from a secondary summary",
            confirmed=False,
            low=D(0),
            high=D(5),
        ),
        help="Scored from the six FPI-6 items below; do not type the total.",
        extra={"derived_from": "fpi6"},
    ),
    Measure(
        code="navicular_drop",
        short="Navicular drop",
        label="Navicular drop",
        region=Region.FOOT,
        unit="mm",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(0),
        max_value=D(30),
        norm=Norm(text="under 10 mm", source="Brody 1982, secondary", confirmed=False, high=D(10)),
        higher_is_better=None,
        help="Only fair test-retest agreement; prefer FPI-6.",
    ),
    # --- Ankle ------------------------------------------------------------
    Measure(
        code="knee_to_wall",
        short="Knee-to-wall",
        label="Knee-to-wall (WBLT)",
        region=Region.ANKLE,
        unit="cm",
        value_type=ValueType.DECIMAL,
        per_side=True,
        min_value=D(0),
        max_value=D(25),
        step="0.1",
        norm=Norm(
            text="mean 12 ± 2.8 cm; under 10 cm restricted",
            source=_WBLT_SRC,
            confirmed=False,
            low=D(10),
        ),
        mdc=D("1.9"),
        mdc_source="Powden 2015 (intra-rater)",
        higher_is_better=True,
        asymmetry=D("1.5"),
        asymmetry_source="68% of healthy adults differ by ≤1.5 cm (Hoch & McKeon 2011, secondary)",
        help="Big toe to wall, heel down. 1 cm ≈ 3.6° dorsiflexion.",
        charted=True,
    ),
    Measure(
        code="df_knee_straight",
        short="DF knee straight",
        label="Dorsiflexion, knee straight",
        region=Region.ANKLE,
        unit="°",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(-30),
        max_value=D(45),
        norm=Norm(
            text="10° or more (equinus under 10°)", source="Foot Ankle Clin 2014", confirmed=True, low=D(10)
        ),
        higher_is_better=True,
        asymmetry=D(5),
        asymmetry_source="design threshold, unconfirmed",
        help="Prone, subtalar neutral, goniometer (gastrocnemius + soleus).",
    ),
    Measure(
        code="df_knee_bent",
        short="DF knee bent",
        label="Dorsiflexion, knee bent",
        region=Region.ANKLE,
        unit="°",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(-30),
        max_value=D(60),
        norm=Norm(text="mean 12.6° ± 4.4°", source="Boone & Azen 1979", confirmed=True, low=D(10)),
        higher_is_better=True,
        asymmetry=D(5),
        asymmetry_source="design threshold, unconfirmed",
        help="Soleus / joint. Gains with the knee bent point to gastrocnemius tightness.",
    ),
    # --- Calf -------------------------------------------------------------
    Measure(
        code="heel_raise_reps",
        short="Heel raises",
        label="Single-leg heel-raise endurance",
        region=Region.CALF,
        unit="reps",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(0),
        max_value=D(100),
        norm=Norm(
            text="median 24 (men), 21 (women)",
            source="Hébert-Losier 2017",
            confirmed=True,
            low=D(21),
            low_by_sex={"M": D(24), "F": D(21)},
        ),
        mdc=D(6),
        mdc_source="between-day limits of agreement ±6 reps, Hébert-Losier 2017",
        higher_is_better=True,
        lsi_floor=D(90),
        help="10° incline, metronome 60 bpm, to fatigue.",
        charted=True,
    ),
    Measure(
        code="calf_tenderness",
        short="Calf tender",
        label="Calf tenderness",
        region=Region.CALF,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=True,
        choices=POSNEG,
        norm=Norm(text="not tender", source="clinical expectation", confirmed=False, expected="neg"),
    ),
    # --- Hip --------------------------------------------------------------
    Measure(
        code="hip_ir",
        short="Hip IR",
        label="Hip internal rotation",
        region=Region.HIP,
        unit="°",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(0),
        max_value=D(90),
        positions=(("prone", "Prone"), ("seated", "Seated"), ("supine", "Supine")),
        norm=Norm(
            text="mean prone 35.2°, seated 37.9°; flagged under 30°",
            source="Kouyoumdjian 2012",
            confirmed=True,
            low=D(30),
        ),
        higher_is_better=True,
        help="Side-to-side difference alone is not abnormal (61% symmetric).",
    ),
    Measure(
        code="hip_er",
        short="Hip ER",
        label="Hip external rotation",
        region=Region.HIP,
        unit="°",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(0),
        max_value=D(90),
        positions=(("prone", "Prone"), ("seated", "Seated"), ("supine", "Supine")),
        norm=Norm(
            text="mean prone 41.8°, supine 38.5°; flagged under 35°",
            source="Kouyoumdjian 2012",
            confirmed=True,
            low=D(35),
        ),
        higher_is_better=True,
    ),
    Measure(
        code="thomas_test",
        short="Thomas",
        label="Thomas test",
        region=Region.HIP,
        unit="",
        value_type=ValueType.CHOICE,
        per_side=True,
        choices=(
            ("neg", "Negative"),
            ("one_joint", "Thigh lifts: short iliopsoas"),
            ("two_joint", "Knee will not flex: short rectus femoris"),
            ("both", "Thigh lifts and knee will not flex"),
            ("abducted", "Thigh abducts: TFL / ITB"),
        ),
        norm=Norm(
            text="negative",
            source="BMC Sports Sci Med Rehabil 2021",
            confirmed=True,
            expected="neg",
        ),
    ),
    # --- Glute ------------------------------------------------------------
    Measure(
        code="mmt_glute_med",
        short="Glute med",
        label="Gluteus medius (MMT)",
        region=Region.GLUTE,
        unit="",
        value_type=ValueType.GRADE,
        per_side=True,
        choices=GRADES,
        norm=_MMT_NORM,
        higher_is_better=True,
    ),
    Measure(
        code="mmt_glute_max",
        short="Glute max",
        label="Gluteus maximus (MMT)",
        region=Region.GLUTE,
        unit="",
        value_type=ValueType.GRADE,
        per_side=True,
        choices=GRADES,
        norm=_MMT_NORM,
        higher_is_better=True,
    ),
    Measure(
        code="sl_bridge_reps",
        short="SL bridge",
        label="Single-leg bridge to fatigue",
        region=Region.GLUTE,
        unit="reps",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(0),
        max_value=D(100),
        norm=Norm(
            text="under 20 poor, ~25 average, over 30 good",
            source="Freckleton 2014 protocol; bands from secondary summaries",
            confirmed=False,
            low=D(20),
        ),
        higher_is_better=True,
        lsi_floor=D(90),
        help="Heel on a 60 cm box, to failure.",
    ),
    Measure(
        code="trendelenburg",
        short="Trendelenburg",
        label="Trendelenburg sign",
        region=Region.GLUTE,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=True,
        choices=POSNEG,
        norm=Norm(
            text="negative (pelvis stays level)",
            source="Trendelenburg 1895, via secondary summaries",
            confirmed=False,
            expected="neg",
        ),
        help="Side = stance leg. Positive = pelvis drops on the other side.",
    ),
    Measure(
        code="sl_squat_quality",
        short="SL squat",
        label="Single-leg squat: domains rated poor",
        region=Region.GLUTE,
        unit="of 5",
        value_type=ValueType.DOMAINS,
        per_side=True,
        min_value=D(0),
        max_value=D(5),
        choices=SLS_DOMAINS,
        norm=Norm(text="all five domains good", source="Crossley 2011", confirmed=True, high=D(0)),
        higher_is_better=False,
    ),
    # --- Gait -------------------------------------------------------------
    Measure(
        code="gait_mode",
        label="Gait observed",
        region=Region.GAIT,
        unit="",
        value_type=ValueType.CHOICE,
        per_side=False,
        choices=(("walking", "Walking"), ("running", "Running")),
    ),
    Measure(
        code="gait_foot_strike",
        label="Foot strike",
        region=Region.GAIT,
        unit="",
        value_type=ValueType.CHOICE,
        per_side=False,
        choices=(("rearfoot", "Rearfoot"), ("midfoot", "Midfoot"), ("forefoot", "Forefoot")),
        help="No validated cut-offs for running variables (Souza 2016).",
    ),
    Measure(
        code="gait_cadence",
        label="Cadence",
        region=Region.GAIT,
        unit="steps/min",
        value_type=ValueType.INTEGER,
        per_side=False,
        min_value=D(40),
        max_value=D(240),
        help="Walking lab normal: women 96–138, men 81–135 (Tudor-Locke 2011). 180 is not a norm.",
    ),
    Measure(
        code="gait_overstride",
        short="Overstriding",
        label="Overstriding",
        region=Region.GAIT,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=False,
        choices=OBSERVED,
        norm=Norm(text="not observed", source="Souza 2016", confirmed=True, expected="neg"),
    ),
    Measure(
        code="gait_pelvic_drop",
        short="Pelvic drop",
        label="Contralateral pelvic drop",
        region=Region.GAIT,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=True,
        choices=OBSERVED,
        norm=Norm(text="not observed", source="Souza 2016", confirmed=True, expected="neg"),
        help="Side = stance leg.",
    ),
    Measure(
        code="gait_crossover",
        short="Cross-over",
        label="Cross-over (narrow base)",
        region=Region.GAIT,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=False,
        choices=OBSERVED,
        norm=Norm(text="not observed", source="Souza 2016", confirmed=True, expected="neg"),
    ),
    Measure(
        code="gait_heel_eversion",
        short="Heel eversion",
        label="Excessive heel eversion",
        region=Region.GAIT,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=True,
        choices=OBSERVED,
        norm=Norm(text="not observed", source="Souza 2016", confirmed=True, expected="neg"),
    ),
    Measure(
        code="gait_antalgic",
        short="Antalgic gait",
        label="Antalgic gait",
        region=Region.GAIT,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=False,
        choices=OBSERVED,
        norm=Norm(text="not observed", source="Goff & Crawford 2011", confirmed=True, expected="neg"),
    ),
    # --- Pain -------------------------------------------------------------
    Measure(code="nprs_first_step", label="First-step pain", charted=True, **_NPRS),
    Measure(code="nprs_rest", label="Pain at rest", **_NPRS),
    Measure(code="nprs_worst_24h", label="Worst pain, last 24 h", **_NPRS),
    Measure(code="nprs_activity", label="Pain during activity", **_NPRS),
)

BY_CODE: dict[str, Measure] = {m.code: m for m in MEASURES}

# NPRS at or above this is flagged as high pain ("> 5 high risk" in the pain-monitoring
# model, Silbernagel 2007 as summarised by a secondary source).
HIGH_PAIN_AT = D(6)


def get(code: str) -> Measure:
    return BY_CODE[code]


def by_region() -> list[tuple[str, str, list[Measure]]]:
    return [
        (region, Region.LABELS[region], [m for m in MEASURES if m.region == region])
        for region in Region.ORDER
    ]


def chain_measures(region: str) -> list[Measure]:
    return [m for m in MEASURES if m.region == region]
