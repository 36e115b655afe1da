/**
 * Damped least squares (Levenberg–Marquardt) inverse kinematics on a MuJoCo site Jacobian:
 *   dq = W⁻¹ Jᵀ (J W⁻¹ Jᵀ + λ² I)⁻¹ e
 * J is m×n (m ≤ 6 task rows: position, then weighted rotation), W a diagonal joint cost (a large
 * weight makes a joint move less, e.g. a mobile base), λ the damping that keeps steps bounded near
 * singularities. Pure math on plain arrays.
 */
export function dlsStep(
  jac: Float64Array,
  err: ArrayLike<number>,
  m: number,
  n: number,
  lambda: number,
  jointCost?: ArrayLike<number>,
): Float64Array {
  if (jac.length !== m * n)
    throw new RangeError(`dlsStep: jac has ${jac.length} entries, expected ${m}x${n}`);
  const winv = new Float64Array(n);
  for (let j = 0; j < n; j++) winv[j] = jointCost ? 1 / jointCost[j] : 1;
  // A = J W⁻¹ Jᵀ + λ² I   [m, m]
  const a = new Float64Array(m * m);
  for (let r = 0; r < m; r++)
    for (let c = r; c < m; c++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += jac[r * n + j] * winv[j] * jac[c * n + j];
      a[r * m + c] = s;
      a[c * m + r] = s;
    }
  for (let r = 0; r < m; r++) a[r * m + r] += lambda * lambda;
  const y = solveSpd(a, Float64Array.from(err), m);
  const dq = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let r = 0; r < m; r++) s += jac[r * n + j] * y[r];
    dq[j] = winv[j] * s;
  }
  return dq;
}

/** Solves A x = b for a symmetric positive definite A (Cholesky), in place on copies. */
export function solveSpd(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      l[i * m + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * m + j];
    }
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * m + k] * z[k];
    z[i] = s / l[i * m + i];
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < m; k++) s -= l[k * m + i] * x[k];
    x[i] = s / l[i * m + i];
  }
  return x;
}

/**
 * Rotation error (axis × angle, world frame, small-angle form) that turns frame `cur` into `des`
 * (row-major 3×3, columns are axes): ½ Σᵢ cur[:,i] × des[:,i]. With `axes` only those columns
 * are matched (e.g. [2]: just the approach axis, for arms that cannot control yaw).
 */
export function rotationError(
  cur: ArrayLike<number>,
  des: ArrayLike<number>,
  axes: number[] = [0, 1, 2],
): [number, number, number] {
  const e: [number, number, number] = [0, 0, 0];
  for (const i of axes) {
    const a = [cur[i], cur[3 + i], cur[6 + i]];
    const b = [des[i], des[3 + i], des[6 + i]];
    e[0] += a[1] * b[2] - a[2] * b[1];
    e[1] += a[2] * b[0] - a[0] * b[2];
    e[2] += a[0] * b[1] - a[1] * b[0];
  }
  const k = axes.length === 3 ? 0.5 : 1;
  return [e[0] * k, e[1] * k, e[2] * k];
}

/** Row-major rotation matrix whose columns are the given axes. */
export function matFromAxes(x: number[], y: number[], z: number[]): number[] {
  return [x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]];
}
