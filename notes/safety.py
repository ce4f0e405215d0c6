"""The clinical-safety interlock: which intake flags limit treatment where.

One table, ``RULES``, read row by row against the clinical reference (Revision 2,
R2.1 "Safety interlock for lower-limb massage"; rows marked §5.4 come from the
intake table). Each row names the flag (a screening question's code), the body
regions it covers, what it does there, a pressure cap on Walton's five-level
scale, the techniques and home-exercise modalities it forbids, whom to refer to,
and its source. ``confirmed=False`` marks caps and windows the reference gives as
[unconfirmed] defaults for clinic-lead review.

The engine (R2.1, [unconfirmed design]): a BLOCK beats everything else for its
region; the cap is the lowest active cap; banned techniques are the union; a
time-boxed flag without a date counts as active, so every window of it applies.

Public API used elsewhere:
- ``safety_for_client(client) -> Safety`` (three bounded queries);
- ``Safety.region(code) -> RegionVerdict``;
- ``Safety.treatment_problems(technique_code, region_code, pressure)``;
- ``Safety.modality_conflicts(tags) -> list[str]`` for an exercise's tags;
- ``Safety.consent_problem -> str`` ("" when consent is valid).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from clinic.models import HealthScreen
from clinic.screening import CONSENT_TEXT_VERSION

# --- Vocabulary ------------------------------------------------------------------

BLOCK = "block"
RED_LOCAL = "red-local"
AMBER = "amber"
LOCAL_AVOID = "local-avoid"
CAUTION = "caution"
ACTIONS = (BLOCK, RED_LOCAL, AMBER, LOCAL_AVOID, CAUTION)
ACTION_LABELS = {
    BLOCK: "Do not treat; refer",
    RED_LOCAL: "Do not treat the area; refer",
    AMBER: "Modify treatment",
    LOCAL_AVOID: "Avoid the area",
    CAUTION: "Caution",
}

# Home-exercise and treatment modalities, as plain tags shared with the exercise library.
MODALITY_LABELS = {
    "ice": "ice or cold packs",
    "heat": "heat packs or hot stones",
    "deep_friction": "deep friction",
    "deep_stripping": "deep stripping",
    "percussion": "percussion devices",
    "cupping": "cupping",
    "iastm": "instrument-assisted soft-tissue work",
    "loading": "loading exercise",
    "heavy_loading": "new heavy loading",
    "lubricant": "lubricant on the area",
}
MODALITIES = frozenset(MODALITY_LABELS)

# Walton's pressure scale (R2.1).
PRESSURE_LEVELS = {
    1: "light lotioning",
    2: "heavy lotioning",
    3: "moderate, moves tissue",
    4: "deep",
    5: "deepest",
}

# Body regions (notes.BodyRegion codes), grouped as the reference names them.
HEEL = ("plantar_fascia", "heel_fat_pad")
FOOT = (*HEEL, "intrinsic_foot", "abductor_hallucis", "first_mtp_toes", "ankle_subtalar")
CALF = (
    "gastroc_medial",
    "gastroc_lateral",
    "soleus",
    "tibialis_posterior",
    "deep_posterior_calf",
    "long_toe_flexors",
    "achilles",
)
LOWER_LEG = (*CALF, "peroneals", "tibialis_anterior")
MEDIAL_THIGH = ("adductors",)
THIGH_HIP = (
    "hamstrings",
    "quadriceps",
    "tfl_itb",
    *MEDIAL_THIGH,
    "glute_max",
    "glute_med",
    "glute_min",
    "piriformis",
    "hip_flexors",
)
LOWER_LIMB = (*FOOT, *LOWER_LEG, *THIGH_HIP)
# The whole body: every region, including ones added to the catalogue later.
WHOLE_BODY = ("*",)

REGION_GROUP_LABELS = {
    HEEL: "the heel",
    FOOT: "the feet",
    CALF: "the calves",
    LOWER_LEG: "the lower legs",
    THIGH_HIP: "the thighs and hips",
    LOWER_LIMB: "the whole lower limb",
    WHOLE_BODY: "the whole body",
    (*CALF, *MEDIAL_THIGH): "the calves and inner thighs",
    (*FOOT, *LOWER_LEG): "the feet and lower legs",
}

# Techniques (notes.Technique codes) that stand for a banned modality.
DEEP_FRICTION = ("cross_fibre_friction",)
PERCUSSION = ("percussion_device",)
CUPPING = ("cupping",)
IASTM = ("iastm",)
ICE = ("ice",)
HEAT = ("heat",)
SUSTAINED_PRESSURE = ("compression", "trigger_point")
TECHNIQUE_LABELS = {
    "cross_fibre_friction": "cross-fibre friction",
    "percussion_device": "percussion device",
    "cupping": "cupping",
    "iastm": "instrument-assisted soft-tissue work",
    "ice": "ice",
    "heat": "heat",
    "compression": "sustained compression",
    "trigger_point": "trigger-point pressure",
}


@dataclass(frozen=True)
class Rule:
    """One row of the interlock table."""

    flag: str
    regions: tuple[str, ...]
    action: str
    cap: int | None
    banned_techniques: tuple[str, ...]
    banned_modalities: tuple[str, ...]
    refer: str
    source: str
    confirmed: bool
    label: str = ""
    cite: str = ""
    # Days since the flag's date during which the row applies: (from, until), until excluded.
    window: tuple[int, int] | None = None
    detail: str = ""

    def covers(self, region_code: str) -> bool:
        return self.regions == WHOLE_BODY or region_code in self.regions

    @property
    def is_block(self) -> bool:
        return self.action == BLOCK

    @property
    def no_treatment(self) -> bool:
        """No treatment at all on the region: a block, a red local flag or a cap of 0."""
        return self.action in (BLOCK, RED_LOCAL) or self.cap == 0

    @property
    def needs_referral_note(self) -> bool:
        return self.action in (BLOCK, RED_LOCAL)

    @property
    def regions_label(self) -> str:
        return REGION_GROUP_LABELS.get(self.regions, "the area")

    @property
    def window_label(self) -> str:
        if self.window is None:
            return ""
        start, end = self.window
        return f"{start // 7}-{end // 7} weeks"

    def summary(self) -> str:
        """The rule in clinic words, e.g. "Anticoagulant ...: pressure at most 3 of 5,
        no cross-fibre friction (Walton 2011)"."""
        parts = []
        if self.action == BLOCK:
            parts.append(f"do not treat {self.regions_label}")
        elif self.action == RED_LOCAL or self.cap == 0:
            parts.append(f"no treatment on {self.regions_label}")
        elif self.cap is not None:
            parts.append(f"pressure at most {self.cap} of 5 on {self.regions_label}")
        elif self.action == CAUTION:
            parts.append(f"caution on {self.regions_label}")
        banned = [TECHNIQUE_LABELS.get(t, t) for t in self.banned_techniques]
        banned += [
            MODALITY_LABELS[m]
            for m in self.banned_modalities
            if self.action != BLOCK and MODALITY_LABELS[m] not in banned
        ]
        if banned and self.action != BLOCK:
            parts.append("no " + ", ".join(dict.fromkeys(banned)))
        if self.detail:
            parts.append(self.detail)
        if self.refer:
            parts.append(f"refer: {self.refer}")
        text = f"{self.label}{f' ({self.window_label})' if self.window else ''}: " + "; ".join(parts)
        if self.cite:
            text += f" ({self.cite})"
        if not self.confirmed:
            text += " [unconfirmed default]"
        return text


