"""Reads and writes safetensors files (https://github.com/huggingface/safetensors, format spec)
without the `safetensors` package, which Debian does not ship: an 8-byte little-endian header
length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian bytes."""

import json
import struct

import numpy as np

_DTYPES = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "I64": np.int64}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def read(path):
    """Returns {name: numpy array} and the header's __metadata__ (or {})."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = memoryview(raw)[8 + n :]
    out = {}
    for name, h in header.items():
        dtype = _DTYPES.get(h["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name}: dtype {h['dtype']} is not supported")
        a, b = h["data_offsets"]
        out[name] = np.frombuffer(body[a:b], dtype=dtype).reshape(h["shape"]).copy()
    return out, meta


def write(path, tensors, metadata=None):
    """Writes {name: numpy array} (sorted by name, 8-byte aligned header)."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        dt = _NAMES.get(arr.dtype)
        if dt is None:
            raise ValueError(f"tensor {name}: dtype {arr.dtype} is not supported")
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)
