// Time values and buckets for the corpus time series. Accepted: ISO 8601 dates and date-times
// (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM], a space instead of T). Without an offset the time is
// taken as UTC, so a bucket never depends on the server's time zone. Buckets are UTC days, ISO weeks
// (Monday first, YYYY-Www) or months (YYYY-MM).

export type TimeBucket = 'day' | 'week' | 'month';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch, or null when the value is not a valid ISO 8601 date or date-time. */
export function parseTime(value: string): number | null {
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7);
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const Y = Number(y),
    M = Number(mo),
    D = Number(d),
    H = Number(h),
    MI = Number(mi),
    S = Number(s);
  if (M < 1 || M > 12 || D < 1 || H > 23 || MI > 59 || S > 59) return null;
  const t = Date.UTC(Y, M - 1, D, H, MI, S) + frac;
  if (new Date(Date.UTC(Y, M - 1, D)).getUTCDate() !== D) return null; // 2023-02-30 and the like
  let offsetMin = 0;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  return t - offsetMin * 60_000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The bucket key of a time (ms since the epoch). Keys sort chronologically as strings. */
export function bucketOf(ms: number, bucket: TimeBucket): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (bucket === 'month') return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}`;
  if (bucket === 'day') return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  // ISO week: the week belongs to the year of its Thursday.
  const day = Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const wy = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(wy, 0, 1)) / (7 * 86_400_000));
  return `${pad(wy, 4)}-W${pad(week)}`;
}
