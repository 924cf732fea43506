"""Network-map objects for a plan, shared by tests/networkmap and the plan-wide access table
(tests/childplans/test_access.py), so every network-map URL has an object to point at."""

from datetime import timedelta

from django.utils import timezone

from childplans.networkmap import services
from childplans.networkmap.models import Closeness, MapVersion, NetworkMeeting, Quality, Sector

MAP_PERSON_NAME = "Majvor Mormorsdotter"
MAP_PERSON_PHONE = "070-987 65 43"
# Child data of the map that must never leave the plan's pages.
MAP_SECRETS = [MAP_PERSON_NAME, MAP_PERSON_PHONE]


def add_network_map(plan, by):
    """A person who can step in, a second person, a version and a network meeting."""
    grandma = services.person_add(
        plan=plan, by=by, name=MAP_PERSON_NAME, relation="mormor", sector=Sector.RELATIVES,
        closeness=Closeness.CLOSEST, quality=Quality.POSITIVE, can_step_in=True, support_practical=True,
        phone=MAP_PERSON_PHONE, named_by_child=True,
    )
    coach = services.person_add(
        plan=plan, by=by, name="Tore Tränarsson", relation="fotbollstränare", sector=Sector.LEISURE,
        closeness=Closeness.CLOSE, quality=Quality.MIXED,
    )
    version = services.version_save(plan=plan, by=by, phase=MapVersion.Phase.FIRST_CONTACT,
                                     child_took_part=MapVersion.ChildTookPart.YES, child_part_how="Ritade själv")
    meeting = services.meeting_record(
        plan=plan, by=by, held_on=timezone.localdate() - timedelta(days=1),
        kind=NetworkMeeting.Kind.NETWORK_MEETING, participants=[grandma, coach], agreements="Mormor hämtar på fredagar.",
    )
    return {"map_person": grandma, "map_person_2": coach, "map_version": version, "map_meeting": meeting}


def sample_people(n, *, seed=7):
    """``n`` people as MapPerson field dicts, spread deterministically over sectors and circles,
    with names of varying length (as the layout must cope with)."""
    names = ["Anna", "Bo Ek", "Carl-Johan Lindqvist", "Dalia", "Eva-Britt Ström", "Fredrik Al-Hassan",
             "Gun", "Hanna Ödmark", "Ibrahim", "Johanna Kristina Berglund"]
    relations = ["mamma", "pappa", "mormor", "granne", "fotbollstränare", "lärare", "kurator", "moster"]
    sectors = list(Sector.values)
    people = []
    for i in range(n):
        k = (i * seed) % 97
        people.append({
            "name": f"{names[k % len(names)]} {i}",
            "relation": relations[(k // 3) % len(relations)],
            "sector": sectors[(i * 3 + k) % len(sectors)],
            "closeness": 1 + (k % 3),
            "quality": list(Quality.values)[i % 3],
            "can_step_in": i % 4 == 0,
            "phone": f"070-{i:03d} 00 00" if i % 4 == 0 else "",
        })
    return people


