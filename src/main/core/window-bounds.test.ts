import { describe, expect, it } from 'vitest';
import { restorableBounds } from './window-bounds';

const laptop = { x: 0, y: 0, width: 1440, height: 900 };
const external = { x: 1440, y: 0, width: 2560, height: 1440 };
const saved = { x: 100, y: 80, width: 1000, height: 700, maximized: false };

describe('window bounds', () => {
  it('restores bounds that are on a display', () => {
    expect(restorableBounds(saved, [laptop])).toEqual(saved);
    expect(restorableBounds({ ...saved, x: 2000 }, [laptop, external])).toEqual({ ...saved, x: 2000 });
  });

  it('drops bounds left on a display that is gone, or barely visible', () => {
    expect(restorableBounds({ ...saved, x: 2000 }, [laptop])).toBeUndefined();
    expect(restorableBounds({ ...saved, x: 1400 }, [laptop])).toBeUndefined();
    expect(restorableBounds(undefined, [laptop])).toBeUndefined();
    expect(restorableBounds(saved, [])).toBeUndefined();
  });

  it('shrinks a window bigger than any display', () => {
    expect(restorableBounds({ ...saved, x: 0, y: 0, width: 3000, height: 2000, maximized: true }, [laptop])).toEqual({
      x: 0,
      y: 0,
      width: 1440,
      height: 900,
      maximized: true,
    });
  });
});
