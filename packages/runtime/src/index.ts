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
