/**
 * `npm run bench [-- NAME...]`: runs the named benchmarks (all by default) and prints one JSON document with
 * the machine it ran on. The latest figures are kept by hand in bench/RESULTS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runPoolBench } from './pool';

type Bench = () => Promise<Record<string, unknown>>;

const BENCHES: Record<string, Bench> = {
  pool: runPoolBench,
  pricing: async () => (await import('./pricing')).runPricingBench(),
  feeds: async () => (await import('./feeds')).runFeedsBench(),
  fuzz: async () => (await import('./fuzz')).runFuzzBench(),
  exposure: async () => ({
    single_thread: await (await import('./exposure')).runExposureBench(),
    worker_pool: await (await import('./exposurePool')).runExposurePoolBench(),
  }),
  latency: async () => (await import('./latency')).runLatencyBench(),
  idle: async () => (await import('./idle')).runIdleBench(),
  surface: async () => (await import('./surface')).runSurfaceBench(),
  'surface-live': async () => (await import('./surfaceLive')).runSurfaceLiveBench(),
  audit: async () => (await import('./audit')).runAuditBench(),
  hedge: async () => (await import('./hedge')).runHedgeBench(),
  'deribit-execution': async () => (await import('./deribitExecution')).runDeribitExecutionBench(),
  forecast: async () => (await import('./forecast')).runForecastBench(),
  risk: async () => (await import('./risk')).runRiskBench(),
  importLoad: async () => (await import('./importLoad')).runImportLoadBench(),
  hedging: async () => (await import('./hedging')).runHedgingBench(),
  'hedging-b3': async () => (await import('./hedging')).runB3Bench(),
  'risk-snapshot': async () => (await import('./riskSnapshot')).runRiskSnapshotBench(),
  whatif: async () => (await import('./whatIf')).runWhatIfBench(),
  backtest: async () => (await import('./backtest')).runBacktestBench(),
  'backtest-app': async () => (await import('./backtestApp')).runBacktestAppBench(),
  models: async () => (await import('./models')).runModelsBench(),
  'session-returns': async () => (await import('./sessionReturns')).runSessionReturnsBench(),
  'deribit-series': async () => (await import('./deribitSeries')).runDeribitSeriesBench(),
  'gate-criteria': async () => (await import('./gateCriteria')).runGateCriteriaBench(),
  'models-advisor': async () => (await import('./modelsAdvisor')).runModelsAdvisorBench(),
};

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
    return 2;
  }
  const selected = names.length > 0 ? names : Object.keys(BENCHES);
  const report: Record<string, unknown> = {
    machine: {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memory_gib: Math.round(totalmem() / 2 ** 30),
      platform: `${process.platform}-${process.arch}`,
    },
    started: new Date().toISOString(),
  };
  for (const name of selected) {
    process.stderr.write(`bench: running ${name}…\n`);
    report[name] = await BENCHES[name]!();
  }
  const json = JSON.stringify(report, null, 2);
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/latest.json', json);
  console.log(json);
  return 0;
}

void main().then((code) => {
  process.exitCode = code;
});
