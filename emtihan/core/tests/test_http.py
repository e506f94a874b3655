"""next_url: only a way back into this site is followed after a form."""

from __future__ import annotations

from django.test import RequestFactory

from emtihan.core.http import next_url

factory = RequestFactory()


def test_a_path_of_this_site_is_kept_and_post_comes_before_get():
    request = factory.post("/form/?next=/from-get/", {"next": "/sitting/exams/"})
    assert next_url(request, "/home/") == "/sitting/exams/"
    assert next_url(factory.get("/form/", {"next": "/from-get/"}), "/home/") == "/from-get/"


def test_another_site_or_nothing_gives_the_default():
    for target in ("https://evil.example/", "//evil.example/x", ""):
        assert next_url(factory.post("/form/", {"next": target}), "/home/") == "/home/"


def test_a_secure_page_does_not_send_back_to_plain_http():
    request = factory.post("/form/", {"next": "http://testserver/x"}, secure=True)
    assert next_url(request, "/home/") == "/home/"
    request = factory.post("/form/", {"next": "https://testserver/x"}, secure=True)
    assert next_url(request, "/home/") == "https://testserver/x"
