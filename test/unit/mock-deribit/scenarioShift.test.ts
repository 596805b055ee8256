/**
 * The mock Deribit scenario shifted to the present (test/mock-deribit/scenario.ts, `shiftToMs`): whole weeks, so
 * expiry weekdays and 08:00 UTC stay; every name renamed consistently (no recorded date code left); every price,
 * IV, greek and amount as recorded; and without a shift, nothing changes.
 */
import { describe, expect, it } from 'vitest';
import { formatExpiryCode } from '../../../src-main/core/market/expiryCode';
import { parseInstrumentName } from '../../../src-main/core/pricing/instrument';
import { parseInstruments } from '../../../src-main/feeds/deribit/parse';
import {
  buildScenario,
  EXPIRED_OPTION,
  NEW_OPTION,
  newOptionInstrument,
  recorded,
  RECORDED_NOW_MS,
  RECORDED_OPTIONS,
  recordedBooks,
  recordedInstruments,
  scenarioShift,
} from '../../mock-deribit/scenario';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Date codes as they appear in names (`-5JUN20-`, `.BTC-5JUN20`), not inside longer tokens. */
const CODE = /(?<![A-Za-z0-9])[0-9]{1,2}[A-Z]{3}[0-9]{2}(?![A-Za-z0-9])/g;
const TIME_KEYS = new Set(['timestamp', 'creation_timestamp', 'expiration_timestamp']);

const everything = (shiftToMs?: number): unknown => {
  const options = shiftToMs === undefined ? {} : { shiftToMs };
  return {
    instruments: recordedInstruments(options),
    books: recordedBooks(options),
    newOption: newOptionInstrument(options),
    scenario: buildScenario({
      rounds: 3,
      ...options,
      faultsAfterRound: {
        1: [
          { kind: 'raw', text: '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-5JUN20-9250-C.100ms","data":{' },
          { kind: 'delist', instrument: 'ETH-10JUN20-270-C' },
        ],
      },
    }),
  };
};

/** Walks two JSON values in parallel and reports every leaf that differs, with its key. */
function differences(a: unknown, b: unknown, key: string | null, out: { key: string | null; a: unknown; b: unknown }[]): void {
  if (Array.isArray(a)) {
    expect(Array.isArray(b)).toBe(true);
    expect((b as unknown[]).length).toBe(a.length);
    a.forEach((item, i) => differences(item, (b as unknown[])[i], null, out));
  } else if (typeof a === 'object' && a !== null) {
    const ea = Object.entries(a);
    const eb = Object.entries(b as object);
    expect(eb.length).toBe(ea.length);
    ea.forEach(([k, v], i) => {
      const [kb, vb] = eb[i]!;
      if (kb !== k) out.push({ key: null, a: k, b: kb }); // a renamed object key (book instrument names)
      differences(v, vb, k, out);
    });
  } else if (a !== b) {
    out.push({ key, a, b });
  }
}

// Two weeks of "now"s, every 5 hours (all weekdays and times of day), plus the real clock.
const NOWS = [...Array.from({ length: 68 }, (_, i) => Date.UTC(2026, 10, 16, 0, 17) + i * 5 * 3_600_000), Date.now()];

