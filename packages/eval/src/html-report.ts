import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChartPng } from './bar-chart.ts';
import type { EvalReport } from './report.ts';
import { LIFT_CM, REACH_CM } from './stages.ts';

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Writes `report.json`, `report.html` and PNG plots (`success.png`, `time-to-success.png`,
 * `failures.png`, `edge-cases.png`) into `dir`. Returns the paths written.
 */
export function writeReport(report: EvalReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    written.push(p);
    return name;
  };
  put('report.json', `${JSON.stringify(report, null, 2)}\n`);
  const suites = Object.entries(report.suites);
  const plots: Array<{ file: string; caption: string }> = [];
  plots.push({
    file: put(
      'success.png',
      barChartPng(
        suites.map(([k, s]) => ({
          label: k,
          value: s.success * 100,
          interval: [s.ci95[0] * 100, s.ci95[1] * 100],
        })),
        {
          title: 'SUCCESS RATE % (WILSON 95% CI)',
          max: 100,
          reference: 95,
          format: (v) => `${v.toFixed(0)}%`,
        },
      ),
    ),
    caption: 'Success rate per task/embodiment with Wilson 95 % interval; dashed line: the 95 % target.',
  });
  plots.push({
    file: put(
      'time-to-success.png',
      barChartPng(
        suites.map(([k, s]) => ({ label: k, value: s.meanTimeToSuccess ?? 0 })),
        { title: 'MEAN TIME TO SUCCESS S', format: (v) => `${v.toFixed(1)}S` },
      ),
    ),
    caption: 'Mean simulated seconds to success (successful episodes only).',
  });
  const reasons = new Map<string, number>();
  const edge = new Map<string, { n: number; ok: number }>();
  for (const [, s] of suites) {
    for (const [r, c] of Object.entries(s.failureReasons)) reasons.set(r, (reasons.get(r) ?? 0) + c);
    for (const [e, st] of Object.entries(s.edgeCases)) {
      const cur = edge.get(e) ?? { n: 0, ok: 0 };
      cur.n += st.episodes;
      cur.ok += st.successes;
      edge.set(e, cur);
    }
  }
  if (reasons.size) {
    plots.push({
      file: put(
        'failures.png',
        barChartPng(
          [...reasons].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value })),
          { title: 'FAILURE REASONS (EPISODES)', format: (v) => String(v) },
        ),
      ),
      caption: 'Failure reasons over all suites.',
    });
  }
  plots.push({
    file: put(
      'edge-cases.png',
      barChartPng(
        [...edge].map(([label, v]) => ({ label, value: (v.ok / v.n) * 100 })),
        { title: 'SUCCESS % BY EDGE CASE', max: 100, reference: 95, format: (v) => `${v.toFixed(0)}%` },
      ),
    ),
    caption: 'Success rate by injected edge case over all suites ("none": no edge case).',
  });

  const edgeNames = [...edge.keys()];
  const rows = suites
    .map(([k, s]) => {
      const fr = Object.entries(s.failureReasons)
        .map(([r, c]) => `${esc(r)} (${c})`)
        .join(', ');
      const ec = edgeNames
        .map((e) => {
          const st = s.edgeCases[e];
          return `<td>${st ? `${st.successes}/${st.episodes}` : ''}</td>`;
        })
        .join('');
      return `<tr class="${s.success >= 0.95 ? 'ok' : 'bad'}"><td>${esc(k)}</td><td>${s.episodes}</td><td>${pct(s.success)}</td><td>[${pct(s.ci95[0])}, ${pct(s.ci95[1])}]</td><td>${s.meanTimeToSuccess === null ? '–' : `${s.meanTimeToSuccess.toFixed(2)} s`}</td><td>${fr || '–'}</td><td>${s.stages ? `${s.stages.reached} / ${s.stages.grasped} / ${s.stages.lifted}` : '–'}</td>${ec}</tr>`;
    })
    .join('\n');
  const failures = report.episodes
    .filter((e) => !e.success)
    .slice(0, 200)
    .map(
      (e) =>
        `<tr><td>${esc(e.task)}/${esc(e.embodiment)}</td><td>${e.sceneSeed}</td><td>${esc(e.instruction)}</td><td>${esc(e.failureReason ?? '')}</td><td>${e.stages ? `${e.stages.closestCm} / ${e.stages.grasped ? 'yes' : 'no'} / ${e.stages.liftedCm}` : '–'}</td><td>${esc(e.edgeCases.join(', ') || 'none')}</td><td>${e.video ? `<a href="${esc(e.video)}">video</a>` : ''}</td></tr>`,
    )
    .join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>robofm eval: ${esc(report.policy)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px}tr.bad td:nth-child(3){color:#b33;font-weight:bold}
img{max-width:100%;border:1px solid #ddd;margin:.5em 0}</style></head><body>
<h1>robofm eval</h1>
<p>policy <code>${esc(report.policy)}</code>, ${report.episodesPerSuite} episodes per suite on held-out scenes from seed index ${report.seedStart},
${report.overall.episodes} episodes in ${report.wallSeconds.toFixed(1)} s, created ${esc(report.createdAt)}.</p>
<p><b>overall: ${pct(report.overall.success)}</b> [${pct(report.overall.ci95[0])}, ${pct(report.overall.ci95[1])}]</p>
<table><tr><th>suite</th><th>episodes</th><th>success</th><th>95% CI</th><th>mean time to success</th><th>failure reasons</th><th title="episodes whose gripper came within ${REACH_CM} cm of the goal's object / held it / lifted it ${LIFT_CM} cm">reached / grasped / lifted</th>${edgeNames.map((e) => `<th>${esc(e)}</th>`).join('')}</tr>
${rows}
</table>
${plots.map((p) => `<figure><img src="${p.file}" alt="${esc(p.caption)}"><figcaption>${esc(p.caption)}</figcaption></figure>`).join('\n')}
<h2>failures</h2>
${failures ? `<table><tr><th>suite</th><th>scene seed</th><th>instruction</th><th>reason</th><th>closest cm / grasped / lifted cm</th><th>edge cases</th><th>video</th></tr>${failures}</table>` : '<p>none</p>'}
</body></html>
`;
  put('report.html', html);
  return written;
}
