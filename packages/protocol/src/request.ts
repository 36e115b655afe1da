import { type Observation, type PolicyEmbodimentInfo, ValidationError, describeValue } from '@robofm/core';
import { toHwcUint8 } from './image.ts';
import { NdArray, elementAsNumber } from './ndarray.ts';

/**
 * Where an openpi-style request dict keeps each part of an observation, for one embodiment.
 * Paths are key lists into nested dicts: `['images', 'cam_high']` is `req["images"]["cam_high"]`,
 * `['observation/state']` is one flat key (DROID style).
 */
export interface RequestLayout {
  name: string;
  /** Embodiment names this layout can drive, first match among the model's embodiments wins. */
  embodiments: string[];
  state: string[];
  /** Width of the state on the wire; defaults to the embodiment's stateDim. */
  stateWidth?: number;
  /** Wire image → embodiment camera (candidate names, first the embodiment has wins). */
  images: { path: string[]; cameras: string[]; required?: boolean }[];
  prompt: string[];
}

/**
 * openpi's ALOHA layout (examples/aloha_real): `state` [14] (left arm 6 + gripper, right arm
 * 6 + gripper), `images.{cam_high,cam_low,cam_left_wrist,cam_right_wrist}` as [3, 224, 224] uint8,
 * `prompt`. Driven by robofm's bimanual embodiment; missing wrist/low cameras are black, as openpi
 * fills them.
 */
export const ALOHA_LAYOUT: RequestLayout = {
  name: 'aloha',
  embodiments: ['bimanual', 'aloha', 'bimanual_arms', 'bimanual-arms'],
  state: ['state'],
  stateWidth: 14,
  images: [
    {
      path: ['images', 'cam_high'],
      cameras: ['cam_high', 'top', 'high', 'overhead', 'front'],
      required: true,
    },
    { path: ['images', 'cam_low'], cameras: ['cam_low', 'low', 'front_low'] },
    { path: ['images', 'cam_left_wrist'], cameras: ['cam_left_wrist', 'left_wrist', 'wrist_left'] },
    { path: ['images', 'cam_right_wrist'], cameras: ['cam_right_wrist', 'right_wrist', 'wrist_right'] },
  ],
  prompt: ['prompt'],
};

export const DEFAULT_LAYOUTS: RequestLayout[] = [ALOHA_LAYOUT];

const strList = (field: string, v: unknown): string[] => {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === ''))
    throw new ValidationError(field, v, 'a non-empty array of non-empty strings');
  return v as string[];
};
/** A key path: `["images", "cam_high"]`, or a string split on `.` (`"images.cam_high"`). */
const keyPath = (field: string, v: unknown): string[] =>
  typeof v === 'string' && v !== '' ? v.split('.') : strList(field, v);

/**
 * Checks request layouts read from JSON (e.g. `robofm serve --layouts file.json`): an array of
 * `{name, embodiments, state, stateWidth?, images: [{path, cameras, required?}], prompt}`; key paths
 * may be `"a.b"` strings or arrays. The error names the first bad field.
 */
export function parseRequestLayouts(json: unknown): RequestLayout[] {
  if (!Array.isArray(json)) throw new ValidationError('layouts', json, 'an array of request layouts');
  return json.map((raw, i) => {
    const f = `layouts[${i}]`;
    if (raw === null || typeof raw !== 'object') throw new ValidationError(f, raw, 'an object');
    const l = raw as Record<string, unknown>;
    if (typeof l.name !== 'string' || !l.name)
      throw new ValidationError(`${f}.name`, l.name, 'a non-empty string');
    if (l.stateWidth !== undefined && !(Number.isInteger(l.stateWidth) && (l.stateWidth as number) > 0))
      throw new ValidationError(`${f}.stateWidth`, l.stateWidth, 'a positive integer');
    if (!Array.isArray(l.images))
      throw new ValidationError(`${f}.images`, l.images, 'an array of {path, cameras, required?}');
    const out: RequestLayout = {
      name: l.name,
      embodiments: strList(`${f}.embodiments`, l.embodiments),
      state: keyPath(`${f}.state`, l.state),
      images: l.images.map((im: unknown, j: number) => {
        const g = `${f}.images[${j}]`;
        if (im === null || typeof im !== 'object') throw new ValidationError(g, im, 'an object');
        const m = im as Record<string, unknown>;
        if (m.required !== undefined && typeof m.required !== 'boolean')
          throw new ValidationError(`${g}.required`, m.required, 'true or false');
        return {
          path: keyPath(`${g}.path`, m.path),
          cameras: strList(`${g}.cameras`, m.cameras),
          ...(m.required ? { required: true } : {}),
        };
      }),
      prompt: l.prompt === undefined ? ['prompt'] : keyPath(`${f}.prompt`, l.prompt),
    };
    if (l.stateWidth !== undefined) out.stateWidth = l.stateWidth as number;
    return out;
  });
}

