/**
 * The trader's own positions (the book the Exposure view prices next to the dealers'), read once at start and
 * replaced whole by the editor.
 */
import type { PositionDto } from '../../../src-main/api/dto';
import { formatPositions, parsePositions } from '../positionsText';
import type { Transport } from '../transport';
import type { CommandRunner } from './commands.svelte';

export class PositionsState {
  /** As the host stored them; replaced whole, hence `raw`. */
  book = $state.raw<PositionDto[]>([]);
  /** The book as editor text, one `INSTRUMENT AMOUNT` line per position. */
  readonly text = $derived(formatPositions(this.book));

  constructor(
    private readonly transport: Transport,
    private readonly commands: CommandRunner,
  ) {
    // The first call may go out before the socket opens: the transport holds it until then.
    void commands.run(async () => (this.book = await transport.call('positions.list', {})));
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
