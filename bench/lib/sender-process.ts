// Parent side of a sender child: fork, hand over the task, wait for the one
// answer, and kill the child if it overruns rather than hang the benchmark.
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParentToSender, SenderMessage, SenderResult, SenderTask } from './sender-protocol';

const childEntry = fileURLToPath(new URL('./sender-child.ts', import.meta.url));

export interface SenderRunOptions {
  timeoutMs: number;
  /** Write V8 CPU profiles of the child into `<profileDir>/<profileName>/`. */
  profileDir?: string;
  profileName?: string;
  /** Called when the child has warmed up and waits to start the timed work. */
  beforeTimed?: () => Promise<void>;
  /** A bundled child (plain JavaScript) to run on bare Node instead of the TypeScript entry under tsx. */
  bundledEntry?: string;
  /** Extra Node/V8 flags for the child (say, a young generation size to compare RSS with). */
  nodeFlags?: string[];
}

export function runSenderChild(task: SenderTask, options: SenderRunOptions): Promise<SenderResult> {
  // A directory per run, not a file name: a loader thread (tsx) writes a profile
  // of its own, and a fixed name would let it overwrite the main thread's.
  const profile = options.profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(options.profileDir), options.profileName ?? 'sender')}`]
    : [];
  // Under tsx, inherit its loader flags; --expose-gc lets the child take steady RSS readings.
  const child = fork(options.bundledEntry ?? childEntry, [], {
    execArgv: [
      ...(options.bundledEntry ? [] : process.execArgv),
      '--expose-gc',
      ...(options.nodeFlags ?? []),
      ...profile,
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolvePromise, reject) => {
    let answer: SenderMessage | undefined;
    const timer = setTimeout(() => {
      answer ??= {
        type: 'failed',
        error: `the sender did not finish within ${Math.round(options.timeoutMs / 1000)} s`,
      };
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const go = () => {
      if (child.connected) child.send({ mode: 'go' } satisfies ParentToSender);
    };
    child.on('message', (message: SenderMessage) => {
      if (message.type !== 'ready') answer ??= message;
      else if (!options.beforeTimed) go();
      else
        options.beforeTimed().then(go, (error: unknown) => {
          answer ??= {
            type: 'failed',
            error: `before the timed work: ${error instanceof Error ? error.message : String(error)}`,
          };
          child.kill('SIGKILL');
        });
    });
    child.once('error', (error) => {
      answer ??= { type: 'failed', error: error.message };
    });
    // Settle on exit, not on the message: the profile is written while exiting.
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (answer?.type === 'result') return resolvePromise(answer.result);
      reject(
        new Error(
          answer?.type === 'failed'
            ? answer.error
            : `the sender exited (${signal ?? `code ${code}`}) without an answer`,
        ),
      );
    });
    child.send(task satisfies ParentToSender);
  });
}
