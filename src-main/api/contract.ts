/**
 * The API contract: every command (request/response) and stream (topic) the UI, the CLI and the tests use.
 * One definition, three transports: Electron IPC (preload), WebSocket (headless host), in-process calls.
 * Each entry names its parameter validator; results and stream payloads are the DTOs in ./dto.
 */
import type {
  AppInfo,
  ChainSnapshot,
  DeskStatus,
  ExpiryListSnapshot,
  ExposureSnapshot,
  FeedStatus,
  HeaderSnapshot,
  JobStatus,
  PositionDto,
  SessionSummary,
  SourceSpec,
} from './dto';
import { v, type Validator } from './validate';

const currency = v.literal('BTC', 'ETH');
/** Deribit expiry codes: `1JAN26`, `27DEC26`. */
const expiryLabel = v.string({ maxLength: 8, pattern: /^[0-9]{1,2}[A-Z]{3}[0-9]{2}$/ });
const empty = v.object({});
const sessionName = v.string({ maxLength: 120, pattern: /^[\w .:@()+-]+$/ });
const sessionId = v.number({ integer: true, min: 1 });
const speed: Validator<number | 'max'> = (value, path) =>
  value === 'max' ? 'max' : v.number({ min: 0.01, max: 10_000 })(value, path);
const epochMs = v.number({ integer: true, min: 0 });

/** A source spec: the fields that kind needs, nothing else. */
const sourceSpec: Validator<SourceSpec> = (value, path) => {
  const kind = v.literal('demo', 'deribit', 'replay')((value as { kind?: unknown } | null)?.kind, `${path}.kind`);
  if (kind === 'demo') return v.object({ kind: v.literal('demo'), seed: v.optional(v.number({ integer: true, min: 0, max: 2 ** 31 - 1 })) })(value, path);
  if (kind === 'deribit') return v.object({ kind: v.literal('deribit'), network: v.literal('mainnet', 'testnet') })(value, path);
  return v.object({ kind: v.literal('replay'), session: sessionName, speed, fromMs: v.optional(epochMs), toMs: v.optional(epochMs) })(value, path);
};

export const commandParams = {
  'app.info': empty,
  'feed.status': empty,
  'desk.status': empty,
  'source.set': v.object({ source: sourceSpec }),
  'record.start': v.object({ session: sessionName }),
  'record.stop': empty,
  'sessions.list': empty,
  'sessions.rename': v.object({ id: sessionId, name: sessionName }),
  'sessions.delete': v.object({ id: sessionId }),
  'positions.list': empty,
  'positions.set': v.object({
    positions: v.array(v.object({ instrument: v.string({ maxLength: 64 }), amount: v.number({ min: -1e6, max: 1e6 }) }), { maxLength: 2000 }),
  }),
  'import.tardis': v.object({ paths: v.array(v.string({ maxLength: 4096 }), { minLength: 1, maxLength: 100 }), session: sessionName }),
  'jobs.cancel': v.object({ id: v.number({ integer: true, min: 1 }) }),
  'replay.control': v.object({ action: v.literal('pause', 'resume', 'speed', 'seek'), speed: v.optional(speed), toMs: v.optional(epochMs) }),
} as const satisfies Record<string, Validator<unknown>>;

export interface CommandResults {
  'app.info': AppInfo;
  'feed.status': FeedStatus;
  'desk.status': DeskStatus;
  'source.set': DeskStatus;
  'record.start': DeskStatus;
  'record.stop': DeskStatus;
  'sessions.list': SessionSummary[];
  'sessions.rename': SessionSummary;
  'sessions.delete': SessionSummary[];
  'replay.control': DeskStatus;
  'positions.list': PositionDto[];
  'positions.set': PositionDto[];
  'import.tardis': JobStatus;
  'jobs.cancel': JobStatus;
}

export const topicParams = {
  header: empty,
  expiries: v.object({ currency }),
  chain: v.object({ currency, expiry: expiryLabel }),
  desk: empty,
  sessions: empty,
  jobs: empty,
  exposure: v.object({ currency, convention: v.literal('naive', 'short', 'flow'), dynamics: v.optional(v.literal('stickyStrike', 'stickyMoneyness')) }),
} as const satisfies Record<string, Validator<unknown>>;

export interface TopicPayloads {
  header: HeaderSnapshot;
  expiries: ExpiryListSnapshot;
  chain: ChainSnapshot;
  desk: DeskStatus;
  sessions: SessionSummary[];
  jobs: JobStatus[];
  exposure: ExposureSnapshot;
}

export type CommandName = keyof typeof commandParams & keyof CommandResults;
export type CommandParams<C extends CommandName> = ReturnType<(typeof commandParams)[C]>;
export type TopicName = keyof typeof topicParams & keyof TopicPayloads;
export type TopicParams<T extends TopicName> = ReturnType<(typeof topicParams)[T]>;

export const isCommandName = (name: unknown): name is CommandName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(commandParams, name);
export const isTopicName = (name: unknown): name is TopicName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(topicParams, name);

/** A versioned stream message: `version` increases with every publish of that stream. */
export interface StreamMessage<T> {
  version: number;
  data: T;
}

export type Unsubscribe = () => void;

/** What every transport's client offers: the renderer and the tests code against this. */
export interface ApiClient {
  call<C extends CommandName>(command: C, params: CommandParams<C>): Promise<CommandResults[C]>;
  subscribe<T extends TopicName>(
    topic: T,
    params: TopicParams<T>,
    listener: (message: StreamMessage<TopicPayloads[T]>) => void,
  ): Unsubscribe;
}

/**
 * WebSocket wire protocol (headless host). Client → server: `call` and `subscribe` carry an id chosen by the
 * client; `unsubscribe` names a subscription id. Server → client: `result` / `error` answer a call (or a
 * refused subscription) by id; `event` carries a stream message for a subscription id.
 */
export type ClientFrame =
  | { kind: 'call'; id: number; method: string; params?: unknown }
  | { kind: 'subscribe'; id: number; topic: string; params?: unknown }
  | { kind: 'unsubscribe'; id: number };

export type ServerFrame =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: { code: string; message: string } }
  | { kind: 'event'; id: number; version: number; data: unknown };

export const clientFrame: Validator<ClientFrame> = (value, path) => {
  const kind = v.literal('call', 'subscribe', 'unsubscribe')((value as { kind?: unknown } | null)?.kind, `${path}.kind`);
  const id = v.number({ integer: true, min: 0 });
  if (kind === 'call') return v.object({ kind: v.literal('call'), id, method: v.string(), params: (x) => x })(value, path);
  if (kind === 'subscribe')
    return v.object({ kind: v.literal('subscribe'), id, topic: v.string(), params: (x) => x })(value, path);
  return v.object({ kind: v.literal('unsubscribe'), id })(value, path);
};

/** IPC channel names (Electron). */
export const IPC = {
  call: 'gammadesk:call',
  subscribe: 'gammadesk:subscribe',
  unsubscribe: 'gammadesk:unsubscribe',
  event: 'gammadesk:event',
} as const;
