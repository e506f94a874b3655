"""Verification against the photo on file, on real photos."""

from __future__ import annotations

import itertools

import pytest

from emtihan.vision import SAME_PERSON_THRESHOLD, analyse_frame, decode, verify

from .photos import PHOTOS, face_box, jpeg, photo, webcam_frame

_cache: dict[str, tuple[float, ...]] = {}


def _embedding(name: str) -> tuple[float, ...]:
    if name not in _cache:
        analysis = analyse_frame(photo(name), with_embedding=True)
        assert analysis.embedding is not None
        _cache[name] = analysis.embedding
    return _cache[name]


def test_the_same_person_is_under_the_threshold():
    distance, same = verify(_embedding("obama_2"), _embedding("obama_1"))
    assert same
    assert distance < SAME_PERSON_THRESHOLD - 0.15  # measured 0.36: a wide margin


@pytest.mark.parametrize(
    "a,b", [p for p in itertools.combinations(PHOTOS, 2) if {"obama_1", "obama_2"} != set(p)]
)
def test_different_people_are_over_the_threshold(a, b):
    distance, same = verify(_embedding(a), _embedding(b))
    assert not same
    assert distance > SAME_PERSON_THRESHOLD + 0.15  # measured 0.80-0.87


def test_a_webcam_snapshot_still_matches_the_photo_on_file():
    # A 640x480 JPEG at quality 70 with a 120 px face, as the browser sends, against the
    # other photo at full size.
    snapshot = decode(jpeg(webcam_frame(photo("obama_2"), face_box("obama_2"), 120), quality=70))
    analysis = analyse_frame(snapshot, with_embedding=True)
    assert analysis.embedding is not None
    assert verify(analysis.embedding, _embedding("obama_1")).same_person
    assert not verify(analysis.embedding, _embedding("biden_1")).same_person


def test_embeddings_are_computed_only_when_asked():
    assert analyse_frame(photo("astronaut")).embedding is None
    assert len(_embedding("astronaut")) == 128


def test_verify_refuses_embeddings_of_the_wrong_size():
    with pytest.raises(ValueError):
        verify((0.0,) * 127, (0.0,) * 128)


def test_a_broken_embedding_never_matches():
    assert not verify((float("nan"),) * 128, (0.0,) * 128).same_person
