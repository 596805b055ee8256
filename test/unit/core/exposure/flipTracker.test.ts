import { describe, expect, it } from 'vitest';
import { FlipTracker } from '../../../../src-main/core/exposure/flipTracker';

// Threshold 0.25 % of spot: 250 USD at spot 100 000.
describe('FlipTracker hysteresis', () => {
  it('reports the nearest crossing first, holds it through tiny moves, follows a big one', () => {
    const tracker = new FlipTracker({ thresholdFraction: 0.0025 });
    expect(tracker.levelUsd).toBeNull();
    expect(tracker.update([96_000, 110_000], 100_000)).toBe(96_000);
    expect(tracker.update([96_100], 100_010)).toBe(96_000); // moved 100 < 250: held
    expect(tracker.update([95_820], 99_990)).toBe(96_000); // 180 from the reported level: still held
    expect(tracker.update([95_700], 100_000)).toBe(95_700); // 300 > 250: follows
    expect(tracker.levelUsd).toBe(95_700);
  });

  it('drops the flip when it disappears and picks up a new one', () => {
    const tracker = new FlipTracker({ thresholdFraction: 0.0025 }, 96_000);
    expect(tracker.update([], 100_000)).toBeNull();
    expect(tracker.update([Number.NaN], 100_000)).toBeNull();
    expect(tracker.update([103_000], 100_000)).toBe(103_000);
  });

  it('keeps the old crossing while it exists unless another one is clearly nearer to spot', () => {
    const tracker = new FlipTracker({ thresholdFraction: 0.0025 });
    expect(tracker.update([98_000, 102_100], 100_000)).toBe(98_000);
    // Spot drifts up: 102 100 becomes nearer (1990 vs 2010 away) but not by more than the threshold: hold.
    expect(tracker.update([98_000, 102_100], 100_110)).toBe(98_000);
    // Spot well up: the other crossing is nearer by far more than 250: switch.
    expect(tracker.update([98_000, 102_100], 101_000)).toBe(102_100);
  });

  it('with a zero threshold always reports the nearest crossing', () => {
    const tracker = new FlipTracker({ thresholdFraction: 0 });
    expect(tracker.update([99_000], 100_000)).toBe(99_000);
    expect(tracker.update([99_001], 100_000)).toBe(99_001);
    tracker.reset();
    expect(tracker.levelUsd).toBeNull();
  });

  it('rejects a bad spot or threshold', () => {
    expect(() => new FlipTracker({ thresholdFraction: -1 })).toThrow(/threshold/);
    expect(() => new FlipTracker().update([1], 0)).toThrow(/positive spot/);
  });
});
