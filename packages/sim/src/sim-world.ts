/**
 * `MujocoWorld`: one compiled scene (MjModel + MjData) with a robot in it, stepped at physics rate
 * by the core PD controller, plus the privileged `SimWorld` view that tasks and experts read.
 * Owns its handles: call `dispose()` exactly once (or use `using`).
 */
import {
  type EmbodimentSpec,
  type PdGains,
  pdGainsFromSpec,
  pdTorque,
  RobofmError,
  ValidationError,
} from '@robofm/core';
import { matToQuat } from './math3.ts';
import { buildMjcf, type MjcfResult } from './mjcf.ts';
import {
  compileMjcf,
  deleteData,
  deleteModel,
  type HeapBuffer,
  heapBuffer,
  type MjData,
  type MjModel,
  mujocoModule,
  newData,
  OBJ,
} from './mujoco.ts';
import type { RobotDescription } from './robots/description.ts';
import type { Quat, SceneDescription, Vec3 } from './scene.ts';
import type { ContactInfo, Pose, SimWorld } from './task.ts';

/** How the robot's actuators are driven: PD toward joint targets, or raw torques (SimDriver). */
export type DriveMode = 'targets' | 'torque';

export class MujocoWorld implements SimWorld {
  readonly embodiment: EmbodimentSpec;
  readonly scene: SceneDescription;
  readonly robot: RobotDescription;
  readonly eeSites: string[];
  readonly model: MjModel;
  readonly data: MjData;
  readonly nv: number;
  readonly mjcf: MjcfResult;
  /** `embodiment.joints` order: qpos / dof addresses. */
  readonly qposAdr: Int32Array;
  readonly dofAdr: Int32Array;
  private readonly internalQpos: Int32Array;
  private readonly internalDof: Int32Array;
  private readonly followerQpos: Array<[number, number]>;
  private readonly gains: PdGains;
  private readonly internalGains: PdGains;
  private readonly targets: Float64Array;
  /** The PD setpoint: moves toward `targets` at no more than each joint's maxVelocity. */
  private readonly setpoint: Float64Array;
  private readonly stepMax: Float64Array;
  private readonly internalTargets: Float64Array;
  private readonly torque: Float64Array;
  private readonly q: Float64Array;
  private readonly qd: Float64Array;
  private readonly bias: Float64Array;
  private readonly iq: Float64Array;
  private readonly iqd: Float64Array;
  private readonly ibias: Float64Array;
  private readonly itorque: Float64Array;
  private readonly jacp: HeapBuffer<Float64Array>;
  private readonly jacr: HeapBuffer<Float64Array>;
  private readonly vel6: HeapBuffer<Float64Array>;
  private readonly state: HeapBuffer<Float64Array>;
  private readonly stateSig: number;
  private readonly ids = new Map<string, number>();
  private readonly jointIndex = new Map<string, number>();
  private forceApplied = false;
  /** mj_step1 has run for the current state (set by `biasTorques`, cleared by stepping). */
  private stage1Fresh = false;
  /** Scratch MjData for forward kinematics of hypothetical poses (`eePositionsAt`), made on demand. */
  private scratch: MjData | undefined;
  private disposed = false;
  mode: DriveMode = 'targets';

