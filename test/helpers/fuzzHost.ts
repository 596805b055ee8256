/**
 * Input generators for fuzzing the headless host, shared by the bounded test (test/integration/fuzz-host.test.ts)
 * and the soak (`npm run bench -- fuzz`). Everything is drawn from one seeded generator, so a failing run can be
 * replayed with its seed.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import type { ServerFrame } from '../../src-main/api/contract';
import { GammaDeskApp } from '../../src-main/app/app';
import { Rng } from '../../src-main/core/random';
import { TSX_WORKER } from './worker';

export interface FuzzTarget {
  app: GammaDeskApp;
  stop(): Promise<void>;
}

/** The real app (demo market, pool, SQLite) to put behind the host. */
export async function startFuzzTarget(options: { dbPath: string; deribitUrl: string }): Promise<FuzzTarget> {
  const app = GammaDeskApp.start({ dbPath: options.dbPath, mode: 'in-process', worker: TSX_WORKER, deribitUrl: options.deribitUrl, publishIntervalMs: 200 });
  return { app, stop: () => app.stop() };
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  rawFrames: number;
  mutatedCalls: number;
  garbage: number;
  resultReplies: number;
  errorReplies: number;
  /** Connections the host closed (protocol violations, oversize frames). */
  closedConnections: number;
  bystanderChecks: number;
  bystanderFailures: string[];
  /** Replies with code INTERNAL: a handler threw something it should have refused with a reason. */
  internalErrors: string[];
  seconds: number;
}

/**
 * Valid frames the mutations start from: every command family and topic. `import.tardis` touches the file system
 * only inside the fuzz app's (empty) import folder: every mutated path outside it must be refused, never read.
 */
const TEMPLATES: unknown[] = [
  { kind: 'call', id: 1, method: 'app.info', params: {} },
  { kind: 'call', id: 2, method: 'feed.status', params: {} },
  { kind: 'call', id: 3, method: 'desk.status', params: {} },
  { kind: 'call', id: 4, method: 'positions.set', params: { positions: [{ instrument: 'BTC-25DEC26-100000-C', amount: 1 }] } },
  { kind: 'call', id: 5, method: 'positions.list', params: {} },
  { kind: 'call', id: 6, method: 'source.set', params: { source: { kind: 'demo', seed: 3 } } },
  { kind: 'call', id: 7, method: 'sessions.list', params: {} },
  { kind: 'call', id: 8, method: 'sessions.rename', params: { id: 1, name: 'renamed' } },
  { kind: 'call', id: 9, method: 'sessions.delete', params: { id: 2 } },
  { kind: 'call', id: 10, method: 'record.start', params: { session: 'fuzz' } },
  { kind: 'call', id: 11, method: 'record.stop', params: {} },
  { kind: 'call', id: 12, method: 'replay.control', params: { action: 'seek', toMs: 0 } },
  { kind: 'call', id: 13, method: 'journal.setLimit', params: { maxBytes: 2 ** 30 } },
  { kind: 'call', id: 14, method: 'jobs.cancel', params: { id: 1 } },
  { kind: 'call', id: 20, method: 'risk.whatIf', params: { currency: 'BTC', positions: [{ instrument: 'BTC-25DEC26-100000-C', amount: 1 }] } },
  { kind: 'call', id: 21, method: 'risk.historical', params: { currency: 'ETH', count: 5, positions: [] } },
  { kind: 'call', id: 19, method: 'import.tardis', params: { paths: ['/etc/passwd', '../fuzz.db', 'missing.csv'], session: 'fuzz-import' } },
  { kind: 'subscribe', id: 15, topic: 'chain', params: { currency: 'BTC', expiry: '25DEC26' } },
  { kind: 'subscribe', id: 16, topic: 'exposure', params: { currency: 'ETH', convention: 'flow', dynamics: 'stickyMoneyness' } },
  { kind: 'subscribe', id: 17, topic: 'expiries', params: { currency: 'BTC' } },
  { kind: 'subscribe', id: 18, topic: 'header', params: {} },
  { kind: 'unsubscribe', id: 16 },
];
const WORDS = ['app.info', 'source.set', 'positions.set', 'constructor', '__proto__', 'toString', 'chain', 'exposure', 'desk', 'call', 'subscribe', 'kind', 'id', 'params', 'demo', 'replay', 'deribit', 'max'];

