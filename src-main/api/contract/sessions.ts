/**
 * Sessions domain: which source the desk runs on (demo, live Deribit, a recorded session), recording, replay
 * control, the session library and the import jobs that fill it.
 */
import type { DeskStatus, JobStatus, SessionSummary } from '../dto';
import { v, type Infer } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

const empty = v.object({});
/** The smallest journal limit: a few minutes of a busy live market. */
export const JOURNAL_MIN_BYTES = 16 * 2 ** 20;
const sessionName = v.string({ maxLength: 120, pattern: /^[\w .:@()+-]+$/ });
const sessionId = v.number({ integer: true, min: 1 });
const epochMs = v.number({ integer: true, min: 0 });
const speed = v.union([v.literal('max'), v.number({ min: 0.01, max: 10_000 })], 'max or a number from 0.01 to 10000');

/** Which market data the engine runs on: the fields that kind needs, nothing else. */
export const sourceSpec = v.variant('kind', [
  { kind: v.literal('demo'), seed: v.optional(v.number({ integer: true, min: 0, max: 2 ** 31 - 1 })) },
  { kind: v.literal('deribit'), network: v.literal('mainnet', 'testnet') },
  { kind: v.literal('replay'), session: sessionName, speed, fromMs: v.optional(epochMs), toMs: v.optional(epochMs) },
]);
/** The one definition of a source spec (dto.ts re-exports it for DeskStatus). */
export type SourceSpec = Infer<typeof sourceSpec>;

export const sessionsCommands = {
  'desk.status': { params: empty, result: typed<DeskStatus>() },
  /** `origin`: the window asking (shown to the other windows, which share the one source). */
  'source.set': { params: v.object({ source: sourceSpec, origin: v.optional(v.string({ maxLength: 40, pattern: /^[\w -]+$/ })) }), result: typed<DeskStatus>() },
  'record.start': { params: v.object({ session: sessionName }), result: typed<DeskStatus>() },
  'record.stop': { params: empty, result: typed<DeskStatus>() },
  'replay.control': {
    params: v.object({ action: v.literal('pause', 'resume', 'speed', 'seek'), speed: v.optional(speed), toMs: v.optional(epochMs) }),
    result: typed<DeskStatus>(),
  },
  'sessions.list': { params: empty, result: typed<SessionSummary[]>() },
  'sessions.rename': { params: v.object({ id: sessionId, name: sessionName }), result: typed<SessionSummary>() },
  'sessions.delete': { params: v.object({ id: sessionId }), result: typed<SessionSummary[]>() },
  'import.tardis': {
    params: v.object({ paths: v.array(v.string({ maxLength: 4096 }), { minLength: 1, maxLength: 100 }), session: sessionName }),
    result: typed<JobStatus>(),
  },
  'jobs.cancel': { params: v.object({ id: v.number({ integer: true, min: 1 }) }), result: typed<JobStatus>() },
  /** The journal's size limit in bytes (16 MiB to 1 TiB); what no longer fits rolls off at once. Saved. */
  'journal.setLimit': { params: v.object({ maxBytes: v.number({ integer: true, min: JOURNAL_MIN_BYTES, max: 2 ** 40 }) }), result: typed<DeskStatus>() },
} as const satisfies CommandTable;

export const sessionsTopics = {
  desk: { params: empty, payload: typed<DeskStatus>() },
  sessions: { params: empty, payload: typed<SessionSummary[]>() },
  jobs: { params: empty, payload: typed<JobStatus[]>() },
} as const satisfies TopicTable;
