import { errnoCode } from '../../engine/errors';
import { createReceiver, type Receiver, type ReceiverOptions } from '../../engine/receiver/server';

/** Receiver options the core does not decide itself (tests shorten timeouts, skip fsync). */
export type ReceiverTuning = Partial<Omit<ReceiverOptions, 'dir' | 'port' | 'host' | 'token' | 'lan' | 'logger'>>;

export interface ReceiverStart {
  receiver: Receiver;
  port: number;
  /** The asked-for port was taken (or not allowed), so another one was picked. */
  fellBack: boolean;
}

/** Ports we cannot have: someone else holds it, or it is privileged. Any other error is real. */
const unavailable = new Set(['EADDRINUSE', 'EACCES']);

/**
 * Starts the embedded receiver on 127.0.0.1 at `port` (0 picks one). A stored port that another
 * program took since the last launch falls back to a free one instead of failing the launch.
 */
export async function startEmbeddedReceiver(options: {
  dir: string;
  port: number;
  token: string;
  logger: ReceiverOptions['logger'];
  tuning?: ReceiverTuning;
}): Promise<ReceiverStart> {
  const attempt = async (port: number) => {
    const receiver = createReceiver({
      ...options.tuning,
      dir: options.dir,
      port,
      host: '127.0.0.1',
      token: options.token,
      logger: options.logger,
    });
    try {
      const listening = await receiver.listen();
      return { receiver, port: listening.port };
    } catch (error) {
      await receiver.close().catch(() => undefined);
      throw error;
    }
  };
  try {
    return { ...(await attempt(options.port)), fellBack: false };
  } catch (error) {
    if (options.port === 0 || !unavailable.has(errnoCode(error) ?? '')) throw error;
    return { ...(await attempt(0)), fellBack: true };
  }
}
