/**
 * The renderer's state: what the header and the chain view show, fed by API streams. Large snapshots are
 * `$state.raw` and replaced whole on every message (they are immutable once received).
 */
import type { Unsubscribe } from '../../src-main/api/contract';
import type {
  ChainSnapshot,
  Currency,
  DealerConvention,
  VolDynamics,
  DeskStatus,
  ExpirySummary,
  ExposureSnapshot,
  HeaderSnapshot,
  JobStatus,
  PositionDto,
  SessionSummary,
  SourceSpec,
} from '../../src-main/api/dto';
import type { LinkState, Transport } from './transport';

export class DeskState {
  link = $state<LinkState>('connecting');
  header = $state.raw<HeaderSnapshot | null>(null);
  currency = $state<Currency>('BTC');
  expiries = $state.raw<ExpirySummary[]>([]);
  expiry = $state<string | null>(null);
  chain = $state.raw<ChainSnapshot | null>(null);
  /** Chain messages received for the current selection (a visible sign that data keeps flowing). */
  chainVersion = $state(0);
  streamError = $state<string | null>(null);
  status = $state.raw<DeskStatus | null>(null);
  sessions = $state.raw<SessionSummary[]>([]);
  jobs = $state.raw<JobStatus[]>([]);
  /** The last command's failure, shown until the next command. */
  commandError = $state<string | null>(null);
  busy = $state(false);
  view = $state<'chain' | 'exposure'>('chain');
  convention = $state<DealerConvention>('naive');
  dynamics = $state<VolDynamics>('stickyStrike');
  exposure = $state.raw<ExposureSnapshot | null>(null);
  positions = $state.raw<PositionDto[]>([]);
  private exposureSub: Unsubscribe | null = null;

  private expiriesSub: Unsubscribe | null = null;
  private chainSub: Unsubscribe | null = null;

  constructor(private readonly transport: Transport) {
    transport.onLinkState((state) => (this.link = state));
    transport.onStreamError((topic, error) => {
      this.streamError = `${topic}: ${error.message}`;
      // An expiry that rolled off: fall back to the nearest one.
      if (topic === 'chain' && error.code === 'NOT_FOUND') this.selectExpiry(this.expiries[0]?.label ?? null);
    });
    transport.subscribe('header', {}, (message) => (this.header = message.data));
    transport.subscribe('desk', {}, (message) => (this.status = message.data));
    transport.subscribe('sessions', {}, (message) => (this.sessions = message.data));
    transport.subscribe('jobs', {}, (message) => (this.jobs = message.data));
    this.selectCurrency('BTC');
    void this.run(async () => (this.positions = await this.transport.call('positions.list', {})));
  }

  /**
   * Replaces the book from text lines `INSTRUMENT AMOUNT` (contracts, negative = short); blank lines and `#`
   * comments are skipped. A malformed line is reported and nothing changes.
   */
  async setPositions(text: string): Promise<boolean> {
    const positions: { instrument: string; amount: number }[] = [];
    for (const [i, raw] of text.split('\n').entries()) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') continue;
      const [instrument, amountText, ...rest] = line.split(/[\s,;]+/);
      const amount = Number(amountText);
      if (!instrument || amountText === undefined || rest.length > 0 || !Number.isFinite(amount)) {
        this.commandError = `line ${i + 1}: expected "INSTRUMENT AMOUNT", got "${raw.trim()}"`;
        return false;
      }
      positions.push({ instrument: instrument.toUpperCase(), amount });
    }
    const rows = await this.run(() => this.transport.call('positions.set', { positions }));
    if (rows) this.positions = rows;
    return rows !== null;
  }

  /** Runs a command, keeping its error for the UI instead of throwing into an event handler. */
  private async run<T>(work: () => Promise<T>): Promise<T | null> {
    this.busy = true;
    this.commandError = null;
    try {
      return await work();
    } catch (error) {
      this.commandError = error instanceof Error ? error.message : String(error);
      return null;
    } finally {
      this.busy = false;
    }
  }

  async setSource(source: SourceSpec): Promise<void> {
    const status = await this.run(() => this.transport.call('source.set', { source }));
    if (status) {
      this.status = status;
      // A new source starts from an empty market: pick the expiry again once its list arrives.
      this.selectCurrency(this.currency);
    }
  }

  async startRecording(session: string): Promise<void> {
    const status = await this.run(() => this.transport.call('record.start', { session }));
    if (status) this.status = status;
  }

  async stopRecording(): Promise<void> {
    const status = await this.run(() => this.transport.call('record.stop', {}));
    if (status) this.status = status;
  }

  async renameSession(id: number, name: string): Promise<void> {
    await this.run(() => this.transport.call('sessions.rename', { id, name }));
  }

  async deleteSession(id: number): Promise<void> {
    await this.run(() => this.transport.call('sessions.delete', { id }));
  }

  async importTardis(paths: string[], session: string): Promise<void> {
    await this.run(() => this.transport.call('import.tardis', { paths, session }));
  }

  async cancelJob(id: number): Promise<void> {
    await this.run(() => this.transport.call('jobs.cancel', { id }));
  }

  async replayControl(action: 'pause' | 'resume' | 'speed' | 'seek', options: { speed?: number | 'max'; toMs?: number } = {}): Promise<void> {
    const status = await this.run(() => this.transport.call('replay.control', { action, ...options }));
    if (status) {
      this.status = status;
      if (action === 'seek') this.selectCurrency(this.currency);
    }
  }

  showView(view: 'chain' | 'exposure'): void {
    this.view = view;
    this.subscribeExposure();
  }

  setConvention(convention: DealerConvention): void {
    this.convention = convention;
    this.subscribeExposure();
  }

  setDynamics(dynamics: VolDynamics): void {
    this.dynamics = dynamics;
    this.subscribeExposure();
  }

  /** Exposure streams only while the Exposure view is open (the maps are the costliest analytics). */
  private subscribeExposure(): void {
    this.exposureSub?.();
    this.exposureSub = null;
    this.exposure = null;
    if (this.view !== 'exposure') return;
    const params = { currency: this.currency, convention: this.convention, dynamics: this.dynamics };
    this.exposureSub = this.transport.subscribe('exposure', params, (message) => {
      this.exposure = message.data;
    });
  }

  selectCurrency(currency: Currency): void {
    this.currency = currency;
    this.subscribeExposure();
    this.expiriesSub?.();
    this.expiries = [];
    this.selectExpiry(null);
    this.expiriesSub = this.transport.subscribe('expiries', { currency }, (message) => {
      this.expiries = message.data.expiries;
      const labels = this.expiries.map((e) => e.label);
      if (this.expiry === null || !labels.includes(this.expiry)) this.selectExpiry(defaultExpiry(this.expiries));
    });
  }

  selectExpiry(label: string | null): void {
    if (label === this.expiry && this.chainSub) return;
    this.chainSub?.();
    this.chainSub = null;
    this.expiry = label;
    this.chain = null;
    this.chainVersion = 0;
    if (label === null) return;
    this.streamError = null;
    this.chainSub = this.transport.subscribe('chain', { currency: this.currency, expiry: label }, (message) => {
      this.chain = message.data;
      this.chainVersion++;
    });
  }
}

/** The first expiry more than two days out: the front dailies are mostly noise for a risk view. */
function defaultExpiry(expiries: readonly ExpirySummary[]): string | null {
  const twoDays = 2 / 365;
  return (expiries.find((e) => e.years > twoDays) ?? expiries[0])?.label ?? null;
}
