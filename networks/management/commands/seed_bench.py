"""``python manage.py seed_bench --scale tiny|county|national [--reset]``: benchmark data.

Sizes follow docs/performance.md "Data sizes" for what exists so far. *County*: Jönköpings län
fully populated (13 kommuner, 50 networks, 600 organisations, 2,000 people with their
memberships and stewardship periods, 1,500 directory activities). *National*: the same
density in all 21 län (~22 x). *Tiny*: a handful of rows for the test suite.

Rows are generated from a fixed random seed and written with ``bulk_create`` in batches, in
one transaction. Seeded rows carry markers (e-mail domain ``bench.example.se``, organisation
website ``https://bench.example.se/...``) so that ``--reset`` removes exactly them. The bench
user ``bench@example.se`` coordinates the first län's regional network and takes part in a
few local ones, so logged-in pages have something to show (tests/bench/run_bench.py)."""

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q

from networks.kept import forget_directory, forget_network_pages
from networks.models import (
    Activity,
    Kommun,
    Lan,
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)

User = get_user_model()

BENCH_EMAIL = "bench@example.se"
BENCH_PASSWORD = "bench-portal-losenord-2025"
PEOPLE_DOMAIN = "bench.example.se"
ORG_MARK = f"https://{PEOPLE_DOMAIN}/o/"
BATCH = 1000
SEED = 20250601
FIRST_LAN = "06"  # Jönköpings län: 13 kommuner, the county of docs/performance.md
COUNTY_KOMMUNER = 13

# Totals for one county of 13 kommuner; national scales them by each län's kommuner.
COUNTY = {"networks": 50, "organisations": 600, "people": 2000, "activities": 1500}
SCALES = {
    "tiny": {"lans": [FIRST_LAN], "totals": {"networks": 5, "organisations": 26, "people": 40, "activities": 30}},
    "county": {"lans": [FIRST_LAN], "totals": COUNTY},
    "national": {"lans": None, "totals": COUNTY},  # None: every län
}

FIRST_NAMES = (
    "Anna Eva Maria Karin Sara Emma Lena Kerstin Ida Elin Hanna Johanna Linnea Maja Sofia Ebba "
    "Lars Mikael Johan Erik Per Anders Karl Nils Peter Jonas Oskar Viktor Ahmed Fatima Ali "
    "Amira Hassan Leila Samir Noor Jan Ulla Birgitta Göran"
).split()
LAST_NAMES = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Lindström "
    "Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson "
    "Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Engström Ali Hassan Mohammed"
).split()

K, R, P, S, C, ID, A = (
    Organisation.Kind.KOMMUN,
    Organisation.Kind.REGION,
    Organisation.Kind.POLIS,
    Organisation.Kind.SKOLA,
    Organisation.Kind.KYRKA,
    Organisation.Kind.IDEELL,
    Organisation.Kind.ANNAN,
)
# How often each kind occurs among a kommun's organisations (schools and the kommun's own
# units dominate, as in a real network).
KIND_CYCLE = [K, S, C, ID, K, S, ID, C, K, S, R, ID, P, K, A, S, C, ID, K, S]


def genitive(name):
    return name if name[-1] in "sxz" else name + "s"


