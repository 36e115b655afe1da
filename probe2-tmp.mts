import { SimEnv } from './packages/sim/src/index.ts';
import { mujocoModule } from './packages/sim/src/mujoco.ts';
const env = await SimEnv.create({ embodiment: 'arm6' });
env.reset({ seed: 3 });
const r: any = (env as any).renderer;
const mj: any = mujocoModule();
const rays = r.cameraRays(mj.mj_name2id(env.world.model, 7, 'wrist'), 96, 96);
const d = env.world.data; const id = mj.mj_name2id(env.world.model, 7, 'wrist');
const pose = new Float64Array(12); pose.set((d.cam_xpos as Float64Array).subarray(3*id, 3*id+3), 0); pose.set((d.cam_xmat as Float64Array).subarray(9*id, 9*id+9), 3);
const rgb = new Uint8Array(96*96*3);
for (const [name, g] of [['all', [1,1,1,1,1,1]], ['static', [1,0,0,0,0,0]], ['dynamic', [0,1,1,1,1,1]], ['all', [1,1,1,1,1,1]], ['static', [1,0,0,0,0,0]], ['dynamic', [0,1,1,1,1,1]]] as const) {
  const t = performance.now();
  for (let i = 0; i < 200; i++) r.castAndShade(rays, pose, null, 9216, g, rgb, undefined, null);
  console.log(name, ((performance.now() - t) / 200).toFixed(3), 'ms');
}
const a = r.activePixels(rays, pose); console.log('active', a.count);
