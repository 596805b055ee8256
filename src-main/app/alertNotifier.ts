/**
 * Which alerts become desktop notifications, from successive messages of the `alerts` stream: none from the first
 * message (what had fired before the window opened is in the bell's history), then every alert newer than the
 * last one notified, newest first, at most `max` per message (a burst is summed up in one more line). Used by the
 * Electron main process (Electron's `Notification`); the browser's bell applies the same rule with the web API.
 */
import type { AlertsDto } from '../api/contract/alerts';

export interface DesktopNotification {
  title: string;
  body: string;
}

export class AlertNotifier {
  private notified: number | null = null;

  constructor(
    private readonly show: (notification: DesktopNotification) => void,
    private readonly max = 3,
  ) {}

  /** Shows the new alerts of one stream message; returns how many notifications were shown. */
  onAlerts(dto: Pick<AlertsDto, 'history'>): number {
    const newest = dto.history[0]?.id ?? 0;
    if (this.notified === null) {
      this.notified = newest;
      return 0;
    }
    const since = this.notified;
    const fresh = dto.history.filter((a) => a.id > since);
    if (fresh.length === 0) return 0;
    this.notified = Math.max(since, newest);
    const shown = fresh.slice(0, this.max).map((a) => ({ title: `GammaDesk alert${a.currency ? ` · ${a.currency}` : ''}`, body: a.message }));
    if (fresh.length > this.max) shown.push({ title: 'GammaDesk alerts', body: `${fresh.length - this.max} more alert(s): see the bell's history` });
    for (const n of shown) this.show(n);
    return shown.length;
  }
}