ORG_NAMES = {
    K: lambda k, rnd: (f"{genitive(k.name)} kommun", rnd.choice(
        ["Socialtjänsten", "Familjecentralen", "Elevhälsan", "Fritidsförvaltningen",
         "Öppenvården barn och unga", "Förskoleförvaltningen", "Fältgruppen"])),
    R: lambda k, rnd: (f"Region {k.lan.name.removesuffix(' län')}", rnd.choice(
        [f"Vårdcentralen {k.name}", f"Barnavårdscentralen {k.name}", "Barn- och ungdomspsykiatrin",
         f"Barnmorskemottagningen {k.name}", "Ungdomsmottagningen"])),
    P: lambda k, rnd: ("Polisen", f"Lokalpolisområde {k.name}"),
    S: lambda k, rnd: (rnd.choice(
        ["Björkskolan", "Centralskolan", "Ekbackeskolan", "Furuskolan", "Hagaskolan", "Lindskolan",
         "Norrskolan", "Söderskolan", "Västerskolan", "Österskolan", "Ängsskolan", "Kyrkskolan",
         "Gymnasieskolan", "Montessoriskolan", "Förskolan Solrosen", "Förskolan Regnbågen"]), k.name),
    C: lambda k, rnd: (rnd.choice(
        ["Svenska kyrkan", "Svenska kyrkan", "Equmeniakyrkan", "Pingstkyrkan", "Katolska kyrkan",
         "EFS", "Missionskyrkan"]), f"{genitive(k.name)} församling"),
    ID: lambda k, rnd: (rnd.choice(
        ["Hela Människan", "Rädda Barnen", "Röda Korset", "Bris", "Maskrosbarn", "Scouterna",
         "Friluftsfrämjandet", "Fritidsbanken", "Stadsmissionen", "Kvinnojouren", "Läxhjälpen"]),
        k.name),
    A: lambda k, rnd: (rnd.choice(
        ["Studieförbundet Vuxenskolan", "Studieförbundet Bilda", "ABF", "Försäkringskassan",
         "Arbetsförmedlingen", "Bostadsbolaget"]), k.name),
}  # fmt: skip
TITLES = {
    K: ["Socialsekreterare", "Enhetschef", "Familjebehandlare", "Skolkurator", "Fältassistent",
        "Förskollärare", "Fritidsledare", "Samordnare"],
    R: ["Barnsjuksköterska", "Barnmorska", "Psykolog", "Kurator", "Läkare"],
    P: ["Kommunpolis", "Polisinspektör", "Ungdomsutredare"],
    S: ["Rektor", "Lärare", "Skolsköterska", "Specialpedagog", "Kurator"],
    C: ["Diakon", "Präst", "Pastor", "Församlingspedagog", "Ungdomsledare"],
    ID: ["Verksamhetsledare", "Volontär", "Ordförande", "Samordnare"],
    A: ["Handläggare", "Verksamhetsutvecklare", "Studiecirkelledare"],
}  # fmt: skip
AREAS = ["centrum", "norr", "söder", "öster", "väster", "landsbygden", "tätorten"]

CATEGORY_TITLES = {
    Activity.Category.MOTESPLATS: ["Öppen förskola", "Familjecafé", "Mötesplats för familjer",
                                   "Babycafé", "Familjeträff med middag", "Öppet hus"],
    Activity.Category.STODGRUPP: ["Stödgrupp för barn i familjer med missbruk", "Sorgegrupp för barn",
                                  "Samtalsgrupp för barn i separation", "Stödgrupp för unga anhöriga"],
    Activity.Category.SAMTALSSTOD: ["Stödsamtal för barn och unga", "Samtalsstöd för föräldrar",
                                    "Kuratorns öppna mottagning", "Samtal för barn som upplevt våld"],
    Activity.Category.LAXHJALP: ["Läxhjälp", "Läxläsning med fika", "Studiestöd för högstadiet",
                                 "Läxcafé"],
    Activity.Category.EKONOMISKT: ["Matkassar till barnfamiljer", "Klädutdelning", "Julhjälp",
                                   "Låna fritidsutrustning gratis", "Budget- och skuldrådgivning"],
    Activity.Category.FORALDRASTOD: ["Föräldragrupp ABC", "Föräldrastöd i tonåren",
                                     "Vägledande samspel", "Föräldragrupp för nyblivna föräldrar",
                                     "Familjebehandling"],
    Activity.Category.FRITID: ["Fritidsgård", "Lovaktiviteter", "Sommarläger", "Friluftsdagar",
                               "Idrott för alla barn"],
    Activity.Category.ANNAT: ["Föräldravandring", "Språkcafé", "Informationsträff om skolan",
                              "Trygghetsvandring"],
}  # fmt: skip
SENTENCES = [
    "En öppen verksamhet för barn och deras föräldrar.",
    "Här kan familjer träffa andra familjer i samma situation.",
    "Barnfamiljer med små marginaler får stöd utan kostnad.",
    "Ledarna är trygga vuxna som finns till för samtal.",
    "Vi samarbetar med skolan, socialtjänsten och kyrkan.",
    "Verksamheten är gratis och ingen anmälan behövs.",
    "Tolk kan ordnas vid behov.",
    "Föräldrar är välkomna att följa med.",
    "Barnen får leka, skapa och äta tillsammans.",
    "Stödet ges enskilt eller i grupp.",
    "Vi erbjuder läxhjälp i svenska, matematik och engelska.",
    "Ungdomar kan komma själva eller tillsammans med en vuxen.",
    "Vi riktar oss särskilt till nyanlända familjer.",
    "Barn som anhöriga får träffa andra barn med liknande erfarenheter.",
]
WHEN = ["Måndagar 15–17", "Tisdagar och torsdagar 15–17 under terminerna", "Onsdagar 18–20",
        "Fredagar 19–23", "Lördagar 10–13", "Efter överenskommelse", "Under skolloven",
        "Varannan torsdag 17.30–19.30"]  # fmt: skip
