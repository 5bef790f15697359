import type { ReactNode } from 'react';
import type { SettingsPatch } from '../../../../shared/settings';
import { describedBy, Field } from './field';
import type { Saver } from './use-save';

export interface SwitchFieldProps {
  id: string;
  label: string;
  hint?: string;
  checked: boolean;
  saver: Saver;
  /** The change turning it on or off makes, saved under the field's id. */
  patch(checked: boolean): SettingsPatch;
  /** Under the switch, e.g. why it could not take effect. */
  children?: ReactNode;
}

/** An on/off setting that saves at once. */
export function SwitchField({ id, label, hint, checked, saver, patch, children }: SwitchFieldProps) {
  const status = saver.statusOf(id);
  return (
    <Field id={id} label={label} hint={hint} status={status}>
      <span className="switch">
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={checked}
          {...describedBy(id, status, hint !== undefined)}
          onChange={(event) => void saver.save(id, patch(event.target.checked))}
        />
        <span className="switch-track" aria-hidden="true" />
      </span>
      {children}
    </Field>
  );
}
