"""The network map as a server-rendered SVG eco-map (no script, no inline style: presentation
attributes only, so the strict CSP holds).

The child is in the centre; three circles (närmast, nära, längre ifrån) around it; one sector
per kind of relation. Each person is a node inside their circle's ring and their sector, with
a line to the child whose style shows how the child sees the relation, and a label (name, and
relation on a second line). People who can step in acutely get a highlighted node.

The layout is computed, not left to chance, so that a map with 40 people stays readable:

1. Each ring is as thick as its most crowded sector needs (a base thickness, plus a step for
   each person above three in one cell).
2. People are placed ring by ring, sector by sector, in a fixed order. For the i-th of n people
   in a cell the preferred spot spreads them over the sector's angle and alternates them
   between an inner and an outer radius of the ring.
3. Around that spot the candidate node positions (a grid of radii and angles inside the
   cell) are tried nearest first; at each, the label is tried to the right, left, above and
   below the node. The first position where the node and its label overlap nothing already
   placed wins. The text width is estimated from the number of characters times the font
   size times ``CHAR_WIDTH`` (``text_box``): the same estimate the tests check with.
4. If nothing fits, the label is shortened (the name only, cut to ``SHORT_NAME`` characters) and
   the search repeats; if still nothing fits, the label goes into a column to the right of the
   map with a thin leader line to its node. So no two labels ever overlap.

Everything is deterministic: the same people give the same picture."""

import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import Closeness, Quality, Sector

SECTORS = [code for code, _label in Sector.choices]
SECTOR_LABELS = dict(Sector.choices)
SECTOR_SPAN = 2 * math.pi / len(SECTORS)
START_ANGLE = -math.pi / 2  # the first sector starts at the top, then clockwise

CHILD_RADIUS = 34
FIRST_RING_INNER = 42
BASE_RING = 96  # thickness of a ring with up to three people in each of its sectors
RING_STEP = 16  # extra thickness per person above three in the ring's most crowded sector
MARGIN = 150  # room around the outer circle for labels and sector titles

NODE_RADIUS = 7
NAME_SIZE = 12
RELATION_SIZE = 10
CHAR_WIDTH = 0.6  # estimated glyph width as a share of the font size
ASCENT = 0.8  # share of the font size above the baseline
DESCENT = 0.25  # share below it
GAP = 2  # minimum free space between any two boxes

NAME_MAX = 18
RELATION_MAX = 18
SHORT_NAME = 10
MAX_CANDIDATES = 90  # node positions tried per person and label length

QUALITY_STYLE = {
    Quality.POSITIVE: {"stroke": "#2e7d32", "width": "2.5", "dash": ""},
    Quality.MIXED: {"stroke": "#7a5c00", "width": "2", "dash": "7 4"},
    Quality.STRAINED: {"stroke": "#b71c1c", "width": "2", "dash": "2 3"},
}


def text_width(text, size):
    return len(text) * size * CHAR_WIDTH


def text_box(x, y, text, size, anchor):
    """The estimated bounding box (x0, y0, x1, y1) of a one-line SVG text at baseline (x, y)."""
    width = text_width(text, size)
    if anchor == "end":
        x0 = x - width
    elif anchor == "middle":
        x0 = x - width / 2
    else:
        x0 = x
    return (x0, y - size * ASCENT, x0 + width, y + size * DESCENT)


