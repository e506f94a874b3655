"""service_errors: one way from a service's refusal to a page, for every view."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from emtihan.core.errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from emtihan.core.forms import ServiceErrorsMixin
from emtihan.core.pages import service_errors


class _Form(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(required=False)


def _form() -> _Form:
    form = _Form({"title": "x"})
    assert form.is_valid()
    return form


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _flashed(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_a_call_that_goes_through_is_ok_and_shows_nothing():
    form = _form()
    with service_errors(form) as call:
        result = 42
    assert call.ok and call.message == "" and result == 42
    assert not form.errors


def test_validation_messages_go_beside_the_fields_of_a_form():
    form = _form()
    with service_errors(form) as call:
        raise ValidationFailed({"title": ["Too long."], "hidden": ["Gone."]})
    assert not call.ok
    assert form.errors == {"title": ["Too long."], "__all__": ["Gone."]}


def test_a_state_refusal_goes_above_the_form():
    form = _form()
    with service_errors(form) as call:
        raise DomainError("The exam is already published.")
    assert isinstance(call.error, DomainError)
    assert form.errors == {"__all__": ["The exam is already published."]}


def test_with_a_request_every_message_is_flashed():
    request = _request()
    with service_errors(request) as call:
        raise ValidationFailed({"decision": ["Choose one."], "reason": ["Write why."]})
    assert not call.ok
    assert _flashed(request) == ["Choose one.", "Write why."]


def test_with_no_target_the_view_reads_the_message():
    with service_errors() as call:
        raise DomainError("Someone changed it meanwhile.")
    assert call.message == "Someone changed it meanwhile."


@pytest.mark.parametrize("target", [None, "form", "request"])
def test_a_permission_refusal_is_the_403_page_whatever_the_target(target):
    shown = {"form": _form, "request": _request}.get(target, lambda: None)()
    with pytest.raises(PermissionDenied, match="Not your exam."), service_errors(shown):
        raise PermissionDeniedError("Not your exam.")


def test_a_missing_object_is_the_404_page():
    with (
        pytest.raises(Http404, match="This exam sitting does not exist."),
        service_errors(_request()),
    ):
        raise NotFoundError("This exam sitting does not exist.")


def test_anything_else_is_a_bug_and_propagates():
    form = _form()
    with pytest.raises(KeyError), service_errors(form):
        raise KeyError("oops")
    assert not form.errors
