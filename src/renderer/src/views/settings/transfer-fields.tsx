import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n-context';
import { describedBy, Field } from './field';
import { useDraft } from './use-draft';
import type { Saver } from './use-save';

const KiB = 1024;
const MiB = 1024 * KiB;
const chunkPresets = [
  256 * KiB,
  512 * KiB,
  MiB,
  2 * MiB,
  4 * MiB,
  8 * MiB,
  16 * MiB,
  32 * MiB,
  64 * MiB,
  128 * MiB,
  256 * MiB,
  512 * MiB,
  1024 * MiB,
];

/** Chunk sizes are powers of two, so they read best in binary units. */
export function binarySize(bytes: number): string {
  if (bytes >= 1024 * MiB && bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)} GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  return `${Math.round((bytes / KiB) * 10) / 10} KiB`;
}

export function ChunkSizeField({ value, saver }: { value: number; saver: Saver }) {
  const { t } = useI18n();
  const options = chunkPresets.includes(value) ? chunkPresets : [...chunkPresets, value].sort((a, b) => a - b);
  const status = saver.statusOf('chunk-size');
  return (
    <Field id="chunk-size" label={t('settings.chunkSize')} hint={t('settings.chunkSizeHint')} status={status}>
      <select
        id="chunk-size"
        className="select"
        value={value}
        {...describedBy('chunk-size', status, true)}
        onChange={(event) => void saver.save('chunk-size', { chunkSizeBytes: Number(event.target.value) })}
      >
        {options.map((bytes) => (
          <option key={bytes} value={bytes}>
            {binarySize(bytes)}
          </option>
        ))}
      </select>
    </Field>
  );
}

const minimumRate = 16 * KiB;
const defaultLimitMBps = 10;
const toMBps = (bytes: number) => String(Math.round((bytes / 1e6) * 100) / 100);

/** Unlimited, or a limit in MB/s for all uploads together; main applies it to running uploads at once. */
export function RateField({ value, saver }: { value: number | null; saver: Saver }) {
  const { t } = useI18n();
  const [limited, setLimited] = useState(value !== null);
  useEffect(() => setLimited(value !== null), [value]);

  const commit = (text: string) => {
    const bytes = Math.round(Number(text.replace(',', '.')) * 1e6);
    if (text.trim() === '' || !Number.isFinite(bytes) || bytes < minimumRate)
      return saver.reject('rate', t('invalid.rate', { min: '0.02' }));
    if (bytes !== value) void saver.save('rate', { rateLimitBytesPerSecond: bytes });
  };
  // Unlimited keeps the last limit typed, ready for when a limit is chosen again.
  const { draft, inputProps } = useDraft(
    value,
    (bytes) => (bytes === null ? null : toMBps(bytes)),
    commit,
    String(defaultLimitMBps),
  );
  const status = saver.statusOf('rate');
  return (
    <Field id="rate" label={t('settings.rateLimit')} hint={t('settings.rateHint')} status={status} group>
      <div className="radio-list is-inline" role="radiogroup" aria-labelledby="rate-label">
        <label className="radio">
          <input
            type="radio"
            name="rate"
            checked={!limited}
            onChange={() => {
              setLimited(false);
              void saver.save('rate', { rateLimitBytesPerSecond: null });
            }}
          />
          <span>{t('settings.rateUnlimited')}</span>
        </label>
        <label className="radio">
          <input
            type="radio"
            name="rate"
            checked={limited}
            onChange={() => {
              setLimited(true);
              commit(draft);
            }}
          />
          <span>{t('settings.rateLimitTo')}</span>
        </label>
        <span className="input-with-unit">
          <input
            id="rate"
            className="input input-number"
            type="text"
            inputMode="decimal"
            aria-label={t('settings.rateValue')}
            disabled={!limited}
            {...inputProps}
            {...describedBy('rate', status, true)}
          />
          <span className="unit" aria-hidden="true">
            {t('settings.rateUnit')}
          </span>
        </span>
      </div>
    </Field>
  );
}
