import { networkInterfaces } from 'node:os';

/**
 * This instance's address as the article's `servedBy` shows it: the first non-internal IPv4 address (the
 * container's IP in a Swarm), with the port so that instances on one host can be told apart.
 */
export function instanceAddress(port: number): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return `${a.address}:${port}`;
    }
  }
  return `127.0.0.1:${port}`;
}
