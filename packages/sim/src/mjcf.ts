/**
 * Generates one MJCF model from a robot description + a scene description. Contact groups:
 *   bit 1: static world (table, fixtures)  bit 2: robot links  bit 4: free objects  bit 8: floor.
 * Robot links touch objects, the table and fixtures but not themselves or the floor; objects touch
 * everything. Every name is escaped and checked, so MuJoCo's unreadable compile errors stay rare.
 */
import { type EmbodimentSpec, ValidationError } from '@robofm/core';
import { lookAtXyaxes, quatFromEuler, quatFromYaw, quatMul } from './math3.ts';
import type { CameraDescr, GeomDescr, LinkDescr, RobotDescription } from './robots/description.ts';
import type { FixtureDesc, ObjectDesc, Quat, Rgba, SceneDescription, ShapeDesc, Vec3 } from './scene.ts';

const CT_ROBOT = 'contype="2" conaffinity="5"';
const CT_OBJECT = 'contype="4" conaffinity="15"';
const CT_STATIC = 'contype="1" conaffinity="6"';
const CT_FLOOR = 'contype="8" conaffinity="4"';
const CT_NONE = 'contype="0" conaffinity="0"';

/** A checkerboard second colour per geom name, used by the renderer (MJCF has no per-geom pattern). */
export interface MjcfResult {
  xml: string;
  checker: Record<string, { rgba: Rgba; cell: number }>;
}

const n = (v: number) => (Math.abs(v) < 1e-12 ? '0' : Number(v.toFixed(6)).toString());
const vec = (v: readonly number[]) => v.map(n).join(' ');

function checkName(field: string, name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new ValidationError(field, name, 'a name of letters, digits, _ . - only');
  return name;
}

function checkFinite(field: string, v: readonly number[] | undefined, len: number): void {
  if (v === undefined) return;
  if (v.length !== len || v.some((x) => !Number.isFinite(x)))
    throw new ValidationError(field, v, `${len} finite numbers`);
}

function shapeAttrs(field: string, s: ShapeDesc): string {
  switch (s.type) {
    case 'box':
      checkFinite(`${field}.halfSize`, s.halfSize, 3);
      if (s.halfSize.some((x) => !(x > 0)))
        throw new ValidationError(`${field}.halfSize`, s.halfSize, 'positive');
      return `type="box" size="${vec(s.halfSize)}"`;
    case 'sphere':
      if (!(s.radius > 0)) throw new ValidationError(`${field}.radius`, s.radius, 'a positive number');
      return `type="sphere" size="${n(s.radius)}"`;
    case 'cylinder':
    case 'capsule':
      if (!(s.radius > 0)) throw new ValidationError(`${field}.radius`, s.radius, 'a positive number');
      if (!(s.halfHeight > 0))
        throw new ValidationError(`${field}.halfHeight`, s.halfHeight, 'a positive number');
      return `type="${s.type}" size="${n(s.radius)} ${n(s.halfHeight)}"`;
    default:
      throw new ValidationError(
        `${field}.type`,
        (s as { type: unknown }).type,
        'box, sphere, cylinder or capsule',
      );
  }
}

function robotGeom(g: GeomDescr, linkName: string, i: number): string {
  const a: string[] = [
    `name="${g.name ? checkName('geom.name', g.name) : `${linkName}_g${i}`}"`,
    `type="${g.type}"`,
  ];
  if (g.fromto) a.push(`fromto="${vec(g.fromto)}"`, `size="${n(g.size?.[0] ?? 0.02)}"`);
  else a.push(`size="${vec(g.size ?? [])}"`);
  if (g.pos) a.push(`pos="${vec(g.pos)}"`);
  if (g.quat) a.push(`quat="${vec(g.quat)}"`);
  a.push(`rgba="${vec(g.rgba)}"`, g.contact === false ? CT_NONE : CT_ROBOT);
  if (g.mass !== undefined) a.push(`mass="${n(g.mass)}"`);
  if (g.friction !== undefined) a.push(`friction="${n(g.friction)} 0.02 0.002"`);
  return `<geom ${a.join(' ')}/>`;
}

