"""The questionnaires a client answers on their link, in plain words, one question per row.

The items and their order are the assessments app's own (``assessments.forms``); the scoring is
``assessments.scoring`` through ``assessments.services.score_response``, never a copy. This
module turns what a client typed into the answers those functions take, and says in plain words
what is wrong with an answer (a pain score of 11, a question left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from assessments import catalogue
from assessments.forms import FAAM_ADL_LABELS, FAAM_SPORTS_LABELS, LEFS_LABELS
from assessments.scoring import FAAM_MIN_COMPLETED
from assessments.services import MeasurementInput, ResponseInput, score_response
from previsit.models import Measure

PSFS_ROWS = 3
NPRS_CODES = ("nprs_first_step", "nprs_rest", "nprs_worst_24h", "nprs_activity")
NPRS_WORDS = {
    "nprs_first_step": "Your pain with the first steps out of bed in the morning",
    "nprs_rest": "Your pain when resting",
    "nprs_worst_24h": "Your worst pain in the last 24 hours",
    "nprs_activity": "Your pain during activity (walking, running, your sport)",
}
LEFS_ANSWERS = (
    ("4", "No difficulty"),
    ("3", "A little bit of difficulty"),
    ("2", "Moderate difficulty"),
    ("1", "Quite a bit of difficulty"),
    ("0", "Extreme difficulty or unable to do it"),
)
FAAM_ANSWERS = (
    ("4", "No difficulty"),
    ("3", "Slight difficulty"),
    ("2", "Moderate difficulty"),
    ("1", "Extreme difficulty"),
    ("0", "Unable to do it"),
    ("NA", "Does not apply to me"),
)
PAIN_ANSWERS = tuple((str(n), str(n)) for n in range(11))
LABEL_MAX = 80


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    answers: tuple[tuple[str, str], ...]
    # A short text field (a PSFS activity) instead of answer buttons.
    is_text: bool = False


@dataclass(frozen=True)
class Part:
    title: str
    intro: str
    items: tuple[Item, ...]
    key: str = ""


@dataclass
class Parsed:
    """What a client sent: the kept values by field, the problems by field, and for a full
    submission the answers as the scoring takes them."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    responses: list[ResponseInput] = field(default_factory=list)
    measurements: list[MeasurementInput] = field(default_factory=list)


def parts(measure: str) -> tuple[Part, ...]:
    if measure == Measure.LEFS:
        return (
            Part(
                "Everyday activities",
                "Today, do you or would you have any difficulty at all with these activities because "
                "of your lower-limb problem? Choose one answer for each.",
                tuple(Item(f"item_{n}", text, LEFS_ANSWERS) for n, text in enumerate(LEFS_LABELS, 1)),
            ),
        )
    if measure == Measure.FAAM:
        return (
            Part(
                "Daily living (the past week)",
                "How much difficulty has your foot or ankle given you with each of these in the past week?",
                tuple(Item(f"adl_{n}", text, FAAM_ANSWERS) for n, text in enumerate(FAAM_ADL_LABELS, 1)),
                key="adl",
            ),
            Part(
                "Sports (the past week)",
                "If you do a sport, answer these too. If you do not, leave this part empty.",
                tuple(
                    Item(f"sports_{n}", text.replace(" (wording unconfirmed)", ""), FAAM_ANSWERS)
                    for n, text in enumerate(FAAM_SPORTS_LABELS, 1)
                ),
                key="sports",
            ),
        )
    if measure == Measure.PSFS:
        items = []
        for n in range(1, PSFS_ROWS + 1):
            items.append(Item(f"psfs_label_{n}", f"Activity {n}", (), is_text=True))
            items.append(
                Item(f"psfs_rating_{n}", f"How able are you to do activity {n} today?", PAIN_ANSWERS)
            )
        return (
            Part(
                "Activities you find hard",
                "Name up to three activities you cannot do, or find hard, because of your problem. "
                "Then rate each: 0 means unable to do it, 10 means able to do it as before.",
                tuple(items),
            ),
        )
    if measure == Measure.NPRS:
        return (
            Part(
                "Pain scores",
                "0 means no pain, 10 means the worst pain you can imagine.",
                tuple(Item(code, NPRS_WORDS[code], PAIN_ANSWERS) for code in NPRS_CODES),
            ),
        )
    raise ValueError(f"unknown questionnaire {measure!r}")


def all_items(measure: str) -> list[Item]:
    return [item for part in parts(measure) for item in part.items]


def _out_of_range(item: Item) -> str:
    if item.answers == PAIN_ANSWERS:
        return "Choose a whole number from 0 to 10."
    return "Choose one of the answers shown."


