/**
 * `gammadesk deribit-account`: loads the Deribit account of the API key in GAMMADESK_DERIBIT_CLIENT_ID /
 * GAMMADESK_DERIBIT_CLIENT_SECRET (read-only scopes suffice) and prints equity, margins and positions per currency,
 * as text, JSON, or CSV in the book's import columns. Testnet by default; reading a mainnet account needs
 * `--network mainnet` (reading places no orders, so the trading confirmation `execution.mainnetConfirmed` is not
 * asked for here).
 */
import { epochMs } from '../../core/units';
import { bookRows, loadDeribitAccount, type DeribitAccount } from '../../app/execution/deribitAccount';
import { venueErrorOf } from '../../app/execution/deribitVenue';
import { EnvSecretStore, ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../../app/secrets';
import { deribitUrl } from '../../feeds/deribit/client';
import { DeribitPrivateClient } from '../../feeds/deribit/privateClient';
import { UsageError } from '../args';
import { parsed, type CommandTable } from '../command';
import { parseDuration } from '../progress';

const FORMATS = ['text', 'json', 'csv'] as const;

function parseCurrencies(text: string): string[] {
  const list = text.split(',').map((part) => part.trim().toUpperCase());
  for (const currency of list) if (!/^[A-Z]{2,10}$/.test(currency)) throw new Error(`expected a comma-separated list like BTC,ETH, got ${JSON.stringify(text)}`);
  return list;
}

function formatNumber(value: number | null): string {
  return value === null ? '—' : String(Number(value.toPrecision(8)));
}

export function accountText(account: DeribitAccount): string {
  const lines: string[] = [];
  for (const { currency, summary, positions } of account.currencies) {
    lines.push(
      `${currency}  equity ${formatNumber(summary.equity)}  initial margin ${formatNumber(summary.initialMargin)}  maintenance margin ${formatNumber(summary.maintenanceMargin)}  available ${formatNumber(summary.availableFunds)}  delta ${formatNumber(summary.deltaTotal)}${summary.marginModel ? `  (${summary.marginModel})` : ''}`,
    );
    if (positions.length === 0) lines.push('  no positions');
    for (const p of positions) {
      lines.push(
        `  ${p.instrument.padEnd(24)} ${p.kind.padEnd(6)} size ${formatNumber(p.size).padStart(10)}  avg ${formatNumber(p.averagePrice).padStart(9)}  mark ${formatNumber(p.markPrice).padStart(9)}  P&L ${formatNumber(p.totalPnl)} ${currency}  delta ${formatNumber(p.delta)}`,
      );
    }
  }
  return lines.join('\n');
}

export function accountCsv(account: DeribitAccount): string {
  const { rows } = bookRows(account);
  return ['instrument,quantity,average_price,price_currency', ...rows.map((r) => `${r.instrument},${r.quantity},${r.averagePrice},${r.priceCurrency}`)].join('\n') + '\n';
}

export const DERIBIT_COMMANDS: CommandTable = {
  'deribit-account': {
    summary: 'load the Deribit account of the API key in the environment: equity, margins, positions',
    usage: `gammadesk deribit-account [--network testnet|mainnet] [--currencies BTC,ETH] [--format text|json|csv] [--timeout 15s]   (key: ${ENV_CLIENT_ID}, ${ENV_CLIENT_SECRET})`,
    flags: {
      network: { type: 'string', description: 'testnet (default) or mainnet' },
      url: { type: 'string', description: 'WebSocket endpoint instead of the network’s (a local mock server)' },
      currencies: { type: 'string', description: 'comma-separated settlement currencies (default BTC,ETH)' },
      format: { type: 'string', description: 'text (default), json (the account and its book rows) or csv (book import columns)' },
      timeout: { type: 'string', description: 'give up connecting and authenticating after this long (default 15s)' },
    },
    async run({ positionals, flags }) {
      if (positionals.length > 0) throw new UsageError(`deribit-account takes no arguments, got ${positionals.join(' ')}`);
      const network = flags['network'] ?? 'testnet';
      if (network !== 'testnet' && network !== 'mainnet') throw new UsageError(`--network must be testnet or mainnet, got ${String(network)}`);
      const format = flags['format'] ?? 'text';
      if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}, got ${String(format)}`);
      const currencies = typeof flags['currencies'] === 'string' ? parsed('currencies', parseCurrencies, flags['currencies']) : ['BTC', 'ETH'];
      const timeoutMs = typeof flags['timeout'] === 'string' ? parsed('timeout', parseDuration, flags['timeout']) : 15_000;
      const secrets = new EnvSecretStore();
      const credentials = secrets.deribitCredentials();
      if (credentials === null) throw new Error(`no Deribit API key: set ${ENV_CLIENT_ID} and ${ENV_CLIENT_SECRET}`);
      const url = typeof flags['url'] === 'string' ? flags['url'] : deribitUrl(network);
      const session = new DeribitPrivateClient({ onNotification: () => undefined }, { url, credentials, authWaitMs: timeoutMs, requestTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs });
      session.start();
      let account: DeribitAccount;
      try {
        try {
          await session.ready();
        } catch (error) {
          throw venueErrorOf(error, `Deribit ${network} authentication at ${url}`);
        }
        account = await loadDeribitAccount((method, params) => session.call(method, params), currencies, epochMs(Date.now()));
      } finally {
        session.stop();
      }
      if (format === 'json') console.log(JSON.stringify({ network, ...account, book: bookRows(account) }, null, 2));
      else if (format === 'csv') process.stdout.write(accountCsv(account));
      else console.log(accountText(account));
      for (const problem of account.problems) console.error(`deribit-account: ${problem}`);
      return account.currencies.length > 0 ? 0 : 1;
    },
  },
};
