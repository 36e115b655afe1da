import { countStages, type EpisodeStages, type StageCounts } from './stages.ts';
import { wilsonInterval } from './wilson.ts';

/** What one evaluation episode produced. */
export interface EpisodeResult {
  task: string;
  embodiment: string;
  sceneSeed: number;
  instruction: string;
  success: boolean;
  /** Control steps taken. */
  steps: number;
  /** Simulated seconds until the success detector first fired; null on failure. */
  timeToSuccess: number | null;
  /** Why it failed, in a few words (from the task's detector); null on success. */
  failureReason: string | null;
  /** Edge cases injected into this episode (names). */
  edgeCases: string[];
  /** Wall-clock milliseconds the episode took. */
  wallMs: number;
  /** Path of the saved failure video, when one was made. */
  video?: string;
  /** How far it got toward its first goal (tasks with an object to move). */
  stages?: EpisodeStages;
}

export interface EdgeCaseStats {
  episodes: number;
  successes: number;
  success: number;
}

export interface SuiteReport {
  episodes: number;
  successes: number;
  /** Success rate in [0, 1]. */
  success: number;
  /** Wilson 95 % interval of the success rate. */
  ci95: [number, number];
  /** Mean simulated seconds to success over successful episodes (null when none). */
  meanTimeToSuccess: number | null;
  failureReasons: Record<string, number>;
  edgeCases: Record<string, EdgeCaseStats>;
  /** The reached → grasped → lifted → success funnel, when the episodes have stages. */
  stages?: StageCounts;
}

export interface EvalReport {
  policy: string;
  seedStart: number;
  episodesPerSuite: number;
  createdAt: string;
  wallSeconds: number;
  suites: Record<string, SuiteReport>;
  overall: { episodes: number; successes: number; success: number; ci95: [number, number] };
  episodes: EpisodeResult[];
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export function summarize(results: EpisodeResult[]): SuiteReport {
  const n = results.length;
  const ok = results.filter((r) => r.success);
  const failureReasons: Record<string, number> = {};
  for (const r of results)
    if (!r.success)
      failureReasons[r.failureReason ?? 'unknown'] = (failureReasons[r.failureReason ?? 'unknown'] ?? 0) + 1;
  const edgeCases: Record<string, EdgeCaseStats> = {};
  for (const r of results) {
    for (const name of r.edgeCases.length ? r.edgeCases : ['none']) {
      const e = (edgeCases[name] ??= { episodes: 0, successes: 0, success: 0 });
      e.episodes++;
      if (r.success) e.successes++;
    }
  }
  for (const e of Object.values(edgeCases)) e.success = round(e.successes / e.episodes);
  const [lo, hi] = wilsonInterval(ok.length, n);
  const stages = countStages(results);
  const tts = ok.map((r) => r.timeToSuccess).filter((t): t is number => t !== null);
  return {
    episodes: n,
    successes: ok.length,
    success: n ? round(ok.length / n) : 0,
    ci95: [round(lo), round(hi)],
    meanTimeToSuccess: tts.length ? round(tts.reduce((a, b) => a + b, 0) / tts.length) : null,
    failureReasons,
    edgeCases,
    ...(stages ? { stages } : {}),
  };
}

/** Groups episode results by `task/embodiment` (in first-seen order) and summarizes each. */
export function buildReport(
  results: EpisodeResult[],
  meta: {
    policy: string;
    seedStart: number;
    episodesPerSuite: number;
    wallSeconds: number;
    suiteOrder?: string[];
  },
): EvalReport {
  const groups = new Map<string, EpisodeResult[]>();
  for (const s of meta.suiteOrder ?? []) groups.set(s, []);
  for (const r of results) {
    const key = `${r.task}/${r.embodiment}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const suites: Record<string, SuiteReport> = {};
  for (const [k, rs] of groups) suites[k] = summarize(rs);
  const successes = results.filter((r) => r.success).length;
  const [lo, hi] = wilsonInterval(successes, results.length);
  return {
    policy: meta.policy,
    seedStart: meta.seedStart,
    episodesPerSuite: meta.episodesPerSuite,
    createdAt: new Date().toISOString(),
    wallSeconds: round(meta.wallSeconds),
    suites,
    overall: {
      episodes: results.length,
      successes,
      success: results.length ? round(successes / results.length) : 0,
      ci95: [round(lo), round(hi)],
    },
    episodes: results,
  };
}

/** The `--json` summary line: `{"suites":{"t/e":{"episodes","success","ci95"}},"overall":…}`. */
export function jsonSummary(report: EvalReport): string {
  const suites: Record<string, { episodes: number; success: number; ci95: [number, number] }> = {};
  for (const [k, s] of Object.entries(report.suites))
    suites[k] = { episodes: s.episodes, success: s.success, ci95: s.ci95 };
  return JSON.stringify({ suites, overall: report.overall });
}