def parse(measure: str, data, *, complete: bool) -> Parsed:
    """Read the posted answers. Unknown fields are ignored; a value no answer allows is an error
    beside its question (never stored). With ``complete`` the questionnaire must be answered enough
    to be scored, and the answers are turned into what the assessment services take."""
    parsed = Parsed()
    for item in all_items(measure):
        raw = data.get(item.key, "")
        raw = raw.strip() if isinstance(raw, str) else ""
        if not raw:
            continue
        if item.is_text:
            if len(raw) > LABEL_MAX:
                parsed.errors[item.key] = f"Keep it under {LABEL_MAX} characters."
                continue
        elif raw not in dict(item.answers):
            parsed.errors[item.key] = _out_of_range(item)
            continue
        parsed.values[item.key] = raw
    if complete and not parsed.errors:
        _complete(measure, parsed)
    return parsed


def _missing(parsed: Parsed, items) -> list[Item]:
    return [item for item in items if item.key not in parsed.values]


def _complete(measure: str, parsed: Parsed) -> None:
    v = parsed.values
    if measure == Measure.LEFS:
        for item in _missing(parsed, all_items(measure)):
            parsed.errors[item.key] = "Please answer this question."
        if not parsed.errors:
            parsed.responses.append(
                ResponseInput("lefs", [int(v[f"item_{n}"]) for n in range(1, len(LEFS_LABELS) + 1)])
            )
    elif measure == Measure.FAAM:
        adl, sports = parts(measure)
        for part, instrument, required in ((adl, "faam_adl", True), (sports, "faam_sports", False)):
            answered = [item for item in part.items if item.key in v]
            if not answered and not required:
                continue
            counted = [item for item in answered if v[item.key] != "NA"]
            needed = FAAM_MIN_COMPLETED[part.key]
            if len(counted) < needed:
                for item in _missing(parsed, part.items):
                    parsed.errors[item.key] = "Please answer this question."
                if not parsed.errors:
                    parsed.errors[part.items[0].key] = (
                        f"Answer at least {needed} questions of this part with a level of difficulty "
                        '("does not apply" does not count).'
                    )
                continue
            items = [
                None if item.key not in v else ("NA" if v[item.key] == "NA" else int(v[item.key]))
                for item in part.items
            ]
            parsed.responses.append(ResponseInput(instrument, items))
    elif measure == Measure.PSFS:
        rows = []
        for n in range(1, PSFS_ROWS + 1):
            label, rating = v.get(f"psfs_label_{n}", ""), v.get(f"psfs_rating_{n}")
            if label and rating is None:
                parsed.errors[f"psfs_rating_{n}"] = "Rate this activity from 0 to 10."
            elif rating is not None and not label:
                parsed.errors[f"psfs_label_{n}"] = "Name the activity this rating belongs to."
            elif label and rating is not None:  # a label without a rating was refused above
                rows.append({"key": f"activity-{n}", "label": label, "rating": int(rating)})
        if not rows and not parsed.errors:
            parsed.errors["psfs_label_1"] = "Name at least one activity and rate it."
        if not parsed.errors:
            parsed.responses.append(ResponseInput("psfs", rows))
    elif measure == Measure.NPRS:
        for item in _missing(parsed, all_items(measure)):
            parsed.errors[item.key] = "Please choose a number from 0 to 10."
        if not parsed.errors:
            parsed.measurements = [MeasurementInput(code, value=Decimal(v[code])) for code in NPRS_CODES]
    for response in parsed.responses:
        try:
            score_response(response.instrument, response.items, response.options)
        except ValueError:  # a value the scale does not allow slipped past the checks above
            parsed.errors["__all__"] = "Some answers are not allowed. Check each question."


def stored(parsed: Parsed) -> dict:
    """The submitted answers as kept on the request (plain JSON)."""
    return {
        "responses": [{"instrument": r.instrument, "items": r.items} for r in parsed.responses],
        "measurements": [{"code": m.code, "value": str(m.value)} for m in parsed.measurements],
    }


def inputs(submitted: dict) -> tuple[list[ResponseInput], list[MeasurementInput]]:
    responses = [ResponseInput(r["instrument"], list(r["items"])) for r in submitted.get("responses", [])]
    measurements = [
        MeasurementInput(m["code"], value=Decimal(m["value"])) for m in submitted.get("measurements", [])
    ]
    return responses, measurements


def score_summary(submitted: dict) -> str:
    """ "LEFS 52 of 80" / "FAAM ADL 71.4%" / "First-step pain 6/10": the score the product computes."""
    parts_text = []
    responses, measurements = inputs(submitted)
    for response in responses:
        result = score_response(response.instrument, response.items, response.options)
        name = {
            "lefs": "LEFS",
            "faam_adl": "FAAM daily living",
            "faam_sports": "FAAM sports",
            "psfs": "PSFS",
        }[response.instrument]
        if result.value is None:
            parts_text.append(f"{name}: no score ({result.reason})")
        elif response.instrument == "lefs":
            parts_text.append(f"{name} {result.value} of 80")
        elif response.instrument.startswith("faam"):
            parts_text.append(f"{name} {result.value:.1f}%")
        else:
            parts_text.append(f"{name} {result.value:.1f} of 10")
    for m in measurements:
        assert m.value is not None  # inputs() reads every value
        parts_text.append(f"{catalogue.get(m.code).label} {m.value.normalize():f}/10")
    return "; ".join(parts_text)[:300]
