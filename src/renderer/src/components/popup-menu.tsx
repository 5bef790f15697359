import { useEffect, useLayoutEffect, useRef, type KeyboardEvent } from 'react';

export interface MenuItem {
  readonly id: string;
  readonly label: string;
  readonly danger?: boolean;
  onSelect(): void;
}

export interface MenuAnchor {
  readonly top: number;
  readonly bottom: number;
  readonly right: number;
}

const itemHeight = 32;

/**
 * A small menu at a button: focus moves into it, arrows move between items, Escape and Tab close it
 * (Escape gives focus back to the button). One instance serves a whole list.
 */
export function PopupMenu({
  label,
  anchor,
  items,
  onClose,
}: {
  label: string;
  anchor: MenuAnchor;
  items: readonly MenuItem[];
  onClose(returnFocus: boolean): void;
}) {
  const menu = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const element = menu.current;
    if (!element) return;
    const height = items.length * itemHeight + 8;
    const below = anchor.bottom + 4 + height <= window.innerHeight;
    element.style.top = `${below ? anchor.bottom + 4 : Math.max(4, anchor.top - 4 - height)}px`;
    element.style.right = `${Math.max(4, window.innerWidth - anchor.right)}px`;
    element.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [anchor, items.length]);

  useEffect(() => {
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) onClose(false);
    };
    const onBlur = () => onClose(false);
    document.addEventListener('pointerdown', onPointer, true);
    window.addEventListener('blur', onBlur);
    window.addEventListener('resize', onBlur);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('resize', onBlur);
    };
  }, [onClose]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const entries = Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
    const index = entries.indexOf(document.activeElement as HTMLButtonElement);
    const go = (next: number) => entries[(next + entries.length) % entries.length]?.focus();
    event.stopPropagation();
    if (event.key === 'ArrowDown') go(index + 1);
    else if (event.key === 'ArrowUp') go(index - 1);
    else if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(entries.length - 1);
    else if (event.key === 'Escape') onClose(true);
    else if (event.key === 'Tab') onClose(false);
    else return;
    if (event.key !== 'Tab') event.preventDefault();
  };

  return (
    <div ref={menu} className="menu" role="menu" aria-label={label} onKeyDown={onKeyDown}>
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={item.danger ? 'menu-item is-danger' : 'menu-item'}
          onClick={() => {
            onClose(true);
            item.onSelect();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
