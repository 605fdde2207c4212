#!/usr/bin/env python3
"""Renders Helm charts with the real Helm SDK (PyPI helm-python-sdk) for tests/helm_diff.rs.

Usage: sdk_render.py OUT.json CHART_DIR...

Writes {"sdk": VERSION, "charts": {CHART_DIR: {"ok": bool, "error": str, "seconds": float,
"manifests": {TEMPLATE_PATH: TEXT}, "manifest": TEXT}}}: `manifests` is the per-template output of
an offline render (release `release-name`, namespace `default`, an install, default values);
`manifest` is what `helm template` prints before its hooks (a client-side dry-run install, sorted
by kind), when that succeeds; `unstable` lists the templates whose text differs between two
renders (random passwords, dates), which no other renderer can be expected to reproduce. Every
chart is rendered in this one process, so start-up is paid once; `seconds` is one render.
"""

import json
import sys
import time

import helm_python as helm

KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: offline, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: offline, context: {cluster: offline, user: offline}}]
current-context: offline
users: [{name: offline, user: {token: offline}}]
"""


def render(path, config):
    result = {"ok": False, "error": "", "seconds": 0.0, "manifests": {}, "manifest": None, "unstable": []}
    started = time.perf_counter()
    try:
        with helm.Chart.load(path) as chart:
            result["manifests"] = chart.render(
                {}, name="release-name", namespace="default", is_install=True
            )
            result["seconds"] = time.perf_counter() - started
            result["ok"] = True
            again = chart.render({}, name="release-name", namespace="default", is_install=True)
            result["unstable"] = sorted(
                name for name, text in result["manifests"].items() if again.get(name) != text
            )
            try:
                release = config.install(chart, "release-name", {}, dry_run="client")
                result["manifest"] = release.get("manifest")
            except helm.HelmError as error:  # sorting, kubeVersion checks: recorded, not fatal
                result["manifest_error"] = str(error)
    except helm.HelmError as error:
        result["seconds"] = time.perf_counter() - started
        result["error"] = f"{type(error).__name__}: {error}"
    return result


def main():
    out, charts = sys.argv[1], sys.argv[2:]
    helm.disable_logging()
    results = {}
    with helm.Config(kubeconfig_content=KUBECONFIG, storage_driver="memory", namespace="default") as config:
        for path in charts:
            results[path] = render(path, config)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"sdk": helm.helm_sdk_version(), "charts": results}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
