import type { IncomingMessage } from 'node:http';

/** Longest user agent kept: it rides on every progress event of the upload. */
const maxUserAgent = 256;

/** Who sent an upload, for display ("from 192.168.1.20, Firefox"): the peer address and user agent. */
export function senderContext(req: IncomingMessage): { remoteAddress?: string; userAgent?: string } {
  const context: { remoteAddress?: string; userAgent?: string } = {};
  if (req.socket.remoteAddress) context.remoteAddress = req.socket.remoteAddress;
  const agent = req.headers['user-agent'];
  if (agent) context.userAgent = agent.slice(0, maxUserAgent);
  return context;
}
