#!/usr/bin/env python3
"""PyTorch peers for bench/scoring.bench.ts: GradSign (Σ_k |Σ_i s_ik|) and the per-class Grams S_c S_cᵀ that
GradAlign-I/II need, on the xautodl TinyNetwork of fixtures/pytorch/make_fixtures.py (train mode, PyTorch default
init, C = 16, N = 5, 10 classes), s_i = sign of sample i's Conv2d/Linear weight gradients. Three modes:

  loop          the GradSign repository's batch-of-one loop: each sample alone, so BN uses its own statistics.
  batched       ONE batched forward/backward of Σ_i CE_i. Per-sample BN = F.instance_norm + BN's γ/β (statistics
                over H, W per sample and channel, biased variance, BN's eps: what BN does on a batch of one).
                Per-sample weight gradients are formed in hooks on the conv/linear outputs from the saved
                inputs: k×k convs by one grouped convolution_backward with the batch folded into the groups
                (functorch's conv batching rule), 1×1 convs and the classifier by one bmm / outer product. Each
                layer's signs are reduced as soon as they exist (column sums, per-class Grams), so the [B, m]
                sign matrix never exists, and no parameter gradient (param.grad) is computed.
  batched-pool  batched, with NB201's avg_pool_3x3 (AvgPool2d(3, 1, 1, count_include_pad=False)) as a depthwise
                3×3 conv of ones divided by a precomputed count map (torch 1.13's CPU avg_pool2d is much slower).

Prints one JSON line per architecture: seconds (build + init + scoring), gradsign, gradalign1 / gradalign2 (the
"none" readings of fixtures/pytorch/make_fixtures.py's scores), the per-class logdets, peak RSS, threads, BLAS.

torch resolves libblas.so.3 through Debian's alternatives: without libopenblas0 that is the netlib reference BLAS,
~10× slower GEMMs (the JSON's "blas" says which); LD_LIBRARY_PATH=<an openblas-pthread directory> selects OpenBLAS.

Usage: /usr/bin/python3 bench/pytorch_reference.py ARCHS_FILE BATCH.safetensors [SEED] [THREADS]
           [--mode loop|batched|batched-pool] [--no-blas-pin]
"""
import ctypes
import json
import math
import os
import resource
import sys
import time

# Debian's torch calls the system libblas.so.3 (OpenBLAS when that alternative is installed). OpenBLAS keeps its
# own thread pool, which torch.set_num_threads does not reach: T torch threads each calling a multi-threaded GEMM
# oversubscribe the cores. Pin it to one thread before it loads (the variable is read at load time); torch's own
# OpenMP / MKL pools are set by torch.set_num_threads below.
BLAS_PIN = "--no-blas-pin" not in sys.argv
if BLAS_PIN:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["GOTO_NUM_THREADS"] = "1"

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "pytorch"))
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from make_fixtures import Pooling, ReLUConvBN, ResNetBasicblock, Zero, build, load_safetensors, weight_layers  # noqa: E402

MODES = ("loop", "batched", "batched-pool")


def blas_info(pin):
    """The BLAS torch loaded, from /proc/self/maps; with pin, OpenBLAS is also set to 1 thread through its API
    (in case the environment variable came too late, e.g. when this module is imported)."""
    paths = sorted({l.split()[-1] for l in open("/proc/self/maps") if ".so" in l and ("blas" in l or "lapack" in l)})
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
            set_threads, get_threads = lib.openblas_set_num_threads, lib.openblas_get_num_threads
        except (OSError, AttributeError):
            continue
        if pin:
            set_threads(1)
        lib.openblas_get_config.restype = ctypes.c_char_p
        return {"blas": os.path.basename(p), "openblas": lib.openblas_get_config().decode(),
                "blas_threads": get_threads()}
    return {"blas": ",".join(os.path.basename(p) for p in paths) or "none", "blas_threads": 1}


def gradalign(grams):
    """GradAlign-I (mean of ||Σ_i s_i||² / n_c² = sum of the Gram's entries / n_c²) and -II (-mean logdet) over the
    classes with n_c ≥ 2, as make_fixtures.scores; GradAlign-II is None when a Gram is singular."""
    ga1, logdets = [], []
    for G in grams:
        n = G.shape[0]
        ga1.append(float(G.sum()) / n**2)
        sign, ld = torch.linalg.slogdet(G)
        logdets.append(float(ld) if float(sign) > 0 and math.isfinite(float(ld)) else None)
    ga2 = None if None in logdets or not logdets else -sum(logdets) / len(logdets)
    return (sum(ga1) / len(ga1) if ga1 else None), ga2, logdets


