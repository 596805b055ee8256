/** What the forecast evaluation of a price file gives the UI (workers/forecastEvaluateTask.ts computes it). */
import type { ForecastReport } from './models';
import type { OutOfSampleReport } from './outOfSample';

export interface ForecastEvaluateResult {
  name: string;
  rowsRead: number;
  badRows: { line: number; reason: string }[];
  days: number;
  firstDayMs: number | null;
  lastDayMs: number | null;
  realizedVariance: 'intraday' | 'daily';
  /** Each model's forecast of the realized vol over each horizon, fitted on every day of the file. */
  forecasts: Pick<ForecastReport, 'model' | 'horizonDays' | 'vol' | 'reason'>[];
  evaluation: OutOfSampleReport | null;
  /** Why there is no evaluation (too few days), or null. */
  evaluationReason: string | null;
}

