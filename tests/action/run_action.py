#!/usr/bin/env python3
"""Runs the steps of a composite GitHub Action (action.yml) on this machine, as the runner would.

Used by tests/action/run-local.sh, which sets the GITHUB_* and RUNNER_* variables. The steps come
from action.yml itself, so what is tested is what users run:

- `run:` steps run with `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`), in
  `working-directory` (relative to GITHUB_WORKSPACE), with the step's `env:`, a fresh
  GITHUB_OUTPUT file per step (read back into `steps.<id>.outputs`), and GITHUB_PATH honoured.
- `${{ … }}` expressions: `inputs.*`, `steps.<id>.outputs.*`, `github.action_path`,
  `github.workspace`, `runner.temp`, `runner.os`, `runner.arch`; anything else is an error, so a
  change to action.yml that this runner cannot honour fails loudly instead of being skipped.
- `if:` conditions of the form `<expression> == '<text>'` or `!= '<text>'`.
- `uses: actions/cache/restore@…` and `actions/cache/save@…` are simulated with a local
  directory (KPOLICY_ACTION_CACHE, else a temporary one). KPOLICY_ACTION_PREBUILT names a kpolicy
  binary that stands in for a warm cache (it is put at `<path>/bin/kpolicy`, with
  cache-hit=true), so tests can skip the release build.

Inputs: `name=value` arguments override the defaults of action.yml. The action's outputs are
appended to GITHUB_OUTPUT and printed; the exit status is the failing step's, else 0.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    sys.exit("run_action.py needs PyYAML (pip install pyyaml)")

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
CONDITION = re.compile(r"(\S+)\s*(==|!=)\s*'([^']*)'")


def parse_outputs(path):
    """Reads a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks."""
    outputs = {}
    if not os.path.exists(path):
        return outputs
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            while i < len(lines) and lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            i += 1
            outputs[name] = "\n".join(value)
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


class Runner:
    def __init__(self, action_path, inputs):
        with open(action_path, encoding="utf-8") as f:
            self.action = yaml.safe_load(f)
        runs = self.action.get("runs", {})
        if runs.get("using") != "composite":
            sys.exit(f"{action_path}: not a composite action")
        declared = self.action.get("inputs", {}) or {}
        self.inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
        for name, value in inputs.items():
            if name not in declared:
                sys.exit(f"unknown input {name!r} (action.yml declares {', '.join(declared)})")
            self.inputs[name] = value
        self.steps = {}
        self.env = dict(os.environ)
        self.workspace = os.environ["GITHUB_WORKSPACE"]
        self.cache_store = os.environ.get("KPOLICY_ACTION_CACHE") or tempfile.mkdtemp(
            prefix="action-cache-"
        )

    def evaluate(self, expression):
        parts = expression.split(".")
        if parts[0] == "inputs" and len(parts) == 2 and parts[1] in self.inputs:
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        known = {
            "github.action_path": self.env["GITHUB_ACTION_PATH"],
            "github.workspace": self.workspace,
            "runner.temp": self.env["RUNNER_TEMP"],
            "runner.os": self.env["RUNNER_OS"],
            "runner.arch": self.env["RUNNER_ARCH"],
        }
        if expression in known:
            return known[expression]
        sys.exit(f"run_action.py cannot evaluate ${{{{ {expression} }}}}")

    def substitute(self, value):
        return EXPRESSION.sub(lambda m: self.evaluate(m.group(1)), str(value))

    def run_step(self, index, step):
        name = step.get("name") or step.get("id") or f"step {index + 1}"
        if "if" in step and not self.condition(name, step["if"]):
            print(f"(skipped: {name})", flush=True)
            return 0
        print(f"::group::{name}", flush=True)
        try:
            if "uses" in step:
                return self.uses(step)
            return self.run(step)
        finally:
            print("::endgroup::", flush=True)

    def condition(self, name, text):
        match = CONDITION.fullmatch(str(text).strip())
        if not match:
            sys.exit(f"{name}: run_action.py cannot evaluate `if: {text}`")
        expression, operator, literal = match.groups()
        value = self.evaluate(expression)
        return (value == literal) == (operator == "==")

    def run(self, step):
        if step.get("shell") != "bash":
            sys.exit(f"{step.get('name')}: only `shell: bash` is supported")
        env = dict(self.env)
        for key, value in (step.get("env") or {}).items():
            env[key] = self.substitute(value)
        output_dir = tempfile.mkdtemp(prefix="step-")
        env["GITHUB_OUTPUT"] = os.path.join(output_dir, "output")
        env["GITHUB_PATH"] = os.path.join(output_dir, "path")
        for path in (env["GITHUB_OUTPUT"], env["GITHUB_PATH"]):
            open(path, "w").close()
        script = os.path.join(output_dir, "script.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(self.substitute(step["run"]))
        cwd = os.path.join(self.workspace, self.substitute(step.get("working-directory", ".")))
        status = subprocess.call(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=cwd, env=env
        )
        if "id" in step:
            self.steps[step["id"]] = parse_outputs(env["GITHUB_OUTPUT"])
        with open(env["GITHUB_PATH"], encoding="utf-8") as f:
            for directory in f.read().split("\n"):
                if directory:
                    self.env["PATH"] = directory + os.pathsep + self.env["PATH"]
        shutil.rmtree(output_dir)
        return status

    def uses(self, step):
        action = step["uses"].split("@")[0]
        if action not in ("actions/cache/restore", "actions/cache/save"):
            sys.exit(f"run_action.py does not know how to run {step['uses']}")
        with_ = {k: self.substitute(v) for k, v in (step.get("with") or {}).items()}
        path, key = with_["path"], with_["key"]
        stored = os.path.join(self.cache_store, key)
        if action == "actions/cache/save":
            if os.path.isdir(stored):
                print(f"Cache already exists for key: {key}")
            else:
                shutil.copytree(path, stored)
                print(f"Cache saved with key: {key}")
            return 0
        prebuilt = os.environ.get("KPOLICY_ACTION_PREBUILT")
        if os.path.isdir(stored):
            shutil.copytree(stored, path, dirs_exist_ok=True)
            hit = "true"
            print(f"Cache restored from key: {key}")
        elif prebuilt:
            os.makedirs(os.path.join(path, "bin"), exist_ok=True)
            shutil.copy2(prebuilt, os.path.join(path, "bin", "kpolicy"))
            hit = "true"
            print(f"Cache stood in for by {prebuilt} (key {key})")
        else:
            hit = "false"
            print(f"Cache not found for key: {key}")
        if "id" in step:
            self.steps[step["id"]] = {"cache-hit": hit}
        return 0

    def main(self):
        status = 0
        for index, step in enumerate(self.action["runs"]["steps"]):
            status = self.run_step(index, step)
            if status != 0:
                print(f"::error::step {index + 1} failed with exit code {status}", flush=True)
                break
        outputs = {
            name: self.substitute(spec.get("value", ""))
            for name, spec in (self.action.get("outputs") or {}).items()
        }
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as f:
            for name, value in outputs.items():
                f.write(f"{name}={value}\n")
                print(f"output {name}={value}", flush=True)
        return status


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: run_action.py ACTION_YML [input=value ...]")
    inputs = {}
    for argument in argv[2:]:
        if "=" not in argument:
            sys.exit(f"expected input=value, got {argument!r}")
        name, value = argument.split("=", 1)
        inputs[name] = value
    return Runner(argv[1], inputs).main()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
