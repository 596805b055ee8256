import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/random';
import { bandBar, budgetText, clearlyLowest, defaultModelName, gateLineText, metricAt, metricText, overlayHistograms, pnlUnit, progressPercent, significant, withError } from '../../../src-renderer/lib/models';

describe('estimates with their standard error', () => {
  it('prints the value to the decimal place of the error’s second significant digit', () => {
    // Inputs: README "Learned hedging", `gammadesk evaluate --benchmark B1 --policy b1-ntb.json --format json`.
    expect(withError({ value: 4.131536780244423, standardError: 0.004164376193134616 })).toBe('4.1315 ± 0.0042');
    expect(withError({ value: 6.312161860155272, standardError: 0.01601416578269439 })).toBe('6.312 ± 0.016');
    expect(withError({ value: -3.694629714189091, standardError: 0.0028545645422227346 })).toBe('-3.6946 ± 0.0029');
    // A large error drops the decimals entirely.
    expect(withError({ value: 1234.56, standardError: 27.3 })).toBe('1235 ± 27');
  });

  it('shows the value alone when there is no error, and a dash when there is no value', () => {
    expect(withError({ value: 0.02287151, standardError: 0 })).toBe('0.022872');
    expect(withError({ value: 2, standardError: Number.NaN })).toBe('2.0000');
    expect(withError(null)).toBe('–');
    expect(withError({ value: Number.NaN, standardError: 0.1 })).toBe('–');
  });
});

describe('overlaid P&L histograms', () => {
  const standardNormalPdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

  it('turns bin counts into a density that matches the distribution sampled (standard normal)', () => {
    const rng = new Rng(7);
    const paths = 200_000;
    const edges = Array.from({ length: 33 }, (_, i) => -4 + i * 0.25);
    const counts = new Array<number>(32).fill(0);
    for (let i = 0; i < paths; i++) {
      const bin = Math.floor((rng.nextNormal() + 4) / 0.25);
      if (bin >= 0 && bin < 32) counts[bin]!++;
    }
    const overlay = overlayHistograms([{ name: 'normal', edges, counts, paths }])!;
    expect(overlay.referenceWidth).toBeCloseTo(0.25, 15);
    const outline = overlay.outlines[0]!;
    // Each bin: percent of paths per 0.25 ≈ 100 × 0.25 × φ(mid) (mid-point rule; the error of the rule and of
    // Monte Carlo at 200k paths are both below 0.12 percentage points here).
    for (let i = 0; i < 32; i++) {
      const height = outline.points[1 + 2 * i]!.y;
      expect(Math.abs(height - 100 * 0.25 * standardNormalPdf(-4 + (i + 0.5) * 0.25))).toBeLessThan(0.12);
    }
    // P(|Z| > 4) = 6.3e-5: nearly every path is inside the edges.
    expect(outline.shownPercent).toBeGreaterThan(99.98);
    expect(outline.shownPercent).toBeLessThanOrEqual(100);
  });

  it('keeps area equal to the share of paths inside the edges, whatever the bin widths', () => {
    const coarse = { name: 'coarse', edges: [-2, 0, 2], counts: [30, 50], paths: 100 };
    const fine = { name: 'fine', edges: [-1, -0.5, 0, 0.5, 1], counts: [10, 20, 20, 10], paths: 80 };
    const overlay = overlayHistograms([coarse, fine])!;
    expect(overlay.referenceWidth).toBe(0.5);
    expect([overlay.xMin, overlay.xMax]).toEqual([-2, 2]);
    for (const outline of overlay.outlines) {
      let area = 0;
      for (let i = 1; i + 1 < outline.points.length; i += 2) area += outline.points[i]!.y * (outline.points[i + 1]!.x - outline.points[i]!.x);
      expect(area / overlay.referenceWidth).toBeCloseTo(outline.shownPercent, 12);
    }
    // A 2-wide bin holding 30 % of the paths is 7.5 % per 0.5 of P&L; the fine histogram's 20 of 80 paths are 25 %.
    expect(overlay.outlines[0]!.points[1]!.y).toBeCloseTo(7.5, 12);
    expect(overlay.outlines[1]!.points[3]!.y).toBeCloseTo(25, 12);
    expect(overlay.yMax).toBeCloseTo(25, 12);
    expect(overlay.outlines[0]!.shownPercent).toBe(80);
  });

  it('draws a closed step line from zero to zero', () => {
    const overlay = overlayHistograms([{ name: 'one', edges: [0, 1, 2], counts: [1, 3], paths: 4 }])!;
    expect(overlay.outlines[0]!.points).toEqual([
      { x: 0, y: 0 }, { x: 0, y: 25 }, { x: 1, y: 25 }, { x: 1, y: 75 }, { x: 2, y: 75 }, { x: 2, y: 0 },
    ]);
  });

  it('names the histogram and the field when the bins are malformed, and has nothing to draw without bins', () => {
    expect(() => overlayHistograms([{ name: 'ww', edges: [0, 1], counts: [1, 2], paths: 3 }])).toThrow('histogram ww: 2 edges for 2 bins (needs 3)');
    expect(() => overlayHistograms([{ name: 'ntb', edges: [0, 1, 1], counts: [1, 2], paths: 3 }])).toThrow('edges must increase, edge 2 is 1 after 1');
    expect(() => overlayHistograms([{ name: 'none', edges: [0, 1], counts: [-1], paths: 3 }])).toThrow('bin 0 has count -1');
    expect(() => overlayHistograms([{ name: 'none', edges: [0, 1], counts: [1], paths: 0 }])).toThrow('paths must be positive');
    expect(overlayHistograms([])).toBeNull();
    expect(overlayHistograms([{ name: 'empty', edges: [0], counts: [], paths: 10 }])).toBeNull();
  });
});

