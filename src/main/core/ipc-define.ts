import type { z } from 'zod';
import { errorMessage } from '../../engine/errors';
import {
  invokeContract,
  ipcErrorCodes,
  type InvokeChannel,
  type InvokeResponse,
  type IpcError,
  type IpcResult,
} from '../../shared/ipc/contract';
import { IpcFailure, describeIssues } from './ipc-failure';
import { isTrustedSender } from './sender-frame';

/** What a handler sees of Electron's IpcMainInvokeEvent; the browser-test bridge builds the same. */
export interface IpcEventLike {
  senderFrame: { url: string } | null;
}

export type InvokeHandler<C extends InvokeChannel> = (
  event: IpcEventLike,
  payload: unknown,
) => Promise<IpcResult<InvokeResponse<C>>>;
/** One handler per channel: a channel without one does not compile. */
export type InvokeHandlers = { [C in InvokeChannel]: InvokeHandler<C> };

export type ParsedRequest<C extends InvokeChannel> = z.output<(typeof invokeContract)[C]['request']>;

const codePattern = /^[A-Z][A-Z0-9_]{1,63}$/;

/** Errors cross as `{ code, message }` only: never a stack, never an object with more in it. */
export function toIpcError(error: unknown): IpcError {
  if (error instanceof IpcFailure) return error.toIpcError();
  const code = (error as { code?: unknown } | null)?.code;
  // Engine errors carry stable codes (SOURCE_UNREADABLE, …); Node's errno codes (ENOENT) are too.
  return {
    code: typeof code === 'string' && codePattern.test(code) ? code : ipcErrorCodes.failed,
    message: errorMessage(error).slice(0, 1000),
  };
}

export interface DefineOptions {
  appOrigins: readonly string[];
  onError?: (channel: InvokeChannel, error: unknown) => void;
}

/**
 * The one wrapper every handler goes through: the sender frame must be the app's page, the
 * payload must parse (strictly: unknown keys are refused), and the outcome is an IpcResult.
 */
export function createDefineHandler(options: DefineOptions) {
  return function defineHandler<C extends InvokeChannel>(
    channel: C,
    run: (request: ParsedRequest<C>, raw: unknown) => Promise<InvokeResponse<C>> | InvokeResponse<C>,
  ): InvokeHandler<C> {
    const schema = invokeContract[channel].request;
    return async (event, payload) => {
      if (!isTrustedSender(event?.senderFrame?.url, options.appOrigins)) {
        return {
          ok: false,
          error: { code: ipcErrorCodes.forbiddenSender, message: `${channel} is only for the app's own window` },
        };
      }
      // ipcRenderer.invoke(channel) with no argument sends undefined; that is an empty request.
      const raw = payload === undefined ? {} : payload;
      const parsed = schema.safeParse(raw);
      if (!parsed.success)
        return { ok: false, error: { code: ipcErrorCodes.invalidPayload, message: describeIssues(parsed.error) } };
      try {
        return { ok: true, value: await run(parsed.data as ParsedRequest<C>, raw) };
      } catch (error) {
        options.onError?.(channel, error);
        return { ok: false, error: toIpcError(error) };
      }
    };
  };
}
