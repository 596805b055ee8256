/**
 * The headless host: the same API over WebSocket plus the built UI as static files, on 127.0.0.1 only.
 * Each run makes a random token; the served page carries it and the WebSocket refuses connections without
 * it. The Host header is checked too, so a web page elsewhere cannot reach the API by DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientFrame, MAX_CLIENT_FRAME_BYTES, type ServerFrame, type StreamMessage, type Unsubscribe } from '../api/contract';
import { ApiException, toErrorBody } from '../api/errors';
import { parse } from '../api/validate';
import type { ApiHub } from '../app/hub';
import { CONTENT_SECURITY_POLICY } from '../app/csp';

export interface HostOptions {
  hub: ApiHub;
  /** Folder with the built renderer (out/renderer). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** A fixed token (tests); a random one otherwise. */
  token?: string;
  log?: (message: string) => void;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  /** Frames that failed validation, across all connections. */
  rejectedFrames(): number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const TOKEN_META = '<meta name="gammadesk-token" content="" />';
/**
 * A client whose socket holds this much unsent data is slow: its snapshots wait (only the latest of each stream
 * is kept, so nothing queues) and go out once it has drained to half. Latest-value streams lose nothing.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Subscriptions one connection may hold; the UI needs about ten. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 64;
/** How often a slow client's buffer is looked at while it has waiting snapshots. */
const DRAIN_CHECK_MS = 25;

/**
 * The JSON of a snapshot, made once per publish and shared by every subscriber of the stream (keyed by the
 * channel's message object): 3,000 subscriptions once serialized the same snapshot 3,000 times.
 */
const serialized = new WeakMap<object, string>();
function dataJson(message: { data: unknown }): string {
  let json = serialized.get(message);
  if (json === undefined) {
    json = JSON.stringify(message.data);
    serialized.set(message, json);
  }
  return json;
}

export function tokensEqual(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const log = options.log ?? (() => {});
  let rejected = 0;
  let port = 0;

  const allowedHost = (host: string | undefined): boolean =>
    host === `127.0.0.1:${port}` || host === `localhost:${port}`;

  const server = createServer((request, response) => {
    void serveStatic(request, response).catch((error: unknown) => {
      log(`static file error: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  async function serveStatic(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!allowedHost(request.headers.host)) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('malformed path');
      return;
    }
    if (path === '/' || path === '') path = '/index.html';
    const file = normalize(join(options.staticDir, path));
    if (!file.startsWith(normalize(options.staticDir) + sep)) {
      response.writeHead(404).end();
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    };
    if (extname(file) === '.html') {
      const html = body.toString('utf8');
      if (!html.includes(TOKEN_META)) throw new Error(`${file} lacks the token placeholder ${TOKEN_META}`);
      body = Buffer.from(html.replace(TOKEN_META, `<meta name="gammadesk-token" content="${token}" />`));
      headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
      headers['cache-control'] = 'no-store';
      headers['x-frame-options'] = 'DENY';
    }
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  // Frames above the limit close the connection (1009) before parsing; the contract's largest parameters fit.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  wss.on('error', (error) => log(`WebSocket server error: ${error.message}`));
  server.on('upgrade', (request, socket, head) => {
    // A client that resets mid-handshake must not take the host down (an 'error' with no listener throws).
    socket.on('error', (error) => log(`upgrade socket error: ${error.message}`));
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const origin = request.headers.origin;
    const originOk = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/api' || !allowedHost(request.headers.host) || !originOk || !tokensEqual(token, url.searchParams.get('token'))) {
      log(`refused WebSocket from ${request.socket.remoteAddress ?? '?'} (${url.pathname}): bad token, host or origin`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => serveConnection(ws));
  });

  function serveConnection(ws: WebSocket): void {
    const subscriptions = new Map<number, Unsubscribe>();
    // A protocol violation (oversized, unmasked or RSV-flagged frame, bad UTF-8, unknown opcode, invalid close
    // code) or a reset: `ws` closes this connection with the matching code and emits 'error' — which, with no
    // listener, would throw and end the whole host. Count it, log it, and let the other clients go on.
    ws.on('error', (error) => {
      rejected++;
      log(`WebSocket connection closed: ${error.message}`);
    });
    const send = (frame: ServerFrame): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    // Back-pressure: the latest undelivered snapshot of each subscription, while the client is slow.
    const waiting = new Map<number, StreamMessage<unknown>>();
    let drainTimer: ReturnType<typeof setTimeout> | null = null;
    const sendEvent = (id: number, message: StreamMessage<unknown>): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES || waiting.size > 0) {
        waiting.set(id, message); // replaces an older one: a slow client skips versions, it never queues them
        drainTimer ??= setTimeout(drain, DRAIN_CHECK_MS);
        return;
      }
      ws.send(`{"kind":"event","id":${id},"version":${message.version},"data":${dataJson(message)}}`);
    };
    const drain = (): void => {
      drainTimer = null;
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES / 2) {
        drainTimer = setTimeout(drain, DRAIN_CHECK_MS);
        return;
      }
      const ready = [...waiting];
      waiting.clear();
      for (const [id, message] of ready) if (subscriptions.has(id)) sendEvent(id, message);
    };
    ws.on('message', (raw, isBinary) => {
      let frame;
      try {
        if (isBinary) throw new ApiException('INVALID_ARGUMENT', 'binary frames are not part of the protocol');
        frame = parse(clientFrame, JSON.parse(String(raw)), 'frame');
      } catch (error) {
        rejected++;
        const body = error instanceof SyntaxError ? { code: 'INVALID_ARGUMENT', message: `malformed JSON: ${error.message}` } : toErrorBody(error);
        send({ kind: 'error', id: -1, error: body });
        return;
      }
      const { id } = frame;
      if (frame.kind === 'call') {
        options.hub.call(frame.method, frame.params).then(
          (result) => send({ kind: 'result', id, result }),
          (error: unknown) => send({ kind: 'error', id, error: toErrorBody(error) }),
        );
      } else if (frame.kind === 'subscribe') {
        if (subscriptions.has(id)) {
          send({ kind: 'error', id, error: { code: 'INVALID_ARGUMENT', message: `subscription id ${id} is in use` } });
          return;
        }
        if (subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          send({ kind: 'error', id, error: { code: 'LIMIT_EXCEEDED', message: `a connection holds at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions` } });
          return;
        }
        try {
          const unsubscribe = options.hub.subscribe(frame.topic, frame.params, (message) => sendEvent(id, message));
          subscriptions.set(id, unsubscribe);
          send({ kind: 'result', id, result: null });
        } catch (error) {
          send({ kind: 'error', id, error: toErrorBody(error) });
        }
      } else {
        subscriptions.get(id)?.();
        subscriptions.delete(id);
        waiting.delete(id);
      }
    });
    ws.on('close', () => {
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
      waiting.clear();
      if (drainTimer) clearTimeout(drainTimer);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    port,
    token,
    rejectedFrames: () => rejected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
