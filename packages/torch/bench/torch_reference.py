"""PyTorch eager reference for `robofm bench torch` (run with Debian's python3-torch).

Speaks one JSON object per line on stdin/stdout so the TypeScript side can interleave timings:
  {"cmd": "setup", "model": "transformer"|"cnn", "weights": path, "data": path, "lr": float}
  {"cmd": "steps", "model": ..., "n": int}          -> {"times_ms": [...], "losses": [...]}
  {"cmd": "opbench", "n": int}                      -> {"us_per_op": wall, "cpu_us_per_op": thread CPU}
  {"cmd": "quit"}
Weights and data come from safetensors files written by the TypeScript side (parsed here by hand
with numpy), so both sides train the same model from the same init on the same batch. Module and
parameter names match @robofm/torch's field paths.
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}


def load_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        arr = np.frombuffer(body[b:e], dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).copy()
        out[name] = torch.from_numpy(arr)
    return out


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        B, T, D = x.shape
        H = self.heads
        q, k, v = self.qkv(x).reshape(B, T, 3, H, D // H).permute(2, 0, 3, 1, 4).unbind(0)
        att = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(D // H))
        att = torch.softmax(att, -1)
        out = torch.matmul(att, v)
        return self.proj(out.transpose(1, 2).reshape(B, T, D))


class MLP(nn.Module):
    def __init__(self, dims, act):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.act = act

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = self.act(x)
        return x


class Block(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.norm1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads)
        self.norm2 = nn.LayerNorm(d)
        self.mlp = MLP([d, mlp, d], F.gelu)

    def forward(self, x):
        h = x + self.attn(self.norm1(x))
        return h + self.mlp(self.norm2(h))


class Transformer(nn.Module):
    def __init__(self, d=128, heads=4, mlp=512, layers=4):
        super().__init__()
        self.blocks = nn.ModuleList([Block(d, heads, mlp) for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, d)

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x))


class CNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.convs = nn.ModuleList([
            nn.Conv2d(3, 32, 3, stride=2, padding=1),
            nn.Conv2d(32, 64, 3, stride=2, padding=1),
            nn.Conv2d(64, 128, 3, stride=2, padding=1),
        ])
        self.mlp = MLP([128 * 8 * 8, 256, classes], F.relu)

    def forward(self, x):
        for c in self.convs:
            x = F.relu(c(x))
        return self.mlp(x.flatten(1))


state = {}


def setup(msg):
    model = Transformer() if msg["model"] == "transformer" else CNN()
    weights = load_safetensors(msg["weights"])
    model.load_state_dict(weights, strict=True)
    data = load_safetensors(msg["data"])
    opt = torch.optim.AdamW(model.parameters(), lr=msg["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    state[msg["model"]] = (model, opt, data["x"], data["y"])
    return {"ok": True, "params": sum(p.numel() for p in model.parameters())}


def steps(msg):
    model, opt, x, y = state[msg["model"]]
    loss_fn = F.mse_loss if msg["model"] == "transformer" else F.cross_entropy
    times, losses = [], []
    for _ in range(msg["n"]):
        t0 = time.perf_counter()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item())
        times.append((time.perf_counter() - t0) * 1000)
    return {"times_ms": times, "losses": losses}


def opbench(msg):
    a = torch.tensor([1.0])
    b = torch.tensor([2.0])
    n = msg["n"]
    c0 = time.thread_time()
    t0 = time.perf_counter()
    for _ in range(n):
        z = a + b
    wall = (time.perf_counter() - t0) * 1e6 / n
    return {"us_per_op": wall, "cpu_us_per_op": (time.thread_time() - c0) * 1e6 / n}


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg["cmd"]
        if cmd == "quit":
            break
        try:
            out = {"setup": setup, "steps": steps, "opbench": opbench}[cmd](msg)
        except Exception as e:  # report, keep serving
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
