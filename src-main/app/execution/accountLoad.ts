/**
 * The trader's Deribit account into the book: `private/get_positions` and `private/get_account_summary` with the
 * configured key (a read-only key suffices), the positions imported like a CSV (each row checked; linear USDC and
 * unsupported kinds named, the rest kept), and each currency's equity, initial and maintenance margin returned.
 */
import type { BookImportResult } from '../../api/dto';
import { formatBookCsv } from '../../core/book/csv';
import type { PriceCurrency } from '../../core/book/position';
import { epochMs } from '../../core/units';
import { deribitUrl } from '../../feeds/deribit/client';
import { DeribitPrivateClient } from '../../feeds/deribit/privateClient';
import type { SecretStore } from '../secrets';
import { bookRows, loadDeribitAccount } from './deribitAccount';
import { venueErrorOf } from './deribitVenue';

export interface AccountLoadResult extends BookImportResult {
  network: 'testnet' | 'mainnet';
  accounts: { currency: string; equity: number; initialMargin: number; maintenanceMargin: number; marginModel: string | null }[];
  /** Calls or fields that could not be read, and positions the book does not take. */
  problems: string[];
}

export async function loadAccountIntoBook(args: {
  network: 'testnet' | 'mainnet';
  secrets: SecretStore;
  url?: string;
  nowMs: number;
  importCsv: (csv: string) => BookImportResult;
  timeoutMs?: number;
}): Promise<AccountLoadResult> {
  const credentials = args.secrets.deribitCredentials();
  if (credentials === null) throw new Error(`no Deribit API key (${args.secrets.source})`);
  const timeoutMs = args.timeoutMs ?? 15_000;
  const url = args.url ?? deribitUrl(args.network);
  const session = new DeribitPrivateClient({ onNotification: () => undefined }, { url, credentials, authWaitMs: timeoutMs, requestTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs });
  session.start();
  try {
    try {
      await session.ready();
    } catch (error) {
      throw venueErrorOf(error, `Deribit ${args.network} authentication`);
    }
    const account = await loadDeribitAccount((method, params) => session.call(method, params), ['BTC', 'ETH'], epochMs(Math.floor(args.nowMs)));
    const { rows, unsupported } = bookRows(account);
    const csv = formatBookCsv(rows.map((r) => ({ instrument: r.instrument, quantity: r.quantity, averagePrice: r.averagePrice, priceCurrency: r.priceCurrency as PriceCurrency })));
    const imported = args.importCsv(csv);
    return {
      ...imported,
      network: args.network,
      accounts: account.currencies.map(({ currency, summary }) => ({ currency, equity: summary.equity, initialMargin: summary.initialMargin, maintenanceMargin: summary.maintenanceMargin, marginModel: summary.marginModel })),
      problems: [...account.problems, ...unsupported],
    };
  } finally {
    session.stop();
  }
}
