export type { Dtype, TypedArray } from './ndarray.ts';
export {
  NdArray,
  NpScalar,
  F64,
  dtypeOf,
  dtypeItemsize,
  ndarrayFromWire,
  toFloat32,
  elementAsNumber,
  MAX_NDARRAY_ELEMENTS,
} from './ndarray.ts';
export type { DecodeOptions } from './msgpack.ts';
export { encodeFrame, decodeFrame, DEFAULT_MAX_FRAME_BYTES, MAX_DEPTH } from './msgpack.ts';
export type { ImageSize } from './image.ts';
export { toHwcUint8, MAX_IMAGE_SIDE } from './image.ts';
export type { RequestLayout, ModelInputSpec, ParsedRequest } from './request.ts';
export {
  ALOHA_LAYOUT,
  DEFAULT_LAYOUTS,
  nativeLayout,
  readState,
  parseRequestLayouts,
  requestToObservation,
  observationToRequest,
  hwcToChw,
} from './request.ts';
export type { ServerTiming } from './response.ts';
export {
  chunkToResponse,
  withServerTiming,
  responseToChunk,
  metadataFrame,
  parseMetadataFrame,
  PROTOCOL_VERSION,
} from './response.ts';
