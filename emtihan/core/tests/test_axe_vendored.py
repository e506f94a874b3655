"""The axe-core the browser tests inject (``vendor/axe.min.js``) is the version pinned in
frontend/package.json and its lock file, with its licence header. A test run needs no
Node; ``scripts/verify_bundle.sh`` (CI, with npm) also checks that the file is
byte-for-byte the one in the npm package.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from emtihan.core.tests.a11y import AXE_JS

FRONTEND = Path(__file__).resolve().parents[3] / "frontend"


def test_vendored_axe_is_the_pinned_npm_version_with_its_licence():
    pinned = json.loads((FRONTEND / "package.json").read_text())["devDependencies"]["axe-core"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"pin an exact version, not {pinned!r}"
    lock = json.loads((FRONTEND / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/axe-core"]["version"] == pinned

    head = AXE_JS.read_text(encoding="utf-8")[:1000]
    assert head.startswith(f"/*! axe v{pinned}\n"), head[:40]
    assert "Deque Systems" in head
    assert "Mozilla Public" in head and "License, v. 2.0" in head
