"""Network pages. (Being written.)"""
from django.views.generic import TemplateView


class _Stub(TemplateView):
    template_name = "base.html"


NetworkListView = NetworkCreateView = NetworkDetailView = NetworkUpdateView = _Stub
RegionalOverviewView = MemberInviteView = MemberRoleView = MemberRemoveView = _Stub
NetworkOrganisationAddView = NetworkOrganisationRemoveView = StewardshipHandoverView = _Stub


def invitation_accept(request, uidb64, token):
    raise NotImplementedError
