/**
 * B3's validation split (decision 0035) on synthetic data: the spread split's segments (training and validation
 * alternate inside the training side's span, disjoint, covering it), and joining the histories of segments into
 * one the bootstrap draws from, where every anchor's window stays inside its own segment's returns.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import {
  anchoredBootstrapPaths, B3_PERIODS, B3_SPREAD_SPLIT, b3Problem, b3SplitSegments, buildAnchoredHistory, joinAnchoredHistories,
} from '../../../../src-main/core/learn/b3';
import { hourlySeries } from '../../../helpers/hourlySeries';

const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('b3SplitSegments', () => {
  it('tail is the fixed periods of decision 0023', () => {
    expect(b3SplitSegments('tail')).toEqual({ train: [B3_PERIODS.train], validation: [B3_PERIODS.validation] });
  });

  it('spread alternates training and validation over 2018-05-15..2021-01-01: disjoint, in order, covering the span', () => {
    const { train, validation } = b3SplitSegments('spread');
    const all = [...train.map((s) => ({ ...s, kind: 'train' })), ...validation.map((s) => ({ ...s, kind: 'validation' }))].sort((a, b) => a.from - b.from);
    // Covering the span without a gap or an overlap: each segment starts where the previous ended.
    expect(all[0]!.from).toBe(B3_PERIODS.train.from);
    expect(all[all.length - 1]!.to).toBe(B3_PERIODS.validation.to);
    for (let i = 1; i < all.length; i++) expect(all[i]!.from).toBe(all[i - 1]!.to);
    // Never a day of the test period.
    for (const s of all) expect(s.to).toBeLessThanOrEqual(B3_PERIODS.test.from);
    // Every full validation segment is the last validationDays of a cycle of cycleDays.
    const { cycleDays, validationDays } = B3_SPREAD_SPLIT;
    for (const v of validation) {
      const cycleStart = B3_PERIODS.train.from + Math.floor((v.from - B3_PERIODS.train.from) / (cycleDays * DAY)) * cycleDays * DAY;
      expect(v.from - cycleStart).toBe((cycleDays - validationDays) * DAY);
      expect(v.to - v.from).toBeLessThanOrEqual(validationDays * DAY);
    }
    // Spread over the whole span: a validation segment in each of 2018, 2019 and 2020.
    const years = new Set(validation.map((v) => new Date(v.from).getUTCFullYear()));
    expect([...years].sort()).toEqual([2018, 2019, 2020]);
    expect(all.filter((s) => s.kind === 'validation').length).toBe(validation.length);
  });

  it('refuses a split without room for training or validation', () => {
    expect(() => b3SplitSegments('spread', undefined, { cycleDays: 60, validationDays: 60 })).toThrow(/validation days < cycle days/);
    expect(() => b3SplitSegments('spread', undefined, { cycleDays: 60, validationDays: 0 })).toThrow(/validation days < cycle days/);
    expect(() => b3SplitSegments('spread', { from: 5, to: 5 })).toThrow(/span is empty/);
    expect(() => b3SplitSegments('tail', { from: 0, to: 5 })).toThrow(/fixed periods/);
  });
});

describe('joinAnchoredHistories', () => {
  const start = Date.parse('2019-01-01T00:00:00Z');
  const data = hourlySeries(start, 400, 0.01, 7);
  const span = { from: start, to: start + 400 * DAY };
  const { train, validation } = b3SplitSegments('spread', span, { cycleDays: 100, validationDays: 40 });
  // A vol for every day, so that no day lacks one (the first 30 days have no trailing realized vol).
  const dvol = new Map(Array.from({ length: 400 }, (_, d) => [start + d * DAY, 0.5] as [number, number]));
  const build = (spans: typeof train): ReturnType<typeof joinAnchoredHistories> => joinAnchoredHistories(spans.map((s) => buildAnchoredHistory(data, dvol, s)));
  const trainHistory = build(train);
  const validationHistory = build(validation);

  it('keeps every anchor of every segment, each window inside its segment and starting at its anchor', () => {
    for (const [spans, joined] of [[train, trainHistory], [validation, validationHistory]] as const) {
      // A segment of d days anchors the d - 29 days whose 30-day window fits (no gaps in this series).
      expect(joined.anchorStart.length).toBe(spans.reduce((n, s) => n + Math.max(0, (s.to - s.from) / DAY - 29), 0));
      for (let a = 0; a < joined.anchorStart.length; a++) {
        const first = joined.returnTime[joined.anchorStart[a]!]!;
        const last = joined.returnTime[joined.anchorStart[a]! + joined.windowLength - 1]! + HOUR;
        expect(first).toBe(joined.anchorTime[a]);
        expect(last - first).toBe(joined.windowLength * HOUR);
        const segment = spans.find((s) => s.from <= first && first < s.to)!;
        expect(last).toBeLessThanOrEqual(segment.to);
      }
    }
  });

  it('never shares an hourly return between a training window and a validation window', () => {
    const used = (h: typeof trainHistory): Set<number> => {
      const hours = new Set<number>();
      for (const a of h.anchorStart) for (let j = 0; j < h.windowLength; j++) hours.add(h.returnTime[a + j]!);
      return hours;
    };
    const validationHours = used(validationHistory);
    expect(validationHours.size).toBeGreaterThan(0);
    for (const hour of used(trainHistory)) expect(validationHours.has(hour)).toBe(false);
  });

  it('draws bootstrap paths from the joined history: each step a return of the drawn anchor\'s own window', () => {
    const problem = b3Problem(7);
    const set = anchoredBootstrapPaths(validationHistory, problem, 50, new Rng(3), { martingale: false });
    for (let i = 0; i < 50; i++) {
      const a = set.anchor[i]!;
      const window = Array.from(validationHistory.logReturns.subarray(validationHistory.anchorStart[a]!, validationHistory.anchorStart[a]! + validationHistory.windowLength));
      for (let k = 0; k < set.paths.steps; k++) {
        const r = Math.log(set.paths.spot[(k + 1) * 50 + i]! / set.paths.spot[k * 50 + i]!);
        expect(window.some((x) => Math.abs(x - r) < 1e-12)).toBe(true);
      }
    }
  });

  it('refuses overlapping histories and histories of different windows', () => {
    const a = buildAnchoredHistory(data, new Map(), { from: start, to: start + 100 * DAY });
    const b = buildAnchoredHistory(data, new Map(), { from: start + 50 * DAY, to: start + 150 * DAY });
    expect(() => joinAnchoredHistories([a, b])).toThrow(/overlap/);
    const c = buildAnchoredHistory(data, new Map(), { from: start + 100 * DAY, to: start + 150 * DAY }, { windowHours: 240 });
    expect(() => joinAnchoredHistories([a, c])).toThrow(/windows of 720 and 240/);
    expect(() => joinAnchoredHistories([])).toThrow(/no histories/);
  });
});
