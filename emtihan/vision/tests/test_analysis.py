"""analyse_frame's result, and the package's one rule of layering."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from emtihan.vision import analyse_frame

from .photos import face_box, photo, webcam_frame


def test_a_frame_with_a_face():
    analysis = analyse_frame(webcam_frame(photo("biden_1"), face_box("biden_1"), 150))
    assert (analysis.width, analysis.height, analysis.face_count) == (640, 480, 1)
    assert analysis.primary is analysis.faces[0]
    assert analysis.pose is not None and analysis.quality is not None
    assert analysis.embedding is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.faces = ()  # type: ignore[misc]


def test_an_empty_frame_has_no_pose_quality_or_embedding():
    analysis = analyse_frame(np.full((480, 640, 3), 30, np.uint8), with_embedding=True)
    assert analysis.face_count == 0
    assert analysis.primary is None
    assert (analysis.pose, analysis.quality, analysis.embedding) == (None, None, None)


def test_the_package_imports_no_django():
    code = (
        "import sys, emtihan.vision; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
