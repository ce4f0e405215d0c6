"""The intake contraindication screen (clinical reference §5.4).

Each question is a yes/no answer with details. A "yes" raises a flag:
red = do not treat / refer, amber = modify or get clearance, local = avoid the
area only. The classification mixes published sources with clinical judgement
that the reference marks unconfirmed; clinic leads should review it.
"""

from __future__ import annotations

from dataclasses import dataclass

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


QUESTIONS: tuple[Question, ...] = (
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

BY_CODE = {q.code: q for q in QUESTIONS}


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    question: str
    action: str
    details: str
    confirmed: bool


def flags_from_answers(answers) -> list[Flag]:
    """Flags for the 'yes' answers of one screen, most severe first."""
    flags = []
    for answer in answers:
        question = BY_CODE.get(answer.question)
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
            )
        )
    flags.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return flags
