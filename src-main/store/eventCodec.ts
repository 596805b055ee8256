/**
 * The event log's payload format: each event's fields as a JSON array in a fixed order per event type, without
 * what the row's columns already hold (type, times, instrument, seq). Compared with the whole event as a JSON
 * object this halves the bytes on disk and the time to write and read a row. Adding a field means appending it
 * to its list (older rows decode it as null); never reorder or remove one.
 */
import type { MarketEvent, MarketEventType, SequencedEvent } from '../core/market/events';

const FIELDS = {
  instrument: ['instrument'],
  index: ['currency', 'priceUsd'],
  option_ticker: [
    'bidCoin', 'askCoin', 'bidAmount', 'askAmount', 'markCoin', 'markIv', 'bidIv', 'askIv', 'underlyingPriceUsd', 'underlyingIndex',
    'indexPriceUsd', 'openInterest',
  ],
  future_ticker: ['bidUsd', 'askUsd', 'bidAmountUsd', 'askAmountUsd', 'markUsd', 'indexPriceUsd', 'openInterestUsd', 'funding8h'],
  trade: ['tradeId', 'price', 'priceUnit', 'amount', 'takerSide', 'iv', 'indexPriceUsd', 'blockTradeId', 'liquidation'],
  book_snapshot: ['bids', 'asks', 'changeId'],
} as const satisfies Record<MarketEventType, readonly string[]>;

/** The instrument column: the option/future name, or null for index events. */
export function instrumentColumn(event: MarketEvent): string | null {
  switch (event.type) {
    case 'instrument':
      return event.instrument.name;
    case 'index':
      return null;
    default:
      return event.instrument;
  }
}

export function encodePayload(event: MarketEvent): string {
  const fields = FIELDS[event.type] as readonly string[] | undefined;
  if (!fields) throw new Error(`cannot store an event of unknown type ${JSON.stringify((event as { type: unknown }).type)}`);
  const record = event as unknown as Record<string, unknown>;
  const values = new Array<unknown>(fields.length);
  for (let i = 0; i < fields.length; i++) values[i] = record[fields[i]!];
  return JSON.stringify(values);
}

/** Rebuilds an event from its row. Throws on a payload that does not fit its type (a corrupt row). */
export function decodeRow(seq: number, type: string, tsEvent: number, tsRecv: number, instrument: string | null, payload: string): SequencedEvent {
  const fields = (FIELDS as Record<string, readonly string[]>)[type];
  if (!fields) throw new Error(`event ${seq}: unknown type ${JSON.stringify(type)}`);
  const values = JSON.parse(payload) as unknown;
  if (!Array.isArray(values)) throw new Error(`event ${seq}: payload is not an array`);
  const event: Record<string, unknown> = { type, tsEvent, tsRecv };
  if (type !== 'instrument' && type !== 'index') event['instrument'] = instrument;
  for (let i = 0; i < fields.length; i++) event[fields[i]!] = i < values.length ? values[i] : null;
  event['seq'] = seq;
  return event as unknown as SequencedEvent;
}