# --------------------------------------------------------------------------------------
# loop: the GradSign repository's batch-of-one loop
# --------------------------------------------------------------------------------------
def score_loop(net, x, y, keep=None):
    """keep: a dict to receive {module: [B, m_layer] per-sample gradients}, for the fixtures' check."""
    layers = [m for _, m in weight_layers(net)]
    weights = [m.weight for m in layers]
    m = sum(w.numel() for w in weights)
    B = x.shape[0]
    S = torch.empty(B, m, dtype=torch.int8)
    for i in range(B):
        net.zero_grad(set_to_none=True)
        F.cross_entropy(net(x[i : i + 1]), y[i : i + 1]).backward()
        if keep is not None:
            for l in layers:
                g = torch.zeros_like(l.weight) if l.weight.grad is None else l.weight.grad.clone()
                keep.setdefault(l, []).append(g.reshape(-1))
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
            grams.append((Sc @ Sc.T).double())
    if keep is not None:
        for l in layers:
            keep[l] = torch.stack(keep[l])
    return gradsign, grams


# --------------------------------------------------------------------------------------
# batched: one pass, per-sample BN, per-sample weight gradients in hooks
# --------------------------------------------------------------------------------------
class Batched:
    """TinyNetwork's forward written out with functional ops on the network's own parameters (none requires
    grad: only activations do, so backward computes no param.grad), with hooks that reduce each layer's
    per-sample weight gradients to the GradSign column sums and the per-class Grams."""

    def __init__(self, net, y, pool_as_conv, keep=None):
        self.net, self.pool_as_conv, self.keep = net, pool_as_conv, keep
        # Samples sorted by class (stable), so each class is a contiguous row slice of every layer's signs.
        counts = torch.bincount(y).tolist()
        starts = [sum(counts[:c]) for c in range(len(counts))]
        self.slices = [(a, a + n) for a, n in zip(starts, counts) if n >= 2]
        self.gradsign = 0.0
        self.grams = None
        self.buffers = {}

    # ---- per-sample weight gradients, reduced as they appear ----
    def reduce(self, m, g):
        """g: [B, m_layer] per-sample gradients (overwritten). Float signs are exact here: column sums are at
        most B and Gram entries at most m_layer, integers far below 2^24, so no int8 copy is needed."""
        if self.keep is not None:
            self.keep[m] = g.clone()
        s = g.sign_()
        self.gradsign += float(s.sum(0).abs().sum(dtype=torch.float64))
        grams = [s[a:b] @ s[a:b].T for a, b in self.slices]
        if self.grams is None:
            self.grams = [G.double() for G in grams]
        else:
            for acc, G in zip(self.grams, grams):
                acc += G

    def conv(self, m, x):
        y = F.conv2d(x, m.weight, None, m.stride, m.padding, m.dilation, m.groups)
        if not y.requires_grad:  # the stem: the first tensor that needs a gradient
            y.requires_grad_()
        saved = [x]  # popped in the hook, so the input is freed as soon as its layer is reduced

        def hook(gy):
            x = saved.pop()
            B, Ci, H, W = x.shape
            Co = gy.shape[1]
            if m.kernel_size == (1, 1) and m.stride == (1, 1) and m.padding == (0, 0):
                g = torch.bmm(gy.reshape(B, Co, -1), x.reshape(B, Ci, -1).transpose(1, 2))  # [B, Co, Ci]
            else:
                # Batch folded into groups: group b convolves sample b's input with sample b's output gradient,
                # so the weight gradient [B·Co, Ci, kh, kw] is the per-sample one. The weight's values are not
                # read for output_mask [False, True, False], only its shape.
                key = ("w", B, tuple(m.weight.shape), x.dtype)
                if key not in self.buffers:
                    self.buffers[key] = torch.zeros((B * Co,) + tuple(m.weight.shape[1:]), dtype=x.dtype)
                _, g, _ = torch.ops.aten.convolution_backward(
                    gy.reshape(1, B * Co, *gy.shape[2:]), x.reshape(1, B * Ci, H, W), self.buffers[key], None,
                    m.stride, m.padding, m.dilation, False, [0, 0], B, [False, True, False])
            self.reduce(m, g.reshape(B, -1))

        y.register_hook(hook)
        return y

    def linear(self, m, f):
        out = F.linear(f, m.weight, m.bias)
        saved = [f]

        def hook(gy):
            f = saved.pop()
            self.reduce(m, (gy[:, :, None] * f[:, None, :]).reshape(f.shape[0], -1))

        out.register_hook(hook)
        return out

    @staticmethod
    def bn(m, x):
        # BN in train mode on a batch of one = per-(sample, channel) statistics over H, W, biased variance.
        return F.instance_norm(x, weight=m.weight, bias=m.bias, eps=m.eps)

    def pool(self, x):
        if not self.pool_as_conv:
            return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
        C, H, W = x.shape[1:]
        key = ("pool", C, H, W, x.dtype)
        if key not in self.buffers:
            ones = torch.ones(C, 1, 3, 3, dtype=x.dtype)
            # Window sizes with count_include_pad=False: 3 inside, 2 along an edge, per axis.
            count = F.conv2d(torch.ones(1, 1, H, W, dtype=x.dtype), torch.ones(1, 1, 3, 3, dtype=x.dtype), padding=1)
            self.buffers[key] = (ones, count)
        ones, count = self.buffers[key]
        return F.conv2d(x, ones, None, 1, 1, 1, C) / count

    def relu_conv_bn(self, op, x):
        relu, conv, bn = op.op
        return self.bn(bn, self.conv(conv, F.relu(x)))

    def edge(self, op, x):
        if isinstance(op, ReLUConvBN):
            return self.relu_conv_bn(op, x)
        if isinstance(op, Pooling):
            assert isinstance(op.op, nn.AvgPool2d) and op.op.kernel_size == 3 and op.op.stride == 1
            assert op.op.padding == 1 and op.op.count_include_pad is False
            return self.pool(x)
        return x  # Identity

    def cell(self, cell, x):
        nodes = [x]
        for ix in cell.node_IX:
            # "none" edges are skipped: they add zeros and send a zero gradient back.
            terms = [self.edge(cell.layers[l], nodes[s]) for l, s in ix if not isinstance(cell.layers[l], Zero)]
            nodes.append(sum(terms) if terms else torch.zeros_like(x))
        return nodes[-1]

    def resblock(self, blk, x):
        pool, conv = blk.downsample
        d = self.conv(conv, F.avg_pool2d(x, pool.kernel_size, pool.stride, pool.padding))
        return d + self.relu_conv_bn(blk.conv_b, self.relu_conv_bn(blk.conv_a, x))

    def forward(self, x):
        net = self.net
        f = self.bn(net.stem[1], self.conv(net.stem[0], x))
        for cell in net.cells:
            f = self.resblock(cell, f) if isinstance(cell, ResNetBasicblock) else self.cell(cell, f)
        f = F.relu(self.bn(net.lastact[0], f))
        f = F.adaptive_avg_pool2d(f, 1).flatten(1)
        return self.linear(net.classifier, f)


