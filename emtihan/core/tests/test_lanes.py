"""MiddlewareLane: a second middleware chain around the same URL resolution and views."""

from __future__ import annotations

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from emtihan.core.lanes import MiddlewareLane

ORDER: list[str] = []


class Outer:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ORDER.append("outer in")
        response = self.get_response(request)
        ORDER.append("outer out")
        response["X-Outer"] = "1"
        return response


class Inner(Outer):
    def __call__(self, request):
        ORDER.append("inner in")
        response = self.get_response(request)
        ORDER.append("inner out")
        return response

    def process_view(self, request, view, args, kwargs):
        ORDER.append(f"view {view.__name__}")


class Refuses(Outer):
    def process_exception(self, request, exception):
        return HttpResponse(f"handled {exception}", status=418)


class NotUsed:
    def __init__(self, get_response):
        raise MiddlewareNotUsed


def test_a_lane_runs_its_middleware_in_order_around_the_view(db):
    ORDER.clear()
    lane = MiddlewareLane([f"{__name__}.Outer", f"{__name__}.NotUsed", f"{__name__}.Inner"])

    response = lane(RequestFactory().get("/healthz"))

    assert response.status_code == 200
    assert response["X-Outer"] == "1"
    assert ORDER == ["outer in", "inner in", "view healthz", "inner out", "outer out"]


def test_a_lane_resolves_urls_and_answers_errors_as_django_does(db):
    lane = MiddlewareLane([f"{__name__}.Outer"])

    response = lane(RequestFactory().get("/no-such-page/"))

    assert response.status_code == 404
    assert response["X-Outer"] == "1"  # the error response still went out through the lane


def broken(request):
    raise ValueError("boom")


urlpatterns = [path("broken", broken)]


@pytest.mark.urls(__name__)
def test_a_lane_hands_view_exceptions_to_its_exception_middleware(db):
    lane = MiddlewareLane([f"{__name__}.Refuses"])

    response = lane(RequestFactory().get("/broken"))

    assert (response.status_code, response.content) == (418, b"handled boom")
