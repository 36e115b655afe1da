import { describe, expect, it } from 'vitest';
import { syntheticEpisodes } from './bench.ts';
import { EpisodeSource } from './episodes.ts';

describe('EpisodeSource.batch', () => {
  const syn = syntheticEpisodes(['arm6', 'bimanual'], { episodes: 3, length: 10, imageSize: 8 });
  // arm6 carries three times the sampling weight of bimanual
  for (const e of syn.episodes) e.weight = e.embodiment === 'arm6' ? 3 : 1;
  const source = new EpisodeSource(syn.episodes, syn.embodiments);

  it('mixes bodies within a batch unless asked for one body per batch', () => {
    const mixed = source.batch(0, 64, 0, 4);
    expect(new Set(mixed.map((s) => s.embodiment)).size).toBe(2);
    const counts: Record<string, number> = { arm6: 0, bimanual: 0 };
    for (let step = 0; step < 400; step++) {
      const b = source.batch(step, 16, 0, 4, true);
      const bodies = new Set(b.map((s) => s.embodiment));
      expect(bodies.size).toBe(1);
      counts[b[0].embodiment]++;
    }
    // each body's share of batches follows its share of the weighted frames (3 : 1)
    expect(counts.arm6 / 400).toBeGreaterThan(0.65);
    expect(counts.arm6 / 400).toBeLessThan(0.85);
  });

  it('is deterministic by (seed, step)', () => {
    const a = source.batch(7, 8, 3, 4, true).map((s) => s.state);
    const b = source.batch(7, 8, 3, 4, true).map((s) => s.state);
    expect(a).toEqual(b);
  });
});