describe('the band bar of a learned proposal', () => {
  it('places the band, the delta and the hedge in order, and keeps a hedge inside the band', () => {
    const bar = bandBar({ lower: 0.4, upper: 0.6, deltaHedge: 0.52, current: 0.45 });
    expect(bar.lowerPercent).toBeLessThan(bar.currentPercent);
    expect(bar.currentPercent).toBeLessThan(bar.deltaPercent);
    expect(bar.deltaPercent).toBeLessThan(bar.upperPercent);
    expect(bar.lowerPercent).toBeGreaterThan(0);
    expect(bar.upperPercent).toBeLessThan(100);
    expect(bar.where).toBe('inside');
    expect(bar.target).toBe(0.45);
    // The 15 % room each side: span 0.2 → 0.03.
    expect(bar.min).toBeCloseTo(0.37, 12);
    expect(bar.max).toBeCloseTo(0.63, 12);
  });

  it('trades a hedge outside the band to the nearest edge (the no-transaction-band rule)', () => {
    const below = bandBar({ lower: -12.5, upper: -8, deltaHedge: -10, current: -20 });
    expect(below.where).toBe('below');
    expect(below.target).toBe(-12.5);
    expect(below.currentPercent).toBeGreaterThan(0);
    const above = bandBar({ lower: 1, upper: 2, deltaHedge: 1.5, current: 5 });
    expect(above.where).toBe('above');
    expect(above.target).toBe(2);
    expect(above.currentPercent).toBeLessThan(100);
  });

  it('still draws a bar when the band has no width and everything coincides', () => {
    const bar = bandBar({ lower: 0, upper: 0, deltaHedge: 0, current: 0 });
    expect(bar.max).toBeGreaterThan(bar.min);
    expect(bar.currentPercent).toBeCloseTo(50, 12);
  });

  it('refuses a band upside down or a missing number, naming it', () => {
    expect(() => bandBar({ lower: 1, upper: 0, deltaHedge: 0.5, current: 0.5 })).toThrow('lower edge 1 is above the upper edge 0');
    expect(() => bandBar({ lower: 0, upper: 1, deltaHedge: Number.NaN, current: 0.5 })).toThrow('deltaHedge is NaN');
  });
});

describe('training budget and progress', () => {
  it('words a budget and clamps the progress bar', () => {
    expect(budgetText(45)).toBe('45s');
    expect(budgetText(180)).toBe('3m');
    expect(budgetText(150)).toBe('2m 30s');
    expect(progressPercent(0.25)).toBe(25);
    expect(progressPercent(1.2)).toBe(100);
    expect(progressPercent(Number.NaN)).toBe(0);
    expect(progressPercent(null)).toBe(0);
    // Before the first validation the best risk is +Infinity, which arrives over JSON as null.
    expect(significant(null)).toBe('–');
    expect(significant(Number.POSITIVE_INFINITY)).toBe('–');
    expect(significant(4.138727063089171)).toBe('4.1387');
  });
});

