/**
 * WebSocket wire protocol (headless host). Client → server: `call` and `subscribe` carry an id chosen by the
 * client; `unsubscribe` names a subscription id. Server → client: `result` / `error` answer a call (or a
 * refused subscription) by id; `event` carries a stream message for a subscription id.
 */
import { v, type Infer } from '../validate';

const id = v.number({ integer: true, min: 0 });

/** A client frame; its `params` are validated later, against the command or topic it names. */
export const clientFrame = v.variant('kind', [
  { kind: v.literal('call'), id, method: v.string(), params: v.optional(v.unknown()) },
  { kind: v.literal('subscribe'), id, topic: v.string(), params: v.optional(v.unknown()) },
  { kind: v.literal('unsubscribe'), id },
]);
export type ClientFrame = Infer<typeof clientFrame>;

export type ServerFrame =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: { code: string; message: string } }
  | { kind: 'event'; id: number; version: number; data: unknown };

/**
 * The largest client frame the host accepts, bytes. It must hold the largest parameters the contract accepts in
 * plain ASCII: `positions.set` with 2000 positions of 64-character names (about 230 KB) and `import.tardis` with
 * 100 paths of 4096 characters (about 410 KB); test/unit/api/contract.test.ts builds both.
 */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
