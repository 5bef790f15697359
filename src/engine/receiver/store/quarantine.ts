import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Moves a file aside for a person to inspect; its name gets the time, which retention counts from. */
export async function quarantine(dir: string, quarantineDir: string, name: string, now = Date.now()): Promise<void> {
  await mkdir(quarantineDir, { recursive: true });
  await rename(join(dir, name), join(quarantineDir, `${name}.${now}`)).catch(() => undefined);
}

/** Removes quarantined files older than `retainMs` (by the time in their names). */
export async function purgeQuarantine(quarantineDir: string, retainMs: number, now = Date.now()): Promise<number> {
  const names = await readdir(quarantineDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const at = Number(/\.(\d{10,16})$/.exec(name)?.[1]);
    if (!Number.isSafeInteger(at) || at + retainMs >= now) continue;
    await rm(join(quarantineDir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