function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.nextInt(0, 13)) {
    case 0: return null;
    case 1: return rng.nextInt(0, 1) === 1;
    case 2: return rng.nextInt(-3, 3);
    case 3: return [1e308, -1e308, 2 ** 53 + 1, -0, 5e-324, 1.5, -7.25][rng.nextInt(0, 6)];
    case 4: return ['NaN', 'Infinity', '-1', '1e999', '0x10', ''][rng.nextInt(0, 5)];
    case 5: return WORDS[rng.nextInt(0, WORDS.length - 1)];
    case 6: return 'x'.repeat(rng.nextInt(100, 20_000));
    case 7: return String.fromCodePoint(...Array.from({ length: rng.nextInt(1, 12) }, () => rng.nextInt(0, 0x10ffff)).filter((c) => c < 0xd800 || c > 0xdfff));
    case 8: return depth > 3 ? [] : Array.from({ length: rng.nextInt(0, 4) }, () => randomValue(rng, depth + 1));
    case 9: return depth > 3 ? {} : Object.fromEntries(Array.from({ length: rng.nextInt(0, 4) }, () => [WORDS[rng.nextInt(0, WORDS.length - 1)]!, randomValue(rng, depth + 1)]));
    case 10: { const n = rng.nextInt(10, 60); return JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown; }
    case 11: return Array.from({ length: rng.nextInt(500, 2500) }, (_, i) => ({ instrument: `BTC-25DEC26-${90_000 + i}-C`, amount: rng.nextInt(-5, 5) }));
    case 12: return rng.nextInt(-(2 ** 31), 2 ** 31);
    default: return { kind: ['demo', 'replay', 'deribit', 'x'][rng.nextInt(0, 3)], seed: rng.nextInt(-1, 2 ** 31), network: ['mainnet', 'testnet', 1][rng.nextInt(0, 2)], session: 'fuzz', speed: ['max', 0, 1e9][rng.nextInt(0, 2)] };
  }
}

/** A template with one to three mutations: a key dropped, retyped or added, somewhere in the tree. */
function mutatedFrame(rng: Rng): string {
  const frame = structuredClone(TEMPLATES[rng.nextInt(0, TEMPLATES.length - 1)]) as Record<string, unknown>;
  for (let m = rng.nextInt(1, 3); m > 0; m--) {
    // Walk down a random path of objects.
    let node: Record<string, unknown> = frame;
    for (let d = rng.nextInt(0, 3); d > 0; d--) {
      const keys = Object.keys(node).filter((k) => typeof node[k] === 'object' && node[k] !== null && !Array.isArray(node[k]));
      if (keys.length === 0) break;
      node = node[keys[rng.nextInt(0, keys.length - 1)]!] as Record<string, unknown>;
    }
    const keys = Object.keys(node);
    const action = rng.nextInt(0, 2);
    if (action === 0 && keys.length > 0) delete node[keys[rng.nextInt(0, keys.length - 1)]!];
    else if (action === 1 && keys.length > 0) node[keys[rng.nextInt(0, keys.length - 1)]!] = randomValue(rng);
    else node[WORDS[rng.nextInt(0, WORDS.length - 1)]!] = randomValue(rng);
  }
  const text = JSON.stringify(frame);
  switch (rng.nextInt(0, 9)) {
    case 0: return text.slice(0, rng.nextInt(0, text.length)); // truncated JSON
    case 1: return text + '}'.repeat(rng.nextInt(1, 3));
    default: return text;
  }
}

function garbageText(rng: Rng): string {
  return Array.from({ length: rng.nextInt(0, 300) }, () => String.fromCharCode(rng.nextInt(0, 1) === 0 ? rng.nextInt(32, 126) : rng.nextInt(0, 0xd7ff))).join('');
}

