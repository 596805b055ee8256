/**
 * The Surface view's state: the selected currency's live volatility surface stream (fits, fit quality, realized
 * vol, variance risk premium) and the expiry whose smile is shown.
 */
import type { VolatilitySurfaceDto } from '../../../src-main/api/contract/volatility';
import type { Transport } from '../transport';
import type { MarketState } from './market.svelte';
import { TopicStream } from './stream.svelte';

export class VolatilityState {
  readonly #stream: TopicStream<'surface'>;
  /** The smile shown (an expiry label); null: the first fitted expiry. */
  smileExpiry = $state<string | null>(null);
  /** The smile's x axis. */
  smileAxis = $state<'k' | 'strike'>('k');

  constructor(transport: Transport, market: MarketState) {
    this.#stream = new TopicStream(transport, 'surface', () => ({ currency: market.currency }));
  }

  /** The latest fit of the selected currency; reading it subscribes (the host refits while somebody listens). */
  get snapshot(): VolatilitySurfaceDto | null {
    return this.#stream.current;
  }
}
