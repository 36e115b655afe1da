/**
 * Index of the entry that a uniform `u` in [0, 1) falls on over cumulative weights `cum`
 * (non-decreasing, last entry = the total): entry i is drawn with probability
 * (cum[i] − cum[i−1]) / total. Binary search, O(log n).
 */
export function pickCumulative(cum: ArrayLike<number>, u: number): number {
  const r = u * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
