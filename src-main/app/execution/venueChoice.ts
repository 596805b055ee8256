/**
 * Which venue approved hedges go to: the paper ledger (default) or Deribit (testnet by default; mainnet only
 * after the explicit confirmation in settings, decision 0017). The choice is a setting (`execution.venue`); the key
 * comes from the SecretStore (Electron safeStorage in the desktop app, environment variables headless) and is
 * never stored, logged or sent to the renderer: the UI sees only whether it is configured and a masked id.
 *
 * A Deribit venue that cannot be built (no key, mainnet unconfirmed) is a visible problem: approvals are refused
 * with its reason rather than sent somewhere the trader did not choose.
 */
import type { ExecutionVenue } from '../../core/execution/venue';
import type { SettingsRepository } from '../../store/settings';
import type { describeCredentials, SecretStore } from '../secrets';
import { createDeribitVenue, SETTING_MAINNET_CONFIRMED, SETTING_NETWORK } from './deribitVenue';

export const SETTING_VENUE = 'execution.venue';

export interface ExecutionStatus {
  venue: 'paper' | 'deribit';
  network: 'testnet' | 'mainnet';
  mainnetConfirmed: boolean;
  /** The venue in use: paper, deribit-testnet or deribit (mainnet). */
  active: string;
  credentials: ReturnType<typeof describeCredentials>;
  /** Why the chosen venue is not available (approvals are refused meanwhile); null when it is. */
  problem: string | null;
}

export function executionChoice(settings: SettingsRepository): { venue: 'paper' | 'deribit'; network: 'testnet' | 'mainnet'; mainnetConfirmed: boolean } {
  return {
    venue: settings.get<string>(SETTING_VENUE) === 'deribit' ? 'deribit' : 'paper',
    network: settings.get<string>(SETTING_NETWORK) === 'mainnet' ? 'mainnet' : 'testnet',
    mainnetConfirmed: settings.get<unknown>(SETTING_MAINNET_CONFIRMED) === true,
  };
}

/** Builds the Deribit venue the settings ask for; throws its VenueError (no key, unconfirmed mainnet). */
export function deribitVenueFrom(settings: SettingsRepository, secrets: SecretStore, url: string | undefined): ExecutionVenue {
  return createDeribitVenue(settings, secrets, url ? { url } : {});
}
