/** Positions domain: the trader's own book, entered by hand until execution and fills maintain it. */
import type { PositionDto } from '../dto';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

/** The largest book `positions.set` takes; wire.ts sizes the WebSocket frame limit for it. */
export const MAX_POSITIONS = 2000;
/** Deribit option names are about 20 characters (`BTC-27DEC26-100000-C`); 64 leaves room. */
export const MAX_INSTRUMENT_LENGTH = 64;

export const positionsCommands = {
  'positions.list': { params: v.object({}), result: typed<PositionDto[]>() },
  'positions.set': {
    params: v.object({
      positions: v.array(
        v.object({ instrument: v.string({ maxLength: MAX_INSTRUMENT_LENGTH }), amount: v.number({ min: -1e6, max: 1e6 }) }),
        { maxLength: MAX_POSITIONS },
      ),
    }),
    result: typed<PositionDto[]>(),
  },
} as const satisfies CommandTable;

export const positionsTopics = {} as const satisfies TopicTable;
