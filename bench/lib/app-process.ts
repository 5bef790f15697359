// Parent side of the app benchmark: bundle the headless main process, fork it,
// play the window (a /ws client in this process, as the renderer is in its own),
// and settle on the child's exit so its CPU profile is complete.
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import WebSocket from 'ws';
import { appOrigin } from '../../src/main/core/renderer-files';
import { wsSubprotocol } from '../../src/shared/ws-messages';
import type { AppMessage, AppTask, LoopFigures, ParentToApp } from './app-protocol';
import { bundleChild } from './bundle-child';
import { startIdleProbe, type IdleProbe } from './idle-probe';

const childSource = fileURLToPath(new URL('./app-child.ts', import.meta.url));

/**
 * electron-store imports `electron` for `app` and `ipcMain` only: to find userData (the benchmark
 * passes `cwd`) and to answer renderers. An empty module keeps its save path as it is in the app.
 */
const electronStub: Plugin = {
  name: 'electron-stub',
  setup(builder) {
    builder.onResolve({ filter: /^electron$/ }, () => ({ path: 'electron', namespace: 'electron-stub' }));
    builder.onLoad({ filter: /.*/, namespace: 'electron-stub' }, () => ({
      contents: 'export default {};',
      loader: 'js',
    }));
  },
};

/** One plain JavaScript file for bare Node, as the app ships main bundled. */
export function bundleAppChild(): Promise<string> {
  // The source map beside the bundle lets CPU profiles be read back to source lines.
  return bundleChild(childSource, { plugins: [electronStub], sourcemap: 'external' });
}

/** What the window received over /ws during the send. */
export interface WindowFigures {
  messages: number;
  bytes: number;
}

export interface AppRunOptions {
  timeoutMs: number;
  /** Write a V8 CPU profile of the child into `<profileDir>/<profileName>/`. */
  profileDir?: string;
  profileName?: string;
  /** Open /ws as the window does; off measures main without a window. */
  window: boolean;
  /** More Node flags for the child (`--trace-gc`, ...). */
  execArgv?: string[];
}

export type AppAnswer = Exclude<AppMessage, { type: 'ready' | 'failed' }>;

/** Opens the window's socket and resolves once the hello arrived, counting every message after. */
function openWindow(origin: string, token: string, figures: WindowFigures): Promise<WebSocket> {
  const url = `${origin.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`;
  // The window's origin, as Chromium sends it from the app protocol.
  const socket = new WebSocket(url, [wsSubprotocol], { origin: appOrigin });
  return new Promise((resolvePromise, reject) => {
    socket.once('error', reject);
    socket.once('message', () => {
      socket.on('message', (data: Buffer) => {
        figures.messages += 1;
        figures.bytes += data.length;
      });
      resolvePromise(socket);
    });
  });
}

export interface AppOutcome {
  answer: AppAnswer;
  window?: WindowFigures;
  /** An idle process's loop delay over the same span: the machine's share of the figures. */
  idle?: LoopFigures;
}

export function runAppChild(entry: string, task: AppTask, options: AppRunOptions): Promise<AppOutcome> {
  const profile = options.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(options.profileDir), options.profileName ?? 'app')}`]
    : [];
  const child = fork(entry, [JSON.stringify(task)], {
    execArgv: [...(options.execArgv ?? []), ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const windowFigures: WindowFigures = { messages: 0, bytes: 0 };
  let socket: WebSocket | undefined;
  let probe: IdleProbe | undefined;
  let idle: Promise<LoopFigures | undefined> = Promise.resolve(undefined);
  let answer: AppMessage | undefined;
  const fail = (error: unknown) => {
    answer ??= { type: 'failed', error: error instanceof Error ? error.message : String(error) };
    child.kill('SIGKILL');
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`the run did not finish within ${Math.round(options.timeoutMs / 1000)} s`)),
      options.timeoutMs,
    );
    const go = () => {
      probe = startIdleProbe();
      if (child.connected) child.send({ type: 'go' } satisfies ParentToApp);
    };
    const stopProbe = () => {
      if (probe) idle = probe.stop().catch(() => undefined);
      probe = undefined;
    };
    child.on('message', (message: AppMessage) => {
      if (message.type !== 'ready') {
        stopProbe();
        answer ??= message;
        socket?.close();
      } else if (!options.window) go();
      else
        openWindow(message.origin, message.token, windowFigures).then((opened) => {
          socket = opened;
          go();
        }, fail);
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      socket?.terminate();
      stopProbe();
      void idle.then((figures) => {
        if (answer && answer.type !== 'failed' && answer.type !== 'ready')
          return resolvePromise({ answer, window: options.window ? windowFigures : undefined, idle: figures });
        reject(
          new Error(
            answer?.type === 'failed'
              ? answer.error
              : `the app child exited (${signal ?? `code ${code}`}) without an answer`,
          ),
        );
      });
    });
  });
}
