#!/usr/bin/python3
"""Races convnet against PyTorch (and OpenCV dnn for inference) on the same workloads, interleaved.

    bench/compare.py [--convnet build/convnet] [--threads 2] [--quick] [--markdown]

Each round runs every framework once on a workload, in turn, so that load from other processes
hits all of them alike; a framework's figure is the median over the rounds of its per-round median.
Ratios are convnet's speed over the peer's (> 1: convnet is faster). Needs /usr/bin/python3 with
Debian's python3-torch, python3-torchvision and python3-opencv, and a built convnet.
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision

try:
    import cv2
except ImportError:  # OpenCV is optional: its column is left empty
    cv2 = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- the same architectures as convnet's zoo ------------------------------------------------

def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def vgg11_32(classes=10):
    # convnet's vgg11 at 32x32: torchvision's features, no adaptive pool, 512 -> 4096 classifier.
    return nn.Sequential(torchvision.models.vgg11().features, nn.Flatten(),
                         nn.Linear(512, 4096), nn.ReLU(), nn.Dropout(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, classes))


def mobilenet_v1(classes=1000):
    def conv_bn(cin, cout, stride):
        return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6()]

    def separable(cin, cout, stride):
        return [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
                nn.ReLU6(), nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6()]

    cfg = [(32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1), (256, 512, 2)]
    cfg += [(512, 512, 1)] * 5 + [(512, 1024, 2), (1024, 1024, 1)]
    layers = conv_bn(3, 32, 2)
    for cin, cout, s in cfg:
        layers += separable(cin, cout, s)
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, classes)]
    return nn.Sequential(*layers)


TORCH_MODELS = {
    "lenet5": lenet5, "vgg11": vgg11_32, "mobilenet": mobilenet_v1,
    "alexnet": torchvision.models.alexnet, "vgg16": torchvision.models.vgg16,
    "resnet50": torchvision.models.resnet50,
}


# --- timing ---------------------------------------------------------------------------------

def time_calls(fn, warmup, runs, min_seconds):
    for _ in range(warmup):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < runs or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(1000.0 * (time.perf_counter() - t0))
    return statistics.median(times)


def convnet_ms(args, model, shape, batch, train, reps):
    cmd = [args.convnet, "benchmark", model, "--input", shape, "--batch", str(batch),
           "--threads", str(args.threads), "--json", "--warmup", str(reps["warmup"]),
           "--runs", str(reps["runs"]), "--min-time", str(reps["seconds"])]
    if train:
        cmd += ["--train", "--classes", "10"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["ms_per_batch"]["median"]


def torch_step(model_name, shape, batch, train):
    c, h, w = (int(v) for v in shape.split("x"))
    model = TORCH_MODELS[model_name](**({"num_classes": 10} if train and model_name not in
                                        ("lenet5", "vgg11", "mobilenet") else {}))
    x = torch.randn(batch, c, h, w)
    if not train:
        model.eval()

        def infer():
            with torch.no_grad():
                model(x)
        return infer, model, x
    model.train()
    labels = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), labels).backward()
        opt.step()
    return step, model, x


def opencv_infer(model, x, tmp):
    # Equal tensors (all-zero biases, BatchNorm's initial statistics) would be exported once and
    # shared through Identity nodes, which OpenCV 4.6 cannot import: make every tensor distinct.
    with torch.no_grad():
        for t in model.state_dict().values():
            if t.is_floating_point():
                t.add_(torch.rand_like(t) * 1e-3)
    # Opset 10: ReLU6 becomes a Clip with attributes, the form OpenCV 4.6 reads.
    path = os.path.join(tmp, "model.onnx")
    torch.onnx.export(model, x, path, opset_version=10, do_constant_folding=True)
    net = cv2.dnn.readNetFromONNX(path)
    blob = x.numpy()
    return lambda: (net.setInput(blob), net.forward())


# --- workloads ------------------------------------------------------------------------------

def fmt_ms(v):
    return f"{v:.2f}" if v >= 1 else f"{v:.4f}"


def run_workload(args, label, model, shape, batch, train, reps, tmp):
    fn, tmodel, x = torch_step(model, shape, batch, train)
    cv_fn = None
    if cv2 and not train:
        try:
            cv_fn = opencv_infer(tmodel, x, tmp)
        except cv2.error as e:  # OpenCV 4.6 cannot import every exported graph
            print(f"  {label}: OpenCV dnn cannot load the ONNX export: {str(e).splitlines()[0]}",
                  file=sys.stderr)
    rows = {"convnet": [], "pytorch": [], "opencv": []}
    for _ in range(reps["rounds"]):
        rows["convnet"].append(convnet_ms(args, model, shape, batch, train, reps))
        # PyTorch's best thread setting: on small nets one thread often beats several.
        best = float("inf")
        for threads in sorted({args.threads, 1}, reverse=True):
            torch.set_num_threads(threads)
            best = min(best, time_calls(fn, reps["warmup"], reps["runs"], reps["seconds"]))
        torch.set_num_threads(args.threads)
        rows["pytorch"].append(best)
        if cv_fn:
            rows["opencv"].append(time_calls(cv_fn, reps["warmup"], reps["runs"], reps["seconds"]))
    ms = {k: statistics.median(v) for k, v in rows.items() if v}
    print(f"  {label}: " + ", ".join(f"{k} {fmt_ms(v)} ms" for k, v in ms.items()), file=sys.stderr)
    return {"workload": label, "unit": "ms/batch", **ms}


def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_epoch(args, rounds):
    """Images/s of one epoch of LeNet-5 on Fashion-MNIST (SGD momentum, batch 64)."""
    root = os.environ.get("CONVNET_DATASETS", "/usr/share/datasets")
    folder = os.path.join(root, "fashion-mnist")
    images = torch.from_numpy(read_idx(os.path.join(folder, "train-images-idx3-ubyte.gz")).copy())
    images = images.float().div(255).unsqueeze(1)
    labels = torch.from_numpy(read_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"))
                              .astype(np.int64))
    res = {"convnet": [], "pytorch": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            hist = os.path.join(tmp, "h.json")
            subprocess.run([args.convnet, "train", "--model", "lenet5", "--epochs", "1",
                            "--optimizer", "sgd", "--lr", "0.01", "--batch-size", "64", "--quiet",
                            "--history", hist, "--out", os.path.join(tmp, "m.safetensors")],
                           check=True, capture_output=True,
                           env={**os.environ, "CONVNET_NUM_THREADS": str(args.threads)})
            with open(hist) as f:
                res["convnet"].append(json.load(f)["epochs"][0]["images_per_s"])
            torch.set_num_threads(1 if len(res["pytorch"]) % 2 else args.threads)
            model = lenet5()
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            loss_fn = nn.CrossEntropyLoss()
            t0 = time.perf_counter()
            for idx in torch.randperm(len(images)).split(64):
                opt.zero_grad()
                loss_fn(model(images[idx]), labels[idx]).backward()
                opt.step()
            res["pytorch"].append(len(images) / (time.perf_counter() - t0))
    torch.set_num_threads(args.threads)
    # convnet: the median epoch; PyTorch: its better thread setting (2 threads, then 1).
    ips = {"convnet": statistics.median(res["convnet"]), "pytorch": max(res["pytorch"])}
    print(f"  fashion epoch: {ips}", file=sys.stderr)
    # As ms per 1000 images, so that every row's ratio reads the same way.
    return {"workload": "LeNet-5 1 epoch Fashion-MNIST (ms / 1000 images)", "unit": "images/s",
            **{k: 1e6 / v for k, v in ips.items()}}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--convnet", default=os.path.join(ROOT, "build", "convnet"))
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--quick", action="store_true", help="one round, fewest runs (a smoke test)")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument("--only", metavar="TEXT",
                   help="run only the workloads whose label contains TEXT (e.g. 'b32', 'lenet')")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if cv2:
        cv2.setNumThreads(args.threads)
    small = {"rounds": 1 if args.quick else 3, "warmup": 3, "runs": 5, "seconds": 0.3 if args.quick else 1.0}
    big = {"rounds": 1 if args.quick else 2, "warmup": 1, "runs": 2 if args.quick else 3, "seconds": 0}
    huge = {"rounds": 1, "warmup": 1, "runs": 1, "seconds": 0}
    work = [("LeNet-5 train step b64", "lenet5", "1x28x28", 64, True, small),
            ("VGG-11 train step 32x32 b64", "vgg11", "3x32x32", 64, True, big),
            ("lenet5 inference b1", "lenet5", "1x28x28", 1, False, small)]
    for model in ("alexnet", "vgg16", "mobilenet", "resnet50"):
        work.append((f"{model} inference b1", model, "3x224x224", 1, False,
                     small if model in ("alexnet", "mobilenet") else big))
    for model in ("alexnet", "vgg16", "mobilenet", "resnet50"):
        work.append((f"{model} inference b32", model, "3x224x224", 32, False,
                     big if model in ("alexnet", "mobilenet") else huge))
    epoch_label = "LeNet-5 1 epoch Fashion-MNIST (ms / 1000 images)"
    if args.only:
        work = [w for w in work if args.only.lower() in w[0].lower()]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, model, shape, batch, train, reps in work:
            results.append(run_workload(args, label, model, shape, batch, train, reps, tmp))
    if not args.only or args.only.lower() in epoch_label.lower():
        results.insert(min(1, len(results)), fashion_epoch(args, 2))
    sep = " | " if args.markdown else "  "
    head = ["workload", "convnet ms", "pytorch ms", "opencv ms", "vs pytorch", "vs best peer"]
    lines = [sep.join(head)]
    if args.markdown:
        lines = ["| " + lines[0] + " |", "|" + "---|" * len(head)]
    for r in results:
        best = min(v for k, v in r.items() if k in ("pytorch", "opencv"))
        cells = [r["workload"], fmt_ms(r["convnet"]), fmt_ms(r["pytorch"]),
                 fmt_ms(r["opencv"]) if "opencv" in r else "-",
                 f"{r['pytorch'] / r['convnet']:.2f}x", f"{best / r['convnet']:.2f}x"]
        lines.append(("| " + sep.join(cells) + " |") if args.markdown else sep.join(cells))
    print(f"threads {args.threads} (PyTorch: the faster of {args.threads} threads and 1 thread); "
          "ratio = peer time / convnet time (> 1: convnet faster)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
