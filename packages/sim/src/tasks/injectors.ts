import type { SimWorld } from '../task.ts';
import type { SuiteState } from './suite-state.ts';
import { restingHalfHeight } from './vocab.ts';

const STICK_K = 300; // N/m, spring that keeps the stuck copy with the lifted object
const STICK_C = 6; // N·s/m

/** Runs the active edge-case injectors for one physics step (called at physics rate). */
export function injectPhysics(world: SimWorld, s: SuiteState): void {
  const d = s.duplicate;
  if (d && d.phase !== 'released') {
    const of = world.objectPose(d.of).pos;
    const copy = world.objectPose(d.copy).pos;
    if (d.phase === 'armed') {
      if (of[2] > d.restZ + 0.012) {
        d.phase = 'carried';
        d.offset = [copy[0] - of[0], copy[1] - of[1], copy[2] - of[2]];
      }
    }
    if (d.phase === 'carried') {
      // Set down again (both back near the surface): unstick for good.
      if (of[2] < d.restZ + 0.008 && copy[2] < d.restZ + 0.02) d.phase = 'released';
      else {
        const v = world.objectVelocity(d.copy).lin;
        const vo = world.objectVelocity(d.of).lin;
        const body = `obj_${d.copy}`;
        const mass = objectMass(world, d.copy);
        const f: [number, number, number] = [0, 0, 0];
        for (let i = 0; i < 3; i++)
          f[i] = STICK_K * (of[i] + d.offset[i] - copy[i]) - STICK_C * (v[i] - vo[i]);
        f[2] += mass * 9.81;
        world.applyForce(body, f);
      }
    }
  }
  const n = s.nudge;
  if (n && !n.done) {
    const p = world.objectPose(n.object).pos;
    for (const site of world.eeSites) {
      const e = world.eePose(site).pos;
      if (Math.hypot(e[0] - p[0], e[1] - p[1]) < 0.03 && e[2] - p[2] < 0.06) {
        world.setBodyPose(
          `obj_${n.object}`,
          [p[0] + n.delta[0], p[1] + n.delta[1], p[2] + 0.002],
          world.objectPose(n.object).quat,
        );
        n.done = true;
        break;
      }
    }
  }
  const sl = s.slip;
  if (sl && sl.phase === 'armed') {
    const pose = world.objectPose(sl.object);
    if (pose.pos[2] > sl.liftZ) {
      // The grasp slips: the object slides out below the fingertips and falls.
      let ee = world.eePose(world.eeSites[0]).pos;
      for (const site of world.eeSites) {
        const e = world.eePose(site).pos;
        if (
          Math.hypot(e[0] - pose.pos[0], e[1] - pose.pos[1]) <
          Math.hypot(ee[0] - pose.pos[0], ee[1] - pose.pos[1])
        )
          ee = e;
      }
      const h = halfHeightOf(world, sl.object);
      world.setBodyPose(
        `obj_${sl.object}`,
        [pose.pos[0], pose.pos[1], Math.min(pose.pos[2], ee[2] - h - 0.006)],
        pose.quat,
      );
      sl.phase = 'done';
      sl.until = world.time;
    }
  }
}

function halfHeightOf(world: SimWorld, name: string): number {
  const o = world.scene.objects.find((x) => x.name === name);
  return o ? restingHalfHeight(o.shape) : 0.025;
}

function objectMass(world: SimWorld, name: string): number {
  return world.scene.objects.find((o) => o.name === name)?.mass ?? 0.05;
}
