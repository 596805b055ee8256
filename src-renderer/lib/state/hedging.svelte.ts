/**
 * The hedge advisor as the Hedges view sees it: the selected currency's settings (read from the host, saved
 * whole) and its live proposal stream.
 */
import type { CommandParams } from '../../../src-main/api/contract';
import type { HedgeSnapshot } from '../../../src-main/api/dto';
import type { HedgeSettings } from '../../../src-main/core/hedge/settings';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import type { MarketState } from './market.svelte';
import { TopicStream } from './stream.svelte';

export class HedgingState {
  settings = $state.raw<HedgeSettings | null>(null);
  readonly #stream: TopicStream<'hedge'>;

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
    private readonly market: MarketState,
  ) {
    this.#stream = new TopicStream(transport, 'hedge', () => ({ currency: market.currency }));
  }

  /** The current proposal of the selected currency; reading it subscribes. */
  get snapshot(): HedgeSnapshot | null {
    return this.#stream.current;
  }

  async load(): Promise<void> {
    const currency = this.market.currency;
    const settings = await this.commands.run(() => this.transport.call('hedge.settings.get', { currency }));
    if (settings) this.settings = settings;
  }

  async save(params: CommandParams<'hedge.settings.set'>): Promise<boolean> {
    const settings = await this.commands.run(() => this.transport.call('hedge.settings.set', params));
    if (settings) this.settings = settings;
    return settings !== null;
  }
}
