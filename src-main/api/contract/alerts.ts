/**
 * Alerts domain (issue 12, item 4): the rules (stored, checked by core/alerts/rules.ts) and the alerts fired,
 * evaluated by the app on market time.
 */
import type { AlertEvent, AlertRule } from '../../core/alerts/rules';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

/** A stored alert (store/alerts.ts): the event, its row id and the session it fired in. */
export interface AlertHistoryDto extends AlertEvent {
  id: number;
  session: string | null;
}

export interface AlertsDto {
  rules: AlertRule[];
  /** Stored rules that no longer pass the checks, with the reason. */
  refused: { id: string; reason: string }[];
  /** The latest alerts first. */
  history: AlertHistoryDto[];
}

export const alertsCommands = {
  /** Inserts or replaces a rule; a bad one is refused naming the field (core/alerts/rules.ts checkAlertRule). */
  'alerts.rules.save': { params: v.object({ rule: v.unknown() }), result: typed<AlertRule>() },
  'alerts.rules.delete': { params: v.object({ id: v.string({ maxLength: 64 }) }), result: typed<{ deleted: boolean }>() },
} as const satisfies CommandTable;

export const alertsTopics = {
  /** The rules and the alert history (republished when a rule changes or an alert fires). */
  alerts: { params: v.object({}), payload: typed<AlertsDto>() },
} as const satisfies TopicTable;
