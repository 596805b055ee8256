/**
 * The trader's Deribit account as a plain typed structure the book imports: per currency, the account summary
 * (equity, initial and maintenance margin, ...) from `private/get_account_summary` and the positions from
 * `private/get_positions`. A read-only key suffices (scope `account:read`, `trade:read`).
 *
 * Nothing is lost silently: a position that fails validation is left out and reported in `problems` with its
 * index and field; a currency whose calls fail is reported with Deribit's error and the other currencies are kept.
 *
 * {@link bookRows} gives the rows in the book's import columns (`instrument,quantity,average_price,price_currency`,
 * issue 11 item 1), quantities and prices in Deribit's units: options in contracts (coin) at a coin price (inverse)
 * or a USDC price (linear); inverse futures and perpetuals in USD at a USD price; linear futures in coin at USDC.
 */
import type { EpochMs, InstrumentName } from '../../core/units';
import { parseAccountSummary, parsePositions, type AccountPosition, type AccountSummary } from '../../feeds/deribit/privateParse';
import { venueErrorOf } from './deribitVenue';

export interface DeribitAccountCurrency {
  currency: string;
  summary: AccountSummary;
  positions: AccountPosition[];
}

export interface DeribitAccount {
  loadedMs: EpochMs;
  currencies: DeribitAccountCurrency[];
  /** What could not be loaded or parsed, each naming the call, the currency and the field or Deribit error. */
  problems: string[];
}

/** The call the loader needs: an authenticated private request (DeribitPrivateClient.call). */
export type PrivateCall = (method: string, params: Record<string, unknown>) => Promise<unknown>;

export async function loadDeribitAccount(call: PrivateCall, currencies: readonly string[], nowMs: EpochMs): Promise<DeribitAccount> {
  const account: DeribitAccount = { loadedMs: nowMs, currencies: [], problems: [] };
  for (const currency of currencies) {
    let summaryResult: unknown;
    let positionsResult: unknown;
    try {
      summaryResult = await call('private/get_account_summary', { currency });
      positionsResult = await call('private/get_positions', { currency });
    } catch (error) {
      account.problems.push(venueErrorOf(error, `${currency} account`).message);
      continue;
    }
    const summary = parseAccountSummary(summaryResult);
    if (!summary.ok) {
      account.problems.push(`private/get_account_summary ${currency}: ${summary.error.message}`);
      continue;
    }
    const positions = parsePositions(positionsResult);
    for (const error of positions.errors) account.problems.push(`private/get_positions ${currency}: ${error.message}`);
    // A zero position (closed during the session) carries P&L but no exposure: kept, the book decides.
    account.currencies.push({ currency, summary: summary.value, positions: positions.items });
  }
  return account;
}

export interface BookRow {
  instrument: InstrumentName;
  /** Signed quantity in the instrument's Deribit amount unit (see the module comment). */
  quantity: number;
  averagePrice: number;
  /** BTC / ETH for inverse options, USD for inverse futures and perpetuals, USDC for linear instruments. */
  priceCurrency: string;
}

/** The positions as book import rows (options and futures; spot and combos are reported as not supported). */
export function bookRows(account: DeribitAccount): { rows: BookRow[]; unsupported: string[] } {
  const rows: BookRow[] = [];
  const unsupported: string[] = [];
  for (const { positions } of account.currencies) {
    for (const position of positions) {
      if (position.size === 0) continue;
      if (position.kind !== 'option' && position.kind !== 'future') {
        unsupported.push(`${position.instrument}: ${position.kind} positions are not supported by the book`);
        continue;
      }
      const linear = position.currency === 'USDC';
      const priceCurrency = linear ? 'USDC' : position.kind === 'option' ? position.currency : 'USD';
      rows.push({ instrument: position.instrument, quantity: position.size, averagePrice: position.averagePrice, priceCurrency });
    }
  }
  return { rows, unsupported };
}
