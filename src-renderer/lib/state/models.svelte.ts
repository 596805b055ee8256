/**
 * The Models view's state: the stored models, the training job (its progress stream and cancel), the last
 * comparison of policies, and "use as hedge policy" (which saves the hedge settings with the learned model).
 */
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import type { HedgingState } from './hedging.svelte';

// PROVISIONAL shapes until helper-models' contract (src-main/api/contract/models.ts) lands; replaced by its DTOs.
export interface EstimateDto {
  value: number;
  standardError: number;
}
export interface ModelSummaryDto {
  id: number;
  name: string;
  kind: 'ntb' | 'ffn';
  benchmark: string;
  createdMs: number;
  seeds: Record<string, number>;
  dataRange: string;
  metrics: Record<string, unknown>;
  passedGate: boolean;
}
export interface TrainStatusDto {
  jobId: string;
  state: 'running' | 'finished' | 'cancelled' | 'failed';
  step: number;
  fraction: number;
  trainRisk: number | null;
  bestValidationRisk: number | null;
  bestStep: number | null;
  modelId: number | null;
  message: string | null;
}
export interface PolicyComparisonDto {
  policy: string;
  indifferencePrice: EstimateDto;
  expectedShortfall99: EstimateDto;
  meanCost: EstimateDto;
  turnover: EstimateDto;
  meanPnl: EstimateDto;
  histogram: { edges: number[]; counts: number[] };
}
export interface ComparisonDto {
  benchmark: string;
  simulator: string;
  paths: number;
  seed: number;
  cost: number;
  policies: PolicyComparisonDto[];
}

export class ModelsState {
  models = $state.raw<ModelSummaryDto[]>([]);
  training = $state.raw<TrainStatusDto | null>(null);
  comparison = $state.raw<ComparisonDto | null>(null);
  comparing = $state(false);

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
    private readonly hedging: HedgingState,
  ) {
    void this.transport;
    void this.commands;
    void this.hedging;
  }
}
