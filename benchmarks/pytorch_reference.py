#!/usr/bin/python3
"""Times the shapes of Tessera's JMH benchmarks in PyTorch (2 threads) and prints the side-by-side table.

`pairs` turns JMH's listing (-lp) into one line per benchmark and combination of its params; `measure` reads one
JMH run's CSV (ms/op per benchmark and params) and, for each row it knows, appends the FLOP count, our time and the
PyTorch time of the same computation to a rounds file; `table` prints the rounds' medians and each round's ratio
(compare-pytorch.sh runs each pair back to back, so each ratio compares runs seconds apart).
"""
import csv
import itertools
import re
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

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


CONV = {  # x shape, weight shape, transposed, stride, padding
    "conv3x3": ((8, 64, 56, 56), (64, 64, 3, 3), False, 1, 1),
    "patchEmbed": ((8, 3, 224, 224), (768, 3, 16, 16), False, 16, 0),
    "primusConvT": ((8, 256, 28, 28), (256, 128, 2, 2), True, 2, 0),
    "dptFusion": ((1, 256, 56, 56), (256, 256, 3, 3), False, 1, 1),
}


def conv(params, backward):
    xs, ws, transposed, stride, padding = CONV[params["shape"]]
    x, w = torch.randn(*xs), torch.randn(*ws) * 0.05
    b = torch.randn(ws[1] if transposed else ws[0])
    f = (lambda x, w, b: F.conv_transpose2d(x, w, b, stride, padding)) if transposed else (lambda x, w, b: F.conv2d(x, w, b, stride, padding))
    y = f(x, w, b)
    # multiply-adds: every output element of a convolution (every input element of a transposed one) sums Cin/g·k·k terms
    flops = 2.0 * (x.numel() * ws[1] * ws[2] * ws[3] if transposed else y.numel() * ws[1] * ws[2] * ws[3])
    if not backward:
        return flops, timeit(lambda: f(x, w, b))
    up = torch.randn(y.shape)

    def step():
        xg, wg, bg = x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()
        f(xg, wg, bg).backward(up)
    return 3 * flops, timeit(step)


def attention(params, backward):
    n = int(params["n"])
    q, k, v = (torch.randn(1, 12, n, 64) for _ in range(3))

    def fwd(q, k, v):  # the composed reference: the n x n scores are materialised
        return torch.softmax(q @ k.transpose(-2, -1) / 8.0, dim=-1) @ v
    flops = 4.0 * 12 * n * n * 64
    if not backward:
        return flops, timeit(lambda: fwd(q, k, v))
    up = torch.randn(1, 12, n, 64)

    def step():
        qg, kg, vg = q.clone().requires_grad_(), k.clone().requires_grad_(), v.clone().requires_grad_()
        fwd(qg, kg, vg).backward(up)
    return 3 * flops, timeit(step)


