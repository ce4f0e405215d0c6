"""The assessment entry form, generated from the measure catalogue.

The form validates and converts; ``to_data()`` hands the service an
``AssessmentData``. Every bad value is reported at its own field with the valid
range, and nothing is saved unless the whole form is valid.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from assessments import bodychart, catalogue, services
from assessments.catalogue import Region, ValueType
from assessments.models import BodyChartMark, Measurement
from assessments.scoring import FAAM_MIN_COMPLETED, FFI_SUBSCALES
from assessments.services import AssessmentData, MarkInput, MeasurementInput, ResponseInput
from clinic.dates import clinical_date_problem

NOT_TESTED = "nt"
MARK_ROWS = 6
PSFS_ROWS = 5

LEFS_LABELS = (
    "Usual work, housework or school activities",
    "Usual hobbies, recreational or sporting activities",
    "Getting into or out of the bath",
    "Walking between rooms",
    "Putting on shoes or socks",
    "Squatting",
    "Lifting an object, like a bag of groceries, from the floor",
    "Light activities around the home",
    "Heavy activities around the home",
    "Getting into or out of a car",
    "Walking 2 blocks",
    "Walking a mile",
    "Going up or down 10 stairs",
    "Standing 1 hour",
    "Sitting 1 hour",
    "Running on even ground",
    "Running on uneven ground",
    "Making sharp turns while running fast",
    "Hopping",
    "Rolling over in bed",
)
FAAM_ADL_LABELS = (
    "Standing",
    "Walking on even ground",
    "Walking on even ground without shoes",
    "Walking up hills",
    "Walking down hills",
    "Going up stairs",
    "Going down stairs",
    "Walking on uneven ground",
    "Stepping up and down curbs",
    "Squatting",
    "Coming up on your toes",
    "Walking initially",
    "Walking 5 minutes or less",
    "Walking approximately 10 minutes",
    "Walking 15 minutes or greater",
    "Home responsibilities",
    "Activities of daily living",
    "Personal care",
    "Light to moderate work (standing, walking)",
    "Heavy work (push/pull, climbing, carrying)",
    "Recreational activities",
)
FAAM_SPORTS_LABELS = (
    "Running",
    "Jumping",
    "Landing",
    "Starting and stopping quickly",
    "Cutting / lateral movements",
    "Low-impact activities",
    "Ability to perform activity with your normal technique",
    "Ability to participate in your desired sport as long as you would like (wording unconfirmed)",
)
FPI6_LABELS = (
    "Talar head palpation",
    "Curves above and below the lateral malleolus",
    "Calcaneal inversion / eversion",
    "Talonavicular bulge",
    "Medial longitudinal arch congruence",
    "Forefoot abduction / adduction on rearfoot",
)

LEFS_CHOICES = [
    ("", "—"),
    ("4", "4 No difficulty"),
    ("3", "3 A little bit"),
    ("2", "2 Moderate"),
    ("1", "1 Quite a bit"),
    ("0", "0 Extreme / unable"),
]
FAAM_CHOICES = [
    ("", "—"),
    ("4", "4 No difficulty"),
    ("3", "3 Slight"),
    ("2", "2 Moderate"),
    ("1", "1 Extreme"),
    ("0", "0 Unable"),
    ("NA", "N/A"),
]
FPI6_CHOICES = [("", "—"), ("-2", "−2"), ("-1", "−1"), ("0", "0"), ("1", "+1"), ("2", "+2")]
FFI_CHOICES = [("", "—"), *[(str(n), str(n)) for n in range(11)], ("NA", "N/A")]
RATING_CHOICES = [("", "—"), *[(str(n), str(n)) for n in range(11)]]
INTENSITY_CHOICES = [("", "Intensity 0–10…"), *[(str(n), str(n)) for n in range(11)]]


class FastSelect(forms.Select):
    """A <select> rendered in Python. The entry page has ~150 selects with ~1,500
    options; rendering each option through Django's widget templates made the
    page take most of a second."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        attr_html = format_html_join(
            "", ' {}="{}"', ((k, v) for k, v in final.items() if v not in (None, False))
        )

        def options(choices):
            parts = []
            for key, label in choices:
                if isinstance(label, (list, tuple)):
                    parts.append(f'<optgroup label="{escape(key)}">{options(label)}</optgroup>')
                    continue
                selected = " selected" if str(key) in chosen else ""
                parts.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
            return "".join(parts)

        return mark_safe(f"<select{attr_html}>{options(self.choices)}</select>")  # noqa: S308 - every part escaped


