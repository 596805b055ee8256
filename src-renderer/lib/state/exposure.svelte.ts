/**
 * Dealer gamma exposure of the selected currency under the chosen dealer convention and vol dynamics. The
 * stream runs only while the Exposure view reads it: the maps are the costliest analytics the host computes.
 */
import type { DealerConvention, ExposureSnapshot, VolDynamics } from '../../../src-main/api/dto';
import type { Transport } from '../transport';
import type { MarketState } from './market.svelte';
import { TopicStream } from './stream.svelte';

export class ExposureState {
  convention = $state<DealerConvention>('naive');
  dynamics = $state<VolDynamics>('stickyStrike');
  readonly #stream: TopicStream<'exposure'>;

  constructor(transport: Transport, market: MarketState) {
    this.#stream = new TopicStream(transport, 'exposure', () => ({
      currency: market.currency,
      convention: this.convention,
      dynamics: this.dynamics,
    }));
  }

  /** The latest snapshot for the current currency, convention and dynamics; null while waiting for it. */
  get snapshot(): ExposureSnapshot | null {
    return this.#stream.current;
  }

  /** A new source or a seek: wait for the new market's exposures rather than show the old one's. */
  restart(): void {
    this.#stream.restart();
  }
}
