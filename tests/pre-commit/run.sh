#!/usr/bin/env bash
# The pre-commit hooks of .pre-commit-hooks.yaml, as users get them: installs pre-commit from
# PyPI into a virtualenv, then runs `pre-commit try-repo <this repository> --ref <HEAD>` in a
# throwaway git repository, and checks that the hook fails on a bad manifest and passes on a good
# one (a Helm chart's templates among the files are skipped, not reported).
#
# Tests the committed HEAD (try-repo clones it): commit first. pre-commit builds kpolicy with
# `cargo install` (a release build); CARGO_TARGET_DIR, when set, is shared with that build.
#
# Environment: KPOLICY_PRECOMMIT_VENV (default target/pre-commit-venv), PRE_COMMIT_VERSION
# (default: a tested release). `--setup-only` creates the virtualenv (pre-commit and the PyYAML
# it depends on, which tests/action needs too) and stops.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
venv=${KPOLICY_PRECOMMIT_VENV:-$repo/target/pre-commit-venv}
version=${PRE_COMMIT_VERSION:-4.7.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/pre-commit" ] || [ "$("$venv/bin/pre-commit" --version)" != "pre-commit $version" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==$version"
fi
if [ "${1:-}" = --setup-only ]; then
  exit 0
fi
rev=$(git -C "$repo" rev-parse HEAD)
if [ -n "$(git -C "$repo" status --porcelain -- .pre-commit-hooks.yaml src Cargo.toml Cargo.lock)" ]; then
  echo "pre-commit test: note: uncommitted changes are not tested (try-repo uses $rev)" >&2
fi

export PRE_COMMIT_HOME="$work/pre-commit-home"
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.invalid
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.invalid
fixture="$work/fixture"
mkdir -p "$fixture/k8s" "$fixture/chart/templates"
cd "$fixture"
git init --quiet
cat >k8s/bad.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
YAML
cat >k8s/good.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: ok
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
    resources:
      requests: {cpu: 100m}
      limits: {memory: 128Mi}
---
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    default: {memory: 256Mi}
YAML
cat >chart/Chart.yaml <<'YAML'
apiVersion: v2
name: demo
version: 0.1.0
YAML
cat >chart/templates/deployment.yaml <<'YAML'
{{- if .Values.enabled }}
kind: {{ .Values.kind }}
{{- end }}
YAML
git add -A
git commit --quiet -m fixture

start=$(date +%s)
status=0
"$venv/bin/pre-commit" try-repo "$repo" kpolicy --ref "$rev" --color never --files k8s/bad.yaml \
  >"$work/bad.log" 2>&1 || status=$?
cat "$work/bad.log"
echo "pre-commit test: try-repo (with the hook's build) took $(($(date +%s) - start)) s"
if [ "$status" -ne 1 ] || ! grep -q 'k8s/bad.yaml:9:9: warning\[container-missing-memory-limit\]' "$work/bad.log"; then
  echo "pre-commit test: FAILED: the hook should fail on k8s/bad.yaml (exit $status)" >&2
  exit 1
fi

# try-repo builds in a throwaway store every time; a `repo:` entry, as users write it, is built
# once into PRE_COMMIT_HOME and reused by the next runs.
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: kpolicy
      - id: kpolicy-repo
YAML
git add .pre-commit-config.yaml
start=$(date +%s)
status=0
"$venv/bin/pre-commit" run kpolicy --color never --files k8s/good.yaml chart/Chart.yaml chart/templates/deployment.yaml \
  >"$work/good.log" 2>&1 || status=$?
cat "$work/good.log"
echo "pre-commit test: pre-commit run (with the hook's build) took $(($(date +%s) - start)) s"
if [ "$status" -ne 0 ] || ! grep -q '^kpolicy\.*Passed' "$work/good.log"; then
  echo "pre-commit test: FAILED: the hook should pass on good files and skip chart templates (exit $status)" >&2
  exit 1
fi

status=0
"$venv/bin/pre-commit" run kpolicy-repo --color never --all-files \
  >"$work/repo.log" 2>&1 || status=$?
cat "$work/repo.log"
if [ "$status" -ne 1 ] || ! grep -q 'k8s/bad.yaml:9:9:' "$work/repo.log" || grep -q 'templates/deployment.yaml:' "$work/repo.log"; then
  echo "pre-commit test: FAILED: kpolicy-repo should lint the whole repository and fail (exit $status)" >&2
  exit 1
fi
echo "pre-commit: 3 passed, 0 failed"
