/**
 * Where the Deribit API key lives: Electron `safeStorage` in the desktop app (encrypted with the OS keychain, the
 * ciphertext in a file of its own under the app's data folder), environment variables headless
 * (`GAMMADESK_DERIBIT_CLIENT_ID`, `GAMMADESK_DERIBIT_CLIENT_SECRET`). Never SQLite, logs, error messages or the
 * renderer: the renderer may learn whether a key is set ({@link describeCredentials}), never the key.
 *
 * Both backends implement {@link SecretStore}. The Electron one takes the `safeStorage` object and file functions
 * as parameters ({@link EncryptedFileSecretStore}), so this module imports no Electron and its logic runs in tests
 * with any cipher. The desktop wiring is one line:
 * `new EncryptedFileSecretStore(safeStorage, fileBlob(join(app.getPath('userData'), 'deribit-key.bin')))`.
 */
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { DeribitCredentials } from '../feeds/deribit/privateClient';

export const ENV_CLIENT_ID = 'GAMMADESK_DERIBIT_CLIENT_ID';
export const ENV_CLIENT_SECRET = 'GAMMADESK_DERIBIT_CLIENT_SECRET';

/** A credentials problem the user can fix; the message names variables or files, never values. */
export class SecretsError extends Error {
  override readonly name = 'SecretsError';
}

export interface SecretStore {
  /** Where the key comes from, for messages (`environment`, `safeStorage`). */
  readonly source: string;
  /** The Deribit API key, or null when none is configured. Throws SecretsError when one is configured wrongly. */
  deribitCredentials(): DeribitCredentials | null;
  /** Stores a key entered in the app (the desktop's safeStorage); absent where keys come from elsewhere. */
  save?(credentials: DeribitCredentials): void;
}

/** Headless: the two environment variables, both or neither. */
export class EnvSecretStore implements SecretStore {
  readonly source = 'environment';
  constructor(private readonly env: Readonly<Record<string, string | undefined>> = process.env) {}

  deribitCredentials(): DeribitCredentials | null {
    const clientId = this.env[ENV_CLIENT_ID]?.trim() ?? '';
    const clientSecret = this.env[ENV_CLIENT_SECRET]?.trim() ?? '';
    if (clientId === '' && clientSecret === '') return null;
    if (clientId === '') throw new SecretsError(`${ENV_CLIENT_SECRET} is set but ${ENV_CLIENT_ID} is empty or missing: set both or neither`);
    if (clientSecret === '') throw new SecretsError(`${ENV_CLIENT_ID} is set but ${ENV_CLIENT_SECRET} is empty or missing: set both or neither`);
    return { clientId, clientSecret };
  }
}

/** The part of Electron's `safeStorage` used here. */
export interface StringCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** File access for the ciphertext (node:fs in the app; injected so the logic is tested without a disk). */
export interface BlobFile {
  read(): Buffer | null;
  write(data: Buffer): void;
  remove(): void;
}

/** The ciphertext file on disk: written to a temporary name then renamed (never half-written), owner-only. */
export function fileBlob(path: string): BlobFile {
  return {
    read: () => {
      try {
        return readFileSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    write: (data) => {
      const temporary = `${path}.tmp`;
      writeFileSync(temporary, data, { mode: 0o600 });
      chmodSync(temporary, 0o600);
      renameSync(temporary, path);
    },
    remove: () => rmSync(path, { force: true }),
  };
}

/** Desktop: the key encrypted by `safeStorage`, stored as one blob (JSON inside the ciphertext). */
export class EncryptedFileSecretStore implements SecretStore {
  readonly source = 'safeStorage';
  constructor(
    private readonly cipher: StringCipher,
    private readonly file: BlobFile,
  ) {}

  deribitCredentials(): DeribitCredentials | null {
    const blob = this.file.read();
    if (blob === null) return null;
    if (!this.cipher.isEncryptionAvailable()) throw new SecretsError('the saved Deribit key cannot be read: OS encryption (safeStorage) is not available');
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.cipher.decryptString(blob));
    } catch {
      // Never echo what was decrypted: it may be the key.
      throw new SecretsError('the saved Deribit key cannot be decrypted or is damaged: enter it again');
    }
    const { clientId, clientSecret } = (parsed ?? {}) as Partial<DeribitCredentials>;
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || clientId === '' || clientSecret === '') {
      throw new SecretsError('the saved Deribit key is incomplete: enter it again');
    }
    return { clientId, clientSecret };
  }

  save(credentials: DeribitCredentials): void {
    if (credentials.clientId.trim() === '' || credentials.clientSecret.trim() === '') throw new SecretsError('client id and client secret must both be non-empty');
    if (!this.cipher.isEncryptionAvailable()) throw new SecretsError('OS encryption (safeStorage) is not available: the key is not saved');
    this.file.write(this.cipher.encryptString(JSON.stringify({ clientId: credentials.clientId.trim(), clientSecret: credentials.clientSecret.trim() })));
  }

  clear(): void {
    this.file.remove();
  }
}

/** What the renderer and logs may see: whether a key is set, from where, and a masked id. */
export function describeCredentials(store: SecretStore): { configured: boolean; source: string; clientIdHint: string | null; problem: string | null } {
  try {
    const credentials = store.deribitCredentials();
    if (credentials === null) return { configured: false, source: store.source, clientIdHint: null, problem: null };
    const id = credentials.clientId;
    return { configured: true, source: store.source, clientIdHint: id.length <= 4 ? '…' : `${id.slice(0, 2)}…${id.slice(-2)}`, problem: null };
  } catch (error) {
    return { configured: false, source: store.source, clientIdHint: null, problem: error instanceof Error ? error.message : String(error) };
  }
}
