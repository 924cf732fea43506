#!/usr/bin/env python
"""Benchmark: the time to lay out and render a 40-person network map (issue 5).

    .venv/bin/python tests/bench/bench_networkmap.py [--people 40] [--runs 50]

Renders the eco-map SVG (childplans/networkmap/svg.py ``map_svg``: layout with label-collision
search, then the markup) for the same deterministic people as the rendering tests
(tests/childplans/networkmap/helpers.py ``sample_people``), ``--runs`` times, and
prints the median, p90 and max in milliseconds, for a spread map and for the hardest case
(everyone in one sector and circle). No database and no network: pure CPU in this process."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from childplans.networkmap.svg import map_svg
    from tests.childplans.networkmap.helpers import sample_people

    spread = [{**p, "id": i + 1} for i, p in enumerate(sample_people(args.people))]
    crowded = [{**p, "sector": "familj", "closeness": 1} for p in spread]
    print(f"network map render, {args.people} people, {args.runs} runs (median / p90 / max, ms)")
    for label, people in (("spread over sectors and circles", spread), ("all in one sector and circle", crowded)):
        map_svg(people)  # warm
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            markup = str(map_svg(people))
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(f"  {label:34s} {statistics.median(times):7.2f} / {p90:7.2f} / {times[-1]:7.2f}"
              f"   ({len(markup) // 1024} KiB of SVG)")


if __name__ == "__main__":
    main()
