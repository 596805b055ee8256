/**
 * The market as the header and the Chain view show it: the connection to the host, the header figures, the
 * selected currency and expiry, the expiry list and the chain of the selected expiry.
 */
import type { ChainSnapshot, Currency, ExpirySummary, HeaderSnapshot } from '../../../src-main/api/dto';
import type { LinkState, Transport } from '../transport';
import { TopicStream } from './stream.svelte';

export class MarketState {
  link = $state<LinkState>('connecting');
  currency = $state<Currency>('BTC');
  /** The last refused subscription (e.g. an expiry that rolled off), until the selection changes. */
  streamError = $state<string | null>(null);
  /** The expiry the user picked; `expiry` falls back to a default while it is not (or no longer) listed. */
  #chosenExpiry = $state<string | null>(null);

  readonly #header: TopicStream<'header'>;
  readonly #expiries: TopicStream<'expiries'>;
  readonly #chain: TopicStream<'chain'>;

  readonly expiries = $derived.by((): ExpirySummary[] => this.#expiries.current?.expiries ?? []);
  readonly expiry = $derived.by((): string | null => {
    const chosen = this.#chosenExpiry;
    return chosen !== null && this.expiries.some((e) => e.label === chosen) ? chosen : defaultExpiry(this.expiries);
  });

  constructor(transport: Transport) {
    transport.onLinkState((state) => (this.link = state));
    transport.onStreamError((topic, error) => {
      this.streamError = `${topic}: ${error.message}`;
      // An expiry that rolled off: fall back to the nearest one.
      if (topic === 'chain' && error.code === 'NOT_FOUND') this.selectExpiry(this.expiries[0]?.label ?? null);
    });
    this.#header = new TopicStream(transport, 'header', () => ({}));
    this.#expiries = new TopicStream(transport, 'expiries', () => ({ currency: this.currency }));
    this.#chain = new TopicStream(transport, 'chain', () => {
      const expiry = this.expiry;
      return expiry === null ? null : { currency: this.currency, expiry };
    });
  }

  get header(): HeaderSnapshot | null {
    return this.#header.current;
  }

  get chain(): ChainSnapshot | null {
    return this.#chain.current;
  }

  /** Chain messages received for the current selection. */
  get chainVersion(): number {
    return this.#chain.received;
  }

  selectCurrency(currency: Currency): void {
    this.currency = currency;
    this.#chosenExpiry = null;
    this.streamError = null;
  }

  selectExpiry(label: string | null): void {
    if (label === this.expiry) return;
    this.#chosenExpiry = label;
    this.streamError = null;
  }

  /** A new source or a seek starts from an empty market: list the expiries afresh and pick the default again. */
  restart(): void {
    this.#chosenExpiry = null;
    this.streamError = null;
    this.#expiries.restart();
  }
}

/** The first expiry more than two days out: the front dailies are mostly noise for a risk view. */
function defaultExpiry(expiries: readonly ExpirySummary[]): string | null {
  const twoDays = 2 / 365;
  return (expiries.find((e) => e.years > twoDays) ?? expiries[0])?.label ?? null;
}
