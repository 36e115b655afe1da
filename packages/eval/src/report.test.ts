import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from './html-report.ts';
import { type EpisodeResult, buildReport, jsonSummary } from './report.ts';
import { parseSuite } from './run-eval.ts';

const ep = (
  task: string,
  success: boolean,
  edge: string[] = [],
  reason: string | null = null,
): EpisodeResult => ({
  task,
  embodiment: 'arm6',
  sceneSeed: 1_000_000,
  instruction: 'put the red cube in the blue bin',
  success,
  steps: 50,
  timeToSuccess: success ? 2.5 : null,
  failureReason: success ? null : (reason ?? 'timeout_not_in_bin'),
  edgeCases: edge,
  wallMs: 10,
});

describe('eval report', () => {
  it('aggregates success, Wilson CI, time to success, failure reasons and edge cases', () => {
    const rs = [
      ep('pick_place', true),
      ep('pick_place', true, ['phone']),
      ep('pick_place', false, ['phone']),
      ep('stack', true),
    ];
    const r = buildReport(rs, { policy: 'expert', seedStart: 0, episodesPerSuite: 3, wallSeconds: 1 });
    const s = r.suites['pick_place/arm6'];
    expect(s.episodes).toBe(3);
    expect(s.successes).toBe(2);
    expect(s.success).toBeCloseTo(0.6667, 3);
    expect(s.ci95[0]).toBeLessThan(s.success);
    expect(s.ci95[1]).toBeGreaterThan(s.success);
    expect(s.meanTimeToSuccess).toBe(2.5);
    expect(s.failureReasons).toEqual({ timeout_not_in_bin: 1 });
    expect(s.edgeCases.phone).toEqual({ episodes: 2, successes: 1, success: 0.5 });
    expect(s.edgeCases.none.episodes).toBe(1);
    const j = JSON.parse(jsonSummary(r));
    expect(Object.keys(j)).toEqual(['suites', 'overall']);
    expect(j.suites['stack/arm6']).toEqual({ episodes: 1, success: 1, ci95: r.suites['stack/arm6'].ci95 });
    expect(j.overall.episodes).toBe(4);
  });
  it('writes JSON, HTML and PNG plots', () => {
    const dir = mkdtempSync(join(tmpdir(), 'robofm-eval-'));
    const r = buildReport([ep('pick_place', true), ep('pick_place', false)], {
      policy: 'expert',
      seedStart: 0,
      episodesPerSuite: 2,
      wallSeconds: 1,
    });
    writeReport(r, dir);
    for (const f of [
      'report.json',
      'report.html',
      'success.png',
      'time-to-success.png',
      'failures.png',
      'edge-cases.png',
    ])
      expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'success.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('pick_place/arm6');
  });
  it('parses --suite and names bad values', () => {
    expect(parseSuite('pick_place/arm6')).toEqual([{ task: 'pick_place', embodiment: 'arm6' }]);
    expect(parseSuite('handover')).toEqual([{ task: 'handover', embodiment: 'bimanual' }]);
    expect(parseSuite('all').length).toBeGreaterThan(10);
    expect(() => parseSuite('pick_place/bimanual')).toThrow(/--suite/);
    expect(() => parseSuite('juggle')).toThrow(/--suite/);
  });
});
