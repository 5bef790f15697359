import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { UploadInfo } from '../../src/engine/receiver/store/types';
import { listFiles, placedHash, removeTempDirs, sha256, startReceiver, stateDirOf, tempDir } from './support/fixtures';
import { call, createUpload, patch, sleep } from './support/http-kit';

// Nothing is kept forever: finished records answer for a retention time, then go; startup reads only
// uploads still in progress, and /ws snapshots carry only active and recent uploads.
afterAll(removeTempDirs);

const records = 100_000;
const day = 24 * 60 * 60 * 1000;
const idOf = (n: number) => `done${String(n).padStart(18, '0')}`;
const landed = (id: string, finishedAt: number): UploadInfo => {
  const at = new Date(finishedAt).toISOString();
  return {
    id,
    length: 1234,
    metadata: { filename: `${id}.bin` },
    status: 'completed',
    createdAt: at,
    touchedAt: at,
    finishedAt: at,
    placedPath: `${id}.bin`,
    dataReleased: true,
  };
};

/** Writes `count` records straight into `folder`, a few hundred files at a time. */
async function writeRecords(folder: string, count: number, finishedAt: (n: number) => number): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (let n = 0; n < count; n += 500) {
    const batch = [];
    for (let k = n; k < Math.min(count, n + 500); k++)
      batch.push(writeFile(join(folder, `${idOf(k)}.info`), JSON.stringify(landed(idOf(k), finishedAt(k)))));
    await Promise.all(batch);
  }
}

async function timedStart(dir: string, options: Parameters<typeof startReceiver>[0] = {}) {
  const started = performance.now();
  const running = await startReceiver({ dir, ...options });
  return { running, ms: performance.now() - started };
}

describe(`startup with ${records.toLocaleString('en')} finished uploads on disk`, () => {
  it('reads none of them into memory or the hub, and still answers HEAD for any', async () => {
    const dir = await tempDir('retain100k');
    // Where the receiver keeps finished records: one folder per stretch of time.
    await writeRecords(join(stateDirOf(dir), 'finished', String(Date.now() + day)), records, () => Date.now() - 60_000);
    const { running, ms } = await timedStart(dir);
    try {
      await writeFile(join(dir, `${idOf(records - 7)}.bin`), 'x');
      const head = await call(running.target, 'HEAD', `/files/${idOf(records - 7)}`);
      expect([head.status, head.headers['upload-offset']]).toEqual([200, '1234']);
      const snapshot = JSON.stringify(running.receiver.hub.snapshot());
      console.log(
        `[retention] startup with ${records} finished records: ${ms.toFixed(0)} ms, snapshot ${snapshot.length} bytes, ${running.receiver.hub.snapshot().length} uploads, ${(await running.receiver.store.listActive()).length} records in memory`,
      );
      expect(ms).toBeLessThan(2_000);
      expect(running.receiver.hub.snapshot()).toEqual([]);
      expect(snapshot.length).toBeLessThan(1_000);
      expect(await running.receiver.store.listActive()).toEqual([]);
    } finally {
      await running.receiver.close();
    }
  }, 120_000);

  it('a first start over records kept the old way moves them aside, and forgets those past retention', async () => {
    const dir = await tempDir('retainflat');
    // Before finished records had their own folder, they lay beside the uploads in progress. Half of
    // these finished more than the retention time ago.
    await writeRecords(stateDirOf(dir), records, (n) => Date.now() - (n % 2 === 0 ? 60_000 : 8 * day));
    const first = await timedStart(dir);
    let second;
    try {
      const snapshot = JSON.stringify(first.running.receiver.hub.snapshot());
      console.log(
        `[retention] first start over ${records} records kept the old way: ${first.ms.toFixed(0)} ms, snapshot ${snapshot.length} bytes`,
      );
      expect(first.running.receiver.hub.snapshot()).toEqual([]);
      expect(snapshot.length).toBeLessThan(1_000);
      await writeFile(join(dir, `${idOf(10)}.bin`), 'x');
      expect((await call(first.running.target, 'HEAD', `/files/${idOf(10)}`)).status).toBe(200);
      expect((await call(first.running.target, 'HEAD', `/files/${idOf(11)}`)).status).toBe(404);
      await first.running.receiver.close();
      expect((await readdir(stateDirOf(dir))).filter((name) => name.endsWith('.info'))).toEqual([]);
      second = await timedStart(dir);
      console.log(`[retention] the start after it: ${second.ms.toFixed(0)} ms`);
      expect(second.ms).toBeLessThan(2_000);
      expect((await call(second.running.target, 'HEAD', `/files/${idOf(10)}`)).status).toBe(200);
    } finally {
      await first.running.receiver.close();
      await second?.running.receiver.close();
    }
  }, 300_000);
});

