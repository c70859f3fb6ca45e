#!/usr/bin/env python3
"""Levin, Lischinski and Weiss, "Colorization using Optimization" (SIGGRAPH 2004): the reference
the hint benchmark (bench/suites/hints.mjs) compares colorize's hint model with.

A port of the authors' released getColorExact.m: each unhinted pixel's colour is the weighted
mean of its 3x3 neighbours', weights exp(-(Y(r) - Y(s))^2 / 2 sigma^2) normalised to sum to 1,
with 2 sigma^2 = max(0.6 * the window's variance of Y, the value that keeps the nearest
neighbour's weight >= 0.01, 2e-6); hinted pixels keep their hint. One sparse solve per channel.
The authors work in YIQ with Y in [0, 1]; here the intensity is CIELAB L / 100 and the
propagated channels are a and b, the channels colorize's models predict.

Usage: python3 bench/reference/levin.py in.json out.json
in.json:  { "size": s, "cases": [ { "L": [s*s values, 0..100], "hints": [s*s*3: a, b, mask] } ] }
out.json: { "ab": [ [s*s*2 values: a, b per pixel], ... ] } in CIELAB units, one per case.
Needs Debian's python3-numpy and python3-scipy (never needed by colorize's users).
"""
import json
import sys

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import spsolve


def levin_matrix(intensity, hinted):
    """The sparse system of getColorExact.m for an image's intensity in [0, 1] and its hint mask."""
    n, m = intensity.shape
    size = n * m
    index = np.arange(size).reshape(n, m)
    rows, cols, vals = [], [], []
    for i in range(n):
        for j in range(m):
            k = index[i, j]
            if not hinted[i, j]:
                neighbours = [(ii, jj) for ii in range(max(0, i - 1), min(n, i + 2)) for jj in range(max(0, j - 1), min(m, j + 2)) if (ii, jj) != (i, j)]
                g = np.array([intensity[ii, jj] for ii, jj in neighbours])
                t = intensity[i, j]
                window = np.append(g, t)
                c_var = np.mean((window - window.mean()) ** 2)
                csig = c_var * 0.6
                mgv = np.min((g - t) ** 2)
                csig = max(csig, -mgv / np.log(0.01), 0.000002)
                w = np.exp(-((g - t) ** 2) / csig)
                w = w / w.sum()
                for (ii, jj), wv in zip(neighbours, w):
                    rows.append(k)
                    cols.append(index[ii, jj])
                    vals.append(-wv)
            rows.append(k)
            cols.append(k)
            vals.append(1.0)
    return csr_matrix((vals, (rows, cols)), shape=(size, size))


def colorize(L, hints):
    """ab (n, m, 2) from L (n, m) in [0, 100] and hints (n, m, 3): hint a, hint b, mask."""
    hinted = hints[:, :, 2] > 0.5
    out = np.zeros(L.shape + (2,))
    if not hinted.any():
        return out  # no hint: grey, as the hint model's input then says
    A = levin_matrix(L / 100.0, hinted)
    for c in range(2):
        b = np.where(hinted, hints[:, :, c], 0.0).reshape(-1)
        out[:, :, c] = spsolve(A, b).reshape(L.shape)
    return out


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source) as f:
        data = json.load(f)
    s = data["size"]
    result = []
    for case in data["cases"]:
        L = np.array(case["L"], dtype=np.float64).reshape(s, s)
        hints = np.array(case["hints"], dtype=np.float64).reshape(s, s, 3)
        result.append(colorize(L, hints).reshape(-1).tolist())
    with open(target, "w") as f:
        json.dump({"ab": result}, f)


if __name__ == "__main__":
    main()
