import { LocalPolicy } from '@robofm/policy';
import { sceneSeed } from '@robofm/sim';
import { createSuiteEnv } from '../src/suite-env.ts';
const ck = process.argv[2];
const se = await createSuiteEnv({
  task: 'pick_place',
  embodiment: 'arm6',
  paraphrases: 'heldout',
  edgeCases: 'off',
});
const pA = new LocalPolicy(ck, { seed: 1 });
const pB = new LocalPolicy(ck, { seed: 2 });
const colors = ['red', 'green', 'blue', 'yellow', 'orange', 'purple', 'white'];
let dNoise = 0,
  dLang = 0,
  n = 0;
for (let i = 0; i < 12; i++) {
  const o = se.env.reset({ seed: sceneSeed('heldout', i) }).obs;
  const instr: string = o.instruction;
  const words = instr.split(' ');
  const ci = words.findIndex((w) => colors.includes(w));
  const swapped = words
    .map((w, k) => (k === ci ? colors[(colors.indexOf(w) + 3) % colors.length] : w))
    .join(' ');
  const a = (await pA.infer(o)).actions;
  const b = (await pB.infer(o)).actions;
  const c = (await pA.infer({ ...o, instruction: swapped })).actions;
  const diff = (x: Float32Array, y: Float32Array) => {
    let s = 0;
    for (let k = 0; k < 7 * 8; k++) if (k % 7 < 6) s += Math.abs(x[k] - y[k]);
    return s / 48;
  };
  dNoise += diff(a, b);
  dLang += diff(a, c);
  n++;
  console.log(instr, '|', swapped, diff(a, b).toFixed(4), diff(a, c).toFixed(4));
}
console.log(
  'mean noise-seed diff',
  (dNoise / n).toFixed(4),
  'mean instruction-swap diff',
  (dLang / n).toFixed(4),
);
se.env.dispose();
