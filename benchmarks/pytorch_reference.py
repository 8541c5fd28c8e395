#!/usr/bin/python3
"""Times the shapes of Tessera's JMH benchmarks in PyTorch (2 threads) and prints the side-by-side table.

Reads the JMH CSV (ms/op per benchmark and params) and, for each row it knows, the FLOP count and the PyTorch
timing of the same computation.
"""
import csv
import sys
import time

import torch

torch.set_num_threads(2)


def timeit(fn, min_time=2.0):
    for _ in range(3):
        fn()
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_time:
        fn()
        runs += 1
    return (time.perf_counter() - start) / runs * 1e3  # ms


def sgemm(params):
    n = int(params["n"])
    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2.0 * n ** 3, timeit(lambda: torch.mm(a, b))


KNOWN = {"GemmBenchmark.sgemm": sgemm}


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    print("| benchmark | params | Tessera GFLOP/s | PyTorch GFLOP/s | ratio |")
    print("|---|---|---|---|---|")
    for r in rows:
        name = r["Benchmark"].rsplit(".", 2)
        key = ".".join(name[-2:])
        params = {k[len("Param: "):]: v for k, v in r.items() if k.startswith("Param: ") and v}
        if key not in KNOWN:
            continue
        flops, torch_ms = KNOWN[key](params)
        ours_ms = float(r["Score"])
        ours, theirs = flops / ours_ms / 1e6, flops / torch_ms / 1e6
        print("| %s | %s | %.1f | %.1f | %.2f |" % (key, ",".join("%s=%s" % kv for kv in params.items()), ours, theirs, ours / theirs))


if __name__ == "__main__":
    main()
