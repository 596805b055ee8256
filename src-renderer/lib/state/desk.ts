/**
 * The renderer's state, one object per domain, all over one transport. Built once per page (main.ts) and handed
 * to the components through context (./context).
 */
import type { Transport } from '../transport';
import { AlertsState } from './alerts.svelte';
import { BacktestState } from './backtest.svelte';
import { CommandRunner } from './commands.svelte';
import { ExposureState } from './exposure.svelte';
import { HedgingState } from './hedging.svelte';
import { MarketState } from './market.svelte';
import { ModelsState } from './models.svelte';
import { PositionsState } from './positions.svelte';
import { RiskState } from './risk.svelte';
import { SessionsState } from './sessions.svelte';
import { VolatilityState } from './volatility.svelte';
import { WhatIfState } from './whatIf.svelte';

export interface Desk {
  readonly commands: CommandRunner;
  readonly market: MarketState;
  readonly exposure: ExposureState;
  readonly sessions: SessionsState;
  readonly positions: PositionsState;
  readonly hedging: HedgingState;
  readonly volatility: VolatilityState;
  readonly risk: RiskState;
  readonly alerts: AlertsState;
  readonly whatIf: WhatIfState;
  readonly models: ModelsState;
  readonly backtest: BacktestState;
}

export function createDesk(transport: Transport): Desk {
  const commands = new CommandRunner();
  const market = new MarketState(transport);
  const exposure = new ExposureState(transport, market);
  const sessions = new SessionsState(transport, commands, () => {
    market.restart();
    exposure.restart();
  });
  const positions = new PositionsState(transport, commands);
  const hedging = new HedgingState(transport, commands, market);
  const volatility = new VolatilityState(transport, market, commands);
  const risk = new RiskState(transport, commands, market);
  const alerts = new AlertsState(transport, commands);
  const whatIf = new WhatIfState(transport, commands, market);
  const models = new ModelsState(transport, commands, hedging);
  const backtest = new BacktestState(transport, commands);
  return { commands, market, exposure, sessions, positions, hedging, volatility, risk, alerts, whatIf, models, backtest };
}
