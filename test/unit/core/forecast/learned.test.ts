/**
 * The learned forecaster can win, and the live-model rule then picks it: on a simulated market whose implied vol
 * knows the coming month's volatility regime (a seeded log-AR(1) volatility that switches every 30 days, the
 * implied vol = the next regime's vol plus noise), boosted trees with the implied-vol feature must beat HAR at
 * 30 days with a Diebold-Mariano p-value below 0.05, and be chosen; HAR, which sees only the past, cannot. Without
 * the implied vol the same trees have no such edge. The training span ends before the evaluation span.
 */
import { describe, expect, it } from 'vitest';
import { type DailyHistory, fitLearned, learnedPredict } from '../../../../src-main/core/forecast/models';
import { evaluateOutOfSample } from '../../../../src-main/core/forecast/outOfSample';
import { Rng } from '../../../../src-main/core/random';

function simulatedMarket(seed: number, days: number): DailyHistory {
  const rng = new Rng(seed);
  const regimeVol: number[] = [];
  let logVol = Math.log(0.6);
  for (let k = 0; k <= days / 30 + 2; k++) {
    regimeVol.push(Math.exp(logVol));
    logVol = Math.log(0.6) + 0.3 * (logVol - Math.log(0.6)) + 0.45 * rng.nextNormal();
  }
  const dayMs: number[] = [];
  const variance: number[] = [];
  const dailyReturn: number[] = [];
  const impliedVol: number[] = [];
  for (let t = 0; t < days; t++) {
    const sigma = regimeVol[Math.floor(t / 30)]! / Math.sqrt(365);
    // An intraday-like RV: 24 squared hourly returns.
    let rv = 0;
    let r = 0;
    for (let h = 0; h < 24; h++) {
      const x = (sigma / Math.sqrt(24)) * rng.nextNormal();
      rv += x * x;
      r += x;
    }
    dayMs.push(Date.UTC(2020, 0, 1) + t * 86_400_000);
    variance.push(rv);
    dailyReturn.push(r);
    // The implied vol prices the vol of the next 30 days: the rest of this regime and the start of the next.
    const left = 30 - (t % 30);
    const now = regimeVol[Math.floor(t / 30)]!;
    const next = regimeVol[Math.floor(t / 30) + 1]!;
    impliedVol.push(Math.sqrt((left * now * now + (30 - left) * next * next) / 30) * Math.exp(0.03 * rng.nextNormal()));
  }
  return { dayMs, variance, dailyReturn, impliedVol };
}

describe('learned forecaster on a market whose implied vol is informative', () => {
  const history = simulatedMarket(31, 2400);
  const firstDay = 1600;

  it('beats HAR significantly at 30 days and is chosen as the live model there', () => {
    const report = evaluateOutOfSample(history, { horizons: [30], firstDay, models: ['har', 'learned'] }, new Rng(2026));
    const learned = report.scores.find((s) => s.model === 'learned')!;
    const har = report.scores.find((s) => s.model === 'har')!;
    expect(learned.qlike!).toBeLessThan(har.qlike! * 0.7);
    expect(learned.versusHar!.pValue!).toBeLessThan(0.05);
    expect(report.live[0]).toMatchObject({ horizonDays: 30, live: 'learned' });
  });

  it('without the implied vol it has no significant edge over HAR, and HAR stays live', () => {
    const { impliedVol: _dropped, ...withoutIv } = history;
    const report = evaluateOutOfSample(withoutIv, { horizons: [30], firstDay, models: ['har', 'learned'] }, new Rng(2026));
    expect(report.live[0]!.live).toBe('har');
  });

  it('training never sees the evaluation span: changing data after it does not change the model', () => {
    const changed: DailyHistory = { ...history, variance: history.variance.map((v, t) => (t > firstDay ? v * 4 : v)) };
    const a = fitLearned(history, 30, firstDay, new Rng(7));
    const b = fitLearned(changed, 30, firstDay, new Rng(7));
    expect(b.model).toEqual(a.model);
    expect(learnedPredict(a, history, firstDay)).toBe(learnedPredict(b, changed, firstDay));
  });
});

describe('learned forecaster: implied vol only when the training span has it', () => {
  it('ignores an implied-vol series that starts after the training span', () => {
    const history = simulatedMarket(32, 1200);
    const late = history.impliedVol!.map((v, t) => (t >= 900 ? v : null));
    const fit = fitLearned({ ...history, impliedVol: late }, 7, 800, new Rng(1));
    expect(fit.withImpliedVol).toBe(false);
    expect(fit.model.featureNames).not.toContain('log_iv_variance');
    expect(fitLearned(history, 7, 800, new Rng(1)).withImpliedVol).toBe(true);
  });
});
