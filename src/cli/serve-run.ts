// The receiver itself, loaded by serve.ts only after the arguments parsed: `--help` and a usage
// error never pay for loading the engine and pino.
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createReceiver } from '../engine/receiver/server';
import { startedByNpm, watchParent } from './parent-watch';
import { announceSharing, createTerminalDecider } from './share-terminal';

export interface ServeOptions {
  host: string;
  port: number;
  dir: string;
  maxSize: number;
  token?: string;
  auth: boolean;
  corsOrigin: string[];
  expireAfter: number;
  idleTimeout: number;
  durable: boolean;
  lan?: true | string[];
  pin?: string;
  accept: boolean;
  shareIdle: number;
  logLevel: string;
}

export async function runServe(opts: ServeOptions): Promise<void> {
  const logger = pino({ level: opts.logLevel }, pino.destination(2));
  const receiver = createReceiver({
    host: opts.host,
    port: opts.port,
    dir: opts.dir,
    maxSize: opts.maxSize,
    token: opts.auth ? opts.token : null,
    corsOrigins: opts.corsOrigin,
    expireAfterMs: opts.expireAfter,
    idleTimeoutMs: opts.idleTimeout,
    durable: opts.durable,
    // The built phone page sits at out/web both from src/cli and from the bundled dist/cli.
    webRoot: fileURLToPath(new URL('../../out/web', import.meta.url)),
    ...(opts.lan && opts.accept ? { acceptGuest: createTerminalDecider(process.stdin, process.stdout) } : {}),
    logger,
  });

  try {
    const { url } = await receiver.listen();
    console.log(`Listening on ${url}`);
    console.log(`  tus endpoint:  ${url}/files/`);
    console.log(`  multipart:     ${url}/upload`);
    console.log(`  progress:      ${url.replace(/^http/, 'ws')}/ws`);
    console.log(`  receive folder: ${receiver.dir}`);
    if (receiver.token) console.log(`  token:         ${receiver.token}  (Authorization: Bearer …, or ?token=…)`);
    else console.log('  auth:          off (--no-auth)');
    if (opts.lan) {
      const shared = await receiver.sharing.start({
        addresses: opts.lan === true ? [] : opts.lan,
        pin: opts.pin ?? null,
        requireAccept: opts.accept,
        idleMs: opts.shareIdle,
      });
      await announceSharing(receiver, shared, { pin: opts.pin });
    }
  } catch (error) {
    console.error(`ferry serve: could not start: ${(error as Error).message}`);
    process.exit(1);
  }

  let stopping = false;
  function stop(why: string): void {
    if (stopping) process.exit(1);
    stopping = true;
    console.error(`ferry serve: ${why}, flushing in-flight uploads…`);
    receiver.close().then(
      () => process.exit(0),
      (error) => {
        console.error(`ferry serve: shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
  // Under `npm run`, a SIGTERM to npm can end the shell between us without reaching this process.
  if (startedByNpm()) watchParent(() => !stopping && stop('npm exited'));
}