  constructor(spec: EmbodimentSpec, robot: RobotDescription, scene: SceneDescription) {
    const mj = mujocoModule();
    this.embodiment = spec;
    this.robot = robot;
    this.scene = scene;
    this.eeSites = robot.eeSites;
    this.mjcf = buildMjcf(robot, spec, scene);
    this.model = compileMjcf(this.mjcf.xml);
    try {
      this.data = newData(this.model);
    } catch (e) {
      deleteModel(this.model);
      throw e;
    }
    const m = this.model;
    this.nv = m.nv;
    const n = spec.joints.length;
    const jqa = m.jnt_qposadr as Int32Array;
    const jda = m.jnt_dofadr as Int32Array;
    const jid = (name: string) => {
      const id = mj.mj_name2id(m, OBJ.joint, name);
      if (id < 0) throw new RobofmError('sim_model', `joint '${name}' missing from the compiled model`);
      return id;
    };
    this.qposAdr = new Int32Array(n);
    this.dofAdr = new Int32Array(n);
    spec.joints.forEach((j, i) => {
      const id = jid(j.name);
      this.qposAdr[i] = jqa[id];
      this.dofAdr[i] = jda[id];
      this.jointIndex.set(j.name, i);
    });
    const internal = robot.internalJoints ?? [];
    this.internalQpos = new Int32Array(internal.map((j) => jqa[jid(j.name)]));
    this.internalDof = new Int32Array(internal.map((j) => jda[jid(j.name)]));
    this.followerQpos = robot.grippers
      .filter((g) => g.follower)
      .map((g) => [jqa[jid(g.joint)], jqa[jid(g.follower!)]]);
    this.gains = pdGainsFromSpec(spec);
    this.internalGains = {
      kp: Float64Array.from(internal.map((j) => j.kp)),
      kd: Float64Array.from(internal.map((j) => j.kd)),
      tauMax: Float64Array.from(internal.map((j) => j.maxTorque)),
    };
    this.targets = new Float64Array(n);
    this.setpoint = new Float64Array(n);
    this.stepMax = Float64Array.from(spec.joints, (j) => j.maxVelocity / spec.physicsHz);
    this.torque = new Float64Array(n);
    this.q = new Float64Array(n);
    this.qd = new Float64Array(n);
    this.bias = new Float64Array(n);
    const ni = internal.length;
    this.internalTargets = new Float64Array(ni);
    this.iq = new Float64Array(ni);
    this.iqd = new Float64Array(ni);
    this.ibias = new Float64Array(ni);
    this.itorque = new Float64Array(ni);
    this.stateSig = mj.mjtState.mjSTATE_INTEGRATION.value;
    this.jacp = heapBuffer('f64', 3 * m.nv);
    this.jacr = heapBuffer('f64', 3 * m.nv);
    this.vel6 = heapBuffer('f64', 6);
    this.state = heapBuffer('f64', mj.mj_stateSize(m, this.stateSig));
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** Back to the compiled initial state, robot at `home` (+ overrides), targets = current pose. */
  resetTo(joints: Record<string, number>): void {
    const mj = mujocoModule();
    this.assertAlive();
    mj.mj_resetData(this.model, this.data);
    const qpos = this.data.qpos as Float64Array;
    for (const [name, v] of Object.entries(joints)) {
      const i = this.jointIndex.get(name);
      if (i === undefined) throw new ValidationError(`joints.${name}`, name, 'a joint of the embodiment');
      const j = this.embodiment.joints[i];
      if (!(v >= j.lower && v <= j.upper))
        throw new ValidationError(`joints.${name}`, v, `a number in [${j.lower}, ${j.upper}]`);
      qpos[this.qposAdr[i]] = v;
    }
    for (const [lead, follow] of this.followerQpos) qpos[follow] = qpos[lead];
    this.mode = 'targets';
    this.readJoints();
    this.targets.set(this.q);
    this.setpoint.set(this.q);
    this.torque.fill(0);
    if (this.robot.internalController) {
      this.robot.internalController((name) => this.jointQpos(name), this.internalTargets);
      const q2 = this.data.qpos as Float64Array;
      for (let k = 0; k < this.internalQpos.length; k++) q2[this.internalQpos[k]] = this.internalTargets[k];
    }
    mj.mj_forward(this.model, this.data);
    this.stage1Fresh = false;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.jacp.delete();
    this.jacr.delete();
    this.vel6.delete();
    this.state.delete();
    if (this.scratch) deleteData(this.scratch);
    deleteData(this.data);
    deleteModel(this.model);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private assertAlive(): void {
    if (this.disposed) throw new RobofmError('sim_disposed', 'this simulation world was disposed');
  }

  /**
   * Full state: MuJoCo's integration state (bit-exact) followed by the controller's (targets, PD
   * setpoint, torques, drive mode). A copy; `restoreState` puts both back.
   */
  saveState(): Float64Array {
    const v = this.state.view();
    mujocoModule().mj_getState(this.model, this.data, v, this.stateSig);
    const n = this.targets.length;
    const out = new Float64Array(v.length + 3 * n + 1);
    out.set(v);
    out.set(this.targets, v.length);
    out.set(this.setpoint, v.length + n);
    out.set(this.torque, v.length + 2 * n);
    out[v.length + 3 * n] = this.mode === 'targets' ? 0 : 1;
    return out;
  }

  restoreState(s: Float64Array): void {
    this.assertAlive();
    const len = this.state.view().length;
    const n = this.targets.length;
    if (!(s instanceof Float64Array) || s.length !== len + 3 * n + 1)
      throw new ValidationError('state', s, `a Float64Array of length ${len + 3 * n + 1} from saveState()`);
    // The binding copies the input into a new heap vector: pass plain JS memory (a heap view
    // could detach while that copy grows the heap).
    mujocoModule().mj_setState(this.model, this.data, s.slice(0, len) as unknown as number[], this.stateSig);
    mujocoModule().mj_forward(this.model, this.data);
    this.stage1Fresh = false;
    this.targets.set(s.subarray(len, len + n));
    this.setpoint.set(s.subarray(len + n, len + 2 * n));
    this.torque.set(s.subarray(len + 2 * n, len + 3 * n));
    this.mode = s[len + 3 * n] === 0 ? 'targets' : 'torque';
  }

  // ---- control ---------------------------------------------------------------------------------

  /**
   * Sets PD targets (`embodiment.joints` order); values must already be validated. The PD tracks a
   * setpoint that slews toward them at each joint's `maxVelocity`. Coming from torque mode, the
   * setpoint restarts from the current position.
   */
  setTargets(t: ArrayLike<number>): void {
    if (this.mode !== 'targets') {
      this.readJoints();
      this.setpoint.set(this.q);
    }
    for (let i = 0; i < this.targets.length; i++) this.targets[i] = t[i];
    this.mode = 'targets';
  }

  /** Raw torques (clipped to ±maxTorque at the next step); switches to torque mode (no velocity limit). */
  setTorques(tau: ArrayLike<number>): void {
    for (let i = 0; i < this.torque.length; i++) {
      const m = this.gains.tauMax[i];
      const v = Number.isFinite(tau[i]) ? tau[i] : 0;
      this.torque[i] = v > m ? m : Math.max(v, -m);
    }
    this.mode = 'torque';
  }

  private readJoints(): void {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const bias = this.data.qfrc_bias as Float64Array;
    for (let i = 0; i < this.q.length; i++) {
      this.q[i] = qpos[this.qposAdr[i]];
      this.qd[i] = qvel[this.dofAdr[i]];
      this.bias[i] = bias[this.dofAdr[i]];
    }
  }

  /** One physics step: mj_step1, PD (or raw torques) + built-in controllers → ctrl, mj_step2. */
  physicsStep(): void {
    const mj = mujocoModule();
    // mj_step1 computes qfrc_bias (and kinematics) for the current state; the controller reads it,
    // writes ctrl, then mj_step2 integrates. (Reading after a full mj_step would use the bias of
    // the state before the last integration.)
    if (!this.stage1Fresh) mj.mj_step1(this.model, this.data);
    this.stage1Fresh = false;
    this.readJoints();
    const ctrl = this.data.ctrl as Float64Array;
    if (this.mode === 'targets') {
      // Profile velocity: the setpoint slews toward the target at ≤ maxVelocity (like a servo).
      const sp = this.setpoint;
      for (let i = 0; i < sp.length; i++) {
        const d = this.targets[i] - sp[i];
        const m = this.stepMax[i];
        sp[i] += d > m ? m : Math.max(d, -m);
      }
      pdTorque(this.gains, this.q, this.qd, sp, this.bias, this.torque);
    }
    ctrl.set(this.torque);
    const ni = this.internalQpos.length;
    if (ni > 0 && this.robot.internalController) {
      this.robot.internalController((name) => this.jointQpos(name), this.internalTargets);
      const qpos = this.data.qpos as Float64Array;
      const qvel = this.data.qvel as Float64Array;
      const bias = this.data.qfrc_bias as Float64Array;
      for (let k = 0; k < ni; k++) {
        this.iq[k] = qpos[this.internalQpos[k]];
        this.iqd[k] = qvel[this.internalDof[k]];
        this.ibias[k] = bias[this.internalDof[k]];
      }
      pdTorque(this.internalGains, this.iq, this.iqd, this.internalTargets, this.ibias, this.itorque);
      for (let k = 0; k < ni; k++) ctrl[this.q.length + k] = this.itorque[k];
    }
    mj.mj_step2(this.model, this.data);
    if (this.forceApplied) {
      (this.data.xfrc_applied as Float64Array).fill(0);
      this.forceApplied = false;
    }
  }

  /** Torques sent at the last step (`embodiment.joints` order, copy). */
  lastTorques(): Float64Array {
    return Float64Array.from(this.torque);
  }

  /** Gravity/Coriolis torques of the actuated joints at the current state (copy). */
  biasTorques(): Float64Array {
    if (!this.stage1Fresh) {
      mujocoModule().mj_step1(this.model, this.data);
      this.stage1Fresh = true;
    }
    this.readJoints();
    return Float64Array.from(this.bias);
  }

  // ---- SimWorld --------------------------------------------------------------------------------

  get time(): number {
    return this.data.time;
  }

  private id(kind: number, name: string, what: string): number {
    const key = `${kind}:${name}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = mujocoModule().mj_name2id(this.model, kind, name);
      if (id < 0) throw new ValidationError(what, name, `the name of a ${what} in this scene`);
      this.ids.set(key, id);
    }
    return id;
  }

  private name(kind: number, id: number): string {
    return mujocoModule().mj_id2name(this.model, kind, id) ?? '';
  }

  jointQpos(name: string): number {
    const id = this.id(OBJ.joint, name, 'joint');
    return (this.data.qpos as Float64Array)[(this.model.jnt_qposadr as Int32Array)[id]];
  }

  bodyNames(): string[] {
    const out: string[] = [];
    for (let i = 1; i < this.model.nbody; i++) out.push(this.name(OBJ.body, i));
    return out;
  }

  hasBody(name: string): boolean {
    return mujocoModule().mj_name2id(this.model, OBJ.body, name) >= 0;
  }

  bodyPose(name: string): Pose {
    const id = this.id(OBJ.body, name, 'body');
    const p = this.data.xpos as Float64Array;
    const q = this.data.xquat as Float64Array;
    const m = this.data.xmat as Float64Array;
    return {
      pos: [p[3 * id], p[3 * id + 1], p[3 * id + 2]],
      quat: [q[4 * id], q[4 * id + 1], q[4 * id + 2], q[4 * id + 3]],
      mat: Array.from(m.subarray(9 * id, 9 * id + 9)),
    };
  }

  bodyVelocity(name: string): { lin: Vec3; ang: Vec3 } {
    const id = this.id(OBJ.body, name, 'body');
    const v = this.vel6.view();
    mujocoModule().mj_objectVelocity(this.model, this.data, OBJ.body, id, v, 0);
    return { ang: [v[0], v[1], v[2]], lin: [v[3], v[4], v[5]] };
  }

  objectPose(name: string): Pose {
    return this.bodyPose(`obj_${name}`);
  }

  objectVelocity(name: string): { lin: Vec3; ang: Vec3 } {
    return this.bodyVelocity(`obj_${name}`);
  }

  sitePose(name: string): Pose {
    const id = this.id(OBJ.site, name, 'site');
    const p = this.data.site_xpos as Float64Array;
    const mat = Array.from((this.data.site_xmat as Float64Array).subarray(9 * id, 9 * id + 9));
    return { pos: [p[3 * id], p[3 * id + 1], p[3 * id + 2]], quat: matToQuat(mat), mat };
  }

  fixtureJoint(name: string): number {
    return this.jointQpos(`fix_${name}_joint`);
  }

  contacts(): ContactInfo[] {
    const out: ContactInfo[] = [];
    const ncon = this.data.ncon;
    if (ncon === 0) return out;
    const gb = this.model.geom_bodyid as Int32Array;
    const vec = this.data.contact;
    try {
      for (let i = 0; i < ncon; i++) {
        const c = vec.get(i);
        if (!c) continue;
        const g1 = c.geom1;
        const g2 = c.geom2;
        const pos = c.pos as Float64Array;
        out.push({
          geom1: this.name(OBJ.geom, g1),
          geom2: this.name(OBJ.geom, g2),
          body1: this.name(OBJ.body, gb[g1]),
          body2: this.name(OBJ.body, gb[g2]),
          dist: c.dist,
          pos: [pos[0], pos[1], pos[2]],
        });
        c.delete();
      }
    } finally {
      vec.delete();
    }
    return out;
  }

  /** Body ids touching body `id` (from the contact list, no string work). */
  private touching(bodyId: number): Set<number> {
    const s = new Set<number>();
    const ncon = this.data.ncon;
    if (ncon === 0) return s;
    const gb = this.model.geom_bodyid as Int32Array;
    const vec = this.data.contact;
    try {
      for (let i = 0; i < ncon; i++) {
        const c = vec.get(i);
        if (!c) continue;
        const b1 = gb[c.geom1];
        const b2 = gb[c.geom2];
        c.delete();
        if (b1 === bodyId) s.add(b2);
        else if (b2 === bodyId) s.add(b1);
      }
    } finally {
      vec.delete();
    }
    return s;
  }

  inContact(a: string, b: string): boolean {
    const ia = this.id(OBJ.body, a, 'body');
    const ib = this.id(OBJ.body, b, 'body');
    return this.touching(ia).has(ib);
  }

  jointPositions(): Float64Array {
    this.readJoints();
    return Float64Array.from(this.q);
  }

  jointVelocities(): Float64Array {
    this.readJoints();
    return Float64Array.from(this.qd);
  }

  jointTargets(): Float64Array {
    return Float64Array.from(this.targets);
  }

  eePose(site?: string): Pose {
    return this.sitePose(site ?? this.eeSites[0]);
  }

  /**
   * End-effector site positions (world frame, `eeSites` order) if the robot's joints were at `q`
   * (`embodiment.joints` order); everything else as now. Forward kinematics on a scratch MjData:
   * the live simulation is untouched.
   */
  eePositionsAt(q: ArrayLike<number>): Array<[number, number, number]> {
    this.assertAlive();
    const n = this.qposAdr.length;
    if (!q || q.length !== n)
      throw new ValidationError('q', q, `${n} joint positions (${this.embodiment.name})`);
    const mj = mujocoModule();
    this.scratch ??= newData(this.model);
    const sq = this.scratch.qpos as Float64Array;
    sq.set(this.data.qpos as Float64Array);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(q[i])) throw new ValidationError(`q[${i}]`, q[i], 'a finite number');
      sq[this.qposAdr[i]] = q[i];
    }
    for (const [lead, follow] of this.followerQpos) sq[follow] = sq[lead];
    mj.mj_kinematics(this.model, this.scratch);
    const sx = this.scratch.site_xpos as Float64Array;
    return this.eeSites.map((s) => {
      const id = this.id(OBJ.site, s, 'site');
      return [sx[3 * id], sx[3 * id + 1], sx[3 * id + 2]];
    });
  }

  eeJacobian(site?: string): { jacp: Float64Array; jacr: Float64Array } {
    const id = this.id(OBJ.site, site ?? this.eeSites[0], 'site');
    const jp = this.jacp.view();
    const jr = this.jacr.view();
    mujocoModule().mj_jacSite(this.model, this.data, jp, jr, id);
    const n = this.dofAdr.length;
    const nv = this.nv;
    const jacp = new Float64Array(3 * n);
    const jacr = new Float64Array(3 * n);
    this.embodiment.joints.forEach((j, i) => {
      if (j.kind === 'gripper') return;
      const d = this.dofAdr[i];
      for (let r = 0; r < 3; r++) {
        jacp[r * n + i] = jp[r * nv + d];
        jacr[r * n + i] = jr[r * nv + d];
      }
    });
    return { jacp, jacr };
  }

  private gripperOf(arm?: 'left' | 'right') {
    const g = arm ? this.robot.grippers.find((x) => x.arm === arm) : this.robot.grippers[0];
    if (!g)
      throw new ValidationError(
        'arm',
        arm,
        `one of ${this.robot.grippers.map((x) => x.arm ?? '(none)').join(', ')}`,
      );
    return g;
  }

  gripperOpening(arm?: 'left' | 'right'): number {
    const g = this.gripperOf(arm);
    const i = this.jointIndex.get(g.joint)!;
    const j = this.embodiment.joints[i];
    return (this.jointQpos(g.joint) - j.lower) / (j.upper - j.lower);
  }

  graspedBodies(arm?: 'left' | 'right'): string[] {
    const g = this.gripperOf(arm);
    const a = this.touching(this.id(OBJ.body, g.fingers[0], 'body'));
    const b = this.touching(this.id(OBJ.body, g.fingers[1], 'body'));
    const out: string[] = [];
    for (const id of a) if (b.has(id)) out.push(this.name(OBJ.body, id));
    return out;
  }

  applyForce(body: string, force: Vec3, torque: Vec3 = [0, 0, 0]): void {
    const id = this.id(OBJ.body, body, 'body');
    const x = this.data.xfrc_applied as Float64Array;
    x.set([...force, ...torque], 6 * id);
    this.forceApplied = true;
  }

  setBodyPose(body: string, pos: Vec3, quat?: Quat): void {
    const id = this.id(OBJ.body, body, 'body');
    const jn = (this.model.body_jntnum as Int32Array)[id];
    const ja = (this.model.body_jntadr as Int32Array)[id];
    if (jn !== 1 || (this.model.jnt_type as Int32Array)[ja] !== 0)
      throw new ValidationError('body', body, 'a free-floating object body (obj_<name>)');
    const qa = (this.model.jnt_qposadr as Int32Array)[ja];
    const da = (this.model.jnt_dofadr as Int32Array)[ja];
    const qpos = this.data.qpos as Float64Array;
    qpos.set(pos, qa);
    if (quat) qpos.set(quat, qa + 3);
    (this.data.qvel as Float64Array).fill(0, da, da + 6);
    mujocoModule().mj_forward(this.model, this.data);
    this.stage1Fresh = false;
  }

  setGeomFriction(body: string, friction: number): void {
    if (!(friction > 0)) throw new ValidationError('friction', friction, 'a positive number');
    const id = this.id(OBJ.body, body, 'body');
    const gb = this.model.geom_bodyid as Int32Array;
    const f = this.model.geom_friction as Float64Array;
    for (let g = 0; g < this.model.ngeom; g++) if (gb[g] === id) f[3 * g] = friction;
  }
}
