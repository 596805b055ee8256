/**
 * Market domain: the app, its market-data feed, and the streams computed from the market (header, expiry lists,
 * option chains, dealer exposure).
 */
import type { AppInfo, ChainSnapshot, ExpiryListSnapshot, ExposureSnapshot, FeedStatus, HeaderSnapshot } from '../dto';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

const empty = v.object({});
const currency = v.literal('BTC', 'ETH');
/** Deribit expiry codes: `1JAN26`, `27DEC26`. */
const expiryLabel = v.string({ maxLength: 8, pattern: /^[0-9]{1,2}[A-Z]{3}[0-9]{2}$/ });

export const marketCommands = {
  'app.info': { params: empty, result: typed<AppInfo>() },
  'feed.status': { params: empty, result: typed<FeedStatus>() },
} as const satisfies CommandTable;

export const marketTopics = {
  header: { params: empty, payload: typed<HeaderSnapshot>() },
  expiries: { params: v.object({ currency }), payload: typed<ExpiryListSnapshot>() },
  chain: { params: v.object({ currency, expiry: expiryLabel }), payload: typed<ChainSnapshot>() },
  exposure: {
    params: v.object({
      currency,
      convention: v.literal('naive', 'short', 'flow'),
      dynamics: v.optional(v.literal('stickyStrike', 'stickyMoneyness')),
    }),
    payload: typed<ExposureSnapshot>(),
  },
} as const satisfies TopicTable;
