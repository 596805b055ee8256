/**
 * `gammadesk deribit-pme`: Deribit's own portfolio-margin evaluation of the account's positions
 * (`private/pme/simulate`, scope `account:read`), saved as the JSON-RPC reply for `gammadesk margin … --compare`.
 * The key comes from GAMMADESK_DERIBIT_CLIENT_ID / GAMMADESK_DERIBIT_CLIENT_SECRET, as for `deribit-account`; the
 * reply is validated (feeds/deribit/pmeParse.ts) before it is written, and IM / MM are printed on stderr.
 *
 * Offline comparison of the account: `deribit-account --format csv > book.csv`, `deribit-pme --currency BTC --out
 * pme.json`, then `margin --positions book.csv --chain CHAIN --compare pme.json`.
 */
import { writeFileSync } from 'node:fs';
import { venueErrorOf } from '../../app/execution/deribitVenue';
import { EnvSecretStore, ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../../app/secrets';
import { deribitUrl } from '../../feeds/deribit/client';
import { parsePmeSimulate, pmeSimulateParams } from '../../feeds/deribit/pmeParse';
import { DeribitPrivateClient } from '../../feeds/deribit/privateClient';
import { UsageError, type FlagSpec, type ParsedArgs } from '../args';
import { parsed, type CommandTable } from '../command';
import { parseDuration } from '../progress';

/** The currency and network asked for; a UsageError (exit 2) names a wrong one. */
function pmeArguments(positionals: readonly string[], flags: ParsedArgs['flags']): { currency: 'BTC' | 'ETH'; network: 'testnet' | 'mainnet' } {
  if (positionals.length > 0) throw new UsageError(`deribit-pme takes no arguments, got ${positionals.join(' ')}`);
  const currency = String(flags['currency'] ?? '').toUpperCase();
  if (currency !== 'BTC' && currency !== 'ETH') throw new UsageError(`--currency must be BTC or ETH, got ${String(flags['currency'])}`);
  const network = flags['network'] ?? 'testnet';
  if (network === 'testnet' || network === 'mainnet') return { currency, network };
  throw new UsageError(`--network must be testnet or mainnet, got ${String(network)}`);
}

/** The command's options (all take a value). */
const PME_FLAGS: [string, string][] = [
  ['currency', 'BTC or ETH: the settlement currency evaluated'],
  ['out', 'write the reply here (default: stdout)'],
  ['network', "the account's network: testnet (default) or mainnet"],
  ['url', 'WebSocket endpoint instead of the network’s (a local mock server)'],
  ['timeout', 'give up after this long (default 15s)'],
];

export const PME_COMMANDS: CommandTable = {
  'deribit-pme': {
    summary: "Deribit's portfolio margin of the account's positions (private/pme/simulate), saved for margin --compare",
    usage: `gammadesk deribit-pme --currency BTC|ETH [--network testnet|mainnet] [--out FILE.json] [--timeout 15s]   (key: ${ENV_CLIENT_ID}, ${ENV_CLIENT_SECRET})`,
    flags: Object.fromEntries(PME_FLAGS.map(([name, description]) => [name, { type: 'string', description }])) as Record<string, FlagSpec>,
    async run({ positionals, flags }) {
      const { currency, network } = pmeArguments(positionals, flags);
      const waitMs = typeof flags['timeout'] === 'string' ? parsed('timeout', parseDuration, flags['timeout']) : 15_000;
      const credentials = new EnvSecretStore().deribitCredentials();
      if (credentials === null) throw new Error(`no Deribit API key: set ${ENV_CLIENT_ID} and ${ENV_CLIENT_SECRET}`);
      const endpoint = typeof flags['url'] === 'string' ? flags['url'] : deribitUrl(network);
      const client = new DeribitPrivateClient({ onNotification: () => undefined }, { url: endpoint, credentials, authWaitMs: waitMs, requestTimeoutMs: waitMs, connectTimeoutMs: waitMs });
      client.start();
      let result: unknown;
      try {
        result = await client.call('private/pme/simulate', pmeSimulateParams(currency, null));
      } catch (error) {
        throw venueErrorOf(error, `Deribit ${network} private/pme/simulate ${currency} at ${endpoint}`);
      } finally {
        client.stop();
      }
      const checked = parsePmeSimulate(result, currency);
      if (!checked.ok) throw new Error(`Deribit's pme/simulate reply was refused: ${checked.error.message}`);
      const text = JSON.stringify({ jsonrpc: '2.0', result }, null, 2) + '\n';
      if (typeof flags['out'] === 'string') writeFileSync(flags['out'], text);
      else process.stdout.write(text);
      const m = checked.value.margins;
      console.error(`deribit-pme: ${currency} IM ${m.initialMargin} MM ${m.maintenanceMargin} (${Object.keys(checked.value.initial).length} instruments)`);
      return 0;
    },
  },
};
