import { ControlLoop } from '@robofm/runtime';
import { simReachWorld } from './packages/runtime/src/sim-reach.ts';
import { Logger } from '@robofm/core';
const log = new Logger({}, 'silent');
for (const emb of ['arm6', 'arm4']) for (const sched of ['sync', 'async', 'rtc'] as const) for (const lat of [0, 200]) {
  let line = '';
  for (const seed of [0, 1, 2]) {
    const w = await simReachWorld({ embodiment: emb, seed });
    const loop = new ControlLoop({ driver: w.driver, policy: w.expert!, scheduler: sched, clock: 'virtual', faults: { latencyMs: lat }, isDone: () => w.success(), maxSeconds: w.timeLimitS, logger: log });
    const r = await loop.run();
    line += ` ${r.success ? 'ok' : 'FAIL'} ${r.completionS.toFixed(2)}/${r.maxVelFrac.toFixed(2)}`;
    w.dispose();
  }
  console.log(emb, sched, lat, line);
}
