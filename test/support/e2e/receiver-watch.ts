// Reads what the embedded receiver has stored, the ground truth the window's bars must follow.
import type { FerryCore } from '../../../src/main/core/ferry-core';

/** The receiver's upload id of a queued job (its upload, or its one part before sealing), once it has one. */
export function receiverIdOf(core: FerryCore, jobId: string): string | undefined {
  const job = core.queue.get(jobId);
  const url = job?.uploadUrl ?? job?.parts?.[0]?.url;
  return url ? new URL(url).pathname.split('/').filter(Boolean).pop() : undefined;
}

/** Bytes the receiver has stored for a job so far (0 before its upload exists). */
export async function storedBytes(core: FerryCore, jobId: string): Promise<number> {
  const id = receiverIdOf(core, jobId);
  if (!id) return 0;
  return (await core.receiver.store.get(id))?.offset ?? 0;
}

export function jobIdByName(core: FerryCore, name: string): string {
  const job = core.queue.list().find((item) => item.name === name);
  if (!job) throw new Error(`No job named ${name}`);
  return job.id;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
