#!/usr/bin/python3
"""PyTorch reference values for tests/test_torch_parity.cpp.

Usage: /usr/bin/python3 torch_reference.py CASES_JSON RESULTS_JSON

CASES_JSON holds {"cases": [...]}, each case {"op", "label", "attrs", "x", "params", "dy"} with
tensors as {"shape": [...], "data": [...]} (row-major, NCHW; weights in PyTorch's layout) and
attrs as the layer's config(). For each case this script runs the op in float64 with autograd,
backpropagates dy, and writes {"results": [{"y", "dx", "grads": {name: tensor}} or {"error"}]}.

Written from the definitions, not from convnet's code: 'same' padding is TensorFlow's (output
ceil(in / stride), the odd pixel at the bottom/right) and is recomputed here; explicit padding is
(top, bottom, left, right) and goes through F.pad, which allows asymmetric amounts; average pooling
without count_include_pad divides by the taps inside the input only.
"""
import json
import sys

import torch
import torch.nn.functional as F


def tensor(t):
    return torch.tensor(t["data"], dtype=torch.float64).reshape(t["shape"])


def plain(t):
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}


def same_pads(size, window, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def resolve_pads(attrs, x, window):
    """(top, bottom, left, right) for a window of effective size `window` = (h, w)."""
    mode = attrs["padding"]
    if mode == "valid":
        return 0, 0, 0, 0
    if mode == "explicit":
        return tuple(attrs["pads"])
    if mode == "same":
        stride = attrs["stride"]
        top, bottom = same_pads(x.shape[2], window[0], stride[0])
        left, right = same_pads(x.shape[3], window[1], stride[1])
        return top, bottom, left, right
    raise ValueError(f"unknown padding {mode!r}")


def pad(x, pads, value=0.0):
    top, bottom, left, right = pads
    return F.pad(x, (left, right, top, bottom), value=value)


def activation(z, name, alpha):
    if name == "linear":
        return z
    if name == "relu":
        return F.relu(z)
    if name == "relu6":
        return F.hardtanh(z, 0.0, 6.0)
    if name == "leaky_relu":
        return F.leaky_relu(z, alpha)
    if name == "elu":
        return F.elu(z, alpha)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "softmax":
        return F.softmax(z, dim=1)
    raise ValueError(f"unknown activation {name!r}")


def conv2d(x, p, a):
    kernel, dilation = a["kernel"], a["dilation"]
    window = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    z = F.conv2d(pad(x, resolve_pads(a, x, window)), p["weight"], p.get("bias"),
                 stride=a["stride"], dilation=dilation, groups=a["groups"])
    return activation(z, a["activation"], a["activation_alpha"])


def max_pool2d(x, p, a):
    xp = pad(x, resolve_pads(a, x, a["kernel"]), value=float("-inf"))
    return F.max_pool2d(xp, a["kernel"], a["stride"])


def avg_pool2d(x, p, a):
    pads = resolve_pads(a, x, a["kernel"])
    mean = F.avg_pool2d(pad(x, pads), a["kernel"], a["stride"])
    if a.get("count_include_pad", False):
        return mean
    # Sum over the window divided by the number of taps inside the input.
    inside = F.avg_pool2d(pad(torch.ones_like(x), pads), a["kernel"], a["stride"])
    return mean / inside


def global_pool(reduce):
    def op(x, p, a):
        y = reduce(x)
        return y.reshape(y.shape[0], -1, 1, 1) if a["keepdims"] else y.reshape(y.shape[0], -1)
    return op


def dense(x, p, a):
    return activation(F.linear(x, p["weight"], p.get("bias")), a["activation"],
                      a["activation_alpha"])


def act(name):
    return lambda x, p, a: activation(x, name, a.get("alpha", 0.0))


OPS = {
    "Conv2D": conv2d,
    "MaxPool2D": max_pool2d,
    "AvgPool2D": avg_pool2d,
    "GlobalAvgPool2D": global_pool(lambda x: x.mean(dim=(2, 3))),
    "GlobalMaxPool2D": global_pool(lambda x: x.amax(dim=(2, 3))),
    "Dense": dense,
    "Flatten": lambda x, p, a: x.reshape(x.shape[0], -1),
    "Reshape": lambda x, p, a: x.reshape(x.shape[0], *a["target_shape"]),
    "ReLU": act("relu"),
    "ReLU6": act("relu6"),
    "LeakyReLU": act("leaky_relu"),
    "ELU": act("elu"),
    "Sigmoid": act("sigmoid"),
    "Tanh": act("tanh"),
    "Softmax": act("softmax"),
}


def run(case):
    x = tensor(case["x"]).requires_grad_()
    params = {name: tensor(t).requires_grad_() for name, t in case["params"].items()}
    y = OPS[case["op"]](x, params, case["attrs"])
    y.backward(tensor(case["dy"]))  # a shape unlike torch's y is an error
    grads = {name: plain(p.grad if p.grad is not None else torch.zeros_like(p))
             for name, p in params.items()}
    return {"y": plain(y), "dx": plain(x.grad), "grads": grads}


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        cases = json.load(f)["cases"]
    results = []
    for case in cases:
        try:
            results.append(run(case))
        except Exception as e:  # reported per case by the C++ test
            results.append({"error": f"{type(e).__name__}: {e}"})
    with open(sys.argv[2], "w") as f:
        json.dump({"results": results}, f)


if __name__ == "__main__":
    main()
