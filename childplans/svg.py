"""The wellbeing wheel as a server-rendered SVG (no script, no inline style: presentation
attributes only, so the strict CSP holds). The page puts a text table beside it for screen
readers; the picture itself is labelled with a title and a short description."""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import Area, Need

FILL = {Need.NONE: "#2e7d32", Need.SOME: "#f9a825", Need.GREAT: "#c62828", None: "#d9d9d9"}
MARK = {Need.NONE: "0", Need.SOME: "1", Need.GREAT: "2", None: "–"}
TEXT_FILL = {Need.NONE: "#ffffff", Need.SOME: "#000000", Need.GREAT: "#ffffff", None: "#000000"}
SIZE = 320
CENTRE = SIZE / 2
OUTER = 150
INNER = 45


def _point(radius, angle):
    return CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle)


def _sector_path(index, count):
    start = -math.pi / 2 + 2 * math.pi * index / count
    end = start + 2 * math.pi / count
    x1, y1 = _point(OUTER, start)
    x2, y2 = _point(OUTER, end)
    x3, y3 = _point(INNER, end)
    x4, y4 = _point(INNER, start)
    return (
        f"M {x1:.1f} {y1:.1f} A {OUTER} {OUTER} 0 0 1 {x2:.1f} {y2:.1f} "
        f"L {x3:.1f} {y3:.1f} A {INNER} {INNER} 0 0 0 {x4:.1f} {y4:.1f} Z"
    )


def wheel_svg(areas, *, title_id="wheel-title"):
    """``areas``: {area: {"need": ...}} (an assessment's ``areas``) or None."""
    areas = areas or {}
    count = len(Area.values)
    sectors = []
    for index, (code, label) in enumerate(Area.choices):
        need = (areas.get(code) or {}).get("need")
        need = need if need in Need.values else None
        middle = -math.pi / 2 + 2 * math.pi * (index + 0.5) / count
        lx, ly = _point((OUTER + INNER) / 2, middle)
        sectors.append(
            (
                _sector_path(index, count),
                FILL[need],
                f"{lx:.1f}",
                f"{ly - 6:.1f}",
                f"{ly + 10:.1f}",
                TEXT_FILL[need],
                str(label),
                MARK[need],
            )
        )
    body = format_html_join(
        "",
        '<g><path d="{0}" fill="{1}" stroke="#ffffff" stroke-width="2"></path>'
        '<text x="{2}" y="{3}" text-anchor="middle" font-size="11" fill="{5}">{6}</text>'
        '<text x="{2}" y="{4}" text-anchor="middle" font-size="13" font-weight="bold" fill="{5}">{7}</text></g>',
        sectors,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {0}" width="{0}" height="{0}" '
        'role="img" aria-labelledby="{1}" class="wellbeing-wheel">'
        '<title id="{1}">{2}</title>{3}'
        '<circle cx="{4}" cy="{4}" r="{5}" fill="#ffffff" stroke="#666666"></circle>'
        '<text x="{4}" y="{6}" text-anchor="middle" font-size="12">{7}</text>'
        "</svg>",
        SIZE,
        title_id,
        _("Välbefinnandehjulet: behov per område, 0 = inget, 1 = visst, 2 = stort behov. "
          "Samma uppgifter finns i tabellen."),
        body,
        f"{CENTRE:.0f}",
        INNER - 4,
        f"{CENTRE + 4:.0f}",
        _("Barnet"),
    )


def wheel_svg_safe(areas, **kwargs):
    return mark_safe(wheel_svg(areas, **kwargs))  # noqa: S308 - built with format_html above
