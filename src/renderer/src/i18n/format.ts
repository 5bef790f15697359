import type { Translator, UiLanguage } from './translate';

/** Numbers as people read them, through Intl, with fixed decimals so counting figures don't jump. */
export interface Formatter {
  bytes(bytes: number): string;
  speed(bytesPerSecond: number): string;
  /** Rounded the way an estimate should be: "1 min 20 s", "12 min", "2 h 5 min". */
  duration(seconds: number): string;
  /** Exact whole seconds, for countdowns: "4 s", "1 min 5 s". */
  countdown(seconds: number): string;
  percent(fraction: number): string;
  count(value: number): string;
  time(epochMs: number, nowMs?: number): string;
}

const byteUnits = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;

/** Picks a decimal (SI) unit: 1 kB = 1000 B, as file managers on macOS and Linux show it. */
function scale(value: number, decimalsBelow: number): { unit: number; value: number; digits: number } {
  let unit = -1;
  let scaled = value;
  while (scaled >= 999.95 && unit < byteUnits.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  return { unit, value: scaled, digits: scaled < decimalsBelow ? 1 : 0 };
}

export function createFormatter(language: UiLanguage, translator: Translator): Formatter {
  const { t } = translator;
  const cache = new Map<string, Intl.NumberFormat>();
  const unitFormat = (unit: string, digits: number) => {
    const key = `${unit}:${digits}`;
    let format = cache.get(key);
    if (!format) {
      format = new Intl.NumberFormat(language, {
        style: 'unit',
        unit,
        unitDisplay: 'short',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
      cache.set(key, format);
    }
    return format;
  };
  const integer = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 });
  const sameDay = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' });
  const otherDay = new Intl.DateTimeFormat(language, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });

  const clock = (h: number, m: number, s: number, withSeconds: boolean) => {
    if (h > 0) return m > 0 ? t('duration.hm', { h, m }) : t('duration.h', { h });
    if (m > 0) return withSeconds && s > 0 ? t('duration.ms', { m, s }) : t('duration.m', { m });
    return t('duration.s', { s });
  };

  return {
    bytes(bytes) {
      const { unit, value, digits } = scale(Math.max(0, bytes), 100);
      if (unit < 0) return t('unit.bytes', { n: integer.format(value) });
      return unitFormat(byteUnits[unit]!, digits).format(value);
    },
    speed(bytesPerSecond) {
      const { unit, value, digits } = scale(Math.max(0, bytesPerSecond), 10);
      if (unit < 0) return t('unit.bytesPerSecond', { n: integer.format(value) });
      return unitFormat(`${byteUnits[unit]!}-per-second`, digits).format(value);
    },
    duration(seconds) {
      let total = Math.max(1, Math.round(seconds));
      if (total >= 10 && total < 60) total = Math.round(total / 5) * 5;
      else if (total >= 60 && total < 600) total = Math.round(total / 10) * 10;
      else if (total >= 600 && total < 3600) total = Math.round(total / 60) * 60;
      else if (total >= 3600) total = Math.round(total / 300) * 300;
      const h = Math.floor(total / 3600);
      const m = Math.floor((total % 3600) / 60);
      return clock(h, m, total % 60, total < 600);
    },
    countdown(seconds) {
      const total = Math.max(0, Math.ceil(seconds));
      return clock(Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60, true);
    },
    // Floored: a file is not 100 % until every byte is stored.
    percent: (fraction) => percent.format(Math.floor(Math.min(1, Math.max(0, fraction)) * 100) / 100),
    count: (value) => integer.format(value),
    time(epochMs, nowMs = Date.now()) {
      const date = new Date(epochMs);
      return date.toDateString() === new Date(nowMs).toDateString() ? sameDay.format(date) : otherDay.format(date);
    },
  };
}
