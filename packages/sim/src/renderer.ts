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

interface StaticCache {
  /** Camera pose at the last render (pos 3 + row-major xmat 9). */
  lastPose?: Float64Array;
  valid: boolean;
  /** The static world (geom group 0) from this pose: colour, depth, hit distance (−1 = sky). */
  rgb?: Uint8Array;
  depth?: Float32Array;
  dist?: Float64Array;
  mask: Uint8Array;
  idx: Int32Array;
}

interface CameraRays {
  width: number;
  height: number;
  fovy: number;
  /** Unit ray directions in the camera frame, [N, 3]. */
  local: Float64Array;
  cache: StaticCache;
}

/** Geom groups: 0 = welded to the world (never moves), 1 = everything that can move. */
const GROUPS_ALL = [1, 1, 1, 1, 1, 1];
const GROUPS_STATIC = [1, 0, 0, 0, 0, 0];
const GROUPS_DYNAMIC = [0, 1, 1, 1, 1, 1];

/** Makes sure `n` doubles can be allocated without growing the WASM heap (allocate, free). */
function reserveHeap(n: number): void {
  const b = new (mujocoModule().DoubleBuffer)(n);
  b.delete();
}

function samePose(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < 12; i++) if (a[i] !== b[i]) return false;
  return true;
}

const GEOM_PLANE = 0;
const GEOM_SPHERE = 2;
const GEOM_CAPSULE = 3;
const GEOM_ELLIPSOID = 4;
const GEOM_CYLINDER = 5;
const GEOM_BOX = 6;

export class RayRenderer {
  private readonly rays = new Map<string, CameraRays>();
  private dist: HeapBuffer<Float64Array> | undefined;
  private gid: HeapBuffer<Int32Array> | undefined;
  private readonly pntJs = new Float64Array(3);
  private vecJs = new Float64Array(0);
  private readonly group: HeapBuffer<Int32Array>;
  private capacity = 0;
  /** Per-geom checker colour (r, g, b, cell) or cell 0. */
  private checker: Float64Array;
  private lightDirs: Float64Array;
  private lightDiffuse: Float64Array;
  private ambient: number;
  private dynamicGeoms: number[] = [];
  far = 10;

