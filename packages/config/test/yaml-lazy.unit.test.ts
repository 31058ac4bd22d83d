// A service that takes its configuration from the configuration server never loads the YAML parser; one that
// reads the repository folder loads it with the first YAML file (the control: the check sees it then).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseConfigSchema, configSourceFromEnv, loadConfig } from '@goblog/config';

const yamlLoaded = (): boolean =>
  Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/node_modules/yaml/'));

const defaults = { server_port: 6767, server_name: 'test', amqp_server_url: 'amqp://guest:guest@127.0.0.1/' };

void test('the YAML parser is loaded by the first repository file read, not by the server client', async () => {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        name: 'accountservice',
        profiles: ['dev'],
        label: null,
        version: null,
        state: null,
        propertySources: [{ name: 'accountservice.yml', source: { server_name: 'from-server' } }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const repoDir = mkdtempSync(join(tmpdir(), 'goblog-yaml-lazy-'));
  try {
    const { port } = server.address() as AddressInfo;
    const fromServer = await loadConfig({
      schema: BaseConfigSchema,
      defaults,
      source: configSourceFromEnv('accountservice', { CONFIG_SERVER_URL: `http://127.0.0.1:${port}` }),
      env: {},
    });
    assert.equal(fromServer.current.server_name, 'from-server');
    assert.equal(yamlLoaded(), false);

    writeFileSync(join(repoDir, 'accountservice.yml'), 'server_name: from-folder\n');
    const fromFolder = await loadConfig({
      schema: BaseConfigSchema,
      defaults,
      source: configSourceFromEnv('accountservice', { CONFIG_REPO: repoDir }),
      env: {},
    });
    assert.equal(fromFolder.current.server_name, 'from-folder');
    assert.equal(yamlLoaded(), true);
  } finally {
    server.close();
    rmSync(repoDir, { recursive: true, force: true });
  }
});
