import { useEffect, useRef, useState } from 'react';
import type { SettingsPatch } from '../../../../shared/settings';
import { useI18n } from '../../i18n/i18n-context';
import { describedBy, Field } from './field';
import type { Saver } from './use-save';

export interface NumberFieldProps {
  id: string;
  label: string;
  hint: string;
  value: number;
  min: number;
  max: number;
  saver: Saver;
  /** The change a new number makes, saved under the field's id. */
  patch(value: number): SettingsPatch;
}

const settleMs = 600;

/**
 * A whole number that saves itself: shortly after typing stops, or at once on Enter or leaving the
 * field. Out-of-range input is explained next to the field and not saved.
 */
export function NumberField({ id, label, hint, value, min, max, saver, patch }: NumberFieldProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(String(value));
  const focused = useRef(false);
  const timer = useRef<number | undefined>(undefined);
  // The text last checked, so a blur right after a timed save does not save (or clear) again.
  const checked = useRef(String(value));

  // A change from elsewhere (another window, main) shows unless the user is typing here.
  useEffect(() => {
    checked.current = String(value);
    if (!focused.current) setDraft(String(value));
  }, [value]);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const commit = (text: string) => {
    window.clearTimeout(timer.current);
    if (text === checked.current) return;
    checked.current = text;
    const number = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(number) || number < min || number > max) {
      saver.reject(id, t('invalid.integer', { min: String(min), max: String(max) }));
      return;
    }
    if (number !== value) void saver.save(id, patch(number));
    else saver.clear(id);
  };

  const status = saver.statusOf(id);
  return (
    <Field id={id} label={label} hint={hint} status={status}>
      <input
        id={id}
        className="input input-number"
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={draft}
        {...describedBy(id, status, true)}
        onFocus={() => (focused.current = true)}
        onChange={(event) => {
          const text = event.target.value;
          setDraft(text);
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => commit(text), settleMs);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit(draft);
        }}
        onBlur={() => {
          focused.current = false;
          commit(draft);
        }}
      />
    </Field>
  );
}
