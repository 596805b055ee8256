/**
 * Alerts as the bell and the rules editor see them: the `alerts` stream (rules and history) and the rule commands.
 */
import type { AlertsDto } from '../../../src-main/api/contract/alerts';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import { TopicStream } from './stream.svelte';

export class AlertsState {
  readonly #stream: TopicStream<'alerts'>;

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
  ) {
    this.#stream = new TopicStream(transport, 'alerts', () => ({}));
  }

  /** In the Electron window the main process shows desktop notifications (app/alertNotifier.ts). */
  get inElectron(): boolean {
    return this.transport.kind === 'electron';
  }

  /** Rules and history; reading it subscribes. */
  get current(): AlertsDto | null {
    return this.#stream.current;
  }

  async save(rule: Record<string, unknown>): Promise<boolean> {
    return (await this.commands.run(() => this.transport.call('alerts.rules.save', { rule }))) !== null;
  }

  async remove(id: string): Promise<void> {
    await this.commands.run(() => this.transport.call('alerts.rules.delete', { id }));
  }
}
