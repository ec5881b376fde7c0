#!/usr/bin/env python3
"""PyTorch parity check of @hw3/core's PyTorch-layout state dicts (not part of `npm test`).

Run from anywhere, with a Python that has torch (here /usr/bin/python3, PyTorch 1.13 CPU):

    python3 apps/playground/scripts/torch-parity.py

1. hw3 -> PyTorch: `torch-parity.ts export` trains mnist-cnn-bn with hw3 (real MNIST, a few Adam steps) and writes
   it with saveTorchSafetensors; this script loads the file with safetensors.torch.load_file (or, when the
   `safetensors` module is missing, by reading the format directly: 8-byte little-endian header length, JSON
   header, raw little-endian data) into the equivalent torch.nn.Sequential with load_state_dict(strict=True) and
   compares PyTorch's eval-mode logits with hw3's on the same held-out digits.
2. PyTorch -> hw3: trains the torch.nn model a few SGD steps on the same digits (so BatchNorm's running
   statistics and num_batches_tracked are real), saves state_dict() as safetensors (I64 counters included), and
   `torch-parity.ts import` loads it with loadTorchSafetensors and compares hw3's logits with PyTorch's.

Both directions compare twice: the float32 models as trained (differences are float32 rounding of different
summation orders, ~1e-6 here), and the same weights run in float64 on both sides (torch: model.double(); hw3: the
model loaded into a float64 mnist-cnn-bn), which isolates the conversion from rounding (~1e-14). Exits 1 when a
maximum absolute logit difference exceeds 1e-5 (float32 or float64) or a key is missing/unexpected.
"""
import copy
import json
import os
import struct
import subprocess
import sys
import tempfile

import torch
from torch import nn

TOLERANCE = 1e-5  # float64 logits, same weights (differences here would be the conversion's)
TOLERANCE_F32 = 1e-5  # float32 logits as trained (differences are rounding of different summation orders)
HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.dirname(HERE)

try:
    from safetensors.torch import load_file, save_file  # type: ignore

    READER = "safetensors.torch"
except ImportError:  # the format is simple enough to read and write here
    READER = "built-in reader (no safetensors module)"
    DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
    NAMES = {v: k for k, v in DTYPES.items()}

    def load_file(path):
        with open(path, "rb") as f:
            raw = f.read()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8 : 8 + n])
        header.pop("__metadata__", None)
        out = {}
        for name, info in header.items():
            begin, end = info["data_offsets"]
            buf = bytearray(raw[8 + n + begin : 8 + n + end])
            dtype = DTYPES[info["dtype"]]
            flat = torch.frombuffer(buf, dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
            out[name] = flat.reshape(info["shape"]).clone()
        return out

    def save_file(tensors, path):
        names = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
        header, blobs, offset = {}, [], 0
        for name in names:
            t = tensors[name].detach().contiguous().cpu()
            data = t.numpy().tobytes()
            header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
            blobs.append(data)
            offset += len(data)
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def mnist_cnn_bn():
    """apps/playground's mnist-cnn-bn as torch.nn: 'same' 3x3 convs are padding=1."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(784, 10),
    )


def hw3(command, directory):
    out = subprocess.run(
        ["npx", "tsx", "--conditions=@hw3/source", "scripts/torch-parity.ts", command, directory],
        cwd=APP,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    torch.manual_seed(0)
    print(f"torch {torch.__version__}; safetensors via {READER}")
    failed = False
    with tempfile.TemporaryDirectory() as d:
        # 1. hw3 -> PyTorch
        info = hw3("export", d)
        sd = load_file(os.path.join(d, "hw3-model.safetensors"))
        io = load_file(os.path.join(d, "hw3-io.safetensors"))
        model = mnist_cnn_bn()
        missing, unexpected = model.load_state_dict(sd, strict=True)
        model.eval()
        with torch.no_grad():
            logits = model(io["x"])
            logits64 = copy.deepcopy(model).double()(io["x"].double())
        diff = (logits - io["logits"]).abs().max().item()
        diff64 = (logits64 - io["logits64"]).abs().max().item()
        agree = (logits.argmax(1) == io["logits"].argmax(1)).float().mean().item()
        print(
            f"hw3 -> PyTorch: hw3 trained {info['trainSteps']} Adam steps (held-out accuracy {info['heldOutAccuracy']:.3f}); "
            f"load_state_dict(strict=True) ok, num_batches_tracked {int(sd['1.num_batches_tracked'])} ({sd['1.num_batches_tracked'].dtype}); "
            f"{info['samples']} digits, max |logit| {io['logits'].abs().max().item():.3f}, "
            f"max |torch - hw3| float32 {diff:.3e}, float64 {diff64:.3e}, argmax agreement {agree:.3f}"
        )
        failed |= not diff64 <= TOLERANCE or not diff <= TOLERANCE_F32 or bool(missing) or bool(unexpected)

        # 2. PyTorch -> hw3: train the torch model a little so BatchNorm's statistics are real
        x = io["x"]
        labels = io["logits"].argmax(1)
        net = mnist_cnn_bn()
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        net.train()
        for step in range(5):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x), labels)
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            torch_logits = net(x)
            torch_logits64 = copy.deepcopy(net).double()(x.double())
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, os.path.join(d, "torch-model.safetensors"))
        save_file(
            {"x": x.contiguous(), "logits": torch_logits.contiguous(), "logits64": torch_logits64.contiguous()},
            os.path.join(d, "torch-io.safetensors"),
        )
        back = hw3("import", d)
        print(
            f"PyTorch -> hw3: torch trained 5 SGD steps (num_batches_tracked {int(net[1].num_batches_tracked)}, int64); "
            f"loadTorchSafetensors missing {back['missingKeys']} unexpected {back['unexpectedKeys']}, hw3 num_batches_tracked {back['numBatchesTracked']}; "
            f"{back['samples']} digits, max |logit| {back['maxAbsLogit']:.3f}, max |hw3 - torch| float32 {back['maxAbsDiff']:.3e}, float64 {back['maxAbsDiff64']:.3e}, "
            f"argmax agreement {back['argmaxAgreement']:.3f}"
        )
        failed |= not back["maxAbsDiff64"] <= TOLERANCE or not back["maxAbsDiff"] <= TOLERANCE_F32
        failed |= bool(back["missingKeys"]) or bool(back["unexpectedKeys"])
    print("FAIL" if failed else f"OK: both directions within {TOLERANCE:g} (float32 and float64 logits)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
