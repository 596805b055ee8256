import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Db } from '../../src-main/store/database';
import { InstrumentRepository } from '../../src-main/store/instruments';
import { EXPIRY_A, optionDef, perpetualDef } from '../helpers/market';
import { makeTempDir } from '../helpers/tmp';

let tmp: { dir: string; remove: () => void };
let db: Db;

beforeEach(() => {
  tmp = makeTempDir();
  db = openDatabase(path.join(tmp.dir, 'i.db'));
});
afterEach(() => {
  db.close();
  tmp.remove();
});

describe('InstrumentRepository', () => {
  it('inserts definitions with their fees, source and time', () => {
    const repo = new InstrumentRepository(db);
    repo.upsertMany([optionDef('BTC', EXPIRY_A, 100_000, 'put'), perpetualDef('BTC')], 'demo', 1234);
    expect(repo.count()).toBe(2);
    expect(db.prepare("SELECT * FROM instruments WHERE name = 'BTC-25DEC26-100000-P'").get()).toEqual({
      name: 'BTC-25DEC26-100000-P',
      currency: 'BTC',
      kind: 'option',
      settlement: 'inverse',
      expiry_ms: EXPIRY_A,
      strike_usd: 100_000,
      option_type: 'put',
      contract_size: 1,
      tick_size: 0.0001,
      min_trade_amount: 0.1,
      maker_commission: 0.0003,
      taker_commission: 0.0003,
      source: 'demo',
      updated_ms: 1234,
    });
    expect(db.prepare("SELECT expiry_ms, strike_usd, option_type FROM instruments WHERE name = 'BTC-PERPETUAL'").get()).toEqual({
      expiry_ms: null,
      strike_usd: null,
      option_type: null,
    });
  });

  it('upserts: a second sighting updates the row instead of adding one', () => {
    const repo = new InstrumentRepository(db);
    const def = optionDef('BTC', EXPIRY_A, 100_000, 'call');
    repo.upsertMany([def], 'demo', 1);
    repo.upsertMany([{ ...def, takerCommission: 0.0005 }], 'deribit', 2);
    expect(repo.count()).toBe(1);
    expect(db.prepare('SELECT taker_commission, source, updated_ms FROM instruments').get()).toEqual({
      taker_commission: 0.0005,
      source: 'deribit',
      updated_ms: 2,
    });
  });

  it('an invalid definition rolls back the whole batch', () => {
    const repo = new InstrumentRepository(db);
    const bad = { ...optionDef('BTC', EXPIRY_A, 90_000, 'call'), kind: 'swap' as never };
    expect(() => repo.upsertMany([optionDef('BTC', EXPIRY_A, 80_000, 'call'), bad], 'demo', 1)).toThrow(/CHECK/);
    expect(repo.count()).toBe(0);
    repo.upsertMany([], 'demo', 1);
    expect(repo.count()).toBe(0);
  });
});