function cameraXml(c: CameraDescr, jitter?: { pos: Vec3; rot: Vec3 }): string {
  let pos = c.pos;
  const xy = lookAtXyaxes(c.pos, c.target, c.up);
  if (!jitter) return `<camera name="${c.name}" pos="${vec(pos)}" xyaxes="${vec(xy)}" fovy="${n(c.fovy)}"/>`;
  pos = [pos[0] + jitter.pos[0], pos[1] + jitter.pos[1], pos[2] + jitter.pos[2]];
  // Rotate the camera frame by the jitter (about the camera's own axes).
  const x: Vec3 = [xy[0], xy[1], xy[2]];
  const y: Vec3 = [xy[3], xy[4], xy[5]];
  const rot = quatFromEuler(jitter.rot[0], jitter.rot[1], jitter.rot[2]);
  const rx = rotateInFrame(x, y, rot, [1, 0, 0]);
  const ry = rotateInFrame(x, y, rot, [0, 1, 0]);
  return `<camera name="${c.name}" pos="${vec(pos)}" xyaxes="${vec([...rx, ...ry])}" fovy="${n(c.fovy)}"/>`;
}

/** Expresses R·e (e in camera coordinates) in the parent frame given camera axes x, y. */
function rotateInFrame(x: Vec3, y: Vec3, q: Quat, e: Vec3): Vec3 {
  const z: Vec3 = [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]];
  const [w, qx, qy, qz] = q;
  // rotate e by q
  const t = [2 * (qy * e[2] - qz * e[1]), 2 * (qz * e[0] - qx * e[2]), 2 * (qx * e[1] - qy * e[0])];
  const r = [
    e[0] + w * t[0] + (qy * t[2] - qz * t[1]),
    e[1] + w * t[1] + (qz * t[0] - qx * t[2]),
    e[2] + w * t[2] + (qx * t[1] - qy * t[0]),
  ];
  return [
    r[0] * x[0] + r[1] * y[0] + r[2] * z[0],
    r[0] * x[1] + r[1] * y[1] + r[2] * z[1],
    r[0] * x[2] + r[1] * y[2] + r[2] * z[2],
  ];
}

function linkXml(
  l: LinkDescr,
  spec: EmbodimentSpec,
  jitter: { pos: Vec3; rot: Vec3 } | undefined,
  out: string[],
): void {
  const specJoint = new Map(spec.joints.map((j) => [j.name, j]));
  out.push(
    `<body name="${checkName('link.name', l.name)}" pos="${vec(l.pos)}"${l.quat ? ` quat="${vec(l.quat)}"` : ''}>`,
  );
  for (const j of l.joints ?? []) {
    const s = specJoint.get(j.name);
    const range = s ? [s.lower, s.upper] : j.range!;
    out.push(
      `<joint name="${checkName('joint.name', j.name)}" type="${j.type}" axis="${vec(j.axis)}" range="${vec(range)}" limited="true" damping="${n(j.damping ?? 0.5)}" armature="${n(j.armature ?? 0.02)}"/>`,
    );
  }
  for (const [i, g] of l.geoms.entries()) out.push(robotGeom(g, l.name, i));
  for (const s of l.sites ?? [])
    out.push(
      `<site name="${checkName('site.name', s.name)}" pos="${vec(s.pos)}"${s.quat ? ` quat="${vec(s.quat)}"` : ''} size="0.01"/>`,
    );
  for (const c of l.cameras ?? []) out.push(cameraXml(c, jitter));
  for (const c of l.children ?? []) linkXml(c, spec, jitter, out);
  out.push('</body>');
}

function objectXml(o: ObjectDesc, i: number): string {
  const f = `scene.objects[${i}]`;
  checkName(`${f}.name`, o.name);
  checkFinite(`${f}.pos`, o.pos, 3);
  checkFinite(`${f}.quat`, o.quat, 4);
  checkFinite(`${f}.rgba`, o.rgba, 4);
  const mass = o.mass ?? 0.1;
  if (!(mass > 0)) throw new ValidationError(`${f}.mass`, o.mass, 'a positive number');
  const fr = o.friction ?? 1;
  if (!(fr > 0)) throw new ValidationError(`${f}.friction`, o.friction, 'a positive number');
  return (
    `<body name="obj_${o.name}" pos="${vec(o.pos)}"${o.quat ? ` quat="${vec(o.quat)}"` : ''}>` +
    `<freejoint name="obj_${o.name}_free"/>` +
    `<geom name="obj_${o.name}" ${shapeAttrs(`${f}.shape`, o.shape)} rgba="${vec(o.rgba)}" mass="${n(mass)}" friction="${n(fr)} 0.01 0.001" condim="4" ${CT_OBJECT}/>` +
    '</body>'
  );
}