ALL_MODALITIES = tuple(MODALITY_LABELS)

# --- The interlock table (R2.1, in its order; §5.4 rows after it) -----------------------

RULES: tuple[Rule, ...] = (
    Rule(
        flag="dvt",
        regions=LOWER_LIMB,
        action=BLOCK,
        cap=None,
        banned_techniques=(),
        banned_modalities=ALL_MODALITIES,
        refer="same day; breathless, chest pain or coughing blood: emergency",
        source="R2.1; Wells 2003, NEJM 349:1227; Hillegass 2016, Phys Ther 96:143",
        confirmed=True,
        label="Suspected blood clot (DVT)",
        cite="Wells 2003; Hillegass 2016",
    ),
    Rule(
        flag="dvt_past",
        regions=LOWER_LIMB,
        action=AMBER,
        cap=None,
        banned_techniques=PERCUSSION,
        banned_modalities=("deep_stripping", "percussion"),
        refer="if signs of a clot return",
        source="R2.1; past DVT scores 1 on Wells (Wells 2003)",
        confirmed=True,
        label="Past blood clot (DVT), resolved",
        cite="Wells 2003",
        detail="ask the clot questions every visit",
    ),
    Rule(
        flag="dvt_past",
        regions=CALF,
        action=AMBER,
        cap=3,
        banned_techniques=PERCUSSION,
        banned_modalities=("deep_stripping", "percussion"),
        refer="if signs of a clot return",
        source="R2.1 (cap 3 at the calf)",
        confirmed=False,
        label="Past blood clot (DVT), resolved",
        cite="Wells 2003",
    ),
    Rule(
        flag="anticoagulant",
        regions=WHOLE_BODY,
        action=AMBER,
        cap=3,
        banned_techniques=(*DEEP_FRICTION, *CUPPING, *IASTM, *PERCUSSION),
        banned_modalities=("deep_friction", "cupping", "iastm", "percussion"),
        refer="new unexplained bruising or bleeding",
        source="R2.1; Walton 2011 (book text)",
        confirmed=True,
        label="Anticoagulant or antiplatelet medicine",
        cite="Walton 2011",
    ),
    Rule(
        flag="bleeding_disorder",
        regions=WHOLE_BODY,
        action=AMBER,
        cap=3,
        banned_techniques=(*DEEP_FRICTION, *CUPPING, *IASTM, *PERCUSSION),
        banned_modalities=("deep_friction", "cupping", "iastm", "percussion"),
        refer="new unexplained bruising or bleeding",
        source="R2.1; Walton 2011 (book text)",
        confirmed=True,
        label="Bleeding disorder",
        cite="Walton 2011",
    ),
    Rule(
        flag="skin_infection",
        regions=LOWER_LIMB,
        action=RED_LOCAL,
        cap=0,
        banned_techniques=(),
        banned_modalities=("lubricant",),
        refer="same day if spreading, hot or febrile",
        source="R2.1 (cellulitis or skin infection; postpone the session if febrile)",
        confirmed=False,
        label="Cellulitis or skin infection",
    ),
    Rule(
        flag="wound",
        regions=LOWER_LIMB,
        action=LOCAL_AVOID,
        cap=0,
        banned_techniques=(),
        banned_modalities=(),
        refer="diabetic foot wound: podiatry or GP this week",
        source="R2.1; §5.4 row 8",
        confirmed=False,
        label="Open wound, ulcer or blister",
        detail="treat elsewhere only if the area is clear of it",
    ),
    Rule(
        flag="heel_urgent",
        regions=(*FOOT, *LOWER_LEG),
        action=BLOCK,
        cap=None,
        banned_techniques=(),
        banned_modalities=ALL_MODALITIES,
        refer="now; same day if after trauma and unable to bear weight",
        source="R2.1 (suspected stress fracture); R2.4 red flags; fpnotebook",
        confirmed=True,
        label="Suspected fracture or rupture (urgent heel red flag)",
        cite="R2.1",
        detail="stop loading homework",
    ),
    Rule(
        flag="diabetes_neuropathy",
        regions=(*FOOT, *LOWER_LEG),
        action=AMBER,
        cap=3,
        banned_techniques=(*ICE, *HEAT, *IASTM),
        banned_modalities=("ice", "heat", "iastm"),
        refer="diabetic foot check if none in 12 months",
        source="R2.1; §5.4 row 9",
        confirmed=False,
        label="Diabetes, neuropathy or reduced sensation",
        detail="inspect the skin before and after",
    ),
    Rule(
        flag="pad_claudication",
        regions=LOWER_LIMB,
        action=AMBER,
        cap=2,
        banned_techniques=(),
        banned_modalities=("deep_stripping",),
        refer="routine",
        source="R2.1; Werner 2010, Massage & Bodywork",
        confirmed=False,
        label="Peripheral arterial disease (claudication only)",
        cite="Werner 2010",
        detail="no deep pressure on the back of the knee or the groin",
    ),
    Rule(
        flag="pad_severe",
        regions=LOWER_LIMB,
        action=BLOCK,
        cap=None,
        banned_techniques=(),
        banned_modalities=ALL_MODALITIES,
        refer="urgent; a sudden cold, painful limb: emergency",
        source="R2.1",
        confirmed=True,
        label="Peripheral arterial disease with rest pain, a cold or pale foot or a non-healing wound",
        cite="R2.1",
    ),
    Rule(
        flag="lymphoedema",
        regions=LOWER_LIMB,
        action=AMBER,
        cap=2,
        banned_techniques=(*DEEP_FRICTION, *CUPPING, *HEAT),
        banned_modalities=("deep_friction", "deep_stripping", "cupping", "heat"),
        refer="new redness, warmth or swelling: same day",
        source="R2.1 (lymphatic drainage only if trained)",
        confirmed=False,
        label="Lymphoedema, or groin lymph-node surgery or radiotherapy",
    ),
    Rule(
        flag="varicose",
        regions=LOWER_LIMB,
        action=LOCAL_AVOID,
        cap=2,
        banned_techniques=(),
        banned_modalities=("deep_stripping",),
        refer="a hard, red, tender cord: treat as a suspected clot",
        source="R2.1; §5.4 row 10",
        confirmed=False,
        label="Varicose veins",
        detail="on and below the veins",
    ),
    Rule(
        flag="pregnancy",
        regions=(*CALF, *MEDIAL_THIGH),
        action=AMBER,
        cap=3,
        banned_techniques=(),
        banned_modalities=("deep_stripping",),
        refer="pre-eclampsia or high risk: clearance",
        source="R2.1 (pregnancy and 6 weeks postpartum); case report of pulmonary embolism",
        confirmed=False,
        label="Pregnancy or within 6 weeks of giving birth",
        detail="ask the clot questions every visit",
    ),
    Rule(
        flag="surgery",
        regions=LOWER_LIMB,
        action=BLOCK,
        cap=None,
        banned_techniques=(),
        banned_modalities=ALL_MODALITIES,
        refer="surgeon's clearance; watch for clot signs",
        source="R2.1; surgery within 12 weeks scores on Wells (Wells 2003); bands unconfirmed",
        confirmed=False,
        label="Surgery to a leg, the pelvis or the abdomen",
        cite="Wells 2003",
        window=(0, 14),
    ),
    Rule(
        flag="surgery",
        regions=LOWER_LIMB,
        action=AMBER,
        cap=2,
        banned_techniques=DEEP_FRICTION,
        banned_modalities=("deep_friction",),
        refer="clot signs throughout",
        source="R2.1 (cap 2-3; the lower bound is used); bands unconfirmed",
        confirmed=False,
        label="Surgery to a leg, the pelvis or the abdomen",
        cite="Wells 2003",
        window=(14, 42),
        detail="avoid the scar until closed and dry",
    ),
    Rule(
        flag="surgery",
        regions=LOWER_LIMB,
        action=CAUTION,
        cap=None,
        banned_techniques=DEEP_FRICTION,
        banned_modalities=("deep_friction",),
        refer="clot signs throughout",
        source="R2.1; bands unconfirmed",
        confirmed=False,
        label="Surgery to a leg, the pelvis or the abdomen",
        cite="Wells 2003",
        window=(42, 84),
        detail="no friction over the scar",
    ),
    Rule(
        flag="arthritis_flare",
        regions=LOWER_LIMB,
        action=AMBER,
        cap=3,
        banned_techniques=HEAT,
        banned_modalities=("heat",),
        refer="a first hot swollen joint or fever: same day",
        source="R2.1 (avoid the hot joint itself)",
        confirmed=False,
        label="Inflammatory arthritis flare or gout attack",
        detail="avoid the hot joint itself",
    ),
    Rule(
        flag="raynauds",
        regions=FOOT,
        action=CAUTION,
        cap=None,
        banned_techniques=ICE,
        banned_modalities=("ice",),
        refer="",
        source="R2.1",
        confirmed=True,
        label="Raynaud's or cold sensitivity",
    ),
    Rule(
        flag="steroid_injection",
        regions=HEEL,
        action=AMBER,
        cap=2,
        banned_techniques=(*DEEP_FRICTION, *IASTM, *CUPPING, *SUSTAINED_PRESSURE),
        banned_modalities=("deep_friction", "iastm", "cupping", "heavy_loading"),
        refer="a sudden pop, arch bruising or flattening",
        source="R2.1; Sellman 1994, Foot Ankle Int 15:376; Riel 2019",
        confirmed=False,
        label="Corticosteroid injection in the heel",
        cite="Sellman 1994",
        window=(0, 14),
        detail="new heavy loading only if the injector's plan includes it",
    ),
    Rule(
        flag="steroid_injection",
        regions=HEEL,
        action=CAUTION,
        cap=3,
        banned_techniques=(*DEEP_FRICTION, *IASTM, *CUPPING, *SUSTAINED_PRESSURE),
        banned_modalities=("deep_friction", "iastm", "cupping"),
        refer="a sudden pop, arch bruising or flattening",
        source="R2.1; Sellman 1994, Foot Ankle Int 15:376",
        confirmed=False,
        label="Corticosteroid injection in the heel",
        cite="Sellman 1994",
        window=(14, 42),
    ),
    # --- Rows from the intake table (§5.4) and the R2.4 red flags ---------------------
    Rule(
        flag="infection",
        regions=WHOLE_BODY,
        action=BLOCK,
        cap=None,
        banned_techniques=(),
        banned_modalities=(),
        refer="postpone; GP if unwell",
        source="§5.4 row 1",
        confirmed=True,
        label="Fever or contagious illness today",
    ),
    Rule(
        flag="intoxication",
        regions=WHOLE_BODY,
        action=BLOCK,
        cap=None,
        banned_techniques=(),
        banned_modalities=(),
        refer="postpone",
        source="§5.4 row 16",
        confirmed=True,
        label="Alcohol or drugs in the last few hours",
    ),
    Rule(
        flag="heel_soon",
        regions=FOOT,
        action=CAUTION,
        cap=None,
        banned_techniques=(),
        banned_modalities=(),
        refer="GP or physiotherapist within days",
        source="§5.4 row 19; R2.4 red flags",
        confirmed=True,
        label="Heel red flag (refer soon)",
        detail="no deep work over the tarsal tunnel if there is numbness or tingling",
    ),
    Rule(
        flag="dvt_risk",
        regions=LOWER_LIMB,
        action=CAUTION,
        cap=None,
        banned_techniques=(),
        banned_modalities=(),
        refer="same day if clot signs appear",
        source="R2.1 (suspected-DVT row: what makes a clot likelier)",
        confirmed=True,
        label="Risk factors for a blood clot",
        cite="Wells 2003",
        detail="ask the clot questions every visit",
    ),
    Rule(
        flag="bruising",
        regions=WHOLE_BODY,
        action=CAUTION,
        cap=None,
        banned_techniques=DEEP_FRICTION,
        banned_modalities=("deep_friction",),
        refer="",
        source="§5.4 row 3",
        confirmed=True,
        label="Bruises easily",
    ),
    Rule(
        flag="osteoporosis",
        regions=WHOLE_BODY,
        action=AMBER,
        cap=3,
        banned_techniques=PERCUSSION,
        banned_modalities=("percussion",),
        refer="",
        source="§5.4 row 11 (pressure limits)",
        confirmed=False,
        label="Osteoporosis or weakened bones",
    ),
    # --- Questions of the first intake version (2026-1), kept for screens answered with it ---
    Rule(
        flag="heel_red_flags",
        regions=(*FOOT, *LOWER_LEG),
        action=BLOCK,
        cap=None,
        banned_techniques=(),
        banned_modalities=ALL_MODALITIES,
        refer="rule out stress fracture, nerve entrapment or systemic disease",
        source="§5.4 row 19 (urgent and non-urgent together; treated as urgent)",
        confirmed=True,
        label="Heel red flag",
    ),
    Rule(
        flag="skin",
        regions=LOWER_LIMB,
        action=CAUTION,
        cap=None,
        banned_techniques=(),
        banned_modalities=(),
        refer="",
        source="§5.4 row 8",
        confirmed=True,
        label="Skin problem on the treatment area",
        detail="avoid the area; contagious conditions mean postpone",
    ),
)

