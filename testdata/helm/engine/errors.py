#!/usr/bin/env python3
"""Renders each template of errors-cases.json as the only template of a one-file chart with the
real Helm SDK and writes the error Helm reports to errors-expected.json, which
tests/helm_engine.rs checks kpolicy's messages against (Helm's message must contain ours).

Run: /tmp/venv-engine/bin/python testdata/helm/engine/errors.py
"""
import json
import os
import shutil
import tempfile

import helm_python as helm

HERE = os.path.dirname(os.path.abspath(__file__))
VALUES = '{"name": "web", "n": 3, "list": ["a", null], "nul": null, "m": {"k": "v"}, "str": "s"}\n'


def main():
    with open(os.path.join(HERE, "errors-cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    out = []
    tmp = tempfile.mkdtemp()
    try:
        for i, src in enumerate(cases):
            d = os.path.join(tmp, f"c{i}")
            os.makedirs(os.path.join(d, "templates"))
            with open(os.path.join(d, "Chart.yaml"), "w") as f:
                f.write("apiVersion: v2\nname: p\nversion: 0.1.0\n")
            with open(os.path.join(d, "values.yaml"), "w") as f:
                f.write(VALUES)
            with open(os.path.join(d, "templates", "t.yaml"), "w") as f:
                f.write(src)
            try:
                with helm.Chart.load(d) as c:
                    c.render({}, name="release-name", namespace="default", is_install=True)
                error = None
            except helm.HelmError as e:
                error = str(e)
            out.append({"template": src, "helm_error": error})
    finally:
        shutil.rmtree(tmp)
    with open(os.path.join(HERE, "errors-expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
