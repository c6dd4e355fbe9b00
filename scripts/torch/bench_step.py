"""Times MLM training steps (forward, backward, AdamW) of the PyTorch encoder on a fixed batch.

Called by scripts/bench/pretrain-engines.ts, which writes the weights and the batch and times the
core's TF.js encoder on the same ones: prints one JSON line {"seconds": [...]} per call.
Usage: bench_step.py <dir> <steps> <threads>
"""

import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402
from tiny_roberta import TinyRoberta, load_weights  # noqa: E402


def main():
    d, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    cfg = json.load(open(os.path.join(d, "config.json")))
    model = TinyRoberta(cfg)
    load_weights(model, st.read(os.path.join(d, "model.safetensors"))[0])
    b, _ = st.read(os.path.join(d, "batch.safetensors"))
    ids, mask, pos, labels = (torch.from_numpy(b[k].astype("int64")) for k in ("ids", "mask", "pos", "labels"))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-6)
    out = []
    for _ in range(steps + 1):
        t = time.perf_counter()
        loss = model.mlm_loss(ids, mask, pos, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        out.append(time.perf_counter() - t)
    print(json.dumps({"seconds": out[1:], "torch": torch.__version__, "threads": threads}))


if __name__ == "__main__":
    main()
