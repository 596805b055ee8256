import { migration001 } from './001_event_log';
import { migration002 } from './002_instruments';
import { migration003 } from './003_session_bytes';
import { migration004 } from './004_positions';
import { migration005 } from './005_journal';
import { migration006 } from './006_import_staging';
import { migration007 } from './007_book';
import { migration008 } from './008_hedging';
import { migration009 } from './009_alert_rules';
import { migration010 } from './010_models';
import { migration011 } from './011_model_gates';
import type { Migration } from './types';

/** Every migration in order. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011];
