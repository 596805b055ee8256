/** Positions domain: the trader's book (options, futures, perpetuals), entered by hand or imported from CSV. */
import type { BookImportResult, BookSnapshot, DeribitAccountLoadDto, PositionDto } from '../dto';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

/** The largest book `positions.set` takes; wire.ts sizes the WebSocket frame limit for it. */
export const MAX_POSITIONS = 2000;
/** Deribit option names are about 20 characters (`BTC-27DEC26-100000-C`); 64 leaves room. */
export const MAX_INSTRUMENT_LENGTH = 64;
/** The largest positions CSV `positions.import` takes (2000 lines of about 60 characters, with room). */
export const MAX_BOOK_CSV_CHARS = 512 * 1024;

export const positionsCommands = {
  'positions.list': { params: v.object({}), result: typed<PositionDto[]>() },
  'positions.set': {
    params: v.object({
      positions: v.array(
        v.object({
          instrument: v.string({ maxLength: MAX_INSTRUMENT_LENGTH }),
          /** Contracts for options, USD notional for futures and perpetuals. */
          amount: v.number({ min: -1e9, max: 1e9 }),
          /** In `priceCurrency`; absent when not known. */
          averagePrice: v.optional(v.number({ min: 0, max: 1e9 })),
          priceCurrency: v.optional(v.literal('BTC', 'ETH', 'USD')),
        }),
        { maxLength: MAX_POSITIONS },
      ),
    }),
    result: typed<PositionDto[]>(),
  },
  /** A positions CSV (`instrument,quantity,average_price,price_currency`): good rows kept, bad ones named. */
  'positions.import': {
    params: v.object({ csv: v.string({ maxLength: MAX_BOOK_CSV_CHARS }), mode: v.literal('replace', 'merge') }),
    result: typed<BookImportResult>(),
  },
  /**
   * The Deribit account's positions replace the book (the configured key; a read-only key suffices); returns the
   * import result with each currency's equity, IM and MM.
   */
  'positions.loadDeribit': { params: v.object({ network: v.literal('testnet', 'mainnet') }), result: typed<DeribitAccountLoadDto>() },
} as const satisfies CommandTable;

export const positionsTopics = {
  /** The book marked to market: P&L and greeks per position, currency and expiry. */
  book: { params: v.object({}), payload: typed<BookSnapshot>() },
} as const satisfies TopicTable;
