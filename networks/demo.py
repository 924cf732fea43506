"""Demo data for the embedded default (``python manage.py load_demo``).

The seeds' regions: Jönköpings län, Kronobergs län and Dalsland (five kommuner in Västra
Götalands län), with realistic organisations of every kind, networks with their members,
coordinators and stewardship history, and a directory of activities. Everything is fixed
data (no randomness) and found again by natural keys, so loading twice changes nothing.

Phone numbers are from the series PTS reserves for fiction (070-174 06 05 – 99) and e-mail
addresses use exempel.se, so nothing here reaches a real person."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from .geography import load_geography
from .kept import forget_directory, forget_network_pages
from .models import (
    Activity,
    ActivityTipCount,
    Kommun,
    Lan,
    Network,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    ReferralReceiver,
)
from .services import network_create, stewardship_handover
from .terms import current_term, previous_term

User = get_user_model()

# One password for every demo log-in: long, not on the common-password list.
DEMO_PASSWORD = "barnens-basta-demo-2025"

JKP, KRON, VG = "06", "07", "14"
DEMO_LAN_CODES = [JKP, KRON, VG]
DEMO_KOMMUNER = [
    "Jönköping", "Värnamo", "Nässjö",
    "Växjö", "Ljungby", "Alvesta",
    "Bengtsfors", "Dals-Ed", "Färgelanda", "Mellerud", "Åmål",
]  # fmt: skip

K, R, P, S, C, ID, A = (
    Organisation.Kind.KOMMUN,
    Organisation.Kind.REGION,
    Organisation.Kind.POLIS,
    Organisation.Kind.SKOLA,
    Organisation.Kind.KYRKA,
    Organisation.Kind.IDEELL,
    Organisation.Kind.ANNAN,
)

# key: (name, unit, kind, kommun or None, län code, website)
ORGANISATIONS = {
    # --- Jönköpings län -------------------------------------------------------
    "jkp_soc": ("Jönköpings kommun", "Socialtjänsten, individ- och familjeomsorgen", K, "Jönköping", JKP, "https://www.jonkoping.se"),
    "jkp_famc": ("Jönköpings kommun", "Familjecentralen Råslätt", K, "Jönköping", JKP, "https://www.jonkoping.se"),
    "jkp_elev": ("Jönköpings kommun", "Elevhälsan, utbildningsförvaltningen", K, "Jönköping", JKP, "https://www.jonkoping.se"),
    "rjl": ("Region Jönköpings län", "Hälso- och sjukvård, barn- och ungdomshälsan", R, None, JKP, "https://www.rjl.se"),
    "polis_jkp": ("Polisen", "Lokalpolisområde Jönköping", P, "Jönköping", JKP, "https://polisen.se"),
    "raslatt_skola": ("Råslättsskolan", "", S, "Jönköping", JKP, ""),
    "sk_sofia": ("Svenska kyrkan", "Sofia-Järstorps församling", C, "Jönköping", JKP, "https://www.svenskakyrkan.se"),
    "pingst_jkp": ("Pingstkyrkan Jönköping", "", C, "Jönköping", JKP, ""),
    "rb_jkp": ("Rädda Barnen", "Jönköpings lokalförening", ID, "Jönköping", JKP, "https://www.raddabarnen.se"),
    "maskros": ("Maskrosbarn", "", ID, None, JKP, "https://www.maskrosbarn.org"),
    "varn_soc": ("Värnamo kommun", "Socialtjänsten", K, "Värnamo", JKP, "https://www.varnamo.se"),
    "varn_famc": ("Värnamo kommun", "Familjecentralen", K, "Värnamo", JKP, "https://www.varnamo.se"),
    "polis_varn": ("Polisen", "Lokalpolisområde Värnamo", P, "Värnamo", JKP, "https://polisen.se"),
    "sk_varn": ("Svenska kyrkan", "Värnamo församling", C, "Värnamo", JKP, "https://www.svenskakyrkan.se"),
    "hm_varn": ("Hela Människan", "Värnamo", ID, "Värnamo", JKP, "https://www.helamanniskan.se"),
    "grondal_skola": ("Gröndalsskolan", "", S, "Värnamo", JKP, ""),
    "nas_soc": ("Nässjö kommun", "Socialtjänsten", K, "Nässjö", JKP, "https://www.nassjo.se"),
    "nas_elev": ("Nässjö kommun", "Elevhälsan", K, "Nässjö", JKP, "https://www.nassjo.se"),
    "polis_hogl": ("Polisen", "Lokalpolisområde Höglandet", P, "Nässjö", JKP, "https://polisen.se"),
    "sk_nas": ("Svenska kyrkan", "Nässjö församling", C, "Nässjö", JKP, "https://www.svenskakyrkan.se"),
    "equm_nas": ("Equmeniakyrkan Nässjö", "", C, "Nässjö", JKP, ""),
    "rk_nas": ("Röda Korset", "Nässjökretsen", ID, "Nässjö", JKP, "https://www.rodakorset.se"),
    # --- Kronobergs län -------------------------------------------------------
    "vxo_soc": ("Växjö kommun", "Socialtjänsten, barn och familj", K, "Växjö", KRON, "https://vaxjo.se"),
    "vxo_famc": ("Växjö kommun", "Familjecentralen Araby", K, "Växjö", KRON, "https://vaxjo.se"),
    "vxo_elev": ("Växjö kommun", "Elevhälsan", K, "Växjö", KRON, "https://vaxjo.se"),
    "vxo_fritid": ("Växjö kommun", "Kultur- och fritidsförvaltningen", K, "Växjö", KRON, "https://vaxjo.se"),
    "rkron_bup": ("Region Kronoberg", "Hälso- och sjukvård, barn- och ungdomspsykiatrin", R, None, KRON, "https://www.regionkronoberg.se"),
    "rkron_bhv": ("Region Kronoberg", "Hälso- och sjukvård, barnhälsovården", R, None, KRON, "https://www.regionkronoberg.se"),
    "polis_vxo": ("Polisen", "Lokalpolisområde Växjö", P, "Växjö", KRON, "https://polisen.se"),
    "polis_ljb": ("Polisen", "Lokalpolisområde Ljungby", P, "Ljungby", KRON, "https://polisen.se"),
    "katedral": ("Katedralskolan", "", S, "Växjö", KRON, ""),
    "sk_vxo": ("Svenska kyrkan", "Växjö domkyrkoförsamling", C, "Växjö", KRON, "https://www.svenskakyrkan.se"),
    "hm_vxo": ("Hela Människan", "Växjö", ID, "Växjö", KRON, "https://www.helamanniskan.se"),
    "rb_vxo": ("Rädda Barnen", "Växjö lokalförening", ID, "Växjö", KRON, "https://www.raddabarnen.se"),
    "bris_syd": ("Bris", "Region Syd", ID, None, KRON, "https://www.bris.se"),
    "sv_kron": ("Studieförbundet Vuxenskolan", "Kronoberg", A, None, KRON, "https://www.sv.se"),
    "ljb_soc": ("Ljungby kommun", "Socialtjänsten", K, "Ljungby", KRON, "https://www.ljungby.se"),
    "ljb_famc": ("Ljungby kommun", "Familjecentralen", K, "Ljungby", KRON, "https://www.ljungby.se"),
    "kungshog": ("Kungshögsskolan", "", S, "Ljungby", KRON, ""),
    "sk_ljb": ("Svenska kyrkan", "Ljungby församling", C, "Ljungby", KRON, "https://www.svenskakyrkan.se"),
    "rk_ljb": ("Röda Korset", "Ljungbykretsen", ID, "Ljungby", KRON, "https://www.rodakorset.se"),
    "alv_soc": ("Alvesta kommun", "Socialtjänsten", K, "Alvesta", KRON, "https://www.alvesta.se"),
    "alv_famc": ("Alvesta kommun", "Familjecentralen", K, "Alvesta", KRON, "https://www.alvesta.se"),
    "prastang": ("Prästängsskolan", "", S, "Alvesta", KRON, ""),
    "sk_alv": ("Svenska kyrkan", "Alvesta församling", C, "Alvesta", KRON, "https://www.svenskakyrkan.se"),
    # --- Dalsland (Västra Götalands län) --------------------------------------
    "vgr": ("Västra Götalandsregionen", "Hälso- och sjukvård, Närhälsan Dalsland", R, None, VG, "https://www.vgregion.se"),
    "polis_dal": ("Polisen", "Lokalpolisområde Dalsland", P, "Åmål", VG, "https://polisen.se"),
    "bris_vast": ("Bris", "Region Väst", ID, None, VG, "https://www.bris.se"),
    "bilda_dal": ("Studieförbundet Bilda", "Dalsland", A, "Bengtsfors", VG, "https://www.bilda.nu"),
    "hm_dal": ("Hela Människan", "Dalsland", ID, "Åmål", VG, "https://www.helamanniskan.se"),
    "ben_soc": ("Bengtsfors kommun", "Socialtjänsten", K, "Bengtsfors", VG, "https://www.bengtsfors.se"),
    "sk_ben": ("Svenska kyrkan", "Bengtsfors församling", C, "Bengtsfors", VG, "https://www.svenskakyrkan.se"),
    "ded_soc": ("Dals-Eds kommun", "Socialtjänsten", K, "Dals-Ed", VG, "https://www.dalsed.se"),
    "sk_ded": ("Svenska kyrkan", "Dals-Eds församling", C, "Dals-Ed", VG, "https://www.svenskakyrkan.se"),
    "fla_soc": ("Färgelanda kommun", "Socialtjänsten", K, "Färgelanda", VG, "https://www.fargelanda.se"),
    "sk_fla": ("Svenska kyrkan", "Färgelanda församling", C, "Färgelanda", VG, "https://www.svenskakyrkan.se"),
    "mel_soc": ("Melleruds kommun", "Socialtjänsten", K, "Mellerud", VG, "https://www.mellerud.se"),
    "mel_famc": ("Melleruds kommun", "Familjecentralen", K, "Mellerud", VG, "https://www.mellerud.se"),
    "rada_skola": ("Rådaskolan", "", S, "Mellerud", VG, ""),
    "sk_mel": ("Svenska kyrkan", "Melleruds församling", C, "Mellerud", VG, "https://www.svenskakyrkan.se"),
    "aml_soc": ("Åmåls kommun", "Socialtjänsten", K, "Åmål", VG, "https://www.amal.se"),
    "aml_elev": ("Åmåls kommun", "Elevhälsan", K, "Åmål", VG, "https://www.amal.se"),
    "sk_aml": ("Svenska kyrkan", "Åmåls församling", C, "Åmål", VG, "https://www.svenskakyrkan.se"),
}  # fmt: skip


def _phone(n):
    return f"070-174 06 {n:02d}"


# key: (first name, last name, e-mail, phone number suffix, [(organisation key, title)])
PEOPLE = {
    # The demo log-ins (see LOGINS).
    "admin": ("Astrid", "Lund", "admin@exempel.se", 5, []),
    "karin": ("Karin", "Samuelsson", "samordnare.kronoberg@exempel.se", 6,
              [("rkron_bhv", "Regional samordnare, Barnens bästa gäller")]),
    "lina": ("Lina", "Berg", "samordnare.vaxjo@exempel.se", 7,
             [("vxo_famc", "Familjepedagog och nätverkssamordnare")]),
    "erik": ("Erik", "Nilsson", "socialtjanst.vaxjo@exempel.se", 8,
             [("vxo_soc", "Socialsekreterare, barn och familj")]),
    "maria": ("Maria", "Holm", "kyrkan.vaxjo@exempel.se", 9, [("sk_vxo", "Diakon")]),
    "johan": ("Johan", "Ek", "polisen.vaxjo@exempel.se", 10,
              [("polis_vxo", "Kommunpolis"), ("polis_ljb", "Kommunpolis (vikarie)")]),
    # Kronoberg
    "sofia": ("Sofia", "Lindgren", "sofia.lindgren@exempel.se", 11, [("vxo_elev", "Skolkurator")]),
    "ahmed": ("Ahmed", "Hassan", "ahmed.hassan@exempel.se", 12, [("hm_vxo", "Verksamhetsledare")]),
    "eva": ("Eva", "Johansson", "eva.johansson@exempel.se", 13,
            [("rkron_bup", "Enhetschef, BUP Växjö")]),
    "anders": ("Anders", "Petersson", "anders.petersson@exempel.se", 14, [("katedral", "Kurator")]),
    "fatima": ("Fatima", "Ali", "fatima.ali@exempel.se", 15, [("rb_vxo", "Ordförande")]),
    "nils": ("Nils", "Karlsson", "nils.karlsson@exempel.se", 16,
             [("vxo_fritid", "Fritidsledare, Araby fritidsgård")]),
    "helena": ("Helena", "Bengtsson", "helena.bengtsson@exempel.se", 17,
               [("bris_syd", "Regionchef")]),
    "per": ("Per", "Axelsson", "per.axelsson@exempel.se", 18,
            [("sv_kron", "Verksamhetsutvecklare")]),
    "ulrika": ("Ulrika", "Svensson", "ulrika.svensson@exempel.se", 19,
               [("ljb_soc", "Enhetschef, barn och familj")]),
    "mattias": ("Mattias", "Gustafsson", "mattias.gustafsson@exempel.se", 20,
                [("sk_ljb", "Församlingspedagog")]),
    "jenny": ("Jenny", "Olsson", "jenny.olsson@exempel.se", 21,
              [("ljb_famc", "Förskollärare, öppna förskolan")]),
    "goran": ("Göran", "Lindström", "goran.lindstrom@exempel.se", 22, [("rk_ljb", "Kretsordförande")]),
    "lena": ("Lena", "Magnusson", "lena.magnusson@exempel.se", 23, [("kungshog", "Rektor")]),
    "sara": ("Sara", "Nyberg", "sara.nyberg@exempel.se", 24,
             [("alv_famc", "Samordnare, familjecentralen")]),
    "oskar": ("Oskar", "Åberg", "oskar.aberg@exempel.se", 25, [("alv_soc", "Socialsekreterare")]),
    "birgitta": ("Birgitta", "Persson", "birgitta.persson@exempel.se", 26, [("sk_alv", "Diakon")]),
    "amanda": ("Amanda", "Wallin", "amanda.wallin@exempel.se", 27, [("prastang", "Skolsköterska")]),
    # Jönköpings län
    "malin": ("Malin", "Ström", "malin.strom@exempel.se", 28,
              [("rjl", "Utvecklingsledare, barn- och ungdomshälsan")]),
    "david": ("David", "Lundqvist", "david.lundqvist@exempel.se", 29,
              [("jkp_soc", "Samordnare för förebyggande arbete")]),
    "emma": ("Emma", "Sandberg", "emma.sandberg@exempel.se", 30,
             [("jkp_famc", "Socionom, familjecentralen")]),
    "hanna": ("Hanna", "Forsberg", "hanna.forsberg@exempel.se", 31, [("sk_sofia", "Diakon")]),
    "tobias": ("Tobias", "Blom", "tobias.blom@exempel.se", 32, [("polis_jkp", "Kommunpolis")]),
    "elin": ("Elin", "Holmberg", "elin.holmberg@exempel.se", 33, [("rb_jkp", "Volontärsamordnare")]),
    "samir": ("Samir", "Khalil", "samir.khalil@exempel.se", 34, [("pingst_jkp", "Ungdomspastor")]),
    "josefin": ("Josefin", "Eriksson", "josefin.eriksson@exempel.se", 35,
                [("raslatt_skola", "Kurator"), ("jkp_elev", "Kurator")]),
    "ida": ("Ida", "Berglund", "ida.berglund@exempel.se", 36, [("maskros", "Verksamhetsledare")]),
    "peter": ("Peter", "Wikström", "peter.wikstrom@exempel.se", 37,
              [("varn_soc", "Enhetschef, öppenvården")]),
    "camilla": ("Camilla", "Hedlund", "camilla.hedlund@exempel.se", 38,
                [("varn_famc", "Barnmorska, familjecentralen")]),
    "marcus": ("Marcus", "Björk", "marcus.bjork@exempel.se", 39, [("sk_varn", "Kyrkoherde")]),
    "louise": ("Louise", "Falk", "louise.falk@exempel.se", 40, [("hm_varn", "Verksamhetsledare")]),
    "robert": ("Robert", "Isaksson", "robert.isaksson@exempel.se", 41, [("polis_varn", "Kommunpolis")]),
    "therese": ("Therese", "Sjöberg", "therese.sjoberg@exempel.se", 42,
                [("grondal_skola", "Specialpedagog")]),
    "karl": ("Karl", "Engström", "karl.engstrom@exempel.se", 43, [("nas_soc", "Socialsekreterare")]),
    "anna": ("Anna", "Lindholm", "anna.lindholm@exempel.se", 44, [("nas_elev", "Skolkurator")]),
    "jonas": ("Jonas", "Nordin", "jonas.nordin@exempel.se", 45, [("sk_nas", "Diakon")]),
    "rebecka": ("Rebecka", "Mattsson", "rebecka.mattsson@exempel.se", 46, [("equm_nas", "Pastor")]),
    "stefan": ("Stefan", "Håkansson", "stefan.hakansson@exempel.se", 47,
               [("polis_hogl", "Kommunpolis")]),
    "kerstin": ("Kerstin", "Lund", "kerstin.lund@exempel.se", 48, [("rk_nas", "Volontär, läxhjälp")]),
    # Dalsland
    "annika": ("Annika", "Dahl", "annika.dahl@exempel.se", 49,
               [("vgr", "Folkhälsostrateg, Närhälsan Dalsland")]),
    "mikael": ("Mikael", "Andersson", "mikael.andersson@exempel.se", 50,
               [("aml_soc", "Enhetschef, barn och unga")]),
    "linnea": ("Linnéa", "Fredriksson", "linnea.fredriksson@exempel.se", 51, [("sk_aml", "Diakon")]),
    "henrik": ("Henrik", "Sundberg", "henrik.sundberg@exempel.se", 52, [("polis_dal", "Kommunpolis")]),
    "maja": ("Maja", "Jonsson", "maja.jonsson@exempel.se", 53, [("aml_elev", "Skolkurator")]),
    "patrik": ("Patrik", "Lindberg", "patrik.lindberg@exempel.se", 54, [("ben_soc", "Socialsekreterare")]),
    "agneta": ("Agneta", "Hansson", "agneta.hansson@exempel.se", 55, [("sk_ben", "Diakon")]),
    "viktor": ("Viktor", "Ekström", "viktor.ekstrom@exempel.se", 56, [("bilda_dal", "Verksamhetsutvecklare")]),
    "monika": ("Monika", "Larsson", "monika.larsson@exempel.se", 57, [("ded_soc", "Socialsekreterare")]),
    "gunilla": ("Gunilla", "Bäck", "gunilla.back@exempel.se", 58, [("sk_ded", "Församlingspedagog")]),
    "jesper": ("Jesper", "Nyström", "jesper.nystrom@exempel.se", 59, [("fla_soc", "Familjebehandlare")]),
    "elisabet": ("Elisabet", "Strand", "elisabet.strand@exempel.se", 60, [("sk_fla", "Diakon")]),
    "niklas": ("Niklas", "Berggren", "niklas.berggren@exempel.se", 61,
               [("mel_soc", "Samordnare, förebyggande arbete")]),
    "sanna": ("Sanna", "Widén", "sanna.widen@exempel.se", 62, [("mel_famc", "Förskollärare")]),
    "ola": ("Ola", "Hermansson", "ola.hermansson@exempel.se", 63, [("sk_mel", "Kyrkoherde")]),
    "emelie": ("Emelie", "Kvist", "emelie.kvist@exempel.se", 64, [("rada_skola", "Kurator")]),
    "rasmus": ("Rasmus", "Holmgren", "rasmus.holmgren@exempel.se", 65, [("hm_dal", "Verksamhetsledare")]),
    "yvonne": ("Yvonne", "Aronsson", "yvonne.aronsson@exempel.se", 66, [("bris_vast", "Regionchef")]),
}  # fmt: skip

# The demo log-ins, in the order they are printed: (person key, role, what to try).
LOGINS = [
    ("admin", "Administratör", "Allt: alla nätverk, /admin/ för län, kommuner och organisationer"),
    ("karin", "Regional samordnare (Kronoberg)",
     "Översikten över länets lokala nätverk, lämna över ansvaret, bjuda in"),
    ("lina", "Lokal samordnare (Växjö), familjepedagog på familjecentralen",
     "Medlemmar och medlemsorganisationer i Växjö; tipsa en familj om kyrkans måndagsmiddag (katalogen)"),
    ("erik", "Deltagare, kommun (socialtjänst Växjö)", "Min översikt, medlemslistan, katalogen"),
    ("maria", "Deltagare, kyrka (Växjö domkyrkoförsamling), mottagare av hänvisningar",
     "Hänvisningar: en accepterad från Sagas plan; lägg upp en verksamhet i katalogen"),
    ("johan", "Deltagare, polis (Växjö och Ljungby)", "Två lokala nätverk, sök i katalogen"),
]
# Erik, Maria and Johan are also the demo's professionals in barnets plan (childplans/demo.py),
# with Anders Petersson, the school counsellor, whose log-in that demo adds.

CO, PA = NetworkMembership.Role.COORDINATOR, NetworkMembership.Role.PARTICIPANT

# key: name, kind, län, kommun, parent, purpose, founded, members [(person, organisation,
# role)], extra member organisations, stewardship history [(organisation, person, from, note)].
NETWORKS = {
    "reg_jkp": dict(
        name="Barnstödsnätverket i Jönköpings län",
        lan=JKP,
        purpose=(
            "Barnstödsnätverket i Jönköpings län samlar länets lokala nätverk, regionen, polisen "
            "och civilsamhället. Vi delar erfarenheter mellan kommunerna, ordnar gemensam "
            "fortbildning (till exempel om ANDTS och om barn som anhöriga) och arbetar för att "
            "varje barn i länet ska få rätt stöd i tid. Nätverket utbyter kunskap om "
            "verksamheter, aldrig uppgifter om enskilda barn."
        ),
        founded=dt.date(2020, 9, 1),
        members=[
            ("malin", "rjl", CO),
            ("david", "jkp_soc", PA),
            ("peter", "varn_soc", PA),
            ("karl", "nas_soc", PA),
            ("ida", "maskros", PA),
            ("tobias", "polis_jkp", PA),
        ],
        organisations=["rb_jkp"],
        stewardships=[
            ("jkp_soc", "david", dt.date(2020, 9, 1), "Jönköpings kommun startade nätverket."),
            ("rjl", "malin", dt.date(2023, 1, 1), "Beslut på länsträffen i november 2022."),
        ],
    ),
    "jkp": dict(
        name="Barnstödsnätverket i Jönköping",
        lan=JKP,
        kommun="Jönköping",
        parent="reg_jkp",
        purpose=(
            "Vi är kommunens, regionens, polisens, skolans, kyrkornas och föreningarnas mötesplats "
            "för samverkan kring barn och familjer i utsatthet i Jönköping. Vi träffas en gång per "
            "termin, lär känna varandras verksamheter och vet vart vi kan hänvisa en familj."
        ),
        founded=dt.date(2021, 2, 1),
        members=[
            ("david", "jkp_soc", CO),
            ("emma", "jkp_famc", PA),
            ("hanna", "sk_sofia", PA),
            ("tobias", "polis_jkp", PA),
            ("elin", "rb_jkp", PA),
            ("samir", "pingst_jkp", PA),
            ("josefin", "raslatt_skola", PA),
            ("malin", "rjl", PA),
        ],
        organisations=["jkp_elev", "maskros"],
        stewardships=[
            ("jkp_soc", "david", dt.date(2021, 2, 1), ""),
        ],
    ),
    "varn": dict(
        name="Barnstödsnätverket i Värnamo",
        lan=JKP,
        kommun="Värnamo",
        parent="reg_jkp",
        purpose=(
            "Nätverket ska göra det lätt för alla som möter barn och familjer i Värnamo att hitta "
            "varandra. Vi ses två gånger per år, delar kunskap om stöd som finns och planerar "
            "gemensamma insatser under lov."
        ),
        founded=dt.date(2021, 8, 23),
        members=[
            ("peter", "varn_soc", CO),
            ("camilla", "varn_famc", PA),
            ("marcus", "sk_varn", PA),
            ("louise", "hm_varn", PA),
            ("robert", "polis_varn", PA),
            ("therese", "grondal_skola", PA),
        ],
        organisations=[],
        stewardships=[
            ("sk_varn", "marcus", dt.date(2021, 8, 23), "Församlingen bjöd in till första träffen."),
            ("varn_soc", "peter", dt.date(2023, 8, 21), ""),
        ],
    ),
    "nas": dict(
        name="Barnstödsnätverket i Nässjö",
        lan=JKP,
        kommun="Nässjö",
        parent="reg_jkp",
        purpose=(
            "Ett nätverk för samverkan mellan socialtjänst, elevhälsa, polis, kyrkor och "
            "föreningar i Nässjö kommun. Målet är att inget barn ska falla mellan stolarna och "
            "att föräldrar ska få stöd tidigt."
        ),
        founded=dt.date(2022, 1, 17),
        members=[
            ("karl", "nas_soc", CO),
            ("anna", "nas_elev", CO),
            ("jonas", "sk_nas", PA),
            ("rebecka", "equm_nas", PA),
            ("stefan", "polis_hogl", PA),
            ("kerstin", "rk_nas", PA),
        ],
        organisations=[],
        stewardships=[
            ("nas_soc", "karl", dt.date(2022, 1, 17), ""),
            ("nas_elev", "anna", dt.date(2024, 1, 8), "Delat ansvar med socialtjänsten."),
        ],
    ),
    "reg_kron": dict(
        name="Barnens bästa gäller! i Kronoberg",
        lan=KRON,
        purpose=(
            "Barnens bästa gäller! i Kronoberg är länets samverkan för barn och unga som behöver "
            "stöd från flera aktörer. Regionen, kommunerna, polisen och civilsamhället arbetar "
            "efter en gemensam modell: ett barn – en plan, med en namngiven kontaktperson och "
            "med barnet och vårdnadshavarna delaktiga. Nätverket stödjer de lokala nätverken "
            "med fortbildning och gemensamma rutiner."
        ),
        founded=dt.date(2019, 9, 2),
        members=[
            ("karin", "rkron_bhv", CO),
            ("lina", "vxo_famc", PA),
            ("ulrika", "ljb_soc", PA),
            ("sara", "alv_famc", PA),
            ("eva", "rkron_bup", PA),
            ("johan", "polis_vxo", PA),
            ("helena", "bris_syd", PA),
            ("per", "sv_kron", PA),
            ("maria", "sk_vxo", PA),
        ],
        organisations=["vxo_soc"],
        stewardships=[
            ("vxo_soc", "lina", dt.date(2019, 9, 2), "Växjö kommun drev uppstarten."),
            ("rkron_bup", "eva", dt.date(2021, 1, 1), ""),
            ("rkron_bhv", "karin", dt.date(2023, 1, 1), "Beslut på höstträffen 2022."),
        ],
    ),
    "vxo": dict(
        name="Barnstödsnätverket i Växjö",
        lan=KRON,
        kommun="Växjö",
        parent="reg_kron",
        purpose=(
            "Vi som möter barn och familjer i Växjö – kommun, region, polis, skola, kyrkor och "
            "ideella organisationer – träffas en gång per termin för att lära känna varandras "
            "verksamheter, dela erfarenheter och fortbilda oss. Varje deltagare står för sina egna "
            "kostnader och bestämmer själv hur mycket tid den kan ge. Vi talar om verksamheter, "
            "aldrig om enskilda barn."
        ),
        founded=dt.date(2022, 8, 15),
        members=[
            ("lina", "vxo_famc", CO),
            ("erik", "vxo_soc", PA),
            ("maria", "sk_vxo", PA),
            ("johan", "polis_vxo", PA),
            ("sofia", "vxo_elev", PA),
            ("ahmed", "hm_vxo", PA),
            ("anders", "katedral", PA),
            ("fatima", "rb_vxo", PA),
            ("nils", "vxo_fritid", PA),
            ("karin", "rkron_bhv", PA),
        ],
        organisations=["bris_syd"],
        stewardships=[
            ("sk_vxo", "maria", dt.date(2022, 8, 15), "Domkyrkoförsamlingen tog initiativet."),
            ("vxo_famc", "lina", dt.date(2024, 1, 1), ""),
        ],
    ),
    "ljb": dict(
        name="Barnstödsnätverket i Ljungby",
        lan=KRON,
        kommun="Ljungby",
        parent="reg_kron",
        purpose=(
            "Nätverket samlar dem som arbetar med och för barn och familjer i Ljungby kommun. Vi "
            "träffas varje termin för att samordna stödet, särskilt kring lov och högtider, och "
            "för att hitta rätt väg när en familj behöver hjälp."
        ),
        founded=dt.date(2023, 1, 9),
        members=[
            ("ulrika", "ljb_soc", CO),
            ("mattias", "sk_ljb", PA),
            ("jenny", "ljb_famc", PA),
            ("goran", "rk_ljb", PA),
            ("lena", "kungshog", PA),
            ("johan", "polis_ljb", PA),
        ],
        organisations=[],
        stewardships=[
            ("ljb_soc", "ulrika", dt.date(2023, 1, 9), ""),
        ],
    ),
    "alv": dict(
        name="Barnstödsnätverket i Alvesta",
        lan=KRON,
        kommun="Alvesta",
        parent="reg_kron",
        purpose=(
            "I Alvesta möts familjecentralen, socialtjänsten, skolan och Svenska kyrkan för att "
            "barn och föräldrar ska få stöd tidigt och nära. Nätverket är öppet för alla "
            "organisationer som möter barnfamiljer i kommunen."
        ),
        founded=dt.date(2022, 1, 10),
        members=[
            ("sara", "alv_famc", CO),
            ("oskar", "alv_soc", PA),
            ("birgitta", "sk_alv", PA),
            ("amanda", "prastang", PA),
        ],
        organisations=["hm_vxo"],
        stewardships=[
            ("sk_alv", "birgitta", dt.date(2022, 1, 10), ""),
            ("alv_famc", "sara", dt.date(2024, 7, 1), "Familjecentralen tar över efter två år."),
        ],
    ),
    "reg_dal": dict(
        name="Barnstödsnätverket i Dalsland",
        lan=VG,
        purpose=(
            "Dalslands fem kommuner – Bengtsfors, Dals-Ed, Färgelanda, Mellerud och Åmål – har "
            "korta avstånd och få aktörer var för sig. Tillsammans med Västra Götalandsregionen, "
            "polisen och civilsamhället delar vi fortbildning, erfarenheter och stödet till de "
            "lokala nätverken."
        ),
        founded=dt.date(2021, 3, 1),
        members=[
            ("annika", "vgr", CO),
            ("mikael", "aml_soc", CO),
            ("henrik", "polis_dal", PA),
            ("patrik", "ben_soc", PA),
            ("monika", "ded_soc", PA),
            ("jesper", "fla_soc", PA),
            ("niklas", "mel_soc", PA),
            ("yvonne", "bris_vast", PA),
            ("viktor", "bilda_dal", PA),
        ],
        organisations=["hm_dal"],
        stewardships=[
            ("aml_soc", "mikael", dt.date(2021, 3, 1), ""),
            ("vgr", "annika", dt.date(2024, 1, 1), ""),
        ],
    ),
    "ben": dict(
        name="Barnstödsnätverket i Bengtsfors", lan=VG, kommun="Bengtsfors", parent="reg_dal",
        purpose=(
            "Ett lokalt nätverk för alla som möter barnfamiljer i Bengtsfors kommun. Vi ses en "
            "gång per termin och håller ihop stödet över kommungränsen till resten av Dalsland."
        ),
        founded=dt.date(2022, 2, 7),
        members=[("patrik", "ben_soc", CO), ("agneta", "sk_ben", PA), ("viktor", "bilda_dal", PA),
                 ("henrik", "polis_dal", PA)],
        organisations=[],
        stewardships=[("ben_soc", "patrik", dt.date(2022, 2, 7), "")],
    ),
    "ded": dict(
        name="Barnstödsnätverket i Dals-Ed", lan=VG, kommun="Dals-Ed", parent="reg_dal",
        purpose=(
            "I Dals-Ed känner många varandra redan. Nätverket gör samverkan mellan socialtjänst, "
            "skola, kyrka och föreningar regelbunden i stället för beroende av enskilda personer."
        ),
        founded=dt.date(2022, 9, 5),
        members=[("monika", "ded_soc", CO), ("gunilla", "sk_ded", PA), ("henrik", "polis_dal", PA)],
        organisations=[],
        stewardships=[
            ("sk_ded", "gunilla", dt.date(2022, 9, 5), ""),
            ("ded_soc", "monika", dt.date(2024, 8, 19), ""),
        ],
    ),
    "fla": dict(
        name="Barnstödsnätverket i Färgelanda", lan=VG, kommun="Färgelanda", parent="reg_dal",
        purpose=(
            "Nätverket samlar kommunen, församlingen och föreningslivet i Färgelanda för att ge "
            "barn och föräldrar stöd och meningsfull fritid nära hemmet."
        ),
        founded=dt.date(2023, 2, 6),
        members=[("jesper", "fla_soc", CO), ("elisabet", "sk_fla", PA), ("henrik", "polis_dal", PA)],
        organisations=[],
        stewardships=[("fla_soc", "jesper", dt.date(2023, 2, 6), "")],
    ),
    "mel": dict(
        name="Barnstödsnätverket i Mellerud", lan=VG, kommun="Mellerud", parent="reg_dal",
        purpose=(
            "Vi som arbetar med barn och familjer i Mellerud träffas för att lära känna varandras "
            "verksamheter och hänvisa familjer rätt – från familjecentralen till kyrkans "
            "öppna verksamhet."
        ),
        founded=dt.date(2021, 9, 13),
        members=[("niklas", "mel_soc", CO), ("sanna", "mel_famc", PA), ("ola", "sk_mel", PA),
                 ("emelie", "rada_skola", PA), ("henrik", "polis_dal", PA)],
        organisations=[],
        stewardships=[
            ("sk_mel", "ola", dt.date(2021, 9, 13), ""),
            ("mel_famc", "sanna", dt.date(2023, 1, 16), ""),
            ("mel_soc", "niklas", dt.date(2025, 1, 13), ""),
        ],
    ),
    "aml": dict(
        name="Barnstödsnätverket i Åmål", lan=VG, kommun="Åmål", parent="reg_dal",
        purpose=(
            "Barnstödsnätverket i Åmål är en mötesplats för kommun, region, polis, skola, kyrka "
            "och ideella organisationer. Vi vill att varje familj som behöver stöd ska mötas av "
            "vuxna som känner till varandra och vet vart de kan hänvisa."
        ),
        founded=dt.date(2021, 1, 18),
        members=[("mikael", "aml_soc", CO), ("linnea", "sk_aml", PA), ("henrik", "polis_dal", PA),
                 ("maja", "aml_elev", PA), ("rasmus", "hm_dal", PA)],
        organisations=["vgr"],
        stewardships=[("aml_soc", "mikael", dt.date(2021, 1, 18), "")],
    ),
}  # fmt: skip

MP, SG, ST, LH, EK, FS, FT, AN = (
    Activity.Category.MOTESPLATS,
    Activity.Category.STODGRUPP,
    Activity.Category.SAMTALSSTOD,
    Activity.Category.LAXHJALP,
    Activity.Category.EKONOMISKT,
    Activity.Category.FORALDRASTOD,
    Activity.Category.FRITID,
    Activity.Category.ANNAT,
)

# (organisation, kommun, category, title, description, ages, when, where, contact, how to refer,
#  created by)
ACTIVITIES = [
    # --- Växjö ------------------------------------------------------------------
    ("vxo_famc", "Växjö", MP, "Öppna förskolan Araby",
     "En öppen mötesplats för föräldrar och barn 0–6 år med lek, sång och fika. Här kan familjer "
     "träffa andra föräldrar, ställa frågor till förskollärare och få tips om annat stöd i "
     "kommunen. Tolk kan ordnas på arabiska och somaliska.",
     (0, 6), "Måndag–torsdag 9.00–12.00", "Familjecentralen Araby",
     f"Familjecentralen Araby, {_phone(70)}",
     "Ingen anmälan. Tipsa familjen om att komma förbi – gärna tillsammans med dig första gången.",
     "lina"),
    ("vxo_famc", "Växjö", FS, "Föräldragruppen ABC – Alla barn i centrum",
     "Fyra träffar för föräldrar om att stärka relationen till barnet, ta vara på stunder "
     "tillsammans och hantera konflikter. Gruppen leds av två familjepedagoger.",
     (3, 12), "Fyra tisdagskvällar 18.00–20.00, start i september och februari",
     "Familjecentralen Araby", "Lina Berg, samordnare.vaxjo@exempel.se",
     "Föräldern anmäler sig själv via kommunens webbplats eller på familjecentralen. Avgiftsfritt.",
     "lina"),
    ("vxo_soc", "Växjö", SG, "Barngruppen Skogsgläntan",
     "Stödgrupp för barn som lever i familjer där en vuxen har missbruk eller psykisk ohälsa. "
     "Barnen får träffa andra i samma situation, sätta ord på känslor och lära sig att det inte "
     "är deras fel.",
     (7, 12), "Tolv onsdagar 15.00–16.30, vår- och hösttermin", "Socialtjänstens öppenvård, centrala Växjö",
     f"Öppenvården barn och familj, {_phone(71)}",
     "Vårdnadshavare kontaktar öppenvården direkt; inget biståndsbeslut behövs. Båda "
     "vårdnadshavarnas samtycke krävs. Du kan ringa och rådgöra utan att lämna namn.",
     "erik"),
    ("vxo_soc", "Växjö", FS, "Familjebehandling i hemmet",
     "Stöd till familjer med barn och tonåringar när vardagen blivit svår: konflikter, gränser, "
     "skolfrånvaro. Behandlaren träffar familjen hemma eller på kontoret.",
     (0, 18), "Efter överenskommelse, dagtid och kvällar", "Hemma hos familjen eller på socialtjänsten",
     f"Mottagningsgruppen barn och familj, {_phone(72)}",
     "Familjen ansöker själv eller efter orosanmälan. Hjälp gärna familjen att ringa mottagningen.",
     "erik"),
    ("sk_vxo", "Växjö", LH, "Läxhjälp i församlingshemmet",
     "Frivilliga lärare och studenter hjälper till med läxor i alla ämnen. Det finns fika och en "
     "lugn plats att sitta. Föräldrar är välkomna att följa med.",
     (10, 16), "Tisdagar och torsdagar 15.00–17.00 under terminerna", "Domkyrkans församlingshem",
     f"Diakon Maria Holm, {_phone(9)}",
     "Eleven kan komma direkt utan anmälan. Ring gärna och berätta om någon behöver extra stöd "
     "i ett särskilt ämne.",
     "maria"),
    ("sk_vxo", "Växjö", MP, "Måndagsmiddag för barnfamiljer",
     "En enkel, gratis middag och samvaro för familjer som vill äta tillsammans med andra. "
     "Barnen leker medan de vuxna pratar. Diakonen finns på plats för samtal.",
     None, "Måndagar 17.00–19.00", "Domkyrkans församlingshem",
     f"Diakon Maria Holm, {_phone(9)}",
     "Ingen anmälan. Familjer kan komma själva eller tillsammans med en kontaktperson.",
     "maria"),
    ("hm_vxo", "Växjö", EK, "Julhjälp och matkassar",
     "Hela Människan delar ut matkassar och julklappar till barnfamiljer med små marginaler. "
     "Under året finns även akut matstöd.",
     None, "Ansökan senast 1 december; akut matstöd tisdagar 10.00–12.00", "Hela Människan, Storgatan",
     f"Ahmed Hassan, {_phone(12)}",
     "Socialtjänst, kyrka, skola eller familjecentral skickar ett kort intyg; familjen kan också "
     "ringa själv.",
     "ahmed"),
    ("bris_syd", "Växjö", ST, "Stödsamtal för barn och unga hos Bris",
     "Barn och unga upp till 18 år kan prata med en kurator om vad som helst – anonymt och "
     "kostnadsfritt, i telefon, chatt eller mejl.",
     (0, 18), "Telefon och chatt alla dagar", "Telefon 116 111 och chatt på bris.se",
     "Bris, 116 111",
     "Berätta för barnet att det går att kontakta Bris anonymt. Vuxna som oroar sig för ett barn "
     "kan ringa Bris vuxentelefon om barn.",
     "helena"),
    ("vxo_fritid", "Växjö", FT, "Araby fritidsgård",
     "Öppen fritidsgård med biljard, musikstudio, matlagning och utflykter. Fritidsledarna "
     "samarbetar med skolan och polisen kring trygghet i området.",
     (13, 17), "Måndag–fredag 15.00–21.00, lördagar 14.00–22.00", "Araby fritidsgård",
     f"Nils Karlsson, {_phone(16)}",
     "Ungdomen kommer direkt. Fritidsledarna tar gärna emot en ny besökare om någon hör av sig först.",
     "nils"),
    ("rb_vxo", "Växjö", FT, "Sommarlovsaktiviteter med Rädda Barnen",
     "Dagsutflykter, bad och lek för barn som annars inte reser någonstans under sommarlovet. "
     "Föräldrar är välkomna att följa med.",
     (6, 12), "Juni–augusti, tisdagar och torsdagar", "Samling vid Araby park",
     f"Fatima Ali, {_phone(15)}",
     "Anmälan via telefon eller sms. Skolan och familjecentralen har anmälningslappar.",
     "fatima"),
    ("rkron_bup", "Växjö", FS, "Föräldrautbildning vid adhd",
     "En kurs för föräldrar till barn med adhd eller liknande svårigheter: kunskap om "
     "diagnosen, vardagsstrategier och samtal med andra föräldrar.",
     (4, 17), "Sex kvällar per termin", "BUP Växjö",
     f"BUP Växjö, {_phone(74)}",
     "Via remiss från vårdcentral, elevhälsa eller socialtjänst, eller egen vårdbegäran via 1177.",
     "eva"),
    ("rkron_bhv", "Växjö", FS, "Föräldragrupper för nyblivna föräldrar",
     "Barnhälsovården bjuder in till föräldragrupper under barnets första år: amning och mat, "
     "sömn, samspel och föräldrarnas egen hälsa.",
     (0, 1), "Sex träffar under barnets första år", "Barnavårdscentralerna i Växjö",
     "Din barnavårdscentral",
     "Alla familjer erbjuds plats via sin barnavårdscentral. Tipsa familjer som inte är inskrivna "
     "om att kontakta närmaste BVC.",
     "karin"),
    ("polis_vxo", "Växjö", AN, "Föräldravandring med kommunpolisen",
     "Föräldrar vandrar tillsammans i centrum och i bostadsområdena på fredagskvällar, med stöd "
     "av kommunpolisen. Vuxna syns ute och ungdomar får någon att prata med.",
     None, "Fredagar 21.00–23.30 under terminerna", "Samling vid resecentrum",
     f"Kommunpolis Johan Ek, {_phone(10)}",
     "Föräldrar anmäler sig till kommunpolisen. Ingen utbildning krävs; första gången går man "
     "med en erfaren vandrare.",
     "johan"),
    ("katedral", "Växjö", ST, "Elevhälsans öppna mottagning",
     "Skolkurator och skolsköterska har öppen mottagning för elever som vill prata om stress, "
     "relationer, hemsituationen eller annat som tynger.",
     (15, 19), "Varje skoldag 11.30–12.30", "Katedralskolan, elevhälsans korridor",
     f"Kurator Anders Petersson, {_phone(14)}",
     "Eleven kommer direkt. Personal kan följa med eleven första gången.",
     "anders"),
    # --- Ljungby ----------------------------------------------------------------
    ("ljb_famc", "Ljungby", MP, "Öppna förskolan på familjecentralen",
     "Lek, sång och samtal för barn 0–6 år och deras vuxna. Barnmorska och BVC-sjuksköterska "
     "finns i samma hus.",
     (0, 6), "Måndag, tisdag och torsdag 9.00–12.00", "Familjecentralen Ljungby",
     f"Jenny Olsson, {_phone(21)}",
     "Ingen anmälan, det är gratis. Familjer som är nya i Sverige får gärna ta med en vän som tolkar.",
     "jenny"),
    ("rk_ljb", "Ljungby", EK, "Klädutdelning och hjälp till barnfamiljer",
     "Röda Korset delar ut kläder, skor och vinterutrustning till barn. Vid behov finns "
     "matkassar och hjälp att söka bidrag från fonder.",
     None, "Onsdagar 13.00–17.00", "Röda Korsets lokal, Ljungby centrum",
     f"Göran Lindström, {_phone(22)}",
     "Familjen kommer direkt eller hänvisas av socialtjänst, skola eller kyrka.",
     "goran"),
    ("sk_ljb", "Ljungby", SG, "Sorgegrupp för barn",
     "För barn som har förlorat en förälder, ett syskon eller någon annan nära. Barnen får "
     "träffa andra i samma situation, prata, måla och minnas tillsammans med trygga vuxna.",
     (7, 15), "Åtta träffar per termin, måndagar 16.00–17.30", "Ljungby församlingshem",
     f"Mattias Gustafsson, {_phone(20)}",
     "Vårdnadshavare anmäler barnet. Skola, BVC eller vården kan ringa och rådgöra först.",
     "mattias"),
    ("ljb_soc", "Ljungby", FS, "Föräldrastöd i tonåren",
     "Samtalsstöd för föräldrar till tonåringar, enskilt eller i grupp, om gränser, kontakt och "
     "oro för droger eller skolfrånvaro.",
     (12, 18), "Efter överenskommelse", "Socialtjänsten Ljungby",
     f"Ulrika Svensson, {_phone(19)}",
     "Föräldern ringer själv; inget beslut krävs för de första samtalen.",
     "ulrika"),
    ("kungshog", "Ljungby", LH, "Läxhjälp efter skolan",
     "Lärare och frivilliga från Röda Korset hjälper elever med läxor och förberedelser inför prov.",
     (7, 12), "Måndagar och onsdagar 14.30–16.00", "Kungshögsskolans bibliotek",
     f"Rektor Lena Magnusson, {_phone(23)}",
     "Eleven eller vårdnadshavaren pratar med klassläraren.",
     "lena"),
    # --- Alvesta ----------------------------------------------------------------
    ("alv_famc", "Alvesta", MP, "Babycafé",
     "En mötesplats för föräldrar med bebisar upp till ett år. Fika, samtal och teman som sömn, "
     "mat och språk. Barnmorskan och BVC-sjuksköterskan kommer på besök.",
     (0, 1), "Fredagar 10.00–12.00", "Familjecentralen Alvesta",
     f"Sara Nyberg, {_phone(24)}",
     "Ingen anmälan. Tipsa föräldrar som verkar ensamma om att komma.",
     "sara"),
    ("sk_alv", "Alvesta", FT, "Sommarläger för barn och familjer",
     "Tre dagars läger vid sjön med bad, lek, mat och andakt för barnfamiljer som behöver en paus. "
     "Kostnadsfritt för familjer som hänvisas av socialtjänsten eller diakonen.",
     (6, 12), "Vecka 27", "Lägergården vid Salen",
     f"Diakon Birgitta Persson, {_phone(26)}",
     "Kontakta diakonen senast 1 maj. Familjen behöver inte vara medlem i Svenska kyrkan.",
     "birgitta"),
    ("alv_soc", "Alvesta", ST, "Samtalsstöd för barn som upplevt våld",
     "Stödsamtal för barn som har sett eller upplevt våld i familjen, enskilt eller i grupp, "
     "med en behandlare som är utbildad i Trappan-modellen.",
     (4, 17), "Efter överenskommelse", "Socialtjänsten Alvesta",
     f"Oskar Åberg, {_phone(25)}",
     "Vårdnadshavare eller den som oroar sig ringer socialtjänstens mottagning. Vid akut fara: 112.",
     "oskar"),
    # --- Jönköping ----------------------------------------------------------------
    ("jkp_famc", "Jönköping", MP, "Öppen förskola Råslätt",
     "Lek och skapande för barn 0–5 år tillsammans med sina vuxna, svenska i vardagen för "
     "föräldrar och information om föräldraförsäkring och förskola.",
     (0, 5), "Måndag–fredag 9.00–12.00", "Familjecentralen Råslätt",
     f"Emma Sandberg, {_phone(30)}",
     "Ingen anmälan. Personalen talar arabiska, somaliska och tigrinska.",
     "emma"),
    ("sk_sofia", "Jönköping", LH, "Läxhjälp i Sofiakyrkan",
     "Läxhjälp med frivilliga och en kvällsmacka. Här kan elever plugga i lugn och ro och få "
     "hjälp med svenska, matematik och engelska.",
     (10, 18), "Onsdagar 16.00–18.30", "Sofia församlingshem",
     f"Diakon Hanna Forsberg, {_phone(31)}",
     "Eleven kommer direkt, ingen anmälan.",
     "hanna"),
    ("rb_jkp", "Jönköping", FT, "Lovaktiviteter för barnfamiljer",
     "Gratis aktiviteter under sport-, påsk- och sommarlov: utflykter, bowling, bad och "
     "pyssel för hela familjen.",
     (6, 13), "Under skolloven, anmälan två veckor innan", "Olika platser i Jönköping",
     f"Elin Holmberg, {_phone(33)}",
     "Familjen anmäler sig själv. Skolkuratorer och familjecentralen kan dela ut inbjudningar.",
     "elin"),
    ("pingst_jkp", "Jönköping", MP, "Familjeträff med gemensam middag",
     "Middag, lek och samtal för familjer varannan torsdag. Alla är välkomna oavsett tro.",
     None, "Varannan torsdag 17.30–19.30", "Pingstkyrkan Jönköping",
     f"Samir Khalil, {_phone(34)}",
     "Ingen anmälan. Den som vill kan ringa först och bli mött i entrén.",
     "samir"),
    ("rjl", "Jönköping", FS, "Vägledande samspel (ICDP) för föräldrar",
     "Föräldraskapsstöd i grupp med fokus på samspelet mellan förälder och barn. Finns på flera "
     "språk.",
     (0, 18), "Åtta träffar per termin", "Barn- och ungdomshälsan, Jönköping",
     f"Malin Ström, {_phone(28)}",
     "Föräldern anmäler sig via 1177 eller genom barnavårdscentralen.",
     "malin"),
    ("maskros", "Jönköping", SG, "Stödgrupp för unga med föräldrar som mår dåligt",
     "Gruppträffar för ungdomar som har en förälder med psykisk ohälsa eller missbruk. "
     "Träffarna leds av utbildade ledare med egen erfarenhet.",
     (13, 17), "Tio träffar per termin, tisdagar 17.00–18.30", "Centrala Jönköping",
     f"Ida Berglund, {_phone(36)}",
     "Ungdomen anmäler sig själv via Maskrosbarns webbplats; ingen vårdnadshavare behöver "
     "tillfrågas för att delta i gruppen.",
     "ida"),
    ("jkp_soc", "Jönköping", EK, "Budget- och skuldrådgivning för barnfamiljer",
     "Kostnadsfri rådgivning om budget, skulder och ekonomiskt bistånd. Rådgivaren hjälper till "
     "att söka bidrag och fonder till barnens fritid.",
     None, "Telefontid vardagar 9.00–11.00", "Kommunens kontaktcenter",
     f"Budget- och skuldrådgivningen, {_phone(75)}",
     "Familjen bokar själv en tid. Du får gärna hjälpa till att ringa.",
     "david"),
    # --- Värnamo ----------------------------------------------------------------
    ("hm_varn", "Värnamo", MP, "Kupan – fika och klädbyte",
     "En mötesplats med fika, klädbyte och samtal. Barnfamiljer får välja kläder kostnadsfritt.",
     None, "Torsdagar 13.00–18.00", "Hela Människan Värnamo",
     f"Louise Falk, {_phone(40)}",
     "Familjen kommer direkt.",
     "louise"),
    ("sk_varn", "Värnamo", FT, "Öppet hus för tonåringar",
     "Fredagskvällar med spel, musik, pingis och mat. Ledarna är trygga vuxna som finns till "
     "för samtal.",
     (13, 17), "Fredagar 19.00–23.00", "Värnamo församlingshem",
     f"Marcus Björk, {_phone(39)}",
     "Ungdomen kommer direkt.",
     "marcus"),
    # --- Nässjö -----------------------------------------------------------------
    ("equm_nas", "Nässjö", LH, "Läxhjälp och fika",
     "Frivilliga hjälper mellanstadie- och högstadieelever med läxorna. Det bjuds på fika.",
     (9, 15), "Tisdagar 15.30–17.30", "Equmeniakyrkan Nässjö",
     f"Rebecka Mattsson, {_phone(46)}",
     "Ingen anmälan.",
     "rebecka"),
    ("rk_nas", "Nässjö", MP, "Familjeträffen – språkcafé för föräldrar och barn",
     "Samtal på svenska för föräldrar medan barnen leker och pysslar. Här kan nya familjer "
     "hitta vänner och få hjälp med frågor om skola och myndigheter.",
     None, "Lördagar 11.00–13.00", "Röda Korsets lokal, Nässjö",
     f"Kerstin Lund, {_phone(48)}",
     "Familjen kommer direkt.",
     "kerstin"),
    ("nas_elev", "Nässjö", SG, "Samtalsgrupp för barn i separation",
     "En grupp för barn vars föräldrar har separerat: att prata om förändringar, känslor och "
     "två hem, tillsammans med andra barn.",
     (7, 12), "Åtta träffar per termin, under skoltid", "Skolorna i Nässjö",
     f"Skolkurator Anna Lindholm, {_phone(44)}",
     "Vårdnadshavarna anmäler barnet till skolkuratorn.",
     "anna"),
    # --- Dalsland ---------------------------------------------------------------
    ("sk_aml", "Åmål", MP, "Barnens lördag – lek och lunch",
     "En lördag i månaden är kyrkans lokaler fulla av lek, pyssel och gemensam lunch för "
     "barnfamiljer.",
     (0, 12), "Första lördagen i månaden 10.00–13.00", "Åmåls församlingshem",
     f"Diakon Linnéa Fredriksson, {_phone(51)}",
     "Ingen anmälan, gratis.",
     "linnea"),
    ("ben_soc", "Bengtsfors", ST, "Barnsamtal vid separation",
     "Samtal för barn vars föräldrar separerar, och stöd till föräldrarna att samarbeta "
     "kring barnet.",
     (4, 17), "Efter överenskommelse", "Socialtjänsten Bengtsfors",
     f"Patrik Lindberg, {_phone(54)}",
     "Föräldrarna kontaktar familjerätten eller socialtjänstens mottagning.",
     "patrik"),
    ("mel_famc", "Mellerud", MP, "Öppen förskola Mellerud",
     "Mötesplats för barn 0–5 år och deras vuxna med sångsamling varje förmiddag.",
     (0, 5), "Tisdag–torsdag 9.00–12.00", "Familjecentralen Mellerud",
     f"Sanna Widén, {_phone(62)}",
     "Ingen anmälan.",
     "sanna"),
    ("hm_dal", "Åmål", EK, "Matkasse och klädutdelning i Dalsland",
     "Matkassar, kläder och hygienartiklar till familjer i hela Dalsland. Vi kan även hjälpa "
     "till med fondansökningar till barnens fritidsaktiviteter.",
     None, "Onsdagar 12.00–16.00", "Hela Människan, Åmål",
     f"Rasmus Holmgren, {_phone(65)}",
     "Socialtjänst, kyrka, skola eller vården hänvisar; familjen kan också ringa själv.",
     "rasmus"),
    ("bilda_dal", "Bengtsfors", FT, "Friluftsdagar för familjer",
     "Kanot, vandring och grillning i Dalslands natur. Utrustning finns att låna utan kostnad.",
     (6, 16), "Lördagar maj–september", "Samling vid Bengtsfors turistbyrå",
     f"Viktor Ekström, {_phone(56)}",
     "Anmälan via telefon. Kostnadsfritt för familjer som hänvisas av nätverkets medlemmar.",
     "viktor"),
    ("sk_fla", "Färgelanda", LH, "Miniorer och läxläsning",
     "Lek, pyssel och läxläsning för lågstadiebarn efter skolan, med mellanmål.",
     (6, 10), "Torsdagar 14.30–16.30", "Färgelanda församlingshem",
     f"Diakon Elisabet Strand, {_phone(60)}",
     "Vårdnadshavare anmäler barnet till diakonen.",
     "elisabet"),
]  # fmt: skip


# What families read on the leaflet and the open page ("Tipsa en familj"), for a few activities
# (title -> fields); the rest leave them empty, as most organisations will at first.
FAMILY_FIELDS = {
    "Måndagsmiddag för barnfamiljer": dict(
        cost="Gratis",
        getting_there="Domkyrkans församlingshem, Linnégatan 2. Buss 1 eller 3 till Domkyrkan; ingången "
                      "ligger på gårdssidan och är skyltad. Barnvagnar får plats i hallen.",
        family_contact=f"Diakon Maria Holm, {_phone(9)}. Ring eller sms:a gärna innan första gången.",
        notify_email="kyrkan.vaxjo@exempel.se",
        public=True,
    ),
    "Öppna förskolan Araby": dict(
        cost="Gratis",
        getting_there="Familjecentralen Araby, Araby torg. Buss 4 till Araby centrum.",
        family_contact=f"Familjecentralen Araby, {_phone(70)}",
        public=True,
    ),
    "Läxhjälp i församlingshemmet": dict(
        cost="Gratis, fika ingår",
        family_contact=f"Diakon Maria Holm, {_phone(9)}",
    ),
}

# Who receives each organisation's referrals (organisation key -> person keys): named when the
# organisation has none.
RECEIVERS = {
    "sk_vxo": ["maria"],  # the church's deacon: the demo's receiver (childplans/demo.py refers to her)
    "vxo_famc": ["lina"],
    "hm_vxo": ["ahmed"],
}

# Tips to families counted this term and the one before (activity title -> (this term, last term)).
TIPS = {
    "Måndagsmiddag för barnfamiljer": (7, 11),
    "Öppna förskolan Araby": (12, 9),
    "Läxhjälp i församlingshemmet": (3, 6),
    "Julhjälp och matkassar": (5, 14),
}


def demo_logins():
    """[(role, e-mail, what to try)] of the demo log-ins, all with DEMO_PASSWORD."""
    return [(role, PEOPLE[key][2], hint) for key, role, hint in LOGINS]


def _create(model, **fields):
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    return obj


def _get_or_create(model, lookup, defaults):
    """Find by natural key, or validate and create. Never updates an existing row."""
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj, False
    return _create(model, **lookup, **defaults), True


def _at_noon(date):
    return dt.datetime.combine(date, dt.time(12, 0), tzinfo=dt.UTC)


@transaction.atomic
def load_demo():
    """Create whatever of the demo data is missing and return {what: rows created}.

    Objects are found by natural keys (organisation name/unit/län, e-mail, network name/län).
    What hangs under an object (a person's titles, a network's members, member organisations
    and stewardship history, an organisation's activities) is created only together with that
    object, so a start after someone changed the demo (removed a member, handed over, deleted
    an activity) does not undo their change."""
    validate_password(DEMO_PASSWORD)
    created = dict.fromkeys(
        ["organisationer", "personer", "anställningar/uppdrag", "nätverk", "medlemsorganisationer",
         "medlemskap", "ansvarsperioder", "verksamheter"], 0
    )  # fmt: skip

    if not Kommun.objects.filter(name__in=DEMO_KOMMUNER).exists():
        load_geography(Lan, Kommun)
    lans = {lan.code: lan for lan in Lan.objects.filter(code__in=DEMO_LAN_CODES)}
    kommuner = {
        k.name: k for k in Kommun.objects.filter(name__in=DEMO_KOMMUNER, lan__code__in=DEMO_LAN_CODES)
    }
    missing = set(DEMO_KOMMUNER) - set(kommuner)
    if missing or len(lans) != len(DEMO_LAN_CODES):
        raise LookupError(f"geography is incomplete; missing kommuner: {sorted(missing)}")

    orgs, new_orgs = {}, set()
    for key, (name, unit, kind, kommun, lan, website) in ORGANISATIONS.items():
        orgs[key], was = _get_or_create(
            Organisation,
            {"name": name, "unit": unit, "lan": lans[lan]},
            {"kind": kind, "kommun": kommuner.get(kommun), "website": website},
        )
        if was:
            new_orgs.add(key)
            created["organisationer"] += 1

    login_keys = {key for key, _role, _hint in LOGINS}
    people = {}
    for key, (first, last, email, phone, titles) in PEOPLE.items():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, first_name=first, last_name=last, phone=_phone(phone))
            if key in login_keys:
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()  # no log-in; an administrator can send a reset
            if key == "admin":
                user.is_staff = user.is_superuser = True
            user.full_clean()
            user.save()
            created["personer"] += 1
            OrganisationMembership.objects.bulk_create(
                OrganisationMembership(user=user, organisation=orgs[org_key], title=title)
                for org_key, title in titles
            )
            created["anställningar/uppdrag"] += len(titles)
        people[key] = user

    admin = people["admin"]
    networks = {}
    for key, spec in NETWORKS.items():  # regional networks come before their local ones
        kommun = kommuner[spec["kommun"]] if spec.get("kommun") else None
        network = Network.objects.filter(name=spec["name"], lan=lans[spec["lan"]]).first()
        if network is None:
            network = network_create(
                by=admin,
                name=spec["name"],
                kind=Network.Kind.LOCAL if kommun else Network.Kind.REGIONAL,
                lan=lans[spec["lan"]],
                kommun=kommun,
                parent=networks[spec["parent"]] if spec.get("parent") else None,
                purpose=spec["purpose"],
            )
            created["nätverk"] += 1
            _populate_network(network, spec, orgs, people, admin, created)
        networks[key] = network

    # Fixed, valid data (tests/networks/test_demo.py runs full_clean on every row): bulk inserts.
    activities = []
    for org_key, kommun, category, title, description, ages, when, where, contact, refer, by in ACTIVITIES:
        if org_key in new_orgs:
            age_from, age_to = ages or (None, None)
            activities.append(
                Activity(
                    organisation=orgs[org_key],
                    title=title,
                    kommun=kommuner[kommun],
                    category=category,
                    description=description,
                    age_from=age_from,
                    age_to=age_to,
                    when=when,
                    where=where,
                    contact=contact,
                    how_to_refer=refer,
                    created_by=people[by],
                    **FAMILY_FIELDS.get(title, {}),
                )
            )
    Activity.objects.bulk_create(activities)
    created["verksamheter"] = len(activities)
    _family_fields_of_an_older_demo(orgs)
    created["mottagare"] = _receivers(orgs, people)
    created["tips"] = _tips(orgs)
    # Bulk inserts: the kept pages that may show them are forgotten here (networks/kept.py).
    forget_network_pages(*(n.pk for n in networks.values()))
    forget_directory()
    return created


def _family_fields_of_an_older_demo(orgs):
    """A demo loaded before activities had fields for families gets them once: only where all of
    them are still empty (an organisation's own change is kept)."""
    for title, fields in FAMILY_FIELDS.items():
        Activity.objects.filter(
            title=title, organisation__in=orgs.values(), cost="", getting_there="", family_contact="",
            notify_email="", public=False,
        ).update(**fields)


def _receivers(orgs, people):
    """The demo's receivers of referrals, for organisations that have none."""
    named = 0
    for org_key, person_keys in RECEIVERS.items():
        organisation = orgs[org_key]
        if ReferralReceiver.objects.filter(organisation=organisation).exists():
            continue
        for key in person_keys:
            ReferralReceiver.objects.create(organisation=organisation, user=people[key], named_by=people["admin"])
            named += 1
    return named


def _tips(orgs):
    """Tips counted this term and last for a few activities (the counts only; no family)."""
    counted = 0
    this = current_term()
    terms = (this, previous_term(*this))
    for title, counts in TIPS.items():
        activity = Activity.objects.filter(title=title, organisation__in=orgs.values()).first()
        if activity is None or ActivityTipCount.objects.filter(activity=activity).exists():
            continue
        ActivityTipCount.objects.bulk_create(
            ActivityTipCount(activity=activity, term=term, year=year, count=count)
            for (term, year), count in zip(terms, counts, strict=True)
        )
        counted += sum(counts)
    return counted


def _populate_network(network, spec, orgs, people, admin, created):
    """Members, member organisations and stewardship history of a newly created network.
    No invitation e-mails: the demo people already have their accounts."""
    founded = spec["founded"]
    member_orgs = [org for _person, org, _role in spec["members"]] + spec["organisations"]
    links = NetworkOrganisation.objects.bulk_create(
        NetworkOrganisation(network=network, organisation=orgs[key], joined_on=founded)
        for key in dict.fromkeys(member_orgs)
    )
    members = NetworkMembership.objects.bulk_create(
        NetworkMembership(
            network=network,
            user=people[person],
            organisation=orgs[org_key],
            role=role,
            joined_at=_at_noon(founded),
        )
        for person, org_key, role in spec["members"]
    )
    created["medlemsorganisationer"] += len(links)
    created["medlemskap"] += len(members)
    for org_key, person, starts_on, note in spec["stewardships"]:  # oldest first
        stewardship_handover(
            network=network,
            organisation=orgs[org_key],
            contact_person=people[person],
            starts_on=starts_on,
            by=admin,
            note=note,
        )
        created["ansvarsperioder"] += 1
