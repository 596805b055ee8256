/**
 * Deribit trading fees for one fill. The rate comes from the instrument data (`maker_commission` /
 * `taker_commission` of `public/get_instruments`, carried in InstrumentDef); only where the source gave none
 * (Tardis files) does the schedule below stand in, and the result says which was used.
 *
 * Source of the schedule and the rules: Deribit's fee page (support.deribit.com, "Fees", as summarized in
 * ../shared/reference/deribit_margin.md section 6, recorded 2026-07-30; the 2026-08-01 tier changes were not
 * published in numbers, which is why the instrument's own commission wins):
 *   - BTC/ETH (inverse) options: 0.03 % of the underlying = 0.0003 coin per contract, maker and taker, capped at
 *     12.5 % of the option price ("a 0.0001 BTC option pays 0.0000125 BTC").
 *   - BTC/ETH futures and perpetuals: maker 0 %, taker 0.05 % of the notional.
 *   - USDC linear options: maker 0.0001 x index, taker 0.0005 x index (USDC per contract), capped at 12.5 % of
 *     the option price like the inverse ones.
 *   - USDC perpetuals: maker 0 %, taker 0.05 %.
 * Delivery and settlement fees, block-trade and combo discounts are not modelled (no fills of those here).
 *
 * Units (Deribit's): inverse options trade in contracts of 1 coin at prices in coin, so fee (coin) =
 * min(rate x amount x contract size, cap x price x amount). Inverse futures trade in USD at USD prices, so the
 * notional in coin is amount / price and fee (coin) = rate x amount / price. Linear instruments trade in coin at
 * USDC prices: fee (USDC) = rate x amount x price, and for options min(rate x index x amount, cap x price x amount).
 * Fees are rounded to 1e-8 of their currency (half away from zero), the unit the ledgers sum in.
 */
import type { InstrumentDef } from '../market/events';

export type Liquidity = 'maker' | 'taker';

/** The schedule as data: fraction of the underlying (options) or of the notional (futures, perpetuals). */
export const DERIBIT_FEE_SCHEDULE = Object.freeze({
  inverse: {
    option: { maker: 0.0003, taker: 0.0003 },
    future: { maker: 0, taker: 0.0005 },
    perpetual: { maker: 0, taker: 0.0005 },
  },
  linear: {
    option: { maker: 0.0001, taker: 0.0005 },
    future: { maker: 0, taker: 0.0005 },
    perpetual: { maker: 0, taker: 0.0005 },
  },
  /** Option fees never exceed this share of the option's price (times the amount). */
  optionCapShareOfPrice: 0.125,
});

export type FeeInstrument = Pick<InstrumentDef, 'name' | 'currency' | 'kind' | 'settlement' | 'contractSize' | 'makerCommission' | 'takerCommission'>;

export type FeeResult =
  | {
      /** In `currency`; negative is a rebate. Rounded to 1e-8. */
      fee: number;
      /** The same fee in integer units of 1e-8 of `currency`. */
      feeE8: number;
      currency: string;
      rate: number;
      rateSource: 'instrument' | 'schedule';
      /** True when the 12.5 % option cap set the fee. */
      capped: boolean;
    }
  | { fee: null; reason: string };

/**
 * The fee of one fill of `amount` at `price` (Deribit units, see the module comment). `indexPrice` (USD) is
 * needed for linear options only.
 */
export function tradeFee(def: FeeInstrument, liquidity: Liquidity, amount: number, price: number, indexPrice: number | null = null): FeeResult {
  if (!(Number.isFinite(amount) && amount > 0)) return { fee: null, reason: `amount must be a positive number, got ${amount}` };
  if (!(Number.isFinite(price) && price > 0)) return { fee: null, reason: `price must be a positive number, got ${price}` };
  const given = liquidity === 'maker' ? def.makerCommission : def.takerCommission;
  const rateSource = given === null ? 'schedule' : 'instrument';
  const rate = given ?? DERIBIT_FEE_SCHEDULE[def.settlement][def.kind][liquidity];
  const cap = DERIBIT_FEE_SCHEDULE.optionCapShareOfPrice * price * amount;
  let fee: number;
  let capped = false;
  let currency: string;
  if (def.settlement === 'inverse') {
    currency = def.currency;
    if (def.kind === 'option') {
      const uncapped = rate * amount * def.contractSize;
      capped = cap < uncapped;
      fee = capped ? cap : uncapped;
    } else fee = (rate * amount) / price;
  } else {
    currency = 'USDC';
    if (def.kind === 'option') {
      if (indexPrice === null || !(indexPrice > 0)) return { fee: null, reason: `${def.name}: a linear option's fee needs the index price, which is not known` };
      const uncapped = rate * indexPrice * amount;
      capped = cap < uncapped;
      fee = capped ? cap : uncapped;
    } else fee = rate * amount * price;
  }
  const feeE8 = roundE8(fee);
  return { fee: feeE8 / 1e8, feeE8, currency, rate, rateSource, capped };
}

/** Rounds to an integer number of 1e-8 units, half away from zero (fixes binary noise such as 45000.000000000001). */
export function roundE8(value: number): number {
  // 12 significant digits drop the noise of the multiplication and keep an exact half a half.
  const scaled = Number((value * 1e8).toPrecision(12));
  const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
  return rounded === 0 ? 0 : rounded;
}
