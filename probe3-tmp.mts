import { SimDriver } from './packages/sim/src/index.ts';
for (const [name, amp] of [['hand', 0.3], ['hand', 0.1], ['humanoid', 0.3], ['arm4', 0.3], ['mobile', 0.3]] as const) {
const d = await SimDriver.create({ embodiment: name, sceneSeed: 1, cameras: [] });
const spec = d.spec; const home = d.read().q;
const maxr = new Float64Array(spec.joints.length);
for (let k = 0; k < 2000; k++) {
  const t = k / spec.physicsHz;
  const q = Float64Array.from(home, (v, i) => {
    const j = spec.joints[i];
    if (j.kind === 'gripper') return j.upper * 0.975;
    return Math.min(j.upper, Math.max(j.lower, v + amp * Math.sin(2 * Math.PI * 0.5 * t)));
  });
  d.command({ kind: 'targets', q });
  d.advance();
  const qd = d.read().qd;
  spec.joints.forEach((j, i) => { maxr[i] = Math.max(maxr[i], Math.abs(qd[i]) / j.maxVelocity); });
}
console.log(name, amp, spec.joints.map((j, i) => `${j.name}:${maxr[i].toFixed(2)}`).filter((_, i) => maxr[i] > 0.8).join(' '));
d.dispose();
}
