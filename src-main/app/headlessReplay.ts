/**
 * A recorded session replayed into a bare kernel: the database, the worker pool, the replay feed and the kernel,
 * with no host, hub or publishing schedule. `gammadesk replay`, `gammadesk analyze --session` and the replay
 * benchmark use it; the app's replay source wires the same kernel to the API instead.
 */
import { Kernel } from '../engine/kernel';
import { realScheduler, type Scheduler, type SnapshotPort } from '../engine/ports';
import { ReplayFeed, type ReplaySpeed } from '../feeds/recording/replayFeed';
import { openDatabase } from '../store/database';
import { EventLog } from '../store/eventLog';
import { GreeksPool } from './greeksPool';
import { createHash } from 'node:crypto';
import { PositionRepository } from '../store/positions';
import { SettingsRepository } from '../store/settings';
import { BookService } from './book';
import { HedgeSettingsStore } from './hedgeSettings';

export interface HeadlessReplayOptions {
  dbPath: string;
  session: string;
  speed: ReplaySpeed;
  fromMs?: number;
  toMs?: number;
  worker: { filename: string; execArgv?: string[] };
  scheduler?: Scheduler;
  /** Greeks are recomputed at most this often while events stream in (default 250: a fast replay's bursts). */
  greeksCoalesceMs?: number;
}

export interface HeadlessReplay {
  kernel: Kernel;
  feed: ReplayFeed;
  pool: GreeksPool;
  close(): Promise<void>;
}

/** Nothing listens: the kernel publishes nothing, and reports its analytics when asked. */
const NO_SNAPSHOTS: SnapshotPort = { wanted: () => false, publish: () => {} };

/** Opens the session and starts streaming it into the kernel; `feed.finished` resolves at its end. */
export function startHeadlessReplay(options: HeadlessReplayOptions): HeadlessReplay {
  const db = openDatabase(options.dbPath);
  let pool: GreeksPool | null = null;
  try {
    const log = new EventLog(db);
    const session = log.sessionByName(options.session);
    if (!session) throw new Error(`no recorded session named ${JSON.stringify(options.session)}`);
    pool = new GreeksPool(options.worker);
    const solverPool = pool;
    // The trader's book and hedge settings as stored: the replay's final analytics include the advisor's proposals.
    const book = new BookService(new PositionRepository(db), () => null, () => 0, () => {});
    const hedgeSettings = new HedgeSettingsStore(new SettingsRepository(db), () => 0);
    const kernel = new Kernel({
      greeks: pool,
      exposures: pool,
      scheduler: options.scheduler ?? realScheduler,
      snapshots: NO_SNAPSHOTS,
      journal: null, // the events come from the log
      greeksCoalesceMs: options.greeksCoalesceMs ?? 250,
      hedge: {
        solver: { solve: (model, o) => solverPool.solveMilp(model, o) },
        settings: (currency) => hedgeSettings.get(currency),
        settingsVersion: () => hedgeSettings.version,
        book: () => ({ version: book.version, positions: book.positions() }),
        hash: (text) => createHash('sha256').update(text).digest('hex'),
      },
    });
    const feed = new ReplayFeed({
      log,
      session,
      speed: options.speed,
      ...(options.fromMs !== undefined ? { fromMs: options.fromMs } : {}),
      ...(options.toMs !== undefined ? { toMs: options.toMs } : {}),
    });
    feed.start((events) => kernel.ingest(events));
    const openPool = pool;
    return {
      kernel,
      feed,
      pool: openPool,
      close: async () => {
        feed.stop();
        kernel.dispose();
        await openPool.close();
        db.close();
      },
    };
  } catch (error) {
    void pool?.close();
    db.close();
    throw error;
  }
}
