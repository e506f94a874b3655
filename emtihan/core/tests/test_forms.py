"""ServiceErrorsMixin: a service's messages land where the person will see them."""

from __future__ import annotations

from django import forms

from emtihan.core.forms import ServiceErrorsMixin


class _Form(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(required=False)
    material = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _shown(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    form = _Form({"title": "x"})
    assert form.is_valid()
    form.show_errors(errors)
    return {name: list(messages) for name, messages in form.errors.items()}


def test_a_message_for_a_shown_field_goes_beside_it():
    assert _shown({"title": ["Too short."]}) == {"title": ["Too short."]}


def test_a_message_for_a_hidden_or_unknown_field_goes_above_the_form():
    assert _shown({"material": ["Gone."], "__all__": ["Refused."], "other": ["Odd."]}) == {
        "__all__": ["Gone.", "Refused.", "Odd."]
    }
