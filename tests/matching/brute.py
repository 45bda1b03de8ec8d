"""Brute-force O(n^2) references for the matchers (test helper, not a test module)."""

from __future__ import annotations

import numpy as np


def brute_nn(st, sc, k, replace, ties, caliper, order):
    """Greedy nearest neighbour by full scans; ties broken by (distance, score, row)."""
    avail = np.ones(len(sc), bool)
    out = []
    for _round in range(1 if replace else k):
        for i in order:
            d = np.abs(st[i] - sc)
            key = [
                j
                for j in np.lexsort((np.arange(len(sc)), sc, d))
                if (replace or avail[j]) and d[j] <= caliper
            ]
            if not key:
                continue
            if replace:
                take = key[:k]
                if ties and len(take) == k:
                    take = [j for j in key if d[j] <= d[take[-1]]]
            else:
                take = [key[0]]
                if ties:
                    take = [j for j in key if d[j] == d[key[0]]]
            for j in take:
                out.append((int(i), int(j)))
                avail[j] = False if not replace else avail[j]
    return sorted(out)


def kernel_value(u, kernel):
    a = abs(u)
    if kernel == "normal":
        return np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi)
    if a > 1:
        return 0.0
    return {
        "epan": 1 - u * u,
        "biweight": (1 - u * u) ** 2,
        "uniform": 1.0,
        "tricube": (1 - a**3) ** 3,
    }[kernel]


def brute_kernel(st, sc, kernel, h):
    """psmatch2 kernel weights: control weight = sum over treated of normalised kernel values."""
    w = np.zeros(len(sc))
    matched = np.zeros(len(st), bool)
    for i, p in enumerate(st):
        k = np.array([kernel_value((c - p) / h, kernel) for c in sc])
        if k.sum() > 0:
            w += k / k.sum()
            matched[i] = True
    return w, matched
