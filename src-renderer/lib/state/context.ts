/**
 * Typed context for the domain states: App provides them once, any component below takes the ones it uses
 * (no state or transport passed down through props).
 */
import { createContext } from 'svelte';
import type { AlertsState } from './alerts.svelte';
import type { BacktestState } from './backtest.svelte';
import type { CommandRunner } from './commands.svelte';
import type { Desk } from './desk';
import type { ExposureState } from './exposure.svelte';
import type { HedgingState } from './hedging.svelte';
import type { MarketState } from './market.svelte';
import type { ModelsState } from './models.svelte';
import type { PositionsState } from './positions.svelte';
import type { RiskState } from './risk.svelte';
import type { SessionsState } from './sessions.svelte';
import type { VolatilityState } from './volatility.svelte';
import type { WhatIfState } from './whatIf.svelte';

const [getCommands, setCommands] = createContext<CommandRunner>();
const [getMarket, setMarket] = createContext<MarketState>();
const [getExposure, setExposure] = createContext<ExposureState>();
const [getSessions, setSessions] = createContext<SessionsState>();
const [getPositions, setPositions] = createContext<PositionsState>();
const [getHedging, setHedging] = createContext<HedgingState>();
const [getVolatility, setVolatility] = createContext<VolatilityState>();
const [getRisk, setRisk] = createContext<RiskState>();
const [getAlerts, setAlerts] = createContext<AlertsState>();
const [getWhatIf, setWhatIf] = createContext<WhatIfState>();
const [getModels, setModels] = createContext<ModelsState>();
const [getBacktest, setBacktest] = createContext<BacktestState>();

export { getAlerts, getBacktest, getCommands, getExposure, getHedging, getMarket, getModels, getPositions, getRisk, getSessions, getVolatility, getWhatIf };

/** Call during the root component's initialisation; returns the desk it provided. */
export function provideDesk(desk: Desk): Desk {
  setCommands(desk.commands);
  setMarket(desk.market);
  setExposure(desk.exposure);
  setSessions(desk.sessions);
  setPositions(desk.positions);
  setHedging(desk.hedging);
  setVolatility(desk.volatility);
  setRisk(desk.risk);
  setAlerts(desk.alerts);
  setWhatIf(desk.whatIf);
  setModels(desk.models);
  setBacktest(desk.backtest);
  return desk;
}
