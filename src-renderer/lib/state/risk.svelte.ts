/**
 * The live book's risk as the Risk view sees it: the selected currency's `risk` stream (scenario matrix, margin,
 * payoff), its grid settings and equity (saved through the host).
 */
import type { CommandParams } from '../../../src-main/api/contract';
import type { RiskSettings, RiskSnapshot } from '../../../src-main/api/dto';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import type { MarketState } from './market.svelte';
import { TopicStream } from './stream.svelte';

export class RiskState {
  readonly #stream: TopicStream<'risk'>;

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
    market: MarketState,
  ) {
    this.#stream = new TopicStream(transport, 'risk', () => ({ currency: market.currency }));
  }

  /** The selected currency's snapshot; reading it subscribes. */
  get snapshot(): RiskSnapshot | null {
    return this.#stream.current;
  }

  async saveGrid(params: CommandParams<'risk.settings.set'>): Promise<RiskSettings | null> {
    return this.commands.run(() => this.transport.call('risk.settings.set', params));
  }

  async saveEquity(params: CommandParams<'risk.equity.set'>): Promise<RiskSettings | null> {
    return this.commands.run(() => this.transport.call('risk.equity.set', params));
  }
}
