"""Masked-language-model pretraining of the tiny encoder in PyTorch (CPU, every core).

Called by scripts/pretrain-torch.ts, which builds the corpus, the vocabulary and the initial
weights with the project's own code and writes them to a bundle folder; this script only trains.
It reads <bundle>/meta.json, <bundle>/init.safetensors, the token files of each source and the
fixed held-out batches (<bundle>/eval.safetensors), and writes into --ckpt-dir:
  checkpoint.pt    weights, optimiser state, step and history (every --checkpoint-minutes; resumed)
  final.safetensors  the trained weights (Hugging Face names, [out, in] dense weights)
  state.json       steps, tokens seen, wall time per session, loss and held-out curves
  pretrain.log     the log

Batches are a pure function of (seed, step) (numpy's Philox-free default_rng([seed, step])), so
a resumed run sees the same data as an uninterrupted one. Masking follows
src/core/data/mlm.ts (15% of word positions, at least one per segment; 80% <mask>, 10% random
word, 10% unchanged); the optimiser and schedule follow scripts/pretrain.ts (AdamW 0.9/0.98,
eps 1e-6, weight decay 0.01 on dense weights only; linear warmup, then linear decay to 5%).
"""

import argparse
import calendar
import json
import os
import socket
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402
from tiny_roberta import TinyRoberta, load_weights, weights_of  # noqa: E402

BOS, PAD, EOS, UNK, MASK = 0, 1, 2, 3, 4
N_SPECIAL = 5


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bundle", required=True)
    p.add_argument("--ckpt-dir", required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--clip", type=float, default=1.0, help="gradient-norm clip (0 = none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--freeze-word-embeddings", action="store_true")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--checkpoint-minutes", type=float, default=10)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--max-minutes", type=float, default=0, help="stop (resumably) after this long")
    p.add_argument("--end-by", default="", help="UTC ISO time: re-plan the decay so that the run ends by then")
    p.add_argument("--replans", default="", help="at:to,... decay re-plans of an earlier run (replayed)")
    p.add_argument("--bench", type=int, default=0, help="time this many steps, print s/step, exit")
    p.add_argument("--keep-at", default="", help="steps N,...: also write step-N.safetensors and step-N.json (a snapshot mid-schedule)")
    return p.parse_args()


def base_lr(a, step):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    frac = (step - a.warmup) / max(1, a.steps - a.warmup)
    return a.lr * (1 - 0.95 * min(1.0, frac))


def lr_at(a, replans, step):
    """The base schedule, then each re-plan [at, to]: from step `at` a linear decay from the rate
    there to the floor (5% of the peak) at step `to`, which becomes the last step."""
    floor = 0.05 * a.lr
    f = lambda s: base_lr(a, s)  # noqa: E731
    for at, to in replans:
        if step < at:
            break
        f = (lambda start, at, to: lambda s: start + (floor - start) * min(1.0, (s - at) / max(1, to - at)))(f(at), at, to)
    return f(step)


def last_step(a, replans):
    return replans[-1][1] if replans else a.steps


def parse_replans(text):
    return [[int(x) for x in r.split(":")] for r in text.split(",") if r]


class Sources:
    """Each source's segments (word ids) and its sampling weight."""

    def __init__(self, bundle, meta):
        self.ids, self.weights, self.tokens, self.starts, self.ends = [], [], [], [], []
        for s in meta["sources"]:
            self.ids.append(s["id"])
            self.weights.append(s["weight"])
            self.tokens.append(np.fromfile(os.path.join(bundle, s["tokens"]), dtype="<i4"))
            se = np.fromfile(os.path.join(bundle, s["offsets"]), dtype="<i4").reshape(2, -1)
            self.starts.append(se[0])
            self.ends.append(se[1])
        w = np.array(self.weights, dtype=np.float64)
        self.cum = np.cumsum(w / w.sum())


def make_batch(src, vocab, seq_len, batch, seed, step):
    """The MLM batch of `step`: ids/mask [B, T] (T = longest row), flat positions and labels."""
    r = np.random.default_rng([seed, step])
    which = np.searchsorted(src.cum, r.random(batch), side="right").clip(0, len(src.cum) - 1)
    segs = []
    for s in which:
        i = r.integers(len(src.starts[s]))
        seg = src.tokens[s][src.starts[s][i] : src.ends[s][i]][: seq_len - 2]
        segs.append(seg)
    T = max(len(x) for x in segs) + 2
    ids = np.full((batch, T), PAD, dtype=np.int64)
    mask = np.zeros((batch, T), dtype=np.int64)
    for b, seg in enumerate(segs):
        n = len(seg)
        ids[b, 0], ids[b, 1 : n + 1], ids[b, n + 1] = BOS, seg, EOS
        mask[b, : n + 2] = 1
    words = np.zeros((batch, T), dtype=bool)
    for b, seg in enumerate(segs):
        words[b, 1 : len(seg) + 1] = True
    chosen = words & (r.random((batch, T)) < 0.15)
    for b, seg in enumerate(segs):
        if not chosen[b].any():
            chosen[b, 1 + r.integers(len(seg))] = True
    pos = np.flatnonzero(chosen)
    labels = ids.reshape(-1)[pos].copy()
    u = r.random(len(pos))
    flat = ids.reshape(-1)
    flat[pos[u < 0.8]] = MASK
    rnd = pos[(u >= 0.8) & (u < 0.9)]
    flat[rnd] = N_SPECIAL + r.integers(vocab - N_SPECIAL, size=len(rnd))
    return ids, mask, pos, labels


def load_eval(bundle):
    t, _ = st.read(os.path.join(bundle, "eval.safetensors"))
    n = len({k.split(".")[0] for k in t})
    return [
        tuple(torch.from_numpy(t[f"{i}.{k}"].astype(np.int64)) for k in ("ids", "mask", "pos", "labels"))
        for i in range(n)
    ]


@torch.no_grad()
def held_out(model, batches):
    model.eval()
    loss = correct = n = 0.0
    for ids, mask, pos, labels in batches:
        logits = model.mlm_logits(model.encode(ids, mask), pos)
        loss += torch.nn.functional.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(-1) == labels).sum().item()
        n += len(labels)
    model.train()
    return {"loss": loss / n, "accuracy": correct / n, "positions": int(n)}


