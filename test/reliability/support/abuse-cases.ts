// The malformed requests of scenario 7, per service: bad ids, huge paths, bad methods, bad headers,
// truncated and malformed bodies, broken request lines. None of them may get a 5xx or hurt the service.
import { request, type RawCase } from './raw-http.ts';

export interface Surface {
  /** Paths with an id in them, `{id}` marking where. */
  readonly idPaths: readonly string[];
  /** Paths that take a POST body. */
  readonly posts: readonly string[];
  /** Other paths to abuse (health, metrics, a valid resource). */
  readonly gets: readonly string[];
}

// Built around 10001, not the VIP account 10000: a variant the service reads as a valid id (a query string,
// say) would be a real VIP read that the load generator does not count.
const BAD_IDS = [
  'abc',
  '-1',
  '1.5',
  '1e5',
  '0x2710',
  '%00',
  '%2e%2e',
  '..',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%',
  '%zz',
  '%C0%AF',
  '%FF%FE',
  '%E2%82%AC',
  '%F0%9F%92%A9',
  '9'.repeat(21),
  '9'.repeat(600),
  '1'.repeat(5000),
  '10001%20OR%201=1',
  "10001'--",
  '%3Cscript%3E',
  '10001/extra/segments',
  '10001?x=%&y=%zz',
  '10001;jsessionid=1',
  '%20',
  '+',
  '~',
  '10001%0d%0aX-Injected:%201',
  '__proto__',
  'constructor',
];

const BAD_METHODS = [
  'FOO',
  'PATCH',
  'DELETE',
  'PUT',
  'TRACE',
  'PROPFIND',
  'get',
  'MKCOL',
  'OPTIONS',
  'CONNECT',
];

