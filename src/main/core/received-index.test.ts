import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgressHub, type ProgressHub } from '../../engine/progress';
import type { UploadInfo, UploadStore } from '../../engine/receiver/store/types';
import type { UploadJob } from '../../shared/upload-job';
import { makeTempDir, removeDir } from '../../../test/support/files';
import { createReceivedIndex } from './received-index';

let base: string;
let dir: string;
beforeEach(async () => {
  base = await realpath(await makeTempDir('received'));
  dir = join(base, 'received');
  await mkdir(join(dir, 'photos'), { recursive: true });
  await mkdir(join(dir, '.ferry'), { recursive: true });
  for (const name of ['a.txt', 'photos/b.jpg', 'm.txt', '.ferry/state.json']) await writeFile(join(dir, name), 'x');
  await writeFile(join(base, 'outside.txt'), 'secret');
  await symlink(join(base, 'outside.txt'), join(dir, 'link.txt'));
});
afterEach(() => removeDir(base));

const info = (id: string, patch: Partial<UploadInfo>): UploadInfo => ({
  id,
  length: 1,
  metadata: {},
  status: 'completed',
  createdAt: '2025-01-01T00:00:00.000Z',
  touchedAt: '2025-01-01T00:00:01.000Z',
  ...patch,
});

function setup(records: UploadInfo[], jobs: Partial<UploadJob>[] = []) {
  let hub: ProgressHub = createProgressHub();
  const store = {
    listFinished: async (limit: number) => records.slice(0, limit),
    get: async (id: string) => {
      const found = records.find((record) => record.id === id);
      return found ? { info: found, offset: found.length ?? 0 } : undefined;
    },
  } as unknown as UploadStore;
  const listeners = new Set<(receiver: { store: UploadStore; hub: ProgressHub; dir: string }) => void>();
  const index = createReceivedIndex({
    receiver: () => ({ store, hub, dir }),
    onReceiverChange: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    queue: { list: () => jobs as UploadJob[] },
  });
  return {
    index,
    hub: () => hub,
    replaceReceiver() {
      hub = createProgressHub();
      for (const listener of listeners) listener({ store, hub, dir });
    },
  };
}

function complete(
  hub: ProgressHub,
  uploadId: string,
  source: 'tus' | 'multipart',
  filename: string,
  context: Record<string, unknown>,
) {
  hub.register({ uploadId, source, filename, length: 5, context });
  hub.advance(uploadId, 5);
  hub.transition(uploadId, 'completed');
}

describe('received index', () => {
  it('lists finished tus uploads and multipart files seen since launch, with who sent them', async () => {
    const { index, hub } = setup(
      [
        info('own', { placedPath: 'a.txt', length: 10, metadata: { sha256: 'AB'.repeat(32) } }),
        info('lan', { placedPath: 'photos/b.jpg', touchedAt: '2025-01-02T00:00:00.000Z' }),
        info('old', { placedPath: 'm.txt', touchedAt: '2024-12-31T00:00:00.000Z' }),
        info('part', { placedPath: 'x', concat: { kind: 'partial' } }),
        info('busy', { status: 'running' }),
        info('unplaced', {}),
      ],
      [{ id: 'job', uploadUrl: 'http://127.0.0.1:1/files/own' }],
    );
    complete(hub(), 'lan', 'tus', 'b.jpg', { userAgent: 'tus-js-client', remoteAddress: '192.168.1.5' });
    complete(hub(), 'mp', 'multipart', 'm.txt', {
      userAgent: 'Firefox/140',
      remoteAddress: '192.168.1.9',
      placedPath: 'm.txt',
    });
    const files = await index.list();
    expect(Object.fromEntries(files.map((file) => [file.uploadId, [file.from, file.source]]))).toEqual({
      lan: ['tus-js-client · 192.168.1.5', 'tus'],
      mp: ['Firefox/140 · 192.168.1.9', 'multipart'],
      own: ['This app', 'tus'],
      old: ['Unknown', 'tus'],
    });
    expect(files.find((file) => file.uploadId === 'own')).toEqual({
      uploadId: 'own',
      name: 'a.txt',
      relativePath: 'a.txt',
      size: 10,
      from: 'This app',
      source: 'tus',
      finishedAt: Date.parse('2025-01-01T00:00:01.000Z'),
      sha256: 'ab'.repeat(32),
    });
    expect(files.find((file) => file.uploadId === 'lan')?.name).toBe('b.jpg');
    // Newest first.
    expect([...files].sort((a, b) => b.finishedAt - a.finishedAt)).toEqual(files);
  });

  it("counts this app's sender on loopback as this app after its job was cleared", async () => {
    const { index, hub } = setup([info('gone', { placedPath: 'a.txt' })]);
    complete(hub(), 'gone', 'tus', 'a.txt', { userAgent: 'Ferry/0.1', remoteAddress: '127.0.0.1' });
    expect((await index.list())[0]?.from).toBe('This app');
  });

  it('follows the receiver when it is replaced', async () => {
    const { index, replaceReceiver, hub } = setup([]);
    replaceReceiver();
    complete(hub(), 'mp2', 'multipart', 'm.txt', { placedPath: 'm.txt' });
    expect((await index.list()).map((file) => file.uploadId)).toEqual(['mp2']);
    index.close();
  });

  it('resolves an id to its path inside the receive folder', async () => {
    const { index } = setup([info('own', { placedPath: 'photos/b.jpg' })]);
    expect(await index.resolve('own')).toBe(join(dir, 'photos', 'b.jpg'));
  });

  it.each([
    ['../outside.txt', 'IPC_NOT_ALLOWED'],
    ['/etc/passwd', 'IPC_NOT_ALLOWED'],
    ['.ferry/state.json', 'IPC_NOT_ALLOWED'],
    ['photos/../../outside.txt', 'IPC_NOT_ALLOWED'],
    ['link.txt', 'IPC_NOT_ALLOWED'],
    ['missing.txt', 'IPC_NOT_FOUND'],
  ])('refuses %s', async (placedPath, code) => {
    const { index } = setup([info('bad', { placedPath })]);
    await expect(index.resolve('bad')).rejects.toMatchObject({ code });
  });

  it('refuses an unknown id', async () => {
    const { index } = setup([]);
    await expect(index.resolve('nope')).rejects.toMatchObject({ code: 'IPC_NOT_FOUND' });
  });
});