  constructor(private world: MujocoWorld) {
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
      : [
          {
            pos: [0, 0, 3] as [number, number, number],
            dir: [0, 0, -1] as [number, number, number],
            diffuse: 0.6,
          },
        ];
    this.lightDirs = new Float64Array(3 * lights.length);
    this.lightDiffuse = new Float64Array(lights.length);
    lights.forEach((l, i) => {
      const n = Math.hypot(l.dir[0], l.dir[1], l.dir[2]) || 1;
      // Store the direction toward the light.
      this.lightDirs.set([-l.dir[0] / n, -l.dir[1] / n, -l.dir[2] / n], 3 * i);
      this.lightDiffuse[i] = l.diffuse;
    });
    this.ambient = world.scene.ambient;
    // Group 0: geoms welded to the world (cacheable background); group 1: geoms that move.
    const group = m.geom_group as Int32Array;
    const bodyOf = m.geom_bodyid as Int32Array;
    const weld = m.body_weldid as Int32Array;
    this.dynamicGeoms = [];
    for (let g = 0; g < m.ngeom; g++) {
      const moving = weld[bodyOf[g]] !== 0;
      group[g] = moving ? 1 : 0;
      if (moving) this.dynamicGeoms.push(g);
    }
    this.rays.clear();
  }

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.dist?.delete();
    this.gid?.delete();
    this.vecJs = new Float64Array(3 * n);
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
    const N = width * height;
    r = {
      width,
      height,
      fovy,
      local,
      cache: { valid: false, mask: new Uint8Array(N), idx: new Int32Array(N) },
    };
    this.rays.set(key, r);
    return r;
  }

  /**
   * Renders camera `name`. `out` (length W·H·3) is filled in place when given. While a camera
   * stays still, what the static world (bodies welded to the world) looks like from it is cached
   * and only the pixels a moving geom may cover are re-cast (`cache: false` re-casts everything;
   * both give the same image).
   */
  render(
    name: string,
    width: number,
    height: number,
    opts: { depth?: boolean; out?: Uint8Array; cache?: boolean } = {},
  ): RenderResult {
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
    const pose = new Float64Array(12);
    pose.set(camPos.subarray(3 * camId, 3 * camId + 3), 0);
    pose.set(camMat.subarray(9 * camId, 9 * camId + 9), 3);
    const rgb = opts.out ?? new Uint8Array(3 * N);
    if (rgb.length !== 3 * N) throw new ValidationError('out', rgb, `a Uint8Array of length ${3 * N}`);
    const depth = opts.depth ? new Float32Array(N) : undefined;
    const cache = rays.cache;
    const still = cache.lastPose !== undefined && samePose(cache.lastPose, pose);
    cache.lastPose = pose;
    if (!still || opts.cache === false) {
      // A moving camera: cast every pixel against every geom.
      cache.valid = false;
      this.castAndShade(rays, pose, null, N, GROUPS_ALL, rgb, depth, null);
      return { width, height, rgb, depth };
    }
    if (!cache.valid) {
      // The camera is still: cache what the static world looks like from here.
      cache.rgb = new Uint8Array(3 * N);
      cache.depth = new Float32Array(N);
      cache.dist = new Float64Array(N);
      this.castAndShade(rays, pose, null, N, GROUPS_STATIC, cache.rgb, cache.depth, cache.dist);
      cache.valid = true;
    }
    // Static background from the cache, then re-cast only the pixels that a moving geom may cover.
    rgb.set(cache.rgb!);
    if (depth) depth.set(cache.depth!);
    const active = this.activePixels(rays, pose);
    if (active.count > 0)
      this.castAndShade(rays, pose, active.idx, active.count, GROUPS_DYNAMIC, rgb, depth, null, cache.dist!);
    return { width, height, rgb, depth };
  }

  /**
   * Where world point `p` appears in camera `name`'s `width`×`height` image, as normalized image
   * coordinates [u, v] (u right, v down; pixel i's centre is at (i + 0.5)/width). Points outside
   * the view give values outside [0, 1]; undefined when the point is behind the camera.
   */
  project(name: string, p: readonly number[], width: number, height: number): [number, number] | undefined {
    const { pos, mat, t } = this.cameraPose(name);
    const wx = p[0] - pos[0];
    const wy = p[1] - pos[1];
    const wz = p[2] - pos[2];
    // Camera frame: columns of cam_xmat are the camera axes; the camera looks along −z.
    const cx = mat[0] * wx + mat[3] * wy + mat[6] * wz;
    const cy = mat[1] * wx + mat[4] * wy + mat[7] * wz;
    const cz = mat[2] * wx + mat[5] * wy + mat[8] * wz;
    if (cz > -1e-6) return undefined;
    // Inverse of `cameraRays`: x = (2(u + 0.5)/H − W/H)·t, y = (1 − 2(v + 0.5)/H)·t.
    const x = cx / -cz / t;
    const y = cy / -cz / t;
    return [(x * height + width) / (2 * width), (1 - y) / 2];
  }

  /**
   * The inverse of `project` onto a horizontal plane: the world point at height `z` seen at
   * normalized image coordinates [u, v] of camera `name` (`width`×`height` image); undefined when
   * that ray never reaches the plane.
   */
  unproject(
    name: string,
    uv: readonly number[],
    z: number,
    width: number,
    height: number,
  ): [number, number, number] | undefined {
    const { pos, mat, t } = this.cameraPose(name);
    const x = ((2 * uv[0] * width) / height - width / height) * t;
    const y = (1 - 2 * uv[1]) * t;
    // Ray direction in the world: x·axis₀ + y·axis₁ − axis₂ (columns of cam_xmat).
    const dir = [0, 1, 2].map((i) => x * mat[3 * i] + y * mat[3 * i + 1] - mat[3 * i + 2]);
    if (Math.abs(dir[2]) < 1e-9) return undefined;
    const k = (z - pos[2]) / dir[2];
    if (k <= 0) return undefined;
    return [pos[0] + k * dir[0], pos[1] + k * dir[1], z];
  }

  /** Camera `name`'s current position, orientation (row-major cam_xmat) and tan(fovy / 2). */
  private cameraPose(name: string): { pos: Float64Array; mat: Float64Array; t: number } {
    const m = this.world.model;
    const d = this.world.data;
    const camId = mujocoModule().mj_name2id(m, OBJ.camera, name);
    if (camId < 0) throw new ValidationError('camera', name, 'a camera of this embodiment');
    return {
      pos: (d.cam_xpos as Float64Array).subarray(3 * camId, 3 * camId + 3),
      mat: (d.cam_xmat as Float64Array).subarray(9 * camId, 9 * camId + 9),
      t: Math.tan(((m.cam_fovy as Float64Array)[camId] * Math.PI) / 360),
    };
  }

  /**
   * Pixels whose rays may hit a moving geom: the image-space box of each moving geom's bounding
   * sphere (the corners of its enclosing cube, projected). Conservative.
   */
  private activePixels(rays: CameraRays, pose: Float64Array): { idx: Int32Array; count: number } {
    const { width: W, height: H } = rays;
    const mask = rays.cache.mask;
    mask.fill(0);
    const d = this.world.data;
    const gpos = d.geom_xpos as Float64Array;
    const rbound = this.world.model.geom_rbound as Float64Array;
    const t = Math.tan((rays.fovy * Math.PI) / 360);
    const f = H / 2 / t;
    let all = false;
    for (const g of this.dynamicGeoms) {
      const r = rbound[g];
      const wx = gpos[3 * g] - pose[0];
      const wy = gpos[3 * g + 1] - pose[1];
      const wz = gpos[3 * g + 2] - pose[2];
      // Camera frame: columns of cam_xmat are the camera axes.
      const cx = pose[3] * wx + pose[6] * wy + pose[9] * wz;
      const cy = pose[4] * wx + pose[7] * wy + pose[10] * wz;
      const cz = pose[5] * wx + pose[8] * wy + pose[11] * wz;
      if (cz + r > -1e-3) {
        if (cz - r > -1e-3) continue; // wholly behind the camera
        all = true;
        break;
      }
      let u0 = Number.POSITIVE_INFINITY;
      let u1 = Number.NEGATIVE_INFINITY;
      let v0 = Number.POSITIVE_INFINITY;
      let v1 = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < 8; c++) {
        const x = cx + (c & 1 ? r : -r);
        const y = cy + (c & 2 ? r : -r);
        const z = cz + (c & 4 ? r : -r);
        const u = (f * x) / -z + W / 2 - 0.5;
        const v = H / 2 - (f * y) / -z - 0.5;
        if (u < u0) u0 = u;
        if (u > u1) u1 = u;
        if (v < v0) v0 = v;
        if (v > v1) v1 = v;
      }
      const a0 = Math.max(0, Math.floor(u0) - 1);
      const a1 = Math.min(W - 1, Math.ceil(u1) + 1);
      const b0 = Math.max(0, Math.floor(v0) - 1);
      const b1 = Math.min(H - 1, Math.ceil(v1) + 1);
      for (let v = b0; v <= b1; v++) mask.fill(1, v * W + a0, v * W + a1 + 1);
    }
    if (all) mask.fill(1);
    const idx = rays.cache.idx;
    let n = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) idx[n++] = i;
    return { idx, count: n };
  }

  /**
   * Casts `count` rays (pixel `idx[j]`, or pixel j when `idx` is null) against the geoms of
   * `groups` and shades them into `rgb`/`depth`. With `under` (static hit distances), a pixel is
   * only overwritten where the new hit is nearer.
   */
  private castAndShade(
    rays: CameraRays,
    pose: Float64Array,
    idx: Int32Array | null,
    count: number,
    groups: readonly number[],
    rgb: Uint8Array,
    depth: Float32Array | undefined,
    distOut: Float64Array | null,
    under?: Float64Array,
  ): void {
    const w = this.world;
    const mj = mujocoModule();
    // Inputs are copied by the binding (into a std::vector allocated on the WASM heap), so they
    // live in plain JS memory: a heap view could detach while that copy grows the heap.
    const vec = this.vecJs.subarray(0, 3 * count);
    const L = rays.local;
    const r0 = pose[3];
    const r1 = pose[4];
    const r2 = pose[5];
    const r3 = pose[6];
    const r4 = pose[7];
    const r5 = pose[8];
    const r6 = pose[9];
    const r7 = pose[10];
    const r8 = pose[11];
    for (let j = 0; j < count; j++) {
      const k = 3 * (idx ? idx[j] : j);
      const a = L[k];
      const b = L[k + 1];
      const c = L[k + 2];
      vec[3 * j] = r0 * a + r1 * b + r2 * c;
      vec[3 * j + 1] = r3 * a + r4 * b + r5 * c;
      vec[3 * j + 2] = r6 * a + r7 * b + r8 * c;
    }
    const pnt = this.pntJs;
    pnt[0] = pose[0];
    pnt[1] = pose[1];
    pnt[2] = pose[2];
    // Reserve (then free) room for those copies so the call does not grow the heap, which would
    // detach the output views below.
    reserveHeap(3 * count + 64);
    const gbytes = this.group.bytes(6);
    for (let i = 0; i < 6; i++) gbytes[i] = groups[i];
    // mj_multiRay checks the arrays' lengths against nray: pass exact-size views.
    const gidV = this.gid!.view().subarray(0, count);
    const distV = this.dist!.view().subarray(0, count);
    mj.mj_multiRay(
      w.model,
      w.data,
      pnt as unknown as number[],
      vec as unknown as number[],
      gbytes,
      1,
      -1,
      gidV,
      distV,
      count,
      this.far * 4,
    );
    this.shade(rgb, depth, idx, count, gidV, distV, vec, L, pose, distOut, under);
  }

  private shade(
    rgb: Uint8Array,
    depth: Float32Array | undefined,
    idx: Int32Array | null,
    count: number,
    gid: Int32Array,
    dist: Float64Array,
    vec: Float64Array,
    local: Float64Array,
    pose: Float64Array,
    distOut: Float64Array | null,
    under: Float64Array | undefined,
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
    const px = pose[0];
    const py = pose[1];
    const pz = pose[2];
    for (let j = 0; j < count; j++) {
      const i = idx ? idx[j] : j;
      const g = gid[j];
      const t = dist[j];
      if (under) {
        // Dynamic pass over the static cache: keep the cached pixel unless this hit is nearer.
        if (g < 0) continue;
        const s = under[i];
        if (s >= 0 && s <= t) continue;
      }
      if (distOut) distOut[i] = g < 0 ? -1 : t;
      const k = 3 * i;
      const dx = vec[3 * j];
      const dy = vec[3 * j + 1];
      const dz = vec[3 * j + 2];
      if (g < 0) {
        // Sky: horizon to zenith gradient.
        const up = Math.max(dz, 0);
        rgb[k] = 190 - 95 * up;
        rgb[k + 1] = 205 - 65 * up;
        rgb[k + 2] = 220 - 10 * up;
        if (depth) depth[i] = far;
        continue;
      }
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
      for (let l = 0; l < nl; l++) {
        const c = wx * ld[3 * l] + wy * ld[3 * l + 1] + wz * ld[3 * l + 2];
        if (c > 0) light += lk[l] * c;
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
      const sc = 255 * light;
      rgb[k] = Math.min(r * sc, 255);
      rgb[k + 1] = Math.min(gg * sc, 255);
      rgb[k + 2] = Math.min(b * sc, 255);
    }
  }

  dispose(): void {
    this.dist?.delete();
    this.gid?.delete();
    this.dist = this.gid = undefined;
    this.capacity = 0;
    this.group.delete();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
