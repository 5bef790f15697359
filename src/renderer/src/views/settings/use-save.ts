import { useCallback, useEffect, useRef, useState } from 'react';
import type { SettingsPatch } from '../../../../shared/settings';
import { messageOf } from '../../api/ferry';
import { useServices } from '../../state/services-context';

export type FieldStatus =
  | { readonly kind: 'idle' }
  | { readonly kind: 'saving' }
  | { readonly kind: 'saved' }
  | { readonly kind: 'error'; readonly message: string };

const idle: FieldStatus = { kind: 'idle' };
const savedForMs = 2500;

/**
 * Saves settings field by field and remembers how each save went, so every field can say "Saved"
 * or show main's validation error right next to itself.
 */
export function useSave() {
  const services = useServices();
  const [statuses, setStatuses] = useState<Readonly<Record<string, FieldStatus>>>({});
  const timers = useRef(new Map<string, number>());

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => window.clearTimeout(timer));
  }, []);

  const setStatus = useCallback((field: string, status: FieldStatus) => {
    setStatuses((current) => ({ ...current, [field]: status }));
  }, []);

  const save = useCallback(
    async (field: string, patch: SettingsPatch): Promise<boolean> => {
      window.clearTimeout(timers.current.get(field));
      setStatus(field, { kind: 'saving' });
      try {
        await services.updateSettings(patch);
        setStatus(field, { kind: 'saved' });
        timers.current.set(
          field,
          window.setTimeout(() => setStatus(field, idle), savedForMs),
        );
        return true;
      } catch (error) {
        setStatus(field, { kind: 'error', message: messageOf(error) });
        return false;
      }
    },
    [services, setStatus],
  );

  /** A client-side check failed: show it where main's error would go, and save nothing. */
  const reject = useCallback(
    (field: string, message: string) => setStatus(field, { kind: 'error', message }),
    [setStatus],
  );
  const clear = useCallback((field: string) => setStatus(field, idle), [setStatus]);
  const statusOf = useCallback((field: string) => statuses[field] ?? idle, [statuses]);

  return { save, reject, clear, statusOf };
}

export type Saver = ReturnType<typeof useSave>;
