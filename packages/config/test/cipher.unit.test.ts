import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { createTextEncryptor, decryptProperties } from '@goblog/config';

// From spring-cloud-commons EncryptionIntegrationTests: encrypt.key=pie, default salt deadbeef.
const SPRING_VECTOR = 'bf29452295df354e6153c5b31b03ef23c70e55fba24299aa85c63438f1c43c95';

void test('decrypts a cipher text made by Spring with the same key', () => {
  assert.equal(createTextEncryptor('pie').decrypt(SPRING_VECTOR), 'test');
});

void test('encrypts to exactly the bytes Spring produced, given the IV Spring drew', () => {
  // Spring's output is hex(IV + AES-256-CBC ciphertext) with a random IV: with the same key, salt and IV, the
  // cipher text is fully determined, so ours must reproduce Spring's vector byte for byte. The IV is the
  // vector's first 16 bytes; it is handed to our encrypt through node:crypto's randomBytes (swapped for
  // this one call, and syncBuiltinESMExports so that the module's named import sees the swap), which keeps
  // any test hook out of the production code.
  const springIv = Buffer.from(SPRING_VECTOR.slice(0, 32), 'hex');
  const encryptor = createTextEncryptor('pie');
  const original = crypto.randomBytes;
  const drawn: number[] = [];
  const fixed = (size: number): Buffer => {
    drawn.push(size);
    return Buffer.from(springIv);
  };
  let ours: string;
  try {
    crypto.randomBytes = fixed as typeof crypto.randomBytes;
    syncBuiltinESMExports();
    ours = encryptor.encrypt('test');
  } finally {
    crypto.randomBytes = original;
    syncBuiltinESMExports();
  }
  assert.deepEqual(drawn, [16], 'one 16-byte IV drawn (as Spring does)');
  assert.equal(ours, SPRING_VECTOR);
});

void test('encrypt/decrypt round trip uses a fresh IV each time', () => {
  const encryptor = createTextEncryptor('s3cr3t-key');
  const a = encryptor.encrypt('guest:guest');
  const b = encryptor.encrypt('guest:guest');
  assert.notEqual(a, b);
  assert.match(a, /^[0-9a-f]+$/);
  assert.equal(encryptor.decrypt(a), 'guest:guest');
  assert.equal(encryptor.decrypt(b), 'guest:guest');
});

void test('a wrong key or garbage does not decrypt', () => {
  assert.throws(() => createTextEncryptor('other').decrypt(SPRING_VECTOR));
  assert.throws(() => createTextEncryptor('pie').decrypt('not-hex'));
});

void test('{cipher} values are decrypted; undecryptable ones become invalid.<key> = <n/a> as in Spring', () => {
  const source = { plain: 1, 'db.password': `{cipher}${SPRING_VECTOR}`, 'other.secret': '{cipher}deadbeef' };
  assert.deepEqual(decryptProperties(source, createTextEncryptor('pie')), {
    plain: 1,
    'db.password': 'test',
    'invalid.other.secret': '<n/a>',
  });
  assert.deepEqual(decryptProperties(source, undefined), {
    plain: 1,
    'invalid.db.password': '<n/a>',
    'invalid.other.secret': '<n/a>',
  });
});
