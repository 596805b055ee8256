/**
 * A recorded session as the models domain's path source (decision 0029): its index read and sampled
 * (learn/sessionReturns.ts), the hedging problem it poses, and the description the API shows. Runs where the read
 * belongs: on the jobs pool for the app (workers/sessionReadTask.ts, so a long session never blocks the main
 * thread), in-process for the CLI. Errors are `SessionReturnsError`s naming what is wrong.
 */
import type { ProblemDto, SessionSourceDto } from '../api/contract/models';
import type { HedgingProblem } from '../core/learn/train';
import type { Db } from '../store/database';
import { problemDto } from './problemDto';
import { readSessionReturns, SessionReturnsError, sessionProblem, sessionSpans, type SessionProblemOptions } from './sessionReturns';

/** What a session source gives: the problem, its description, the model label and the step returns as plain arrays. */
export interface SessionSourceRead {
  problem: HedgingProblem;
  dto: ProblemDto;
  /** `session:ID:BTC`. */
  label: string;
  trainSteps: number[];
  testSteps: number[];
  blockLength: number;
}

const problemOptions = (source: SessionSourceDto): SessionProblemOptions => ({
  ...(source.maturityIntervals !== undefined ? { maturityIntervals: source.maturityIntervals } : {}),
  ...(source.rebalanceIntervals !== undefined ? { rebalanceIntervals: source.rebalanceIntervals } : {}),
  ...(source.cost !== undefined ? { cost: source.cost } : {}),
});

/**
 * What is wrong with a session source's options before anything is read (cheap: the API answers INVALID_ARGUMENT at
 * once), or null. The same rules `sessionProblem` applies after the read.
 */
export function sessionOptionsProblem(source: SessionSourceDto): string | null {
  const m = source.maturityIntervals;
  const r = source.rebalanceIntervals ?? 1;
  if (m !== undefined && !(m >= r && m % r === 0)) return `maturityIntervals must be a positive multiple of rebalanceIntervals (${r}), got ${m}`;
  if (m === undefined && 60 % r !== 0) return `maturityIntervals must be a positive multiple of rebalanceIntervals (${r}), got 60`;
  return null;
}

/** Reads and samples the session (by id, or by `sessionName` for the CLI) and poses its problem. */
export function readSessionSource(db: Db, source: SessionSourceDto, sessionName?: string): SessionSourceRead {
  const data = readSessionReturns(db, sessionName ?? source.sessionId, source.currency, source.intervalSeconds !== undefined ? { intervalMs: source.intervalSeconds * 1000 } : {});
  const steps = sessionProblem(data, problemOptions(source));
  const spans = sessionSpans(data);
  const { problem } = steps;
  const description = `${spans}; ${steps.maturityIntervals}-interval ATM call rebalanced every ${steps.rebalanceIntervals} interval(s), priced at the training part's realized vol ${steps.realizedVol.toFixed(4)}, cost ${(problem.cost * 1e4).toFixed(2)} bp${data.stale > 0 ? `; ${data.stale} grid points repeated the previous index` : ''}`;
  const dto = problemDto(problem, description);
  dto.session = {
    sessionId: data.session.id, sessionName: data.session.name, currency: data.currency, intervalMs: data.intervalMs,
    trainFromMs: data.train.fromMs, trainToMs: data.train.toMs, trainReturns: data.train.returns.length,
    testFromMs: data.test.fromMs, testToMs: data.test.toMs, testReturns: data.test.returns.length, staleSamples: data.stale,
    realizedVol: steps.realizedVol, maturityIntervals: steps.maturityIntervals, rebalanceIntervals: steps.rebalanceIntervals, blockSteps: steps.blockLength, spans,
  };
  return { problem, dto, label: `session:${data.session.id}:${data.currency}`, trainSteps: Array.from(steps.trainSteps), testSteps: Array.from(steps.testSteps), blockLength: steps.blockLength };
}

/** The session source of a model trained on a session, from its stored problem (for a re-gate); null if it was not. */
export function sessionSourceOf(problem: ProblemDto | undefined): SessionSourceDto | null {
  const s = problem?.session;
  if (!s) return null;
  return {
    type: 'session', sessionId: s.sessionId, currency: s.currency, intervalSeconds: s.intervalMs / 1000,
    maturityIntervals: s.maturityIntervals, rebalanceIntervals: s.rebalanceIntervals, cost: problem!.cost,
  };
}

export { SessionReturnsError };
