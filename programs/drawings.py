"""Built-in line drawings of the library exercises.

Each drawing is a plain ReportLab Drawing (stick figure, props, movement arrows)
so the same picture goes onto web pages as SVG and into the handout PDF. The
drawings hold no user text; they are built once per process and cached.

Figures face right. The working leg is drawn in the accent colour.
"""

from __future__ import annotations

import math
from functools import lru_cache

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect
from reportlab.lib import colors

W, H = 240, 170
INK = colors.HexColor("#1d2939")
WORK = colors.HexColor("#175cd3")
PROP = colors.HexColor("#98a2b3")
PROP_FILL = colors.HexColor("#eaecf0")
ARROW = colors.HexColor("#d92d20")
GROUND_Y = 14


def _bone(g: Group, points, *, work: bool = False, width: float = 5) -> None:
    flat = [c for p in points for c in p]
    g.add(
        PolyLine(
            flat,
            strokeColor=WORK if work else INK,
            strokeWidth=width,
            strokeLineCap=1,
            strokeLineJoin=1,
        )
    )


def _head(g: Group, x: float, y: float, r: float = 9) -> None:
    g.add(Circle(x, y, r, fillColor=colors.white, strokeColor=INK, strokeWidth=3))


def _ground(g: Group, x1: float = 8, x2: float = W - 8, y: float = GROUND_Y) -> None:
    g.add(Line(x1, y, x2, y, strokeColor=PROP, strokeWidth=2))


def _wall(g: Group, x: float) -> None:
    g.add(Rect(x, GROUND_Y, 8, H - GROUND_Y - 6, fillColor=PROP_FILL, strokeColor=PROP, strokeWidth=1.5))


def _arrow(g: Group, x1: float, y1: float, x2: float, y2: float, *, both: bool = False) -> None:
    g.add(Line(x1, y1, x2, y2, strokeColor=ARROW, strokeWidth=2.5, strokeLineCap=1))
    ends = [(x1, y1, x2, y2)] + ([(x2, y2, x1, y1)] if both else [])
    for ax, ay, bx, by in ends:
        angle = math.atan2(by - ay, bx - ax)
        size = 8
        left = (bx - size * math.cos(angle - 0.45), by - size * math.sin(angle - 0.45))
        right = (bx - size * math.cos(angle + 0.45), by - size * math.sin(angle + 0.45))
        g.add(Polygon([bx, by, *left, *right], fillColor=ARROW, strokeColor=ARROW, strokeWidth=1))


def _arc_arrow(g: Group, cx: float, cy: float, r: float, start: float, end: float) -> None:
    """A curved arrow from angle ``start`` to ``end`` (degrees, anticlockwise)."""
    steps = 12
    pts = []
    for i in range(steps + 1):
        a = math.radians(start + (end - start) * i / steps)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    g.add(PolyLine([c for p in pts[:-1] for c in p], strokeColor=ARROW, strokeWidth=2.5, strokeLineCap=1))
    _arrow(g, *pts[-3], *pts[-1])


def _chair(g: Group, x: float, seat_y: float = 58, width: float = 44) -> None:
    g.add(Rect(x, seat_y - 4, width, 6, fillColor=PROP_FILL, strokeColor=PROP, strokeWidth=1.5))
    g.add(Line(x + 3, seat_y - 4, x + 3, GROUND_Y, strokeColor=PROP, strokeWidth=2.5))
    g.add(Line(x + width - 3, seat_y - 4, x + width - 3, GROUND_Y, strokeColor=PROP, strokeWidth=2.5))
    g.add(Line(x + 3, seat_y, x + 3, seat_y + 52, strokeColor=PROP, strokeWidth=2.5))


def _mat(g: Group, x1: float = 12, x2: float = W - 12) -> None:
    g.add(Rect(x1, GROUND_Y, x2 - x1, 5, fillColor=PROP_FILL, strokeColor=PROP, strokeWidth=1))


# --- The drawings -----------------------------------------------------------------