def assignment(params):
    """scipy's linear_sum_assignment (there are no FLOPs to count: only times are compared)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    r, c = map(int, params["size"].split("x"))
    cost = np.random.default_rng(5).random((r, c))
    return None, timeit(lambda: linear_sum_assignment(cost), min_time=1.0)


def ms_deform_attn(backward):
    """The composed grid_sample reference (scripts/make_fixtures.py) at the ViT-Adapter 720x720 size."""
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
    from make_fixtures import ms_deform_attn_core
    levels = [(90, 90), (45, 45), (23, 23)]
    s = sum(h * w for h, w in levels)
    value, loc = torch.randn(1, s, 8, 32), torch.rand(1, s, 8, 3, 4, 2)
    weights = torch.rand(1, s, 8, 3, 4).softmax(-1)
    if not backward:
        return None, timeit(lambda: ms_deform_attn_core(value, levels, loc, weights))
    up = torch.randn(1, s, 256)

    def step():
        v, l, w = value.clone().requires_grad_(), loc.clone().requires_grad_(), weights.clone().requires_grad_()
        ms_deform_attn_core(v, levels, l, w).backward(up)
    return None, timeit(step)


def vit(params, train):
    """The same DINOv3 ViT written from the spec (scripts/make_model_fixtures.py), batch 8 at 224x224."""
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
    import make_model_fixtures as m
    m.D, m.DEPTH, m.HEADS = (384, 12, 6) if params["size"] == "small" else (768, 12, 12)
    model = m.Vit()
    x = torch.randn(8, 3, 224, 224)
    if not train:
        model.eval()
        with torch.no_grad():
            return None, timeit(lambda: model.intermediate(x, [m.DEPTH - 1]), min_time=10)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)

    def step():
        opt.zero_grad()
        model.intermediate(x, [m.DEPTH - 1])[0].mean().backward()
        opt.step()
    return None, timeit(step, min_time=10)


KNOWN = {
    "VitBenchmark.forward": lambda p: vit(p, False),
    "VitBenchmark.trainStep": lambda p: vit(p, True),
    "MsDeformAttnBenchmark.forward": lambda p: ms_deform_attn(False),
    "MsDeformAttnBenchmark.forwardBackward": lambda p: ms_deform_attn(True),
    "AssignmentBenchmark.solve": assignment,
    "GemmBenchmark.sgemm": sgemm,
    "ConvBenchmark.forward": lambda p: conv(p, False),
    "ConvBenchmark.forwardBackward": lambda p: conv(p, True),
    "AttentionBenchmark.forward": lambda p: attention(p, False),
    "AttentionBenchmark.forwardBackward": lambda p: attention(p, True),
}


def pairs(listing):
    """From JMH's -lp listing, one line per benchmark and combination of its params: its name, then -p options."""
    benchmarks = []
    for line in listing:
        param = re.match(r'\s+param "(\w+)" = \{(.*)\}', line)
        if param:
            benchmarks[-1][1].append([(param.group(1), v.strip()) for v in param.group(2).split(",")])
        elif line.strip() and not line.startswith(" ") and line.strip() != "Benchmarks:":
            benchmarks.append((line.strip(), []))
    for name, params in benchmarks:
        for combination in itertools.product(*params):
            print(" ".join([name] + ["-p %s=%s" % kv for kv in combination]))


def measure(jmh_csv, rounds_file):
    """Times every row of one JMH run in PyTorch and appends both times, one JSON line per row, to rounds_file."""
    with open(rounds_file, "a") as out:
        for r in csv.DictReader(open(jmh_csv)):
            key = ".".join(r["Benchmark"].rsplit(".", 2)[-2:])
            params = {k[len("Param: "):]: v for k, v in r.items() if k.startswith("Param: ") and v}
            if key not in KNOWN:
                continue
            flops, theirs_ms = KNOWN[key](params)
            ours_ms = float(r["Score"]) / (1000.0 if r["Unit"].startswith("us") else 1.0)
            out.write(json.dumps({"key": key, "params": ",".join("%s=%s" % kv for kv in params.items()), "flops": flops,
                                  "ours_ms": ours_ms, "theirs_ms": theirs_ms}) + "\n")
            print("%s %s: ours %.3f ms, theirs %.3f ms" % (key, params, ours_ms, theirs_ms), file=sys.stderr)


def table(rounds_file):
    """One row per benchmark: median times over the rounds, and each round's ratio (their time / ours) beside the median."""
    rows = {}
    for line in open(rounds_file):
        m = json.loads(line)
        rows.setdefault((m["key"], m["params"]), []).append(m)
    print("| benchmark | params | Tessera ms | PyTorch/SciPy ms | Tessera GFLOP/s | PyTorch GFLOP/s | ratio per round | median ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for (key, params), ms in rows.items():
        ours, theirs = statistics.median(m["ours_ms"] for m in ms), statistics.median(m["theirs_ms"] for m in ms)
        flops = ms[0]["flops"]
        gf = lambda t: "%.1f" % (flops / t / 1e6) if flops else "-"
        ratios = [m["theirs_ms"] / m["ours_ms"] for m in ms]
        print("| %s | %s | %.3f | %.3f | %s | %s | %s | %.2f |" % (key, params, ours, theirs, gf(ours), gf(theirs),
                                                                " / ".join("%.2f" % x for x in ratios), statistics.median(ratios)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["pairs"] and len(sys.argv) == 2:
        pairs(sys.stdin)
    elif sys.argv[1:2] == ["measure"] and len(sys.argv) == 4:
        measure(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["table"] and len(sys.argv) == 3:
        table(sys.argv[2])
    else:
        sys.exit("usage: pytorch_reference.py pairs < <jmh -lp listing> | measure <jmh.csv> <rounds.jsonl> | table <rounds.jsonl>")