describe('the mock Deribit scenario shifted to the present', () => {
  it('changes nothing without a shift', () => {
    expect(buildScenario({ rounds: 2 })).toEqual(buildScenario({ rounds: 2, shiftToMs: undefined }));
    const json = JSON.stringify(everything());
    expect(json).toContain('ticker.BTC-5JUN20-9250-C.100ms');
    expect(json).toContain('"underlying_index":"SYN.BTC-5JUN20"');
  });

  it.each(NOWS)('shifts by whole weeks, puts the first expiry 1–8 days ahead and keeps weekdays and 08:00 UTC (now %i)', (now) => {
    const shift = scenarioShift(now);
    expect(shift.offsetMs).toBe(shift.weeks * WEEK);
    expect(Number.isInteger(shift.weeks)).toBe(true);
    expect(shift.nowMs).toBe(RECORDED_NOW_MS + shift.offsetMs);
    // The recorded now lands at or before `now` (the largest such shift), or a week later when that would have left
    // the first expiry (Friday 2020-06-05 08:00 UTC, shifted) less than a day ahead.
    const atOrBefore = Math.floor((now - RECORDED_NOW_MS) / WEEK);
    expect([atOrBefore, atOrBefore + 1]).toContain(shift.weeks);
    if (shift.weeks === atOrBefore) expect(shift.nowMs).toBeLessThanOrEqual(now);
    else expect(Date.UTC(2020, 5, 5, 8) + atOrBefore * WEEK).toBeLessThan(now + DAY);
    expect(shift.nowMs).toBeGreaterThan(now - 3.4 * DAY);
    expect(shift.nowMs).toBeLessThan(now + 3.7 * DAY);

    const recordedByName = new Map(recordedInstruments().map((i) => [i.instrument_name, i]));
    const shifted = recordedInstruments({ shiftToMs: now });
    const options = shifted.filter((i) => i.kind === 'option');
    expect(options).toHaveLength(RECORDED_OPTIONS.length + 1);
    for (const [index, instrument] of shifted.entries()) {
      const original = [...recordedByName.values()][index]!;
      if (instrument.kind !== 'option') {
        expect(instrument.instrument_name).toBe(original.instrument_name); // perpetuals keep their names...
        expect(instrument.expiration_timestamp).toBe(original.expiration_timestamp); // ...and their year-3000 expiry
        continue;
      }
      const expiry = instrument.expiration_timestamp as number;
      const recordedExpiry = original.expiration_timestamp as number;
      expect(expiry - recordedExpiry).toBe(shift.offsetMs);
      expect(new Date(expiry).getUTCDay()).toBe(new Date(recordedExpiry).getUTCDay());
      expect(new Date(expiry).toISOString().slice(11)).toBe('08:00:00.000Z');
      expect(expiry).toBeGreaterThan(now + DAY);
      expect(instrument.creation_timestamp).toBe((original.creation_timestamp as number) + shift.offsetMs);
      // The name says the same expiry, strike and type.
      const parsed = parseInstrumentName(instrument.instrument_name);
      const parsedOriginal = parseInstrumentName(original.instrument_name);
      expect(parsed).toMatchObject({ kind: 'option', expiryMs: expiry, expiryCode: formatExpiryCode(expiry) });
      expect(parsed).toMatchObject({ currency: parsedOriginal.currency, strike: (parsedOriginal as { strike: number }).strike, optionType: (parsedOriginal as { optionType: string }).optionType });
      expect(instrument.instrument_name).toBe(shift.name(original.instrument_name));
    }
    // The first recorded expiry (5JUN20, a Friday) is between one and eight days ahead.
    const first = Math.min(...options.map((i) => i.expiration_timestamp as number));
    expect(new Date(first).getUTCDay()).toBe(5);
    expect(first - now).toBeGreaterThanOrEqual(DAY);
    expect(first - now).toBeLessThan(8 * DAY);
  });

  it('renames every name consistently and leaves no recorded date code anywhere', () => {
    const now = Date.now();
    const shift = scenarioShift(now);
    const before = JSON.stringify(everything());
    const after = JSON.stringify(everything(now));
    const oldCodes = new Set(before.match(CODE));
    expect([...oldCodes].sort()).toEqual(['10JUN20', '5JUN20', '8JUN20']);
    const newCodes = new Set(after.match(CODE));
    for (const code of oldCodes) expect(after).not.toMatch(new RegExp(`(?<![A-Za-z0-9])${code}(?![A-Za-z0-9])`));
    expect([...newCodes].sort()).toEqual([...oldCodes].map((code) => shift.name(`BTC-${code}`).slice(4)).sort());

    const steps = buildScenario({ rounds: 2, shiftToMs: now });
    const instrumentNames = new Set(recordedInstruments({ shiftToMs: now }).map((i) => i.instrument_name));
    for (const step of steps) {
      if (step.kind !== 'notify') continue;
      for (const item of [step.data].flat() as Record<string, unknown>[]) {
        const name = item.instrument_name as string | undefined;
        if (name === undefined) continue;
        expect(instrumentNames.has(name)).toBe(true);
        // A ticker's channel names its instrument, and an option's underlying index names its expiry.
        if (step.channel.startsWith('ticker.')) expect(step.channel).toBe(`ticker.${name}.100ms`);
        if (typeof item.underlying_index === 'string') {
          const parsed = parseInstrumentName(name) as { currency: string; expiryCode: string };
          expect(item.underlying_index).toBe(`SYN.${parsed.currency}-${parsed.expiryCode}`);
        }
      }
    }
    expect(steps.some((s) => s.kind === 'notify' && s.channel === `ticker.${shift.name(EXPIRED_OPTION)}.100ms`)).toBe(true);
    expect(newOptionInstrument({ shiftToMs: now }).instrument_name).toBe(shift.name(NEW_OPTION));
    // Combos and linear options: the date code shifts in place, the rest of the name stays.
    expect(shift.name('ticker.BTC-STRD-30SEP22-20000.raw')).toMatch(/^ticker\.BTC-STRD-[0-9]{1,2}[A-Z]{3}[0-9]{2}-20000\.raw$/);
    expect(shift.name('MATIC_USDC-9MAR24-1d02-C')).toMatch(/^MATIC_USDC-[0-9]{1,2}[A-Z]{3}[0-9]{2}-1d02-C$/);
    expect(shift.name('BTC-PERPETUAL')).toBe('BTC-PERPETUAL');
    expect(JSON.stringify(recorded('ticker.BTC-CSR12-16SEP22-21000_23000.raw', { shiftToMs: now }))).not.toContain('16SEP22');
  });

  it('moves only times and names: prices, IVs, greeks, amounts, ids and shapes stay as recorded', () => {
    const now = Date.now();
    const shift = scenarioShift(now);
    const diffs: { key: string | null; a: unknown; b: unknown }[] = [];
    differences(everything(), everything(now), null, diffs);
    expect(diffs.length).toBeGreaterThan(0);
    for (const { key, a, b } of diffs) {
      if (typeof a === 'number') {
        // Only times move, by exactly the shift; `timestamp: 0` placeholders and numbers elsewhere never differ.
        expect(TIME_KEYS.has(key ?? '')).toBe(true);
        expect((b as number) - a).toBe(shift.offsetMs);
      } else {
        expect(typeof a).toBe('string');
        expect(b).toBe(shift.name(a as string));
        expect(a).toMatch(CODE); // only strings with a date code in them change
      }
    }
    // Spot checks on the recorded BTC-5JUN20-9250-C ticker.
    const ticker = buildScenario({ rounds: 1, shiftToMs: now }).find((s) => s.kind === 'notify' && s.channel === `ticker.${shift.name('BTC-5JUN20-9250-C')}.100ms`);
    expect(ticker?.kind === 'notify' && ticker.data).toMatchObject({
      underlying_price: 9440.73,
      mark_iv: 63.21,
      index_price: 9434.36,
      estimated_delivery_price: 9434.36,
      greeks: { vega: 3.88497, theta: -28.34113, rho: 0.66242, gamma: 0.00058, delta: 0.62959 },
      best_bid_price: 0.0365,
      best_ask_price: 0.04,
      open_interest: 533.2,
      timestamp: RECORDED_NOW_MS + shift.offsetMs,
    });
    expect(recordedBooks({ shiftToMs: now })).toEqual(recordedBooks());
  });

  it('gives instruments the live adapter accepts, expiring in the future', () => {
    const now = Date.now();
    const parsed = parseInstruments(recordedInstruments({ shiftToMs: now }), now);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.events).toHaveLength(6);
    for (const event of parsed.events) {
      if (event.instrument.kind === 'option') expect(event.instrument.expiryMs).toBeGreaterThan(now + DAY);
    }
  });
});
