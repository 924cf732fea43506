"""What meetings adds to the networks pages (networks/contrib.py), registered when the app is
ready: the network page's meetings section, and the regional overview's last and next meeting
of each local network. networks never imports meetings; this is how its pages show them."""

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from networks.contrib import register_network_section, register_overview_columns

from .selectors import last_and_next_meetings, network_meetings


def network_meetings_section(request, network, is_coordinator):
    """The network's meetings by term and whether this term still lacks one (one query)."""
    return render_to_string(
        "meetings/_network_meetings.html",
        {"network": network, "is_coordinator": is_coordinator, "meetings": network_meetings(network)},
        request,
    )


def _meeting_cell(meeting, none_text, none_class):
    if meeting is None:
        return format_html('<span class="{}">{}</span>', none_class, none_text)
    return format_html(
        '{}<div class="small text-body-secondary">{}</div>',
        date_format(meeting.local_start, "j M Y"),
        meeting.title,
    )


def overview_meeting_cells(networks):
    """Each local network's last held and next planned meeting (two queries for all)."""
    found = last_and_next_meetings([n.pk for n in networks])
    nothing_yet, nothing_planned = _("Inget än"), _("Inget planerat")
    return {
        pk: [
            _meeting_cell(last, nothing_yet, "text-body-secondary"),
            _meeting_cell(nxt, nothing_planned, "badge text-bg-light border"),
        ]
        for pk, (last, nxt) in found.items()
    }


register_network_section("meetings", network_meetings_section, order=10)
register_overview_columns(
    "meetings", (gettext_lazy("Senaste möte"), gettext_lazy("Nästa möte")), overview_meeting_cells
)
