/** Parameter initialisers (in place, no grad). Pass a Generator for reproducible inits. */
import type { Generator } from '../creation.ts';
import { N } from '../native.ts';
import type { Tensor } from '../tensor.ts';

function fans(t: Tensor): { fanIn: number; fanOut: number } {
  const s = t.shape;
  if (s.length < 2) return { fanIn: s[0] ?? 1, fanOut: s[0] ?? 1 };
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: s[1] * receptive, fanOut: s[0] * receptive };
}

export function uniform_(t: Tensor, low: number, high: number, generator?: Generator): Tensor {
  N.initUniform(t.id, low, high, generator?.id ?? -1);
  return t;
}

export function normal_(t: Tensor, mean = 0, std = 1, generator?: Generator): Tensor {
  N.initNormal(t.id, mean, std, generator?.id ?? -1);
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return t.zeroInPlace();
}

export function ones_(t: Tensor): Tensor {
  return t.fillInPlace(1);
}

export function constant_(t: Tensor, value: number): Tensor {
  return t.fillInPlace(value);
}

/** Glorot uniform: U(-a, a), a = gain·sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = fans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, generator);
}

/** He uniform for leaky-ReLU slope `a` (PyTorch's Linear/Conv default uses a = sqrt(5)). */
export function kaimingUniform_(t: Tensor, a = 0, generator?: Generator): Tensor {
  const { fanIn } = fans(t);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fanIn);
  return uniform_(t, -bound, bound, generator);
}

/** Normal(mean, std) truncated to [a, b] by resampling-free clamping of a normal draw. */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, generator?: Generator): Tensor {
  normal_(t, mean, std, generator);
  const clamped = t.clamp(a, b);
  t.copyFrom(clamped);
  clamped.dispose();
  return t;
}

export { fans as _fans };
