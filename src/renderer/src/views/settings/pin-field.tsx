import { useI18n } from '../../i18n/i18n-context';
import { describedBy, Field } from './field';
import { useDraft } from './use-draft';
import type { Saver } from './use-save';

const pinPattern = /^\d{4,12}$/;

/** The PIN other devices enter first: 4–12 digits, or empty for none. Saves on Enter or leaving the field. */
export function PinField({ value, saver }: { value: string | null; saver: Saver }) {
  const { t } = useI18n();
  const commit = (text: string) => {
    const trimmed = text.trim();
    const pin = trimmed === '' ? null : trimmed;
    if (pin !== null && !pinPattern.test(pin)) return saver.reject('sharing-pin', t('invalid.pin'));
    if (pin === value) return saver.clear('sharing-pin');
    void saver.save('sharing-pin', { sharing: { pin } });
  };
  const { inputProps } = useDraft(value, (pin) => pin ?? '', commit);

  const status = saver.statusOf('sharing-pin');
  return (
    <Field id="sharing-pin" label={t('sharing.pin')} hint={t('sharing.pinHint')} status={status}>
      <input
        id="sharing-pin"
        className="input input-pin"
        type="text"
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        maxLength={12}
        placeholder={t('sharing.pinPlaceholder')}
        {...inputProps}
        {...describedBy('sharing-pin', status, true)}
      />
    </Field>
  );
}
