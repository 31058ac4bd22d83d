// The accountservice's http-account and http-vip scenarios alone, as `npm run bench -- --only http` runs them
// but with a choice of duration and connections. After `npm run build`:
//   node --import tsx bench/accountservice.ts [durationSec=5] [connections=50]
import { benchHttp } from './scenarios/http.ts';
import { printTable } from './lib/report.ts';

const durationSec = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 50);
printTable(await benchHttp({ rounds: 3, durationSec, connections }));
