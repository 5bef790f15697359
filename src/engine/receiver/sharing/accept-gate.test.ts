import { describe, expect, it } from 'vitest';
import { cleanFiles, createAcceptGate, type AcceptGateEvent } from './accept-gate';

const guest = { id: 'g1', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1', address: '10.0.0.9' };
const files = cleanFiles({ count: 1, totalBytes: 10, names: ['a.txt'] });

describe('accept gate', () => {
  it('keeps one request per guest, resolves every waiter with the decision, and remembers approval', async () => {
    const events: AcceptGateEvent[] = [];
    const gate = createAcceptGate({ onEvent: (event) => events.push(event) });
    const first = gate.ask(guest, files, 5_000);
    const second = gate.ask(guest, files, 5_000);
    expect(gate.pending()).toHaveLength(1);
    expect(gate.pending()[0]).toMatchObject({ deviceLabel: 'iPhone · Safari', address: '10.0.0.9' });
    expect(gate.decide(gate.pending()[0]!.id, true)).toBe(true);
    expect(await Promise.all([first, second])).toEqual(['accepted', 'accepted']);
    expect(gate.isApproved('g1')).toBe(true);
    expect(await gate.ask(guest, files, 5_000)).toBe('accepted');
    expect(events.map((event) => event.type)).toEqual(['request', 'decided']);
    expect(gate.decide('unknown', true)).toBe(false);
  });

  it('answers "waiting" when the wait runs out, and declines requests nobody answers in time', async () => {
    const gate = createAcceptGate({ timeoutMs: 80 });
    expect(await gate.ask(guest, files, 20)).toBe('waiting');
    expect(await gate.ask(guest, files, 500)).toBe('declined');
    expect(gate.pending()).toEqual([]);
  });

  it('bounds the number of pending requests', () => {
    const gate = createAcceptGate({ maxPending: 2 });
    void gate.ask({ ...guest, id: 'a' }, files, 10);
    void gate.ask({ ...guest, id: 'b' }, files, 10);
    expect(() => gate.ask({ ...guest, id: 'c' }, files, 10)).toThrow(
      expect.objectContaining({ code: 'ACCEPT_QUEUE_FULL', status: 429 }),
    );
    gate.reset();
  });

  it('cleans names for a terminal or a dialog: no control characters or bidi overrides, bounded', () => {
    const cleaned = cleanFiles({
      count: -3,
      totalBytes: 'lots',
      names: ['\u001b[31mred\u001b[0m', 'evil\u202etxt.exe', 'x'.repeat(500), 42, ...Array(30).fill('n')],
    });
    expect(cleaned.names[0]).toBe('[31mred[0m');
    expect(cleaned.names[1]).toBe('eviltxt.exe');
    expect(cleaned.names[2]).toHaveLength(200);
    expect(cleaned.names.length).toBeLessThanOrEqual(20);
    expect(cleaned.totalBytes).toBe(0);
    expect(cleaned.count).toBe(cleaned.names.length);
  });
});
