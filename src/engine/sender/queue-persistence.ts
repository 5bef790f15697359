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
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const parsed = PersistedQueue.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
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
