/**
 * Tick-to-screen latency (`npm run bench -- latency`): the mock Deribit server (test/mock-deribit) streams
 * option-ticker notifications at a fixed rate into `gammadesk serve` (its own process, on Live Deribit through
 * GAMMADESK_DERIBIT_URL), and Debian's Chromium shows the chain of the tagged option's expiry. Each notification
 * carries its index in `open_interest` (1 000 000 + index: the OI cell shows it exactly, as an integer); the mock
 * notes each index's send time. In the page a MutationObserver notes when the tagged option's OI cell changes
 * text, and the next animation frame after it (the frame that paints it). Two figures:
 * - tick to screen, per tagged update sent: its send → the first frame showing it or a newer value (the cell only
 *   grows), i.e. how long until the screen reflects the update; the publish interval's wait is part of it. The
 *   target applies to this one.
 * - age when shown, per value painted: the frame's time − the send of the index it shows (values superseded
 *   before a publish round are never shown).
 *
 * Clocks: both sides read the machine's clock as timeOrigin + a monotonic now(): Node's performance.now() (sub-µs)
 * in the mock, Chromium's performance.now() (coarsened to 100 µs for a page without cross-origin isolation) in the
 * page. Their offset is measured at the start (a page round trip bracketing the page's reading) and reported.
 *
 * Backlog evidence per second: the mock socket's bufferedAmount (bytes the host has not read yet), the engine's
 * events applied vs notifications sent (app.info over the host's API), the feed's lag (mean receive − send stamp,
 * feed.status), the API round trip (a ping through the host's event loop), the host's CPU; at the end, the time
 * from the last tagged send to its appearance on screen. Medians of the first and the last tenth of the run show
 * whether latency grows.
 *
 * Universe: the recorded options plus other strikes of the recorded expiries (the recorded tickers re-targeted,
 * `optionInstrumentFor`), 112 options, round-robin. `GAMMADESK_BENCH_SECONDS` sets the seconds per rate (default
 * 60); `GAMMADESK_BENCH_RATES` the rates (default 2000,10000); `GAMMADESK_BENCH_CPU_PROF=DIR` runs the host
 * under `--cpu-prof` into DIR.
 */
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { parseInstrumentName } from '../src-main/core/pricing/instrument';
import { optionInstrumentFor, optionTicker, recordedBooks, recordedInstruments, scenarioShift } from '../test/mock-deribit/scenario';
import { MockDeribitServer, type MockInstrument } from '../test/mock-deribit/server';
import { benchSeconds, ensureBuilt, launchChromium, machineLoad, openDesk, percentile, processCpuSeconds, round, sleep, startHost } from './browserHarness';

const OI_BASE = 1_000_000;
/** The tagged option, in recorded terms (shifted to the present like the rest). */
const TAGGED = 'BTC-5JUN20-9250-C';
const PUBLISH_INTERVAL_MS = 200;
const TARGET_SLACK_MS = 50;

/** Recorded-term option names of the stream: the recorded expiries' strikes around the recorded ones. */
function streamOptions(): { name: string; template: string }[] {
  const out: { name: string; template: string }[] = [];
  const add = (prefix: string, from: number, to: number, step: number, template: string): void => {
    for (let k = from; k <= to; k += step) for (const type of ['C', 'P']) out.push({ name: `${prefix}-${k}-${type}`, template });
  };
  add('BTC-5JUN20', 7000, 11500, 250, 'BTC-5JUN20-9250-C');
  add('ETH-5JUN20', 200, 400, 10, 'ETH-5JUN20-310-P');
  add('ETH-10JUN20', 200, 350, 10, 'ETH-10JUN20-270-C');
  return out;
}