def _pf_stretch(g: Group) -> None:
    """Seated, affected foot across the other knee, hand pulls the toes toward the shin."""
    _ground(g)
    _chair(g, 40)
    _head(g, 72, 142)
    _bone(g, [(66, 62), (70, 131)])  # trunk
    _bone(g, [(66, 62), (112, 62), (116, GROUND_Y + 2), (132, GROUND_Y + 2)])  # support leg
    # Crossed leg: thigh over, shin across the other knee, foot up by the hand.
    _bone(g, [(66, 66), (104, 78), (142, 70), (148, 84)], work=True)
    _bone(g, [(70, 118), (104, 100), (146, 88)])  # arm reaching the toes
    _arc_arrow(g, 142, 72, 24, 20, 100)


def _gastroc_wall(g: Group) -> None:
    _ground(g)
    _wall(g, 196)
    _head(g, 160, 136)
    _bone(g, [(118, 80), (152, 122)])  # trunk leaning to the wall
    _bone(g, [(152, 122), (174, 112), (196, 122)])  # arms to the wall
    _bone(g, [(118, 80), (150, 56), (148, GROUND_Y + 2), (168, GROUND_Y + 2)])  # front knee bent
    _bone(g, [(118, 80), (66, GROUND_Y + 4), (54, GROUND_Y + 2), (74, GROUND_Y + 2)], work=True)
    _arrow(g, 54, 44, 54, GROUND_Y + 8)  # heel stays down


def _soleus_wall(g: Group) -> None:
    _ground(g)
    _wall(g, 196)
    _head(g, 156, 128)
    _bone(g, [(118, 70), (148, 114)])
    _bone(g, [(148, 114), (172, 104), (196, 112)])
    _bone(g, [(118, 70), (150, 50), (150, GROUND_Y + 2), (170, GROUND_Y + 2)])
    _bone(g, [(118, 70), (96, 42), (74, GROUND_Y + 4), (64, GROUND_Y + 2), (84, GROUND_Y + 2)], work=True)
    _arrow(g, 108, 62, 116, 40)  # bend the back knee
    _arrow(g, 62, 44, 62, GROUND_Y + 8)


def _step(g: Group, x: float, width: float, top: float = 40) -> None:
    g.add(Rect(x, GROUND_Y, width, top - GROUND_Y, fillColor=PROP_FILL, strokeColor=PROP, strokeWidth=1.5))


def _heel_raise_towel(g: Group) -> None:
    _ground(g)
    _step(g, 96, 110)
    _wall(g, 196)
    # Rolled towel under the toes, heel past the step edge.
    g.add(Circle(112, 45, 5, fillColor=colors.white, strokeColor=ARROW, strokeWidth=2))
    _bone(g, [(84, 52), (118, 51)], work=True, width=5)  # foot: heel past the step edge
    _bone(g, [(92, 54), (98, 94), (100, 126)], work=True)  # working leg
    _bone(g, [(100, 126), (86, 98), (68, 108)])  # other leg bent behind
    _bone(g, [(100, 126), (104, 150)])
    _head(g, 106, 161, 8)
    _bone(g, [(104, 146), (150, 140), (196, 146)])  # hand on the wall
    _arrow(g, 62, 48, 62, 86, both=True)


def _heel_raise_two_up(g: Group) -> None:
    _ground(g)
    _wall(g, 196)
    _head(g, 112, 150)
    _bone(g, [(108, 92), (110, 138)])
    _bone(g, [(110, 134), (154, 124), (196, 132)])
    _bone(g, [(108, 92), (106, 56), (104, 30), (124, GROUND_Y + 2)], work=True)
    _bone(g, [(108, 92), (116, 56), (114, 30), (134, GROUND_Y + 2)])
    _arrow(g, 66, 30, 66, 60)
    _arrow(g, 80, 60, 80, 30)


