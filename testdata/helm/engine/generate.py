#!/usr/bin/env python3
"""Renders every chart in this directory with the real Helm SDK and writes what Helm produced to
expected/<template name>, the files tests/helm_engine.rs compares kpolicy's engine against.

Run: python3 -m venv /tmp/venv-engine && /tmp/venv-engine/bin/pip install helm-python-sdk==0.2.2
     /tmp/venv-engine/bin/python testdata/helm/engine/generate.py
"""
import os
import shutil
import sys

import helm_python as helm

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "expected")


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    for chart in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, chart)
        if not os.path.isfile(os.path.join(path, "Chart.yaml")):
            continue
        with helm.Chart.load(path) as c:
            manifests = c.render({}, name="release-name", namespace="default", is_install=True)
        for name, text in sorted(manifests.items()):
            base = os.path.basename(name)
            if base.startswith("_") or base == "NOTES.txt" or "/tests/" in name:
                continue
            dest = os.path.join(OUT, name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"{name}: {len(text)} bytes", file=sys.stderr)
    with open(os.path.join(OUT, "VERSION"), "w", encoding="utf-8") as f:
        f.write(f"helm-python-sdk 0.2.2, Helm SDK {helm.helm_sdk_version()}\n")


if __name__ == "__main__":
    main()
