"""The networks' models, by concept: where and who (``organisations``), the networks themselves
(``networks``) and what the organisations offer families (``directory``). Everything is
imported from ``networks.models`` as before."""

from .directory import (  # noqa: F401
    Activity,
    ActivityTipCount,
    ReferralReceiver,
    ReferralReceiverQuerySet,
)
from .networks import (  # noqa: F401
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    NetworkQuerySet,
    Stewardship,
)
from .organisations import (  # noqa: F401
    Kommun,
    Lan,
    Organisation,
    OrganisationMembership,
)
