#!/usr/bin/env python3
"""PyTorch reference timing for bench/scoring.bench.ts: the GradSign repository's batch-of-one loop
(train mode, xautodl TinyNetwork as in fixtures/pytorch/make_fixtures.py, PyTorch default init), each
sample's Conv2d/Linear weight gradients flattened and kept as int8 signs, then GradSign (Σ_k |Σ_i s_ik|) and
the per-class Grams S_c S_cᵀ that GradAlign-I/II need — done as cheaply as PyTorch allows, so the ratio is
fair. Prints one JSON line per architecture.

Usage: /usr/bin/python3 bench/pytorch_reference.py ARCHS_FILE BATCH.safetensors [SEED] [THREADS]
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "pytorch"))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from make_fixtures import build, load_safetensors, weight_layers  # noqa: E402


def score(arch, x, y, seed):
    net = build(arch, 16, 5, 10, seed)
    net.train()
    weights = [m.weight for _, m in weight_layers(net)]
    m = sum(w.numel() for w in weights)
    B = x.shape[0]
    S = torch.empty(B, m, dtype=torch.int8)
    for i in range(B):
        net.zero_grad(set_to_none=True)
        F.cross_entropy(net(x[i : i + 1]), y[i : i + 1]).backward()
        o = 0
        for w in weights:
            n = w.numel()
            if w.grad is None:
                S[i, o : o + n] = 0
            else:
                S[i, o : o + n] = torch.sign(w.grad.reshape(-1)).to(torch.int8)
            o += n
    gradsign = int(S.sum(0, dtype=torch.int32).abs().sum())
    grams = []
    for c in torch.unique(y).tolist():
        Sc = S[y == c].float()  # exact: |entries| ≤ m < 2^24
        if Sc.shape[0] >= 2:
            grams.append(torch.linalg.slogdet((Sc @ Sc.T).double())[1].item())
    return gradsign, grams


def main():
    archs_file, batch_file = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else (os.cpu_count() or 1)
    torch.set_num_threads(threads)
    batch = load_safetensors(batch_file)
    x, y = batch["x"], batch["y"].long()
    archs = [a.strip() for a in open(archs_file) if a.strip() and not a.startswith("#")]
    for arch in archs:
        start = time.perf_counter()
        gradsign, _ = score(arch, x, y, seed)
        seconds = time.perf_counter() - start
        print(json.dumps({"arch": arch, "seconds": seconds, "gradsign": gradsign,
                          "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
