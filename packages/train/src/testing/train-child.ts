/**
 * Child process for the kill -9 resume test: trains the `tiny` preset on synthetic data into
 * argv[2] for argv[3] steps (resuming from argv[2]/latest when present).
 */
import { syntheticEpisodes } from '../bench.ts';
import { EpisodeSource } from '../episodes.ts';
import { applyOverrides, getPreset } from '../presets.ts';
import { train } from '../trainer.ts';

const [out, steps] = process.argv.slice(2);
const cfg = applyOverrides(getPreset('tiny'), { out, steps, saveEvery: '3', emaDecay: '0.9' });
const syn = syntheticEpisodes(['arm6'], { episodes: 2, length: 12, imageSize: cfg.model.imageSize });
await train({ config: cfg, source: new EpisodeSource(syn.episodes, syn.embodiments), progress: false });
