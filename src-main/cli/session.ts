/** `gammadesk record` and `gammadesk replay`: the engine without a UI, on the demo/live market or a session. */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { SourceSpec } from '../api/dto';
import { GammaDeskApp } from '../app/app';
import { defaultDbPath, deribitUrlOverride } from '../app/paths';
import { startHeadlessReplay } from '../app/headlessReplay';
import { JobsPool } from '../app/jobsPool';
import { parseTardisInPool } from '../app/tardisParseJob';
import { UsageError } from './args';
import type { ReplaySpeed } from '../feeds/recording/replayFeed';
import { openDatabase } from '../store/database';
import { EventLog } from '../store/eventLog';
import { importTardis, type ImportReport } from '../feeds/tardis/tardisImport';
import type { DealerConvention } from '../api/dto';
import { CURRENCIES } from '../core/market/events';
import { buildExposureInput } from '../engine/exposureChain';
import { builtPaths } from './builtPaths';
import { gexReport, type GexReport } from './gex';
import { ProgressBar } from './progress';

function headlessApp(dbPath: string | undefined, source: SourceSpec): GammaDeskApp {
  return GammaDeskApp.start({
    dbPath: dbPath ? resolve(dbPath) : defaultDbPath(),
    mode: 'in-process',
    worker: { filename: builtPaths().worker },
    ...deribitUrlOverride(),
    source,
    publishIntervalMs: 1000,
  });
}

function untilSignal(signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const finish = (): void => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      done();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    signal?.addEventListener('abort', finish, { once: true });
  });
}

export interface RecordOptions {
  source: 'demo' | 'deribit' | 'deribit-testnet';
  session: string;
  durationMs?: number;
  dbPath?: string;
  seed?: number;
}

export async function recordSession(options: RecordOptions): Promise<{ events: number; sizeBytes: number; session: string }> {
  const spec: SourceSpec =
    options.source === 'demo'
      ? { kind: 'demo', ...(options.seed !== undefined ? { seed: options.seed } : {}) }
      : { kind: 'deribit', network: options.source === 'deribit-testnet' ? 'testnet' : 'mainnet' };
  const app = headlessApp(options.dbPath, spec);
  try {
    app.startRecording(options.session);
    const started = Date.now();
    const bar = new ProgressBar(`recording ${options.session}`);
    let lastError: string | null = null;
    const timer = setInterval(() => {
      const status = app.deskStatus().recording;
      const health = app.feed.health?.();
      if (health?.lastError) lastError = health.lastError;
      const down = app.feed.state() !== 'live' && health?.lastError ? ` · ${app.feed.label} down: ${health.lastError}, retrying` : '';
      const elapsed = Date.now() - started;
      bar.update(options.durationMs ? Math.min(1, elapsed / options.durationMs) : null, `${status?.eventsRecorded ?? 0} events · ${(elapsed / 1000).toFixed(0)} s${down} · Ctrl-C stops`);
    }, 250);
    const stop = new AbortController();
    const limit = options.durationMs ? setTimeout(() => stop.abort(), options.durationMs) : null;
    await untilSignal(stop.signal);
    clearInterval(timer);
    if (limit) clearTimeout(limit);
    app.stopRecording();
    const row = app.log.sessionByName(options.session);
    if (!row) {
      // Nothing arrived (the exchange was never reached): the app keeps no empty session.
      bar.done('nothing recorded');
      throw new Error(`nothing was recorded from ${app.feed.label}${lastError ? ` (${lastError})` : ''}; no session was kept`);
    }
    bar.done(`done: ${row.eventCount} events, ${row.payloadBytes} bytes`);
    return { events: row.eventCount, sizeBytes: row.payloadBytes, session: row.name };
  } finally {
    await app.stop();
  }
}

export interface ReplayReport {
  session: string;
  events: number;
  first_event_ms: number | null;
  last_event_ms: number | null;
  span_seconds: number;
  wall_seconds: number;
  events_per_second: number;
  speed: ReplaySpeed;
  expiries: number;
  /** Stored events the engine refused (core/market/validate.ts, unknown instruments): counted and skipped. */
  events_rejected: number;
  /** Why the last one was refused, or null. */
  last_rejection: string | null;
  final_seq: number;
  /** Exposure streams (currency × convention × vol dynamics) the hash covers besides the chains. */
  exposure_streams: number;
  snapshot_sha256: string;
}

