/** Threads and devices. */
import { ValidationError } from '@robofm/core';
import { N } from './native.ts';

/**
 * libtorch intra-op threads. Default 1: on OpenBLAS builds the BLAS threads do the parallel work, and
 * both at N oversubscribed a 2-core machine (measured 2.8× slower). See `setBlasThreads`.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValidationError('threads', n, 'an integer >= 1');
  N.setNumThreads(n);
}

export function getNumThreads(): number {
  return N.getNumThreads();
}

/** OpenBLAS threads (default: all cores, from OPENBLAS_NUM_THREADS at start). False when not OpenBLAS. */
export function setBlasThreads(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) throw new ValidationError('threads', n, 'an integer >= 1');
  return N.setBlasThreads(n);
}

/** OpenBLAS threads, or -1 when libtorch does not use OpenBLAS. */
export function getBlasThreads(): number {
  return N.getBlasThreads();
}

export const cuda = {
  isAvailable(): boolean {
    return N.cudaAvailable();
  },
  deviceCount(): number {
    return N.cudaDeviceCount();
  },
};

/** The linked libtorch's version, e.g. "1.13.1". */
export function torchVersion(): string {
  return N.torchVersion();
}

/** Devices tests should run on: cpu, plus cuda when available. */
export function availableDevices(): ('cpu' | 'cuda')[] {
  return N.cudaAvailable() ? ['cpu', 'cuda'] : ['cpu'];
}