# Flags the 2026-1 screen asked together: its anticoagulant question also covered easy bruising.
RULES_BY_FLAG: dict[str, tuple[Rule, ...]] = {}
for _rule in RULES:
    RULES_BY_FLAG[_rule.flag] = (*RULES_BY_FLAG.get(_rule.flag, ()), _rule)
del _rule

# Consent and re-screening (R2.1 "Consent and re-checks"): a full re-screen at least yearly.
RESCREEN_AFTER = timedelta(days=365)
RESCREEN_CONFIRMED = False


# --- The engine ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveFlag:
    """What the engine needs of one 'yes' on the latest screen."""

    code: str
    since: date | None = None


@dataclass
class RegionVerdict:
    blocked: bool
    cap: int | None
    banned_techniques: frozenset[str]
    reasons: list[str]
    rules: list[Rule] = field(default_factory=list)


def _active(rule: Rule, flag: ActiveFlag, today: date) -> bool:
    if rule.window is None or flag.since is None:
        return True  # an undated time-boxed flag counts as active
    days = (today - flag.since).days
    start, end = rule.window
    return start <= days < end


def active_rules(flags: Iterable[ActiveFlag], *, today: date | None = None) -> list[Rule]:
    today = today or timezone.localdate()
    rules: list[Rule] = []
    for flag in flags:
        rules.extend(r for r in RULES_BY_FLAG.get(flag.code, ()) if _active(r, flag, today))
    return rules