def score_batched(net, x, y, pool_as_conv, keep=None):
    for p in net.parameters():
        p.requires_grad_(False)
    order = torch.sort(y, stable=True).indices
    x, y = x[order], y[order]
    peer = Batched(net, y, pool_as_conv, keep)
    # Σ_i CE_i: sample i's logits get exactly the gradient of its own batch-of-one loss.
    F.cross_entropy(peer.forward(x), y, reduction="sum").backward()
    if keep is not None:  # back to the caller's sample order
        for l, g in keep.items():
            keep[l] = torch.empty_like(g).index_copy_(0, order, g)
    return int(peer.gradsign), peer.grams or []


def score(arch, x, y, seed, mode, dtype=torch.float32, keep=None):
    """(gradsign, per-class Grams); keep: a dict to receive {layer name: [B, m_layer] per-sample gradients}."""
    net = build(arch, 16, 5, 10, seed).to(dtype)
    net.train()
    x = x.to(dtype)
    held = None if keep is None else {}
    if mode == "loop":
        out = score_loop(net, x, y, held)
    else:
        out = score_batched(net, x, y, (mode == "batched-pool"), held)
    if keep is not None:  # by module name, to compare networks
        keep.update({n: held[m] for n, m in net.named_modules() if m in held})
    return out


def main():
    argv = [a for a in sys.argv[1:] if a != "--no-blas-pin"]
    mode = "loop"
    if "--mode" in argv:
        i = argv.index("--mode")
        mode = argv[i + 1]
        del argv[i : i + 2]
    assert mode in MODES, f"--mode must be one of {MODES}"
    archs_file, batch_file = argv[0], argv[1]
    seed = int(argv[2]) if len(argv) > 2 else 1
    threads = int(argv[3]) if len(argv) > 3 else (os.cpu_count() or 1)
    torch.set_num_threads(threads)
    blas = blas_info(BLAS_PIN)
    batch = load_safetensors(batch_file)
    x, y = batch["x"], batch["y"].long()
    archs = [a.strip() for a in open(archs_file) if a.strip() and not a.startswith("#")]
    for arch in archs:
        start = time.perf_counter()
        gradsign, grams = score(arch, x, y, seed, mode)
        ga1, ga2, logdets = gradalign(grams)
        seconds = time.perf_counter() - start
        print(json.dumps({"arch": arch, "mode": mode, "seconds": seconds, "gradsign": gradsign,
                          "gradalign1": ga1, "gradalign2": ga2, "logdets": logdets,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          "torch": torch.__version__, "threads": torch.get_num_threads(), **blas}), flush=True)


if __name__ == "__main__":
    main()
