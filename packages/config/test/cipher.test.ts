import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTextEncryptor, decryptProperties } from '@goblog/config';

// From spring-cloud-commons EncryptionIntegrationTests: encrypt.key=pie, default salt deadbeef.
const SPRING_VECTOR = 'bf29452295df354e6153c5b31b03ef23c70e55fba24299aa85c63438f1c43c95';

void test('decrypts a cipher text made by Spring with the same key', () => {
  assert.equal(createTextEncryptor('pie').decrypt(SPRING_VECTOR), 'test');
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
