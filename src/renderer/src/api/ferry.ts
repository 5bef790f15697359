import type { FerryApi } from '../../../shared/ipc/api';
import { ipcErrorCodes, type IpcResult } from '../../../shared/ipc/contract';

/** A failed IPC call: the stable code from main and a message for people. */
export class IpcCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'IpcCallError';
  }
}

/** Resolves with the value of an `IpcResult`, or rejects with an `IpcCallError` (a broken bridge included). */
export async function unwrap<T>(pending: Promise<IpcResult<T>>): Promise<T> {
  let result: IpcResult<T>;
  try {
    result = await pending;
  } catch (caught) {
    throw new IpcCallError(ipcErrorCodes.failed, caught instanceof Error ? caught.message : String(caught));
  }
  if (result.ok) return result.value;
  throw new IpcCallError(result.error.code, result.error.message);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `window.ferry`, which the preload (or a test bridge) must have put there before the page runs. */
export function ferryFromWindow(): FerryApi {
  const api = (window as Partial<Window>).ferry;
  if (!api) throw new Error('window.ferry is missing: the window was opened without its preload');
  return api;
}
