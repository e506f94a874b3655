"""The question navigator's state labels ("not answered", "draft", "sent", ...) wrap
between words, never inside one, in every language, on a desktop and on a phone (issue 8:
Kazakh "жауап берілмеген" was cut into "берілмег-ен"). Each label the page can show is put
in a real navigator tile, and every word of it must lie on one line, inside the tile (the
labels wrap with ``overflow-wrap: normal``: a word too long for its tile would stick out
of it rather than break).
"""

from __future__ import annotations

import pytest

from emtihan.attempts.tests.test_browser_sitting import start_sitting
from emtihan.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = ["state_empty", "state_draft", "state_sent", "state_edited", "conflict_short"]

BROKEN_WORDS = """(keys) => {
  const strings = JSON.parse(document.getElementById("i18n").textContent);
  const label = document.querySelector(".nav-btn .lbl");
  const tile = label.closest(".nav-btn").getBoundingClientRect();
  const original = label.textContent, broken = [];
  for (const key of keys) {
    label.textContent = strings[key];
    const text = label.firstChild;
    let start = 0;
    for (const word of strings[key].split(" ")) {
      const range = document.createRange();
      range.setStart(text, start);
      range.setEnd(text, start + word.length);
      const rects = Array.from(range.getClientRects());
      const lines = new Set(rects.map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(`${key}: ${word}`);
      if (rects.some((r) => r.left < tile.left || r.right > tile.right)) {
        broken.push(`${key}: ${word} sticks out of its tile`);
      }
      start += word.length + 1;
    }
  }
  label.textContent = original;
  return broken;
}"""


@pytest.mark.parametrize("locale", ["kk-KZ", "ru-RU", "en-US"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_navigator_labels_break_only_between_words(new_page, world, locale, phone):
    attempt = start_sitting(world, extra_written=0)
    page = new_page(locale=locale, phone=phone)
    login(page, world.student.email, "100001")
    page.goto(f"/sitting/{attempt.pk}/")
    page.wait_for_selector(".nav-btn .lbl")
    assert page.evaluate(BROKEN_WORDS, LABELS) == []
