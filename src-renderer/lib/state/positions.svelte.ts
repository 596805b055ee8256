/**
 * The trader's book: the stored positions (read once at start, replaced whole by the editor or an import) and,
 * while the Positions view reads it, the book marked to market.
 */
import type { BookImportResult, BookSnapshot, DeribitAccountLoadDto, PositionDto } from '../../../src-main/api/dto';
import { formatPositions, parsePositions } from '../positionsText';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';
import { TopicStream } from './stream.svelte';

export class PositionsState {
  /** As the host stored them; replaced whole, hence `raw`. */
  book = $state.raw<PositionDto[]>([]);
  /** The book as editor text, one `INSTRUMENT AMOUNT` line per position. */
  readonly text = $derived(formatPositions(this.book));
  /** What the last CSV import kept and refused. */
  lastImport = $state.raw<BookImportResult | null>(null);
  /** The last Deribit account load: equity and margins per currency, and what could not be taken. */
  lastAccount = $state.raw<DeribitAccountLoadDto | null>(null);
  readonly #valuation: TopicStream<'book'>;

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
  ) {
    // The first call may go out before the socket opens: the transport holds it until then.
    void commands.run(async () => (this.book = await transport.call('positions.list', {})));
    this.#valuation = new TopicStream(transport, 'book', () => ({}));
  }

  /** The book marked to market; reading it subscribes. */
  get valuation(): BookSnapshot | null {
    return this.#valuation.current;
  }

  /** Replaces the book with the Deribit account's positions (the configured key). */
  async loadDeribit(network: 'testnet' | 'mainnet'): Promise<void> {
    const result = await this.commands.run(() => this.transport.call('positions.loadDeribit', { network }));
    if (result) {
      this.lastAccount = result;
      this.lastImport = result;
      this.book = result.positions;
    }
  }

  /** Imports a positions CSV: good rows kept, bad ones listed by line in `lastImport`. */
  async importCsv(csv: string, mode: 'replace' | 'merge'): Promise<void> {
    const result = await this.commands.run(() => this.transport.call('positions.import', { csv, mode }));
    if (result) {
      this.lastImport = result;
      this.book = result.positions;
    }
  }

  /** Replaces the book from editor text; a line it cannot read is reported and nothing changes. */
  async save(text: string): Promise<boolean> {
    const parsed = parsePositions(text);
    if (!parsed.ok) {
      this.commands.fail(parsed.error);
      return false;
    }
    const rows = await this.commands.run(() => this.transport.call('positions.set', { positions: parsed.positions }));
    if (rows) this.book = rows;
    return rows !== null;
  }
}