class SegmentedRadio(forms.RadioSelect):
    """A few short choices as one row of toggle buttons (Bootstrap's btn-check), each a 44 px
    touch target. Posts the same name and values as the <select> it replaces; the blank
    choice ("not recorded") is a button too, so an answer can be taken back."""

    def __init__(self, attrs=None, choices=(), *, short: bool = False):
        super().__init__(attrs, choices)
        # short: show only an answer's number ("4"), its words ("No difficulty") for screen readers
        # and in the scale's key; for questionnaire items rated on a numbered scale.
        self.short = short

    def _text(self, label: str) -> str:
        if self.short and " " in label:
            number, words = label.split(" ", 1)
            return f'{escape(number)}<span class="visually-hidden"> {escape(words)}</span>'
        return escape(label)

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        base_id = final.get("id") or f"id_{name}"
        chosen = {str(v) for v in self.format_value(value)}
        group_label = final.get("aria-label", "")
        parts = []
        for index, (key, label) in enumerate(self.choices):
            key = str(key)
            input_id = f"{base_id}_{index}"
            checked = " checked" if key in chosen else ""
            if key:
                text = self._text(str(label))
            else:
                text = '<span aria-hidden="true">–</span><span class="visually-hidden">not recorded</span>'
            parts.append(
                f'<input type="radio" class="btn-check" name="{escape(name)}" id="{escape(input_id)}"'
                f' value="{escape(key)}" autocomplete="off"{checked}>'
                f'<label class="btn btn-outline-primary kc-seg-btn" for="{escape(input_id)}">{text}</label>'
            )
        return mark_safe(  # noqa: S308 - every part escaped
            f'<div class="kc-seg {escape(final.get("class", ""))}" id="{escape(base_id)}" role="radiogroup"'
            f' aria-label="{escape(group_label)}">{"".join(parts)}</div>'
        )

    def id_for_label(self, id_, index=None):
        return id_


def _answer_buttons(label: str, choices) -> SegmentedRadio:
    """Every answer is a button, never a long dropdown: short answers (positive / negative /
    not tested, a muscle grade) side by side, long ones (a Thomas test finding) stacked."""
    long = any(len(str(text)) > 20 for _key, text in choices)
    return SegmentedRadio(attrs={"aria-label": label, "class": "kc-seg-stack" if long else ""})


def _side_key(side: str) -> str:
    return side or "S"


def mfield(code: str, side: str) -> str:
    return f"m_{code}_{_side_key(side)}"


def ntfield(code: str, side: str) -> str:
    return f"nt_{code}_{_side_key(side)}"


def dfield(code: str, side: str) -> str:
    return f"d_{code}_{_side_key(side)}"


def pfield(code: str) -> str:
    return f"p_{code}"


def ofield(code: str, side: str) -> str:
    """Monofilament: how many sites were tested ("felt of tested")."""
    return f"o_{code}_{_side_key(side)}"


def _typed(measure) -> bool:
    """Measures entered by typing a number (not chosen from a list)."""
    return measure.value_type in (ValueType.DECIMAL, ValueType.INTEGER, ValueType.COUNT_OF)


class RatingField(forms.ChoiceField):
    """A PSFS rating: a whole number 0-10, with a plain message for anything else."""

    default_error_messages = {
        "invalid_choice": "Rate with a whole number from 0 to 10 (%(value)s is not allowed).",
    }


def questionnaire_items() -> list[tuple[str, str, str, list[str], list]]:
    """(instrument, side, title, item labels, choices) for each questionnaire on the form.
    FFI item wording is licensed, so its items are numbered, never printed."""
    ffi_labels = [
        f"{name.replace('_', ' ').capitalize()} item {n}"
        for name, count in FFI_SUBSCALES
        for n in range(1, count + 1)
    ]
    return [
        (
            "lefs",
            "",
            "LEFS: today, do you or would you have any difficulty at all with…",
            list(LEFS_LABELS),
            LEFS_CHOICES,
        ),
        ("faam_adl", "", "FAAM activities of daily living (past week)", list(FAAM_ADL_LABELS), FAAM_CHOICES),
        ("faam_sports", "", "FAAM sports (past week)", list(FAAM_SPORTS_LABELS), FAAM_CHOICES),
        ("fpi6", "L", "FPI-6 left foot", list(FPI6_LABELS), FPI6_CHOICES),
        ("fpi6", "R", "FPI-6 right foot", list(FPI6_LABELS), FPI6_CHOICES),
        ("ffi", "", "FFI (0–10 per item; item wording is on the licensed form)", ffi_labels, FFI_CHOICES),
    ]


