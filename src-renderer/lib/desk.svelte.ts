/**
 * The renderer's state: what the header and the chain view show, fed by API streams. Large snapshots are
 * `$state.raw` and replaced whole on every message (they are immutable once received).
 */
import type { Unsubscribe } from '../../src-main/api/contract';
import type { ChainSnapshot, Currency, ExpirySummary, HeaderSnapshot } from '../../src-main/api/dto';
import type { LinkState, Transport } from './transport';

export class DeskState {
  link = $state<LinkState>('connecting');
  header = $state.raw<HeaderSnapshot | null>(null);
  currency = $state<Currency>('BTC');
  expiries = $state.raw<ExpirySummary[]>([]);
  expiry = $state<string | null>(null);
  chain = $state.raw<ChainSnapshot | null>(null);
  /** Chain messages received for the current selection (a visible sign that data keeps flowing). */
  chainVersion = $state(0);
  streamError = $state<string | null>(null);

  private expiriesSub: Unsubscribe | null = null;
  private chainSub: Unsubscribe | null = null;

  constructor(private readonly transport: Transport) {
    transport.onLinkState((state) => (this.link = state));
    transport.onStreamError((topic, error) => {
      this.streamError = `${topic}: ${error.message}`;
      // An expiry that rolled off: fall back to the nearest one.
      if (topic === 'chain' && error.code === 'NOT_FOUND') this.selectExpiry(this.expiries[0]?.label ?? null);
    });
    transport.subscribe('header', {}, (message) => (this.header = message.data));
    this.selectCurrency('BTC');
  }

  selectCurrency(currency: Currency): void {
    this.currency = currency;
    this.expiriesSub?.();
    this.expiries = [];
    this.selectExpiry(null);
    this.expiriesSub = this.transport.subscribe('expiries', { currency }, (message) => {
      this.expiries = message.data.expiries;
      const labels = this.expiries.map((e) => e.label);
      if (this.expiry === null || !labels.includes(this.expiry)) this.selectExpiry(defaultExpiry(this.expiries));
    });
  }

  selectExpiry(label: string | null): void {
    if (label === this.expiry && this.chainSub) return;
    this.chainSub?.();
    this.chainSub = null;
    this.expiry = label;
    this.chain = null;
    this.chainVersion = 0;
    if (label === null) return;
    this.streamError = null;
    this.chainSub = this.transport.subscribe('chain', { currency: this.currency, expiry: label }, (message) => {
      this.chain = message.data;
      this.chainVersion++;
    });
  }
}

/** The first expiry more than two days out: the front dailies are mostly noise for a risk view. */
function defaultExpiry(expiries: readonly ExpirySummary[]): string | null {
  const twoDays = 2 / 365;
  return (expiries.find((e) => e.years > twoDays) ?? expiries[0])?.label ?? null;
}
