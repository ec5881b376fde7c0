"""PyTorch rows of `npm run bench`: GEMM n³, the mnist-cnn-bn training step and inference, on CPU.

Spawned by src/torch.ts (never by `npm test`). Usage:
    python3 torch_bench.py '{"threads": [1, 2], "gemm": [512], "train": {"batch": 64}, "infer": {"batch": 256}}'
    python3 torch_bench.py --serve     (used by `--baseline`'s interleaved A/B rounds, see serve() below)
Every key but "threads" is optional. Prints one JSON object on stdout:
    {"torch": "1.13.0", ..., "rows": [{"task", "threads", "ms", "bestMs", "reps"}, ...]}
Timing is measured like src/timing.ts measures hw3: warm-up calls (excluded), then timed calls until a time budget
is spent (at least `minReps`, at most 200), median and fastest call. The data is seeded synthetic (timing only).

The net is apps/bench/src/mnist-cnn-bn.ts (= @hw3/shape's mnistCnnBn): conv 3x3 1->8, padding 1 (= 'same' for a
3x3 kernel, stride 1) -> BatchNorm2d -> ReLU -> MaxPool2d(2) (stride 2) -> conv 3x3 8->16, padding 1 -> BatchNorm2d
-> ReLU -> MaxPool2d(2) -> flatten (16*7*7 = 784) -> Linear(784, 10); cross-entropy (mean); Adam(lr 1e-3, betas
(0.9, 0.999), eps 1e-8, no weight decay: PyTorch's and hw3's defaults). 9,146 parameters (checked below).
PyTorch's layout is NCHW, hw3's NHWC: the same arithmetic (the flatten order differs, which only permutes the
linear layer's weights). The default NCHW memory format is what a PyTorch user gets.
"""

import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

PARAMETERS = 9146  # apps/bench/src/mnist-cnn-bn.ts, packages/shape/src/mnist-cnn-bn.ts


def measure(fn, budget_ms=400.0, min_reps=3, warmup=1):
    """The same loop as src/timing.ts `measure` (median of timed calls after warm-up)."""
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while True:
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000.0)
        spent = (time.perf_counter() - start) * 1000.0
        if spent >= budget_ms and (len(times) >= min_reps or times[0] >= budget_ms):
            break
        if len(times) >= 200:
            break
    times.sort()
    return {"ms": times[len(times) // 2], "bestMs": times[0], "reps": len(times)}


def mnist_cnn_bn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=1, padding=1),
        nn.BatchNorm2d(8),  # eps 1e-5, momentum 0.1 (as @hw3/batchnorm)
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, stride=1, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(784, 10),
    )


def synthetic(batch, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, 1, 28, 28, generator=g)
    labels = torch.randint(0, 10, (batch,), generator=g)
    return x, labels


def bench_gemm(n):
    g = torch.Generator().manual_seed(1)
    a = torch.rand(n, n, generator=g) * 2 - 1
    b = torch.rand(n, n, generator=g) * 2 - 1
    c = torch.empty(n, n)
    return measure(lambda: torch.mm(a, b, out=c))


def bench_train(batch):
    torch.manual_seed(1)
    model = mnist_cnn_bn()
    count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if count != PARAMETERS:
        raise SystemExit(f"torch_bench.py: mnist-cnn-bn has {count} parameters, expected {PARAMETERS}")
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    x, labels = synthetic(batch, 21)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    # As src/model-benches.ts: two warm-up steps, 1.5 s budget.
    return measure(step, budget_ms=1500.0, warmup=2)


def bench_infer(batch):
    torch.manual_seed(1)
    model = mnist_cnn_bn()
    model.eval()
    x, _ = synthetic(batch, 22)

    def predict():
        with torch.no_grad():
            return model(x)

    return measure(predict)


def blas_library():
    """The BLAS shared library this process loaded (Debian: /etc/alternatives picks reference BLAS or OpenBLAS)."""
    import os

    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "blas" in os.path.basename(path).lower():
                    return os.path.realpath(path)
    except OSError:
        pass
    return "unknown"


def serve():
    """Line protocol of src/ab-runner.ts: prints {"ready": true, ...}; then for each request line
    {"task": "train" | "infer", "threads": n, "budgetMs": ms} prints {"times": [ms, ...]} (at least 2 timed calls until
    the budget is spent; a model's first request starts with 2 warm-up calls), or {"error": message}."""
    models = {}
    train_x, train_y = synthetic(64, 21)
    infer_x, _ = synthetic(256, 22)
    print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            task, threads, budget = request["task"], int(request["threads"]), float(request["budgetMs"])
            if task not in ("train", "infer"):
                raise ValueError(f"unknown task {task!r}")
            torch.set_num_threads(threads)
            key = (task, threads)
            is_new = key not in models
            if is_new:
                torch.manual_seed(1)
                model = mnist_cnn_bn()
                count = sum(p.numel() for p in model.parameters() if p.requires_grad)
                if count != PARAMETERS:
                    raise ValueError(f"mnist-cnn-bn has {count} parameters, expected {PARAMETERS}")
                if task == "train":
                    model.train()
                    models[key] = (model, torch.optim.Adam(model.parameters(), lr=1e-3))
                else:
                    model.eval()
                    models[key] = (model, None)
            model, optimizer = models[key]
            if task == "train":

                def call():
                    optimizer.zero_grad()
                    loss = F.cross_entropy(model(train_x), train_y)
                    loss.backward()
                    optimizer.step()
                    return loss.item()

            else:

                def call():
                    with torch.no_grad():
                        return model(infer_x)

            if is_new:
                call()
                call()
            times = []
            start = time.perf_counter()
            while (time.perf_counter() - start) * 1000.0 < budget or len(times) < 2:
                t = time.perf_counter()
                call()
                times.append((time.perf_counter() - t) * 1000.0)
                if len(times) >= 200:
                    break
            print(json.dumps({"times": times}), flush=True)
        except Exception as error:  # reported to the parent, which stops with the message
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve()
        return
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"threads": [1], "gemm": [512]}
    rows = []
    for threads in config.get("threads", [1]):
        torch.set_num_threads(int(threads))
        for n in config.get("gemm", []):
            rows.append({"task": f"gemm {n}", "n": n, "threads": threads, **bench_gemm(n)})
        if "train" in config:
            batch = config["train"]["batch"]
            rows.append({"task": "train", "batch": batch, "threads": threads, **bench_train(batch)})
        if "infer" in config:
            batch = config["infer"]["batch"]
            rows.append({"task": "infer", "batch": batch, "threads": threads, **bench_infer(batch)})
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "python": sys.version.split()[0],
                "mkldnn": bool(torch.backends.mkldnn.is_available()),
                "blas": blas_library(),
                "rows": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
