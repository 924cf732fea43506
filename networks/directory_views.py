"""Verksamhetskatalogen pages. (Being written.)"""
from django.views.generic import TemplateView


class _Stub(TemplateView):
    template_name = "base.html"


ActivitySearchView = ActivityCreateView = ActivityDetailView = ActivityUpdateView = ActivityDeleteView = _Stub
