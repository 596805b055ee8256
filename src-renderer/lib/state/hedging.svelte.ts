/**
 * The hedge advisor as the Hedges view sees it: the selected currency's settings (read from the host, saved
 * whole) and its live proposal stream.
 */
import type { CommandParams } from '../../../src-main/api/contract';
import type { AuditRowDto, AuditVerifyDto, ExecutionStatusDto, HedgeSnapshot, RecommendationDto } from '../../../src-main/api/dto';
import type { HedgeSettings } from '../../../src-main/core/hedge/settings';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import type { MarketState } from './market.svelte';
import { TopicStream } from './stream.svelte';

export class HedgingState {
  settings = $state.raw<HedgeSettings | null>(null);
  readonly #stream: TopicStream<'hedge'>;
  readonly #recommendations: TopicStream<'recommendations'>;
  /** The audit view's rows (newest first) and the last verification. */
  auditRows = $state.raw<AuditRowDto[]>([]);
  auditVerify = $state.raw<AuditVerifyDto | null>(null);
  /** Where approved hedges go (paper or Deribit) and whether a key is configured. */
  execution = $state.raw<ExecutionStatusDto | null>(null);

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
    private readonly market: MarketState,
  ) {
    this.#stream = new TopicStream(transport, 'hedge', () => ({ currency: market.currency }));
    this.#recommendations = new TopicStream(transport, 'recommendations', () => ({}));
  }

  /** Open recommendations and the latest decided ones; reading it subscribes. */
  get recommendations(): RecommendationDto[] {
    return this.#recommendations.current ?? [];
  }

  async approve(id: string, amounts?: number[]): Promise<void> {
    await this.commands.run(() => this.transport.call('recommendations.approve', amounts ? { id, amounts } : { id }));
  }

  async reject(id: string, reason: string): Promise<void> {
    await this.commands.run(() => this.transport.call('recommendations.reject', { id, reason }));
  }

  /** Stops a working hedge: its resting legs are cancelled, and it settles from what did fill. */
  async cancel(id: string): Promise<void> {
    await this.commands.run(() => this.transport.call('recommendations.cancel', { id }));
  }

  async loadExecution(): Promise<void> {
    const status = await this.commands.run(() => this.transport.call('execution.status', {}));
    if (status) this.execution = status;
  }

  async setExecution(choice: CommandParams<'execution.set'>): Promise<void> {
    const status = await this.commands.run(() => this.transport.call('execution.set', choice));
    if (status) this.execution = status;
  }

  /** Saves a Deribit key (desktop: encrypted with safeStorage); the fields are cleared by the caller. */
  async saveKey(clientId: string, clientSecret: string): Promise<boolean> {
    const status = await this.commands.run(() => this.transport.call('execution.saveKey', { clientId, clientSecret }));
    if (status) this.execution = status;
    return status !== null;
  }

  async loadAudit(filter: string): Promise<void> {
    const rows = await this.commands.run(() => this.transport.call('audit.list', filter ? { limit: 500, filter } : { limit: 500 }));
    if (rows) this.auditRows = rows;
  }

  async verifyAudit(): Promise<void> {
    const result = await this.commands.run(() => this.transport.call('audit.verify', {}));
    if (result) this.auditVerify = result;
  }

  /** The whole log as a file download. */
  async exportAudit(format: 'csv' | 'json'): Promise<void> {
    const result = await this.commands.run(() => this.transport.call('audit.export', { format }));
    if (!result) return;
    const url = URL.createObjectURL(new Blob([result.text], { type: format === 'csv' ? 'text/csv' : 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `gammadesk-audit.${format}`;
    link.click();
    URL.revokeObjectURL(url);
  }

  /** The current proposal of the selected currency; reading it subscribes. */
  get snapshot(): HedgeSnapshot | null {
    return this.#stream.current;
  }

  async load(): Promise<void> {
    const currency = this.market.currency;
    const settings = await this.commands.run(() => this.transport.call('hedge.settings.get', { currency }));
    if (settings) this.settings = settings;
  }

  async save(params: CommandParams<'hedge.settings.set'>): Promise<boolean> {
    const settings = await this.commands.run(() => this.transport.call('hedge.settings.set', params));
    if (settings) this.settings = settings;
    return settings !== null;
  }
}
