/** The benchmark models (mirrored by bench/torch_reference.py with the same parameter names). */
import { scope } from '../scope.ts';
import type { Tensor } from '../tensor.ts';
import * as nn from '../nn/index.ts';

export interface TransformerConfig {
  dim: number;
  heads: number;
  mlp: number;
  layers: number;
}

/** Pre-norm transformer: blocks → LayerNorm → Linear head. [B, T, D] → [B, T, D]. */
export class BenchTransformer extends nn.Module {
  blocks: nn.ModuleList<nn.TransformerBlock>;
  norm: nn.LayerNorm;
  head: nn.Linear;
  constructor(c: TransformerConfig = { dim: 128, heads: 4, mlp: 512, layers: 4 }) {
    super();
    this.blocks = new nn.ModuleList(
      Array.from({ length: c.layers }, () => new nn.TransformerBlock(c.dim, c.heads, c.mlp)),
    );
    this.norm = new nn.LayerNorm(c.dim);
    this.head = new nn.Linear(c.dim, c.dim);
  }
  forward(x: Tensor): Tensor {
    return scope(() => {
      let h = x;
      for (const b of this.blocks) {
        const y = b.forward(h);
        if (h !== x) h.dispose();
        h = y;
      }
      const n = this.norm.forward(h);
      h.dispose();
      const out = this.head.forward(n);
      n.dispose();
      return out;
    });
  }
}

/** 3 stride-2 convs (3→32→64→128) with ReLU on 64×64 images, then MLP 8192→256→classes. */
export class BenchCNN extends nn.Module {
  convs: nn.ModuleList<nn.Conv2d>;
  mlp: nn.MLP;
  constructor(classes = 10) {
    super();
    this.convs = new nn.ModuleList([
      new nn.Conv2d(3, 32, 3, { stride: 2, padding: 1 }),
      new nn.Conv2d(32, 64, 3, { stride: 2, padding: 1 }),
      new nn.Conv2d(64, 128, 3, { stride: 2, padding: 1 }),
    ]);
    this.mlp = new nn.MLP(128 * 8 * 8, 256, classes, { activation: 'relu' });
  }
  forward(x: Tensor): Tensor {
    return scope(() => {
      let h = x; // [B, 3, 64, 64]
      for (const c of this.convs) {
        const y = c.forward(h);
        if (h !== x) h.dispose();
        h = y.relu();
        y.dispose(); // freed at last use, as Python's refcounting frees it
      } // → [B, 128, 8, 8]
      const f = h.flatten(1);
      h.dispose();
      const out = this.mlp.forward(f);
      f.dispose();
      return out;
    });
  }
}
