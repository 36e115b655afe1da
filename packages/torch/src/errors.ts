import { RobofmError } from '@robofm/core';
import { type DType, DTYPES } from './dtype.ts';

/** Shape and dtype of one input of a failed op. */
export interface TorchErrorInput {
  shape: number[];
  dtype: DType | 'unknown';
}

/**
 * An error raised by libtorch or by the binding. `code` is stable: tensor_disposed, invalid_argument,
 * shape_mismatch, dtype_mismatch, index_out_of_range, not_implemented, autograd_error,
 * device_unavailable, out_of_memory, torch_error. `op` names the operation; `inputs` lists the
 * shapes and dtypes of the tensors it received.
 */
export class TorchError extends RobofmError {
  readonly op: string;
  readonly inputs: TorchErrorInput[];

  constructor(
    code: string,
    op: string,
    message: string,
    inputs: { shape: number[]; dtype: number | string }[] = [],
  ) {
    const ins = inputs.map((i) => ({
      shape: [...i.shape],
      dtype: (typeof i.dtype === 'number' ? (DTYPES[i.dtype] ?? 'unknown') : i.dtype) as DType | 'unknown',
    }));
    const where = ins.length
      ? ` [inputs: ${ins.map((i) => `${i.dtype}[${i.shape.join(', ')}]`).join(', ')}]`
      : '';
    super(code, `${op}: ${message}${where}`, { status: code === 'out_of_memory' ? 503 : 400 });
    this.name = 'TorchError';
    this.op = op;
    this.inputs = ins;
  }

  /** Input shapes, in argument order. */
  get shapes(): number[][] {
    return this.inputs.map((i) => i.shape);
  }

  /** Input dtypes, in argument order. */
  get dtypes(): string[] {
    return this.inputs.map((i) => i.dtype);
  }
}
