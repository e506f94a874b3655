"""Accessibility checks for the Chromium tests: axe-core and what axe does not check.

axe-core is pinned in ``frontend/package.json`` (devDependencies) and its ``axe.min.js``
is vendored beside this module (``vendor/axe.min.js``, licence header kept), so the tests
need no Node and no network; ``test_axe_vendored.py`` and ``scripts/verify_bundle.sh``
check that the vendored file is the pinned package's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 AA includes target size), plus axe's best
# practices; only serious and critical findings fail a test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}

_RUN = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


def axe_violations(page) -> list[dict[str, Any]]:
    """Run axe-core over the page as it is now; its serious and critical violations."""
    if not page.evaluate("() => !!window.axe"):
        # Evaluated through the DevTools protocol: an added <script> tag would be an
        # inline script, which the pages' Content-Security-Policy refuses.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(_RUN, AXE_TAGS)
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def assert_no_axe_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {where}:\n" + json.dumps(
        violations, indent=2, ensure_ascii=False
    )


_MISSING_IDREFS = """() => {
  const out = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) out.push(`${el.tagName.toLowerCase()}[${attr}=${id}]`);
      }
    }
  }
  return out;
}"""


def missing_idrefs(page) -> list[str]:
    """ARIA references (describedby, labelledby, controls) to ids not in the page.
    axe reports a dangling ``aria-describedby`` only when none of its ids exist."""
    return page.evaluate(_MISSING_IDREFS)


def ax_nodes(page, role: str) -> list[dict[str, Any]]:
    """Chromium's own accessibility tree (what a screen reader is given): the nodes of
    ``role`` with their computed name, through the DevTools protocol."""
    session = page.context.new_cdp_session(page)
    try:
        tree = session.send("Accessibility.getFullAXTree")
    finally:
        session.detach()
    out = []
    for node in tree["nodes"]:
        if node.get("ignored") or (node.get("role") or {}).get("value") != role:
            continue
        out.append(
            {
                "name": (node.get("name") or {}).get("value", ""),
                "backend": node.get("backendDOMNodeId"),
            }
        )
    return out
