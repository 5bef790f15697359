import type { z } from 'zod';
import { ipcErrorCodes, type IpcError } from '../../shared/ipc/contract';

/** An error meant to cross IPC: its code and message reach the window, its stack never does. */
export class IpcFailure extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IpcFailure';
    this.code = code;
  }

  toIpcError(): IpcError {
    return { code: this.code, message: this.message };
  }
}

/** One line per problem, with the field it is about: "concurrency: Too big: expected number to be <=16". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'value'}: ${issue.message}`)
    .join('; ');
}

export function invalidPayload(error: z.ZodError): IpcFailure {
  return new IpcFailure(ipcErrorCodes.invalidPayload, describeIssues(error), { cause: error });
}
