#!/usr/bin/python3
"""SciPy's linear_sum_assignment on the instances of a directory laid out as ../shared/data/assignment.

Usage: scipy_assign.py DIR [REPEATS]. Prints one JSON line per instance: {"instance", "cost", "ms"}, where ms is
the best of REPEATS (default 3) timed solves, loading excluded. Forbidden pairs are +inf (dense) and the sparse
OR-Library instances are solved densely with every missing pair +inf, as the data's README obtained the optima.
The peer of `dotnet run -c Release --project bench/Jarvis.Bench -- assign DIR` (docs/benchmarks.md).
"""
import gzip
import json
import os
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment


def tokens(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return f.read().split()


def load(path):
    name = os.path.basename(path)
    t = tokens(path)
    if name.startswith("rand_"):
        n, m = int(t[0]), int(t[1])
        cells = np.array([np.inf if x == "x" else float(x) for x in t[2:2 + n * m]]).reshape(n, m)
        return cells
    n = int(t[0])
    if name.startswith("assignp"):
        a = np.array(t[1:], dtype=np.int64).reshape(-1, 3)
        cells = np.full((n, n), np.inf)
        cells[a[:, 0] - 1, a[:, 1] - 1] = a[:, 2]
        return cells
    return np.array(t[1:1 + n * n], dtype=float).reshape(n, n)


def main():
    directory = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(os.path.join(directory, "optima.json")) as f:
        optima = json.load(f)
    for group in ("orlib", "random"):
        for entry in optima.get(group, []):
            name = entry.get("name") or os.path.basename(entry["file"]).split(".")[0]
            cells = load(os.path.join(directory, entry["file"]))
            best = None
            for _ in range(repeats):
                start = time.perf_counter()
                rows, cols = linear_sum_assignment(cells)
                elapsed = (time.perf_counter() - start) * 1000
                best = elapsed if best is None else min(best, elapsed)
            cost = cells[rows, cols].sum()
            print(json.dumps({"instance": name, "cost": int(cost), "ms": round(best, 3)}), flush=True)


if __name__ == "__main__":
    main()
