/**
 * Child process for the crash-safety test: writes synthetic episodes and gets SIGKILLed by the
 * parent (mid-episode) or by itself at a chosen point of a commit.
 * Usage: node --import tsx crash-writer.fixture.ts <dir> <mode> ; mode = mid | after-journal | after-rename:<i> | loop
 */
import { DatasetWriter } from './dataset-writer.ts';
import { featuresFromEmbodiment } from './features.ts';
import { syntheticEmbodiment, syntheticImage } from './synthetic.ts';

const [dir, mode = 'loop'] = process.argv.slice(2);
const spec = syntheticEmbodiment('crash_arm', {
  state: 3,
  action: 2,
  cameras: [{ name: 'top', width: 64, height: 64 }],
});
const die = () => process.kill(process.pid, 'SIGKILL');
const hooks =
  mode === 'after-journal'
    ? { afterJournal: die }
    : mode.startsWith('after-rename:')
      ? { afterRename: (i: number) => i === Number(mode.split(':')[1]) && die() }
      : {};
const w = await DatasetWriter.openOrCreate(dir, {
  fps: 10,
  robotType: spec.robotType,
  features: featuresFromEmbodiment(spec),
  testHooks: hooks,
});
for (let k = 0; ; k++) {
  const e = w.totalEpisodes;
  w.beginEpisode({ task: `task ${e % 3}` });
  const len = mode === 'mid' ? 1000 : 15 + (e % 4) * 5;
  for (let t = 0; t < len; t++) {
    await w.addFrame({
      'observation.state': Float32Array.from([e, t, e + t]),
      action: Float32Array.from([t, -e]),
      'observation.images.top': syntheticImage(e, t, 0, 64, 64),
      'next.reward': 0,
      'next.done': t === len - 1,
      success: true,
      subtask: 'reach',
      quality: 2,
      embodiment: spec.name,
    });
    process.stdout.write(`frame ${e} ${t}\n`);
  }
  await w.commitEpisode();
  process.stdout.write(`committed ${e}\n`);
  if (mode !== 'loop' && k > 0) break;
}
await w.close();
