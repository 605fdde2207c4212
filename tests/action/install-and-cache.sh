#!/usr/bin/env bash
# The action's install path for real: run action.yml (tests/action/run-local.sh) with an empty
# cache, so its step runs `cargo install --locked --path <action>`; then again with the cache the
# first run saved, which must restore kpolicy without building. Prints the time of each run.
# CARGO_TARGET_DIR, when set, is used by the build (CI shares it with the pre-commit test).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/workspace/.git" "$work/workspace/k8s"
cp "$repo/examples/elastalert.yaml" "$work/workspace/k8s/"
export KPOLICY_ACTION_CACHE="$work/cache"
unset KPOLICY_ACTION_PREBUILT

failures=0
check() {
  if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1" >&2; failures=$((failures + 1)); fi
}

for attempt in cold warm; do # cold: empty actions/cache; warm: what the first run saved
  state="$work/state-$attempt"
  start=$(date +%s)
  status=0
  KPOLICY_ACTION_STATE="$state" "$repo/tests/action/run-local.sh" "$work/workspace" \
    paths=k8s sarif-file=kpolicy.sarif >"$work/$attempt.out" 2>"$work/$attempt.err" || status=$?
  echo "action ($attempt cache): exit $status in $(($(date +%s) - start)) s"
  check "$attempt: exit status 1 (warnings, fail-on warning)" '[ "$status" -eq 1 ]'
  check "$attempt: annotations" 'grep -q "^::warning file=k8s/elastalert.yaml,line=27," "$work/$attempt.out"'
  check "$attempt: SARIF written" '[ -s "$work/workspace/kpolicy.sarif" ]'
  check "$attempt: step summary" 'grep -q "^| \[\`container-missing-memory-limit\`\]" "$state/step-summary.md"'
  check "$attempt: exit-code output" 'grep -qx "exit-code=1" "$state/outputs"'
  rm -f "$work/workspace/kpolicy.sarif"
done
check "cold: built with cargo install" 'grep -q "Installing kpolicy" "$work/cold.err"'
check "cold: cache saved" 'grep -q "Cache saved with key: kpolicy-Linux-X64-" "$work/cold.out"'
check "warm: restored, not built" 'grep -q "Cache restored from key" "$work/warm.out" && ! grep -q "Compiling\|Installing" "$work/warm.err"'
if [ "$failures" -ne 0 ]; then
  cat "$work/cold.out" "$work/cold.err" >&2
  echo "action install: 0 passed, $failures failed"
  exit 1
fi
echo "action install: 13 passed, 0 failed"
