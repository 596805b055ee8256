/**
 * Where the market data comes from and what is kept of it: the source, recording, replay, the recorded
 * sessions and the import jobs that create them.
 */
import type { DeskStatus, JobStatus, SessionSummary, SourceSpec } from '../../../src-main/api/dto';
import { untrack } from 'svelte';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import { TopicStream } from './stream.svelte';

/** This window's name in the host's desk status: the other windows say who switched the shared source. */
const WINDOW_ID = `window ${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0')}`;

export class SessionsState {
  readonly windowId = WINDOW_ID;
  readonly #status: TopicStream<'desk'>;
  readonly #sessions: TopicStream<'sessions'>;
  readonly #jobs: TopicStream<'jobs'>;

  /**
   * @param marketRestarted Called after the market was replaced (a new source, a replay seek): the views that
   *   show it start again from the new market's streams.
   */
  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
    private readonly marketRestarted: () => void,
  ) {
    this.#status = new TopicStream(transport, 'desk', () => ({}));
    this.#sessions = new TopicStream(transport, 'sessions', () => ({}));
    this.#jobs = new TopicStream(transport, 'jobs', () => ({}));
    // Whoever switched the source (this window or another), every market view starts again from the new market:
    // nothing of the old one stays on screen as if it were the new one's.
    let seen: number | null | undefined;
    $effect.root(() => {
      $effect(() => {
        const at = this.status?.sourceChange?.atMs ?? null;
        if (seen !== undefined && at !== seen) untrack(() => this.marketRestarted());
        seen = at;
      });
    });
  }

  get status(): DeskStatus | null {
    return this.#status.current;
  }

  /** The recorded (and imported) sessions. */
  get list(): SessionSummary[] {
    return this.#sessions.current ?? [];
  }

  get jobs(): JobStatus[] {
    return this.#jobs.current ?? [];
  }

  async setSource(source: SourceSpec): Promise<void> {
    if (await this.#updateStatus(() => this.transport.call('source.set', { source, origin: this.windowId }))) this.marketRestarted();
  }

  /** The source was last switched by another window (all windows share the host's one source): when, and who. */
  get switchedElsewhere(): { atMs: number; by: string } | null {
    const change = this.status?.sourceChange;
    return change?.by && change.by !== this.windowId ? { atMs: change.atMs, by: change.by } : null;
  }

  async startRecording(session: string): Promise<void> {
    await this.#updateStatus(() => this.transport.call('record.start', { session }));
  }

  /** The journal's size limit, bytes (saved; the oldest segments roll off at once if it shrinks). */
  async setJournalLimit(maxBytes: number): Promise<void> {
    await this.#updateStatus(() => this.transport.call('journal.setLimit', { maxBytes }));
  }

  async stopRecording(): Promise<void> {
    await this.#updateStatus(() => this.transport.call('record.stop', {}));
  }

  async replayControl(action: 'pause' | 'resume' | 'speed' | 'seek', options: { speed?: number | 'max'; toMs?: number } = {}): Promise<void> {
    const changed = await this.#updateStatus(() => this.transport.call('replay.control', { action, ...options }));
    if (changed && action === 'seek') this.marketRestarted();
  }

  // The sessions and jobs streams publish the outcome of these commands.
  async renameSession(id: number, name: string): Promise<void> {
    await this.commands.run(() => this.transport.call('sessions.rename', { id, name }));
  }

  async deleteSession(id: number): Promise<void> {
    await this.commands.run(() => this.transport.call('sessions.delete', { id }));
  }

  async importTardis(paths: string[], session: string): Promise<void> {
    await this.commands.run(() => this.transport.call('import.tardis', { paths, session }));
  }

  async cancelJob(id: number): Promise<void> {
    await this.commands.run(() => this.transport.call('jobs.cancel', { id }));
  }

  /** Runs a command that answers with the new desk status and shows that status at once; false if it failed. */
  async #updateStatus(command: () => Promise<DeskStatus>): Promise<boolean> {
    const status = await this.commands.run(command);
    if (status) this.#status.current = status;
    return status !== null;
  }
}