/** What the request parser needs to know about a model. */
export interface ModelInputSpec {
  embodiments: Record<string, PolicyEmbodimentInfo>;
  /** Key mappings tried (in order) for requests that do not name an `embodiment`. */
  layouts?: RequestLayout[];
}

export interface ParsedRequest {
  observation: Observation;
  /** Layout that matched: a RequestLayout name or `native`. */
  layout: string;
}

function get(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || cur instanceof NdArray || ArrayBuffer.isView(cur))
      return undefined;
    if (!Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** The robofm-native layout for an embodiment: `state`, `images.{camera}`, `prompt`, `embodiment`. */
export function nativeLayout(embodiment: string, info: PolicyEmbodimentInfo): RequestLayout {
  return {
    name: 'native',
    embodiments: [embodiment],
    state: ['state'],
    images: info.cameras.map((c) => ({ path: ['images', c.name], cameras: [c.name], required: true })),
    prompt: ['prompt'],
  };
}

function resolveEmbodiment(layout: RequestLayout, spec: ModelInputSpec): string | undefined {
  return layout.embodiments.find((e) => Object.hasOwn(spec.embodiments, e));
}

function matches(req: unknown, layout: RequestLayout): boolean {
  if (get(req, layout.state) === undefined) return false;
  return layout.images.every((i) => !i.required || get(req, i.path) !== undefined);
}

/** Reads a state vector of any int/float dtype (or a list of numbers) as Float32Array of `width`. */
export function readState(field: string, v: unknown, width: number): Float32Array {
  let values: number[] | null = null;
  let arr: NdArray | null = null;
  if (v instanceof NdArray) {
    arr = v;
    const ok = v.shape.length === 1 || (v.shape.length === 2 && v.shape[0] === 1);
    if (!ok || v.size !== width)
      throw new ValidationError(`${field}.shape`, `[${v.shape.join(', ')}]`, `[${width}]`);
  } else if (Array.isArray(v)) {
    if (v.length !== width)
      throw new ValidationError(field, describeValue(v), `an array of ${width} numbers`);
    values = v as number[];
  } else {
    throw new ValidationError(
      field,
      v,
      `a state vector of ${width} numbers (ndarray of any int/float dtype)`,
    );
  }
  const out = new Float32Array(width);
  for (let i = 0; i < width; i++) {
    const x = arr ? elementAsNumber(arr, i) : values![i];
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new ValidationError(`${field}[${i}]`, x, 'a finite number');
    out[i] = x;
  }
  return out;
}

function readPrompt(field: string, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') {
    if (v.length > 4096) throw new ValidationError(field, v, 'a prompt of at most 4096 characters');
    return v;
  }
  if (v instanceof Uint8Array && v.length <= 4096) return new TextDecoder().decode(v);
  throw new ValidationError(field, v, 'a string');
}

/**
 * Turns one decoded request dict into a robofm Observation for one of the model's embodiments:
 * - a request naming `embodiment` uses the native layout of that embodiment;
 * - otherwise the first layout in `spec.layouts` (default: ALOHA) whose keys are present and whose
 *   embodiment the model has;
 * - otherwise, when the model has a single embodiment, its native layout.
 * Images are converted to HWC uint8 at each camera's size; every error names field, value, expectation.
 */
