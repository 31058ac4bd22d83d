import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configRouteLabel, destinationsForPaths, parseConfigPath } from '@goblog/configserver';

void test('Spring’s URL forms are told apart', () => {
  assert.deepEqual(parseConfigPath('/accountservice/dev'), {
    ok: true,
    request: { kind: 'environment', application: 'accountservice', profiles: 'dev', label: null },
  });
  assert.deepEqual(parseConfigPath('/accountservice/dev,test/P9'), {
    ok: true,
    request: { kind: 'environment', application: 'accountservice', profiles: 'dev,test', label: 'P9' },
  });
  assert.deepEqual(parseConfigPath('/config-server-dev.yml'), {
    ok: true,
    request: { kind: 'document', application: 'config-server', profiles: 'dev', label: null, format: 'yml' },
  });
  assert.deepEqual(parseConfigPath('/main/vipservice-test.properties'), {
    ok: true,
    request: {
      kind: 'document',
      application: 'vipservice',
      profiles: 'test',
      label: 'main',
      format: 'properties',
    },
  });
  assert.deepEqual(parseConfigPath('/a/b/c/d'), { ok: false, reason: 'no-route' });
});

void test('traversal in any spelling is unsafe', () => {
  for (const path of [
    '/..',
    '/a/..',
    '/%2e%2e/dev',
    '/a%2Fb/dev',
    '/a%5cb/dev',
    '//etc/passwd',
    '/a/dev/%00',
    '/a\\b/dev',
  ]) {
    assert.deepEqual(parseConfigPath(path), { ok: false, reason: 'unsafe' }, path);
  }
});

void test('changed files map to the applications they configure', () => {
  assert.deepEqual(destinationsForPaths(['accountservice.yml']), ['accountservice:**']);
  assert.deepEqual(destinationsForPaths(['config-repo/accountservice-dev.yml']), [
    'accountservice:**',
    'accountservice-dev:**',
  ]);
  assert.deepEqual(destinationsForPaths(['vipservice.yml', 'application-dev.yml']), ['**']);
  assert.deepEqual(destinationsForPaths(['accountservice']), ['accountservice:**']);
  assert.deepEqual(destinationsForPaths(['.accountservice.yml.swp', 'README.md']), []);
});

void test('config reads are labelled in metrics by URL form, never by name', () => {
  assert.equal(configRouteLabel('/accountservice/dev'), '/{application}/{profiles}');
  assert.equal(configRouteLabel('/accountservice/dev,test/P9'), '/{application}/{profiles}/{label}');
  assert.equal(configRouteLabel('/accountservice-dev.yml'), '/{application}-{profiles}.yml');
  assert.equal(
    configRouteLabel('/P9/accountservice-dev.properties'),
    '/{label}/{application}-{profiles}.properties',
  );
  // Not a config read (too deep, traversal): one label for all of them.
  assert.equal(configRouteLabel('/a/b/c/d'), '/*');
  assert.equal(configRouteLabel('/..%2fetc/passwd'), '/*');
});
