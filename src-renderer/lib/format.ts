/** Number formatting for the tables: fixed decimals, thin dashes for missing values, units in headers. */
const DASH = '–';

export function fixed(value: number | null | undefined, decimals: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(decimals);
}

export function usd(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A decimal vol as percent: 0.5512 → "55.1". */
export function volPercent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? DASH : (value * 100).toFixed(1);
}

export function integer(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return Math.round(value).toLocaleString('en-US');
}

/** Time to expiry for humans: `17h`, `3.4d`, `182d`. */
export function timeToExpiry(years: number): string {
  const days = years * 365;
  if (days < 1) return `${Math.max(0, Math.round(days * 24))}h`;
  if (days < 10) return `${days.toFixed(1)}d`;
  return `${Math.round(days)}d`;
}

export function utcTime(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString().slice(11, 19) + ' UTC' : DASH;
}

export function utcDateTime(ms: number | null): string {
  return ms !== null && ms > 0 ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' UTC' : DASH;
}

/** A span between two instants: `4m 12s`, `2h 05m`. */
export function duration(fromMs: number | null, toMs: number | null): string {
  if (fromMs === null || toMs === null) return DASH;
  const seconds = Math.max(0, Math.round((toMs - fromMs) / 1000));
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 ** 2) return `${(value / 1024).toFixed(1)} KiB`;
  if (value < 1024 ** 3) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return `${(value / 1024 ** 3).toFixed(2)} GiB`;
}
