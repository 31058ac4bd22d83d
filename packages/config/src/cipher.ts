import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { touchesPrototype } from './prototype-keys.js';

/** Spring's default salt for `encrypt.key` (spring-cloud-context KeyProperties). */
export const SPRING_DEFAULT_SALT = 'deadbeef';

/**
 * Spring Security's `Encryptors.text(password, salt)`, which Spring Cloud Config uses for a symmetric
 * ENCRYPT_KEY: AES-256-CBC, key from PBKDF2-HMAC-SHA1 (1024 iterations, hex salt), output hex(IV + ciphertext).
 * Values encrypted here decrypt in Spring and vice versa.
 */
export interface TextEncryptor {
  encrypt(plainText: string): string;
  /** Throws when the text is not hex, was made with another key, or is corrupt. */
  decrypt(cipherHex: string): string;
}

export function createTextEncryptor(password: string, saltHex: string = SPRING_DEFAULT_SALT): TextEncryptor {
  // Derived once: PBKDF2 is deliberately slow and every {cipher} value would otherwise pay for it.
  const key = pbkdf2Sync(password, Buffer.from(saltHex, 'hex'), 1024, 32, 'sha1');
  return {
    encrypt(plainText) {
      const iv = randomBytes(16);
      const cipher = createCipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([iv, cipher.update(plainText, 'utf8'), cipher.final()]).toString('hex');
    },
    decrypt(cipherHex) {
      const text = cipherHex.trim();
      if (!/^(?:[0-9a-fA-F]{2})+$/.test(text) || text.length < 64 || (text.length / 2) % 16 !== 0) {
        throw new Error('not a hex AES-CBC cipher text');
      }
      const bytes = Buffer.from(text, 'hex');
      const decipher = createDecipheriv('aes-256-cbc', key, bytes.subarray(0, 16));
      return Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString('utf8');
    },
  };
}

export const CIPHER_PREFIX = '{cipher}';

/**
 * Decrypts every `{cipher}` value of a flat property map, as Spring's EnvironmentEncryptor does: a value that
 * cannot be decrypted (no key, wrong key, corrupt) is removed and reported as `invalid.<key>: "<n/a>"`.
 * Optional `{key:name}` prefixes (Spring's key selection) are skipped: this server holds one key. Keys naming
 * prototype properties are left out (the parsers already reported them).
 */
export function decryptProperties(
  source: Readonly<Record<string, unknown>>,
  encryptor: TextEncryptor | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (touchesPrototype(key)) continue;
    if (typeof value !== 'string' || !value.startsWith(CIPHER_PREFIX)) {
      out[key] = value;
      continue;
    }
    const payload = value.slice(CIPHER_PREFIX.length).replace(/^(?:\{[^:}]+:[^}]*\})+/, '');
    try {
      if (!encryptor) throw new Error('no key');
      out[key] = encryptor.decrypt(payload);
    } catch {
      out[`invalid.${key}`] = '<n/a>';
    }
  }
  return out;
}
