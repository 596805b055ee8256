/**
 * The API contract: every command (request/response) and stream (topic) the UI, the CLI and the tests use.
 * One definition, three transports: Electron IPC (preload), WebSocket (headless host), in-process calls.
 *
 * Written by domain (market.ts, sessions.ts, positions.ts; hedging, risk and models join the same way): each
 * command is one `{ params, result }` record, each stream one `{ params, payload }` record. Everything else here
 * is derived from those records.
 */
import type { Infer } from '../validate';
import type { MarkedType } from './define';
import { alertsCommands, alertsTopics } from './alerts';
import { backtestCommands, backtestTopics } from './backtest';
import { hedgingCommands, hedgingTopics } from './hedging';
import { marketCommands, marketTopics } from './market';
import { modelsCommands, modelsTopics } from './models';
import { positionsCommands, positionsTopics } from './positions';
import { riskCommands, riskTopics } from './risk';
import { sessionsCommands, sessionsTopics } from './sessions';
import { volatilityCommands, volatilityTopics } from './volatility';
import { whatIfCommands, whatIfTopics } from './whatIf';

export { IPC } from './ipc';
export { clientFrame, MAX_CLIENT_FRAME_BYTES, type ClientFrame, type ServerFrame } from './wire';
export type { SourceSpec } from './sessions';
export type { HistoricalResult, HistoricalScenarioDto, WhatIfResult } from './whatIf';

/** Commands and topics by domain: the handler tables in the app are checked against these. */
export const commandsByDomain = { market: marketCommands, sessions: sessionsCommands, positions: positionsCommands, hedging: hedgingCommands, volatility: volatilityCommands, risk: riskCommands, alerts: alertsCommands, whatIf: whatIfCommands, models: modelsCommands, backtest: backtestCommands } as const;
export const topicsByDomain = { market: marketTopics, sessions: sessionsTopics, positions: positionsTopics, hedging: hedgingTopics, volatility: volatilityTopics, risk: riskTopics, alerts: alertsTopics, whatIf: whatIfTopics, models: modelsTopics, backtest: backtestTopics } as const;
export type Domain = keyof typeof commandsByDomain & keyof typeof topicsByDomain;

/** A name used by two domains is a compile error (a spread would silently keep only the last). */
type Duplicates<T> = { [D in keyof T]: { [E in Exclude<keyof T, D>]: keyof T[D] & keyof T[E] }[Exclude<keyof T, D>] }[keyof T];
type NoDuplicates<T> = [Duplicates<T>] extends [never] ? true : { duplicated: Duplicates<T> };
const commandsAreUnique: NoDuplicates<typeof commandsByDomain> = true;
const topicsAreUnique: NoDuplicates<typeof topicsByDomain> = true;
void commandsAreUnique;
void topicsAreUnique;

export const commands = { ...marketCommands, ...sessionsCommands, ...positionsCommands, ...hedgingCommands, ...volatilityCommands, ...riskCommands, ...alertsCommands, ...whatIfCommands, ...modelsCommands, ...backtestCommands };
export const topics = { ...marketTopics, ...sessionsTopics, ...positionsTopics, ...hedgingTopics, ...volatilityTopics, ...riskTopics, ...alertsTopics, ...whatIfTopics, ...modelsTopics, ...backtestTopics };

export type CommandName = keyof typeof commands;
export type CommandParams<C extends CommandName> = Infer<(typeof commands)[C]['params']>;
export type CommandResults = { [C in CommandName]: MarkedType<(typeof commands)[C]['result']> };
/** The commands of one domain. */
export type DomainCommand<D extends Domain> = keyof (typeof commandsByDomain)[D] & CommandName;

export type TopicName = keyof typeof topics;
export type TopicParams<T extends TopicName> = Infer<(typeof topics)[T]['params']>;
export type TopicPayloads = { [T in TopicName]: MarkedType<(typeof topics)[T]['payload']> };
/** The topics of one domain. */
export type DomainTopic<D extends Domain> = keyof (typeof topicsByDomain)[D] & TopicName;

export const isCommandName = (name: unknown): name is CommandName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
export const isTopicName = (name: unknown): name is TopicName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(topics, name);

/** A versioned stream message: `version` increases with every publish of that stream. */
export interface StreamMessage<T> {
  version: number;
  data: T;
}

export type Unsubscribe = () => void;

/** What every transport's client offers: the renderer and the tests code against this. */
export interface ApiClient {
  call<C extends CommandName>(command: C, params: CommandParams<C>): Promise<CommandResults[C]>;
  subscribe<T extends TopicName>(
    topic: T,
    params: TopicParams<T>,
    listener: (message: StreamMessage<TopicPayloads[T]>) => void,
  ): Unsubscribe;
}
