/**
 * Finite-difference gradient check (float64): compares autograd's gradients of sum(f(inputs) · w) (w a
 * fixed random weighting) with central differences. For tests of differentiable ops.
 */
import { tensor } from './creation.ts';
import { noGrad, scope } from './scope.ts';
import type { Tensor } from './tensor.ts';

export interface GradcheckResult {
  ok: boolean;
  maxAbsError: number;
  /** Where the worst mismatch was: input index, flat element index, analytic and numeric values. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
}

export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: { data: number[] | Float64Array; shape: number[] }[],
  opts: { eps?: number; atol?: number; rtol?: number } = {},
): GradcheckResult {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  return scope(() => {
    const datas = inputs.map((i) => Float64Array.from(i.data));
    const make = (ds: Float64Array[], grad: boolean) =>
      ds.map((d, k) => tensor(d, { shape: inputs[k].shape, dtype: 'float64', requiresGrad: grad }));
    // A fixed weighting so every output element matters differently.
    const xs = make(datas, true);
    const out = fn(...xs);
    const n = out.numel();
    const w = tensor(
      Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 0.3) + 1.1),
      { shape: out.shape },
    );
    const objective = (o: Tensor) => o.double().mul(w).sum();
    objective(out).backward();
    const analytic = xs.map((x) => {
      const g = x.grad;
      return g ? (g.toArray() as Float64Array) : new Float64Array(x.numel());
    });
    let worst: GradcheckResult['worst'] = null;
    let maxErr = 0;
    let ok = true;
    noGrad(() => {
      for (let k = 0; k < datas.length; k++) {
        for (let i = 0; i < datas[k].length; i++) {
          const f = (delta: number) =>
            scope(() => {
              const ds = datas.map((d) => Float64Array.from(d));
              ds[k][i] += delta;
              return objective(fn(...make(ds, false))).item();
            });
          const numeric = (f(eps) - f(-eps)) / (2 * eps);
          const a = analytic[k][i];
          const err = Math.abs(a - numeric);
          if (err > maxErr) {
            maxErr = err;
            worst = { input: k, index: i, analytic: a, numeric };
          }
          if (err > atol + rtol * Math.abs(numeric)) ok = false;
        }
      }
    });
    return { ok, maxAbsError: maxErr, worst };
  });
}
