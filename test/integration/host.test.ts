/**
 * The headless host over real sockets: static files with the token and CSP, Host/Origin/token checks,
 * and the WebSocket API protocol against a real ApiHub.
 */
import fs from 'node:fs';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { MAX_CLIENT_FRAME_BYTES, type ServerFrame } from '../../src-main/api/contract';
import type { AppInfo, HeaderSnapshot } from '../../src-main/api/dto';
import { ApiException } from '../../src-main/api/errors';
import { CONTENT_SECURITY_POLICY } from '../../src-main/app/csp';
import { ApiHub } from '../../src-main/app/hub';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION, startHost, tokensEqual, type RunningHost } from '../../src-main/host/server';
import { makeTempDir } from '../helpers/tmp';

const TOKEN = 'test-token-0123456789';
const INFO: AppInfo = {
  name: 'GammaDesk',
  version: 'test',
  mode: 'browser',
  dbPath: '/tmp/x.db',
  source: 'demo',
  currencies: ['BTC', 'ETH'],
  eventsApplied: 3,
};

function header(seq: number): HeaderSnapshot {
  return {
    feed: { source: 'demo', label: 'x', state: 'live', messagesPerSecond: 0, lagMs: 0, silenceMs: 0, rejectedEvents: 0, lastRejectReason: null, reconnects: 0, lastError: null, staleInstruments: [], instruments: 0 },
    currencies: [],
    marketTimeMs: 1000 + seq,
    seq,
  };
}

let tmp: { dir: string; remove: () => void };
let staticDir: string;
let hub: ApiHub;
let host: RunningHost;
const logs: string[] = [];

beforeAll(async () => {
  tmp = makeTempDir();
  staticDir = path.join(tmp.dir, 'static');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(
    path.join(staticDir, 'index.html'),
    '<!doctype html><html><head><meta name="gammadesk-token" content="" /><title>GammaDesk</title></head><body></body></html>',
  );
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("hi");');
  fs.writeFileSync(path.join(staticDir, 'broken.html'), '<html>no placeholder</html>');
  // Files outside the static folder that traversal must not reach, one in a sibling whose name shares the prefix.
  fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), 'SECRET');
  fs.mkdirSync(path.join(tmp.dir, 'static-evil'));
  fs.writeFileSync(path.join(tmp.dir, 'static-evil', 'x.js'), 'EVIL');

  hub = new ApiHub();
  hub.handle('app.info', () => INFO);
  hub.handle('feed.status', () => {
    throw new ApiException('UNAVAILABLE', 'feed is resting');
  });
  hub.handle('positions.set', ({ positions }) => positions.map((p) => ({ instrument: p.instrument, amount: p.amount, averagePrice: p.averagePrice ?? null, priceCurrency: p.priceCurrency ?? 'BTC', updatedMs: 0 })));
  hub.topic('header', () => 'all');
  hub.topic('chain', ({ currency, expiry }) => {
    throw new ApiException('NOT_FOUND', `no ${currency} expiry ${expiry}`);
  });
  host = await startHost({ hub, staticDir, token: TOKEN, log: (m) => logs.push(m) });
});