describe('retention of finished uploads', () => {
  it('a landed upload answers HEAD until its retention ends, then 404; its file stays', async () => {
    const { receiver, target, dir } = await startReceiver({ retainFinishedMs: 400, sweepIntervalMs: 3_600_000 });
    try {
      const source = randomBytes(10_000);
      const id = await createUpload(target, source.length, { filename: 'kept-a-while.bin' });
      expect((await patch(target, id, 0, source)).status).toBe(204);
      expect((await call(target, 'HEAD', `/files/${id}`)).status).toBe(200);
      await sleep(500);
      await receiver.sweep();
      expect((await call(target, 'HEAD', `/files/${id}`)).status).toBe(404);
      expect(await placedHash(dir, 'kept-a-while.bin')).toBe(sha256(source));
      expect(await listFiles(join(stateDirOf(dir), 'finished'))).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('after a restart the snapshot holds the uploads in progress, not the finished ones', async () => {
    const dir = await tempDir('retainsnap');
    const first = await startReceiver({ dir });
    const done = await createUpload(first.target, 3, { filename: 'done.bin' });
    expect((await patch(first.target, done, 0, Buffer.from('abc'))).status).toBe(204);
    const open = await createUpload(first.target, 10, { filename: 'open.bin' });
    expect((await patch(first.target, open, 0, Buffer.from('abc'))).status).toBe(204);
    await first.receiver.close();
    const again = await startReceiver({ dir });
    try {
      expect(again.receiver.hub.snapshot().map((event) => event.uploadId)).toEqual([open]);
      expect((await call(again.target, 'HEAD', `/files/${done}`)).status).toBe(200);
    } finally {
      await again.receiver.close();
    }
  });

  it('quarantined data is removed once the retention time has passed', async () => {
    const dir = await tempDir('retainquar');
    const stateDir = stateDirOf(dir);
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, 'tornrecord01'), 'bytes of a torn record');
    await writeFile(join(stateDir, 'tornrecord01.info'), '{"id":"torn');
    const { receiver } = await startReceiver({ dir, retainFinishedMs: 300, sweepIntervalMs: 3_600_000 });
    try {
      expect((await readdir(join(stateDir, 'quarantine'))).length).toBe(2);
      await sleep(400);
      await receiver.sweep();
      expect(await readdir(join(stateDir, 'quarantine'))).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('a final upload created just before a crash expires instead of staying forever', async () => {
    const dir = await tempDir('retainfinal');
    const stateDir = stateDirOf(dir);
    await mkdir(stateDir, { recursive: true });
    const at = new Date().toISOString();
    // A crash mid-join: the final's record and part of its bytes, never answered to its client.
    const final: UploadInfo = {
      id: 'crashedfinal01',
      length: 100,
      metadata: { filename: 'never.bin' },
      status: 'created',
      createdAt: at,
      touchedAt: at,
      concat: { kind: 'final', parts: ['somepart0001'] },
    };
    await writeFile(join(stateDir, final.id), Buffer.alloc(40));
    await writeFile(join(stateDir, `${final.id}.info`), JSON.stringify(final));
    const { receiver, target } = await startReceiver({ dir, retainFinishedMs: 300, sweepIntervalMs: 3_600_000 });
    try {
      expect((await call(target, 'HEAD', `/files/${final.id}`)).status).toBe(410);
      expect((await readdir(stateDir)).filter((name) => name.startsWith(final.id))).toEqual([]);
      await sleep(400);
      await receiver.sweep();
      expect((await call(target, 'HEAD', `/files/${final.id}`)).status).toBe(404);
    } finally {
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
