/**
 * CPU camera renderer: one ray per pixel through `mj_multiRay` from the camera origin, shaded by
 * the hit geom's analytic normal (plane, sphere, capsule, cylinder, box, ellipsoid), its rgba and a
 * Lambert term from the scene's lights plus ambient. RGB is uint8 HWC; depth is float32 metres
 * along the optical axis (misses read `far`). One renderer serves one world; buffers live on the
 * WASM heap and are freed by `dispose()`.
 */
import { ValidationError } from '@robofm/core';
import { type HeapBuffer, heapBuffer, mujocoModule, OBJ } from './mujoco.ts';
import type { MujocoWorld } from './sim-world.ts';

export interface RenderResult {
  width: number;
  height: number;
  /** HWC uint8 RGB (a fresh array unless `out` was given). */
  rgb: Uint8Array;
  /** Depth along the optical axis, metres (present when asked for). */
  depth?: Float32Array;
}

interface CameraRays {
  width: number;
  height: number;
  fovy: number;
  /** Unit ray directions in the camera frame, [N, 3]. */
  local: Float64Array;
}

const GEOM_PLANE = 0;
const GEOM_SPHERE = 2;
const GEOM_CAPSULE = 3;
const GEOM_ELLIPSOID = 4;
const GEOM_CYLINDER = 5;
const GEOM_BOX = 6;

export class RayRenderer {
  private readonly rays = new Map<string, CameraRays>();
  private vec: HeapBuffer<Float64Array> | undefined;
  private dist: HeapBuffer<Float64Array> | undefined;
  private gid: HeapBuffer<Int32Array> | undefined;
  private readonly pnt: HeapBuffer<Float64Array>;
  private readonly group: HeapBuffer<Int32Array>;
  private capacity = 0;
  /** Per-geom checker colour (r, g, b, cell) or cell 0. */
  private checker: Float64Array;
  private lightDirs: Float64Array;
  private lightDiffuse: Float64Array;
  private ambient: number;
  far = 10;

  constructor(private world: MujocoWorld) {
    this.pnt = heapBuffer('f64', 3);
    this.group = heapBuffer('i32', 2);
    this.checker = new Float64Array(0);
    this.lightDirs = new Float64Array(0);
    this.lightDiffuse = new Float64Array(0);
    this.ambient = 0.35;
    this.bindWorld(world);
  }