/** A client frame from random bytes: any FIN/RSV/opcode, mask or not, any length field, a short random payload. */
function rawFrame(rng: Rng): Buffer {
  const first = rng.nextInt(0, 255);
  const masked = rng.nextInt(0, 3) !== 0;
  const payload = Buffer.from(Array.from({ length: rng.nextInt(0, 200) }, () => rng.nextInt(0, 255)));
  const lengthKind = rng.nextInt(0, 3);
  let header: Buffer;
  if (lengthKind === 0 || payload.length < 126) header = Buffer.from([first, (masked ? 0x80 : 0) | Math.min(payload.length, 125)]);
  else if (lengthKind === 1) header = Buffer.from([first, (masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff]);
  else {
    const claimed = Buffer.alloc(8);
    claimed.writeBigUInt64BE(BigInt(rng.nextInt(0, 1) === 0 ? payload.length : rng.nextInt(0, 2 ** 31)));
    header = Buffer.concat([Buffer.from([first, (masked ? 0x80 : 0) | 127]), claimed]);
  }
  return Buffer.concat([header, masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0), payload]);
}

async function sendRaw(port: number, token: string, bytes: Buffer): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve).once('error', () => resolve()));
  socket.write(
    `GET /api?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
    socket.once('close', () => resolve());
  });
  socket.write(bytes);
  // The host either closes the connection or waits for more; either way, leave after a moment.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 20);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  socket.destroy();
}

function open(port: number, token: string, onFrame: (frame: ServerFrame) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    ws.on('message', (raw) => onFrame(JSON.parse(String(raw)) as ServerFrame));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export async function fuzzHost(options: { port: number; token: string; seed: number; inputs: number; timeLimitMs: number; onProgress?: (done: number) => void }): Promise<FuzzReport> {
  const { port, token } = options;
  const rng = new Rng(options.seed);
  const report: FuzzReport = {
    seed: options.seed, inputs: 0, rawFrames: 0, mutatedCalls: 0, garbage: 0, resultReplies: 0, errorReplies: 0, closedConnections: 0,
    bystanderChecks: 0, bystanderFailures: [], internalErrors: [], seconds: 0,
  };
  const onFrame = (frame: ServerFrame): void => {
    if (frame.kind === 'result') report.resultReplies++;
    if (frame.kind === 'error') {
      report.errorReplies++;
      if (frame.error.code === 'INTERNAL' && report.internalErrors.length < 20) report.internalErrors.push(frame.error.message);
    }
  };
  let fuzzer = await open(port, token, onFrame);
  const answers = new Map<number, (frame: ServerFrame) => void>();
  const bystander = await open(port, token, (frame) => answers.get(frame.id)?.(frame));
  let nextCheck = 1;
  const check = async (): Promise<void> => {
    report.bystanderChecks++;
    const id = nextCheck++;
    const answer = new Promise<ServerFrame | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 5_000);
      answers.set(id, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
    bystander.send(JSON.stringify({ kind: 'call', id, method: 'app.info', params: {} }));
    const frame = await answer;
    answers.delete(id);
    if (frame?.kind !== 'result') report.bystanderFailures.push(`after ${report.inputs} inputs: ${frame ? JSON.stringify(frame).slice(0, 200) : 'no answer within 5 s'}`);
  };
  const started = Date.now();
  while (report.inputs < options.inputs && Date.now() - started < options.timeLimitMs) {
    const kind = rng.nextInt(0, 9);
    if (kind < 2) {
      report.rawFrames++;
      await sendRaw(port, token, rawFrame(rng));
    } else {
      if (fuzzer.readyState !== WebSocket.OPEN) {
        report.closedConnections++;
        fuzzer = await open(port, token, onFrame);
      }
      if (kind < 9) {
        report.mutatedCalls++;
        fuzzer.send(mutatedFrame(rng));
      } else {
        report.garbage++;
        fuzzer.send(garbageText(rng));
      }
    }
    report.inputs++;
    if (report.inputs % 50 === 0) {
      await check();
      options.onProgress?.(report.inputs);
    }
  }
  await check();
  fuzzer.terminate();
  bystander.terminate();
  report.seconds = Number(((Date.now() - started) / 1000).toFixed(2));
  return report;
}
