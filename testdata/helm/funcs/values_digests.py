#!/usr/bin/env python3
"""Records what Helm's toYaml, toYamlPretty and toJson print for every values.yaml of the shared
corpus (../shared/corpus), as SHA-256 digests (the outputs themselves are large).

Each values file becomes the values.yaml of a scratch chart whose templates print
`toYaml .Values`, `toYamlPretty .Values`, `toJson .Values` and `print .Values` (Go's `%v`). Writes values_digests.json next to
this file; tests/helm_funcs_sdk.rs compares kpolicy's output for the same parsed values.

    /tmp/venv-funcs/bin/python testdata/helm/funcs/values_digests.py
"""

import hashlib
import json
import os
import shutil
import tempfile

import helm_python as helm

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "../../../../shared/corpus"))
FUNCS = ["toYaml", "toYamlPretty", "toJson", "print"]


def main():
    files = []
    for root, _dirs, names in os.walk(CORPUS):
        for n in names:
            if n == "values.yaml":
                files.append(os.path.relpath(os.path.join(root, n), CORPUS))
    files.sort()
    out = {}
    for rel in files:
        d = tempfile.mkdtemp()
        try:
            os.makedirs(os.path.join(d, "templates"))
            with open(os.path.join(d, "Chart.yaml"), "w") as fh:
                fh.write("apiVersion: v2\nname: v\nversion: 0.1.0\n")
            shutil.copy(os.path.join(CORPUS, rel), os.path.join(d, "values.yaml"))
            for f in FUNCS:
                with open(os.path.join(d, "templates", f + ".txt"), "w") as fh:
                    fh.write("{{ %s .Values }}" % f)
            with helm.Chart.load(d) as chart:
                rendered = chart.render({}, name="release-name", namespace="default", is_install=True)
            out[rel] = {
                f: hashlib.sha256(rendered["v/templates/%s.txt" % f].encode()).hexdigest() for f in FUNCS
            }
        except Exception as e:  # noqa: BLE001
            out[rel] = {"error": str(e)[:200]}
        finally:
            shutil.rmtree(d)
    with open(os.path.join(HERE, "values_digests.json"), "w") as fh:
        json.dump({"helm": helm.helm_sdk_version(), "files": out}, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(len(out), "values files,", sum("error" in v for v in out.values()), "not renderable")


if __name__ == "__main__":
    main()