/** Every case for one service; the same list runs in each round. */
export function abuseCases(surface: Surface): RawCase[] {
  const cases: RawCase[] = [];
  // A case that half-closes (`end`) is a client giving up mid-request: the server may just close.
  const add = (name: string, payload: Buffer, end = false): void => {
    cases.push({ name, payload, end, mayGoUnanswered: end });
  };
  const anyPath = surface.gets[0] ?? '/health';

  for (const template of surface.idPaths) {
    for (const id of BAD_IDS)
      add(`bad id ${template} ${id.slice(0, 40)}`, request('GET', template.replace('{id}', id)));
    // Raw bytes no client should send in a path: NUL, control characters, raw UTF-8, a space.
    for (const raw of ['\u0000', '\u0007', '\u00ff\u00fe', 'a b', '\t']) {
      add(
        `raw byte in ${template}`,
        Buffer.from(`GET ${template.replace('{id}', raw)} HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1'),
      );
    }
  }

  for (const size of [2048, 8 * 1024, 20 * 1024, 100 * 1024]) {
    add(`huge path ${size}`, request('GET', `/${'a'.repeat(size)}`));
    add(`huge nested path ${size}`, request('GET', `${anyPath}/${'x/'.repeat(size / 2)}`));
  }
  add('huge query', request('GET', `${anyPath}?${'q=1&'.repeat(3000)}`));

  for (const path of [...surface.gets, ...surface.posts]) {
    for (const method of BAD_METHODS) {
      const name = `bad method ${method} ${path}`;
      const payload = request(method, path, ['Content-Length: 0']);
      // Node's HTTP server closes a CONNECT (a tunnel request) at once when nobody listens for it: no
      // answer, but no hang either (the check below tells a close from a timeout).
      if (method === 'CONNECT') cases.push({ name, payload, mayGoUnanswered: true });
      else add(name, payload);
    }
    add(`method with body ${path}`, request('DELETE', path, ['Content-Length: 5'], 'xxxxx'));
  }
  add('invalid method token', Buffer.from(`G(E)T ${anyPath} HTTP/1.1\r\nHost: x\r\n\r\n`));

  const headerCases: [string, string[]][] = [
    ['content-length not a number', ['Content-Length: abc']],
    ['negative content-length', ['Content-Length: -1']],
    ['two content-lengths', ['Content-Length: 1', 'Content-Length: 2']],
    ['chunked and content-length', ['Transfer-Encoding: chunked', 'Content-Length: 3']],
    ['unknown transfer-encoding', ['Transfer-Encoding: gzip, rot13']],
    ['header without colon', ['This is not a header']],
    ['header name with spaces', ['Bad Name: x']],
    ['header with NUL', ['X-Bad: a\u0000b']],
    ['header with bare CR', ['X-Bad: a\rb']],
    ['huge header', [`X-Huge: ${'h'.repeat(20 * 1024)}`]],
    ['many headers', Array.from({ length: 300 }, (_, i) => `X-H${i}: ${i}`)],
    ['garbage content-type', ['Content-Type: ;;;/=']],
    ['bogus charset', ['Content-Type: application/json; charset=klingon']],
    ['garbage accept', ['Accept: */*;q=banana']],
    ['garbage authorization', ['Authorization: Basic !!!not-base64!!!']],
    ['authorization without scheme', ['Authorization: ']],
    ['huge authorization', [`Authorization: Basic ${'QUFB'.repeat(2000)}`]],
    ['expect continue without body', ['Expect: 100-continue', 'Content-Length: 10']],
    ['unknown expectation', ['Expect: teapot']],
    ['bad range', ['Range: bytes=9-1']],
    ['obsolete line folding', ['X-Folded: a', ' b']],
    ['invalid upgrade', ['Upgrade: h2c', 'Connection: Upgrade, HTTP2-Settings', 'HTTP2-Settings: !!']],
  ];
  for (const path of [...surface.gets, ...surface.posts]) {
    for (const [name, headers] of headerCases) add(`${name} ${path}`, request('GET', path, headers));
  }
  add('no host header', Buffer.from(`GET ${anyPath} HTTP/1.1\r\n\r\n`));
  add('two host headers', Buffer.from(`GET ${anyPath} HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`));
  add('http/9.9', Buffer.from(`GET ${anyPath} HTTP/9.9\r\nHost: x\r\n\r\n`));
  add('http/0.9', Buffer.from(`GET ${anyPath}\r\n\r\n`));
  add(
    'tls client hello on plain http',
    Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
  );
  add('line feeds only', Buffer.from(`GET ${anyPath} HTTP/1.1\nHost: x\n\n`));
  add('empty lines then request', Buffer.from(`\r\n\r\n\r\nGET ${anyPath} HTTP/1.1\r\nHost: x\r\n\r\n`));
  add('binary noise', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)));

  for (const path of surface.posts) {
    const json = ['Content-Type: application/json'];
    add(
      `truncated body ${path}`,
      Buffer.concat([request('POST', path, [...json, 'Content-Length: 100']), Buffer.from('{"a":')]),
      true,
    );
    add(
      `truncated chunked body ${path}`,
      request('POST', path, [...json, 'Transfer-Encoding: chunked'], '5\r\n{"a"'),
      true,
    );
    add(
      `bad chunk size ${path}`,
      request('POST', path, [...json, 'Transfer-Encoding: chunked'], 'zz\r\nabc\r\n0\r\n\r\n'),
    );
    add(`malformed json ${path}`, request('POST', path, [...json, 'Content-Length: 9'], '{"a": [1,'));
    add(
      `json bomb depth ${path}`,
      request('POST', path, [...json, 'Content-Length: 20000'], '['.repeat(10000) + ']'.repeat(10000)),
    );
    add(`wrong json types ${path}`, request('POST', path, [...json, 'Content-Length: 4'], 'null'));
    add(
      `body over the limit ${path}`,
      request('POST', path, [...json, `Content-Length: ${2 * 1024 * 1024}`], 'x'.repeat(2 * 1024 * 1024)),
    );
    add(
      `lying content-length ${path}`,
      request('POST', path, ['Content-Type: text/plain', 'Content-Length: 3'], 'abcdefghij'),
    );
    add(
      `form garbage ${path}`,
      request(
        'POST',
        path,
        ['Content-Type: application/x-www-form-urlencoded', 'Content-Length: 7'],
        '%%%=&=&',
      ),
    );
    add(
      `binary body ${path}`,
      request(
        'POST',
        path,
        ['Content-Type: application/octet-stream', 'Content-Length: 4'],
        Buffer.from([0, 255, 1, 254]),
      ),
    );
    add(
      `unknown content-type ${path}`,
      request('POST', path, ['Content-Type: image/png', 'Content-Length: 4'], 'abcd'),
    );
  }
  // Truncated request heads: the client gives up in the middle of the request line or the headers.
  add('truncated request line', Buffer.from(`GET ${anyPath} HT`), true);
  add('truncated headers', Buffer.from(`GET ${anyPath} HTTP/1.1\r\nHost: x\r\nX-Half: ab`), true);
  return cases;
}
