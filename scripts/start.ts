// `npm start [-- --scale vipservice=N]`: the whole landscape in the foreground (and its page on 8080), one prefixed log stream,
// one Ctrl+C (or SIGTERM) stops every service gracefully. concurrently is the process runner.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { concurrently } from 'concurrently';
import type { ConcurrentlyCommandInput } from 'concurrently';
import { maskUrl } from '@goblog/messaging';
import { BROKER_HINT } from '@goblog/runtime';

const root = fileURLToPath(new URL('..', import.meta.url));
const brokerUrl = process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

function scaleOf(args: readonly string[]): number {
  let vipservices = 1;
  for (const arg of args) {
    const match = /^vipservice=(\d+)$/.exec(arg);
    if (!match?.[1] || Number(match[1]) < 1 || Number(match[1]) > 50) {
      throw new Error(`--scale expects vipservice=N with 1 <= N <= 50, got '${arg}'`);
    }
    vipservices = Number(match[1]);
  }
  return vipservices;
}

/** One node answering is enough: AMQP_SERVER_URL may list a cluster's nodes, comma-separated. */
async function checkBroker(): Promise<void> {
  let reason = '';
  for (const url of brokerUrl.split(',').map((u) => u.trim())) {
    try {
      const connection = await connect(url, { timeout: 3000 });
      await connection.close();
      return;
    } catch (err) {
      reason = err instanceof Error ? err.message.replaceAll(url, maskUrl(url)) : String(err);
    }
  }
  throw new Error(`cannot reach RabbitMQ at ${maskUrl(brokerUrl)} (${reason}); ${BROKER_HINT}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: 'string', multiple: true } } });
  const vipservices = scaleOf(values.scale ?? []);
  await checkBroker();

  const configPort = Number(process.env.CONFIG_SERVER_PORT ?? 8888);
  const shared = {
    CONFIG_SERVER_URL: process.env.CONFIG_SERVER_URL ?? `http://127.0.0.1:${configPort}`,
    LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
  };
  const service = (name: string, label: string, env: Record<string, string>): ConcurrentlyCommandInput => ({
    name: label,
    // exec: the shell hands its PID to node, so signals reach the service itself, not just the shell.
    command: `exec node services/${name}/dist/main.js`,
    cwd: root,
    env: { ...shared, ...env },
  });
  const commands: ConcurrentlyCommandInput[] = [
    service('configserver', 'configserver', { SERVER_PORT: String(configPort) }),
    // ACCOUNTSERVICE_PORT moves it (e.g. next to a running landscape); else its configuration's server_port.
    service(
      'accountservice',
      'accountservice',
      process.env.ACCOUNTSERVICE_PORT ? { SERVER_PORT: process.env.ACCOUNTSERVICE_PORT } : {},
    ),
  ];
  const firstVipPort = Number(process.env.VIPSERVICE_PORT ?? 6868);
  for (let i = 0; i < vipservices; i++) {
    const label = vipservices === 1 ? 'vipservice' : `vipservice-${i + 1}`;
    commands.push(service('vipservice', label, { SERVER_PORT: String(firstVipPort + i) }));
  }
  // The landscape page (8080): finds the others by their announcements. LANDSCAPE_PORT moves it.
  commands.push(
    service(
      'landscape',
      'landscape',
      process.env.LANDSCAPE_PORT ? { SERVER_PORT: process.env.LANDSCAPE_PORT } : {},
    ),
  );

  const { result } = concurrently(commands, {
    prefix: 'name',
    padPrefix: true,
    prefixColors: ['blue', 'green', 'magenta', 'cyan', 'yellow'],
    // A service that dies takes the landscape down with it: a half-running landscape misleads.
    killOthersOn: ['failure'],
    killSignal: 'SIGTERM',
    killTimeout: 15_000,
  });
  try {
    await result;
    process.exitCode = 0;
  } catch {
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