REFER = [
    "Ingen anmälan, familjen kommer direkt.",
    "Vårdnadshavare anmäler barnet per telefon.",
    "Hänvisa via socialtjänst, skola eller kyrka; familjen kan också ringa själv.",
    "Ungdomen kan höra av sig själv, anonymt om den vill.",
    "Anmälan via kommunens webbplats.",
]


def spread(total, buckets):
    """``total`` split into ``buckets`` near-equal whole parts (the first ones get the rest)."""
    base, rest = divmod(total, buckets)
    return [base + (1 if i < rest else 0) for i in range(buckets)]


def scaled_totals(scale, kommun_count):
    totals = SCALES[scale]["totals"]
    if scale != "national":
        return dict(totals)
    return {key: max(1, round(value * kommun_count / COUNTY_KOMMUNER)) for key, value in totals.items()}


def bench_lans(scale):
    codes = SCALES[scale]["lans"]
    lans = list(Lan.objects.filter(code__in=codes) if codes else Lan.objects.all())
    lans.sort(key=lambda lan: (lan.code != FIRST_LAN, lan.code))  # the bench user's län first
    return lans


def expected_counts(scale):
    """What a fresh seed at ``scale`` creates: {"networks": n, "organisations": n, ...}."""
    counts = dict.fromkeys(COUNTY, 0)
    for lan in bench_lans(scale):
        for key, value in scaled_totals(scale, lan.kommuner.count()).items():
            counts[key] += value
    return counts


def bench_organisations():
    return Organisation.objects.filter(website__startswith=ORG_MARK)


def bench_users():
    return User.objects.filter(Q(email__endswith="@" + PEOPLE_DOMAIN) | Q(email=BENCH_EMAIL))


def current_counts():
    orgs = bench_organisations()
    network_ids = NetworkOrganisation.objects.filter(organisation__in=orgs).values("network_id")
    return {
        "networks": Network.objects.filter(pk__in=network_ids).count(),
        "organisations": orgs.count(),
        "people": User.objects.filter(email__endswith="@" + PEOPLE_DOMAIN).count(),
        "activities": Activity.objects.filter(organisation__in=orgs).count(),
    }


@transaction.atomic
def reset_bench_data():
    """Delete exactly the seeded rows (markers), children first."""
    orgs = bench_organisations()
    network_ids = list(
        NetworkOrganisation.objects.filter(organisation__in=orgs).values_list("network_id", flat=True).distinct()
    )
    user_ids = list(bench_users().values_list("pk", flat=True))
    for model in (Stewardship, NetworkMembership, NetworkInvitation, NetworkOrganisation):
        model.objects.filter(network_id__in=network_ids).delete()
    Network.objects.filter(pk__in=network_ids, kind=Network.Kind.LOCAL).delete()
    Network.objects.filter(pk__in=network_ids).delete()
    Activity.objects.filter(organisation__in=orgs).delete()
    OrganisationMembership.objects.filter(organisation__website__startswith=ORG_MARK).delete()
    OrganisationMembership.objects.filter(user__in=bench_users()).delete()
    orgs.delete()
    for start in range(0, len(user_ids), 5000):
        User.objects.filter(pk__in=user_ids[start : start + 5000]).delete()


