"""What the referrals add to the networks pages (networks/contrib.py), registered when the app
is ready. networks never imports childplans; this is how its pages show the flow. No child data:
counts only, groups under five suppressed.

- the network page: for its coordinators, the way to the flow of tips and referrals to the
  network's member organisations (no query);
- the regional overview: which kinds of organisation families in the län are tipped about and
  referred to this term (two aggregate queries)."""

from django.template.loader import render_to_string

from networks.contrib import register_network_section, register_overview_section
from networks.terms import current_term, term_label

from .selectors import SUPPRESS_BELOW, kinds_in_lan


def network_flow_section(request, network, is_coordinator):
    if not is_coordinator:
        return ""
    return render_to_string("referrals/_network_flow_link.html", {"network": network}, request)


def overview_kinds_section(request, network):
    term, year = current_term()
    return render_to_string(
        "referrals/_overview_kinds.html",
        {"network": network, "kinds": kinds_in_lan(network.lan_id, term, year), "term_label": term_label(term, year),
         "suppress_below": SUPPRESS_BELOW},
        request,
    )


register_network_section("referrals", network_flow_section, order=20)
register_overview_section("referral_kinds", overview_kinds_section)
