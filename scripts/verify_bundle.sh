#!/usr/bin/env bash
# Rebuild the exam page's bundle from frontend/ (npm ci + build) and fail if it differs
# from the committed one under emtihan/attempts/static/attempts/ (changed, missing or
# extra files), or if the vendored axe-core of the accessibility tests is not the pinned
# package's. CI calls this; so can anyone who changed frontend/src.
#
#   scripts/verify_bundle.sh           # check
#   scripts/verify_bundle.sh --fix     # rebuild and leave the result in place to commit
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=emtihan/attempts/static/attempts

if ! command -v npm >/dev/null 2>&1; then
  echo "verify_bundle: npm is not installed (Node 20+ is needed to rebuild the bundle)" >&2
  exit 2
fi

(cd frontend && npm ci --no-audit --no-fund --loglevel=error && BUILD_QUIET="${BUILD_QUIET:-0}" npm run --silent build)

# axe-core for the accessibility tests is vendored (the tests need no Node): it must be
# the file of the package version pinned in frontend/package.json.
AXE=emtihan/core/tests/vendor/axe.min.js
if [ "${1:-}" = "--fix" ]; then
  cp frontend/node_modules/axe-core/axe.min.js "$AXE"
  echo "verify_bundle: rebuilt $OUT and copied $AXE"
  exit 0
fi
if ! cmp -s frontend/node_modules/axe-core/axe.min.js "$AXE"; then
  echo "verify_bundle: $AXE is not the axe.min.js of the axe-core pinned in frontend/package.json." >&2
  echo "Copy it with 'scripts/verify_bundle.sh --fix' and commit it." >&2
  exit 1
fi

# Compare with git's index (what is committed or staged to be): modified or deleted
# files, and new files git does not know.
changes="$(git diff --name-status -- "$OUT"; git ls-files --others --exclude-standard -- "$OUT")"
if [ -n "$changes" ]; then
  echo "verify_bundle: the committed bundle differs from a clean build of frontend/:" >&2
  echo "$changes" >&2
  echo "Rebuild with 'scripts/verify_bundle.sh --fix' (or cd frontend && npm ci && npm run build) and commit $OUT." >&2
  exit 1
fi
echo "verify_bundle: $OUT matches a clean build of frontend/, and $AXE the pinned axe-core"
