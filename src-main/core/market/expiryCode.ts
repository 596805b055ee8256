/**
 * Deribit's expiry date code: day without leading zero, upper-case month, two-digit year (`27DEC26`, `3JAN27`),
 * as used in instrument names. Expiries are at 08:00 UTC on that date.
 */
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

export function formatExpiryCode(expiryMs: number): string {
  const date = new Date(expiryMs);
  const year = String(date.getUTCFullYear() % 100).padStart(2, '0');
  return `${date.getUTCDate()}${MONTHS[date.getUTCMonth()]}${year}`;
}

/** Parses `27DEC26` to 08:00 UTC on that date; null when the code is not a valid date. */
export function parseExpiryCode(code: string): number | null {
  const match = /^([0-9]{1,2})([A-Z]{3})([0-9]{2})$/.exec(code);
  if (!match) return null;
  const day = Number(match[1]);
  const month = MONTHS.indexOf(match[2] as (typeof MONTHS)[number]);
  const year = 2000 + Number(match[3]);
  if (month < 0) return null;
  const ms = Date.UTC(year, month, day, 8);
  return new Date(ms).getUTCDate() === day ? ms : null;
}
