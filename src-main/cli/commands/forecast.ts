/**
 * `gammadesk forecast`: realized-volatility forecasts from a price file (the layouts of shared/data: a time column
 * and a close column, newest-first or not, .csv or .csv.gz). Prints the fitted parameters of the chosen model
 * (GARCH omega, alpha, beta and log-likelihood; HAR coefficients; ...), its forecast of the annualized vol over the
 * horizon, and with --evaluate the out-of-sample table of every model at 1, 7 and 30 days. Bad rows are reported
 * on stderr as FILE:LINE and skipped. The numerics are src-main/core/forecast; this file only reads files and prints.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type DailyHistory, FORECAST_MODELS, FORECAST_HORIZONS, type ForecastModel, forecastFromHistory } from '../../core/forecast/models';
import { evaluateOutOfSample, outOfSampleTable } from '../../core/forecast/outOfSample';
import { type PriceSeries, dailyRealizedVariance, parsePriceCsv, parsePriceTime } from '../../core/forecast/prices';
import { alignByDay } from '../../core/forecast/vrp';
import { Rng } from '../../core/random';
import { volFromPercent } from '../../core/units';
import { type FlagSpec, intFlag, UsageError } from '../args';
import { parsed, type CommandTable } from '../command';

function readPriceFile(file: string, closeColumn: string | undefined): PriceSeries {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  try {
    return parsePriceCsv(text, closeColumn !== undefined ? { closeColumn } : {});
  } catch (error) {
    const hint = closeColumn === undefined && /no close column/.test((error as Error).message) ? '; name it with --close COLUMN' : '';
    throw new Error(`${file}: ${(error as Error).message}${hint}`, { cause: error });
  }
}

/** An implied-vol file: DVOL daily (`close` in percent) or hourly (`iv` as a decimal); the last value of each day. */
function readImpliedVolFile(file: string): { times: number[]; vols: number[] } {
  let header = '';
  try {
    header = readFileSync(file).subarray(0, 200).toString('utf8');
  } catch {
    // readPriceFile reports the missing file.
  }
  const isDecimal = /(^|,)iv(,|\r?\n)/.test(header.split(/\r?\n/)[0] + '\n');
  const series = readPriceFile(file, isDecimal ? 'iv' : undefined);
  reportBadRows(file, series);
  return { times: series.times, vols: isDecimal ? series.closes : series.closes.map((c) => volFromPercent(c)) };
}

function reportBadRows(file: string, series: PriceSeries): void {
  for (const error of series.errors) console.error(`${file}:${error.line}: skipped: ${error.message}`);
}

const parseHorizon = (text: string): number => {
  const match = /^(\d+)d$/.exec(text);
  const days = match ? Number(match[1]) : Number.NaN;
  if (!FORECAST_HORIZONS.includes(days)) throw new Error(`must be one of ${FORECAST_HORIZONS.map((h) => `${h}d`).join(', ')}, got ${text}`);
  return days;
};

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const FORECAST_USAGE =
  'gammadesk forecast --prices FILE --model ewma|garch|har|learned --horizon 1d|7d|30d [--format json] [--evaluate]\n' +
  '       [--close COLUMN] [--iv DVOL-FILE] [--test-from YYYY-MM-DD] [--trim N] [--seed N]';

/** The flags of `forecast`. */
const FORECAST_FLAGS: Record<string, FlagSpec> = {
  prices: { type: 'string', description: 'price file (.csv or .csv.gz): a time column (unix, timestamp or date) and a close column' },
  model: { type: 'string', description: 'ewma (RiskMetrics 0.94), garch (GARCH(1,1) MLE), har (HAR-RV) or learned (boosted trees)' },
  horizon: { type: 'string', description: '1d, 7d or 30d: the forecast is the annualized vol over the next h days' },
  format: { type: 'string', description: 'text (default) or json' },
  evaluate: { type: 'boolean', description: 'also evaluate every model out of sample at 1, 7 and 30 days (QLIKE, MSE, Diebold-Mariano vs HAR)' },
  close: { type: 'string', description: 'the close column when it is not called close (e.g. ETH:close in the wide Bitstamp file)' },
  iv: { type: 'string', description: 'implied-vol file aligned by day for the learned model (DVOL daily: close in percent; hourly: iv as a decimal)' },
  'test-from': { type: 'string', description: 'first out-of-sample day (default: the last 30 % of the days)' },
  seed: { type: 'string', description: 'seed of the learned model\'s row subsampling (default 2026)' },
  trim: { type: 'string', description: 'leave out the first and last N days (the HAR reference drops 1: its first and last full day)' },
};