describe('stored model metrics', () => {
  // Shaped as app/modelsService.ts stores them (metrics.test, metrics.gate, metrics.bestValidationEntropicRisk).
  const metrics = {
    bestValidationEntropicRisk: 4.138727063089171,
    steps: 40,
    test: { indifferencePrice: { value: 4.00375, standardError: 0.0046 } },
    gate: { difference: { value: -0.357242, standardError: 0.006 }, passed: true },
  };

  it('reads an estimate or a number by its dotted path, and nothing else', () => {
    expect(metricAt(metrics, 'test.indifferencePrice')).toEqual({ value: 4.00375, standardError: 0.0046 });
    expect(metricAt(metrics, 'steps')).toBe(40);
    expect(metricAt(metrics, 'gate.passed')).toBeNull();
    expect(metricAt(metrics, 'test.expectedShortfall99')).toBeNull();
    expect(metricAt(metrics, 'steps.value')).toBeNull();
    expect(metricAt({ x: Number.NaN }, 'x')).toBeNull();
  });

  it('prints them for the table', () => {
    expect(metricText(metrics, 'bestValidationEntropicRisk')).toBe('4.1387');
    expect(metricText(metrics, 'test.indifferencePrice')).toBe('4.0038 ± 0.0046');
    expect(metricText(metrics, 'gate.difference')).toBe('-0.3572 ± 0.0060');
    expect(metricText(metrics, 'missing')).toBe('–');
  });

  it('names the P&L unit by the problem’s spot and a model after what it was trained on', () => {
    expect(pnlUnit({ s0: 100 })).toBe('price units (S0 = 100)');
    expect(pnlUnit({ s0: 1 })).toBe('fractions of S0');
    expect(pnlUnit(null)).toBe('price units');
    expect(defaultModelName('ntb', 'B1', 7, Date.UTC(2026, 11, 6, 0, 42, 5))).toBe('ntb B1 seed 7 00:42:05');
  });
});

describe('a gate line', () => {
  it('names the criterion, prints the paired difference to its error with a true minus, and the verdict', () => {
    // The example line (issue 14 item 5): "ES 99 %: −0.21 ± 0.04 vs WW, passed".
    expect(gateLineText({ criterionLabel: 'ES 99 %', difference: { value: -0.2134, standardError: 0.041 }, passed: true })).toBe('ES 99 %: −0.213 ± 0.041 vs WW, passed');
    expect(gateLineText({ criterionLabel: 'entropic λ 1', difference: { value: 0.05, standardError: 0.02 }, passed: false })).toBe('entropic λ 1: 0.050 ± 0.020 vs WW, not passed');
  });
});

describe('the best policy of a comparison column', () => {
  // Rows from the e2e comparison on 20,000 Heston paths (README "Models view"): ES 99 % of the B1 model, the
  // Whalley–Wilmott band and Black-Scholes delta.
  const rows = [
    { policy: 'model:1', es: { value: 6.716, standardError: 0.056 } },
    { policy: 'ww', es: { value: 7.03, standardError: 0.077 } },
    { policy: 'bs-delta', es: { value: 9.97, standardError: 0.068 } },
  ];

  it('marks the lowest when the runner-up is more than their combined standard error behind', () => {
    // 7.030 − 6.716 = 0.314 > √(0.056² + 0.077²) = 0.095.
    expect(clearlyLowest(rows, 'es')).toBe('model:1');
  });

  it('marks nothing when the two lowest are within it, or there are no rows', () => {
    const close = [{ policy: 'a', es: { value: 4.12, standardError: 0.018 } }, { policy: 'b', es: { value: 4.13, standardError: 0.12 } }];
    expect(clearlyLowest(close, 'es')).toBeNull();
    expect(clearlyLowest([], 'es')).toBeNull();
    expect(clearlyLowest([rows[1]!], 'es')).toBe('ww');
  });
});
