import { describe, expect, it, vi } from 'vitest';
import type { UploadPool } from '../../engine/sender/upload-pool';
import { createManagedPool } from './managed-pool';

function fakePool(name: string) {
  let idle: () => void = () => undefined;
  const pool = {
    name,
    hub: { name },
    start: vi.fn(),
    pause: vi.fn(),
    close: vi.fn(async () => undefined),
    whenIdle: () => new Promise<void>((resolve) => (idle = resolve)),
    becomeIdle: () => idle(),
  };
  return pool;
}

describe('managed pool', () => {
  it('passes calls to the current pool, and to a new one after a rebuild, which starts if the old one had', async () => {
    const pools: ReturnType<typeof fakePool>[] = [];
    const managed = createManagedPool(() => {
      const pool = fakePool(`p${pools.length}`);
      pools.push(pool);
      return pool as unknown as UploadPool;
    });
    managed.pause('a');
    expect(pools[0]!.pause).toHaveBeenCalledWith('a');
    expect(managed.hub).toEqual({ name: 'p0' });
    managed.start();
    await managed.rebuild();
    expect(pools[0]!.close).toHaveBeenCalledOnce();
    expect(pools[1]!.start).toHaveBeenCalledOnce();
    managed.pause('b');
    expect(pools[1]!.pause).toHaveBeenCalledWith('b');
    expect(pools[0]!.pause).toHaveBeenCalledTimes(1);
    await managed.close();
    await managed.rebuild();
    expect(pools).toHaveLength(2);
    expect(pools[1]!.close).toHaveBeenCalledOnce();
  });

  it('whenIdle follows a rebuild instead of waiting on the closed pool forever', async () => {
    const pools: ReturnType<typeof fakePool>[] = [];
    const managed = createManagedPool(() => {
      const pool = fakePool(`p${pools.length}`);
      pools.push(pool);
      return pool as unknown as UploadPool;
    });
    let resolved = false;
    const waiting = managed.whenIdle().then(() => (resolved = true));
    await managed.rebuild();
    await Promise.resolve();
    expect(resolved).toBe(false);
    pools[1]!.becomeIdle();
    await waiting;
    expect(resolved).toBe(true);
  });
});