def _foot_outline(g: Group, x: float, y: float, *, dome: float = 0, toes_up: bool = False) -> None:
    """A large side-view foot (toes to the right)."""
    top = [(x, y + 10), (x + 8, y + 42), (x + 40, y + 48), (x + 80, y + 38), (x + 130, y + 22)]
    toe = [(x + 160, y + 18), (x + 168, y + 8)] if not toes_up else [(x + 150, y + 30), (x + 160, y + 34)]
    sole = [(x + 160, y), (x + 120, y + 1), (x + 80, y + 6 + dome), (x + 40, y + 3 + dome / 2), (x + 8, y)]
    pts = [c for p in top + toe + sole for c in p]
    g.add(Polygon(pts, fillColor=colors.HexColor("#f2f4f7"), strokeColor=INK, strokeWidth=2.5))
    g.add(Line(x + 10, y + 48, x + 4, y + 110, strokeColor=INK, strokeWidth=5, strokeLineCap=1))
    g.add(Line(x + 36, y + 50, x + 34, y + 110, strokeColor=INK, strokeWidth=5, strokeLineCap=1))


def _short_foot(g: Group) -> None:
    _ground(g)
    _foot_outline(g, 36, GROUND_Y + 1, dome=14)
    _arrow(g, 180, GROUND_Y + 8, 132, GROUND_Y + 10)  # ball of the foot drawn toward the heel
    _arrow(g, 116, GROUND_Y + 4, 116, GROUND_Y + 26)  # arch lifts


def _toe_yoga(g: Group) -> None:
    _ground(g)
    # Front view of the toes: big toe up, small toes pressing down.
    g.add(
        Rect(
            30,
            GROUND_Y,
            180,
            40,
            rx=14,
            ry=14,
            fillColor=colors.HexColor("#f2f4f7"),
            strokeColor=INK,
            strokeWidth=2.5,
        )
    )
    g.add(
        Rect(
            40,
            GROUND_Y + 34,
            34,
            62,
            rx=14,
            ry=14,
            fillColor=colors.HexColor("#dbe6fb"),
            strokeColor=WORK,
            strokeWidth=3,
        )
    )
    for i, x in enumerate((88, 118, 146, 172)):
        g.add(
            Rect(
                x,
                GROUND_Y,
                22 - i * 2,
                40 - i * 3,
                rx=9,
                ry=9,
                fillColor=colors.white,
                strokeColor=INK,
                strokeWidth=2.5,
            )
        )
    _arrow(g, 57, 104, 57, 132)
    _arrow(g, 140, 74, 140, 48)


def _towel_scrunch(g: Group) -> None:
    _ground(g)
    _chair(g, 30)
    _head(g, 60, 142)
    _bone(g, [(56, 62), (58, 131)])
    _bone(g, [(58, 118), (82, 96), (92, 74)])
    _bone(g, [(56, 62), (108, 62), (116, GROUND_Y + 8), (136, GROUND_Y + 6)], work=True)
    wave = []
    for i in range(21):
        xx = 110 + i * 5
        wave += [xx, GROUND_Y + 2 + (3 if i % 2 else 0) + (6 if 8 < i < 12 else 0)]
    g.add(PolyLine(wave, strokeColor=ARROW, strokeWidth=2))
    _arrow(g, 212, GROUND_Y + 22, 150, GROUND_Y + 22)


def _side_lying_abduction(g: Group) -> None:
    _mat(g)
    _head(g, 40, 42)
    _bone(g, [(30, 32), (24, 50)])  # arm under the head
    _bone(g, [(52, 34), (116, 30)])  # trunk
    _bone(g, [(116, 30), (170, 26), (220, 24)])  # bottom leg, knee slightly bent is fine
    _bone(g, [(116, 34), (168, 62), (214, 86)], work=True)  # top leg lifted
    _bone(g, [(70, 40), (92, 56)])  # top arm resting
    _arc_arrow(g, 116, 34, 92, 8, 32)


