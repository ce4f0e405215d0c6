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

from assessments.scoring import CHANGE_RULES


class Region:
    BODY = "body"
    CALF = "calf"
    ANKLE = "ankle"
    FOOT = "foot"
    HIP = "hip"
    GLUTE = "glute"
    GAIT = "gait"
    BALANCE = "balance"
    SCREEN = "screen"
    PAIN = "pain"

    LABELS = {
        "body": "Body size",
        "foot": "Foot",
        "ankle": "Ankle",
        "calf": "Calf",
        "hip": "Hip",
        "glute": "Glute",
        "gait": "Gait",
        "balance": "Balance",
        "screen": "Referral screens",
        "pain": "Pain (NPRS)",
    }
    # Order of the entry page and of the chain (foot -> ankle -> calf -> hip -> glute, then gait).
    ORDER = ("body", "foot", "ankle", "calf", "hip", "glute", "gait", "balance", "screen", "pain")
    CHAIN = ("foot", "ankle", "calf", "hip", "glute", "gait")


class ValueType:
    DECIMAL = "decimal"
    INTEGER = "integer"
    GRADE = "grade"  # MMT 0-5 with +/- modifiers
    POSNEG = "posneg"
    CHOICE = "choice"
    DOMAINS = "domains"  # single-leg squat: five domains rated good/poor
    COUNT_OF = "count_of"  # monofilament: sites felt (value) of sites tested (detail)


class Lsi:
    """Which measures have a limb symmetry index (clinical reference R2.2.4)."""

    NONE = ""  # angles, lunge cm, navicular drop, FPI: compare sides by difference instead
    MORE = "more"  # capacity where more is better: involved / uninvolved x 100
    LESS = "less"  # timed tests where less is better: uninvolved / involved x 100


@dataclass(frozen=True)
class Referral:
    """What a positive referral screen asks of the therapist, in plain words."""

    reason: str
    action: str
    urgency: str  # "this week" | "routine"


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
class ClientNorm:
    """The norm that applies to one client (age, sex, test position), ready to show.

    ``low``/``high`` are the flagging limits (a value under ``low`` is flagged),
    ``how`` says how a derived limit was made, and ``flag_text`` is the words a
    flagged value gets ("below reference", never "abnormal" for a rule that is
    about measurement error)."""

    text: str
    source: str
    confirmed: bool
    low: Decimal | None = None
    high: Decimal | None = None
    expected: str | None = None
    how: str = ""
    flag_text: str = "outside the norm"
    # A typical value to compare each side with, without flagging (a mean is not a limit).
    typical: Decimal | None = None


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
    # Limb symmetry index: only for capacity measures (R2.2.4).
    lsi: str = Lsi.NONE
    # Key of the real-change rule in ``scoring.CHANGE_RULES`` (MDC and MCID).
    change_rule: str = ""
    # The word for a side difference at or above ``asymmetry``.
    asymmetry_word: str = "asymmetry"
    asymmetry_confirmed: bool = True
    # Norms that depend on the test position; values are compared like with like.
    position_norms: tuple[tuple[str, Norm], ...] = ()
    requires_position: bool = False
    referral: Referral | None = None

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
        return with_unit(_fmt(value), self.unit)

    @property
    def change_text(self) -> str:
        """When a change is real, naming the MDC and the MCID (R2.2.5), for the therapist."""

        rule = CHANGE_RULES.get(self.change_rule)
        if rule is None:
            if self.mdc is None:
                return ""
            return f"MDC {with_unit(_fmt(self.mdc), self.unit)} ({self.mdc_source})"
        if rule.mcid_share is not None:
            at = f"a fall of at least 2, or {int(rule.mcid_share * 100)}% of the baseline rounded up if more"
        elif rule.relative:
            at = (
                f"{_fmt(Decimal(rule.threshold().numerator) / rule.threshold().denominator)}% of the baseline"
            )
        else:
            value = Decimal(rule.threshold().numerator) / rule.threshold().denominator
            at = with_unit(_fmt(value), self.unit)
            if rule.threshold_note:
                at += f" ({rule.threshold_note})"
        return f"Real change: {at}. {rule.describe()}."

    @property
    def asymmetry_text(self) -> str:
        if self.asymmetry is None or not self.per_side:
            return ""
        limit = with_unit(_fmt(self.asymmetry), self.unit)
        return f"Side difference flagged at {limit} or more: {self.asymmetry_source}"

    @property
    def has_lsi(self) -> bool:
        return self.per_side and self.lsi in (Lsi.MORE, Lsi.LESS)

    @property
    def is_referral_screen(self) -> bool:
        return self.referral is not None


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
_HIP_POSITIONS = (
    ("prone", "Prone, hip extended"),
    ("seated", "Seated, hip 90°"),
    ("supine", "Supine, hip extended"),
)
_KOUYOUMDJIAN = "Kouyoumdjian 2012"
_HIP_HELP = (
    "Record the test position and compare like with like. No cut-off is defensible for heel pain; "
    "both hips were symmetric in only 61% of healthy adults (Kouyoumdjian 2012)."
)
_SLS_HELP = "Best of 3 trials, arms on hips, timed to 45 s; falls with age, not sex (Springer 2007)."
_SPRINGER = "Springer 2007; age-band values not read in the paper"