def main():
    a = parse()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.ckpt_dir, exist_ok=True)
    log_path = os.path.join(a.ckpt_dir, "pretrain.log")

    def log(s):
        line = f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {s}"
        print(line, flush=True)
        with open(log_path, "a") as f:
            f.write(line + "\n")

    meta = json.load(open(os.path.join(a.bundle, "meta.json")))
    cfg = meta["config"]
    src = Sources(a.bundle, meta)
    model = TinyRoberta(cfg)
    init, _ = st.read(os.path.join(a.bundle, "init.safetensors"))
    load_weights(model, init)
    if a.freeze_word_embeddings:
        model.roberta.embeddings.word_embeddings.weight.requires_grad_(False)
    decay, plain = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        dense = name.endswith(".weight") and "LayerNorm" not in name and "layer_norm" not in name
        (decay if dense and "embeddings" not in name else plain).append(p)
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": plain, "weight_decay": 0.0}],
        lr=a.lr, betas=(0.9, 0.98), eps=1e-6,
    )
    seq_len = cfg["max_position_embeddings"] - cfg["pad_token_id"] - 1
    vocab = cfg["vocab_size"]

    if a.bench:
        times = []
        for step in range(a.bench + 2):
            t = time.perf_counter()
            ids, mask, pos, labels = (torch.from_numpy(x) for x in make_batch(src, vocab, seq_len, a.batch, a.seed, step))
            loss = model.mlm_loss(ids, mask, pos, labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t)
        med = float(np.median(times[2:]))
        print(json.dumps({"config": {k: cfg[k] for k in ("hidden_size", "num_hidden_layers", "intermediate_size", "vocab_size")},
                          "batch": a.batch, "threads": a.threads, "secondsPerStep": med, "steps": a.bench}))
        return

    ck_path = os.path.join(a.ckpt_dir, "checkpoint.pt")
    state = {"replans": parse_replans(a.replans), "step": 0, "tokensSeen": 0, "wallSeconds": 0.0, "sessions": [], "lossHistory": [], "heldOut": [],
             "args": {k: v for k, v in vars(a).items() if k not in ("max_minutes", "threads", "bench", "end_by", "replans", "keep_at")}}
    if os.path.exists(ck_path):
        ck = torch.load(ck_path)
        same = {k: v for k, v in ck["state"]["args"].items() if k not in ("ckpt_dir", "checkpoint_minutes", "log_every", "eval_every")}
        mine = {k: v for k, v in state["args"].items() if k not in ("ckpt_dir", "checkpoint_minutes", "log_every", "eval_every")}
        if same != mine:
            raise SystemExit(f"{ck_path} belongs to a run with other flags: {same} (these: {mine})")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        log(f"resumed at step {state['step']} ({state['wallSeconds']:.0f} s of earlier training)")
    else:
        log(f"start: {json.dumps(state['args'])} config {json.dumps(cfg)}")

    evals = load_eval(a.bundle)
    session = {"startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "fromStep": state["step"],
               "toStep": state["step"], "seconds": 0.0, "host": f"{socket.gethostname()} {os.cpu_count()} cpus, torch {torch.__version__}, {a.threads} threads"}
    state["sessions"].append(session)
    t_start = time.time()
    last_ck = time.time()

    def save():
        session["toStep"] = state["step"]
        session["seconds"] = time.time() - t_start
        wall = state["wallSeconds"]
        state["wallSeconds"] = wall + session["seconds"]
        tmp = ck_path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state}, tmp)
        os.replace(tmp, ck_path)
        with open(os.path.join(a.ckpt_dir, "state.json"), "w") as f:
            json.dump(state, f)
        state["wallSeconds"] = wall

    end_by = calendar.timegm(time.strptime(a.end_by, "%Y-%m-%dT%H:%M")) if a.end_by else 0
    marks = [(time.time(), state["step"])]

    def maybe_replan():
        """--end-by: if the planned end is out of reach at this session's speed, decay from here to
        the floor at 90% of the reachable steps (recorded in state["replans"] and the manifest)."""
        t0, s0 = marks[0]
        t1, s1 = marks[-1]
        if not end_by or s1 - s0 < 100 or s1 < a.warmup:
            return
        sps = (t1 - t0) / (s1 - s0)
        reachable = (end_by - t1) / sps
        end = last_step(a, state["replans"])
        if end - s1 <= reachable:
            return
        to = max(s1 + 1, int(s1 + 0.9 * reachable))
        state["replans"].append([s1, to])
        log(f"re-plan for --end-by {a.end_by}: {sps:.2f} s/step, {int(reachable)} more steps fit; "
            f"decaying from step {s1} to the floor at step {to} instead of {end}")

    keep_at = {int(x) for x in a.keep_at.split(",") if x.strip()}

    def keep(step):
        """A snapshot of the weights mid-schedule (the learning rate has not decayed yet), with the
        state so far, for `npm run pretrain:torch -- --export-step N`."""
        st.write(os.path.join(a.ckpt_dir, f"step-{step}.safetensors"), weights_of(model),
                 {"format": "pt", "producer": "scripts/torch/pretrain.py"})
        with open(os.path.join(a.ckpt_dir, f"step-{step}.json"), "w") as f:
            json.dump({**state, "wallSeconds": state["wallSeconds"] + time.time() - t_start}, f)
        log(f"kept a snapshot at step {step}: step-{step}.safetensors")

    acc, n_acc, t_log = 0.0, 0, time.time()
    stopped = False
    model.train()
    while state["step"] < last_step(a, state["replans"]):
        if a.max_minutes > 0 and time.time() - t_start > a.max_minutes * 60:
            stopped = True
            break
        step = state["step"]
        ids, mask, pos, labels = (torch.from_numpy(x) for x in make_batch(src, vocab, seq_len, a.batch, a.seed, step))
        lr = lr_at(a, state["replans"], step)
        for g in opt.param_groups:
            g["lr"] = lr
        loss = model.mlm_loss(ids, mask, pos, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.clip > 0:
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], a.clip)
        opt.step()
        v = loss.item()
        if not np.isfinite(v):
            raise SystemExit(f"step {step}: loss is {v}")
        state["step"] = step + 1
        state["tokensSeen"] += int(mask.sum())
        acc += v
        n_acc += 1
        end = last_step(a, state["replans"])
        if state["step"] % a.log_every == 0 or state["step"] == end:
            sps = (time.time() - t_log) / n_acc
            state["lossHistory"].append({"step": state["step"], "loss": acc / n_acc, "lr": lr})
            log(f"step {state['step']}/{end} loss {acc / n_acc:.4f} lr {lr:.2e} {sps:.3f} s/step "
                f"tokens {state['tokensSeen'] / 1e6:.1f} M eta {(end - state['step']) * sps / 60:.0f} min")
            acc, n_acc, t_log = 0.0, 0, time.time()
            marks.append((t_log, state["step"]))
            maybe_replan()
        if state["step"] % a.eval_every == 0 or state["step"] == end:
            h = held_out(model, evals)
            state["heldOut"].append({"step": state["step"], **h})
            log(f"held-out at step {state['step']}: masked-token accuracy {100 * h['accuracy']:.2f}% loss {h['loss']:.4f}")
        if state["step"] in keep_at and state["step"] != end:
            keep(state["step"])
        if time.time() - last_ck > a.checkpoint_minutes * 60:
            save()
            last_ck = time.time()
            log(f"checkpoint at step {state['step']}")
    save()
    if stopped:
        log(f"stopped by --max-minutes at step {state['step']} of {last_step(a, state['replans'])}; run again with the same flags to resume")
        sys.exit(3)
    st.write(os.path.join(a.ckpt_dir, "final.safetensors"), weights_of(model),
             {"format": "pt", "producer": "scripts/torch/pretrain.py"})
    log(f"finished at step {state['step']}: wrote final.safetensors")


if __name__ == "__main__":
    main()
