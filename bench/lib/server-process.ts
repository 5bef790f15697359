// Parent side of a server child: fork it, wait for its URL, ask it for stats.
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { protocolOf, serverLabels, type ChildMessage, type ServerKind, type ServerStats } from './protocol';

export interface ServerProcess {
  kind: ServerKind;
  label: string;
  dir: string;
  /** Where uploads go: the tus creation URL, or the prefix for PUT. */
  endpoint: string;
  /** Reset the child's counters right before an upload. */
  mark(): Promise<void>;
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

const childEntry = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const startTimeoutMs = 30_000;

export async function startServerProcess(kind: ServerKind, dir: string, profileDir?: string): Promise<ServerProcess> {
  // Inherit tsx's loader flags; --expose-gc lets the child settle its heap before measuring.
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(profileDir), kind)}`] : [];
  const child = fork(childEntry, [kind, dir], {
    execArgv: [...process.execArgv, '--expose-gc', ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await waitForReady(child, kind);
  let nextId = 1;

  function request<T extends ChildMessage['type']>(type: 'mark' | 'stats' | 'close', reply: T) {
    const id = nextId++;
    return new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if ('id' in message && message.id === id && message.type === reply) {
          cleanup();
          resolve(message as Extract<ChildMessage, { type: T }>);
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`${serverLabels[kind]} exited (code ${code}) while waiting for '${reply}'`));
      };
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, type });
    });
  }

  return {
    kind,
    label: serverLabels[kind],
    dir,
    endpoint: protocolOf(kind) === 'tus' ? `${url}/files/` : `${url}/upload/`,
    mark: async () => {
      await request('mark', 'marked');
    },
    stats: async () => (await request('stats', 'stats')).stats,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await request('close', 'closed').catch(() => child.kill('SIGKILL'));
      await exited;
      clearTimeout(timer);
    },
  };
}

function waitForReady(child: ChildProcess, kind: ServerKind): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${serverLabels[kind]} did not start within ${startTimeoutMs / 1000} s`));
    }, startTimeoutMs);
    const done = (error: Error | null, url?: string) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(url!);
    };
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'ready') done(null, message.url);
      if (message.type === 'failed') done(new Error(`${serverLabels[kind]} failed to start:\n${message.error}`));
    };
    const onExit = (code: number | null) => done(new Error(`${serverLabels[kind]} exited during start (code ${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
