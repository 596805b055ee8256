/**
 * The whole app on a manual clock: the demo market, the kernel's schedules, the journal's batch commits and the
 * replay pacing all run on one `ManualTimers`, which the test steps. Between steps the pool's work is awaited, so
 * a test waits for conditions by stepping market time, never by sleeping.
 */
import { GammaDeskApp, type GammaDeskOptions } from '../../src-main/app/app';
import { ManualTimers } from './fakeTimers';
import { TSX_WORKER } from './worker';

/** A fixed market start (not today's date): the demo market's expiries follow from it. */
export const STEPPED_START_MS = Date.UTC(2026, 10, 21, 11, 59, 0);

export interface SteppedApp {
  app: GammaDeskApp;
  timers: ManualTimers;
  /** Advances the clock by `ms` in steps of `stepMs`, letting pool work finish after each step. */
  step(ms: number, stepMs?: number): Promise<void>;
  /** Steps until `read` returns a value (not null/undefined), failing after `limitMs` of market time. */
  until<T>(read: () => T | null | undefined, limitMs?: number): Promise<T>;
}

export function startSteppedApp(options: Omit<GammaDeskOptions, 'mode' | 'worker' | 'feedClock' | 'scheduler'>, timers = new ManualTimers()): SteppedApp {
  if (timers.nowMs === 0) timers.nowMs = STEPPED_START_MS;
  const app = GammaDeskApp.start({ mode: 'in-process', worker: TSX_WORKER, feedClock: timers, scheduler: timers, ...options });
  const step = async (ms: number, stepMs = 50): Promise<void> => {
    for (let t = 0; t < ms; t += stepMs) {
      timers.advance(stepMs);
      await app.kernel.settled();
      await app.risk.settled();
    }
  };
  const until = async <T>(read: () => T | null | undefined, limitMs = 20_000): Promise<T> => {
    for (let elapsed = 0; ; elapsed += 50) {
      const value = read();
      if (value !== null && value !== undefined) return value;
      if (elapsed > limitMs) throw new Error(`condition not met within ${limitMs} ms of market time`);
      await step(50);
    }
  };
  return { app, timers, step, until };
}