class Seeder:
    def __init__(self, scale, stdout=None):
        self.scale = scale
        self.rnd = random.Random(SEED)  # noqa: S311 (repeatable test data, not secrets)
        self.stdout = stdout
        self.person_seq = 0
        self.org_seq = 0
        self.started = time.monotonic()

    def log(self, message):
        if self.stdout is not None:
            self.stdout.write(message)

    @transaction.atomic
    def run(self):
        lans = bench_lans(self.scale)
        if not lans:
            raise CommandError("Inga län finns; kör migrate först.")
        bench_user = self.create_bench_user()
        for index, lan in enumerate(lans):
            self.seed_lan(lan, bench_user if index == 0 else None)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.log(f"  ANALYZE klar ({time.monotonic() - self.started:.1f} s)")

    def create_bench_user(self):
        user = User(email=BENCH_EMAIL, first_name="Bänk", last_name="Provare")
        user.set_password(BENCH_PASSWORD)
        user.save()
        return user

    def seed_lan(self, lan, bench_user):
        rnd = self.rnd
        kommuner = list(Kommun.objects.filter(lan=lan).select_related("lan").order_by("code"))
        totals = scaled_totals(self.scale, len(kommuner))

        # Organisations, spread over the kommuner.
        orgs = []
        seen = set(Organisation.objects.filter(lan=lan).values_list("name", "unit"))  # e.g. demo data
        for kommun, n in zip(kommuner, spread(totals["organisations"], len(kommuner)), strict=True):
            for i in range(n):
                kind = KIND_CYCLE[i % len(KIND_CYCLE)]
                name, unit = ORG_NAMES[kind](kommun, rnd)
                base, suffix = unit, 2
                while (name, unit) in seen:
                    unit, suffix = f"{base} {suffix}", suffix + 1
                seen.add((name, unit))
                self.org_seq += 1
                orgs.append(
                    Organisation(
                        name=name, unit=unit, kind=kind, kommun=kommun, lan=lan,
                        website=f"{ORG_MARK}{self.org_seq}",
                    )
                )  # fmt: skip
        orgs = Organisation.objects.bulk_create(orgs, batch_size=BATCH)
        orgs_by_kommun = {}
        for org in orgs:
            orgs_by_kommun.setdefault(org.kommun_id, []).append(org)

        # Networks: one regional, the rest local, spread over the kommuner.
        regional = Network.objects.create(
            name=f"Barnstödsnätverket i {lan.name}", kind=Network.Kind.REGIONAL, lan=lan,
            purpose=f"Länets samverkan för barn och familjer i {lan.name}.",
        )  # fmt: skip
        local = []
        for kommun, n in zip(kommuner, spread(totals["networks"] - 1, len(kommuner)), strict=True):
            for i in range(n):
                suffix = f" – {AREAS[(i - 1) % len(AREAS)]}" if i else ""
                local.append(
                    Network(
                        name=f"Barnstödsnätverket i {kommun.name}{suffix}",
                        kind=Network.Kind.LOCAL, lan=lan, kommun=kommun, parent=regional,
                        purpose=(
                            f"Vi som möter barn och familjer i {kommun.name} träffas varje termin, "
                            "lär känna varandras verksamheter och vet vart vi kan hänvisa en familj."
                        ),
                    )
                )  # fmt: skip
        local = Network.objects.bulk_create(local, batch_size=BATCH)
        local_by_kommun = {}
        for network in local:
            local_by_kommun.setdefault(network.kommun_id, []).append(network)

        # People, each working for one organisation (some for two), spread over them.
        people, primary = [], []
        for i in range(totals["people"]):
            self.person_seq += 1
            org = orgs[i % len(orgs)]
            first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
            people.append(
                User(
                    email=f"p{self.person_seq}@{PEOPLE_DOMAIN}", first_name=first, last_name=last,
                    phone=f"070-{self.person_seq:07d}", password=make_password(None),
                )
            )  # fmt: skip
            primary.append(org)
        people = User.objects.bulk_create(people, batch_size=BATCH)
        org_memberships = [
            OrganisationMembership(user=user, organisation=org, title=rnd.choice(TITLES[org.kind]))
            for user, org in zip(people, primary, strict=True)
        ]
        for i in range(0, len(people), 10):  # every tenth person has a second assignment
            second = orgs[(i * 7 + 3) % len(orgs)]
            if second is not primary[i]:
                org_memberships.append(
                    OrganisationMembership(user=people[i], organisation=second, title=rnd.choice(TITLES[second.kind]))
                )
        if bench_user is not None:
            org_memberships.append(OrganisationMembership(user=bench_user, organisation=orgs[0], title="Samordnare"))
        OrganisationMembership.objects.bulk_create(org_memberships, batch_size=BATCH)

        # Memberships: each person in a local network of their kommun (or the regional one
        # where the kommun has none); every twelfth person also in the regional network.
        memberships = []
        per_network = {}
        for i, (user, org) in enumerate(zip(people, primary, strict=True)):
            choices = local_by_kommun.get(org.kommun_id) or [regional]
            targets = [choices[i % len(choices)]]
            if i % 12 == 0 and targets[0] is not regional:
                targets.append(regional)
            for network in targets:
                members = per_network.setdefault(network.pk, [])
                role = NetworkMembership.Role.COORDINATOR if len(members) < 2 else NetworkMembership.Role.PARTICIPANT
                members.append((user, org))
                memberships.append(NetworkMembership(network=network, user=user, organisation=org, role=role))
        if bench_user is not None:
            bench_org = orgs[0]
            memberships.append(
                NetworkMembership(
                    network=regional, user=bench_user, organisation=bench_org,
                    role=NetworkMembership.Role.COORDINATOR,
                )
            )  # fmt: skip
            per_network.setdefault(regional.pk, []).append((bench_user, bench_org))
            for network in local[:3]:
                memberships.append(NetworkMembership(network=network, user=bench_user, organisation=bench_org))
                per_network.setdefault(network.pk, []).append((bench_user, bench_org))
        NetworkMembership.objects.bulk_create(memberships, batch_size=BATCH)

        # Member organisations: those the members represent, plus a few more of the kommun.
        links = {}
        for network in [regional, *local]:
            for _user, org in per_network.get(network.pk, []):
                links[(network.pk, org.pk)] = NetworkOrganisation(
                    network=network, organisation=org, joined_on=dt.date(2022, 1, 1)
                )
            for org in (orgs_by_kommun.get(network.kommun_id) or [])[:3]:
                links.setdefault(
                    (network.pk, org.pk),
                    NetworkOrganisation(network=network, organisation=org, joined_on=dt.date(2023, 1, 1)),
                )
        NetworkOrganisation.objects.bulk_create(links.values(), batch_size=BATCH)

        # Stewardship: a finished period and the current one, both with member contacts.
        periods = []
        for network in [regional, *local]:
            members = per_network.get(network.pk)
            if not members:
                continue
            (first_user, first_org), (second_user, second_org) = members[0], members[min(1, len(members) - 1)]
            periods.append(
                Stewardship(
                    network=network, organisation=second_org, contact_person=second_user,
                    starts_on=dt.date(2021, 8, 16), ends_on=dt.date(2023, 8, 13),
                )
            )  # fmt: skip
            periods.append(
                Stewardship(network=network, organisation=first_org, contact_person=first_user, starts_on=dt.date(2023, 8, 14))
            )
        Stewardship.objects.bulk_create(periods, batch_size=BATCH)

        # Directory activities of the organisations.
        categories = list(CATEGORY_TITLES)
        author = {}
        for user, org in zip(people, primary, strict=True):
            author.setdefault(org.pk, user)
        activities = []
        for i in range(totals["activities"]):
            org = orgs[rnd.randrange(len(orgs))]
            category = categories[i % len(categories)]
            age_from = rnd.choice([None, 0, 3, 6, 10, 13])
            age_to = None if age_from is None else age_from + rnd.choice([3, 6, 9])
            description = " ".join(rnd.sample(SENTENCES, 3))
            activities.append(
                Activity(
                    organisation=org,
                    title=f"{rnd.choice(CATEGORY_TITLES[category])} i {org.kommun.name}",
                    description=description,
                    category=category,
                    age_from=age_from,
                    age_to=age_to,
                    kommun=org.kommun,
                    when=rnd.choice(WHEN),
                    where=f"{org}, {org.kommun.name}",
                    contact=f"{org.name}, 070-{rnd.randrange(10**7):07d}",
                    how_to_refer=rnd.choice(REFER),
                    created_by=author.get(org.pk, people[0]),
                )
            )
        Activity.objects.bulk_create(activities, batch_size=BATCH)
        self.log(
            f"  {lan.name}: {len(kommuner)} kommuner, {1 + len(local)} nätverk, {len(orgs)} organisationer, "
            f"{len(people)} personer, {len(memberships)} medlemskap, {len(activities)} verksamheter "
            f"({time.monotonic() - self.started:.1f} s)"
        )