def consent_problem_for(
    consent, *, screen_taken_at: datetime | None, now: datetime | None = None, current_version: str
) -> str:
    """ "" when consent is on file, given, on the current consent text and taken
    at a screen less than a year old; otherwise what is wrong, in clinic words."""
    now = now or timezone.now()
    if consent is None:
        return "No consent to treatment is on file: record it on the health screen."
    if not consent.given:
        return "The client has withdrawn consent to treatment."
    if consent.text_version != current_version:
        return (
            "Consent was given to an earlier version of the consent text: ask the client to consent "
            "to the current text on a new health screen."
        )
    if now - consent.given_at > RESCREEN_AFTER:
        return (
            "Consent is more than 12 months old: repeat the full health screen and consent "
            "(yearly re-screen, an unconfirmed default)."
        )
    if screen_taken_at is None:
        return "No health screen is on file: record one before treating."
    if now - screen_taken_at > RESCREEN_AFTER:
        return (
            "The health screen is more than 12 months old: repeat it in full "
            "(yearly re-screen, an unconfirmed default)."
        )
    return ""


@dataclass
class Safety:
    """The interlock for one client now: active rules and the consent state."""

    rules: list[Rule]
    consent_problem: str = ""

    @classmethod
    def from_flags(cls, flags: Iterable[ActiveFlag], *, consent_problem: str = "", today=None) -> Safety:
        return cls(rules=active_rules(flags, today=today), consent_problem=consent_problem)

    def region(self, region_code: str) -> RegionVerdict:
        rules = [r for r in self.rules if r.covers(region_code)]
        blocks = [r for r in rules if r.no_treatment]
        if any(r.is_block for r in blocks):
            # A BLOCK beats everything else for its region.
            shown = [r for r in blocks if r.is_block]
            return RegionVerdict(True, None, frozenset(), [r.summary() for r in shown], shown)
        caps = [r.cap for r in rules if r.cap is not None]
        banned = frozenset(t for r in rules for t in r.banned_techniques)
        return RegionVerdict(
            blocked=bool(blocks),
            cap=min(caps) if caps else None,
            banned_techniques=banned,
            reasons=[r.summary() for r in rules],
            rules=rules,
        )

    def treatment_problems(self, technique_code: str, region_code: str, pressure: int | None) -> list[str]:
        """Why a treatment row breaks the interlock (empty when it does not);
        consent problems are separate (``consent_problem``)."""
        by_field = self.treatment_problems_by_field(technique_code, region_code, pressure)
        return [m for messages in by_field.values() for m in messages]

    def treatment_problems_by_field(
        self, technique_code: str, region_code: str, pressure: int | None
    ) -> dict[str, list[str]]:
        """The same problems keyed by the treatment field they concern
        (region, pressure, technique)."""
        verdict = self.region(region_code)
        if verdict.blocked:
            return {"region": [f"Not on this region: {reason}" for reason in verdict.reasons]}
        problems: dict[str, list[str]] = {}
        if verdict.cap is not None and pressure is not None and pressure > verdict.cap:
            capping = [r for r in verdict.rules if r.cap is not None and r.cap < pressure]
            problems["pressure"] = [
                f"Pressure {pressure} of 5 is above the cap: {r.summary()}" for r in capping
            ]
        if technique_code in verdict.banned_techniques:
            banning = [r for r in verdict.rules if technique_code in r.banned_techniques]
            label = TECHNIQUE_LABELS.get(technique_code, technique_code)
            problems["technique"] = [f"No {label} here: {r.summary()}" for r in banning]
        return problems

    def modality_conflicts(self, tags: Iterable[str]) -> list[str]:
        """Plain-language reasons an exercise or treatment with these tags conflicts
        with an active rule (empty when none does)."""
        tags = [t for t in dict.fromkeys(tags) if t in MODALITIES]
        reasons = []
        for rule in self.rules:
            hit = [t for t in tags if t in rule.banned_modalities]
            if not hit:
                continue
            words = ", ".join(MODALITY_LABELS[t] for t in hit)
            if rule.is_block:
                reasons.append(f"{rule.label}: no {words} until seen ({rule.refer}).")
            else:
                reasons.append(f"{rule.label}: no {words}{f' ({rule.cite})' if rule.cite else ''}.")
        return list(dict.fromkeys(reasons))

    @property
    def blocks(self) -> list[Rule]:
        return [r for r in self.rules if r.needs_referral_note]

    @property
    def summaries(self) -> list[str]:
        return list(dict.fromkeys(r.summary() for r in self.rules))


