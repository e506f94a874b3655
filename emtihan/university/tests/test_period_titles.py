"""An academic period's title reads in the page's language (issue 8: it stayed English on
Kazakh and Russian pages); a language left empty falls back to Kazakh, then Russian."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_the_title_follows_the_language(world):
    period = world.period
    for language, title in (
        ("kk", "2026-2027 оқу жылы, күзгі семестр"),
        ("ru", "2026-2027 учебный год, осенний семестр"),
        ("en", "2026-2027, autumn"),
    ):
        with translation.override(language):
            assert period.title == title == str(period)
    period.title_en = ""
    with translation.override("en"):
        assert period.title == "2026-2027 оқу жылы, күзгі семестр"


@pytest.mark.parametrize(
    ("language", "title"),
    [("kk", "2026-2027 оқу жылы, күзгі семестр"), ("ru", "2026-2027 учебный год, осенний семестр")],
)
def test_the_teacher_and_the_head_read_it_in_their_language(client, world, language, title):
    for user, url in ((world.teacher, "examforms:teacher_list"), (world.head, "examforms:review")):
        client.force_login(user)
        # The page activates its language in this thread: put the tests' own back after.
        with translation.override(translation.get_language()):
            page = client.get(reverse(url), headers={"accept-language": language})
        assert title in page.content.decode()
        assert "2026-2027, autumn" not in page.content.decode()
