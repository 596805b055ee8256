/**
 * The one contract every streaming volatility estimator meets (trading-signals' shared indicator test): warm-up,
 * add/replace, validation without side effects, determinism. Inputs: a seeded geometric Brownian path (closes) and
 * OHLC bars built from 60 sub-steps of the same process.
 */
import { describe, expect, it } from 'vitest';
import {
  EwmaVolatility, GarmanKlassVolatility, type OhlcBar, ParkinsonVolatility, RealizedVolatility, type StreamingVolEstimator,
} from '../../../../src-main/core/forecast/estimators';
import { NormalizedEwmaVolatility } from '../../../../src-main/core/forecast/liveRealized';
import { gbmBars, gbmCloses } from './simulated';

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface Case<Input> {
  name: string;
  make: () => StreamingVolEstimator<Input>;
  inputs: Input[];
  bad: { input: Input; field: RegExp }[];
}

const closes = gbmCloses(1, 400, 0.6, MINUTE);
const bars = gbmBars(2, 200, 0.6, HOUR);
const badPrices = [
  { input: Number.NaN, field: /price must be a positive finite price, got NaN/ },
  { input: -1, field: /price must be a positive finite price, got -1/ },
  { input: Infinity, field: /price/ },
];
const badBars = [
  { input: { open: 100, high: Number.NaN, low: 99, close: 100 }, field: /high must be a positive finite price, got NaN/ },
  { input: { open: 100, high: 99, low: 98, close: 100 }, field: /high 99 is below/ },
  { input: { open: 100, high: 102, low: 101, close: 100.5 }, field: /low 101 is above/ },
  { input: { open: 0, high: 102, low: 99, close: 100 }, field: /open must be a positive finite price, got 0/ },
];

const cases: Case<number>[] = [
  { name: 'RealizedVolatility (1-minute returns)', make: () => new RealizedVolatility({ returns: 60, samplesPerReturn: 1, intervalMs: MINUTE }), inputs: closes, bad: badPrices },
  { name: 'RealizedVolatility (5-minute returns from 1-minute closes)', make: () => new RealizedVolatility({ returns: 24, samplesPerReturn: 5, intervalMs: MINUTE }), inputs: closes, bad: badPrices },
  { name: 'EwmaVolatility', make: () => new EwmaVolatility({ intervalMs: MINUTE, warmUpReturns: 30 }), inputs: closes, bad: badPrices },
  { name: 'NormalizedEwmaVolatility (live, per-minute RiskMetrics)', make: () => new NormalizedEwmaVolatility({ lambda: 0.94 ** (1 / 1440), intervalMs: MINUTE, warmUpReturns: 30 }), inputs: closes, bad: badPrices },
];
const barCases: Case<OhlcBar>[] = [
  { name: 'ParkinsonVolatility', make: () => new ParkinsonVolatility({ bars: 24, intervalMs: HOUR }), inputs: bars, bad: badBars },
  { name: 'GarmanKlassVolatility', make: () => new GarmanKlassVolatility({ bars: 24, intervalMs: HOUR }), inputs: bars, bad: badBars },
];

function contract<Input>(c: Case<Input>): void {
  describe(`${c.name} meets the streaming-estimator contract`, () => {
    it('is null for warmUpPeriod - 1 inputs, then a finite non-negative vol; add() returns result', () => {
      const estimator = c.make();
      expect(estimator.result).toBeNull();
      c.inputs.forEach((input, i) => {
        const returned = estimator.add(input);
        expect(returned).toBe(estimator.result);
        expect(estimator.count).toBe(i + 1);
        if (i + 1 < estimator.warmUpPeriod) expect(returned).toBeNull();
        else {
          expect(returned).not.toBeNull();
          expect(Number.isFinite(returned) && returned! >= 0).toBe(true);
        }
      });
    });

    it('replace(x) after add(y) equals an estimator that was given x instead of y; count unchanged', () => {
      const n = c.make().warmUpPeriod + 10;
      const replaced = c.make();
      const fresh = c.make();
      for (let i = 0; i < n; i++) {
        replaced.add(c.inputs[i]!);
        // Several replacements of the forming observation: only the last one counts.
        replaced.replace(c.inputs[i + 1]!);
        replaced.replace(c.inputs[i + 2]!);
        fresh.add(c.inputs[i + 2]!);
        expect(replaced.result).toBe(fresh.result);
        expect(replaced.count).toBe(i + 1);
      }
    });

    it('replace() before any add() is a RangeError', () => {
      expect(() => c.make().replace(c.inputs[0]!)).toThrow(RangeError);
    });

    it('bad input is a RangeError naming the field, and changes nothing', () => {
      const estimator = c.make();
      const reference = c.make();
      for (let i = 0; i < estimator.warmUpPeriod + 3; i++) {
        estimator.add(c.inputs[i]!);
        reference.add(c.inputs[i]!);
      }
      for (const { input, field } of c.bad) {
        expect(() => estimator.add(input)).toThrow(field);
        expect(() => estimator.replace(input)).toThrow(field);
        expect(estimator.result).toBe(reference.result);
        expect(estimator.count).toBe(reference.count);
      }
      const next = c.inputs[estimator.warmUpPeriod + 3]!;
      expect(estimator.add(next)).toBe(reference.add(next));
    });

    it('is deterministic: the same inputs give bit-identical results', () => {
      const a = c.make();
      const b = c.make();
      for (const input of c.inputs) expect(a.add(input)).toBe(b.add(input));
    });
  });
}

cases.forEach((c) => contract(c));
barCases.forEach((c) => contract(c));
