import { readFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { UploadJob } from '../../shared/upload-job';
import { writeFileAtomic } from '../fs/atomic-file';

export const PersistedQueue = z.object({ version: z.literal(1), jobs: z.array(UploadJob) });
export type PersistedQueue = z.infer<typeof PersistedQueue>;

/** The persistence port: a JSON file when headless, electron-store in the app. */
export interface QueuePersistence {
  load(): Promise<PersistedQueue | undefined>;
  save(state: PersistedQueue): Promise<void>;
}

export function createJsonFilePersistence(path: string): QueuePersistence {
  const keepAside = (text: string) => writeFileAtomic(`${path}.unreadable-${Date.now()}`, text, false).catch(() => undefined);
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      // One bad job (say, an offset a broken server turned into NaN, stored as null) used to drop the
      // whole queue, and the next save overwrote the file. Keep the jobs that still parse, and keep
      // a copy of what could not be read instead of losing it.
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        await keepAside(text);
        return undefined;
      }
      const envelope = z.object({ version: z.literal(1), jobs: z.array(z.unknown()) }).safeParse(raw);
      if (!envelope.success) {
        await keepAside(text);
        return undefined;
      }
      const jobs = envelope.data.jobs.flatMap((job) => {
        const parsed = UploadJob.safeParse(job);
        return parsed.success ? [parsed.data] : [];
      });
      if (jobs.length < envelope.data.jobs.length) await keepAside(text);
      return { version: 1, jobs };
    },
    async save(state) {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, JSON.stringify(state), true);
    },
  };
}

export function createMemoryPersistence(initial?: PersistedQueue): QueuePersistence & { saved: number; state: PersistedQueue | undefined } {
  const box = {
    saved: 0,
    state: initial,
    async load() {
      return box.state;
    },
    async save(state: PersistedQueue) {
      box.saved += 1;
      box.state = structuredClone(state);
    },
  };
  return box;
}
