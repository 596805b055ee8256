/**
 * The Surface view's state: the selected currency's live volatility surface stream (fits, fit quality, realized
 * vol, variance risk premium) and the expiry whose smile is shown.
 */
import type { ForecastEvaluationDto, VolatilitySurfaceDto } from '../../../src-main/api/contract/volatility';
import type { CommandRunner } from './commands.svelte';
import type { Transport } from '../transport';
import type { MarketState } from './market.svelte';
import { TopicStream } from './stream.svelte';

export class VolatilityState {
  readonly #stream: TopicStream<'surface'>;
  /** The smile shown (an expiry label); null: the first fitted expiry. */
  smileExpiry = $state<string | null>(null);
  /** The smile's x axis. */
  smileAxis = $state<'k' | 'strike'>('k');

  /** The last price-file evaluation: every model's forecast and the out-of-sample table. */
  evaluation = $state.raw<ForecastEvaluationDto | null>(null);
  evaluating = $state(false);

  constructor(
    private readonly transport: Transport,
    market: MarketState,
    private readonly commands: CommandRunner,
  ) {
    this.#stream = new TopicStream(transport, 'surface', () => ({ currency: market.currency }));
  }

  /** Evaluates a price file from the import folder on the host's jobs pool. */
  async evaluate(file: string, close: string): Promise<void> {
    this.evaluating = true;
    const result = await this.commands.run(() => this.transport.call('forecast.evaluate', close ? { file, close } : { file }));
    this.evaluating = false;
    if (result) this.evaluation = result;
  }

  /** The latest fit of the selected currency; reading it subscribes (the host refits while somebody listens). */
  get snapshot(): VolatilitySurfaceDto | null {
    return this.#stream.current;
  }
}