def _nprs(*, code: str, label: str, charted: bool = False) -> Measure:
    """A 0–10 pain rating: the four pain measures differ only in what is rated."""
    return Measure(
        code=code,
        label=label,
        charted=charted,
        region=Region.PAIN,
        unit="/10",
        value_type=ValueType.INTEGER,
        per_side=False,
        min_value=D(0),
        max_value=D(10),
        norm=_NPRS_NORM,
        mdc=D(2),
        mdc_source="Childs 2005",
        higher_is_better=False,
        change_rule="nprs",
    )


MEASURES: tuple[Measure, ...] = (
    # --- Body size --------------------------------------------------------
    Measure(
        code="height_cm",
        short="Height",
        label="Height",
        region=Region.BODY,
        unit="cm",
        value_type=ValueType.DECIMAL,
        per_side=False,
        min_value=D(100),
        max_value=D(230),
        step="0.1",
        help="For BMI and for strength per kilogram of body weight.",
    ),
    Measure(
        code="weight_kg",
        short="Weight",
        label="Body weight",
        region=Region.BODY,
        unit="kg",
        value_type=ValueType.DECIMAL,
        per_side=False,
        min_value=D(25),
        max_value=D(300),
        step="0.1",
    ),
    Measure(
        code="bmi",
        short="BMI",
        label="Body mass index (BMI)",
        region=Region.BODY,
        unit="kg/m²",
        value_type=ValueType.DECIMAL,
        per_side=False,
        min_value=D(12),
        max_value=D(70),
        step="0.1",
        norm=Norm(
            text="WHO bands: under 18.5 underweight; 18.5–24.9 healthy; 25–29.9 overweight; "
            "30–34.9 obesity I; 35–39.9 obesity II; 40 or more obesity III. Recorded only. "
            "BMI over 27: odds ratio 3.7 for plantar heel pain (van Leeuwen 2016); nutrition advice "
            "is for the GP or a dietitian",
            source="WHO 2000, via secondary summaries",
            confirmed=False,
        ),
        help=(
            "Worked out from height and weight. BMI over 27: odds ratio 3.7 for plantar heel pain, "
            "strongest in non-athletes (van Leeuwen 2016). Nutrition advice is outside massage scope: "
            "suggest the GP or a dietitian."
        ),
        extra={"derived_from": "height_weight"},
    ),
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
    Measure(
        code="first_mtp_ext",
        short="1st MTP extension",
        label="First MTP (big toe) extension, passive",
        region=Region.FOOT,
        unit="°",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(0),
        max_value=D(110),
        norm=Norm(
            text="≈70° normal; under 65° called hallux limitus by convention",
            source="secondary summaries; no difference between heel pain and controls, van Leeuwen 2016",
            confirmed=False,
            low=D(65),
        ),
        higher_is_better=True,
        help="Pain in the joint itself: refer.",
    ),
    Measure(
        code="jack_test",
        short="Jack test",
        label="Jack test (windlass: arch rises)",
        region=Region.FOOT,
        unit="",
        value_type=ValueType.CHOICE,
        per_side=True,
        choices=(("rises", "Arch rises"), ("no_rise", "Arch does not rise")),
        norm=Norm(
            text="arch rises (windlass working)",
            source="Jack 1953, via secondary summaries",
            confirmed=False,
            expected="rises",
        ),
        help="Standing, big toe lifted. No rise: rigid foot or windlass failure; a note only.",
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
        asymmetry=D(2),
        asymmetry_source=(
            "beyond measurement error (MDC 1.9 cm, Powden 2015; side-difference MDC 1.5 cm, Chisholm 2012)"
        ),
        change_rule="lunge_cm",
        help=(
            "Big toe to wall, heel down. Centimetres convert to degrees only roughly (it depends on "
            "tibia length): record the tibial angle too to compare people."
        ),
        charted=True,
    ),
    Measure(
        code="wblt_angle",
        short="Lunge angle",
        label="Weight-bearing lunge, tibial angle",
        region=Region.ANKLE,
        unit="°",
        value_type=ValueType.DECIMAL,
        per_side=True,
        min_value=D(0),
        max_value=D(70),
        step="0.1",
        mdc=D("4.7"),
        mdc_source="Powden 2015 (intra-rater)",
        higher_is_better=True,
        asymmetry=D(5),
        asymmetry_source="beyond measurement error (MDC 4.7°, Powden 2015)",
        change_rule="lunge_deg",
        help="Inclinometer on the tibial shaft, angle to vertical, mean of 3 trials (Bennell 1998).",
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
            text=(
                "age–sex reference (provisional); flagged “below reference” only under reference − 7, "
                "outside the 95% limits of agreement"
            ),
            source="Hébert-Losier 2017; decade values from secondary summaries",
            confirmed=False,
        ),
        mdc=D("6.5"),
        mdc_source="95% limits of agreement ±6.5 reps, Hébert-Losier 2017",
        higher_is_better=True,
        lsi_floor=D(90),
        lsi=Lsi.MORE,
        change_rule="heel_rise",
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
        positions=_HIP_POSITIONS,
        norm=Norm(
            text="healthy mean supine 29.6°, prone 35.2°, seated 37.9°; no cut-off",
            source=_KOUYOUMDJIAN,
            confirmed=True,
        ),
        position_norms=(
            (
                "supine",
                Norm(text="healthy mean 29.6° (supine); no cut-off", source=_KOUYOUMDJIAN, confirmed=True),
            ),
            (
                "prone",
                Norm(text="healthy mean 35.2° (prone); no cut-off", source=_KOUYOUMDJIAN, confirmed=True),
            ),
            (
                "seated",
                Norm(text="healthy mean 37.9° (seated); no cut-off", source=_KOUYOUMDJIAN, confirmed=True),
            ),
        ),
        requires_position=True,
        higher_is_better=True,
        asymmetry=D(10),
        asymmetry_word="notable side difference",
        asymmetry_confirmed=False,
        asymmetry_source="called notable by convention, with no validated cut-off",
        help=_HIP_HELP,
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
        positions=_HIP_POSITIONS,
        norm=Norm(
            text="healthy mean supine 38.5°, prone 41.8°, seated ≈40.6°; no cut-off",
            source=_KOUYOUMDJIAN,
            confirmed=True,
        ),
        position_norms=(
            (
                "supine",
                Norm(text="healthy mean 38.5° (supine); no cut-off", source=_KOUYOUMDJIAN, confirmed=True),
            ),
            (
                "prone",
                Norm(text="healthy mean 41.8° (prone); no cut-off", source=_KOUYOUMDJIAN, confirmed=True),
            ),
            (
                "seated",
                Norm(
                    text="healthy mean ≈40.6° (seated, derived from the total); no cut-off",
                    source=_KOUYOUMDJIAN,
                    confirmed=False,
                ),
            ),
        ),
        requires_position=True,
        higher_is_better=True,
        asymmetry=D(10),
        asymmetry_word="notable side difference",
        asymmetry_confirmed=False,
        asymmetry_source="called notable by convention, with no validated cut-off",
        help=_HIP_HELP,
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
        lsi=Lsi.MORE,
        help="Heel on a 60 cm box, to failure.",
    ),
    Measure(
        code="hip_abd_hhd",
        short="Hip abduction HHD",
        label="Hip abduction strength (hand-held dynamometer)",
        region=Region.GLUTE,
        unit="N",
        value_type=ValueType.INTEGER,
        per_side=True,
        min_value=D(20),
        max_value=D(800),
        positions=(
            ("side_lying", "Side-lying, belt"),
            ("supine", "Supine, belt"),
            ("standing", "Standing, belt"),
        ),
        requires_position=True,
        norm=Norm(
            text="no adult norm confirmed; roughly 25–45% of body weight under 60, "
            "lower in women and older adults",
            source="Bohannon 1997 tabulates values (not read)",
            confirmed=False,
        ),
        mdc=D(10),
        mdc_source="test-retest variation 3–12%, Thorborg 2010",
        higher_is_better=True,
        lsi=Lsi.MORE,
        lsi_floor=D(90),
        change_rule="hhd",
        help=(
            "Best of several trials in one belt-stabilised position, kept the same every time: "
            "side-lying reads "
            "≈30% above standing (Cerda Vega 2018). Shown per kilogram and as % of body weight when weight "
            "is recorded."
        ),
        charted=True,
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
    # --- Balance ----------------------------------------------------------
    Measure(
        code="sls_eyes_open",
        short="Stance, eyes open",
        label="Single-leg stance, eyes open",
        region=Region.BALANCE,
        unit="s",
        value_type=ValueType.DECIMAL,
        per_side=True,
        min_value=D(0),
        max_value=D(45),
        step="0.1",
        norm=Norm(text="age-band typical values", source=_SPRINGER, confirmed=False),
        higher_is_better=True,
        lsi=Lsi.MORE,
        help=_SLS_HELP,
    ),
    Measure(
        code="sls_eyes_closed",
        short="Stance, eyes closed",
        label="Single-leg stance, eyes closed",
        region=Region.BALANCE,
        unit="s",
        value_type=ValueType.DECIMAL,
        per_side=True,
        min_value=D(0),
        max_value=D(45),
        step="0.1",
        norm=Norm(text="age-band typical values", source=_SPRINGER, confirmed=False),
        higher_is_better=True,
        lsi=Lsi.MORE,
        help=_SLS_HELP,
    ),
    # --- Referral screens ---------------------------------------------------
    Measure(
        code="calcaneal_squeeze",
        short="Calcaneal squeeze",
        label="Calcaneal squeeze test",
        region=Region.SCREEN,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=True,
        choices=POSNEG,
        norm=Norm(
            text="negative; accuracy of the test not known",
            source="fpnotebook, secondary",
            confirmed=False,
            expected="neg",
        ),
        help="Side-to-side squeeze of the heel. Positive = deep heel pain: possible stress fracture.",
        referral=Referral(
            reason=(
                "Positive calcaneal squeeze: deep heel pain on squeezing the heel, "
                "a possible stress fracture."
            ),
            action=(
                "Stop loading exercises and do not treat the heel. Refer for imaging this week "
                "(MRI is preferred early; an X-ray is often normal at first)."
            ),
            urgency="this week",
        ),
    ),
    Measure(
        code="tarsal_tinel",
        short="Tarsal tunnel Tinel",
        label="Tinel sign at the tarsal tunnel",
        region=Region.SCREEN,
        unit="",
        value_type=ValueType.POSNEG,
        per_side=True,
        choices=(
            ("neg", "Negative"),
            ("pos", "Positive, tingling at the tap only"),
            ("pos_radiating", "Positive, tingling spreads into the sole or heel"),
        ),
        norm=Norm(
            text="negative",
            source="Stanford Medicine 25, secondary",
            confirmed=False,
            expected="neg",
        ),
        help="Tap behind and below the inner ankle bone. Record whether tingling spreads.",
        referral=Referral(
            reason="Positive Tinel sign at the tarsal tunnel: the tibial nerve may be irritated.",
            action=(
                "Refer to a physiotherapist or GP; book this week. "
                "No deep work over the inner ankle (tarsal tunnel)."
            ),
            urgency="this week",
        ),
    ),
    Measure(
        code="monofilament",
        short="Monofilament",
        label="10 g monofilament: plantar sites felt",
        region=Region.SCREEN,
        unit="sites",
        value_type=ValueType.COUNT_OF,
        per_side=True,
        min_value=D(0),
        max_value=D(3),
        norm=Norm(
            text=(
                "every site felt. A site counts as not felt when 2 of its 3 touches are missed; "
                "a normal result does not rule out neuropathy"
            ),
            source="IWGDF method, secondary; sensitivity 0.53, Wang 2017",
            confirmed=False,
        ),
        help="3 plantar sites per foot, each touched 3 times (one a sham).",
        referral=Referral(
            reason="Monofilament not felt at one or more sites: reduced protective sensation.",
            action=(
                "Treat as reduced sensation (no ice, heat packs or sharp tools; "
                "check the skin before and after). "
                "Refer to the GP or a podiatrist for a diabetic foot check."
            ),
            urgency="routine",
        ),
        extra={"max_sites": 3},
    ),
    # --- Pain -------------------------------------------------------------
    _nprs(code="nprs_first_step", label="First-step pain", charted=True),
    _nprs(code="nprs_rest", label="Pain at rest"),
    _nprs(code="nprs_worst_24h", label="Worst pain, last 24 h"),
    _nprs(code="nprs_activity", label="Pain during activity"),
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


# --- Norms for one client ---------------------------------------------------

# Single-leg heel rise, reps by decade and sex (Hébert-Losier 2017 as reported by two
# secondary summaries that differ by about one rep; clinical reference §2.1). Where
# they differ the lower value is kept, so the flag errs toward not flagging.
# Provisional until the paper's own table (or its 5th percentiles) is read.
HEEL_RISE_REFERENCE: dict[str, tuple[tuple[int, int | None], ...]] = {
    # (lower age of the decade, reps)
    "M": ((20, 37), (30, 32), (40, 28), (50, 23), (60, 19), (70, 14), (80, 10)),
    "F": ((20, 30), (30, 27), (40, 24), (50, 21), (60, 19), (70, 16), (80, 14)),
}
# Outside the 95% limits of agreement (−6.2 to 6.5, Hébert-Losier 2017): test noise ends here.
HEEL_RISE_MARGIN = D(7)

# Single-leg stance, best of 3, seconds: (lower age, eyes open, eyes closed) typical values,
# the lower figure where the source gives a range (Springer 2007 via secondary summaries;
# unconfirmed). Typical values, not limits: compared, never flagged.
SLS_AGE_BANDS: tuple[tuple[int, int, Decimal, Decimal], ...] = (
    (18, 39, D(44), D(13)),
    (40, 49, D(42), D(12)),
    (50, 59, D(41), D(8)),
    (60, 69, D(30), D(4)),
    (70, 79, D(17), D(3)),
    (80, 200, D(9), D(2)),
)
SEX_WORDS = {"M": "men", "F": "women"}


def _decade(age: int) -> str:
    return f"{age // 10 * 10}–{age // 10 * 10 + 9}" if age < 80 else "80 and over"


def heel_rise_reference(age: int | None, sex: str) -> Decimal | None:
    """Provisional age–sex reference reps, or None outside the studied range (20–81)."""
    if age is None or age < 20 or sex not in HEEL_RISE_REFERENCE:
        return None
    reps = None
    for start, value in HEEL_RISE_REFERENCE[sex]:
        if age >= start:
            reps = value
    return None if reps is None else D(reps)


def sls_band(age: int | None) -> tuple[int, int, Decimal, Decimal] | None:
    if age is None:
        return None
    return next((band for band in SLS_AGE_BANDS if band[0] <= age <= band[1]), None)


def norm_for(
    measure: Measure, *, sex: str = "", age: int | None = None, position: str = ""
) -> ClientNorm | None:
    """The norm that applies to this client and test position, or None when the
    measure has none. Pure: no queries."""
    norm = measure.norm
    if measure.code == "heel_raise_reps":
        # The heel-raise and single-leg-stance measures are defined with a norm.
        assert norm is not None
        reference = heel_rise_reference(age, sex)
        if reference is None or age is None:
            why = (
                "no reference under age 20 (the study covered 20–81)"
                if age is not None and age < 20
                else "no reference without age and sex recorded as female or male"
            )
            return ClientNorm(text=why, source=norm.source, confirmed=False)
        limit = reference - HEEL_RISE_MARGIN
        return ClientNorm(
            text=(
                f"reference {_fmt(reference)} reps for {SEX_WORDS[sex]} {_decade(age)} (provisional); "
                f"below reference under {_fmt(limit)} (reference − 7)"
            ),
            source=norm.source,
            confirmed=False,
            low=limit,
            how=(
                f"{_fmt(limit)} = reference {_fmt(reference)} − 7 reps: outside the 95% limits of agreement "
                "(−6.2 to 6.5), so beyond test noise. A measurement-error rule, not a population lower limit"
            ),
            flag_text="below reference (measurement-error rule)",
            typical=reference,
        )
    if measure.code in ("sls_eyes_open", "sls_eyes_closed"):
        assert norm is not None
        band = sls_band(age)
        if band is None:
            return ClientNorm(
                text="no age band (age not recorded or under 18)", source=norm.source, confirmed=False
            )
        start, end, open_s, closed_s = band
        typical = open_s if measure.code == "sls_eyes_open" else closed_s
        ages = f"{start}–{end}" if end < 200 else f"{start} and over"
        return ClientNorm(
            text=f"typical ≈{_fmt(typical)} s at age {ages}; compared, not flagged",
            source=norm.source,
            confirmed=False,
            typical=typical,
        )
    if measure.position_norms:
        by_position = dict(measure.position_norms)
        chosen = by_position.get(position)
        if chosen is None:
            return ClientNorm(
                text=f"position not recorded; {norm.text}" if norm else "position not recorded",
                source=norm.source if norm else "",
                confirmed=norm.confirmed if norm else False,
            )
        return ClientNorm(text=chosen.text, source=chosen.source, confirmed=chosen.confirmed)
    if norm is None:
        return None
    return ClientNorm(
        text=norm.text,
        source=norm.source,
        confirmed=norm.confirmed,
        low=norm.low_by_sex.get(sex, norm.low) if norm.low_by_sex else norm.low,
        high=norm.high,
        expected=norm.expected,
    )


def bmi_band(bmi: Decimal) -> str:
    """WHO adult bands (WHO 2000, via secondary summaries)."""
    if bmi < D("18.5"):
        return "underweight"
    if bmi < 25:
        return "healthy weight"
    if bmi < 30:
        return "overweight"
    if bmi < 35:
        return "obesity class I"
    if bmi < 40:
        return "obesity class II"
    return "obesity class III"