function fixtureXml(fx: FixtureDesc, i: number): string {
  const f = `scene.fixtures[${i}]`;
  checkName(`${f}.name`, fx.name);
  checkFinite(`${f}.pos`, fx.pos, 3);
  checkFinite(`${f}.quat`, fx.quat, 4);
  if (fx.geoms.length === 0) throw new ValidationError(`${f}.geoms`, fx.geoms, 'at least one geom');
  const parts = [
    `<body name="fix_${fx.name}" pos="${vec(fx.pos)}"${fx.quat ? ` quat="${vec(fx.quat)}"` : ''}>`,
  ];
  if (fx.joint) {
    const j = fx.joint;
    checkFinite(`${f}.joint.axis`, j.axis, 3);
    if (!(j.range[0] < j.range[1]))
      throw new ValidationError(`${f}.joint.range`, j.range, '[lower, upper], lower < upper');
    if (j.type !== 'slide' && j.type !== 'hinge')
      throw new ValidationError(`${f}.joint.type`, j.type, 'slide or hinge');
    parts.push(
      `<joint name="fix_${fx.name}_joint" type="${j.type}" axis="${vec(j.axis)}" range="${vec(j.range)}" limited="true" damping="${n(j.damping ?? 1)}" stiffness="${n(j.stiffness ?? 0)}" springref="${n(j.springref ?? 0)}"/>`,
    );
  }
  fx.geoms.forEach((g, k) => {
    checkFinite(`${f}.geoms[${k}].rgba`, g.rgba, 4);
    const name = g.name
      ? `fix_${fx.name}_${checkName(`${f}.geoms[${k}].name`, g.name)}`
      : `fix_${fx.name}_g${k}`;
    // Jointed fixtures need mass; static ones get the default density.
    parts.push(
      `<geom name="${name}" ${shapeAttrs(`${f}.geoms[${k}].shape`, g.shape)}${g.pos ? ` pos="${vec(g.pos)}"` : ''}${g.quat ? ` quat="${vec(g.quat)}"` : ''} rgba="${vec(g.rgba)}" ${g.contact === false ? CT_NONE : CT_STATIC} density="300"/>`,
    );
  });
  for (const s of fx.sites ?? []) {
    checkFinite(`${f}.sites.pos`, s.pos, 3);
    parts.push(
      `<site name="fix_${fx.name}_${checkName(`${f}.sites.name`, s.name)}" pos="${vec(s.pos)}" size="0.01"/>`,
    );
  }
  parts.push('</body>');
  return parts.join('');
}

