"""factory-boy factories shared by the suite."""

import factory
from django.contrib.auth import get_user_model

from networks.models import (
    Activity,
    Kommun,
    Network,
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    Stewardship,
)

PASSWORD = "ett-långt-testlösenord-42"


def kommun(name):
    """A real kommun from the reference data (loaded by the migrations; reloaded here after
    a transactional test flushed the tables)."""
    if not Kommun.objects.exists():
        from networks.geography import load_geography
        from networks.models import Lan

        load_geography(Lan, Kommun)
    return Kommun.objects.select_related("lan").get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@exempel.se")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    phone = factory.Sequence(lambda n: f"070-{n:07d}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.KOMMUN
    kommun = factory.LazyFunction(lambda: kommun("Växjö"))
    lan = factory.LazyAttribute(lambda o: o.kommun.lan)


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = "Handläggare"


class RegionalNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Regionalt nätverk {n}")
    kind = Network.Kind.REGIONAL
    lan = factory.LazyFunction(lambda: kommun("Växjö").lan)
    purpose = "Vi samverkar kring barn och familjer i länet."


class LocalNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Lokalt nätverk {n}")
    kind = Network.Kind.LOCAL
    kommun = factory.LazyFunction(lambda: kommun("Växjö"))
    lan = factory.LazyAttribute(lambda o: o.kommun.lan)
    purpose = "Vi samverkar kring barn och familjer i kommunen."


class NetworkOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkOrganisation

    network = factory.SubFactory(LocalNetworkFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A network member; their organisation becomes a member organisation too."""

    class Meta:
        model = NetworkMembership
        skip_postgeneration_save = True

    network = factory.SubFactory(LocalNetworkFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = NetworkMembership.Role.PARTICIPANT

    @factory.post_generation
    def _links(obj, create, extracted, **kwargs):
        if create:
            NetworkOrganisation.objects.get_or_create(network=obj.network, organisation=obj.organisation)
            OrganisationMembership.objects.get_or_create(user=obj.user, organisation=obj.organisation)


class StewardshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stewardship

    network = factory.SubFactory(LocalNetworkFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    contact_person = factory.SubFactory(UserFactory)
    starts_on = factory.Faker("date_this_year")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Verksamhet {n}")
    description = "En öppen mötesplats för familjer med barn."
    category = Activity.Category.MOTESPLATS
    kommun = factory.LazyAttribute(lambda o: o.organisation.kommun or kommun("Växjö"))
    contact = "Kontakt via växeln"
