import { spawn } from 'node:child_process';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueName } from '../src/broker.js';
import { holdExclusive } from '../src/exclusive.js';

// A child that takes the lock, says so, and holds it until it is killed.
const HOLDER = `
  const { createServer } = require('node:net');
  createServer().listen({ path: '\\0goblog-test-lock.' + process.argv[1] }, () => console.log('held'));
`;

void describe('holdExclusive', () => {
  void it('lets one holder at a time have the lock, and the next one once it is released', async () => {
    const name = uniqueName('lock');
    const release = await holdExclusive(name, 5000);
    await assert.rejects(holdExclusive(name, 300), /timed out after 300 ms waiting for the lock/);
    await release();
    await release();
    const again = await holdExclusive(name, 5000);
    await again();
  });

  void it('is released by the kernel when its holder is killed with SIGKILL', async () => {
    const name = uniqueName('lock');
    const child = spawn(process.execPath, ['-e', HOLDER, name], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(child.stdout, 'data');
    await assert.rejects(holdExclusive(name, 300), /timed out/);
    const waiting = holdExclusive(name, 30_000);
    child.kill('SIGKILL');
    const release = await waiting;
    await release();
  });
});
