import { SimEnv } from './packages/sim/src/index.ts';
import { mujocoModule } from './packages/sim/src/mujoco.ts';
const env = await SimEnv.create({ embodiment: 'arm6' });
env.reset({ seed: 3 });
const mj: any = mujocoModule();
const orig = mj.mj_multiRay.bind(mj);
let rayT = 0, rays = 0;
mj.mj_multiRay = (...args: any[]) => { const a = performance.now(); orig(...args); rayT += performance.now() - a; rays += args[9]; };
for (let rep = 0; rep < 3; rep++) {
rayT = 0; rays = 0;
const a = performance.now(); for (let i = 0; i < 300; i++) env.render('front', { width: 96, height: 96, cache: false }); const b = performance.now();
console.log('total ms/frame', ((b - a) / 300).toFixed(3), 'ray ms/frame', (rayT / 300).toFixed(3), 'rays/frame', rays / 300, 'ns/ray', (rayT * 1e6 / rays).toFixed(0));
}
