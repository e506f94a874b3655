"""Model files: located inside installed packages, with a clear error when missing."""

from __future__ import annotations

import importlib.util

import pytest

from emtihan.vision import models


def test_the_model_files_ship_with_the_package():
    assert models.model_path(models.SHAPE_PREDICTOR_5).stat().st_size > 1_000_000
    assert models.model_path(models.FACE_RECOGNITION_RESNET).stat().st_size > 1_000_000


def test_a_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(models.ModelMissing, match="face-recognition-models is not installed"):
        models.model_path(models.SHAPE_PREDICTOR_5)


def test_a_missing_file_says_what_to_reinstall():
    with pytest.raises(models.ModelMissing, match="reinstall face-recognition-models"):
        models.model_path("no_such_model.dat")