export const forecastCommands: CommandTable = {
  forecast: {
    summary: 'realized-volatility forecast (EWMA, GARCH, HAR, learned) from a price file, with an out-of-sample evaluation',
    usage: FORECAST_USAGE,
    flags: FORECAST_FLAGS,
    async run({ positionals, flags }) {
      if (positionals.length > 0) throw new UsageError(`forecast takes no positional arguments, got ${positionals.join(' ')}`);
      const file = flags['prices'];
      if (typeof file !== 'string') throw new UsageError('--prices FILE is required');
      const model = flags['model'];
      if (typeof model !== 'string' || !FORECAST_MODELS.includes(model as ForecastModel)) {
        throw new UsageError(`--model must be ${FORECAST_MODELS.join(', ')}, got ${model === undefined ? 'nothing' : String(model)}`);
      }
      if (typeof flags['horizon'] !== 'string') throw new UsageError('--horizon 1d|7d|30d is required');
      const horizon = parsed('horizon', parseHorizon, flags['horizon']);
      const format = flags['format'] ?? 'text';
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got ${String(format)}`);
      const testFrom = typeof flags['test-from'] === 'string' ? parsed('test-from', parsePriceTime, flags['test-from']) : undefined;
      const rawSeed = flags['seed'] ?? '2026';
      if (typeof rawSeed !== 'string' || !/^\d+$/.test(rawSeed)) throw new UsageError(`--seed must be a whole number, got ${String(rawSeed)}`);

      const series = readPriceFile(file, typeof flags['close'] === 'string' ? flags['close'] : undefined);
      reportBadRows(file, series);
      const trim = intFlag(flags, 'trim', { min: 0, max: 10_000 }) ?? 0;
      const all = dailyRealizedVariance(series);
      const keep = <T>(values: readonly T[]): T[] => values.slice(trim, Math.max(trim, values.length - trim));
      const daily = { ...all, dayMs: keep(all.dayMs), variance: keep(all.variance), dailyReturn: keep(all.dailyReturn) };
      const history: DailyHistory = { dayMs: daily.dayMs, variance: daily.variance, dailyReturn: daily.dailyReturn };
      if (typeof flags['iv'] === 'string') {
        const iv = readImpliedVolFile(flags['iv']);
        history.impliedVol = alignByDay(daily.dayMs, iv.times, iv.vols);
      }
      const rng = new Rng(Number(rawSeed));
      const forecast = forecastFromHistory(history, model as ForecastModel, horizon, rng);
      let evaluation = null;
      if (flags['evaluate'] === true) {
        const firstDay = testFrom !== undefined ? daily.dayMs.findIndex((d) => d >= testFrom) : Math.floor(daily.dayMs.length * 0.7);
        if (firstDay < 0) throw new UsageError(`--test-from ${String(flags['test-from'])} is after the last day ${day(daily.dayMs.at(-1)!)}`);
        evaluation = evaluateOutOfSample(history, { horizons: FORECAST_HORIZONS, firstDay }, new Rng(Number(rawSeed)));
      }
      const input = {
        file,
        rows_read: series.rowsRead,
        bad_rows: series.errors.length,
        empty_closes: series.emptyCloses,
        time_column: series.timeColumn,
        close_column: series.closeColumn,
        interval_ms: series.intervalMs,
        realized_variance: daily.source === 'intraday' ? 'sum of squared intraday log returns per UTC day (complete days only)' : 'squared daily log return',
        days: daily.dayMs.length,
        trimmed_days: all.dayMs.length - daily.dayMs.length,
        first_day: daily.dayMs.length > 0 ? day(daily.dayMs[0]!) : null,
        last_day: daily.dayMs.length > 0 ? day(daily.dayMs.at(-1)!) : null,
        incomplete_days: daily.incompleteDays,
        gaps: daily.gaps,
      };
      if (format === 'json') {
        const { asOfDayMs, ...rest } = forecast;
        console.log(JSON.stringify({ input, forecast: { as_of_day: day(asOfDayMs), ...rest }, evaluation }, null, 2));
        return forecast.vol === null ? 1 : 0;
      }
      console.log(`${file}: ${input.days} days ${input.first_day}..${input.last_day} (${input.rows_read} rows, ${input.bad_rows} bad${input.gaps > 0 ? `, ${input.gaps} gap${input.gaps > 1 ? 's' : ''}` : ''}${input.incomplete_days > 0 ? `, ${input.incomplete_days} incomplete days left out` : ''}; realized variance = ${input.realized_variance})`);
      console.log(`model ${model}, fitted on all ${input.days} days:`);
      for (const [name, value] of Object.entries(forecast.parameters)) console.log(`  ${name} = ${typeof value === 'number' ? Number(value.toPrecision(10)) : String(value)}`);
      if (forecast.vol === null) console.log(`forecast: not available — ${forecast.reason}`);
      else console.log(`forecast from ${day(forecast.asOfDayMs)}: realized vol over the next ${horizon}d = ${(100 * forecast.vol).toFixed(2)} % annualized (mean daily variance ${forecast.meanDailyVariance!.toExponential(4)})`);
      if (evaluation) console.log(`\n${outOfSampleTable(evaluation)}`);
      return forecast.vol === null ? 1 : 0;
    },
  },
};
