import type { ReactNode } from 'react';
import { Icon } from '../../components/icons';
import { useI18n } from '../../i18n/i18n-context';
import type { FieldStatus } from './use-save';

export const hintId = (id: string) => `${id}-hint`;
export const messageId = (id: string) => `${id}-message`;

/** `aria-describedby` and `aria-invalid` for a control inside a Field. */
export function describedBy(id: string, status: FieldStatus, hasHint: boolean) {
  return {
    'aria-describedby': [hasHint ? hintId(id) : '', messageId(id)].filter(Boolean).join(' '),
    'aria-invalid': status.kind === 'error' ? true : undefined,
  } as const;
}

export interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  status: FieldStatus;
  /** A single control gets a <label>; a group names itself with the label's id. */
  group?: boolean;
  children: ReactNode;
}

/** One setting: label on the left; control, hint and what happened to the last change on the right. */
export function Field({ id, label, hint, status, group, children }: FieldProps) {
  const { t } = useI18n();
  return (
    <div className="field" data-testid={`field-${id}`}>
      <div className="field-label">
        {group ? <span id={`${id}-label`}>{label}</span> : <label htmlFor={id}>{label}</label>}
      </div>
      <div className="field-control">
        {children}
        {hint && (
          <p id={hintId(id)} className="field-hint">
            {hint}
          </p>
        )}
        <p
          id={messageId(id)}
          className={`field-message is-${status.kind}`}
          role={status.kind === 'error' ? 'alert' : 'status'}
        >
          {status.kind === 'saved' && (
            <>
              <Icon name="check" />
              {t('settings.saved')}
            </>
          )}
          {status.kind === 'saving' && t('settings.saving')}
          {status.kind === 'error' && status.message}
        </p>
      </div>
    </div>
  );
}
