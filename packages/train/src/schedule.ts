/** Linear warmup to `peak` over `warmup` steps, then cosine decay to `floor` at `total`. */
export function warmupCosine(o: {
  warmup: number;
  total: number;
  peak: number;
  floor: number;
}): (step: number) => number {
  return (step) => {
    if (o.warmup > 0 && step < o.warmup) return (o.peak * (step + 1)) / o.warmup;
    const span = Math.max(1, o.total - o.warmup);
    const p = Math.min(1, Math.max(0, (step - o.warmup) / span));
    return o.floor + 0.5 * (o.peak - o.floor) * (1 + Math.cos(Math.PI * p));
  };
}