/** Builds the MJCF of `robot` placed in `scene`. */
export function buildMjcf(
  robot: RobotDescription,
  spec: EmbodimentSpec,
  scene: SceneDescription,
): MjcfResult {
  const checker: MjcfResult['checker'] = {};
  const ts = 1 / spec.physicsHz;
  const names = new Set<string>();
  for (const [i, o] of scene.objects.entries()) {
    if (names.has(o.name))
      throw new ValidationError(`scene.objects[${i}].name`, o.name, 'a unique object name');
    names.add(o.name);
  }
  const fnames = new Set<string>();
  for (const [i, fx] of scene.fixtures.entries()) {
    if (fnames.has(fx.name))
      throw new ValidationError(`scene.fixtures[${i}].name`, fx.name, 'a unique fixture name');
    fnames.add(fx.name);
  }
  const nGeoms = scene.objects.length + scene.fixtures.reduce((s, f) => s + f.geoms.length, 0);
  const memoryKb = 384 + 24 * nGeoms + (robot.links.length > 1 ? 128 : 0) + (robot.internalJoints ? 256 : 0);
  const out: string[] = [
    `<mujoco model="robofm_${spec.name}">`,
    '<compiler angle="radian" autolimits="true"/>',
    `<option timestep="${n(ts)}" integrator="implicitfast" cone="elliptic" impratio="4"/>`,
    `<size memory="${memoryKb}K"/>`,
    '<default><geom density="400" solref="0.004 1"/></default>',
    '<worldbody>',
    '<light pos="0 0 3" dir="0 0 -1" diffuse="0.7 0.7 0.7"/>',
    `<geom name="floor" type="plane" size="10 10 0.1" rgba="${vec(scene.floor.rgba)}" ${CT_FLOOR}/>`,
  ];
  if (scene.floor.checker) checker.floor = { rgba: scene.floor.checker, cell: 0.5 };
  if (scene.table) {
    const t = scene.table;
    if (!(t.size[0] > 0 && t.size[1] > 0 && t.height > 0.05))
      throw new ValidationError('scene.table', t, 'positive size and height > 0.05 m');
    const [hx, hy] = [t.size[0] / 2, t.size[1] / 2];
    const legs = [
      [hx - 0.05, hy - 0.05],
      [-hx + 0.05, hy - 0.05],
      [hx - 0.05, -hy + 0.05],
      [-hx + 0.05, -hy + 0.05],
    ];
    out.push(
      `<body name="table" pos="0 0 ${n(t.height)}">`,
      `<geom name="table_top" type="box" size="${n(hx)} ${n(hy)} 0.02" pos="0 0 -0.02" rgba="${vec(t.rgba)}" ${CT_STATIC}/>`,
      ...legs.map(
        ([x, y], i) =>
          `<geom name="table_leg${i}" type="box" size="0.025 0.025 ${n((t.height - 0.04) / 2)}" pos="${n(x)} ${n(y)} ${n(-(t.height + 0.04) / 2)}" rgba="${vec(t.rgba)}" ${CT_NONE}/>`,
      ),
      '</body>',
    );
    if (t.checker) checker.table_top = { rgba: t.checker, cell: 0.1 };
  }
  const base = scene.robotBase ?? robot.defaultBase;
  checkFinite('scene.robotBase.pos', base.pos, 3);
  if (!Number.isFinite(base.yaw))
    throw new ValidationError('scene.robotBase.yaw', base.yaw, 'a finite number');
  out.push(`<body name="robot_base" pos="${vec(base.pos)}" quat="${vec(quatFromYaw(base.yaw))}">`);
  const ov = robot.overview ?? { pos: [1.6, 1.2, 1.0], target: [0.3, 0, 0.2] };
  out.push(cameraXml({ name: 'overview', pos: ov.pos, target: ov.target, fovy: 45 }));
  for (const l of robot.links) linkXml(l, spec, scene.cameraJitter, out);
  out.push('</body>');
  for (const [i, o] of scene.objects.entries()) out.push(objectXml(o, i));
  for (const [i, fx] of scene.fixtures.entries()) out.push(fixtureXml(fx, i));
  out.push('</worldbody>');
  const followers = robot.grippers.filter((g) => g.follower);
  if (followers.length) {
    out.push('<equality>');
    for (const g of followers)
      out.push(`<joint joint1="${g.follower}" joint2="${g.joint}" polycoef="0 1 0 0 0" solref="0.004 1"/>`);
    out.push('</equality>');
  }
  out.push('<actuator>');
  for (const j of spec.joints)
    out.push(`<motor name="${j.name}" joint="${j.name}" ctrlrange="${n(-j.maxTorque)} ${n(j.maxTorque)}"/>`);
  for (const j of robot.internalJoints ?? [])
    out.push(`<motor name="${j.name}" joint="${j.name}" ctrlrange="${n(-j.maxTorque)} ${n(j.maxTorque)}"/>`);
  out.push('</actuator>', '</mujoco>');
  return { xml: out.join('\n'), checker };
}

/** Quaternion composing a base yaw with a local rotation (helper for tasks placing things). */
export function yawQuat(yaw: number, local?: Quat): Quat {
  return local ? quatMul(quatFromYaw(yaw), local) : quatFromYaw(yaw);
}
