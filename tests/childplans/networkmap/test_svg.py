"""The eco-map SVG, checked as geometry (not a snapshot): well-formed, one node per current
person, every node inside its circle's ring and its sector, and no two labels overlapping for
maps of 1, 10 and 40 people. Label boxes are estimated from the SVG's own text attributes with
the same rule the layout uses: characters × font size × CHAR_WIDTH."""

import math
import xml.etree.ElementTree as ET

import pytest

from childplans.networkmap import svg
from childplans.networkmap.models import Sector

from .helpers import sample_people

NS = {"s": "http://www.w3.org/2000/svg"}


def render(people):
    rows = [{**p, "id": i + 1} for i, p in enumerate(people)]
    return rows, ET.fromstring(str(svg.map_svg(rows)))  # noqa: S314 - our own markup, parsed to check it


def label_boxes(root):
    boxes = []
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        css = text.get("class", "")
        if not (css.startswith("label") or css in ("sector-title", "ring-title")):
            continue
        size = float(text.get("font-size"))
        box = svg.text_box(float(text.get("x")), float(text.get("y")), text.text or "", size,
                           text.get("text-anchor", "start"))
        boxes.append((css, text.text, box))
    return boxes


def angle_in_sector(angle, sector):
    start = -math.pi / 2 + Sector.values.index(sector) * 2 * math.pi / len(Sector.values)
    offset = (angle - start) % (2 * math.pi)
    return 0 < offset < 2 * math.pi / len(Sector.values)


def crowded(n):
    """``n`` people all in the same sector and circle: the hardest case for the layout."""
    return [{**p, "sector": Sector.FAMILY, "closeness": 1} for p in sample_people(n)]


CASES = {
    "1": sample_people(1),
    "10": sample_people(10),
    "40": sample_people(40),
    "40-long-names": [{**p, "name": p["name"] * 3} for p in sample_people(40, seed=11)],
    "40-in-one-sector": crowded(40),
}


@pytest.mark.parametrize("case", list(CASES))
def test_geometry(case):
    people, root = render(CASES[case])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img" and root.find("s:title", NS) is not None
    centre = float(root.get("data-centre"))
    rings = [float(r) for r in root.get("data-rings").split()]
    drawn = {float(c.get("r")) for c in root.findall("s:circle[@class='ring']", NS)}
    assert drawn == set(rings[1:]), "the three circles are drawn where the layout put them"

    groups = root.findall("s:g", NS)
    persons = [g for g in groups if "person" in g.get("class", "").split()]
    assert len(persons) == len(people), "one node per current person"
    assert sorted(int(g.get("data-person")) for g in persons) == [p["id"] for p in people]
    by_id = {p["id"]: p for p in people}
    for g in persons:
        p = by_id[int(g.get("data-person"))]
        node = g.find("s:circle[@class='node']", NS)
        x, y, r = float(node.get("cx")), float(node.get("cy")), float(node.get("r"))
        distance = math.hypot(x - centre, y - centre)
        inner, outer = rings[p["closeness"] - 1], rings[p["closeness"]]
        assert inner + r <= distance <= outer - r, (p["name"], "outside its circle's ring")
        assert angle_in_sector(math.atan2(y - centre, x - centre), p["sector"]), (p["name"], "outside its sector")
        # the node does not reach over the sector's edges either
        assert all(angle_in_sector(math.atan2(y - centre + dy, x - centre + dx), p["sector"])
                   for dx, dy in ((r, 0), (-r, 0), (0, r), (0, -r)))
        assert ("acute" in g.get("class")) == bool(p["can_step_in"])
        labels = [t for t in g.findall("s:text", NS) if t.get("class", "").startswith("label")]
        assert labels and labels[0].text, "every node is labelled"

    boxes = label_boxes(root)
    assert len([b for b in boxes if b[0].startswith("label")]) >= len(people)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for i, (_css, text, a) in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= width and 0 <= a[1] and a[3] <= height, (text, "outside the picture")
        for _css2, text2, b in boxes[i + 1:]:
            assert not svg.boxes_overlap(a, b), f"labels overlap: {text!r} and {text2!r}"


def test_every_line_style_shows_the_relation():
    people, root = render(sample_people(3))
    ties = root.findall("s:line", NS)
    styles = {t.get("class"): (t.get("stroke"), t.get("stroke-dasharray")) for t in ties if "tie" in t.get("class")}
    assert set(styles) == {"tie quality-positive", "tie quality-mixed", "tie quality-strained"}
    assert len(set(styles.values())) == 3, "the three qualities look different"


def test_layout_is_deterministic_and_escapes_text():
    people = sample_people(12)
    people[0]["name"] = "<script>alert(1)</script>"
    rows = [{**p, "id": i + 1} for i, p in enumerate(people)]
    first, second = str(svg.map_svg(rows)), str(svg.map_svg(rows))
    assert first == second
    assert "<script>" not in first
    ET.fromstring(first)  # noqa: S314 - our own markup: well-formed


def test_labels_are_shortened_not_dropped():
    people, root = render([{**sample_people(1)[0], "name": "Maximiliana Konstantinopolitanska-Andersson"}])
    name = root.find(".//s:text[@class='label-name']", NS).text
    assert name.startswith("Maximiliana") and name.endswith("…") and len(name) <= svg.NAME_MAX
