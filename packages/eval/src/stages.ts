import { isHeld, type SimWorld, type SuiteState } from '@robofm/sim';

/**
 * How far an episode got on the way to its first goal, from privileged simulator state: a funnel
 * that says *where* a policy fails (never gets near the object, gets near but does not grasp,
 * grasps but does not carry) when the success rate alone says only that it does.
 */
export interface EpisodeStages {
  /** Closest distance (cm) between the end effector and the goal's object over the episode. */
  closestCm: number;
  /** A gripper held the object at some control step. */
  grasped: boolean;
  /** Highest rise (cm) of the object above its start while it was held. */
  liftedCm: number;
}

/** An end effector this close (cm) to the object counts as having reached it. */
export const REACH_CM = 3;
/** A held object raised this far (cm) counts as lifted. */
export const LIFT_CM = 3;

/** Follows the first goal's object through an episode (tasks without object goals: none). */
export class StageTracker {
  private closest = Number.POSITIVE_INFINITY;
  private grasped = false;
  private lifted = 0;
  private readonly z0: number;

  private constructor(
    private readonly world: SimWorld,
    private readonly object: string,
  ) {
    this.z0 = world.objectPose(object).pos[2];
    this.update();
  }

  /** A tracker for the episode just reset, or undefined when its task has no object to move. */
  static start(world: SimWorld, state: SuiteState): StageTracker | undefined {
    const object = state.goals[0]?.object;
    if (!object || !world.hasBody(`obj_${object}`)) return undefined;
    return new StageTracker(world, object);
  }

  /** Call after every control step. */
  update(): void {
    const w = this.world;
    const o = w.objectPose(this.object).pos;
    for (const site of w.eeSites) {
      const e = w.eePose(site).pos;
      this.closest = Math.min(this.closest, Math.hypot(e[0] - o[0], e[1] - o[1], e[2] - o[2]));
    }
    if (isHeld(w, this.object)) {
      this.grasped = true;
      this.lifted = Math.max(this.lifted, o[2] - this.z0);
    }
  }

  result(): EpisodeStages {
    const cm = (m: number) => Math.round(m * 1000) / 10;
    return { closestCm: cm(this.closest), grasped: this.grasped, liftedCm: cm(this.lifted) };
  }
}

/** Per suite: how many episodes reached, grasped, lifted (of those with stages), and succeeded. */
export interface StageCounts {
  episodes: number;
  reached: number;
  grasped: number;
  lifted: number;
  successes: number;
}

export function countStages(
  results: ReadonlyArray<{ success: boolean; stages?: EpisodeStages }>,
): StageCounts | undefined {
  const withStages = results.filter((r) => r.stages !== undefined);
  if (withStages.length === 0) return undefined;
  const c: StageCounts = { episodes: withStages.length, reached: 0, grasped: 0, lifted: 0, successes: 0 };
  for (const r of withStages) {
    const s = r.stages!;
    if (s.closestCm <= REACH_CM) c.reached++;
    if (s.grasped) c.grasped++;
    if (s.grasped && s.liftedCm >= LIFT_CM) c.lifted++;
    if (r.success) c.successes++;
  }
  return c;
}

/** "reached 12 · grasped 5 · lifted 4 · success 3 (of 100)". */
export function formatStages(c: StageCounts): string {
  return `reached ${c.reached} · grasped ${c.grasped} · lifted ${c.lifted} · success ${c.successes} (of ${c.episodes})`;
}
