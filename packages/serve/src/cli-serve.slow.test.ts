import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBODIMENTS } from '@robofm/core';
import { NdArray } from '@robofm/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, alohaRequest } from './test-client.ts';

const BIN = fileURLToPath(new URL('../../cli/bin/robofm.js', import.meta.url));
let child: ChildProcess | null = null;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
});

function startServe(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, ROBOFM_PROGRESS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`robofm serve did not start: ${err}`)), 120_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /robofm serve: (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], proc });
      }
    });
    proc.on('exit', (code) => reject(new Error(`robofm serve exited ${code}: ${err}`)));
  });
}

describe('robofm serve (CLI)', () => {
  it('serves with no checkpoint argument, answers ALOHA requests, stops on SIGTERM', async () => {
    const { url, proc } = await startServe([]);
    const c = await TestClient.connect(url);
    const r = await c.infer(alohaRequest(1));
    expect((r.actions as NdArray).shape[1]).toBe(14);
    const http = url.replace('ws://', 'http://');
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
    await c.close();
    const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);

  it('enforces API keys from ROBOFM_API_KEYS and serves several models', async () => {
    const { url } = await startServe(['--models', 'a=scripted,b=scripted'], {
      ROBOFM_API_KEYS: 'k1:100@robot',
    });
    await expect(TestClient.connect(url)).rejects.toThrow(/401/);
    const c = await TestClient.connect(`${url}/v1/models/b/ws`, { Authorization: 'Api-Key k1' });
    expect(c.metadata.model).toBe('b');
    expect(((await c.infer(alohaRequest())).actions as NdArray).shape).toEqual([16, 14]);
    await c.close();
  }, 180_000);

  it('--layouts adds key mappings for other openpi-style clients', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'robofm-layouts-'));
    const file = join(dir, 'layouts.json');
    const cam = EMBODIMENTS.arm6.cameras[0].name;
    writeFileSync(
      file,
      JSON.stringify([
        {
          name: 'droid-ish',
          embodiments: ['arm6'],
          state: ['observation/joint_position'],
          images: [{ path: ['observation/exterior_image_1_left'], cameras: [cam], required: true }],
          prompt: 'prompt',
        },
      ]),
    );
    const { url } = await startServe(['scripted', '--layouts', file]);
    const c = await TestClient.connect(url);
    const r = await c.infer({
      'observation/joint_position': new NdArray(new Float64Array(EMBODIMENTS.arm6.stateNames.length), [
        EMBODIMENTS.arm6.stateNames.length,
      ]),
      'observation/exterior_image_1_left': new NdArray(new Uint8Array(180 * 320 * 3), [180, 320, 3]),
      prompt: 'pick up the cube',
    });
    expect((r.actions as NdArray).shape).toEqual([16, EMBODIMENTS.arm6.actionNames.length]);
    await c.close();
  }, 180_000);
});