def _clamshell(g: Group) -> None:
    _mat(g)
    _head(g, 40, 42)
    _bone(g, [(30, 32), (24, 50)])
    _bone(g, [(52, 34), (120, 30)])
    _bone(g, [(120, 28), (168, 52), (200, 22)])  # bottom leg: hip and knee bent
    _bone(g, [(120, 34), (160, 96), (200, 30)], work=True)  # top knee opens, feet together
    _bone(g, [(74, 40), (96, 58)])
    _arc_arrow(g, 170, 46, 42, 45, 95)


def _bridge(g: Group, *, single: bool) -> None:
    _mat(g)
    _head(g, 28, 30)
    _bone(g, [(38, 26), (60, 26), (104, 76)])  # shoulders on the mat, trunk up to the hips
    _bone(g, [(40, 22), (90, 22)])  # arms along the floor
    _bone(g, [(104, 76), (150, 60), (156, GROUND_Y + 6), (170, GROUND_Y + 6)], work=True)
    if single:
        _bone(g, [(104, 76), (150, 90), (204, 104)])  # other leg straight out
    else:
        _bone(g, [(104, 72), (146, 56), (150, GROUND_Y + 6), (164, GROUND_Y + 6)])
    _arrow(g, 104, 34, 104, 66)


def _knee_to_wall(g: Group) -> None:
    _ground(g)
    _wall(g, 196)
    _head(g, 120, 140)
    _bone(g, [(112, 74), (118, 128)])
    _bone(g, [(118, 120), (158, 118), (196, 128)])
    # Front (working) foot flat, knee forward to the wall, heel down.
    _bone(g, [(112, 74), (190, 62), (160, GROUND_Y + 4), (184, GROUND_Y + 2)], work=True)
    _bone(g, [(112, 74), (76, 40), (50, GROUND_Y + 4), (44, GROUND_Y + 2)])  # back leg
    _arrow(g, 168, 86, 190, 78, both=True)
    _arrow(g, 150, 44, 150, GROUND_Y + 8)


def _sl_balance(g: Group) -> None:
    _ground(g)
    _head(g, 120, 152)
    _bone(g, [(120, 96), (120, 141)])
    _bone(g, [(76, 128), (120, 134), (164, 128)])  # arms out
    _bone(g, [(120, 96), (118, 56), (120, GROUND_Y + 4), (104, GROUND_Y + 2), (134, GROUND_Y + 2)], work=True)
    _bone(g, [(120, 96), (132, 64), (116, 48)])  # other leg lifted
    _arrow(g, 70, 70, 90, 70, both=True)


def _ball_massage(g: Group) -> None:
    _ground(g)
    _chair(g, 30)
    _head(g, 60, 142)
    _bone(g, [(56, 62), (58, 131)])
    _bone(g, [(58, 118), (82, 96), (92, 74)])
    g.add(
        Circle(144, GROUND_Y + 9, 9, fillColor=colors.HexColor("#fde7e6"), strokeColor=ARROW, strokeWidth=2)
    )
    _bone(g, [(56, 62), (108, 62), (124, GROUND_Y + 24), (160, GROUND_Y + 20)], work=True)
    _arrow(g, 118, GROUND_Y + 40, 168, GROUND_Y + 40, both=True)


COLD = colors.HexColor("#d1e9ff")
COLD_INK = colors.HexColor("#1570ef")
TAPE = colors.HexColor("#fdb022")


def _load_week(g: Group) -> None:
    """A week planner: seven days, the heaviest day cut back (load management)."""
    g.add(Rect(20, 20, 200, 120, fillColor=colors.white, strokeColor=INK, strokeWidth=2.5))
    g.add(Rect(20, 118, 200, 22, fillColor=PROP_FILL, strokeColor=INK, strokeWidth=2.5))
    heights = [40, 46, 78, 44, 40, 48, 36]
    for i, h in enumerate(heights):
        x = 30 + i * 27
        g.add(Line(x + 24, 24, x + 24, 114, strokeColor=RULE_GREY, strokeWidth=1))
        work = i == 2
        g.add(
            Rect(
                x + 4,
                26,
                16,
                h,
                fillColor=colors.HexColor("#dbe6fb") if work else PROP_FILL,
                strokeColor=WORK if work else PROP,
                strokeWidth=2,
            )
        )
    _arrow(g, 92, 112, 92, 76)  # cut the peak day back


