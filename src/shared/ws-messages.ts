import * as z from 'zod';
import { ProgressEvent } from './progress-event';

/** Subprotocol a client may offer; the server echoes it so no token ever needs echoing. */
export const wsSubprotocol = 'ferry.v1';

/** Prefix of the `Sec-WebSocket-Protocol` entry that carries the token, for clients that cannot set headers. */
export const wsTokenProtocolPrefix = 'token.';

/** Bounds on one `subscribe` request; the whole frame is also capped by `maxPayload`. */
export const subscribeLimits = { maxIds: 1000, maxIdLength: 256 } as const;

/** Stable codes carried by `{ type: 'error' }` messages. */
export const wsErrorCodes = {
  invalidJson: 'WS_INVALID_JSON',
  invalidMessage: 'WS_INVALID_MESSAGE',
  binaryUnsupported: 'WS_BINARY_UNSUPPORTED',
} as const;
export type WsErrorCode = (typeof wsErrorCodes)[keyof typeof wsErrorCodes];

export const WsLimits = z.object({
  /** Largest frame the server accepts from a client, in bytes. */
  maxPayload: z.number().int().positive(),
  maxClients: z.number().int().positive(),
  /** The server pings this often and drops a client that missed the previous pong. */
  heartbeatMs: z.number().int().positive(),
  maxSubscribeIds: z.number().int().positive(),
});
export type WsLimits = z.infer<typeof WsLimits>;

/** First message on every connection. */
export const HelloMessage = z.object({
  type: z.literal('hello'),
  server: z.record(z.string(), z.unknown()),
  limits: WsLimits,
});
export type HelloMessage = z.infer<typeof HelloMessage>;

/** The latest event of every active or recently finished upload (filtered by the last `subscribe`). */
export const SnapshotMessage = z.object({
  type: z.literal('snapshot'),
  uploads: z.array(ProgressEvent),
});
export type SnapshotMessage = z.infer<typeof SnapshotMessage>;

export const ErrorMessage = z.object({
  type: z.literal('error'),
  code: z.string().min(1),
  message: z.string(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** Everything the server sends; a live update is the ProgressEvent itself (`type: 'progress'`). */
export const ServerMessage = z.discriminatedUnion('type', [HelloMessage, SnapshotMessage, ProgressEvent, ErrorMessage]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** Absent or empty `uploadIds` means every upload. Unknown keys are ignored so clients can grow. */
export const SubscribeMessage = z.object({
  type: z.literal('subscribe'),
  uploadIds: z.array(z.string().min(1).max(subscribeLimits.maxIdLength)).max(subscribeLimits.maxIds).optional(),
});
export type SubscribeMessage = z.infer<typeof SubscribeMessage>;

export const ClientMessage = z.discriminatedUnion('type', [SubscribeMessage]);
export type ClientMessage = z.infer<typeof ClientMessage>;
