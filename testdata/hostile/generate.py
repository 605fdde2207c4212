#!/usr/bin/env python3
"""Writes kpolicy's hostile-input suite into a directory (default: target/hostile).

Nothing here is committed: the large cases are hundreds of megabytes. `tests/hostile_suite.rs` runs
this script into a temporary directory and lints every case with the release-like binary, checking
that kpolicy neither panics nor overflows its stack nor grows without bound, that each bad input gets
a clear diagnostic (with a position where one exists), and that the good file beside them is still
linted. The cases are listed in CASES with what kpolicy must do about each.

Usage: generate.py [DIR] [--small]   (--small: the 500 MB file becomes 80 MB, still over the
                                        64 MiB default --max-file-size)
"""

import os
import stat
import sys

GOOD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: good
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: good}
  template:
    metadata:
      labels: {app: good}
    spec:
      containers:
        - name: app
          image: registry.example.com/good:1.0.0
"""

# name -> what kpolicy must report (checked by tests/hostile_suite.rs)
CASES = {
    "good.yaml": "linted: container-missing-memory-limit on `app`",
    "billion-laughs.yaml": "aliases are references: no expansion, linted quickly",
    "deep-flow.yaml": "100,000 nested flow sequences: yaml-syntax finding, no stack overflow",
    "deep-block.yaml": "3,000 nested block mappings: no stack overflow",
    "huge.yaml": "over --max-file-size: input error, never read whole",
    "invalid-utf8.yaml": "yaml-syntax finding at the first bad byte",
    "binary.yaml": "yaml-syntax finding: binary file",
    "nul.yaml": "yaml-syntax finding: NUL byte",
    "fifo.yaml": "a FIFO inside a walked directory is skipped (only regular files are read)",
    "loop-a.yaml": "symlink loop: not followed while walking; an input error when named",
    "loop-dir": "directory symlink to its parent: not followed",
    "unreadable.yaml": "permission denied: input error (not for root, who can read anything)",
    "duplicate-keys.yaml": "duplicate keys: the last one wins, no crash",
    "enormous-scalar.yaml": "a 40 MB scalar on one line: linted, bounded memory",
    "million-docs.yaml": "1,000,000 tiny documents: linted in linear time",
    "not-kubernetes.yaml": "unknown kinds and plain data: nothing reported",
}


def write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    small = "--small" in sys.argv
    out = args[0] if args else os.path.join("target", "hostile")
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)  # noqa: E731

    write(p("good.yaml"), GOOD)

    # Nine levels of ten aliases each: 10^9 nodes if expanded.
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join(f"*a{i - 1}" for _ in range(10))
        lines.append(f"a{i}: &a{i} [{refs}]")
    write(p("billion-laughs.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  " + "\n  ".join(lines) + "\n")

    write(p("deep-flow.yaml"), "key: " + "[" * 100_000 + "]" * 100_000 + "\n")

    deep = []
    for i in range(3_000):
        deep.append(" " * i + f"k{i}:")
    write(p("deep-block.yaml"), "\n".join(deep) + " leaf\n")

    size = (80 if small else 500) * 1024 * 1024
    chunk = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\n---\n" * 4096).encode()
    with open(p("huge.yaml"), "wb") as f:
        written = 0
        while written < size:
            f.write(chunk)
            written += len(chunk)

    write(p("invalid-utf8.yaml"), b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n", "wb")
    write(p("binary.yaml"), bytes(range(256)) * 64, "wb")
    write(p("nul.yaml"), b"apiVersion: v1\nkind: ConfigMap\x00\nmetadata: {name: x}\n", "wb")

    fifo = p("fifo.yaml")
    if os.path.lexists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)

    for name, target in [("loop-a.yaml", "loop-b.yaml"), ("loop-b.yaml", "loop-a.yaml"), ("loop-dir", ".")]:
        if os.path.lexists(p(name)):
            os.remove(p(name))
        os.symlink(target, p(name))

    write(p("unreadable.yaml"), GOOD)
    os.chmod(p("unreadable.yaml"), 0)

    write(p("duplicate-keys.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: dup}\nspec:\n  containers: []\n  containers:\n    - name: a\n      image: nginx:latest\n      image: nginx:1.27.3\n")

    write(p("enormous-scalar.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: " + "x" * (40 * 1024 * 1024) + "\n")

    with open(p("million-docs.yaml"), "w") as f:
        for _ in range(100):
            f.write("---\na: 1\n" * 10_000)

    write(p("not-kubernetes.yaml"), "kind: Widget\napiVersion: example.com/v9\nspec: {gizmo: [1, 2, {3: 4}]}\n---\n- just\n- a list\n---\nplain scalar\n")

    for name in CASES:
        assert os.path.lexists(p(name)), name
    mode = os.lstat(p("fifo.yaml")).st_mode
    assert stat.S_ISFIFO(mode)
    print(out)


if __name__ == "__main__":
    main()
