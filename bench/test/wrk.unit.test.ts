import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrk } from '../lib/wrk.ts';
import { ratioChart } from '../lib/chart.ts';

// What wrk 4.1 (Debian) printed for `wrk -t1 -c4 -d1s --latency`, with two lines of the 404 run added.
const REPORT = `Running 1s test @ http://127.0.0.1:17768/accounts/10001
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   801.59us    2.24ms  28.35ms   94.01%
    Req/Sec    18.35k    10.15k   31.47k    54.55%
  Latency Distribution
     50%  156.00us
     75%  321.00us
     90%    1.89ms
     99%   11.94ms
  20101 requests in 1.10s, 4.79MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 6873
Requests/sec:  18322.59
Transfer/sec:      4.37MB
`;

void describe('the wrk report', () => {
  void it('gives requests, rate, non-2xx, socket errors and the median and p99 in milliseconds', () => {
    assert.deepEqual(parseWrk(REPORT, 0.42), {
      requests: 20101,
      non2xx: 6873,
      socketErrors: 3,
      requestsPerSecond: 18322.59,
      p50Ms: 0.156,
      p99Ms: 11.94,
      cpuSeconds: 0.42,
    });
  });

  void it('is refused when it is not one, so a failed run never becomes a figure', () => {
    assert.throws(
      () => parseWrk('unable to connect to 127.0.0.1:1 Connection refused', 0),
      /wrk printed no result/,
    );
  });
});

void it('the chart draws one bar per row with a baseline, coloured by its target', () => {
  const svg = ratioChart(
    [
      { scenario: 'met', unit: 'req/s', ours: 95, baseline: 100, target: 0.9 },
      { scenario: 'missed <&>', unit: 'req/s', ours: 50, baseline: 100, target: 0.9 },
      { scenario: 'no baseline', unit: 'MiB', ours: 80 },
    ],
    'test',
  );
  assert.match(svg, /^<svg /);
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 2);
  assert.match(svg, /missed &lt;&amp;&gt;/);
  assert.match(svg, /fill="#2f9e44"/);
  assert.match(svg, /fill="#f59f00"/);
  assert.doesNotMatch(svg, /no baseline/);
});