def qfield(instrument: str, side: str, number: int) -> str:
    return f"q_{instrument}{'_' + side if side else ''}_{number}"


def _title_of(instrument: str) -> str:
    return services.INSTRUMENT_NAMES.get(instrument, instrument)


def _plain(value: Decimal) -> str:
    return catalogue._fmt(value)


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Date"
    )
    # The saved version the edit form was loaded at (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, previous_psfs: list[dict] | None = None, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.helper = FormHelper()
        self.helper.form_tag = False
        if not self.is_bound and "assessed_on" not in self.initial:
            self.initial["assessed_on"] = timezone.localdate()
            # The windlass test is far more sensitive weight-bearing (De Garceau 2003).
            self.initial.setdefault(pfield("windlass"), "wb")
        for region in Region.ORDER:
            self.fields[f"findings_{region}"] = forms.CharField(
                required=False,
                max_length=2000,
                label=f"{Region.LABELS[region]} findings",
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Free-text findings"}),
            )
        for measure in catalogue.MEASURES:
            if measure.extra.get("derived_from"):
                continue
            if measure.positions:
                self.fields[pfield(measure.code)] = forms.ChoiceField(
                    required=False,
                    choices=[("", "Position…"), *measure.positions],
                    label="Position",
                    widget=SegmentedRadio(attrs={"aria-label": f"{measure.label}: test position"}),
                )
            for side in measure.sides:
                name = mfield(measure.code, side)
                label = f"{measure.label} {side}".strip()
                if _typed(measure):
                    attrs = {
                        "inputmode": "decimal" if measure.step != "1" else "numeric",
                        "class": "kc-num",
                        "aria-label": label,
                        "autocomplete": "off",
                    }
                    self.fields[name] = forms.CharField(
                        required=False, label=label, max_length=12, widget=forms.TextInput(attrs=attrs)
                    )
                    self.fields[ntfield(measure.code, side)] = forms.BooleanField(
                        required=False, label="not tested"
                    )
                    if measure.value_type == ValueType.COUNT_OF:
                        most = measure.extra.get("max_sites", 3)
                        self.fields[ofield(measure.code, side)] = forms.ChoiceField(
                            required=False,
                            label=f"{label}: sites tested",
                            choices=[(str(n), f"of {n} tested") for n in range(most, 0, -1)],
                            initial=str(most),
                            widget=SegmentedRadio(attrs={"aria-label": f"{label}: sites tested"}),
                        )
                elif measure.value_type == ValueType.DOMAINS:
                    self.fields[name] = forms.ChoiceField(
                        required=False,
                        label=label,
                        choices=[("", "—"), ("done", "Assessed"), (NOT_TESTED, "Not tested")],
                        widget=SegmentedRadio(attrs={"aria-label": label}),
                    )
                    self.fields[dfield(measure.code, side)] = forms.MultipleChoiceField(
                        required=False,
                        label="Domains rated poor",
                        choices=measure.choices,
                        widget=forms.CheckboxSelectMultiple,
                    )
                else:
                    self.fields[name] = forms.ChoiceField(
                        required=False,
                        label=label,
                        choices=[("", "—"), *measure.choices, (NOT_TESTED, "Not tested")],
                        widget=_answer_buttons(label, measure.choices),
                    )
        for instrument, side, _title, labels, choices in questionnaire_items():
            for number, item_label in enumerate(labels, start=1):
                self.fields[qfield(instrument, side, number)] = forms.ChoiceField(
                    required=False,
                    choices=choices,
                    label=f"{number}. {item_label}",
                    widget=SegmentedRadio(
                        attrs={"aria-label": f"{number}. {item_label}", "class": "kc-seg-scale"}, short=True
                    ),
                )
        previous_psfs = previous_psfs or []
        for n in range(1, PSFS_ROWS + 1):
            prior = previous_psfs[n - 1] if n <= len(previous_psfs) else {}
            self.fields[f"psfs_key_{n}"] = forms.CharField(
                required=False, widget=forms.HiddenInput, max_length=60
            )
            self.fields[f"psfs_label_{n}"] = forms.CharField(
                required=False,
                max_length=120,
                label=f"Activity {n}",
                widget=forms.TextInput(attrs={"placeholder": "Activity the client finds hard"}),
            )
            self.fields[f"psfs_rating_{n}"] = RatingField(
                required=False,
                choices=RATING_CHOICES,
                label=f"Activity {n} rating 0–10",
                widget=SegmentedRadio(
                    attrs={"aria-label": f"Activity {n}: rating 0 to 10", "class": "kc-seg-scale"}
                ),
            )
            if prior and not self.is_bound:
                self.initial.setdefault(f"psfs_key_{n}", prior.get("key", ""))
                self.initial.setdefault(f"psfs_label_{n}", prior.get("label", ""))
        for n in range(1, MARK_ROWS + 1):
            # The mark table shows one header row, so each control names its row for screen readers.
            self.fields[f"mark_{n}_spot"] = forms.ChoiceField(
                required=False,
                choices=[("", "Region…"), *bodychart.spot_choices()],
                label="Region",
                widget=forms.Select(attrs={"aria-label": f"Mark {n}: region"}),
            )
            self.fields[f"mark_{n}_symptom"] = forms.ChoiceField(
                required=False,
                choices=[("", "Symptom…"), *BodyChartMark.Symptom.choices],
                label="Symptom",
                widget=SegmentedRadio(attrs={"aria-label": f"Mark {n}: symptom"}),
            )
            self.fields[f"mark_{n}_intensity"] = forms.ChoiceField(
                required=False,
                choices=INTENSITY_CHOICES,
                label="Intensity 0–10",
                widget=forms.Select(attrs={"aria-label": f"Mark {n}: intensity 0 to 10"}),
            )
            self.fields[f"mark_{n}_note"] = forms.CharField(
                required=False,
                max_length=200,
                label="Note",
                widget=forms.TextInput(attrs={"aria-label": f"Mark {n}: note", "placeholder": "Note"}),
            )
        self._style_widgets()

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                # The field gave its widget the same choices.
                field.widget = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            widget = field.widget
            if isinstance(
                widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.HiddenInput, SegmentedRadio)
            ):
                continue
            base = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )
            widget.attrs["class"] = f"{base} {widget.attrs.get('class', '')}".strip()
            if isinstance(widget, forms.Select) and "aria-label" not in widget.attrs:
                widget.attrs["aria-label"] = str(field.label)

    # --- validation -------------------------------------------------------

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("An assessment cannot be dated in the future.")
        problem = clinical_date_problem(day, client=self.client)
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean(self):
        cleaned = super().clean()
        self._measurements: list[MeasurementInput] = []
        self._flag_unknown_sides()
        for measure in catalogue.MEASURES:
            if measure.extra.get("derived_from"):
                continue
            position = cleaned.get(pfield(measure.code), "") if measure.positions else ""
            items = []
            for side in measure.sides:
                item = self._clean_measure(measure, side, cleaned, position)
                if item is not None:
                    items.append(item)
            recorded = [i for i in items if i.status == Measurement.Status.RECORDED]
            if measure.requires_position and recorded and not position:
                names = ", ".join(name.lower() for _, name in measure.positions)
                self.add_error(
                    pfield(measure.code),
                    f"Choose the test position for {measure.label.lower()} ({names}): "
                    "values are compared only with the same position.",
                )
            self._measurements.extend(items)
        self._check_bmi()
        self._responses = self._clean_questionnaires(cleaned)
        self._marks = self._clean_marks(cleaned)
        return cleaned

    def _flag_unknown_sides(self) -> None:
        """A value posted for a side the measure does not have (e.g. cadence "left")."""
        for key in self.data:
            if not key.startswith(("m_", "nt_")) or key in self.fields:
                continue
            code, _, side = key.split("_", 1)[1].rpartition("_")
            measure = catalogue.BY_CODE.get(code)
            if measure is None or not self.data.get(key):
                continue
            target = mfield(code, measure.sides[0])
            where = "for the left and right side" if measure.per_side else "as a single value, not per side"
            if target in self.fields:
                self.add_error(target, f"{measure.label} is recorded {where}; side {side!r} does not exist.")

    def _check_bmi(self) -> None:
        """Height and weight must give a BMI inside its valid range (said at the weight field)."""
        try:
            services.derived_bmi(self._measurements)
        except ValidationError as exc:
            self.add_error(mfield("weight_kg", ""), exc.messages[0])

    def _clean_measure(self, measure, side, cleaned, position) -> MeasurementInput | None:
        name = mfield(measure.code, side)
        raw = cleaned.get(name)
        if _typed(measure):
            not_tested = cleaned.get(ntfield(measure.code, side))
            text = (raw or "").strip().replace(",", ".")
            if not_tested:
                if text:
                    self.add_error(name, "Either enter a value or tick “not tested”, not both.")
                    return None
                return MeasurementInput(
                    code=measure.code, side=side, status=Measurement.Status.NOT_TESTED, position=position
                )
            if not text:
                return None
            try:
                value = Decimal(text)
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                self.add_error(name, f"Enter a number ({measure.range_text}).")
                return None
            # Every numeric and count measure in the catalogue has a range.
            assert measure.min_value is not None and measure.max_value is not None
            if not measure.min_value <= value <= measure.max_value:
                self.add_error(name, f"Out of range: enter {measure.range_text}.")
                return None
            if measure.step == "1" and value != value.to_integral_value():
                self.add_error(name, f"Enter a whole number ({measure.range_text}).")
                return None
            exponent = value.as_tuple().exponent
            assert isinstance(exponent, int)  # a finite number (checked above)
            if exponent < -2:
                self.add_error(name, "Use at most two decimal places.")
                return None
            if measure.value_type == ValueType.COUNT_OF:
                tested = cleaned.get(ofield(measure.code, side)) or str(measure.extra.get("max_sites", 3))
                if value > int(tested):
                    self.add_error(name, f"More sites felt ({_plain(value)}) than tested ({tested}).")
                    return None
                return MeasurementInput(code=measure.code, side=side, value=value, detail=tested)
            return MeasurementInput(code=measure.code, side=side, value=value, position=position)
        if measure.value_type == ValueType.DOMAINS:
            poor = cleaned.get(dfield(measure.code, side)) or []
            if raw == NOT_TESTED:
                if poor:
                    self.add_error(
                        name, "Not tested, but domains are ticked: untick them or choose “Assessed”."
                    )
                    return None
                return MeasurementInput(code=measure.code, side=side, status=Measurement.Status.NOT_TESTED)
            if raw != "done" and not poor:
                return None
            return MeasurementInput(
                code=measure.code, side=side, value=Decimal(len(poor)), detail=",".join(poor)
            )
        if not raw:
            return None
        if raw == NOT_TESTED:
            return MeasurementInput(
                code=measure.code, side=side, status=Measurement.Status.NOT_TESTED, position=position
            )
        return MeasurementInput(code=measure.code, side=side, choice=raw, position=position)

    def _clean_questionnaires(self, cleaned) -> list[ResponseInput]:
        responses = []
        for instrument, side, _title, labels, _choices in questionnaire_items():
            answers = [cleaned.get(qfield(instrument, side, n)) or None for n in range(1, len(labels) + 1)]
            if all(a is None for a in answers):
                continue
            items = [a if a in (None, "NA") else int(a) for a in answers]
            if instrument in ("faam_adl", "faam_sports"):
                subscale = instrument.split("_")[1]
                answered = sum(1 for a in items if a not in (None, "NA"))
                needed = FAAM_MIN_COMPLETED[subscale]
                if answered < needed:
                    first_gap = next(n for n, a in enumerate(items, start=1) if a in (None, "NA"))
                    na = sum(1 for a in items if a == "NA")
                    self.add_error(
                        qfield(instrument, side, first_gap),
                        f"{_title_of(instrument)} needs at least {needed} of {len(items)} items answered "
                        f"to be scored; {answered} answered"
                        + (f" and {na} marked N/A, which does not count" if na else "")
                        + ". Answer more items or clear this questionnaire.",
                    )
                    continue
            options = {"method": "sum", "item_max": 10} if instrument == "ffi" else {}
            responses.append(ResponseInput(instrument=instrument, side=side, items=items, options=options))
        psfs = []
        used_keys = set()
        for n in range(1, PSFS_ROWS + 1):
            label = (cleaned.get(f"psfs_label_{n}") or "").strip()
            rating = cleaned.get(f"psfs_rating_{n}") or None
            if not label and rating is None:
                continue
            if not label:
                self.add_error(f"psfs_label_{n}", "Name the activity this rating belongs to.")
                continue
            key = (cleaned.get(f"psfs_key_{n}") or "").strip() or slugify(label)[:50] or f"activity-{n}"
            while key in used_keys:
                key += "-2"
            used_keys.add(key)
            psfs.append({"key": key, "label": label, "rating": None if rating is None else int(rating)})
        if psfs and any(item["rating"] is not None for item in psfs):
            responses.append(ResponseInput(instrument="psfs", items=psfs))
        return responses

    def _clean_marks(self, cleaned) -> list[MarkInput]:
        marks = []
        for n in range(1, MARK_ROWS + 1):
            spot_key = cleaned.get(f"mark_{n}_spot")
            symptom = cleaned.get(f"mark_{n}_symptom")
            intensity = cleaned.get(f"mark_{n}_intensity")
            note = (cleaned.get(f"mark_{n}_note") or "").strip()
            if not (spot_key or symptom or intensity or note):
                continue
            if not spot_key:
                self.add_error(f"mark_{n}_spot", "Choose the body region (tap it on the chart).")
                continue
            if not symptom:
                self.add_error(f"mark_{n}_symptom", "Choose the symptom type.")
                continue
            if intensity in (None, ""):
                self.add_error(f"mark_{n}_intensity", "Choose an intensity from 0 to 10.")
                continue
            spot = bodychart.BY_KEY[spot_key]
            marks.append(
                MarkInput(
                    view=spot.view,
                    region=spot.region,
                    side=spot.side,
                    symptom=symptom,
                    intensity=int(intensity),
                    note=note,
                )
            )
        return marks

    def to_data(self) -> AssessmentData:
        cleaned = self.cleaned_data
        return AssessmentData(
            assessed_on=cleaned["assessed_on"],
            findings={region: cleaned.get(f"findings_{region}", "") for region in Region.ORDER},
            measurements=self._measurements,
            marks=self._marks,
            responses=self._responses,
        )

    # --- layout helpers (pure data for the template) -----------------------

    def region_sections(
        self, *, previous_cells: dict | None = None, sex: str = "", age: int | None = None
    ) -> list[dict]:
        """Rows of the entry page, each with the norm for this client's age and sex
        (a measure with test positions shows its general norm until one is chosen)."""
        previous_cells = previous_cells or {}
        sections = []
        for region, label, measures in catalogue.by_region():
            rows: list[dict[str, Any]] = []
            for measure in measures:
                if measure.extra.get("derived_from"):
                    continue
                prev = {c.side: c.text for c in previous_cells.get(measure.code, []) if c.status != "blank"}
                cells = []
                for side in measure.sides:
                    cells.append(
                        {
                            "side": side,
                            "field": self[mfield(measure.code, side)],
                            "nt": self[ntfield(measure.code, side)]
                            if ntfield(measure.code, side) in self.fields
                            else None,
                            "domains": self[dfield(measure.code, side)]
                            if dfield(measure.code, side) in self.fields
                            else None,
                            "of": self[ofield(measure.code, side)]
                            if ofield(measure.code, side) in self.fields
                            else None,
                            "previous": prev.get(side, ""),
                        }
                    )
                rows.append(
                    {
                        "measure": measure,
                        "cells": cells,
                        "position": self[pfield(measure.code)] if measure.positions else None,
                        "norm": None
                        if measure.position_norms
                        else catalogue.norm_for(measure, sex=sex, age=age),
                    }
                )
            findings = self[f"findings_{region}"]
            answered = [row["measure"].short_label for row in rows if _row_answered(row)]
            has_errors = (
                bool(findings.errors)
                or any(
                    cell["field"].errors or (cell["of"] is not None and cell["of"].errors)
                    for row in rows
                    for cell in row["cells"]
                )
                or any(row["position"] is not None and row["position"].errors for row in rows)
            )
            sections.append(
                {
                    "region": region,
                    "label": label,
                    "rows": rows,
                    "findings": findings,
                    # Collapsed to its one-line summary unless something in it needs fixing.
                    "open": has_errors,
                    "answered": answered,
                    "summary": _section_summary(answered, len(rows), bool(findings.value())),
                }
            )
        return sections

    def questionnaire_sections(self) -> list[dict]:
        sections = []
        for instrument, side, title, labels, choices in questionnaire_items():
            fields = [self[qfield(instrument, side, n)] for n in range(1, len(labels) + 1)]
            in_use = any(f.errors or f.value() not in (None, "") for f in fields)
            sections.append(
                {
                    "instrument": instrument,
                    "side": side,
                    "title": title,
                    "fields": fields,
                    "open": instrument == "lefs" or in_use,
                    # What each numbered answer button means.
                    "key": " · ".join(str(label) for key, label in choices if key and " " in str(label)),
                }
            )
        return sections

    def error_summary(self) -> list[dict]:
        """Each field error with its label, for the list at the top of the page."""
        return [
            {"label": self[name].label, "message": message, "anchor": self[name].auto_id}
            for name, messages in self.errors.items()
            if name != "__all__" and name in self.fields
            for message in messages
        ]

    def psfs_rows(self) -> list[dict]:
        return [
            {
                "key": self[f"psfs_key_{n}"],
                "label": self[f"psfs_label_{n}"],
                "rating": self[f"psfs_rating_{n}"],
            }
            for n in range(1, PSFS_ROWS + 1)
        ]

    def mark_rows(self) -> list[dict]:
        return [
            {
                "n": n,
                "spot": self[f"mark_{n}_spot"],
                "symptom": self[f"mark_{n}_symptom"],
                "intensity": self[f"mark_{n}_intensity"],
                "note": self[f"mark_{n}_note"],
            }
            for n in range(1, MARK_ROWS + 1)
        ]


