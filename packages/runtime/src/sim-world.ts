import type { Policy, RobotDriver } from '@robofm/core';
import { ValidationError } from '@robofm/core';
import type { WorkspaceBox } from './safety.ts';
import type { World, WorldOptions } from './world.ts';

/**
 * Runtime episodes on the MuJoCo simulator: `@robofm/sim`'s SimDriver for (embodiment, task,
 * scene seed), its task's success detector, and a privileged scripted expert for the live scene.
 * `@robofm/sim` is imported dynamically so the on-robot runtime never loads MuJoCo unless asked.
 * Returns null when no embodiment is named (callers then use their own world).
 */
export async function simWorld(o: WorldOptions & { cameras?: string[] }): Promise<World | null> {
  if (!o.embodiment) return null;
  const sim = (await import('@robofm/sim')) as unknown as SimModule;
  const driver = await sim.SimDriver.create({
    embodiment: o.embodiment,
    task: o.task,
    sceneSeed: o.seed ?? 0,
    ...(o.cameras ? { cameras: o.cameras } : {}),
  });
  try {
    const env = driver.env;
    const controlHz = driver.spec.controlHz;
    const timeLimitS = o.timeLimitS ?? env.maxSteps / controlHz;
    let expert: Policy | undefined;
    if (typeof sim.ExpertPolicy === 'function') {
      expert = new sim.ExpertPolicy(env.world, () => env.taskState, 'expert');
    }
    // Fixed bases: a box around the table; the free hand too once its targets can be checked by FK.
    const hasFk = typeof (env.world as { eePositionsAt?: unknown }).eePositionsAt === 'function';
    const fixedBase =
      ['arm6', 'arm4', 'bimanual'].includes(driver.spec.name) || (hasFk && driver.spec.name === 'hand');
    const ws =
      fixedBase && typeof sim.workspaceFor === 'function' ? sim.workspaceFor(driver.spec.name) : undefined;
    const workspace = ws ? workspaceBox(ws, driver) : undefined;
    return {
      driver,
      expert,
      instruction: driver.instruction,
      timeLimitS,
      home: Float64Array.from(driver.read().q),
      workspace,
      success: () => driver.success(),
      dispose: () => driver.dispose(),
    };
  } catch (e) {
    driver.dispose();
    throw e;
  }
}

/**
 * The box the runtime keeps the end effectors in: above the table top (10 cm of slack for
 * fingertips pressing on it) and within 1.5 m of where they start. Checked on the measured
 * end-effector positions (`fk` ignores `q`: the simulator's kinematics are not a pure function
 * here), so while a hand is outside, new targets are rejected and the watchdog holds position.
 */
function workspaceBox(ws: unknown, driver: SimDriverLike): WorkspaceBox | undefined {
  const tableHeight = (ws as { tableHeight?: unknown }).tableHeight;
  if (typeof tableHeight !== 'number') return undefined;
  const ee = driver.eePositions();
  if (ee.length === 0) return undefined;
  const min: [number, number, number] = [Infinity, Infinity, tableHeight - 0.1];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const p of ee) {
    for (let a = 0; a < 2; a++) {
      min[a] = Math.min(min[a], p[a] - 1.5);
      max[a] = Math.max(max[a], p[a] + 1.5);
    }
    max[2] = Math.max(max[2], p[2] + 1.5);
  }
  // Prefer forward kinematics of the target itself when the sim offers it.
  const world = driver.env.world as {
    eePositionsAt?: (q: ArrayLike<number>) => Array<[number, number, number]>;
  };
  const fk =
    typeof world.eePositionsAt === 'function'
      ? (q: ArrayLike<number>) => world.eePositionsAt!(q)
      : () => driver.eePositions();
  return { min, max, fk };
}

interface SimDriverLike extends RobotDriver {
  readonly env: { world: unknown; taskState: unknown; maxSteps: number };
  readonly instruction: string;
  success(): boolean;
  eePositions(): Array<[number, number, number]>;
}

interface SimModule {
  SimDriver: {
    create(o: {
      embodiment: string;
      task?: string;
      sceneSeed?: number;
      cameras?: string[];
    }): Promise<SimDriverLike>;
  };
  ExpertPolicy?: new (world: unknown, getState: () => unknown, quality: string) => Policy;
  workspaceFor?: (embodiment: string) => unknown;
}

export function requireEmbodiment(name: string | undefined): string {
  if (!name)
    throw new ValidationError(
      '--embodiment',
      name,
      'a body name (arm6, arm4, mobile, bimanual, humanoid, hand)',
    );
  return name;
}