export async function replaySession(options: {
  session: string;
  speed: ReplaySpeed;
  fromMs?: number;
  toMs?: number;
  dbPath?: string;
  quiet?: boolean;
}): Promise<ReplayReport> {
  let replay;
  try {
    replay = startHeadlessReplay({
      dbPath: options.dbPath ? resolve(options.dbPath) : defaultDbPath(),
      session: options.session,
      speed: options.speed,
      ...(options.fromMs !== undefined ? { fromMs: options.fromMs } : {}),
      ...(options.toMs !== undefined ? { toMs: options.toMs } : {}),
      worker: { filename: builtPaths().worker },
    });
  } catch (error) {
    // --from / --to outside the session: a usage error (exit 2), like any other wrong argument.
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  try {
    const { feed, kernel } = replay;
    const started = performance.now();
    const bar = new ProgressBar(`replay ${options.session}`);
    const cancelled = new AbortController();
    const onSignal = (): void => cancelled.abort();
    process.once('SIGINT', onSignal);
    const poll = setInterval(() => {
      const progress = feed.progress();
      const end = options.toMs ?? progress.lastMs;
      const span = Math.max(1, end - progress.windowStartMs);
      if (!options.quiet) bar.update(Math.min(1, Math.max(0, (progress.currentMs - progress.windowStartMs) / span)), `${progress.eventsDelivered} events`);
    }, 50);
    try {
      await Promise.race([
        feed.finished,
        new Promise<never>((_, fail) => cancelled.signal.addEventListener('abort', () => fail(new Error('replay cancelled')), { once: true })),
      ]);
    } finally {
      clearInterval(poll);
      process.off('SIGINT', onSignal);
    }
    // Chains and every exposure stream, recomputed from the final state alone.
    const snapshot = await kernel.analytics();
    const wallSeconds = (performance.now() - started) / 1000;
    const progress = feed.progress();
    if (!options.quiet) bar.done(`done: ${progress.eventsDelivered} events in ${wallSeconds.toFixed(2)} s`);
    return {
      session: options.session,
      events: progress.eventsDelivered,
      first_event_ms: progress.windowStartMs,
      last_event_ms: progress.currentMs,
      span_seconds: (progress.currentMs - progress.windowStartMs) / 1000,
      wall_seconds: Number(wallSeconds.toFixed(3)),
      events_per_second: Math.round(progress.eventsDelivered / wallSeconds),
      speed: options.speed,
      expiries: snapshot.chains.length,
      events_rejected: kernel.engine.eventsRejected,
      last_rejection: kernel.engine.lastRejection,
      final_seq: snapshot.seq,
      exposure_streams: Object.keys(snapshot.exposures).length,
      snapshot_sha256: createHash('sha256').update(JSON.stringify(snapshot)).digest('hex'),
    };
  } finally {
    await replay.close();
  }
}

/** Imports Tardis CSV files into a new session with a progress bar; Ctrl-C cancels and keeps what was read. */
export async function importTardisFiles(options: { files: string[]; session: string; dbPath?: string }): Promise<ImportReport> {
  const db = openDatabase(options.dbPath ? resolve(options.dbPath) : defaultDbPath());
  const log = new EventLog(db);
  // Imports killed mid-way left a staging session nobody can see: remove it, and say so.
  for (const abandoned of log.removeAbandonedStaging()) {
    process.stderr.write(`removed an incomplete import (${abandoned.eventCount} events, started ${new Date(abandoned.createdMs).toISOString()}): its process had ended before it completed\n`);
  }
  const jobsPool = new JobsPool({ filename: builtPaths().jobsWorker });
  const cancel = new AbortController();
  const onSignal = (): void => cancel.abort();
  process.once('SIGINT', onSignal);
  const bar = new ProgressBar(`import ${options.session}`);
  const started = Date.now();
  try {
    const report = await importTardis({
      files: options.files.map((file) => resolve(file)),
      session: options.session,
      log,
      signal: cancel.signal,
      // Rows parsed in the jobs worker while this thread writes: the two halves overlap on two cores.
      parse: (parse) => parseTardisInPool(jobsPool, parse),
      onProgress: (p) => {
        const seconds = Math.max(0.001, (Date.now() - started) / 1000);
        bar.update(p.totalBytes > 0 ? p.bytesRead / p.totalBytes : null, `${p.rowsRead} rows · ${Math.round(p.rowsRead / seconds)} rows/s · ${p.badRows} bad`);
      },
    });
    bar.done(
      `${report.cancelled ? 'cancelled' : 'done'}: ${report.rowsRead} rows, ${report.eventsWritten} events, ${report.badRows} bad rows skipped` +
        (report.badRowSamples.length > 0 ? ` (first: ${report.badRowSamples[0]!.file}:${report.badRowSamples[0]!.line} ${report.badRowSamples[0]!.reason})` : ''),
    );
    return report;
  } finally {
    process.off('SIGINT', onSignal);
    await jobsPool.close();
    db.close();
  }
}

/**
 * `gammadesk analyze --session NAME --at T`: replays the session up to T through the engine (the flow convention
 * needs the trades), then reports each currency's dealer gamma exposure from the engine's state.
 */
export async function analyzeSession(options: { session: string; atMs: number; dealer: DealerConvention; dynamics?: 'stickyStrike' | 'stickyMoneyness'; dbPath?: string }): Promise<{ session: string; as_of: string; events: number; flow_confidence: Record<string, number | null>; gex: Record<string, GexReport> }> {
  const replay = startHeadlessReplay({
    dbPath: options.dbPath ? resolve(options.dbPath) : defaultDbPath(),
    session: options.session,
    speed: 'max',
    toMs: options.atMs,
    worker: { filename: builtPaths().worker },
  });
  try {
    const { feed, kernel } = replay;
    await feed.finished;
    const engine = kernel.engine;
    const gex: Record<string, GexReport> = {};
    const confidence: Record<string, number | null> = {};
    for (const currency of CURRENCIES) {
      const input = buildExposureInput(engine.market, currency, options.dealer, engine.flows.get(currency));
      if (!input) continue;
      const source = engine.market.currencies.get(currency)?.indexUsd !== null ? `Deribit ${currency.toLowerCase()}_usd index` : 'forward of the nearest expiry';
      const flow = engine.flows.get(currency);
      gex[currency] = gexReport(input.chain, { currency, expiries: input.expiries, convention: options.dealer, spotSource: source, ...(options.dynamics ? { dynamics: options.dynamics } : {}), ...(flow ? { flow } : {}) });
      confidence[currency] = engine.flows.get(currency)?.getResult()?.confidence ?? null;
    }
    return { session: options.session, as_of: new Date(engine.market.timeMs).toISOString(), events: feed.progress().eventsDelivered, flow_confidence: confidence, gex };
  } finally {
    await replay.close();
  }
}
