// A broker user of the scenario's own, with a password nobody else uses, so a leak of it in a log line is
// unambiguous (guest/guest would be: the user name is the password). Deleted afterwards.
import { randomBytes } from 'node:crypto';
import { BROKER_VHOST, rabbitmqctl } from './broker.js';

export interface BrokerUser {
  readonly name: string;
  readonly password: string;
  /** amqp://name:password@127.0.0.1:5672/<the suite's vhost> */
  readonly url: string;
}

export async function createBrokerUser(): Promise<BrokerUser> {
  const name = `goblog-reliability-${randomBytes(4).toString('hex')}`;
  const password = `brokerpw-${randomBytes(12).toString('hex')}`;
  await rabbitmqctl('add_user', name, password);
  await rabbitmqctl('set_permissions', '-p', BROKER_VHOST, name, '.*', '.*', '.*');
  const vhost = BROKER_VHOST === '/' ? '' : encodeURIComponent(BROKER_VHOST);
  return { name, password, url: `amqp://${name}:${password}@127.0.0.1:5672/${vhost}` };
}

export async function deleteBrokerUser(name: string): Promise<void> {
  await rabbitmqctl('delete_user', name);
}

/** Closes every connection of `user` (and only those), as a network failure would; resolves with how many. */
export async function closeConnectionsOf(user: string): Promise<number> {
  // close_connection takes the connection's pid, not its display name.
  const out = await rabbitmqctl('list_connections', 'pid', 'user', '--quiet', '--no-table-headers');
  const pids = out
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([, u]) => u?.trim() === user)
    .map(([pid]) => pid?.trim() ?? '');
  for (const pid of pids) await rabbitmqctl('close_connection', pid, 'goblog reliability suite');
  return pids.length;
}
