"""Places on the networks pages where an app above networks adds what it knows.

``networks`` sits below ``meetings`` and ``childplans`` and never imports them
(docs/architecture.md). Where one of its pages shows something of theirs - the network page's
meetings, the regional overview's last and next meeting of each local network, the kinds of
organisation families are referred to in the län (a section below the overview's table) - the
app above
registers a provider here from its ``AppConfig.ready()``, and the networks view asks the
registry. Grep for ``register_`` to find every contribution."""

from collections.abc import Callable
from dataclasses import dataclass

_network_sections = []
_overview_columns = []
_overview_sections = []


@dataclass(frozen=True)
class NetworkSection:
    """A section of the network page. ``render(request, network, is_coordinator)`` returns its
    HTML (it may read the database: a fixed number of queries, whatever the data)."""

    name: str
    render: Callable
    order: int = 0


@dataclass(frozen=True)
class OverviewColumns:
    """Columns of the regional overview's table. ``headings`` are their labels;
    ``cells(networks)`` returns ``{network.pk: [cell HTML, ...]}`` for all the table's local
    networks at once (a fixed number of queries)."""

    name: str
    headings: tuple
    cells: Callable


@dataclass(frozen=True)
class OverviewSection:
    """A section of the regional overview below its table. ``render(request, network)`` returns
    its HTML for the regional ``network`` (a fixed number of queries, whatever the data)."""

    name: str
    render: Callable
    order: int = 0


def register_network_section(name, render, *, order=0):
    _network_sections[:] = [s for s in _network_sections if s.name != name]
    _network_sections.append(NetworkSection(name, render, order))
    _network_sections.sort(key=lambda s: s.order)


def register_overview_columns(name, headings, cells):
    _overview_columns[:] = [c for c in _overview_columns if c.name != name]
    _overview_columns.append(OverviewColumns(name, tuple(headings), cells))


def register_overview_section(name, render, *, order=0):
    _overview_sections[:] = [s for s in _overview_sections if s.name != name]
    _overview_sections.append(OverviewSection(name, render, order))
    _overview_sections.sort(key=lambda s: s.order)


def overview_sections(request, network):
    """The HTML of every contributed section of the regional overview, in order."""
    return [section.render(request, network) for section in _overview_sections]


def network_sections(request, network, is_coordinator):
    """The HTML of every contributed section of the network page, in order."""
    return [section.render(request, network, is_coordinator) for section in _network_sections]


def overview_columns(networks):
    """(headings, {network.pk: [cells]}) of every contributed overview column."""
    headings, cells = [], {n.pk: [] for n in networks}
    for columns in _overview_columns:
        headings.extend(columns.headings)
        contributed = columns.cells(networks)
        for n in networks:
            cells[n.pk].extend(contributed.get(n.pk) or [""] * len(columns.headings))
    return headings, cells
