/**
 * The dates of the payoff chart (issue 12: "at expiry, today and at chosen dates", as Deribit's Position Builder):
 * today (the market time), up to {@link MAX_PAYOFF_DATES} dates the trader picks, and the book's next expiry.
 *
 * A chosen date is a UTC day `YYYY-MM-DD` taken at 08:00 UTC, Deribit's expiry hour, so that picking an expiry's day
 * shows the book just as that expiry settles. A date not after the market time is left out with a note (a
 * saved date goes stale as the market moves on); repeats are dropped. Lines come in time order.
 */
export const MAX_PAYOFF_DATES = 3;
/** Deribit's options and futures expire at 08:00 UTC. */
const EXPIRY_HOUR_MS = 8 * 3_600_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface PayoffDate {
  label: string;
  atMs: number;
}

/** 08:00 UTC of a `YYYY-MM-DD` day; null (with nothing thrown) for text that is not a real calendar day. */
export function payoffDateMs(day: string): number | null {
  const match = DAY_PATTERN.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, date);
  const back = new Date(ms);
  // 2026-02-30 would roll over into March: refused.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== date) return null;
  return ms + EXPIRY_HOUR_MS;
}

/** Why `days` cannot be the chosen payoff dates, or null: at most three real `YYYY-MM-DD` days. */
export function payoffDatesProblem(days: readonly string[]): string | null {
  if (days.length > MAX_PAYOFF_DATES) return `at most ${MAX_PAYOFF_DATES} payoff dates, got ${days.length}`;
  const bad = days.find((d) => payoffDateMs(d) === null);
  return bad === undefined ? null : `payoff date "${bad}" is not a day YYYY-MM-DD`;
}

/**
 * Today, the chosen days that lie after `nowMs`, and the next expiry (when the book has one), in time order. A
 * chosen day at the next expiry's time is shown once, as that expiry.
 */
export function payoffDates(nowMs: number, nextExpiryMs: number | null, chosen: readonly string[]): { dates: PayoffDate[]; notes: string[] } {
  const notes: string[] = [];
  const dates: PayoffDate[] = [{ label: 'today', atMs: nowMs }];
  if (nextExpiryMs !== null && nextExpiryMs > nowMs) dates.push({ label: 'next expiry', atMs: nextExpiryMs });
  for (const day of chosen) {
    const atMs = payoffDateMs(day);
    if (atMs === null) notes.push(`payoff date "${day}" is not a day YYYY-MM-DD: left out`);
    else if (atMs <= nowMs) notes.push(`payoff date ${day} (08:00 UTC) is not after the market time: left out`);
    else if (!dates.some((d) => d.atMs === atMs)) dates.push({ label: day, atMs });
  }
  return { dates: dates.sort((a, b) => a.atMs - b.atMs), notes };
}

