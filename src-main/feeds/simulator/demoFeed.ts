/**
 * The built-in demo market as a feed adapter: the pure, seeded DemoMarket stepped on a timer every
 * 100–250 ms (the delays come from a generator stream derived from the same seed, so a run's event stream
 * depends only on the seed and the clock readings).
 */
import type { ConnectionState } from '../../api/dto';
import { DemoMarket } from '../../core/sim/demo';
import { epochMs, type EpochMs } from '../../core/units';
import { systemFeedClock, type EventSink, type FeedAdapter, type FeedClock } from '../types';

export class DemoFeed implements FeedAdapter {
  readonly source = 'demo' as const;
  readonly label: string;
  private market: DemoMarket | null = null;
  private timer: unknown = null;
  private running = false;
  private lastNowMs = 0;

  constructor(
    private readonly seed: number,
    private readonly clock: FeedClock = systemFeedClock,
  ) {
    this.label = `Demo market (seed ${seed})`;
  }

  start(sink: EventSink): void {
    if (this.running) throw new Error('demo feed already started');
    this.running = true;
    const market = new DemoMarket({ seed: this.seed, startMs: this.now() });
    this.market = market;
    sink(market.snapshot(this.now()));
    const tick = (): void => {
      if (!this.running) return;
      sink(market.step(this.now()));
      this.timer = this.clock.setTimeout(tick, market.nextDelayMs());
    };
    this.timer = this.clock.setTimeout(tick, market.nextDelayMs());
  }

  /** The simulated market cannot run backwards: a wall clock stepped back (NTP) holds time still instead. */
  private now(): EpochMs {
    this.lastNowMs = Math.max(this.lastNowMs, Math.floor(this.clock.now()));
    return epochMs(this.lastNowMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  state(): ConnectionState {
    if (this.running) return 'live';
    return this.market ? 'stopped' : 'connecting';
  }
}
