/**
 * Feed health for the header: message rate and lag over a sliding window, silence since the last event,
 * and rejected inputs.
 */
import type { FeedStatus } from '../api/dto';
import type { MarketEvent } from '../core/market/events';
import type { FeedAdapter } from '../feeds/types';

const WINDOW_MS = 5_000;
const BUCKET_MS = 250;

export class FeedMonitor {
  private counts: number[] = [];
  private lagSums: number[] = [];
  private bucketStart = 0;
  private lastEventWallMs: number | null = null;
  rejected = 0;
  lastRejectReason: string | null = null;

  constructor(
    private readonly feed: FeedAdapter,
    private readonly now: () => number,
  ) {}

  observe(events: readonly MarketEvent[]): void {
    const now = this.now();
    this.roll(now);
    let lag = 0;
    for (const event of events) lag += Math.max(0, event.tsRecv - event.tsEvent);
    this.counts[this.counts.length - 1]! += events.length;
    this.lagSums[this.lagSums.length - 1]! += lag;
    if (events.length > 0) this.lastEventWallMs = now;
  }

  status(): FeedStatus {
    const now = this.now();
    this.roll(now);
    const count = this.counts.reduce((a, b) => a + b, 0);
    const lag = this.lagSums.reduce((a, b) => a + b, 0);
    const spanMs = Math.max(BUCKET_MS, Math.min(WINDOW_MS, this.counts.length * BUCKET_MS));
    const health = this.feed.health?.();
    return {
      source: this.feed.source,
      label: this.feed.label,
      state: this.feed.state(),
      messagesPerSecond: (count * 1000) / spanMs,
      lagMs: count > 0 ? lag / count : 0,
      silenceMs: this.lastEventWallMs === null ? 0 : Math.max(0, now - this.lastEventWallMs),
      rejectedEvents: this.rejected + (health?.rejected ?? 0),
      lastRejectReason: health?.lastRejectReason ?? this.lastRejectReason,
      reconnects: health?.reconnects ?? 0,
      lastError: health?.lastError ?? null,
      staleInstruments: health?.staleInstruments ?? [],
      instruments: health?.instruments ?? 0,
    };
  }

  private roll(now: number): void {
    // First call, or a pause longer than the window: start a fresh window.
    if (this.counts.length === 0 || now - this.bucketStart > WINDOW_MS) {
      this.counts = [0];
      this.lagSums = [0];
      this.bucketStart = now;
      return;
    }
    while (now - this.bucketStart >= BUCKET_MS) {
      this.bucketStart += BUCKET_MS;
      this.counts.push(0);
      this.lagSums.push(0);
      if (this.counts.length > WINDOW_MS / BUCKET_MS) {
        this.counts.shift();
        this.lagSums.shift();
      }
    }
  }
}
