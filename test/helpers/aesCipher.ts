/** A real cipher standing in for Electron's safeStorage in tests: AES-256-GCM, 12-byte IV ‖ 16-byte tag ‖ ciphertext. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { StringCipher } from '../../src-main/app/secrets';

export function aesCipher(available = true): StringCipher {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    encryptString(plainText) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(encrypted) {
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.subarray(0, 12));
      decipher.setAuthTag(encrypted.subarray(12, 28));
      return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
