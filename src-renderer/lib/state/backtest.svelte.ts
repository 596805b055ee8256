/**
 * The Models view's backtest panel state: the backtest jobs stream (progress, the result when done or cancelled)
 * and the commands that start and cancel a run. A failed command's message is kept here too, so the panel shows
 * it beside its own form.
 */
import type { CommandParams } from '../../../src-main/api/contract';
import type { BacktestJobDto } from '../../../src-main/api/contract/backtest';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import { TopicStream } from './stream.svelte';

export class BacktestState {
  readonly #jobs: TopicStream<'backtestJobs'>;
  /** The run started here last: shown until the next one. */
  jobId = $state<string | null>(null);
  /** The last backtest command's failure (unknown session or model, nothing to test), until the next command. */
  error = $state<string | null>(null);

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
  ) {
    this.#jobs = new TopicStream(transport, 'backtestJobs', () => ({}));
  }

  /** This run's backtests, newest first; reading it subscribes. */
  get jobs(): BacktestJobDto[] {
    return this.#jobs.current ?? [];
  }

  /** The run shown: the one started here, else the newest (another window may have started it). */
  get job(): BacktestJobDto | null {
    return this.jobs.find((j) => j.id === this.jobId) ?? this.jobs[0] ?? null;
  }

  async run(params: CommandParams<'backtest.run'>): Promise<void> {
    this.error = null;
    const job = await this.commands.run(() => this.transport.call('backtest.run', params));
    if (job) this.jobId = job.id;
    else this.error = this.commands.error;
  }

  async cancel(id: string): Promise<void> {
    this.error = null;
    const job = await this.commands.run(() => this.transport.call('backtest.cancel', { id }));
    if (!job) this.error = this.commands.error;
  }
}
