"""Small request helpers every app's views use."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest, default: str = "") -> str:
    """The request's ``next`` (POST, then GET) if it points back into this site, else
    ``default``: a form never sends anybody to another site after it is saved."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default