export function requestToObservation(req: unknown, spec: ModelInputSpec): ParsedRequest {
  if (req === null || typeof req !== 'object' || Array.isArray(req) || req instanceof NdArray)
    throw new ValidationError('request', req, 'a map (dict) of observation fields');
  const names = Object.keys(spec.embodiments);
  let embodiment: string | undefined;
  let layout: RequestLayout | undefined;
  const named = (req as Record<string, unknown>).embodiment;
  if (named !== undefined) {
    if (typeof named !== 'string' || !Object.hasOwn(spec.embodiments, named))
      throw new ValidationError('embodiment', named, `one of ${names.join(', ')}`);
    embodiment = named;
    layout = nativeLayout(named, spec.embodiments[named]);
  } else {
    for (const l of spec.layouts ?? DEFAULT_LAYOUTS) {
      const e = resolveEmbodiment(l, spec);
      if (e && matches(req, l)) {
        embodiment = e;
        layout = l;
        break;
      }
    }
    if (!layout && names.length === 1) {
      embodiment = names[0];
      layout = nativeLayout(names[0], spec.embodiments[names[0]]);
    }
  }
  if (!layout || !embodiment)
    throw new ValidationError(
      'embodiment',
      undefined,
      `one of ${names.join(', ')} (or a request in one of the layouts ${(spec.layouts ?? DEFAULT_LAYOUTS).map((l) => l.name).join(', ')})`,
    );
  const info = spec.embodiments[embodiment];
  const stateField = layout.state.join('.');
  const rawState = get(req, layout.state);
  if (rawState === undefined)
    throw new ValidationError(stateField, undefined, `a state vector of ${info.stateDim} numbers`);
  const wireWidth = layout.stateWidth ?? info.stateDim;
  if (wireWidth !== info.stateDim)
    throw new ValidationError(
      `layout(${layout.name}).stateWidth`,
      wireWidth,
      `the state width of embodiment ${embodiment} (${info.stateDim})`,
    );
  const state = readState(stateField, rawState, wireWidth);
  const images: Record<string, Uint8Array> = {};
  for (const img of layout.images) {
    const cam = info.cameras.find((c) => img.cameras.includes(c.name));
    const v = get(req, img.path);
    const field = img.path.join('.');
    if (v === undefined) {
      if (img.required && cam) throw new ValidationError(field, undefined, `an image for camera ${cam.name}`);
      continue;
    }
    if (!cam) continue; // the embodiment has no such camera: the image is ignored
    images[cam.name] = toHwcUint8(field, v, cam);
  }
  for (const cam of info.cameras) {
    if (!images[cam.name]) images[cam.name] = new Uint8Array(cam.width * cam.height * 3);
  }
  const observation: Observation = {
    embodiment,
    images,
    state,
    instruction: readPrompt(layout.prompt.join('.'), get(req, layout.prompt)),
  };
  const ts = (req as Record<string, unknown>).timestamp;
  if (typeof ts === 'number' && Number.isFinite(ts)) observation.timestamp = ts;
  return { observation, layout: layout.name };
}

/**
 * Builds the native request dict for an Observation (what `RemotePolicy` sends): `embodiment`,
 * `state` as <f4 [D], `images.{camera}` as |u1 [H, W, 3] (or [3, H, W] with `chw`), `prompt`.
 */
export function observationToRequest(
  obs: Observation,
  info: PolicyEmbodimentInfo,
  options: { chw?: boolean } = {},
): Record<string, unknown> {
  const images: Record<string, NdArray> = {};
  for (const cam of info.cameras) {
    const img = obs.images[cam.name];
    if (!img)
      throw new ValidationError(
        `images.${cam.name}`,
        undefined,
        `an image of ${cam.height}x${cam.width}x3 uint8`,
      );
    if (img.length !== cam.width * cam.height * 3)
      throw new ValidationError(`images.${cam.name}`, img, `${cam.height * cam.width * 3} bytes (HWC RGB)`);
    images[cam.name] = options.chw
      ? new NdArray(hwcToChw(img, cam.height, cam.width), [3, cam.height, cam.width])
      : new NdArray(img, [cam.height, cam.width, 3]);
  }
  const req: Record<string, unknown> = {
    embodiment: obs.embodiment,
    state: new NdArray(obs.state, [obs.state.length]),
    images,
    prompt: obs.instruction,
  };
  if (obs.timestamp !== undefined) req.timestamp = obs.timestamp;
  return req;
}

export function hwcToChw(img: Uint8Array, h: number, w: number): Uint8Array {
  const out = new Uint8Array(img.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < 3; k++) out[(k * h + y) * w + x] = img[(y * w + x) * 3 + k];
  return out;
}
