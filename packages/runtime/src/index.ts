export type { SchedulerKind, SchedulerOptions, ChunkScheduler } from './schedulers.ts';
export {
  SCHEDULER_KINDS,
  SyncScheduler,
  AsyncScheduler,
  RtcScheduler,
  rtcOldWeight,
  createScheduler,
} from './schedulers.ts';
export type { SafetyOptions, SafetyStats, WorkspaceBox } from './safety.ts';
export { SafetyLayer } from './safety.ts';
export type { Outage, FaultSpec } from './faults.ts';
export { parseDurationMs, parseOutages, validateFaults } from './faults.ts';
export type { ChannelEvent, ClockKind, PolicyChannelOptions } from './policy-channel.ts';
export { PolicyChannel } from './policy-channel.ts';
export type { FallbackMode, FallbackOptions } from './fallback.ts';
export { Fallback } from './fallback.ts';
export type {
  ControlMode,
  SwitchEvent,
  StepRecord,
  EpisodeRecorder,
  ControlLoopOptions,
  EpisodeResult,
} from './control-loop.ts';
export { ControlLoop } from './control-loop.ts';
export type { RemotePolicyOptions } from './remote-policy.ts';
export { RemotePolicy } from './remote-policy.ts';
export type { FaultProxyOptions, FaultProxyStats } from './fault-proxy.ts';
export { FaultProxy } from './fault-proxy.ts';
export type { World, WorldOptions, WorldFactory } from './world.ts';
export type {
  EpisodeMeta,
  EpisodeInfo,
  StoredEpisode,
  EpisodeUploader,
  EpisodeBufferOptions,
} from './episode-buffer.ts';
export { EpisodeBuffer, EpisodeWriter, DirectoryUploader, HttpUploader } from './episode-buffer.ts';
export type { ServeHook, BenchCommon, SchedulingCell, SchedulingResult } from './bench.ts';
export { benchScheduling, benchOutage, defaultWorld } from './bench.ts';
export { simWorld } from './sim-world.ts';
export type { SimReachOptions } from './sim-reach.ts';
export { simReachWorld } from './sim-reach.ts';
export { loadLocalPolicy } from './local-policy-adapter.ts';
export type { RunEpisodeOptions } from './run-episode.ts';
export { runEpisode } from './run-episode.ts';
export { WorkerPolicy } from './worker-policy.ts';
export type { TcpFaultProxyOptions } from './tcp-fault-proxy.ts';
export { TcpFaultProxy } from './tcp-fault-proxy.ts';