RULE_GREY = colors.HexColor("#d0d5dd")


def _shoe_heel_cup(g: Group) -> None:
    """A cushioned shoe from the side with a soft heel cup at the back."""
    _ground(g)
    sole = [30, GROUND_Y, 214, GROUND_Y, 222, GROUND_Y + 10, 30, GROUND_Y + 26]
    g.add(Polygon(sole, fillColor=PROP_FILL, strokeColor=INK, strokeWidth=2.5))
    upper = [
        30,
        GROUND_Y + 26,
        222,
        GROUND_Y + 10,
        206,
        GROUND_Y + 40,
        150,
        GROUND_Y + 58,
        96,
        GROUND_Y + 92,
        40,
        GROUND_Y + 96,
    ]
    g.add(Polygon(upper, fillColor=colors.white, strokeColor=INK, strokeWidth=2.5))
    # Heel cup: a soft pad under and round the heel, in the working colour.
    g.add(
        PolyLine(
            [44, GROUND_Y + 60, 42, GROUND_Y + 32, 60, GROUND_Y + 28, 96, GROUND_Y + 28],
            strokeColor=WORK,
            strokeWidth=7,
            strokeLineCap=1,
        )
    )
    _arrow(g, 70, GROUND_Y + 130, 70, GROUND_Y + 40)


def _low_dye(g: Group) -> None:
    """The sole of the foot from below with the low-Dye strips across it."""
    outline = [
        120,
        158,
        150,
        150,
        162,
        120,
        158,
        80,
        146,
        44,
        136,
        22,
        120,
        16,
        104,
        22,
        96,
        50,
        92,
        90,
        88,
        128,
        96,
        152,
    ]
    g.add(Polygon(outline, fillColor=colors.HexColor("#f2f4f7"), strokeColor=INK, strokeWidth=2.5))
    # Anchor round the heel and along both sides.
    g.add(
        PolyLine(
            [90, 130, 92, 60, 104, 26, 120, 20, 136, 26, 150, 50, 160, 118],
            strokeColor=TAPE,
            strokeWidth=6,
            strokeLineCap=1,
        )
    )
    for y in (40, 56, 72, 88):
        g.add(Line(96, y, 152, y + 6, strokeColor=TAPE, strokeWidth=9, strokeLineCap=1))
    _arrow(g, 40, 64, 88, 64)  # strips lift the inner arch
    _arrow(g, 200, 70, 160, 70)


def _walker(g: Group, x: float, *, run: bool = False, work: bool = True) -> None:
    lean = 8 if run else 2
    hip = (x, 74 if run else 70)
    _head(g, x + lean + 4, 148)
    _bone(g, [hip, (x + lean, 136)])
    if run:
        _bone(g, [hip, (x + 26, 52), (x + 18, 30)], work=work)  # front knee lifted
        _bone(g, [hip, (x - 14, 44), (x - 34, GROUND_Y + 14)])
        _bone(g, [(x + lean, 124), (x + 22, 110), (x + 30, 124)])
        _bone(g, [(x + lean, 124), (x - 12, 108), (x - 20, 96)])
    else:
        _bone(g, [hip, (x + 14, 42), (x + 22, GROUND_Y + 2)], work=work)
        _bone(g, [hip, (x - 10, 42), (x - 20, GROUND_Y + 2)])
        _bone(g, [(x + lean, 124), (x + 14, 98)])
        _bone(g, [(x + lean, 124), (x - 10, 100)])


def _walking(g: Group) -> None:
    _ground(g)
    _walker(g, 80)
    # A step count that grows a little each week.
    for i, h in enumerate((18, 22, 26, 30)):
        g.add(
            Rect(
                140 + i * 22,
                GROUND_Y + 4,
                14,
                h,
                fillColor=colors.HexColor("#dbe6fb"),
                strokeColor=WORK,
                strokeWidth=1.5,
            )
        )
    _arrow(g, 140, 70, 222, 92)


