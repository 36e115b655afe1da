import { ValidationError } from '@robofm/core';
import type { EmbodimentInfo } from '@robofm/policy';
import { loadDatasetEpisodes } from './dataset-episodes.ts';
import { type Episode, EpisodeSource } from './episodes.ts';
import { parseDatasets } from './presets.ts';

/**
 * A mixture of LeRobot datasets (`dir[:weight],…`) as one sample source. Weights scale each
 * dataset's frames; datasets of the same body share normalization stats.
 */
export async function loadSources(
  spec: string,
  o: { imageSize: number; maxEpisodes?: number; progress?: boolean },
): Promise<EpisodeSource> {
  const refs = parseDatasets(spec);
  if (refs.length === 0)
    throw new ValidationError('--datasets', spec, 'at least one dataset directory (dir[:weight],…)');
  const episodes: Episode[] = [];
  const embodiments: Record<string, EmbodimentInfo> = {};
  for (const r of refs) {
    const d = await loadDatasetEpisodes(r.path, {
      imageSize: o.imageSize,
      maxEpisodes: o.maxEpisodes,
      progress: o.progress,
    });
    const frames = d.episodes.reduce((a, e) => a + e.state.length, 0);
    // weight = share of samples relative to the dataset's frames: normalize per dataset
    for (const e of d.episodes) e.weight = (r.weight * 1000) / Math.max(1, frames);
    const prev = embodiments[d.embodiment];
    // A perception-only dataset (no actions) has action width 0 and takes the body's widths from
    // the datasets with actions.
    if (
      prev &&
      (prev.stateDim !== d.info.stateDim ||
        (prev.actionDim !== d.info.actionDim && prev.actionDim > 0 && d.info.actionDim > 0))
    )
      throw new ValidationError(
        `${r.path} (robot_type ${d.embodiment})`,
        d.info,
        `the same widths as earlier datasets of that body`,
      );
    if (!prev || prev.actionDim === 0) embodiments[d.embodiment] = d.info;
    episodes.push(...d.episodes);
  }
  for (const [name, e] of Object.entries(embodiments))
    if (e.actionDim === 0)
      throw new ValidationError(
        '--datasets',
        spec,
        `a dataset with actions for every body (${name} has only perception-only datasets)`,
      );
  return new EpisodeSource(episodes, embodiments);
}
