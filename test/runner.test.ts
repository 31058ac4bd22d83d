// `npm start` without a broker: one line saying so, how to start RabbitMQ, no password, non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, repoRoot, withTimeout } from '@goblog/testkit';

void test('the landscape runner exits non-zero with one clear line when the broker is unreachable', async () => {
  const port = await freePort(); // nothing listens there
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AMQP_SERVER_URL: `amqp://guest:s3cretpw@127.0.0.1:${port}/`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = once(child, 'exit') as Promise<[number | null]>;
  // A runner that keeps waiting for the broker fails the test instead of hanging it.
  const [code] = await withTimeout(exit, 60_000, 'the runner did not exit').catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });

  assert.equal(code, 1);
  const lines = output.trim().split('\n');
  assert.equal(lines.length, 1, output);
  assert.match(lines[0] ?? '', /cannot reach RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1/);
  assert.match(lines[0] ?? '', /rabbitmq-server -detached/);
  assert.doesNotMatch(output, /s3cretpw/);
});
