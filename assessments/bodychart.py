"""Body-chart regions: front, back and plantar views, each region a tappable shape.

Marks are stored as rows (view, region, side); this module only knows the
geometry used to draw and validate them. Coordinates are in the SVG viewBox of
each view (front/back 0 0 200 420, plantar 0 0 200 280).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spot:
    view: str
    region: str
    side: str
    label: str
    cx: float
    cy: float
    rx: float
    ry: float

    @property
    def hit(self) -> dict[str, float]:
        """The tappable box around the region: the drawn shape, widened to at least HIT_MIN
        drawing units each way (a finger's 44 px at the size the entry chart is drawn)."""
        width, height = max(2 * self.rx, HIT_MIN), max(2 * self.ry, HIT_MIN)
        return {"x": self.cx - width / 2, "y": self.cy - height / 2, "width": width, "height": height}

    @property
    def key(self) -> str:
        return f"{self.view}:{self.region}:{self.side}"

    @property
    def full_label(self) -> str:
        side = {"L": "Left ", "R": "Right ", "": ""}[self.side]
        view = {"front": "front", "back": "back", "plantar": "sole"}[self.view]
        return f"{side}{self.label.lower() if side else self.label} ({view})"


# The entry chart is drawn at 1.48 CSS px per drawing unit or more (assessments.css), so 30
# units is 44 px or more. Regions are placed so that no two tappable boxes overlap.
HIT_MIN = 30

VIEW_LABELS = {"front": "Front", "back": "Back", "plantar": "Soles"}


def _pair(view, region, label, x_left, x_right, cy, rx, ry) -> list[Spot]:
    return [
        Spot(view, region, "L", label, x_left, cy, rx, ry),
        Spot(view, region, "R", label, x_right, cy, rx, ry),
    ]


# Front view faces the viewer: the client's right side is on the viewer's left.
# Back view: the client's left is on the viewer's left. Soles: seen from below,
# left sole on the viewer's left.
SPOTS: tuple[Spot, ...] = tuple(
    [
        *_pair("front", "hip_front", "Hip / groin", 116, 84, 194, 13, 11),
        *_pair("front", "thigh_front", "Front of thigh", 117, 83, 240, 14, 30),
        *_pair("front", "knee", "Knee", 117, 83, 288, 11, 11),
        *_pair("front", "shin", "Shin", 117, 83, 325, 9, 20),
        *_pair("front", "ankle_front", "Front of ankle", 117, 83, 361, 9, 7),
        *_pair("front", "foot_dorsum", "Top of foot", 119, 81, 392, 11, 7),
        Spot("back", "low_back", "", "Low back", 100, 165, 22, 12),
        *_pair("back", "glute", "Buttock", 84, 116, 203, 16, 15),
        *_pair("back", "hamstring", "Back of thigh", 83, 117, 248, 13, 28),
        *_pair("back", "calf", "Calf", 83, 117, 314, 11, 26),
        *_pair("back", "achilles", "Achilles", 83, 117, 356, 6, 10),
        *_pair("back", "heel_back", "Back of heel", 83, 117, 387, 8, 7),
        *_pair("plantar", "toes", "Toes", 62, 138, 44, 22, 11),
        *_pair("plantar", "forefoot", "Ball of foot", 62, 138, 82, 24, 16),
        *_pair("plantar", "medial_arch", "Inner arch", 76, 124, 148, 10, 30),
        *_pair("plantar", "lateral_midfoot", "Outer midfoot", 46, 154, 148, 9, 28),
        *_pair("plantar", "plantar_heel", "Heel (plantar)", 62, 138, 218, 19, 22),
    ]
)

BY_KEY = {spot.key: spot for spot in SPOTS}


def is_valid_spot(view: str, region: str, side: str) -> bool:
    return f"{view}:{region}:{side}" in BY_KEY


def spot_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (VIEW_LABELS[view], [(s.key, s.full_label) for s in SPOTS if s.view == view]) for view in VIEW_LABELS
    ]


SYMPTOM_COLOURS = {
    "pain": "#c92a2a",
    "tightness": "#e8590c",
    "numbness": "#7048e8",
    "trigger_point": "#1971c2",
}


def views_with_marks(marks) -> list[dict]:
    """Spots grouped by view, with a dot for each mark recorded on a spot (for drawing)."""
    by_key: dict[str, list] = {}
    for mark in marks:
        by_key.setdefault(f"{mark.view}:{mark.region}:{mark.side}", []).append(mark)
    views = []
    for view in VIEW_LABELS:
        spots = [s for s in SPOTS if s.view == view]
        dots = []
        for spot in spots:
            here = by_key.get(spot.key, [])
            for index, mark in enumerate(here):
                offset = (index - (len(here) - 1) / 2) * 13
                dots.append(
                    {
                        "x": spot.cx + offset,
                        "y": spot.cy,
                        "mark": mark,
                        "colour": SYMPTOM_COLOURS.get(mark.symptom, "#495057"),
                        "label": f"{spot.full_label}: {mark.get_symptom_display()} {mark.intensity}/10",
                    }
                )
        views.append(
            {
                "view": view,
                "label": VIEW_LABELS[view],
                "height": 420 if view != "plantar" else 270,
                "spots": spots,
                "dots": dots,
            }
        )
    return views
