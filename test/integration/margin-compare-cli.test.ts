/**
 * `gammadesk margin --compare RESPONSE.json` through the CLI's `main`: the replica against a saved pme/simulate
 * response. The responses are Deribit's two published ones (../shared/reference/deribit_margin_cases.json, put
 * back together by test/mock-deribit/pmeReference.ts at run time); the books are theirs (base-currency sizes ×
 * the response's mark = the USD quantities of a positions CSV); the chain file is one option row at the
 * response's time (the index and delta-one marks come from the response). Expected: every difference 0 to the
 * published digits; a wrong or foreign file is refused naming the file and the reason.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../../src-main/app/secrets';
import { main } from '../../src-main/cli/main';
import { pmeReferenceCases, type PmeReferenceCase } from '../mock-deribit/pmeReference';
import { makeTempDir } from '../helpers/tmp';
import { usePmeMock } from '../helpers/pmeMock';

const temp = makeTempDir('gammadesk-pme-');
afterAll(() => temp.remove());
afterEach(() => vi.restoreAllMocks());

function capture(): { out: string[]; err: string[] } {
  const printed = { out: [] as string[], err: [] as string[] };
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.err.push(args.join(' ')));
  return printed;
}

/** A positions CSV, a one-row chain file and the saved response of a reference case. */
function files(c: PmeReferenceCase, envelope: boolean): { positions: string; chain: string; response: string } {
  const marks = c.result['ticker'] as Record<string, { mark_price: number }>;
  const index = (c.result['index_price'] as Record<string, number>)[`${c.currency.toLowerCase()}_usd`]!;
  const positions = join(temp.dir, `${c.id}.csv`);
  writeFileSync(positions, ['instrument,quantity,average_price,price_currency', ...Object.entries(c.positions).map(([name, size]) => `${name},${size * marks[name]!.mark_price},${marks[name]!.mark_price},USD`)].join('\n') + '\n');
  // One call 30 days out (not in the book): the chain file gives the as-of time.
  const at = new Date(c.atMs).toISOString().replace('Z', '+00:00');
  const expiry = new Date(Date.UTC(new Date(c.atMs).getUTCFullYear(), new Date(c.atMs).getUTCMonth() + 1, 1, 8));
  const day = expiry.getUTCDate();
  const month = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][expiry.getUTCMonth()]!;
  const name = `${c.currency}-${day}${month}${String(expiry.getUTCFullYear()).slice(2)}-${Math.round(index / 100) * 100}-C`;
  const chain = join(temp.dir, `${c.id}-chain.csv`);
  writeFileSync(chain, [
    'timestamp,instrument_name,underlying,underlying_name,option_type,strike,expiry_datetime,time_to_maturity,bid_price,ask_price,mark_price,mid_price,futures_price,futures_instrument_name,implied_volatility,delta,vega,open_interest,volume,bid_ask_spread,currency,index_price,volume_usd',
    `${at},${name},${index},SYN.${name},call,${Math.round(index / 100) * 100},${expiry.toISOString().replace('.000Z', '+00:00')},0.08,0.05,0.06,0.055,0.055,${index},SYN,0.5,0.5,10,1,1,0.01,${c.currency},${index},1`,
  ].join('\n') + '\n');
  const response = join(temp.dir, `${c.id}-response.json`);
  writeFileSync(response, JSON.stringify(envelope ? { jsonrpc: '2.0', id: 2255, result: c.result } : c.result));
  return { positions, chain, response };
}

interface Difference { replica: number; deribit: number; diff: number; percent: number | null }
interface Report {
  margins: {
    currency: string;
    initial_margin: number;
    comparison: {
      params_source: string;
      standard: Difference[];
      extended: Difference[];
      margins: Record<string, Difference>;
      worst_case_bucket: { same: boolean };
      instruments: { instrument: string; max_abs_diff: number | null; reason: string | null }[];
      largest: { label: string; diff: number };
    };
  }[];
  notes: string[];
}

