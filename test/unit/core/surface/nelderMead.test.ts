import { describe, expect, it } from 'vitest';
import { nelderMead } from '../../../../src-main/core/surface/nelderMead';

describe('nelderMead', () => {
  it('finds the minimum of Rosenbrock\'s function at (1, 1) from the classic start (-1.2, 1)', () => {
    // Rosenbrock (1960); start and minimum as in Nelder & Mead (1965) and Lagarias et al. (1998).
    const rosenbrock = (x: readonly number[]): number => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2;
    const result = nelderMead(rosenbrock, [-1.2, 1], { step: [0.5, 0.5], maxIterations: 2000, valueTolerance: 1e-20, pointTolerance: 1e-10 });
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
    expect(result.value).toBeLessThan(1e-12);
  });

  it('never prefers a point outside the domain (Infinity or NaN) and is deterministic', () => {
    // Minimum of (x - 2)^2 + (y + 1)^2 on the half-plane x <= 1: at (1, -1).
    const f = (x: readonly number[]): number => (x[0]! > 1 ? Number.NaN : (x[0]! - 2) ** 2 + (x[1]! + 1) ** 2);
    const a = nelderMead(f, [0, 0], { step: [0.3, 0.3], maxIterations: 500 });
    const b = nelderMead(f, [0, 0], { step: [0.3, 0.3], maxIterations: 500 });
    expect(a).toEqual(b);
    expect(a.x[0]).toBeLessThanOrEqual(1);
    expect(a.x[0]).toBeCloseTo(1, 3);
    expect(a.x[1]).toBeCloseTo(-1, 3);
  });
});
