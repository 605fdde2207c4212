#!/usr/bin/env bash
# Runs this repository's action.yml locally, step by step, as a GitHub runner would: the steps
# are read from action.yml (tests/action/run_action.py), with the GITHUB_* / RUNNER_* variables
# set up here.
#
#   tests/action/run-local.sh WORKSPACE [input=value ...]
#
# WORKSPACE is the checked-out repository to lint (GITHUB_WORKSPACE). Environment:
#   KPOLICY_ACTION_STATE     directory for the runner's files (step summary, outputs, RUNNER_TEMP);
#                            default: a new temporary directory, printed at the end
#   KPOLICY_ACTION_CACHE     directory that stands in for the actions/cache store (reuse it
#                            across runs to see a cache hit)
#   KPOLICY_ACTION_PREBUILT  a kpolicy binary that stands in for a warm cache (skips the build)
# The exit status is the action's.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 WORKSPACE [input=value ...]" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
workspace=$(cd "$1" && pwd)
shift
state=${KPOLICY_ACTION_STATE:-$(mktemp -d)}
mkdir -p "$state/runner-temp"

export CI=true
export GITHUB_ACTIONS=true
export GITHUB_WORKSPACE="$workspace"
export GITHUB_ACTION_PATH="$repo"
export GITHUB_STEP_SUMMARY="$state/step-summary.md"
export GITHUB_OUTPUT="$state/outputs"
export GITHUB_ENV="$state/env"
export GITHUB_PATH="$state/path"
export RUNNER_TEMP="$state/runner-temp"
export RUNNER_OS=Linux
export RUNNER_ARCH=X64
: >"$GITHUB_STEP_SUMMARY"
: >"$GITHUB_OUTPUT"
: >"$GITHUB_ENV"
: >"$GITHUB_PATH"

status=0
python3 "$repo/tests/action/run_action.py" "$repo/action.yml" "$@" || status=$?
echo "run-local: exit status $status; step summary, outputs and RUNNER_TEMP in $state" >&2
exit "$status"