def _walk_run(g: Group) -> None:
    _ground(g)
    _walker(g, 60, work=False)
    _walker(g, 170, run=True)
    _arrow(g, 96, 100, 134, 100)


def _bottle_roll(g: Group) -> None:
    _ground(g)
    _chair(g, 30)
    _head(g, 60, 142)
    _bone(g, [(56, 62), (58, 131)])
    _bone(g, [(58, 118), (82, 96), (92, 74)])
    g.add(Rect(112, GROUND_Y + 1, 62, 16, rx=7, ry=7, fillColor=COLD, strokeColor=COLD_INK, strokeWidth=2))
    g.add(Rect(174, GROUND_Y + 5, 8, 8, fillColor=COLD, strokeColor=COLD_INK, strokeWidth=2))
    _bone(g, [(56, 62), (108, 62), (124, GROUND_Y + 28), (160, GROUND_Y + 24)], work=True)
    _arrow(g, 118, GROUND_Y + 46, 168, GROUND_Y + 46, both=True)


DRAWINGS = {
    "pf_stretch": ("Plantar-fascia stretch", _pf_stretch),
    "gastroc_wall": ("Calf stretch, back knee straight", _gastroc_wall),
    "soleus_wall": ("Calf stretch, back knee bent", _soleus_wall),
    "heel_raise_towel": ("Single-leg heel raise, towel under toes", _heel_raise_towel),
    "heel_raise_two_up": ("Heel raise, two feet", _heel_raise_two_up),
    "short_foot": ("Short foot", _short_foot),
    "toe_yoga": ("Toe yoga", _toe_yoga),
    "towel_scrunch": ("Towel scrunch", _towel_scrunch),
    "side_lying_abduction": ("Side-lying hip abduction", _side_lying_abduction),
    "clamshell": ("Clamshell", _clamshell),
    "glute_bridge": ("Glute bridge", lambda g: _bridge(g, single=False)),
    "sl_bridge": ("Single-leg bridge", lambda g: _bridge(g, single=True)),
    "knee_to_wall": ("Knee-to-wall", _knee_to_wall),
    "sl_balance": ("Single-leg balance", _sl_balance),
    "ball_massage": ("Plantar ball massage", _ball_massage),
    "load_week": ("This week's plan (load)", _load_week),
    "shoe_heel_cup": ("Shoe with a heel cup", _shoe_heel_cup),
    "low_dye": ("Low-Dye taping", _low_dye),
    "walking": ("Walking, steps build up", _walking),
    "walk_run": ("Walk, then run", _walk_run),
    "bottle_roll": ("Frozen-bottle roll", _bottle_roll),
}

DRAWING_CHOICES = [("", "No drawing")] + [(key, label) for key, (label, _) in DRAWINGS.items()]


def _placeholder(g: Group) -> None:
    _ground(g)
    g.add(Rect(70, 40, 100, 80, fillColor=PROP_FILL, strokeColor=PROP, strokeWidth=1.5))


@lru_cache(maxsize=64)
def drawing(key: str, width: float = W) -> Drawing:
    """The drawing for ``key`` scaled to ``width`` points (aspect ratio kept)."""
    scale = width / W
    d = Drawing(width, H * scale)
    group = Group()
    builder = DRAWINGS.get(key, (None, _placeholder))[1]
    builder(group)
    group.scale(scale, scale)
    d.add(group)
    return d


@lru_cache(maxsize=64)
def drawing_svg(key: str, width: float = W) -> str:
    """SVG markup for a page. The drawing has no user text, so it is safe to embed."""

    svg = renderSVG.drawToString(drawing(key, width))
    # Drop the XML prolog and doctype so the markup can sit inside HTML.
    start = svg.find("<svg")
    return svg[start:]
