import type { WindowBounds } from '../../shared/settings';

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const defaultWindowSize = { width: 1000, height: 700 } as const;

/**
 * The saved bounds when enough of the window would be on a display that exists now (a monitor may
 * have been unplugged since), else undefined: the window then opens at its default size, centered.
 */
export function restorableBounds(
  saved: WindowBounds | undefined,
  workAreas: readonly Area[],
  minVisible = 100,
): WindowBounds | undefined {
  if (!saved) return undefined;
  const visible = workAreas.some((area) => {
    const width = Math.min(saved.x + saved.width, area.x + area.width) - Math.max(saved.x, area.x);
    const height = Math.min(saved.y + saved.height, area.y + area.height) - Math.max(saved.y, area.y);
    return width >= minVisible && height >= minVisible;
  });
  if (!visible) return undefined;
  // Never larger than the biggest display: a window taller than the screen hides its title bar.
  const maxWidth = Math.max(...workAreas.map((area) => area.width));
  const maxHeight = Math.max(...workAreas.map((area) => area.height));
  return { ...saved, width: Math.min(saved.width, maxWidth), height: Math.min(saved.height, maxHeight) };
}
