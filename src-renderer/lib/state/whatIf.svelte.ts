/**
 * The Risk view's what-if book and historical scenarios (app/whatIfService.ts). The what-if book is a scratch copy
 * of the live book kept here in the page: editing it sends its lines to `risk.whatIf`, which revalues it beside the
 * live book and writes nothing. Its failures stay in this panel (`error`), so a refresh in the background never
 * disables the desk's other buttons.
 */
import type { HistoricalResult, WhatIfResult } from '../../../src-main/api/contract';
import { formatPositions, parsePositions } from '../positionsText';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import type { MarketState } from './market.svelte';

export interface WhatIfLeg {
  instrument: string;
  amount: number;
  averagePrice?: number;
}

/** One click of + or −: a contract of an option, 1000 USD of a future or perpetual (a multiple of both contract sizes). */
export const stepOf = (instrument: string): number => (/-[CP]$/.test(instrument) ? 1 : 1000);

export class WhatIfState {
  /** The scratch book; null while no what-if is open. Replaced whole on every edit. */
  legs = $state.raw<WhatIfLeg[] | null>(null);
  /** The last comparison (live and what-if on the same market). */
  result = $state.raw<WhatIfResult | null>(null);
  error = $state<string | null>(null);
  computing = $state(false);
  historical = $state.raw<HistoricalResult | null>(null);
  historicalError = $state<string | null>(null);
  loadingHistorical = $state(false);
  #computeAgain = false;
  #historicalAgain: number | null = null;

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
    private readonly market: MarketState,
  ) {}

  /** The scratch book as the positions editor's lines. */
  get text(): string {
    return formatPositions((this.legs ?? []).map((l) => ({ instrument: l.instrument, amount: l.amount, averagePrice: l.averagePrice ?? null })));
  }

  /** Copies the live book (as the host has it now) into the scratch book. Also "reset to live". */
  async open(): Promise<void> {
    this.error = null;
    try {
      const book = await this.transport.call('positions.list', {});
      this.legs = book.map((p) => (p.averagePrice === null ? { instrument: p.instrument, amount: p.amount } : { instrument: p.instrument, amount: p.amount, averagePrice: p.averagePrice }));
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      return;
    }
    await this.compute();
  }

  discard(): void {
    this.legs = null;
    this.result = null;
    this.error = null;
  }

  /** Replaces the scratch book from editor lines; a line that cannot be read is named and nothing changes. */
  async setText(text: string): Promise<boolean> {
    const parsed = parsePositions(text);
    if (!parsed.ok) {
      this.error = parsed.error;
      return false;
    }
    this.legs = parsed.positions.map((p) => ({ instrument: p.instrument, amount: p.amount, ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}) }));
    await this.compute();
    return true;
  }

  /** Adds `amount` to a leg (a new line when the book has none on the instrument); a leg that nets to 0 goes. */
  async add(instrument: string, amount: number): Promise<void> {
    const name = instrument.trim().toUpperCase();
    if (!this.legs || name === '' || !Number.isFinite(amount) || amount === 0) return;
    const existing = this.legs.find((l) => l.instrument === name);
    this.legs = existing
      ? this.legs.map((l) => (l === existing ? { ...l, amount: Number((l.amount + amount).toPrecision(12)) } : l)).filter((l) => l.amount !== 0)
      : [...this.legs, { instrument: name, amount }];
    await this.compute();
  }

  async remove(instrument: string): Promise<void> {
    if (!this.legs) return;
    this.legs = this.legs.filter((l) => l.instrument !== instrument);
    await this.compute();
  }

  /** Revalues the scratch book beside the live one (also when the market moved: the caller decides when). */
  async compute(): Promise<void> {
    // An edit while a computation runs is computed right after it (the answer in flight is for the old lines).
    if (this.computing) {
      this.#computeAgain = true;
      return;
    }
    const legs = this.legs;
    if (!legs) return;
    this.computing = true;
    try {
      const result = await this.transport.call('risk.whatIf', { currency: this.market.currency, positions: legs });
      // Discarded meanwhile: nothing to show.
      if (this.legs) this.result = result;
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.computing = false;
    }
    if (this.#computeAgain) {
      this.#computeAgain = false;
      await this.compute();
    }
  }

  async loadHistorical(count = 10): Promise<void> {
    if (this.loadingHistorical) {
      this.#historicalAgain = count;
      return;
    }
    this.loadingHistorical = true;
    try {
      // With a what-if open, its P&L on the same days comes too.
      const legs = this.legs;
      this.historical = await this.transport.call('risk.historical', { currency: this.market.currency, count, ...(legs ? { positions: legs } : {}) });
      this.historicalError = null;
    } catch (error) {
      this.historicalError = error instanceof Error ? error.message : String(error);
    } finally {
      this.loadingHistorical = false;
    }
    const again = this.#historicalAgain;
    if (again !== null) {
      this.#historicalAgain = null;
      await this.loadHistorical(again);
    }
  }

  /** The payoff chart's chosen days (YYYY-MM-DD); the risk stream redraws with them. */
  async savePayoffDates(dates: string[]): Promise<boolean> {
    return (await this.commands.run(() => this.transport.call('risk.payoffDates.set', { currency: this.market.currency, dates }))) !== null;
  }
}
