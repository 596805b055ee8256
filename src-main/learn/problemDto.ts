/** A hedging problem as the models domain shows it (api/contract/models.ts `ProblemDto`). */
import type { ProblemDto } from '../api/contract/models';
import type { HedgingProblem } from '../core/learn/train';

export function problemDto(problem: HedgingProblem, description: string, calibration: ProblemDto['calibration'] = null): ProblemDto {
  return {
    s0: problem.s0, sigma: problem.sigma, dt: problem.dt, strike: problem.contract.strike, maturityYears: problem.contract.maturity,
    isCall: problem.contract.isCall, cost: problem.cost, lambda: problem.lambda, ...(problem.pathVol !== undefined ? { pathVol: problem.pathVol } : {}), description, calibration,
  };
}
