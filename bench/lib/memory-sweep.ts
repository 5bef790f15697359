// Receiver RSS against file size: a fresh server child per size so earlier
// uploads do not colour the baseline. Flat in file size is the goal.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandomFile, type SourceFile } from './files';
import { measureUpload, type Measurement } from './measure';
import type { ServerKind } from './protocol';
import { startServerProcess } from './server-process';
import { createUploadClient } from './upload-client';

export const sweepSizes = [256 * 2 ** 20, 2 ** 30, 4 * 2 ** 30];

export interface SweepPoint {
  kind: ServerKind;
  size: number;
  measurement: Measurement;
}

export async function runMemorySweep(
  kinds: ServerKind[],
  workDir: string,
  reuse: SourceFile,
  report: (point: SweepPoint) => void,
): Promise<SweepPoint[]> {
  const client = createUploadClient(false);
  const points: SweepPoint[] = [];
  for (const size of sweepSizes) {
    const source = size === reuse.size ? reuse : await createRandomFile(join(workDir, `sweep-${size}.bin`), size);
    try {
      for (const kind of kinds) {
        const dir = join(workDir, `sweep-${kind}-${size}`);
        await mkdir(dir, { recursive: true });
        const server = await startServerProcess(kind, dir);
        try {
          const measurement = await measureUpload(server, client, source, `sweep-${kind}-${size}.bin`, true);
          const point = { kind, size, measurement };
          points.push(point);
          report(point);
        } finally {
          await server.close();
          await rm(dir, { recursive: true, force: true });
        }
      }
    } finally {
      if (source !== reuse) await rm(source.path, { force: true });
    }
  }
  return points;
}
