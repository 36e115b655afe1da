import { EMBODIMENTS } from '@robofm/core';
import { NdArray, decodeFrame, encodeFrame } from '@robofm/protocol';
import WebSocket from 'ws';

/**
 * A minimal openpi-style client for tests and the latency bench: connect, read the metadata frame,
 * then one request → one reply. A text frame from the server is an error (`ServerError`).
 */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

export class TestClient {
  metadata: Record<string, unknown> = {};
  closeCode: number | undefined;
  private waiters: { resolve: (v: Buffer | string) => void; reject: (e: Error) => void }[] = [];
  private inbox: (Buffer | string)[] = [];
  private closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const v = isBinary ? (data as Buffer) : data.toString();
      const w = this.waiters.shift();
      if (w) w.resolve(v);
      else this.inbox.push(v);
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w.reject(new ServerError(`connection closed (${code})`, code));
    });
    ws.on('error', () => {});
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    // Listen before 'open': the metadata frame can arrive in the same read as the handshake.
    const c = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new ServerError(`HTTP ${res.statusCode}`, res.statusCode)),
      );
    });
    const meta = await c.next();
    if (typeof meta === 'string') throw new ServerError(meta);
    c.metadata = decodeFrame(meta) as Record<string, unknown>;
    return c;
  }

  next(): Promise<Buffer | string> {
    const v = this.inbox.shift();
    if (v !== undefined) return Promise.resolve(v);
    if (this.closed)
      return Promise.reject(new ServerError(`connection closed (${this.closeCode})`, this.closeCode));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  async infer(request: unknown): Promise<Record<string, unknown>> {
    this.ws.send(encodeFrame(request));
    const r = await this.next();
    if (typeof r === 'string') throw new ServerError(r);
    return decodeFrame(r) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** An openpi ALOHA-layout request (CHW uint8 224x224 images, f4 state [14]) with seeded content. */
export function alohaRequest(seed = 0, size = 224): Record<string, unknown> {
  const img = new Uint8Array(3 * size * size);
  for (let i = 0; i < img.length; i++) img[i] = (i * 31 + seed * 7) & 0xff;
  const state = new Float32Array(14);
  for (let i = 0; i < 14; i++) state[i] = 0.05 * Math.sin(seed + i);
  return {
    state: new NdArray(state, [14]),
    images: {
      cam_high: new NdArray(img, [3, size, size]),
      cam_low: new NdArray(img, [3, size, size]),
      cam_left_wrist: new NdArray(img, [3, size, size]),
      cam_right_wrist: new NdArray(img, [3, size, size]),
    },
    prompt: 'transfer the cube',
  };
}

/** A native request for any built-in embodiment at its camera sizes. */
export function nativeRequest(embodiment: string, seed = 0): Record<string, unknown> {
  const spec = EMBODIMENTS[embodiment];
  const images: Record<string, NdArray> = {};
  for (const c of spec.cameras)
    images[c.name] = new NdArray(new Uint8Array(c.width * c.height * 3).fill(seed & 0xff), [
      c.height,
      c.width,
      3,
    ]);
  return {
    embodiment,
    state: new NdArray(new Float32Array(spec.stateNames.length).fill(0), [spec.stateNames.length]),
    images,
    prompt: 'pick up the cube',
  };
}
