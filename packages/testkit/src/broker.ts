// The broker seen from outside, as a test observes and disturbs it: plain amqplib, never @goblog/messaging.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import type { Channel, ChannelModel } from 'amqplib';
import { announcementExchange } from '@goblog/contracts';

const run = promisify(execFile);

/**
 * The broker every test and bench run uses: AMQP_SERVER_URL, or the local RabbitMQ as guest; or, once a test
 * file called `useBroker`, the broker of that file's own (a live binding: read it when it is needed).
 */
export let BROKER_URL = process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/**
 * The virtual host of BROKER_URL ("/" when the URL names none), for the rabbitmqctl commands that take
 * `-p`: a test looks at, and disturbs, only its own vhost on a shared broker.
 */
export let BROKER_VHOST = vhostOf(BROKER_URL);

type Control = (...args: string[]) => Promise<string>;
let control: Control | undefined;

/**
 * Points every broker helper of this process at another broker from now on: BROKER_URL, BROKER_VHOST, the
 * helpers that connect, and `rabbitmqctl` (through `ctl`, which targets that broker's node). For a test file
 * that stops, starts or force-closes a broker of its own (startBrokerInstance) while other files run beside
 * it on the shared one. `useBroker()` with no arguments goes back to the shared broker.
 */
export function useBroker(target?: { readonly url: string; readonly ctl: Control }): void {
  BROKER_URL = target?.url ?? process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
  BROKER_VHOST = vhostOf(BROKER_URL);
  control = target?.ctl;
}

function vhostOf(url: string): string {
  const path = new URL(url).pathname;
  return path === '' || path === '/' ? '/' : decodeURIComponent(path.slice(1));
}

/** A name unique to this run (`<label>.<8 hex>`), usable in queue, exchange and folder names. */
export function uniqueName(label: string): string {
  return `${label}.${randomBytes(4).toString('hex')}`;
}

/** rabbitmqctl against BROKER_URL's node, with a bounded wait (60 s); throws with its stderr on failure. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  if (control !== undefined) return control(...args);
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

/** A plain amqplib connection to BROKER_URL and a channel on it; the caller closes the connection. */
export async function plainChannel(): Promise<{ connection: ChannelModel; channel: Channel }> {
  const connection = await connect(BROKER_URL);
  const channel = await connection.createChannel();
  return { connection, channel };
}

/** Number of ready messages in `queue` (a passive declare: exact), or undefined when it does not exist. */
export async function queueDepth(queue: string): Promise<number | undefined> {
  const { connection } = await plainChannel();
  try {
    const ch = await connection.createChannel();
    ch.on('error', () => undefined);
    const ok = await ch.checkQueue(queue).catch(() => undefined);
    return ok?.messageCount;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Deletes a work queue and its companions (`.retry`, `.dlq`); one that is not there is no error. */
export async function deleteQueues(queue: string): Promise<void> {
  await withEachChannel([queue, `${queue}.retry`, `${queue}.dlq`], (ch, q) => ch.deleteQueue(q));
}

/** Deletes an exchange (e.g. a test's config bus); one that is not there is no error. */
export async function deleteExchange(exchange: string): Promise<void> {
  await withEachChannel([exchange], (ch, name) => ch.deleteExchange(name));
}

/**
 * Deletes a test's config bus and the announcement exchange beside it (which every service declares when it
 * announces itself on that bus); what is not there is no error.
 */
export async function deleteBus(bus: string): Promise<void> {
  await withEachChannel([bus, announcementExchange(bus)], (ch, name) => ch.deleteExchange(name));
}

/** A channel per name: a failed operation closes its own channel, not the others'. Best effort. */
async function withEachChannel(
  names: readonly string[],
  operation: (channel: Channel, name: string) => Promise<unknown>,
): Promise<void> {
  const { connection } = await plainChannel();
  try {
    for (const name of names) {
      const ch = await connection.createChannel();
      ch.on('error', () => undefined);
      await operation(ch, name).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Makes the broker refuse (nack) every publish to `queue` from now on, through a policy (max-length 0,
 * reject-publish) on the suite's vhost, and resolves once the queue runs under it. Unlike queue arguments, a
 * policy can be lifted again on a live queue: the returned function does that (safe to call twice). It is
 * how a test keeps notifications in the accountservice's outbox, deterministically, at the moment it acts.
 */
export async function refusePublishesTo(queue: string): Promise<() => Promise<void>> {
  const name = `goblog-test-hold-${queue}`;
  const pattern = `^${queue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  await rabbitmqctl(
    'set_policy',
    '-p',
    BROKER_VHOST,
    '--apply-to',
    'queues',
    '--priority',
    '100',
    name,
    pattern,
    '{"max-length":0,"overflow":"reject-publish"}',
  );
  const applied = async (): Promise<boolean> => {
    const out = await rabbitmqctl(
      'list_queues',
      '-p',
      BROKER_VHOST,
      'name',
      'policy',
      '--quiet',
      '--no-table-headers',
    );
    return out.split('\n').some((line) => {
      const [q, policy] = line.trim().split(/\s+/);
      return q === queue && policy === name;
    });
  };
  const deadline = Date.now() + 30_000;
  // Policies are applied asynchronously; poll the broker's own view (a bounded wait on observable state).
  while (!(await applied())) {
    if (Date.now() > deadline) throw new Error(`policy ${name} not applied to ${queue} within 30 s`);
  }
  let lifted = false;
  return async () => {
    if (lifted) return;
    lifted = true;
    await rabbitmqctl('clear_policy', '-p', BROKER_VHOST, name);
  };
}