def boxes_overlap(a, b, gap=0.0):
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def shorten(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sector_angles(sector):
    index = SECTORS.index(sector)
    start = START_ANGLE + index * SECTOR_SPAN
    return start, start + SECTOR_SPAN


@dataclass
class Label:
    x: float
    y: float
    text: str
    size: int
    anchor: str
    css: str  # "label-name" or "label-relation"

    @property
    def box(self):
        return text_box(self.x, self.y, self.text, self.size, self.anchor)


@dataclass
class Node:
    person: dict
    x: float = 0.0
    y: float = 0.0
    labels: list = field(default_factory=list)
    leader: tuple | None = None  # (x1, y1, x2, y2) to a label in the side column


@dataclass
class Layout:
    width: float
    height: float
    centre: float
    rings: list  # [inner of ring 1, outer of ring 1, outer of ring 2, outer of ring 3]
    nodes: list
    static_labels: list


def person_dict(p):
    """A MapPerson or a version's snapshot row as the plain dict the layout needs."""
    if isinstance(p, dict):
        return p
    return {
        "id": p.pk, "name": p.name, "relation": p.relation, "sector": p.sector,
        "closeness": int(p.closeness), "quality": p.quality, "can_step_in": p.can_step_in,
        "support_practical": p.support_practical, "support_emotional": p.support_emotional,
        "named_by_child": p.named_by_child,
    }


def _ring_bounds(people):
    counts = {}
    for p in people:
        key = (p["closeness"], p["sector"])
        counts[key] = counts.get(key, 0) + 1
    bounds = [FIRST_RING_INNER]
    for ring in (1, 2, 3):
        crowd = max([n for (c, _s), n in counts.items() if c == ring] or [0])
        bounds.append(bounds[-1] + BASE_RING + RING_STEP * max(0, crowd - 3))
    return bounds


def _label_options(nx, ny, name, relation, outward_right):
    """Label placements around a node at (nx, ny), the outward side first."""
    off = NODE_RADIUS + 4
    right = [Label(nx + off, ny + 1, name, NAME_SIZE, "start", "label-name")]
    left = [Label(nx - off, ny + 1, name, NAME_SIZE, "end", "label-name")]
    above = [Label(nx, ny - off - (RELATION_SIZE + 3 if relation else 0), name, NAME_SIZE, "middle", "label-name")]
    below = [Label(nx, ny + off + NAME_SIZE * ASCENT, name, NAME_SIZE, "middle", "label-name")]
    if relation:
        right.append(Label(nx + off, ny + 1 + RELATION_SIZE + 3, relation, RELATION_SIZE, "start", "label-relation"))
        left.append(Label(nx - off, ny + 1 + RELATION_SIZE + 3, relation, RELATION_SIZE, "end", "label-relation"))
        above.append(Label(nx, ny - off, relation, RELATION_SIZE, "middle", "label-relation"))
        below.append(
            Label(nx, ny + off + NAME_SIZE * ASCENT + RELATION_SIZE + 3, relation, RELATION_SIZE, "middle",
                  "label-relation")
        )
    sides = [right, above, below, left] if outward_right else [left, above, below, right]
    return sides


def _candidates(centre, inner, outer, a0, a1, preferred):
    """Node positions inside the cell (ring inner..outer, sector a0..a1), nearest to
    ``preferred`` first."""
    points = []
    r = inner + NODE_RADIUS + 5
    while r <= outer - NODE_RADIUS - 5:
        margin = (NODE_RADIUS + 6) / r
        span = (a1 - a0) - 2 * margin
        steps = max(1, int(span * r / 14))
        for k in range(steps + 1):
            a = a0 + margin + span * k / steps
            points.append((centre + r * math.cos(a), centre + r * math.sin(a), a))
        r += 15
    px, py = preferred
    points.sort(key=lambda p: ((p[0] - px) ** 2 + (p[1] - py) ** 2, p[2]))
    return points


def layout(people):
    """Place ``people`` (dicts, see ``person_dict``) and their labels. Returns a ``Layout``."""
    people = [person_dict(p) for p in people]
    people.sort(key=lambda p: (p["closeness"], SECTORS.index(p["sector"]), p["name"].lower(), p["id"] or 0))
    rings = _ring_bounds(people)
    centre = rings[-1] + MARGIN
    size = 2 * centre

    occupied = [(centre - CHILD_RADIUS, centre - CHILD_RADIUS, centre + CHILD_RADIUS, centre + CHILD_RADIUS)]
    static_labels = []
    for sector in SECTORS:
        a0, a1 = sector_angles(sector)
        mid = (a0 + a1) / 2
        r = rings[-1] + 16
        x, y = centre + r * math.cos(mid), centre + r * math.sin(mid) + NAME_SIZE * 0.35
        cos = math.cos(mid)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        if abs(cos) < 0.3:
            y += NAME_SIZE * (0.6 if math.sin(mid) > 0 else -0.2)
        lab = Label(x, y, str(SECTOR_LABELS[sector]), NAME_SIZE + 1, anchor, "sector-title")
        static_labels.append(lab)
        occupied.append(lab.box)
    for ring, (_value, label) in enumerate(Closeness.choices, start=1):
        lab = Label(centre + 4, centre - rings[ring] + 12, str(label), RELATION_SIZE, "start", "ring-title")
        static_labels.append(lab)
        occupied.append(lab.box)

    cells = {}
    for p in people:
        cells.setdefault((p["closeness"], p["sector"]), []).append(p)

    nodes = []
    overflow = []
    for (closeness, sector), members in cells.items():
        inner, outer = rings[closeness - 1], rings[closeness]
        a0, a1 = sector_angles(sector)
        n = len(members)
        for i, p in enumerate(members):
            frac = (i + 0.5) / n
            a = a0 + (a1 - a0) * frac
            if n <= 2:
                r = (inner + outer) / 2
            else:
                r = inner + (outer - inner) * (0.33 if i % 2 == 0 else 0.7)
            preferred = (centre + r * math.cos(a), centre + r * math.sin(a))
            node = Node(person=p)
            placed = _place(node, centre, size, inner, outer, a0, a1, preferred, occupied)
            if not placed:
                overflow.append(node)
            nodes.append(node)

    width = size
    height = size
    if overflow:
        column_x = size + 10
        longest = max(text_width(shorten(n.person["name"], NAME_MAX), NAME_SIZE) for n in overflow)
        width = size + 20 + longest + 10
        y = 24.0
        for node in overflow:
            if not node.x and not node.y:  # no free node position either: the cell's middle
                inner, outer = rings[node.person["closeness"] - 1], rings[node.person["closeness"]]
                a0, a1 = sector_angles(node.person["sector"])
                a, r = (a0 + a1) / 2, (inner + outer) / 2
                node.x, node.y = centre + r * math.cos(a), centre + r * math.sin(a)
            lab = Label(column_x, y, shorten(node.person["name"], NAME_MAX), NAME_SIZE, "start", "label-name")
            node.labels = [lab]
            node.leader = (node.x, node.y, column_x - 3, y - NAME_SIZE * 0.35)
            y += NAME_SIZE + GAP + 4
        height = max(height, y)
    return Layout(width=width, height=height, centre=centre, rings=rings, nodes=nodes, static_labels=static_labels)


def _inside_canvas(box, size):
    return box[0] >= 2 and box[1] >= 2 and box[2] <= size - 2 and box[3] <= size - 2


def _place(node, centre, size, inner, outer, a0, a1, preferred, occupied):
    p = node.person
    full = (shorten(p["name"], NAME_MAX), shorten(p["relation"], RELATION_MAX))
    short = (shorten(p["name"], SHORT_NAME), "")
    candidates = _candidates(centre, inner, outer, a0, a1, preferred)[:MAX_CANDIDATES]
    first_free = None
    for name, relation in (full, short):
        for x, y, a in candidates:
            node_box = (x - NODE_RADIUS, y - NODE_RADIUS, x + NODE_RADIUS, y + NODE_RADIUS)
            if any(boxes_overlap(node_box, o, GAP) for o in occupied):
                continue
            if first_free is None:
                first_free = (x, y, node_box)
            for labels in _label_options(x, y, name, relation, math.cos(a) >= 0):
                boxes = [lab.box for lab in labels]
                if not all(_inside_canvas(b, size) for b in boxes):
                    continue
                if any(boxes_overlap(b, o, GAP) for b in boxes for o in occupied):
                    continue
                if len(boxes) == 2 and boxes_overlap(node_box, boxes[1]):
                    continue
                node.x, node.y, node.labels = x, y, labels
                occupied.append(node_box)
                occupied.extend(boxes)
                return True
    if first_free is not None:
        node.x, node.y = first_free[0], first_free[1]
        occupied.append(first_free[2])
    return False


def _fmt(value):
    return f"{value:.1f}"


def _text(lab):
    halo = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"' if lab.css.startswith("label") else ""
    weight = ' font-weight="bold"' if lab.css in ("sector-title",) else ""
    return (
        f'<text class="{lab.css}" x="{_fmt(lab.x)}" y="{_fmt(lab.y)}" font-size="{lab.size}" '
        f'text-anchor="{lab.anchor}" fill="#1a1a1a"{halo}{weight}>{escape(lab.text)}</text>'
    )


def map_svg(people, *, title_id="map-title", title=None):
    """The SVG (a safe string) for ``people``: MapPerson objects or version snapshot rows."""
    lay = layout(people)
    c = lay.centre
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(lay.width)} {_fmt(lay.height)}" '
        f'width="100%" role="img" aria-labelledby="{escape(title_id)}" class="network-map img-fluid" '
        f'data-centre="{_fmt(c)}" data-rings="{" ".join(_fmt(r) for r in lay.rings)}" '
        f'data-sectors="{" ".join(SECTORS)}">',
        f'<title id="{escape(title_id)}">{escape(title or _("Nätverkskarta"))} – '
        f'{escape(_("samma uppgifter finns i listan bredvid kartan."))}</title>',
        f'<rect x="0" y="0" width="{_fmt(lay.width)}" height="{_fmt(lay.height)}" fill="#ffffff"></rect>',
    ]
    fills = ["#eef4fa", "#f5f8fb", "#fbfcfd"]
    for ring in (3, 2, 1):
        out.append(
            f'<circle class="ring" data-ring="{ring}" cx="{_fmt(c)}" cy="{_fmt(c)}" r="{_fmt(lay.rings[ring])}" '
            f'fill="{fills[ring - 1]}" stroke="#5b6b7a" stroke-width="1.2"></circle>'
        )
    for sector in SECTORS:
        a0, _a1 = sector_angles(sector)
        x1, y1 = c + lay.rings[0] * math.cos(a0), c + lay.rings[0] * math.sin(a0)
        x2, y2 = c + lay.rings[-1] * math.cos(a0), c + lay.rings[-1] * math.sin(a0)
        out.append(
            f'<line class="sector-line" x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" '
            f'stroke="#9aa7b4" stroke-width="1"></line>'
        )
    for node in lay.nodes:
        style = QUALITY_STYLE.get(node.person["quality"], QUALITY_STYLE[Quality.MIXED])
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        out.append(
            f'<line class="tie quality-{escape(node.person["quality"])}" x1="{_fmt(c)}" y1="{_fmt(c)}" '
            f'x2="{_fmt(node.x)}" y2="{_fmt(node.y)}" stroke="{style["stroke"]}" stroke-width="{style["width"]}"'
            f'{dash}></line>'
        )
    out.append(
        f'<circle class="child" cx="{_fmt(c)}" cy="{_fmt(c)}" r="{CHILD_RADIUS}" fill="#1f4e79"></circle>'
        f'<text x="{_fmt(c)}" y="{_fmt(c + 4)}" font-size="13" text-anchor="middle" fill="#ffffff" '
        f'font-weight="bold">{escape(_("Barnet"))}</text>'
    )
    for lab in lay.static_labels:
        out.append(_text(lab))
    for node in lay.nodes:
        p = node.person
        acute = bool(p.get("can_step_in"))
        out.append(
            f'<g class="person{" acute" if acute else ""}" data-person="{escape(str(p["id"]))}" '
            f'data-sector="{escape(p["sector"])}" data-closeness="{int(p["closeness"])}">'
        )
        if node.leader:
            x1, y1, x2, y2 = node.leader
            out.append(
                f'<line class="leader" x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" '
                f'stroke="#5b6b7a" stroke-width="0.8"></line>'
            )
        if acute:
            out.append(
                f'<circle class="acute-ring" cx="{_fmt(node.x)}" cy="{_fmt(node.y)}" r="{NODE_RADIUS + 3}" '
                f'fill="none" stroke="#b3261e" stroke-width="2"></circle>'
            )
        out.append(
            f'<circle class="node" cx="{_fmt(node.x)}" cy="{_fmt(node.y)}" r="{NODE_RADIUS}" '
            f'fill="{"#ffb300" if acute else "#ffffff"}" stroke="#1a1a1a" stroke-width="1.5"></circle>'
        )
        for lab in node.labels:
            out.append(_text(lab))
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every dynamic text is escaped above