def flags_of_screen(screen) -> list[ActiveFlag]:
    """The 'yes' answers of a screen (its answers prefetched), as engine flags."""
    if screen is None:
        return []
    return [ActiveFlag(a.question, getattr(a, "since", None)) for a in screen.answers.all() if a.answer]


def safety_for_client(client, *, now: datetime | None = None) -> Safety:
    """The interlock for a client from the latest screen and consent (3 queries)."""

    now = now or timezone.now()
    screen = HealthScreen.objects.latest_for(client)
    consent = client.consents.order_by("-given_at", "-id").first()
    problem = consent_problem_for(
        consent,
        screen_taken_at=screen.taken_at if screen is not None else None,
        now=now,
        current_version=CONSENT_TEXT_VERSION,
    )
    return Safety.from_flags(flags_of_screen(screen), consent_problem=problem, today=timezone.localdate(now))


# Catalogue codes the table names that the notes catalogue seeds in its own migration.
AWAITING_CATALOGUE = frozenset(
    {
        "abductor_hallucis",
        "long_toe_flexors",
        "deep_posterior_calf",
        "tibialis_anterior",
        "adductors",
        "heel_fat_pad",
        "first_mtp_toes",
        "ankle_subtalar",
        "effleurage",
        "petrissage",
        "cross_fibre_friction",
        "soft_tissue_release",
        "compression",
        "percussion_device",
        "heat",
        "ice",
        "education",
        "exercise_instruction",
        "taping",
    }
)
