"""LeNet-5 in PyTorch with the weights of a convnet model file, read with a plain reader of the
safetensors format (8-byte little-endian header length, JSON header, raw little-endian data).

  lenet5_torch.py MODEL.safetensors X.npy Y.npy    writes the model's outputs for X to Y
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    data = raw[8 + n:]
    return {name: torch.from_numpy(np.frombuffer(data[e["data_offsets"][0]:e["data_offsets"][1]],
                                                 dtype="<f4").reshape(e["shape"]).copy())
            for name, e in header.items()}


def lenet5(w, x):
    # Conv 6@5x5 'same' (pad 2) ReLU, AvgPool 2, Conv 16@5x5 ReLU, AvgPool 2, Dense 120, 84, 10.
    x = F.avg_pool2d(F.relu(F.conv2d(x, w["conv2d.weight"], w["conv2d.bias"], padding=2)), 2)
    x = F.avg_pool2d(F.relu(F.conv2d(x, w["conv2d_1.weight"], w["conv2d_1.bias"])), 2)
    x = torch.flatten(x, 1)
    x = F.relu(F.linear(x, w["dense.weight"], w["dense.bias"]))
    x = F.relu(F.linear(x, w["dense_1.weight"], w["dense_1.bias"]))
    return F.softmax(F.linear(x, w["dense_2.weight"], w["dense_2.bias"]), dim=1)


if __name__ == "__main__":
    weights = read_safetensors(sys.argv[1])
    x = torch.from_numpy(np.load(sys.argv[2]))
    with torch.no_grad():
        np.save(sys.argv[3], lenet5(weights, x).numpy().astype(np.float32))
