import { describe, expect, it } from 'vitest';
import { createLandingGroup } from './bulk-landing-group';
import type { LandingFile, LandingOutcome, LandingThread } from './landing-thread';

/** A thread that records what it was handed, and answers when told. */
function recordingThread() {
  const calls: Array<{
    names: string[];
    durable: boolean;
    answer(outcomes?: LandingOutcome[]): void;
    fail(e: Error): void;
  }> = [];
  const thread: LandingThread = {
    land: (files, durable) =>
      new Promise((resolve, reject) =>
        calls.push({
          names: files.map((file) => file.stagedPath),
          durable,
          answer: (outcomes) => resolve(outcomes ?? files.map(() => ({ linked: true }))),
          fail: reject,
        }),
      ),
    close: async () => undefined,
  };
  return { thread, calls };
}

const file = (name: string): LandingFile => ({ stagedPath: name, chunks: [Buffer.from(name)], size: name.length });
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('landing group', () => {
  it('holds the request’s files until its body is through, then hands them over in one call', async () => {
    const { thread, calls } = recordingThread();
    const group = createLandingGroup(thread, { durable: true });
    const landed = [group.land(file('a')), group.land(file('b'))];
    await turn();
    expect(calls).toEqual([]);
    group.end();
    expect(calls.map((call) => [call.names, call.durable])).toEqual([[['a', 'b'], true]]);
    calls[0]!.answer([{ linked: true }, { staged: true, linkError: 'EEXIST' }]);
    expect(await Promise.all(landed)).toEqual([{ linked: true }, { staged: true, linkError: 'EEXIST' }]);
  });

  it('hands over what it holds once `maxWaiting` files wait', async () => {
    const { thread, calls } = recordingThread();
    const group = createLandingGroup(thread, { durable: false, maxWaiting: 2 });
    void group.land(file('a'));
    void group.land(file('b'));
    void group.land(file('c'));
    expect(calls.map((call) => call.names)).toEqual([['a', 'b']]);
    group.end();
    expect(calls.map((call) => call.names)).toEqual([['a', 'b'], ['c']]);
  });

  it('after the body, hands over the files that come in one turn of the loop together', async () => {
    const { thread, calls } = recordingThread();
    const group = createLandingGroup(thread, { durable: true });
    group.end();
    const late = [group.land(file('x')), group.land(file('y'))];
    expect(calls).toEqual([]);
    await turn();
    expect(calls.map((call) => call.names)).toEqual([['x', 'y']]);
    calls[0]!.answer();
    expect(await Promise.all(late)).toEqual([{ linked: true }, { linked: true }]);
    void group.land(file('z'));
    await turn();
    expect(calls.map((call) => call.names)).toEqual([['x', 'y'], ['z']]);
  });

  it('fails every file of a call the thread could not take', async () => {
    const { thread, calls } = recordingThread();
    const group = createLandingGroup(thread, { durable: true });
    const landed = [group.land(file('a')), group.land(file('b'))];
    group.end();
    calls[0]!.fail(new Error('The landing thread stopped'));
    for (const one of landed) await expect(one).rejects.toThrow('stopped');
  });
});