def _filled(value) -> bool:
    return value not in (None, "", [], False)


def _row_answered(row: dict) -> bool:
    """A measure counts as answered once any side has a value or is marked not tested."""
    return any(
        _filled(cell["field"].value()) or (cell["nt"] is not None and _filled(cell["nt"].value()))
        for cell in row["cells"]
    )


def _section_summary(answered: list[str], total: int, has_findings: bool) -> str:
    """One line under a collapsed section's heading: how far it has been filled in."""
    if not answered:
        text = f"Not started · {total} measure{'s' if total != 1 else ''}"
    else:
        text = f"{len(answered)} of {total} answered: {', '.join(answered)}"
    return f"{text} · findings written" if has_findings else text


def initial_from(assessment) -> dict:
    """Form initial data from a saved (draft) assessment, for editing."""
    initial = {"assessed_on": assessment.assessed_on}
    for region, text in (assessment.findings or {}).items():
        initial[f"findings_{region}"] = text
    for row in assessment.measurements.all():
        measure = catalogue.BY_CODE.get(row.code)
        if measure is None or measure.extra.get("derived_from"):
            continue
        if row.position:
            initial[pfield(row.code)] = row.position
        name = mfield(row.code, row.side)
        if _typed(measure):
            if row.not_tested:
                initial[ntfield(row.code, row.side)] = True
            else:
                initial[name] = catalogue._fmt(row.value)
                if measure.value_type == ValueType.COUNT_OF and row.detail:
                    initial[ofield(row.code, row.side)] = row.detail
        elif measure.value_type == ValueType.DOMAINS:
            initial[name] = NOT_TESTED if row.not_tested else "done"
            initial[dfield(row.code, row.side)] = [d for d in row.detail.split(",") if d]
        else:
            initial[name] = NOT_TESTED if row.not_tested else row.choice
    for response in assessment.responses.all():
        if response.instrument == "psfs":
            for n, item in enumerate(response.items[:PSFS_ROWS], start=1):
                initial[f"psfs_key_{n}"] = item.get("key", "")
                initial[f"psfs_label_{n}"] = item.get("label", "")
                initial[f"psfs_rating_{n}"] = "" if item.get("rating") is None else str(item["rating"])
            continue
        for n, answer in enumerate(response.items, start=1):
            initial[qfield(response.instrument, response.side, n)] = "" if answer is None else str(answer)
    for n, mark in enumerate(list(assessment.marks.all())[:MARK_ROWS], start=1):
        initial[f"mark_{n}_spot"] = f"{mark.view}:{mark.region}:{mark.side}"
        initial[f"mark_{n}_symptom"] = mark.symptom
        initial[f"mark_{n}_intensity"] = str(mark.intensity)
        initial[f"mark_{n}_note"] = mark.note
    return initial
