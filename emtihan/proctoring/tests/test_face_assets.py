"""The face worker's files as served: the models the worker loads and nothing more, the
issue's 8 MB budget for them, and a year's cache for the versioned folders only
(docs/PROCTORING.md, "Browser-side face analysis")."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parents[3]
STATIC = REPO / "emtihan/attempts/static/attempts"
ASSETS_TS = REPO / "frontend/src/proctoring/face/assets.ts"
MODEL_BUDGET = 8 * 1024 * 1024


def _const(name: str) -> str:
    match = re.search(rf'export const {name} = "([^"]+)";', ASSETS_TS.read_text())
    assert match, name
    return match.group(1)


def test_only_the_models_the_worker_loads_within_the_budget():
    models = STATIC / _const("MODELS_DIR")
    names = sorted(p.name for p in models.iterdir())
    assert names == [
        f"{m}.{ext}" for m in ("blazeface", "centernet", "facemesh") for ext in ("bin", "json")
    ]
    total = sum(p.stat().st_size for p in models.iterdir())
    assert total <= MODEL_BUDGET, f"the face models are {total} bytes, over the 8 MB budget"
    wasm = sorted(p.name for p in (STATIC / _const("WASM_DIR")).iterdir())
    assert wasm == ["tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm.wasm"]
    assert (STATIC / _const("WORKER_FILE")).is_file()


def test_versioned_face_folders_are_cached_for_a_year_the_worker_script_is_not():
    _immutable_static = settings.WHITENOISE_IMMUTABLE_FILE_TEST
    base = "/static/attempts/"
    assert _immutable_static("", base + _const("MODELS_DIR") + "facemesh.bin")
    assert _immutable_static("", base + _const("WASM_DIR") + "tfjs-backend-wasm-simd.wasm")
    assert not _immutable_static("", base + _const("WORKER_FILE"))
    assert not _immutable_static("", base + "face.js")
