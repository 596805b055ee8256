/**
 * The Models view's state: the stored models and the model jobs (training with progress and cancel, comparisons)
 * as two streams, the commands that start them, and "use as hedge policy", which saves the currency's hedge
 * settings with the learned model.
 */
import type { CommandParams } from '../../../src-main/api/contract';
import type { CriterionDto, ModelJobDto, ModelSummaryDto } from '../../../src-main/api/contract/models';
import type { Currency } from '../../../src-main/core/market/events';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import { settingsParams } from '../hedgeSettings';
import type { HedgingState } from './hedging.svelte';
import { TopicStream } from './stream.svelte';

export class ModelsState {
  readonly #models: TopicStream<'models'>;
  readonly #jobs: TopicStream<'modelJobs'>;
  /** The comparison the trader asked for last (its job id): shown until the next one. */
  compareJobId = $state<string | null>(null);
  /** The training job the trader started last. */
  trainJobId = $state<string | null>(null);
  /** The training job whose cancel the host accepted: it stops after its step, then gates and stores the best checkpoint. */
  cancelledJobId = $state<string | null>(null);
  /** The trader's criterion as the host last said (null until asked: `loadCriterion`). */
  criterion = $state<CriterionDto | null>(null);

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
    private readonly hedging: HedgingState,
  ) {
    this.#models = new TopicStream(transport, 'models', () => ({}));
    this.#jobs = new TopicStream(transport, 'modelJobs', () => ({}));
  }

  /** Stored models, newest first; reading it subscribes. */
  get models(): ModelSummaryDto[] {
    return this.#models.current ?? [];
  }

  /** Whether the models stream has answered yet (an empty list then means "none stored"). */
  get loaded(): boolean {
    return this.#models.current !== null;
  }

  /** This run's model jobs, newest first; reading it subscribes. */
  get jobs(): ModelJobDto[] {
    return this.#jobs.current ?? [];
  }

  /** The training job shown: the one started here, else the newest (another window may have started it). */
  get training(): ModelJobDto | null {
    const jobs = this.jobs.filter((j) => j.type === 'train');
    return jobs.find((j) => j.id === this.trainJobId) ?? jobs[0] ?? null;
  }

  get comparison(): ModelJobDto | null {
    return this.jobs.find((j) => j.id === this.compareJobId) ?? null;
  }

  async train(params: CommandParams<'models.train'>): Promise<void> {
    const job = await this.commands.run(() => this.transport.call('models.train', params));
    if (job) this.trainJobId = job.id;
  }

  async cancel(id: string): Promise<void> {
    const job = await this.commands.run(() => this.transport.call('models.cancel', { id }));
    if (job) this.cancelledJobId = id;
  }

  async compare(params: CommandParams<'models.compare'>): Promise<void> {
    const job = await this.commands.run(() => this.transport.call('models.compare', params));
    if (job) this.compareJobId = job.id;
  }

  /** Running re-gates by model id: that model's Re-gate button waits. */
  get regating(): number[] {
    return this.jobs.filter((j) => j.type === 'gate' && j.state === 'running' && j.modelId !== null).map((j) => j.modelId!);
  }

  /** The last re-gate of a model that failed (its message), or null. */
  regateError(id: number): string | null {
    const job = this.jobs.find((j) => j.type === 'gate' && j.modelId === id);
    return job?.state === 'failed' ? job.error : null;
  }

  async loadCriterion(): Promise<void> {
    const criterion = await this.commands.run(() => this.transport.call('models.criterion', {}));
    if (criterion) this.criterion = criterion;
  }

  /** Sets the trader's criterion: a learned policy not passed on it stops proposing (the Hedges view says why). */
  async setCriterion(criterion: CriterionDto): Promise<void> {
    const set = await this.commands.run(() => this.transport.call('models.setCriterion', { criterion }));
    if (set) this.criterion = set;
  }

  /** Re-gates a model on the trader's criterion (a job; the models stream shows the new gate line when it ends). */
  async regate(id: number): Promise<void> {
    await this.commands.run(() => this.transport.call('models.gate', { id }));
  }

  async remove(id: number): Promise<void> {
    const models = await this.commands.run(() => this.transport.call('models.delete', { id }));
    if (models) this.#models.current = models;
  }

  /** The model JSON as a file download. */
  async exportModel(id: number): Promise<void> {
    const result = await this.commands.run(() => this.transport.call('models.export', { id }));
    if (!result) return;
    const url = URL.createObjectURL(new Blob([result.text], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = result.fileName;
    link.click();
    URL.revokeObjectURL(url);
  }

  /**
   * Makes the model the currency's hedge policy: the settings as the host has them, with the learned policy and this
   * model (the host refuses a model that did not pass its gate). The other objectives stay as they are.
   */
  async useAsHedgePolicy(id: number, currency: Currency): Promise<boolean> {
    const current = await this.commands.run(() => this.transport.call('hedge.settings.get', { currency }));
    if (!current) return false;
    return this.hedging.save(settingsParams({ ...current, policy: 'learned', modelId: id }));
  }
}
