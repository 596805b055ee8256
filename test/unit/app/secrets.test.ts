/**
 * The secret stores: the environment backend (both variables or neither), and the encrypted-file backend with a
 * real cipher (AES-256-GCM from node:crypto standing where Electron passes `safeStorage`) and a real file.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeCredentials,
  EncryptedFileSecretStore,
  EnvSecretStore,
  ENV_CLIENT_ID,
  ENV_CLIENT_SECRET,
  fileBlob,
  SecretsError,
} from '../../../src-main/app/secrets';
import { aesCipher } from '../../helpers/aesCipher';
import { makeTempDir } from '../../helpers/tmp';

const SECRET = 'unit-Secret-c4n4ry-31337';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

function tempFile(): string {
  const tmp = makeTempDir();
  cleanups.push(tmp.remove);
  return path.join(tmp.dir, 'deribit-key.bin');
}

describe('EnvSecretStore', () => {
  it('reads both variables (trimmed), or nothing when neither is set', () => {
    expect(new EnvSecretStore({ [ENV_CLIENT_ID]: ' id-1 ', [ENV_CLIENT_SECRET]: `${SECRET}\n` }).deribitCredentials()).toEqual({ clientId: 'id-1', clientSecret: SECRET });
    expect(new EnvSecretStore({}).deribitCredentials()).toBeNull();
    expect(new EnvSecretStore({ [ENV_CLIENT_ID]: '', [ENV_CLIENT_SECRET]: '  ' }).deribitCredentials()).toBeNull();
  });

  it('refuses one without the other, naming the variables and never the value', () => {
    const onlySecret = (): unknown => new EnvSecretStore({ [ENV_CLIENT_SECRET]: SECRET }).deribitCredentials();
    expect(onlySecret).toThrow(SecretsError);
    expect(onlySecret).toThrow(`${ENV_CLIENT_SECRET} is set but ${ENV_CLIENT_ID} is empty or missing`);
    try {
      onlySecret();
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET);
    }
    expect(() => new EnvSecretStore({ [ENV_CLIENT_ID]: 'id-1' }).deribitCredentials()).toThrow(`${ENV_CLIENT_ID} is set but ${ENV_CLIENT_SECRET} is empty or missing`);
  });
});

describe('EncryptedFileSecretStore', () => {
  it('saves encrypted (the file holds no plaintext, owner-only) and reads back', () => {
    const file = tempFile();
    const store = new EncryptedFileSecretStore(aesCipher(), fileBlob(file));
    expect(store.deribitCredentials()).toBeNull();
    store.save({ clientId: 'id-2', clientSecret: SECRET });
    const bytes = readFileSync(file);
    expect(bytes.includes(SECRET)).toBe(false);
    expect(bytes.includes('id-2')).toBe(false);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(store.deribitCredentials()).toEqual({ clientId: 'id-2', clientSecret: SECRET });
    store.clear();
    expect(store.deribitCredentials()).toBeNull();
  });

  it('a damaged file or no OS encryption gives a clear error without content', () => {
    const file = tempFile();
    const cipher = aesCipher();
    const store = new EncryptedFileSecretStore(cipher, fileBlob(file));
    store.save({ clientId: 'id-3', clientSecret: SECRET });
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(file, bytes);
    expect(() => store.deribitCredentials()).toThrow('the saved Deribit key cannot be decrypted or is damaged: enter it again');
    const locked = new EncryptedFileSecretStore(aesCipher(false), fileBlob(file));
    expect(() => locked.deribitCredentials()).toThrow(/safeStorage\) is not available/);
    expect(() => locked.save({ clientId: 'a', clientSecret: 'b' })).toThrow(/the key is not saved/);
    // Valid ciphertext of an incomplete key.
    writeFileSync(file, cipher.encryptString(JSON.stringify({ clientId: 'id-3' })));
    expect(() => store.deribitCredentials()).toThrow('the saved Deribit key is incomplete: enter it again');
  });
});

describe('describeCredentials', () => {
  it('tells the renderer whether a key is set, with a masked id, never the secret', () => {
    const shown = describeCredentials(new EnvSecretStore({ [ENV_CLIENT_ID]: 'AbCdEfGh', [ENV_CLIENT_SECRET]: SECRET }));
    expect(shown).toEqual({ configured: true, source: 'environment', clientIdHint: 'Ab…Gh', problem: null });
    expect(JSON.stringify(shown)).not.toContain(SECRET);
    expect(describeCredentials(new EnvSecretStore({ [ENV_CLIENT_SECRET]: SECRET }))).toMatchObject({ configured: false, problem: expect.stringContaining(ENV_CLIENT_ID) });
  });
});