describe('gammadesk margin --compare', () => {
  it.each(pmeReferenceCases().map((c, i) => [c.id, c, i === 0] as const))('%s: zero differences to the published digits', async (_, c, envelope) => {
    const f = files(c, envelope);
    const printed = capture();
    expect(await main(['margin', '--positions', f.positions, '--chain', f.chain, '--compare', f.response])).toBe(0);
    const report = JSON.parse(printed.out.join('\n')) as Report;
    const m = report.margins[0]!;
    expect(m.currency).toBe(c.currency);
    const cmp = m.comparison;
    expect(cmp.params_source).toMatch(/^the response's model_params/);
    expect(cmp.standard).toHaveLength(27);
    expect(cmp.extended).toHaveLength(8);
    for (const d of [...cmp.standard, ...cmp.extended]) expect(Math.abs(d.diff)).toBeLessThanOrEqual(1e-17 + 1e-15 * Math.abs(d.deribit));
    // IM is published to 9 dp: equal; MM and the risk-matrix margin to 12, roll shock to 11.
    expect(cmp.margins['initial_margin']!.diff).toBe(0);
    expect(Math.abs(cmp.margins['maintenance_margin']!.diff)).toBeLessThan(5e-13);
    expect(Math.abs(cmp.margins['risk_matrix_margin']!.diff)).toBeLessThan(5e-13);
    expect(Math.abs(cmp.margins['roll_shock']!.diff)).toBeLessThan(5e-12);
    expect(cmp.worst_case_bucket.same).toBe(true);
    expect(cmp.instruments.every((i) => i.reason === null && i.max_abs_diff! < 1e-15)).toBe(true);
    expect(report.notes.some((n) => n.includes("marked at the compared response's ticker mark price"))).toBe(true);
  });

  it('--params instead of the response\'s model_params shows the differences they make', async () => {
    const c = pmeReferenceCases()[1]!; // ETH, price_range 0.18
    const f = files(c, false);
    const params = join(temp.dir, 'range16.json');
    writeFileSync(params, JSON.stringify({ ETH: { priceRange: 0.16 } }));
    const printed = capture();
    expect(await main(['margin', '--positions', f.positions, '--chain', f.chain, '--compare', f.response, '--params', params])).toBe(0);
    const cmp = (JSON.parse(printed.out.join('\n')) as Report).margins[0]!.comparison;
    expect(cmp.params_source).toBe('--params range16.json');
    // Entry 26 (+range, vol down): size × m/(1 + m) at +16 % against Deribit's at +18 %.
    const size = c.positions['ETH-PERPETUAL']!;
    expect(cmp.standard[26]!.diff).toBeCloseTo((size * 0.16) / 1.16 - (size * 0.18) / 1.18, 9);
    expect(cmp.margins['initial_margin']!.diff).toBeLessThan(0);
  });

  it('refuses a file that is not a pme/simulate response, naming it', async () => {
    const c = pmeReferenceCases()[0]!;
    const f = files(c, false);
    const bad = join(temp.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ margins: { btc: { initial_margin: 1 } } }));
    const printed = capture();
    expect(await main(['margin', '--positions', f.positions, '--chain', f.chain, '--compare', bad])).toBe(1);
    expect(printed.err.join('\n')).toMatch(/--compare .*bad\.json: invalid_field at result\.initial_risk_vectors: expected an object/);
    const other = join(temp.dir, 'other.json');
    writeFileSync(other, '{"jsonrpc":"2.0","result":{}}');
    expect(await main(['margin', '--positions', f.positions, '--chain', f.chain, '--compare', other])).toBe(1);
    expect(printed.err.join('\n')).toContain('not a pme/simulate result (no margins.btc or margins.eth)');
  });
});

describe('gammadesk deribit-pme', () => {
  // The mock account holds the ETH capture's position (−1948 USD of ETH-PERPETUAL = −0.999487053 ETH, Deribit's
  // `size_currency`); its exchange answers pme/simulate for exactly that book with the captured response.
  const eth = pmeReferenceCases().find((c) => c.currency === 'ETH')!;
  const mock = usePmeMock([
    { instrument_name: 'ETH-PERPETUAL', kind: 'future', direction: 'sell', size: -1948, size_currency: eth.positions['ETH-PERPETUAL'], average_price: 1949, mark_price: 1949.49, index_price: 1949.34, floating_profit_loss: 0, total_profit_loss: 0, initial_margin: 0, maintenance_margin: 0, delta: eth.positions['ETH-PERPETUAL'] },
  ]);
  afterAll(() => {
    delete process.env[ENV_CLIENT_ID];
    delete process.env[ENV_CLIENT_SECRET];
  });

  it('saves Deribit\'s reply for the account\'s book; margin --compare reads it back to zero differences', async () => {
    process.env[ENV_CLIENT_ID] = 'pme-id';
    process.env[ENV_CLIENT_SECRET] = 'pme-secret';
    const saved = join(temp.dir, 'saved-pme.json');
    const printed = capture();
    expect(await main(['deribit-pme', '--currency', 'eth', '--url', mock.server.url, '--out', saved])).toBe(0);
    expect(printed.err.join('\n')).toContain('deribit-pme: ETH IM 0.157461562 MM 0.125969249812 (1 instruments)');
    const f = files(eth, false);
    expect(await main(['margin', '--positions', f.positions, '--chain', f.chain, '--compare', saved])).toBe(0);
    const cmp = (JSON.parse(printed.out.join('\n')) as Report).margins[0]!.comparison;
    expect(cmp.margins['initial_margin']!.diff).toBe(0);
  });

  it('wrong arguments exit 2; no key exits 1 naming the variables; a refused book exits 1 with Deribit\'s error', async () => {
    const printed = capture();
    expect(await main(['deribit-pme', '--currency', 'SOL'])).toBe(2);
    expect(printed.err.join('\n')).toContain('--currency must be BTC or ETH, got SOL');
    delete process.env[ENV_CLIENT_ID];
    delete process.env[ENV_CLIENT_SECRET];
    expect(await main(['deribit-pme', '--currency', 'ETH', '--url', mock.server.url])).toBe(1);
    expect(printed.err.join('\n')).toContain(`no Deribit API key: set ${ENV_CLIENT_ID} and ${ENV_CLIENT_SECRET}`);
    process.env[ENV_CLIENT_ID] = 'pme-id';
    process.env[ENV_CLIENT_SECRET] = 'pme-secret';
    expect(await main(['deribit-pme', '--currency', 'BTC', '--url', mock.server.url])).toBe(1);
    expect(printed.err.join('\n')).toMatch(/pme\/simulate BTC .*-32602/);
  });
});
