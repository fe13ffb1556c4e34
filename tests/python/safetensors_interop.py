"""safetensors by hand, from the format's specification, to check convnet against an independent
reader and writer (the safetensors package itself is not installed here).

  read FILE          print {"metadata": {...}, "tensors": {name: {"shape", "values"}}} as JSON
  rewrite SRC DST    read SRC, write its tensors and metadata to DST in another order
  write DST          write the fixed tensors below, which test_safetensors.cpp knows
"""
import json
import struct
import sys

import numpy as np


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        assert entry["dtype"] == "F32", entry["dtype"]
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])
    return metadata, tensors


def write(path, tensors, metadata, header_order):
    """Data in the order of `tensors`, header entries in `header_order`, padded to 8 bytes."""
    entries, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        blob = np.ascontiguousarray(t, dtype="<f4").tobytes()
        entries[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    header = {name: entries[name] for name in header_order}
    header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "read":
        metadata, tensors = read(sys.argv[2])
        out = {name: {"shape": list(t.shape), "values": [float(v) for v in t.ravel()]}
               for name, t in tensors.items()}
        print(json.dumps({"metadata": metadata, "tensors": out}))
    elif command == "rewrite":
        metadata, tensors = read(sys.argv[2])
        reordered = dict(reversed(list(tensors.items())))
        write(sys.argv[3], reordered, metadata, sorted(tensors, reverse=True))
    elif command == "write":
        tensors = {
            "a": np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1,
            "scalar": np.array(3.25, dtype=np.float32),
            "empty": np.zeros((0, 4), dtype=np.float32),
            "b": np.float32(1) / np.arange(1, 9, dtype=np.float32).reshape(2, 2, 2),
        }
        write(sys.argv[2], tensors, {"format": "pt", "note": "written by python \u00fc"}, ["b", "empty", "a", "scalar"])
    else:
        sys.exit("unknown command " + command)
