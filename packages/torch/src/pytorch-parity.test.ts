// Values agree with PyTorch itself (Debian's python3-torch on the same libtorch): the same inputs go
// through a list of ops on both sides via safetensors files; plus 3 AdamW steps of a small model
// give the same losses and weights.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  F,
  loadSafetensors,
  manualSeed,
  nn,
  optim,
  randint,
  randn,
  saveSafetensors,
  scope,
  type Tensor,
} from './index.ts';
import { findPython } from './python.ts';

const py = findPython(['torch', 'numpy']);
const dir = mkdtempSync(join(tmpdir(), 'robofm-parity-'));

const PY = `
import json, struct, sys, numpy as np, torch, torch.nn.functional as F
torch.set_num_threads(1)
def load(path):
    data = open(path, "rb").read(); n = struct.unpack("<Q", data[:8])[0]
    h = json.loads(data[8:8+n]); h.pop("__metadata__", None); body = data[8+n:]
    dt = {"F32": "<f4", "I64": "<i8", "BOOL": "?"}
    return {k: torch.from_numpy(np.frombuffer(body[v["data_offsets"][0]:v["data_offsets"][1]], dtype=dt[v["dtype"]]).reshape(v["shape"]).copy()) for k, v in h.items()}
def save(path, ts):
    header, blobs, off = {}, [], 0
    for k, t in ts.items():
        raw = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}; blobs.append(raw); off += len(raw)
    h = json.dumps(header).encode(); h += b" " * ((8 - len(h) % 8) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
i = load(sys.argv[1]); x, y, q, k, v, img, cls = i["x"], i["y"], i["q"], i["k"], i["v"], i["img"], i["cls"]
att_mask = i["mask"]
out = {
  "gelu": F.gelu(x), "gelu_tanh": F.gelu(x, approximate="tanh"), "silu": F.silu(x), "softplus": F.softplus(x),
  "var": x.var(1), "std_biased": x.std(0, unbiased=False), "logsumexp": x.logsumexp(1), "cumsum": x.cumsum(1),
  "softmax": x.softmax(1), "log_softmax": x.log_softmax(0),
  "layer_norm": F.layer_norm(x, (8,)), "mse": F.mse_loss(x, y).reshape(1), "l1": F.l1_loss(x, y).reshape(1),
  "smooth_l1": F.smooth_l1_loss(x, y, beta=0.5).reshape(1),
  "ce": F.cross_entropy(x, cls, label_smoothing=0.1, ignore_index=2).reshape(1),
  "sdpa_causal": torch.softmax((q @ k.transpose(-2, -1)) / 2.0 + torch.full((5, 5), float("-inf")).triu(1), -1) @ v,
  "sdpa_mask": torch.softmax((q @ k.transpose(-2, -1) / 2.0).masked_fill(~att_mask, float("-inf")), -1) @ v,
  "bilinear": F.interpolate(img, size=(5, 7), mode="bilinear", align_corners=False),
  "nearest": F.interpolate(img, size=(6, 6), mode="nearest"),
  "maxpool": F.max_pool2d(img, 2), "avgpool": F.avg_pool2d(img, 3, stride=1, padding=1),
}
save(sys.argv[2], out)
`;

