"""Asking before anything destructive: one confirmation page for every "Delete", "Remove",
"Cancel the work" of the site.

It works without JavaScript and under the strict Content-Security-Policy (no inline
script): the action's link opens this page (GET), and a form posted without
``confirmed=yes`` comes back to it too (a stale tab, a script). The page says what will be
lost, posts the same fields again with ``confirmed=yes`` and offers "Cancel". So the view
reads:

    if not confirmed(request):
        return confirmation_page(request, title=..., question=..., button=..., cancel_url=...)
    ... the service call ...
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED) == "yes"


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    button: str,
    cancel_url: str,
    consequences: str = "",
    keep: Iterable[str] = (),
) -> HttpResponse:
    """The page that asks; ``keep`` names posted fields to post again (a decision and its
    reason). ``cancel_url`` must be a URL of this site (the caller builds it)."""
    kept = (
        [(name, value) for name in keep for value in request.POST.getlist(name)]
        if request.method == "POST"
        else []
    )
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "question": question,
            "consequences": consequences,
            "button": button,
            "cancel_url": cancel_url,
            "kept": kept,
            "confirmed_field": CONFIRMED,
        },
    )
