"""PyTorch reference values for tests/test_super_resolution.cpp.

Usage: /usr/bin/python3 image_ops_reference.py request.json response.json

The request holds {"cases": [...]}, each case a dict with a "kind":
  bicubic  {"x": [N, C, H, W], "size": [OH, OW]} -> {"y"}: F.interpolate(mode="bicubic",
           align_corners=False)
  area     {"x": [N, C, H, W], "factor": F} -> {"y"}: F.interpolate(mode="area") to H/F x W/F
Tensors are {"shape": [...], "data": [...]}; the response has {"results": [...]} in case order.
"""
import json
import sys

import torch
import torch.nn.functional as F


def tensor(j):
    return torch.tensor(j["data"], dtype=torch.float64).reshape(j["shape"]).float()


def as_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.double().reshape(-1).tolist()]}


def run(case):
    x = tensor(case["x"])
    if case["kind"] == "bicubic":
        y = F.interpolate(x, size=case["size"], mode="bicubic", align_corners=False)
    elif case["kind"] == "area":
        f = case["factor"]
        y = F.interpolate(x, size=[x.shape[2] // f, x.shape[3] // f], mode="area")
    else:
        raise ValueError("unknown kind " + case["kind"])
    return {"y": as_json(y)}


def main():
    with open(sys.argv[1]) as f:
        request = json.load(f)
    results = [run(c) for c in request["cases"]]
    with open(sys.argv[2], "w") as f:
        json.dump({"results": results}, f)


if __name__ == "__main__":
    main()