  /** Points the renderer at a (new) world: picks up its lights and checker patterns. */
  bindWorld(world: MujocoWorld): void {
    this.world = world;
    const m = world.model;
    const mj = mujocoModule();
    this.checker = new Float64Array(4 * m.ngeom);
    for (const [name, c] of Object.entries(world.mjcf.checker)) {
      const id = mj.mj_name2id(m, OBJ.geom, name);
      if (id >= 0) this.checker.set([c.rgba[0], c.rgba[1], c.rgba[2], c.cell], 4 * id);
    }
    const lights = world.scene.lights.length
      ? world.scene.lights
      : [{ pos: [0, 0, 3] as [number, number, number], dir: [0, 0, -1] as [number, number, number], diffuse: 0.6 }];
    this.lightDirs = new Float64Array(3 * lights.length);
    this.lightDiffuse = new Float64Array(lights.length);
    lights.forEach((l, i) => {
      const n = Math.hypot(l.dir[0], l.dir[1], l.dir[2]) || 1;
      // Store the direction toward the light.
      this.lightDirs.set([-l.dir[0] / n, -l.dir[1] / n, -l.dir[2] / n], 3 * i);
      this.lightDiffuse[i] = l.diffuse;
    });
    this.ambient = world.scene.ambient;
    this.rays.clear();
  }

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.vec?.delete();
    this.dist?.delete();
    this.gid?.delete();
    this.vec = heapBuffer('f64', 3 * n);
    this.dist = heapBuffer('f64', n);
    this.gid = heapBuffer('i32', n);
    this.capacity = n;
  }

  private cameraRays(camId: number, width: number, height: number): CameraRays {
    const key = `${camId}:${width}x${height}`;
    let r = this.rays.get(key);
    if (r) return r;
    const fovy = (this.world.model.cam_fovy as Float64Array)[camId];
    const t = Math.tan((fovy * Math.PI) / 360);
    const local = new Float64Array(3 * width * height);
    for (let v = 0; v < height; v++) {
      for (let u = 0; u < width; u++) {
        const x = ((2 * (u + 0.5)) / height - width / height) * t;
        const y = (1 - (2 * (v + 0.5)) / height) * t;
        const inv = 1 / Math.sqrt(x * x + y * y + 1);
        const k = 3 * (v * width + u);
        local[k] = x * inv;
        local[k + 1] = y * inv;
        local[k + 2] = -inv;
      }
    }
    r = { width, height, fovy, local };
    this.rays.set(key, r);
    return r;
  }

  /** Renders camera `name`. `out` (length W·H·3) is filled in place when given. */
  render(name: string, width: number, height: number, opts: { depth?: boolean; out?: Uint8Array } = {}): RenderResult {
    const w = this.world;
    const m = w.model;
    const d = w.data;
    const mj = mujocoModule();
    const camId = mj.mj_name2id(m, OBJ.camera, name);
    if (camId < 0) throw new ValidationError('camera', name, 'a camera of this embodiment');
    if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0)
      throw new ValidationError('resolution', [width, height], 'positive integers');
    const N = width * height;
    const rays = this.cameraRays(camId, width, height);
    this.ensure(N);
    const camPos = d.cam_xpos as Float64Array;
    const camMat = d.cam_xmat as Float64Array;
    const px = camPos[3 * camId];
    const py = camPos[3 * camId + 1];
    const pz = camPos[3 * camId + 2];
    const R = camMat.subarray(9 * camId, 9 * camId + 9);
    const r0 = R[0], r1 = R[1], r2 = R[2], r3 = R[3], r4 = R[4], r5 = R[5], r6 = R[6], r7 = R[7], r8 = R[8];
    const vec = this.vec!.view();
    const L = rays.local;
    for (let k = 0; k < 3 * N; k += 3) {
      const a = L[k];
      const b = L[k + 1];
      const c = L[k + 2];
      vec[k] = r0 * a + r1 * b + r2 * c;
      vec[k + 1] = r3 * a + r4 * b + r5 * c;
      vec[k + 2] = r6 * a + r7 * b + r8 * c;
    }
    const pnt = this.pnt.view();
    pnt[0] = px;
    pnt[1] = py;
    pnt[2] = pz;
    const groups = this.group.bytes(6);
    groups.fill(1);
    const gidV = this.gid!.view();
    const distV = this.dist!.view();
    mj.mj_multiRay(m, d, pnt as unknown as number[], vec as unknown as number[], groups, 1, -1, gidV, distV, N, this.far * 4);
    const rgb = opts.out ?? new Uint8Array(3 * N);
    if (rgb.length !== 3 * N) throw new ValidationError('out', rgb, `a Uint8Array of length ${3 * N}`);
    const depth = opts.depth ? new Float32Array(N) : undefined;
    this.shade(rgb, depth, gidV, distV, vec, L, px, py, pz, N);
    return { width, height, rgb, depth };
  }

  private shade(
    rgb: Uint8Array,
    depth: Float32Array | undefined,
    gid: Int32Array,
    dist: Float64Array,
    vec: Float64Array,
    local: Float64Array,
    px: number,
    py: number,
    pz: number,
    N: number,
  ): void {
    const m = this.world.model;
    const d = this.world.data;
    const gtype = m.geom_type as Int32Array;
    const gsize = m.geom_size as Float64Array;
    const grgba = m.geom_rgba as Float32Array;
    const gpos = d.geom_xpos as Float64Array;
    const gmat = d.geom_xmat as Float64Array;
    const checker = this.checker;
    const ld = this.lightDirs;
    const lk = this.lightDiffuse;
    const nl = lk.length;
    const amb = this.ambient;
    const far = this.far;
    for (let i = 0; i < N; i++) {
      const g = gid[i];
      const k = 3 * i;
      const dx = vec[k];
      const dy = vec[k + 1];
      const dz = vec[k + 2];
      if (g < 0) {
        // Sky: horizon to zenith gradient.
        const t = dz > 0 ? dz : 0;
        rgb[k] = 190 - 95 * t;
        rgb[k + 1] = 205 - 65 * t;
        rgb[k + 2] = 220 - 10 * t;
        if (depth) depth[i] = far;
        continue;
      }
      const t = dist[i];
      if (depth) depth[i] = -t * local[k + 2];
      const hx = px + t * dx;
      const hy = py + t * dy;
      const hz = pz + t * dz;
      const c0 = 3 * g;
      const m0 = 9 * g;
      // Hit point in the geom frame.
      const ox = hx - gpos[c0];
      const oy = hy - gpos[c0 + 1];
      const oz = hz - gpos[c0 + 2];
      const lx = gmat[m0] * ox + gmat[m0 + 3] * oy + gmat[m0 + 6] * oz;
      const ly = gmat[m0 + 1] * ox + gmat[m0 + 4] * oy + gmat[m0 + 7] * oz;
      const lz = gmat[m0 + 2] * ox + gmat[m0 + 5] * oy + gmat[m0 + 8] * oz;
      let nx = 0;
      let ny = 0;
      let nz = 1;
      const type = gtype[g];
      const s0 = gsize[c0];
      const s1 = gsize[c0 + 1];
      const s2 = gsize[c0 + 2];
      if (type === GEOM_PLANE) {
        nx = 0;
        ny = 0;
        nz = 1;
      } else if (type === GEOM_SPHERE) {
        nx = lx;
        ny = ly;
        nz = lz;
      } else if (type === GEOM_CAPSULE) {
        nx = lx;
        ny = ly;
        nz = lz > s1 ? lz - s1 : lz < -s1 ? lz + s1 : 0;
      } else if (type === GEOM_CYLINDER) {
        const rad = Math.sqrt(lx * lx + ly * ly);
        if (Math.abs(lz) - s1 > rad - s0) {
          nx = 0;
          ny = 0;
          nz = lz > 0 ? 1 : -1;
        } else {
          nx = lx;
          ny = ly;
          nz = 0;
        }
      } else if (type === GEOM_BOX) {
        const ax = Math.abs(lx) / s0;
        const ay = Math.abs(ly) / s1;
        const az = Math.abs(lz) / s2;
        nx = 0;
        ny = 0;
        nz = 0;
        if (ax >= ay && ax >= az) nx = lx > 0 ? 1 : -1;
        else if (ay >= az) ny = ly > 0 ? 1 : -1;
        else nz = lz > 0 ? 1 : -1;
      } else if (type === GEOM_ELLIPSOID) {
        nx = lx / (s0 * s0);
        ny = ly / (s1 * s1);
        nz = lz / (s2 * s2);
      }
      // To world frame.
      let wx = gmat[m0] * nx + gmat[m0 + 1] * ny + gmat[m0 + 2] * nz;
      let wy = gmat[m0 + 3] * nx + gmat[m0 + 4] * ny + gmat[m0 + 5] * nz;
      let wz = gmat[m0 + 6] * nx + gmat[m0 + 7] * ny + gmat[m0 + 8] * nz;
      const inv = 1 / (Math.sqrt(wx * wx + wy * wy + wz * wz) || 1);
      wx *= inv;
      wy *= inv;
      wz *= inv;
      if (wx * dx + wy * dy + wz * dz > 0) {
        wx = -wx;
        wy = -wy;
        wz = -wz;
      }
      let light = amb;
      for (let j = 0; j < nl; j++) {
        const c = wx * ld[3 * j] + wy * ld[3 * j + 1] + wz * ld[3 * j + 2];
        if (c > 0) light += lk[j] * c;
      }
      const a = 4 * g;
      let r = grgba[a];
      let gg = grgba[a + 1];
      let b = grgba[a + 2];
      const cell = checker[a + 3];
      if (cell > 0 && (Math.floor(hx / cell) + Math.floor(hy / cell)) & 1) {
        r = checker[a];
        gg = checker[a + 1];
        b = checker[a + 2];
      }
      const s = 255 * light;
      const R = r * s;
      const G = gg * s;
      const B = b * s;
      rgb[k] = R > 255 ? 255 : R;
      rgb[k + 1] = G > 255 ? 255 : G;
      rgb[k + 2] = B > 255 ? 255 : B;
    }
  }

  dispose(): void {
    this.vec?.delete();
    this.dist?.delete();
    this.gid?.delete();
    this.vec = this.dist = this.gid = undefined;
    this.capacity = 0;
    this.pnt.delete();
    this.group.delete();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
