import { migration001 } from './001_event_log';
import { migration002 } from './002_instruments';
import { migration003 } from './003_session_bytes';
import { migration004 } from './004_positions';
import { migration005 } from './005_journal';
import { migration006 } from './006_import_staging';
import { migration008 } from './008_hedging';
import type { Migration } from './types';

/** Every migration in order. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration008];

/**
 * Versions another branch has claimed but not yet merged (7: the positions migration). `migrate` steps over a
 * reserved version as if it followed; remove the number here when its migration is appended above.
 */
export const RESERVED_VERSIONS: ReadonlySet<number> = new Set([7]);
