import { useEffect, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';

/**
 * The text in a field that saves on Enter or when left. A new `value` from elsewhere (another window,
 * main) shows unless the user is typing there; `textOf` gives it as text, or null to keep the draft.
 * `inputProps` go on the <input>; `draft` is for other controls that commit it too.
 */
export function useDraft<T>(
  value: T,
  textOf: (value: T) => string | null,
  commit: (draft: string) => void,
  empty = '',
) {
  const [draft, setDraft] = useState(() => textOf(value) ?? empty);
  const focused = useRef(false);
  useEffect(() => {
    const text = textOf(value);
    if (text !== null && !focused.current) setDraft(text);
    // Only a new value replaces the draft: `textOf` is the same rule on every render.
  }, [value]);
  return {
    draft,
    inputProps: {
      value: draft,
      onFocus: () => (focused.current = true),
      onChange: (event: ChangeEvent<HTMLInputElement>) => setDraft(event.target.value),
      onKeyDown: (event: KeyboardEvent<HTMLInputElement>) => event.key === 'Enter' && commit(draft),
      onBlur: () => {
        focused.current = false;
        commit(draft);
      },
    },
  };
}
