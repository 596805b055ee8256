/**
 * Parse + normalize throughput of the live Deribit adapter's pure parsers, on the real recorded Deribit v2
 * notifications in ../shared/data (tardis-node fixtures): raw frame text in, normalized events out, one core.
 * The mix is the recorded one (trades, tickers, books, option tickers) repeated; live traffic is mostly option
 * tickers, so the option-ticker-only figure is reported too.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFrame, parseNotification } from '../src-main/feeds/deribit/parse';

interface RecordedCase {
  input_native_message: { params?: { channel?: string } };
}

function run(frames: string[], rounds: number): { messagesPerSecond: number; events: number; rejected: number } {
  let events = 0;
  let rejected = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const text of frames) {
      const frame = parseFrame(text);
      if (!frame.ok || frame.value.kind !== 'subscription') {
        rejected++;
        continue;
      }
      const parsed = parseNotification(frame.value.channel, frame.value.data, 1_700_000_000_000);
      events += parsed.events.length;
      rejected += parsed.rejected.length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { messagesPerSecond: Math.round((frames.length * rounds) / seconds), events, rejected };
}

export async function runDeribitParseBench(): Promise<Record<string, unknown>> {
  const file = resolve('../shared/data/tardis-node_deribit_ws_messages_with_normalized.json');
  const cases = (JSON.parse(readFileSync(file, 'utf8')) as { cases: RecordedCase[] }).cases;
  const all = cases.map((c) => JSON.stringify(c.input_native_message));
  const optionTickers = cases
    .filter((c) => /^ticker\.(BTC|ETH)-\d+[A-Z]{3}\d{2}-\d+-[CP]\./.test(c.input_native_message.params?.channel ?? ''))
    .map((c) => JSON.stringify(c.input_native_message));
  run(all, 2000); // warm-up
  const mixed = run(all, 20_000);
  run(optionTickers, 2000);
  const tickers = run(optionTickers, 50_000);
  return {
    source: '../shared/data/tardis-node_deribit_ws_messages_with_normalized.json',
    recorded_messages: all.length,
    mixed_messages_per_second: mixed.messagesPerSecond,
    option_ticker_messages: optionTickers.length,
    option_ticker_messages_per_second: tickers.messagesPerSecond,
    note: 'mixed includes combo/linear/unknown messages the adapter refuses (counted as rejected)',
    target_messages_per_second: 300_000,
  };
}