describe.skipIf(!py)('parity with PyTorch', () => {
  it('ops give the same values as PyTorch', () => {
    scope(() => {
      manualSeed(11);
      const x = randn([6, 8]);
      const y = randn([6, 8]);
      const q = randn([2, 2, 5, 4]);
      const k = randn([2, 2, 5, 4]);
      const v = randn([2, 2, 5, 4]);
      const img = randn([1, 2, 4, 4]);
      const cls = randint(0, 8, [6]);
      const mask = randn([5, 5])
        .gt(-0.5)
        .logicalOr(randn([5, 5]).mul(0).add(1).tril().bool());
      const inFile = join(dir, 'in.safetensors');
      const outFile = join(dir, 'out.safetensors');
      saveSafetensors(inFile, { x, y, q, k, v, img, cls, mask });
      execFileSync(py!, ['-c', PY, inFile, outFile]);
      const ref = loadSafetensors(outFile).tensors;
      const ours: Record<string, Tensor> = {
        gelu: x.gelu(),
        gelu_tanh: x.gelu('tanh'),
        silu: x.silu(),
        softplus: x.softplus(),
        var: x.var(1),
        std_biased: x.std(0, false, false),
        logsumexp: x.logsumexp(1),
        cumsum: x.cumsum(1),
        softmax: x.softmax(1),
        log_softmax: x.logSoftmax(0),
        layer_norm: F.layerNorm(x, 8),
        mse: F.mseLoss(x, y).reshape(1),
        l1: F.l1Loss(x, y).reshape(1),
        smooth_l1: F.smoothL1Loss(x, y, 'mean', 0.5).reshape(1),
        ce: F.crossEntropy(x, cls, { labelSmoothing: 0.1, ignoreIndex: 2 }).reshape(1),
        sdpa_causal: F.scaledDotProductAttention(q, k, v, { isCausal: true }),
        sdpa_mask: F.scaledDotProductAttention(q, k, v, { mask }),
        bilinear: F.interpolate(img, { size: [5, 7], mode: 'bilinear' }),
        nearest: F.interpolate(img, { size: [6, 6], mode: 'nearest' }),
        maxpool: F.maxPool2d(img, 2),
        avgpool: F.avgPool2d(img, 3, { stride: 1, padding: 1 }),
      };
      expect(Object.keys(ref).sort()).toEqual(Object.keys(ours).sort());
      for (const [name, t] of Object.entries(ours)) {
        expect(t.shape, name).toEqual(ref[name].shape);
        const err = t.sub(ref[name]).abs().max().item();
        expect(err, `${name}: max |ours - torch| = ${err}`).toBeLessThan(1e-5);
      }
    });
  });
});

const TRAIN = `
import json, struct, sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
def load(path):
    data = open(path, "rb").read(); n = struct.unpack("<Q", data[:8])[0]
    h = json.loads(data[8:8+n]); h.pop("__metadata__", None); body = data[8+n:]
    return {k: torch.from_numpy(np.frombuffer(body[v["data_offsets"][0]:v["data_offsets"][1]], dtype="<f4").reshape(v["shape"]).copy()) for k, v in h.items()}
w = load(sys.argv[1])
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16); self.norm = nn.LayerNorm(16); self.fc2 = nn.Linear(16, 3)
    def forward(self, x):
        return self.fc2(F.gelu(self.norm(self.fc1(x))))
m = M(); m.load_state_dict({k: v for k, v in w.items() if k not in ("x", "y")})
opt = torch.optim.AdamW(m.parameters(), lr=0.01, weight_decay=0.1)
losses = []
for _ in range(3):
    loss = F.mse_loss(m(w["x"]), w["y"]); loss.backward(); opt.step(); opt.zero_grad(set_to_none=True); losses.append(loss.item())
print(json.dumps({"losses": losses, "fc1": m.fc1.weight.detach().numpy().ravel().tolist()}))
`;

class Small extends nn.Module {
  fc1 = new nn.Linear(6, 16);
  norm = new nn.LayerNorm(16);
  fc2 = new nn.Linear(16, 3);
  forward(x: Tensor): Tensor {
    return scope(() => this.fc2.forward(this.norm.forward(this.fc1.forward(x)).gelu()));
  }
}

describe.skipIf(!py)('training parity with PyTorch', () => {
  it('3 AdamW steps give identical losses and weights', () => {
    scope(() => {
      manualSeed(5);
      const m = new Small();
      const x = randn([10, 6]);
      const y = randn([10, 3]);
      const file = join(dir, 'train.safetensors');
      saveSafetensors(file, { ...m.stateDict(), x, y });
      const ref = JSON.parse(execFileSync(py!, ['-c', TRAIN, file], { encoding: 'utf8' }));
      const opt = new optim.AdamW(m.parameters(), { lr: 0.01, weightDecay: 0.1 });
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        losses.push(
          scope(() => {
            const l = F.mseLoss(m.forward(x), y);
            l.backward();
            return l.item();
          }),
        );
        opt.step();
        opt.zeroGrad();
      }
      expect(losses).toEqual(ref.losses.map((v: number) => Math.fround(v)));
      const w = m.fc1.weight.toNumberArray();
      expect(w).toEqual(ref.fc1.map((v: number) => Math.fround(v)));
      m.dispose();
      opt.dispose();
    });
  });
});
