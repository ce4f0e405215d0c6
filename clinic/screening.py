"""The intake contraindication screen (clinical reference §5.4).

Each question is a yes/no answer with details. A "yes" raises a flag:
red = do not treat / refer, amber = modify or get clearance, local = avoid the
area only. The classification mixes published sources with clinical judgement
that the reference marks unconfirmed; clinic leads should review it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RED = "red"
AMBER = "amber"
LOCAL = "local"
SEVERITY_ORDER = {RED: 0, AMBER: 1, LOCAL: 2}

# Every wording clients have agreed to, by version. When the wording changes, add a
# new entry and point CONSENT_TEXT_VERSION at it; never edit or remove an old entry,
# because each Consent row names the version the client agreed to.
CONSENT_TEXTS = {
    "2026-1": (
        "I understand the nature of sports massage and manual therapy, its benefits and risks "
        "(such as temporary soreness or bruising) and the alternatives. I have answered the "
        "health questions truthfully and will tell my therapist about any change. I may ask for "
        "pressure to change or stop the treatment at any time, and I may refuse any technique."
    ),
}
CONSENT_TEXT_VERSION = "2026-1"
CONSENT_TEXT = CONSENT_TEXTS[CONSENT_TEXT_VERSION]


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    severity: str
    action: str
    confirmed: bool = True
    # A time-boxed flag: the form asks when (surgery, an injection).
    dated: bool = False


# Every question set screens have been answered with, by version. A screen stores
# its version and keeps showing its own questions; never edit an old set: add a new
# one and point CURRENT_QUESTION_SET at it.
QUESTIONS_2026_1: tuple[Question, ...] = (
    Question(
        "infection",
        "Fever, flu or cold, or another contagious or infectious illness today?",
        RED,
        "Postpone treatment.",
    ),
    Question(
        "dvt",
        "Diagnosed or suspected blood clot / DVT / thrombophlebitis, or calf pain with "
        "swelling, warmth or redness (especially after surgery, long-haul travel or pregnancy)?",
        RED,
        "No lower-limb massage; urgent medical referral.",
    ),
    Question(
        "anticoagulant",
        "Taking blood thinners / anticoagulants, or do you bruise easily?",
        AMBER,
        "Reduce pressure; avoid deep friction.",
        confirmed=False,
    ),
    Question(
        "cardiac",
        "Heart disease, uncontrolled high blood pressure, chest pain (angina) or aneurysm?",
        AMBER,
        "Medical clearance before treatment.",
    ),
    Question(
        "cancer",
        "Cancer, or currently in chemotherapy or radiotherapy?",
        AMBER,
        "Doctor's approval; avoid tumour and radiation sites.",
    ),
    Question(
        "pregnancy",
        "Pregnant? Any pregnancy complications (pre-eclampsia, gestational diabetes)?",
        AMBER,
        "Adapt positioning; caution with leg massage (clot risk).",
    ),
    Question(
        "recent_injury",
        "Recent surgery, fracture, acute injury or accident?",
        AMBER,
        "Local avoidance; clearance where needed.",
    ),
    Question(
        "skin",
        "Skin problems on the treatment area: open wounds, infections, rashes, "
        "eczema or psoriasis flare, cold sores?",
        LOCAL,
        "Avoid the area; contagious conditions mean postpone.",
    ),
    Question(
        "diabetes_neuropathy",
        "Diabetes, or numbness / reduced sensation in the feet?",
        AMBER,
        "Lighter pressure; check the skin; the client may not feel excessive pressure.",
        confirmed=False,
    ),
    Question("varicose", "Varicose veins?", AMBER, "No deep pressure over them."),
    Question("osteoporosis", "Osteoporosis or weakened bones?", AMBER, "Limit pressure."),
    Question("lumps", "Undiagnosed lumps, bumps or unexplained pain?", AMBER, "Avoid the area and refer."),
    Question("kidney_liver", "Kidney or liver disease?", AMBER, "Medical clearance."),
    Question(
        "epilepsy_allergy",
        "Epilepsy, asthma, or allergies (oils, lotions, latex, nuts)?",
        AMBER,
        "Choose products accordingly; have an emergency plan.",
    ),
    Question("implants", "Metal plates, pins or electronic implants?", LOCAL, "Local caution."),
    Question(
        "intoxication",
        "Alcohol or recreational drug use in the last few hours?",
        RED,
        "Do not treat while intoxicated.",
    ),
    Question(
        "doctor_care", "Under a doctor's care for any condition?", AMBER, "Clearance letter if required."
    ),
    Question(
        "steroid_injection",
        "Corticosteroid injection into the heel recently (give the date)?",
        AMBER,
        "Avoid deep friction at the injection site for a period.",
        confirmed=False,
    ),
    Question(
        "heel_red_flags",
        "Night pain, pain unrelated to load, heel pain in both feet with other "
        "joint or back symptoms, numbness or burning, or pain after trauma or a sudden training "
        "increase with bony tenderness?",
        RED,
        "Refer: rule out stress fracture, nerve entrapment or systemic disease.",
    ),
)

QUESTIONS_2026_2: tuple[Question, ...] = (
    Question(
        "infection",
        "Fever, flu or cold, or another contagious or infectious illness today?",
        RED,
        "Postpone treatment.",
    ),
    Question(
        "dvt",
        "Now: one calf or leg swollen, warm, red or tender, or a blood clot (DVT) suspected "
        "and not yet ruled out?",
        RED,
        "No lower-limb massage; same-day medical referral (breathless or chest pain: emergency).",
    ),
    Question(
        "dvt_past",
        "A blood clot (DVT) in the past, now resolved?",
        AMBER,
        "Calf pressure at most 3 of 5; ask the clot questions at every visit.",
    ),
    Question(
        "dvt_risk",
        "In the last 12 weeks: surgery, more than 3 days in bed, a plaster cast, a long-haul "
        "journey; or cancer treatment, the contraceptive pill or HRT?",
        AMBER,
        "Clot risk: ask the clot questions at every visit.",
    ),
    Question(
        "anticoagulant",
        "Taking blood thinners (anticoagulants) or antiplatelet medicine (e.g. aspirin, clopidogrel)?",
        AMBER,
        "Pressure at most 3 of 5; no deep friction, cupping, instruments or percussion.",
    ),
    Question(
        "bleeding_disorder",
        "A bleeding disorder (e.g. haemophilia, von Willebrand disease, low platelets)?",
        AMBER,
        "Pressure at most 3 of 5; no deep friction, cupping, instruments or percussion.",
    ),
    Question("bruising", "Do you bruise easily?", AMBER, "Reduce pressure; avoid deep friction."),
    Question(
        "cardiac",
        "Heart disease, uncontrolled high blood pressure, chest pain (angina) or aneurysm?",
        AMBER,
        "Medical clearance before treatment.",
    ),
    Question(
        "cancer",
        "Cancer, or currently in chemotherapy or radiotherapy?",
        AMBER,
        "Doctor's approval; avoid tumour and radiation sites.",
    ),
    Question(
        "weight_loss",
        "Unexplained weight loss, night sweats or feeling generally unwell?",
        AMBER,
        "Refer to the GP within days.",
    ),
    Question(
        "pregnancy",
        "Pregnant, or given birth in the last 6 weeks? Any complications (pre-eclampsia, "
        "gestational diabetes)?",
        AMBER,
        "Adapt positioning; calf and inner-thigh pressure at most 3 of 5 (clot risk).",
    ),
    Question(
        "surgery",
        "Surgery to a leg, the pelvis or the abdomen in the last 12 weeks (give the date)?",
        AMBER,
        "0-2 weeks: no treatment of the limb; 2-6 weeks: light pressure, avoid the scar; "
        "6-12 weeks: caution.",
        confirmed=False,
        dated=True,
    ),
    Question(
        "recent_injury",
        "Recent fracture, sprain, acute injury or accident?",
        AMBER,
        "Local avoidance; clearance where needed.",
    ),
    Question(
        "skin_infection",
        "Cellulitis or another skin infection on the legs or feet (red, hot, spreading)?",
        RED,
        "No treatment of the area; same-day referral if spreading, hot or with fever.",
    ),
    Question(
        "wound",
        "An open wound, ulcer or blister on the legs or feet?",
        LOCAL,
        "Avoid the area; a diabetic foot wound needs podiatry or the GP this week.",
    ),
    Question(
        "skin_other",
        "Other skin problems on the treatment area: rashes, eczema or psoriasis flare, cold sores?",
        LOCAL,
        "Avoid the area; contagious conditions mean postpone.",
    ),
    Question(
        "diabetes_neuropathy",
        "Diabetes, or numbness / reduced sensation in the feet?",
        AMBER,
        "Pressure at most 3 of 5 on the feet and legs; no ice or heat; check the skin.",
        confirmed=False,
    ),
    Question(
        "pad_claudication",
        "Poor circulation in the legs (peripheral arterial disease): calf pain on walking that "
        "eases with rest?",
        AMBER,
        "Leg pressure at most 2 of 5; no deep pressure behind the knee or in the groin.",
        confirmed=False,
    ),
    Question(
        "pad_severe",
        "Poor circulation with pain at rest, a cold, pale or blue foot, or a wound that will not heal?",
        RED,
        "No treatment of the limb; urgent referral (a sudden cold, painful limb: emergency).",
    ),
    Question(
        "lymphoedema",
        "Lymphoedema, or lymph nodes in the groin removed or treated with radiotherapy?",
        AMBER,
        "Limb pressure at most 2 of 5; no friction, cupping or heat.",
        confirmed=False,
    ),
    Question("varicose", "Varicose veins?", AMBER, "No deep pressure on or below them."),
    Question("osteoporosis", "Osteoporosis or weakened bones?", AMBER, "Limit pressure."),
    Question(
        "inflammatory_arthritis",
        "Inflammatory arthritis (e.g. rheumatoid, psoriatic, ankylosing spondylitis) or gout?",
        AMBER,
        "Ask about flares at every visit.",
    ),
    Question(
        "arthritis_flare",
        "A flare or gout attack now: a hot, swollen joint?",
        AMBER,
        "Avoid the hot joint; limb pressure at most 3 of 5; no heat on the joint.",
        confirmed=False,
    ),
    Question(
        "raynauds",
        "Cold sensitivity or Raynaud's (fingers or toes turn white or blue in the cold)?",
        AMBER,
        "No ice or cold packs on the hands and feet.",
    ),
    Question("lumps", "Undiagnosed lumps, bumps or unexplained pain?", AMBER, "Avoid the area and refer."),
    Question("kidney_liver", "Kidney or liver disease?", AMBER, "Medical clearance."),
    Question(
        "epilepsy_allergy",
        "Epilepsy, asthma, or allergies (oils, lotions, latex, nuts)?",
        AMBER,
        "Choose products accordingly; have an emergency plan.",
    ),
    Question("implants", "Metal plates, pins or electronic implants?", LOCAL, "Local caution."),
    Question(
        "intoxication",
        "Alcohol or recreational drug use in the last few hours?",
        RED,
        "Do not treat while intoxicated.",
    ),
    Question(
        "doctor_care", "Under a doctor's care for any condition?", AMBER, "Clearance letter if required."
    ),
    Question(
        "steroid_injection",
        "Corticosteroid injection into the heel in the last 6 weeks (give the date)?",
        AMBER,
        "Up to 2 weeks: heel pressure at most 2 of 5; 2-6 weeks: at most 3; no deep friction, "
        "instruments or cupping at the heel.",
        confirmed=False,
        dated=True,
    ),
    Question(
        "heel_urgent",
        "Heel or foot pain after a fall or other trauma, a pop or tear under the heel or arch, "
        "sudden bruising in the arch, or bony tenderness with pain on hopping?",
        RED,
        "Refer now (same day if unable to bear weight): possible fracture or rupture. "
        "Stop loading exercises.",
    ),
    Question(
        "heel_soon",
        "Night pain or pain at rest unrelated to load, heel pain in both feet with other joint "
        "or back symptoms, or numbness, burning or tingling in the foot?",
        AMBER,
        "Refer soon (GP or physiotherapist within days): rule out nerve entrapment or systemic disease.",
    ),
)

QUESTION_SETS: dict[str, tuple[Question, ...]] = {
    "2026-1": QUESTIONS_2026_1,
    "2026-2": QUESTIONS_2026_2,
}
CURRENT_QUESTION_SET = "2026-2"
QUESTIONS = QUESTION_SETS[CURRENT_QUESTION_SET]
BY_CODE = {q.code: q for q in QUESTIONS}
_BY_VERSION = {version: {q.code: q for q in qs} for version, qs in QUESTION_SETS.items()}


def current_question_set() -> str:
    """Default version for a new screen (a callable, so migrations keep old rows on theirs)."""
    return CURRENT_QUESTION_SET


def questions_for(version: str | None) -> tuple[Question, ...]:
    """The questions a screen of this version was answered with."""
    return QUESTION_SETS.get(version or CURRENT_QUESTION_SET, QUESTIONS)


def _lookup(code: str, version: str | None) -> Question | None:
    if version is not None and version in _BY_VERSION:
        return _BY_VERSION[version].get(code)
    for by_code in (BY_CODE, *reversed(list(_BY_VERSION.values()))):
        if code in by_code:
            return by_code[code]
    return None


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    question: str
    action: str
    details: str
    confirmed: bool
    since: date | None = None


def flags_from_answers(answers, version: str | None = None) -> list[Flag]:
    """Flags for the 'yes' answers of one screen (of question-set ``version``), most severe first."""
    flags = []
    for answer in answers:
        question = _lookup(answer.question, version)
        if question is None or not answer.answer:
            continue
        flags.append(
            Flag(
                question.code,
                question.severity,
                question.text,
                question.action,
                answer.details,
                question.confirmed,
                getattr(answer, "since", None),
            )
        )
    flags.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return flags
