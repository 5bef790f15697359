// The preload's stand-in for browser tests: `window.ferry` calls main's real handler table through
// `page.exposeBinding`, so the tests exercise the same sender checks, zod parsing and handlers.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { InvokeChannel, PushChannel, PushPayload } from '../../../src/shared/ipc/contract';

/** The handler table's shape as the bridge needs it (main registers the same table with ipcMain). */
export type HandlerTable = Record<
  InvokeChannel,
  (event: { senderFrame: { url: string } | null }, payload: unknown) => Promise<unknown>
>;

let bundled: Promise<string> | undefined;

function bridgeScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL('./bridge-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
  }).then((result) => result.outputFiles[0]!.text);
  return bundled;
}

export interface Bridge {
  push<C extends PushChannel>(channel: C, payload: PushPayload<C>): Promise<void>;
  /** What the fake `webUtils.getPathForFile` answers, by dropped file name. */
  setDropPaths(paths: Record<string, string>): Promise<void>;
  /** Every invoke the page made, in order. */
  readonly calls: { channel: string; payload: unknown }[];
}

export async function installBridge(page: Page, handlers: HandlerTable): Promise<Bridge> {
  const calls: { channel: string; payload: unknown }[] = [];
  await page.exposeBinding('__ferryInvoke', async (source, channel: InvokeChannel, payload: unknown) => {
    calls.push({ channel, payload });
    const handler = handlers[channel];
    if (!handler) return { ok: false, error: { code: 'IPC_NO_HANDLER', message: `No handler for ${channel}` } };
    return handler({ senderFrame: { url: source.frame.url() } }, payload);
  });
  await page.addInitScript({ content: await bridgeScript() });
  return {
    calls,
    async push(channel, payload) {
      await page
        .evaluate(
          ([name, body]) =>
            (globalThis as unknown as { __ferryPush?(c: string, p: unknown): void }).__ferryPush?.(name, body),
          [channel, payload] as const,
        )
        .catch(() => undefined);
    },
    async setDropPaths(paths) {
      await page.evaluate(
        (table) =>
          void ((globalThis as unknown as { __ferryFakePaths: Record<string, string> }).__ferryFakePaths = table),
        paths,
      );
    },
  };
}
