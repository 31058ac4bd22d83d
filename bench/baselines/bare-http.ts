// The http-account baseline: a bare node:http server answering the accountservice's JSON from a Map.
// Run as its own process, like the service it is compared with: `node --import tsx bench/baselines/bare-http.ts <port>`.
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const accounts = new Map<string, string>();
for (let i = 0; i < 100; i++) {
  const id = String(10000 + i);
  accounts.set(id, JSON.stringify({ id, name: `Person_${i}`, servedBy: `127.0.0.1:${port}` }));
}

const server = createServer((req, res) => {
  const match = /^\/accounts\/(\d{1,20})$/.exec(req.url ?? '');
  const body = match?.[1] === undefined ? undefined : accounts.get(match[1]);
  if (req.method !== 'GET' || body === undefined) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
