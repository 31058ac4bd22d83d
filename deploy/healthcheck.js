// The container's health probe, in the role of the article's healthchecker: GET /health on this instance and
// exit 0 on 200, 1 on anything else (a 503, no answer in time, nothing listening). Docker reserves exit code 2.
// Plain JavaScript without imports because the runtime image has node but neither tsx nor curl nor wget.
//
// Usage: node deploy/healthcheck.js <port>. SERVER_PORT, when set, wins over <port> so that a service moved to
// another port keeps a working probe; HEALTHCHECK_TIMEOUT_MS bounds the request (default 3000).
/* global process, console, fetch, AbortSignal */

const port = process.env.SERVER_PORT || process.argv[2];
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 3000);

if (!port || !/^\d+$/.test(port)) {
  console.error(`healthcheck: no valid port (got '${port ?? ''}'); pass one or set SERVER_PORT`);
  process.exit(1);
}

fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) })
  .then(async (res) => {
    // Docker keeps the probe's output in `docker inspect`: the body says which check is DOWN.
    const body = (await res.text()).slice(0, 500);
    console.log(`healthcheck: ${res.status} ${body}`);
    process.exit(res.status === 200 ? 0 : 1);
  })
  .catch((err) => {
    console.error(
      `healthcheck: GET /health on port ${port} failed: ${err instanceof Error ? err.message : err}`,
    );
    process.exit(1);
  });