class Command(BaseCommand):
    help = "Skapar testdata för prestandamätning (tests/bench/), i län- eller riksskala."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="county")
        parser.add_argument("--reset", action="store_true", help="Ta bort tidigare testdata först.")

    def handle(self, *args, scale, reset, **options):
        started = time.monotonic()
        expected = expected_counts(scale)
        if bench_users().exists() or bench_organisations().exists():
            current = current_counts()
            if current == expected and not reset:
                self.stdout.write(f"Testdata för {scale} finns redan ({current}); inget ändrat.")
                return
            if not reset:
                raise CommandError(
                    f"Det finns testdata av en annan storlek ({current}); kör med --reset för att ersätta den."
                )
        if reset:
            self.stdout.write("Tar bort tidigare testdata …")
            reset_bench_data()
        self.stdout.write(f"Skapar testdata ({scale}) …")
        Seeder(scale, stdout=self.stdout).run()
        # Bulk inserts: the kept pages that may show them are forgotten (networks/kept.py).
        forget_network_pages(*Network.objects.values_list("pk", flat=True))
        forget_directory()
        self.stdout.write(
            self.style.SUCCESS(
                f"Klart på {time.monotonic() - started:.1f} s: {current_counts()}. "
                f"Inloggning: {BENCH_EMAIL} / {BENCH_PASSWORD}"
            )
        )
