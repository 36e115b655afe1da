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
    // Scripted experts exist for the task suite's tasks only (not for free play).
    if (typeof sim.ExpertPolicy === 'function' && o.task !== undefined && o.task in (sim.SUITE_TASKS ?? {})) {
      expert = new sim.ExpertPolicy(env.world, () => env.taskState, 'expert');
    }
    // A box above the table for bodies whose ee targets can be checked: fixed-base arms, and the
    // free hand once the sim offers forward kinematics of a target (eePositionsAt).
    const hasFk = typeof (env.world as { eePositionsAt?: unknown }).eePositionsAt === 'function';
    const boxed =
      ['arm6', 'arm4', 'bimanual'].includes(driver.spec.name) || (hasFk && driver.spec.name === 'hand');
    const table = (env.world as { scene?: { table?: { height?: unknown } } }).scene?.table;
    const workspace =
      boxed && typeof table?.height === 'number' ? workspaceBox(table.height, driver) : undefined;
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
 * The box the runtime keeps the end effectors in: above the table top and within 1.5 m of where
 * they start. With the sim's forward kinematics (`eePositionsAt`) each *target* is checked before it
 * is commanded (2 cm of slack below the table top for grasps); without it the *measured* positions
 * are checked (10 cm of slack), which only stops new targets once a hand is already outside.
 */
function workspaceBox(tableHeight: number, driver: SimDriverLike): WorkspaceBox | undefined {
  const ee = driver.eePositions();
  if (ee.length === 0) return undefined;
  const world = driver.env.world as {
    eePositionsAt?: (q: ArrayLike<number>) => Array<[number, number, number]>;
  };
  const targetFk = typeof world.eePositionsAt === 'function';
  const min: [number, number, number] = [Infinity, Infinity, tableHeight - (targetFk ? 0.02 : 0.1)];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const p of ee) {
    for (let a = 0; a < 2; a++) {
      min[a] = Math.min(min[a], p[a] - 1.5);
      max[a] = Math.max(max[a], p[a] + 1.5);
    }
    max[2] = Math.max(max[2], p[2] + 1.5);
  }
  const fk = targetFk ? (q: ArrayLike<number>) => world.eePositionsAt!(q) : () => driver.eePositions();
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
  SUITE_TASKS?: Record<string, unknown>;
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
