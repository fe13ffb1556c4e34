#!/usr/bin/python3
"""SciPy reference for tests/test_vision_filters.cpp: classic kernels on a real photograph.

Usage: /usr/bin/python3 filters_reference.py REQUEST_JSON RESPONSE_JSON

REQUEST_JSON holds {"dir": DIR, "cases": [{"spec", "stride", "padding"}, ...]}. The image is
SciPy's raccoon photograph (scipy.misc.face, shipped inside Debian's python3-scipy, no download),
every second pixel, as float32 [3, H, W] in [0, 1]; it is written to DIR/image.npy. For case i this
script writes DIR/response_i.npy (the raw cross-correlation, [3, H2, W2]), DIR/display_i.npy (the
picture convnet should write) and DIR/kernel_i.npy (the kernel, not for "sobel"), all float32,
computed in float64.

Written from the definitions, not from convnet's code: kernels from their textbook formulas, a
file kernel parsed here, 'same' padding as Keras/TensorFlow pad (output ceil(in / stride), the odd
pixel at the bottom/right) followed by scipy.signal.correlate2d over the padded image and striding
by slicing. Display: zero-sum kernels 0.5 + x / (2 max|x|), Sobel magnitude x / max x, other kernels
clip(x / sum, 0, 1).
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy.misc
import scipy.signal


def kernel_for(spec):
    if spec.endswith(".txt"):
        rows = []
        for line in open(spec):
            line = line.split("#")[0].replace(",", " ").split()
            if line:
                rows.append([float(v) for v in line])
        return np.array(rows)
    name, *args = spec.split(":")
    if name == "sobel-x":
        return np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
    if name == "sobel-y":
        return np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float).T
    if name == "laplacian":
        k = -np.ones((3, 3))
        k[1, 1] = 8
        return k
    if name == "sharpen":
        return np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float)
    if name == "box":
        n = int(args[0]) if args else 3
        return np.full((n, n), 1.0 / (n * n))
    if name == "gaussian":
        n = int(args[0]) if args else 9
        sigma = float(args[1]) if len(args) > 1 else 0.3 * ((n - 1) / 2 - 1) + 0.8
        r = np.arange(n) - (n - 1) / 2
        g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * sigma**2))
        return g / g.sum()
    raise ValueError("unknown kernel " + spec)


def pads(size, window, stride, padding):
    if padding == "valid":
        return 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def correlate(image, k, stride, padding):
    (top, bottom), (left, right) = (pads(image.shape[1], k.shape[0], stride, padding),
                                    pads(image.shape[2], k.shape[1], stride, padding))
    out = []
    for channel in image:
        padded = np.pad(channel, ((top, bottom), (left, right)))
        out.append(scipy.signal.correlate2d(padded, k, mode="valid")[::stride, ::stride])
    return np.stack(out)


def save(out_dir, name, array):
    np.save(os.path.join(out_dir, name), np.ascontiguousarray(array, dtype=np.float32))


def main():
    request = json.load(open(sys.argv[1]))
    out_dir = request["dir"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy.misc.face is deprecated for scipy.datasets
        face = scipy.misc.face()
    image = (face[::2, ::2].transpose(2, 0, 1) / 255.0).astype(np.float32)
    save(out_dir, "image.npy", image)
    x = image.astype(np.float64)
    results = []
    for i, case in enumerate(request["cases"]):
        spec, stride, padding = case["spec"], case["stride"], case["padding"]
        if spec == "sobel":
            gx = correlate(x, kernel_for("sobel-x"), stride, padding)
            gy = correlate(x, kernel_for("sobel-y"), stride, padding)
            response = np.sqrt(gx**2 + gy**2)
            display = response / response.max()
            kernel_sum = math.nan
        else:
            k = kernel_for(spec)
            save(out_dir, f"kernel_{i}.npy", k)
            response = correlate(x, k, stride, padding)
            kernel_sum = k.sum()
            if abs(kernel_sum) <= 1e-6 * np.abs(k).sum():
                display = 0.5 + response / (2 * np.abs(response).max())
            else:
                display = np.clip(response / kernel_sum, 0, 1)
        save(out_dir, f"response_{i}.npy", response)
        save(out_dir, f"display_{i}.npy", display)
        results.append({"shape": list(response.shape), "kernel_sum": None
                        if math.isnan(kernel_sum) else kernel_sum})
    json.dump({"image_shape": list(image.shape), "cases": results}, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
