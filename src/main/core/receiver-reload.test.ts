import { describe, expect, it } from 'vitest';
import { reloadOnReceiverMove } from './receiver-reload';

function setup() {
  let origin = 'http://127.0.0.1:41823';
  const listeners = new Set<() => void>();
  let reloads = 0;
  const stop = reloadOnReceiverMove({
    origin: () => origin,
    onReceiverChange: (listener) => (listeners.add(listener), () => void listeners.delete(listener)),
    reload: () => void (reloads += 1),
  });
  const restart = (port: number) => {
    origin = `http://127.0.0.1:${port}`;
    for (const listener of listeners) listener();
  };
  return { restart, stop, reloads: () => reloads };
}

describe('reload on a receiver move', () => {
  it('reloads when the receiver comes back on another port, once per move', () => {
    const { restart, reloads } = setup();
    restart(41823);
    expect(reloads()).toBe(0);
    restart(52000);
    expect(reloads()).toBe(1);
    restart(52000);
    expect(reloads()).toBe(1);
    restart(41823);
    expect(reloads()).toBe(2);
  });

  it('stops listening when told', () => {
    const { restart, stop, reloads } = setup();
    stop();
    restart(52000);
    expect(reloads()).toBe(0);
  });
});
