import { describe, expect, it } from 'vitest';
import type { AlertHistoryDto } from '../../../src-main/api/contract/alerts';
import { AlertNotifier, type DesktopNotification } from '../../../src-main/app/alertNotifier';

const alert = (id: number, message: string): AlertHistoryDto => ({ id, session: null, ruleId: `r${id}`, kind: 'margin-usage', currency: 'BTC', atMs: id * 1000, message, value: null, threshold: null, suppressed: 0 });

describe('AlertNotifier (Electron desktop notifications)', () => {
  it('shows nothing from the first message, then each new alert once, newest first, a burst capped with a summary line', () => {
    const shown: DesktopNotification[] = [];
    const notifier = new AlertNotifier((n) => shown.push(n), 2);
    expect(notifier.onAlerts({ history: [alert(2, 'old b'), alert(1, 'old a')] })).toBe(0);
    expect(notifier.onAlerts({ history: [alert(2, 'old b'), alert(1, 'old a')] })).toBe(0);
    expect(notifier.onAlerts({ history: [alert(3, 'margin usage 81 %'), alert(2, 'old b')] })).toBe(1);
    expect(shown).toEqual([{ title: 'GammaDesk alert · BTC', body: 'margin usage 81 %' }]);
    shown.length = 0;
    expect(notifier.onAlerts({ history: [alert(7, 'g'), alert(6, 'f'), alert(5, 'e'), alert(4, 'd'), alert(3, 'margin usage 81 %')] })).toBe(3);
    expect(shown.map((n) => n.body)).toEqual(['g', 'f', "2 more alert(s): see the bell's history"]);
    // A republish without new alerts (a rule edited) shows nothing.
    expect(notifier.onAlerts({ history: [alert(7, 'g')] })).toBe(0);
  });

  it('an empty history at the start still sets the baseline', () => {
    const shown: DesktopNotification[] = [];
    const notifier = new AlertNotifier((n) => shown.push(n));
    notifier.onAlerts({ history: [] });
    notifier.onAlerts({ history: [alert(1, 'first')] });
    expect(shown.map((n) => n.body)).toEqual(['first']);
  });
});