/** A minimal client of the host's API (the page's token, frames as in src-main/api/contract.ts). */
class HostApi {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { kind: string; id: number; result?: unknown; error?: unknown };
      const done = this.pending.get(frame.id);
      if (!done) return;
      this.pending.delete(frame.id);
      done(frame.kind === 'result' ? frame.result : { error: frame.error });
    });
  }

  static async connect(url: string, token: string): Promise<HostApi> {
    const socket = new WebSocket(`${url.replace('http', 'ws')}api?token=${encodeURIComponent(token)}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new HostApi(socket);
  }

  call<T>(method: string, params: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (result: unknown) => void);
      this.socket.send(JSON.stringify({ kind: 'call', id, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** Page init script: notes when the page's API WebSocket last delivered a message (before the app sees it). */
const SOCKET_HOOK = `(() => {
  const Native = window.WebSocket;
  window.__socket = { lastMessageMs: NaN };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { window.__socket.lastMessageMs = performance.timeOrigin + performance.now(); });
    }
  };
})()`;

/** Page script: notes each change of the tagged cell's text (DOM time) and the next animation frame after it. */
const OBSERVER_SCRIPT = (selector: string): string => `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const samples = [];
  let last = null;
  window.__latency = { samples, mutations: 0 };
  new MutationObserver(() => {
    window.__latency.mutations++;
    const cell = document.querySelector(${JSON.stringify(selector)});
    const text = cell ? cell.textContent : null;
    if (text === null || text === last) return;
    last = text;
    const sample = { text, messageMs: window.__socket.lastMessageMs, domMs: now(), frameMs: NaN };
    samples.push(sample);
    requestAnimationFrame(() => { sample.frameMs = now(); });
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

interface PageSample {
  text: string;
  /** When the WebSocket message that led to the change arrived in the page. */
  messageMs: number;
  domMs: number;
  frameMs: number;
}

interface SecondSample {
  t: number;
  sent: number;
  applied: number;
  backlog_events: number;
  mock_buffered_bytes: number;
  feed_lag_ms: number;
  api_round_trip_ms: number;
  host_cpu_percent: number;
}

async function runRate(args: {
  rate: number;
  seconds: number;
  mock: MockDeribitServer;
  api: HostApi;
  hostPid: number;
  page: Page;
  message: (index: number) => { channel: string; data: Record<string, unknown> };
  taggedEvery: number;
  taggedOffset: number;
  firstIndex: number;
}): Promise<{ result: Record<string, unknown>; nextIndex: number }> {
  const { rate, seconds, mock, api, hostPid, page } = args;
  const count = Math.ceil(rate * seconds) + 1;
  const sentMs = new Float64Array(count).fill(NaN);
  const first = args.firstIndex;
  await page.evaluate('window.__latency.samples.length = 0');
  const startApplied = (await api.call<{ eventsApplied: number }>('app.info')).eventsApplied;
  const seconds_: SecondSample[] = [];
  let sent = 0;
  let monitoring = true;
  const live = mock.liveSocket();
  const mockBuffered = (): number => live?.bufferedAmount ?? 0;
  const monitor = (async () => {
    const t0 = performance.now();
    let cpu0 = processCpuSeconds(hostPid);
    let wall0 = t0;
    while (monitoring) {
      await sleep(1000);
      const pingStart = performance.now();
      const info = await api.call<{ eventsApplied: number }>('app.info');
      const roundTrip = performance.now() - pingStart;
      const feed = await api.call<{ lagMs: number }>('feed.status');
      const cpu = processCpuSeconds(hostPid);
      const wall = performance.now();
      const applied = info.eventsApplied - startApplied;
      seconds_.push({
        t: round((wall - t0) / 1000),
        sent,
        applied,
        backlog_events: sent - applied,
        mock_buffered_bytes: mockBuffered(),
        feed_lag_ms: round(feed.lagMs),
        api_round_trip_ms: round(roundTrip),
        host_cpu_percent: round((100 * (cpu - cpu0)) / ((wall - wall0) / 1000)),
      });
      cpu0 = cpu;
      wall0 = wall;
    }
  })();
  const stream = await mock.streamAtRate({
    ratePerSecond: rate,
    durationMs: seconds * 1000,
    firstIndex: first,
    message: args.message,
    onSent: (index, ms) => {
      sent++;
      if (index - first < count) sentMs[index - first] = ms;
    },
  });
  // The last tagged notification sent, and when it reached the screen (or not within 10 s: a backlog).
  let lastTagged = stream.nextIndex - 1;
  while (lastTagged >= first && (lastTagged % args.taggedEvery !== args.taggedOffset || Number.isNaN(sentMs[lastTagged - first]!))) lastTagged--;
  const lastText = (OI_BASE + lastTagged).toLocaleString('en-US');
  const deadline = performance.now() + 10_000;
  let lastShownMs = NaN;
  while (performance.now() < deadline) {
    const found = (await page.evaluate(`(window.__latency.samples.find((s) => s.text === ${JSON.stringify(lastText)}) || {}).frameMs`)) as number | undefined;
    if (typeof found === 'number' && Number.isFinite(found)) {
      lastShownMs = found;
      break;
    }
    await sleep(20);
  }
  monitoring = false;
  await monitor;
  const samples = (await page.evaluate('window.__latency.samples')) as PageSample[];
  // Each shown value: its index, and its age when painted (send of that index → frame).
  const shown: { index: number; frameMs: number; domMs: number; messageMs: number; age: number }[] = [];
  let unknown = 0;
  for (const sample of samples) {
    const index = Number(sample.text.replace(/,/g, '')) - OI_BASE;
    const sent = sentMs[index - first];
    if (!Number.isInteger(index) || sent === undefined || Number.isNaN(sent)) {
      unknown++;
      continue;
    }
    shown.push({ index, frameMs: sample.frameMs, domMs: sample.domMs, messageMs: sample.messageMs, age: sample.frameMs - sent });
  }
  // Each tagged update sent: send → the first frame showing it or a newer one (the cell only grows). This is the
  // tick-to-screen of every update, the publish interval's wait included.
  const reflected: { at: number; latency: number }[] = [];
  let cursor = 0;
  for (let index = first + args.taggedOffset - (first % args.taggedEvery); index <= lastTagged; index += args.taggedEvery) {
    if (index < first) continue;
    const sent = sentMs[index - first]!;
    if (Number.isNaN(sent)) continue;
    while (cursor < shown.length && shown[cursor]!.index < index) cursor++;
    const next = shown[cursor];
    reflected.push({ at: sent, latency: next && Number.isFinite(next.frameMs) ? next.frameMs - sent : Infinity });
  }
  const tick = reflected.map((r) => r.latency).sort((a, b) => a - b);
  const age = shown.map((l) => l.age).filter(Number.isFinite).sort((a, b) => a - b);
  const dom = shown.map((l) => l.domMs - sentMs[l.index - first]!).sort((a, b) => a - b);
  // Where the age of a shown value goes: mock → page socket (host + transport), socket → DOM (the page's script),
  // DOM → frame (waiting for the frame).
  const part = (f: (l: (typeof shown)[number]) => number) => {
    const xs = shown.map(f).filter(Number.isFinite).sort((a, b) => a - b);
    return { p50: round(percentile(xs, 50)), p99: round(percentile(xs, 99)), max: round(xs.at(-1) ?? NaN) };
  };
  const split = {
    send_to_page_socket: part((l) => l.messageMs - sentMs[l.index - first]!),
    page_socket_to_dom: part((l) => l.domMs - l.messageMs),
    dom_to_frame: part((l) => l.frameMs - l.domMs),
  };
  const tenth = Math.max(1, Math.floor(reflected.length / 10));
  const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
  const targetMs = PUBLISH_INTERVAL_MS + TARGET_SLACK_MS;
  const p99 = percentile(tick, 99);
  const lastSecond = seconds_.at(-1);
  return {
    nextIndex: stream.nextIndex,
    result: {
      rate_per_second: rate,
      seconds: round(stream.elapsedMs / 1000),
      sent: stream.sent,
      achieved_rate_per_second: round(stream.sent / (stream.elapsedMs / 1000)),
      tagged_sent: reflected.length,
      tagged_shown: shown.length,
      unmatched_samples: unknown,
      tick_to_screen_ms: { p50: round(percentile(tick, 50)), p99: round(p99), max: round(tick.at(-1) ?? NaN), min: round(tick[0] ?? NaN), count: tick.length },
      age_when_shown_ms: { p50: round(percentile(age, 50)), p99: round(percentile(age, 99)), max: round(age.at(-1) ?? NaN), count: age.length },
      age_when_in_dom_ms: { p50: round(percentile(dom, 50)), p99: round(percentile(dom, 99)), max: round(dom.at(-1) ?? NaN) },
      age_split_ms: split,
      median_first_tenth_ms: round(median(reflected.slice(0, tenth).map((r) => r.latency))),
      median_last_tenth_ms: round(median(reflected.slice(-tenth).map((r) => r.latency))),
      target_p99_ms: targetMs,
      meets_target: p99 <= targetMs,
      backlog: {
        last_tag_to_screen_ms: round(lastShownMs - sentMs[lastTagged - first]!),
        mock_max_buffered_bytes: stream.maxBufferedBytes,
        mock_buffered_bytes_per_second: stream.bufferedBytesPerSecond,
        largest_send_burst: stream.largestBurst,
        at_end: lastSecond ?? null,
        max_backlog_events: Math.max(...seconds_.map((s) => s.backlog_events)),
        api_round_trip_ms: { p50: round(median(seconds_.map((s) => s.api_round_trip_ms))), max: round(Math.max(...seconds_.map((s) => s.api_round_trip_ms))) },
        host_cpu_percent_median: round(median(seconds_.map((s) => s.host_cpu_percent))),
      },
      per_second: seconds_,
      load_at_end: machineLoad(),
    },
  };
}

export async function runLatencyBench(): Promise<Record<string, unknown>> {
  ensureBuilt();
  const seconds = benchSeconds(60);
  const rates = (process.env.GAMMADESK_BENCH_RATES ?? '2000,10000').split(',').map(Number);
  const shiftToMs = Date.now();
  const shift = scenarioShift(shiftToMs);
  const options = streamOptions();
  const recorded = recordedInstruments({ shiftToMs });
  const names = new Set(recorded.map((i) => i.instrument_name));
  const instruments: MockInstrument[] = [...recorded];
  for (const option of options) {
    const name = shift.name(option.name);
    if (!names.has(name)) instruments.push(optionInstrumentFor(option.name, { shiftToMs }));
    names.add(name);
  }
  // One ticker template per option (the recorded ticker of its expiry, re-targeted and shifted).
  const templates = options.map((option) => {
    const data = shift.json(optionTicker(option.template, 0, option.name));
    return { channel: `ticker.${shift.name(option.name)}.100ms`, data: data as Record<string, unknown> };
  });
  const taggedOffset = options.findIndex((option) => option.name === TAGGED);
  const message = (index: number): { channel: string; data: Record<string, unknown> } => {
    const template = templates[index % templates.length]!;
    const mark = template.data.mark_price as number;
    // The mark moves a little (greeks are recomputed as they would be), the OI carries the index.
    return { channel: template.channel, data: { ...template.data, mark_price: mark * (1 + (index % 50) / 10_000), open_interest: OI_BASE + index } };
  };
  const mock = await MockDeribitServer.start({ instruments, books: recordedBooks({ shiftToMs }) });
  const profDir = process.env.GAMMADESK_BENCH_CPU_PROF;
  const host = await startHost({ env: { GAMMADESK_DERIBIT_URL: mock.url }, ...(profDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] } : {}) });
  const browser = await launchChromium();
  let api: HostApi | null = null;
  try {
    const page = await openDesk(browser, host.url, SOCKET_HOOK);
    const token = await page.locator('meta[name=gammadesk-token]').getAttribute('content');
    api = await HostApi.connect(host.url, token!);
    await page.getByTestId('sources-button').click();
    await page.getByLabel('Deribit network').selectOption('testnet');
    await page.getByRole('button', { name: 'Live Deribit' }).click();
    await mock.waitFor(() => templates.every((t) => mock.subscribed().has(t.channel)), 'the ticker subscriptions', 30_000);
    // A warm-up stream puts the chain on screen; then the tagged expiry's tab and the observer.
    let nextIndex = 0;
    const taggedName = shift.name(TAGGED);
    const parsed = parseInstrumentName(taggedName);
    if (parsed.kind !== 'option') throw new Error(`${taggedName} is not an option`);
    const warm = mock.streamAtRate({ ratePerSecond: 500, durationMs: 5_000, message, firstIndex: nextIndex });
    const tab = page.getByRole('tab', { name: new RegExp(`^${parsed.expiryCode}`) });
    await tab.waitFor({ timeout: 20_000 });
    await tab.click();
    const selector = `[data-testid=chain] tbody tr[data-strike="${parsed.strike}"] [data-testid=call-oi]`;
    await page.locator(selector).waitFor({ timeout: 20_000 });
    nextIndex = (await warm).nextIndex;
    await page.evaluate(OBSERVER_SCRIPT(selector));
    // Clock offset: the page's clock read between two Node readings (round trip reported as the bound).
    const before = performance.timeOrigin + performance.now();
    const pageNow = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
    const after = performance.timeOrigin + performance.now();
    const clock = { page_minus_node_ms: round(pageNow - (before + after) / 2, 2), bound_ms: round((after - before) / 2, 2) };
    const results: Record<string, unknown>[] = [];
    for (const rate of rates) {
      await sleep(2_000);
      const { result, nextIndex: next } = await runRate({ rate, seconds, mock, api, hostPid: host.pid, page, message, taggedEvery: templates.length, taggedOffset, firstIndex: nextIndex });
      nextIndex = next;
      results.push(result);
    }
    return {
      what: 'option ticker sent by the mock Deribit server → chain cell painted in Chromium (next animation frame after the DOM change)',
      universe: `${templates.length} options (recorded tickers re-targeted to the recorded expiries' strikes), round-robin; tagged ${taggedName}, every ${templates.length}th message`,
      publish_interval_ms: PUBLISH_INTERVAL_MS,
      clock,
      load_at_start: machineLoad(),
      rates: results,
    };
  } finally {
    api?.close();
    await browser.close();
    await host.stop();
    await mock.close();
  }
}