afterAll(async () => {
  await host?.close();
  tmp?.remove();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path is sent exactly as given (no client-side normalisation). */
function request(rawPath: string, options: { host?: string; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: host.port,
        path: rawPath,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${host.port}` },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A connected client that collects frames. */
class Client {
  readonly frames: ServerFrame[] = [];
  private waiters: { test: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: WebSocket.RawData) => {
      const frame = JSON.parse(String(raw)) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static open(url = `ws://127.0.0.1:${host.port}/api?token=${TOKEN}`, options: WebSocket.ClientOptions = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const client = new Client(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or future) that passes the test. */
  next(test: (f: ServerFrame) => boolean, timeoutMs = 2000): Promise<ServerFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** Sends a call and waits for its answer. */
  async call(id: number, method: string, params: unknown): Promise<ServerFrame> {
    this.send({ kind: 'call', id, method, params });
    return this.next((f) => f.id === id && f.kind !== 'event');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** Resolves with the HTTP status of a refused upgrade (rejects if the socket opens). */
function refusedStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => {
      ws.close();
      reject(new Error('the WebSocket was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      const match = /Unexpected server response: (\d+)/.exec(error.message);
      if (match) resolve(Number(match[1]));
      else reject(error);
    });
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw TCP connection that completed the WebSocket handshake: frames are written byte by byte. */
async function rawWebSocket(): Promise<net.Socket> {
  const socket = net.connect(host.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    `GET /api?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const response = await new Promise<string>((resolve) => socket.once('data', (data) => resolve(String(data))));
  expect(response).toMatch(/^HTTP\/1\.1 101/);
  return socket;
}

/** A client frame: FIN + opcode (and RSV bits) in `first`, masked unless told otherwise. */
function frame(first: number, payload: Buffer, { mask = true, length = payload.length }: { mask?: boolean; length?: number } = {}): Buffer {
  const key = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const header =
    length < 126
      ? Buffer.from([first, (mask ? 0x80 : 0) | length])
      : Buffer.concat([Buffer.from([first, (mask ? 0x80 : 0) | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
  const body = mask ? Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!)) : payload;
  return Buffer.concat([header, mask ? key : Buffer.alloc(0), body]);
}

describe('static files', () => {
  it('GET / serves index.html with the token injected, a strict CSP and no caching', async () => {
    const reply = await request('/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toContain(`<meta name="gammadesk-token" content="${TOKEN}" />`);
    expect(reply.body).not.toContain('content=""');
    expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(reply.headers['content-security-policy']).toContain("script-src 'self'");
    expect(reply.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['x-frame-options']).toBe('DENY');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect((await request('/index.html')).body).toBe(reply.body);
  });

  it('serves assets with their type; HEAD has no body', async () => {
    const js = await request('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("hi");');
    const head = await request('/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('a random token is generated per run when none is given', async () => {
    const other = await startHost({ hub, staticDir });
    try {
      expect(other.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
      expect(other.token).not.toBe(TOKEN);
    } finally {
      await other.close();
    }
  });

  it('a wrong Host header is 403 (DNS rebinding), for the page and for the API', async () => {
    for (const badHost of ['evil.example', `evil.example:${host.port}`, '127.0.0.1', `127.0.0.1:${host.port + 1}`]) {
      const reply = await request('/', { host: badHost });
      expect(reply.status, badHost).toBe(403);
      expect(reply.body).not.toContain(TOKEN);
    }
    expect((await request('/', { host: `localhost:${host.port}` })).status).toBe(200);
  });

  it('only GET and HEAD are allowed', async () => {
    const reply = await request('/', { method: 'POST' });
    expect(reply.status).toBe(405);
    expect(reply.headers['allow']).toBe('GET, HEAD');
  });

  it('path traversal, plain or encoded, is 404 and never leaks files outside the folder', async () => {
    for (const p of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/..%2Fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '/..%2Fstatic-evil%2Fx.js',
      '/..%5csecret.txt',
      '/../package.json',
      '/%2e%2e/package.json',
    ]) {
      const reply = await request(p);
      expect(reply.status, p).toBe(404);
      expect(reply.body, p).not.toMatch(/SECRET|EVIL|root:/);
    }
  });

  it('a malformed percent-encoding is refused without serving anything, and the server keeps working', async () => {
    const reply = await request('/%E0%A4%A');
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.body).not.toContain(TOKEN);
    expect((await request('/')).status).toBe(200);
  });

  it('missing files and folders are 404', async () => {
    expect((await request('/nope.js')).status).toBe(404);
    expect((await request('/assets')).status).toBe(404);
    expect((await request('/api')).status).toBe(404);
  });

  it('an HTML file without the token placeholder is a 500, not a page without a token', async () => {
    const reply = await request('/broken.html');
    expect(reply.status).toBe(500);
    expect(logs.some((m) => m.includes('lacks the token placeholder'))).toBe(true);
  });
});

describe('WebSocket admission', () => {
  const base = (): string => `ws://127.0.0.1:${host.port}`;

  it('refuses a connection without a token, with a wrong token, or on another path (401)', async () => {
    expect(await refusedStatus(`${base()}/api`)).toBe(401);
    expect(await refusedStatus(`${base()}/api?token=`)).toBe(401);
    expect(await refusedStatus(`${base()}/api?token=${TOKEN}x`)).toBe(401);
    expect(await refusedStatus(`${base()}/api?token=${TOKEN.slice(0, -1)}`)).toBe(401);
    expect(await refusedStatus(`${base()}/other?token=${TOKEN}`)).toBe(401);
    expect(logs.some((m) => m.startsWith('refused WebSocket'))).toBe(true);
  });

  it('refuses a foreign Origin (a web page elsewhere) and a wrong Host, even with the token', async () => {
    const url = `${base()}/api?token=${TOKEN}`;
    expect(await refusedStatus(url, { origin: 'http://evil.example' })).toBe(401);
    expect(await refusedStatus(url, { origin: `http://evil.example:${host.port}` })).toBe(401);
    expect(await refusedStatus(url, { origin: `https://127.0.0.1:${host.port}` })).toBe(401);
    expect(await refusedStatus(url, { headers: { host: `evil.example:${host.port}` } })).toBe(401);
  });

  it('accepts the page\'s own origin (127.0.0.1 or localhost) and clients without an Origin', async () => {
    const url = `${base()}/api?token=${TOKEN}`;
    for (const options of [{ origin: `http://127.0.0.1:${host.port}` }, { origin: `http://localhost:${host.port}` }, {}]) {
      const client = await Client.open(url, options);
      await client.close();
    }
  });

  it('tokensEqual compares exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'ab')).toBe(false);
    expect(tokensEqual('abc', null)).toBe(false);
    expect(tokensEqual('abc', '')).toBe(false);
  });
});

describe('WebSocket API', () => {
  it('a call returns its result under the caller\'s id', async () => {
    const client = await Client.open();
    try {
      expect(await client.call(41, 'app.info', {})).toEqual({ kind: 'result', id: 41, result: INFO });
    } finally {
      await client.close();
    }
  });

  it('errors come back as {code, message} frames: invalid params, unknown method, handler errors', async () => {
    const client = await Client.open();
    try {
      expect(await client.call(1, 'app.info', { verbose: true })).toEqual({
        kind: 'error',
        id: 1,
        error: { code: 'INVALID_ARGUMENT', message: 'params.verbose must be absent (unknown field), got true' },
      });
      expect(await client.call(2, 'app.shutdown', {})).toMatchObject({ kind: 'error', id: 2, error: { code: 'UNKNOWN_METHOD' } });
      expect(await client.call(3, 'feed.status', {})).toEqual({
        kind: 'error',
        id: 3,
        error: { code: 'UNAVAILABLE', message: 'feed is resting' },
      });
    } finally {
      await client.close();
    }
  });

  it('the largest positions.set the contract accepts fits in one frame (ws maxPayload)', async () => {
    const client = await Client.open();
    try {
      const positions = Array.from({ length: 2000 }, (_, i) => ({ instrument: `BTC-27DEC26-${100_000 + 500 * i}-C`, amount: -1.25 }));
      const reply = await client.call(6, 'positions.set', { positions });
      expect(reply).toMatchObject({ kind: 'result', id: 6 });
      expect((reply as { result: unknown[] }).result).toHaveLength(2000);
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      await client.close();
    }
  });

  it('malformed JSON and invalid frames get an error frame (id -1), and the connection stays usable', async () => {
    const client = await Client.open();
    const rejectedBefore = host.rejectedFrames();
    try {
      client.send('{"kind": "call", ');
      const malformed = await client.next((f) => f.kind === 'error' && f.id === -1);
      expect(malformed).toMatchObject({ kind: 'error', id: -1, error: { code: 'INVALID_ARGUMENT' } });
      expect((malformed as { error: { message: string } }).error.message).toMatch(/^malformed JSON: /);
      client.send({ kind: 'call', id: 'seven', method: 'app.info', params: {} });
      await client.next((f) => f.kind === 'error' && f.id === -1 && f.error.message.startsWith('frame.id'));
      client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      await client.next((f) => f.kind === 'error' && f.id === -1 && f.error.message.includes('binary'));
      expect(host.rejectedFrames() - rejectedBefore).toBe(3);
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
      expect(await client.call(5, 'app.info', {})).toEqual({ kind: 'result', id: 5, result: INFO });
    } finally {
      await client.close();
    }
  });

  it('subscribe gets the latest snapshot at once, then later versions; unsubscribe stops them', async () => {
    const channel = hub.channel('header', 'all');
    channel.publish(header(1));
    channel.publish(header(2));
    const baseVersion = channel.current()!.version;
    const client = await Client.open();
    try {
      client.send({ kind: 'subscribe', id: 9, topic: 'header', params: {} });
      expect(await client.next((f) => f.id === 9 && f.kind === 'result')).toEqual({ kind: 'result', id: 9, result: null });
      const first = await client.next((f) => f.id === 9 && f.kind === 'event');
      expect(first).toEqual({ kind: 'event', id: 9, version: baseVersion, data: header(2) });
      channel.publish(header(3));
      channel.publish(header(4));
      const later = await client.next((f) => f.kind === 'event' && f.id === 9 && f.version === baseVersion + 2);
      expect(later).toMatchObject({ data: { seq: 4 } });
      const versions = client.frames.filter((f) => f.kind === 'event').map((f) => (f as { version: number }).version);
      expect(versions).toEqual([baseVersion, baseVersion + 1, baseVersion + 2]);

      client.send({ kind: 'unsubscribe', id: 9 });
      // A call after the unsubscribe is answered after it was processed (frames are handled in order).
      await client.call(10, 'app.info', {});
      expect(channel.subscriberCount).toBe(0);
      const count = client.frames.length;
      channel.publish(header(5));
      await delay(50);
      expect(client.frames.slice(count).filter((f) => f.kind === 'event')).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('subscription errors: unknown topic, invalid params, resolver NOT_FOUND, id in use', async () => {
    const client = await Client.open();
    try {
      client.send({ kind: 'subscribe', id: 1, topic: 'weather', params: {} });
      expect(await client.next((f) => f.id === 1)).toMatchObject({ kind: 'error', error: { code: 'UNKNOWN_TOPIC' } });
      client.send({ kind: 'subscribe', id: 2, topic: 'chain', params: { currency: 'BTC', expiry: 'soon' } });
      expect(await client.next((f) => f.id === 2)).toMatchObject({ kind: 'error', error: { code: 'INVALID_ARGUMENT' } });
      client.send({ kind: 'subscribe', id: 3, topic: 'chain', params: { currency: 'BTC', expiry: '1JAN30' } });
      expect(await client.next((f) => f.id === 3)).toEqual({
        kind: 'error',
        id: 3,
        error: { code: 'NOT_FOUND', message: 'no BTC expiry 1JAN30' },
      });
      client.send({ kind: 'subscribe', id: 4, topic: 'header', params: {} });
      await client.next((f) => f.id === 4 && f.kind === 'result');
      client.send({ kind: 'subscribe', id: 4, topic: 'header', params: {} });
      expect(await client.next((f) => f.id === 4 && f.kind === 'error')).toMatchObject({
        error: { code: 'INVALID_ARGUMENT', message: 'subscription id 4 is in use' },
      });
    } finally {
      await client.close();
    }
  });

  it('closing the connection drops its subscriptions', async () => {
    const channel = hub.channel('header', 'all');
    const before = channel.subscriberCount;
    const client = await Client.open();
    client.send({ kind: 'subscribe', id: 1, topic: 'header', params: {} });
    await client.next((f) => f.id === 1 && f.kind === 'result');
    expect(channel.subscriberCount).toBe(before + 1);
    await client.close();
    for (let i = 0; i < 50 && channel.subscriberCount > before; i++) await delay(10);
    expect(channel.subscriberCount).toBe(before);
  });

  it('two clients are independent: same subscription id, separate streams', async () => {
    const a = await Client.open();
    const b = await Client.open();
    try {
      a.send({ kind: 'subscribe', id: 1, topic: 'header', params: {} });
      b.send({ kind: 'subscribe', id: 1, topic: 'header', params: {} });
      await a.next((f) => f.id === 1 && f.kind === 'result');
      await b.next((f) => f.id === 1 && f.kind === 'result');
      a.send({ kind: 'unsubscribe', id: 1 });
      await a.call(2, 'app.info', {});
      const version = hub.channel('header', 'all').current()!.version + 1;
      hub.channel('header', 'all').publish(header(100));
      await b.next((f) => f.kind === 'event' && f.version === version);
      await delay(30);
      expect(a.frames.some((f) => f.kind === 'event' && f.version === version)).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('many subscribers and slow clients', () => {
  it('a connection holds at most 64 subscriptions; the next is refused with LIMIT_EXCEEDED and the rest keep working', async () => {
    const client = await Client.open();
    try {
      for (let id = 1; id <= MAX_SUBSCRIPTIONS_PER_CONNECTION; id++) client.send({ kind: 'subscribe', id, topic: 'header', params: {} });
      await client.next((f) => f.id === MAX_SUBSCRIPTIONS_PER_CONNECTION && f.kind === 'result');
      client.send({ kind: 'subscribe', id: 1000, topic: 'header', params: {} });
      expect(await client.next((f) => f.id === 1000)).toMatchObject({ kind: 'error', error: { code: 'LIMIT_EXCEEDED' } });
      // Unsubscribing frees a place.
      client.send({ kind: 'unsubscribe', id: 1 });
      client.send({ kind: 'subscribe', id: 1001, topic: 'header', params: {} });
      expect(await client.next((f) => f.id === 1001 && f.kind !== 'event')).toMatchObject({ kind: 'result' });
    } finally {
      await client.close();
    }
  });

  it('a snapshot is serialized once per publish, whatever the number of subscribers', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => Client.open()));
    try {
      for (const c of clients) c.send({ kind: 'subscribe', id: 7, topic: 'header', params: {} });
      for (const c of clients) await c.next((f) => f.id === 7 && f.kind === 'result');
      const snapshot = header(500);
      const stringify = vi.spyOn(JSON, 'stringify');
      const version = hub.channel('header', 'all').current()!.version + 1;
      hub.channel('header', 'all').publish(snapshot);
      const frames = await Promise.all(clients.map((c) => c.next((f) => f.kind === 'event' && f.version === version)));
      expect(stringify.mock.calls.filter(([value]) => value === snapshot)).toHaveLength(1);
      stringify.mockRestore();
      for (const frame of frames) expect(frame).toEqual({ kind: 'event', id: 7, version, data: snapshot });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('a client that does not read gets the latest snapshot once it drains, not a queue of stale ones', async () => {
    const slow = await Client.open();
    try {
      slow.send({ kind: 'subscribe', id: 3, topic: 'header', params: {} });
      await slow.next((f) => f.id === 3 && f.kind === 'result');
      // Stop reading: the host's send buffer fills once the socket buffers are full.
      const socket = (slow.ws as unknown as { _socket: net.Socket })._socket;
      socket.pause();
      const big = (seq: number): HeaderSnapshot => ({ ...header(seq), currencies: Array.from({ length: 4000 }, () => ({ currency: 'BTC', indexUsd: seq, perpetualUsd: seq, frontForwardUsd: seq, frontExpiryLabel: 'x'.repeat(100) })) });
      const first = hub.channel('header', 'all').current()!.version + 1;
      const published = 120; // ~0.6 MB each: ~70 MB if every one were queued
      for (let i = 0; i < published; i++) hub.channel('header', 'all').publish(big(i));
      await delay(100);
      socket.resume();
      const last = first + published - 1;
      const latest = await slow.next((f) => f.kind === 'event' && f.version === last, 20_000);
      expect((latest as { data: HeaderSnapshot }).data.seq).toBe(published - 1);
      const delivered = slow.frames.filter((f) => f.kind === 'event' && f.version >= first).length;
      // Versions were skipped while the client was slow.
      expect(delivered).toBeLessThan(published);
    } finally {
      await slow.close();
    }
  }, 30_000);
});

describe('WebSocket protocol violations', () => {
  // Each of these once ended the whole host with an unhandled 'error' event. Now only that connection closes.
  const violations: [string, Buffer][] = [
    ['an unmasked client frame', frame(0x81, Buffer.from('{"kind":"call"}'), { mask: false })],
    ['RSV1 set without an extension', frame(0xc1, Buffer.from('{}'))],
    ['an unknown opcode', frame(0x83, Buffer.from('x'))],
    ['invalid UTF-8 in a text frame', frame(0x81, Buffer.from([0xff, 0xfe, 0xfd]))],
    ['a 2 GB length header', frame(0x81, Buffer.alloc(0), { length: 2 ** 31 })],
    ['close code 999', frame(0x88, Buffer.from([0x03, 0xe7]))],
  ];
  for (const [name, bytes] of violations) {
    it(`${name}: that connection is closed, the host and other clients go on`, async () => {
      const bystander = await Client.open();
      const socket = await rawWebSocket();
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const rejectedBefore = host.rejectedFrames();
      socket.write(bytes);
      await closed;
      expect(host.rejectedFrames()).toBe(rejectedBefore + 1);
      const answer = await bystander.call(1, 'app.info', {});
      expect(answer).toMatchObject({ kind: 'result', id: 1, result: INFO });
      await bystander.close();
      const fresh = await Client.open();
      expect(await fresh.call(2, 'app.info', {})).toMatchObject({ kind: 'result', id: 2 });
      await fresh.close();
    });
  }

  it('a frame over the size limit closes that connection with 1009; the host goes on', async () => {
    const client = await Client.open();
    const code = new Promise<number>((resolve) => client.ws.once('close', (c) => resolve(c)));
    client.send('x'.repeat(MAX_CLIENT_FRAME_BYTES + 1));
    expect(await code).toBe(1009);
    const other = await Client.open();
    expect(await other.call(1, 'app.info', {})).toMatchObject({ kind: 'result' });
    await other.close();
  });

  it('deeply nested JSON is refused by depth with a clear error, and the connection stays usable', async () => {
    const client = await Client.open();
    const deep = `{"kind":"call","id":5,"method":"app.info","params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    client.send(deep);
    const error = await client.next((f) => f.kind === 'error');
    expect(error).toMatchObject({ kind: 'error', error: { code: 'INVALID_ARGUMENT', message: 'frame nests deeper than 16 levels' } });
    expect(await client.call(6, 'app.info', {})).toMatchObject({ kind: 'result', id: 6 });
    await client.close();
  });
});

describe('binding', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
    const connects = (address: string): Promise<boolean> =>
      new Promise((resolve) => {
        const socket = net.connect({ host: address, port: host.port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    expect(await connects('127.0.0.1')).toBe(true);
    expect(await connects('::1')).toBe(false);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((i): i is os.NetworkInterfaceInfo => !!i && !i.internal)
      .map((i) => i.address);
    for (const address of external) expect(await connects(address), address).toBe(false);
  });

  it('close() ends open connections and frees the port', async () => {
    const other = await startHost({ hub, staticDir, token: TOKEN });
    const client = await Client.open(`ws://127.0.0.1:${other.port}/api?token=${TOKEN}`);
    const closed = new Promise<void>((resolve) => client.ws.once('close', () => resolve()));
    await other.close();
    await closed;
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: other.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
