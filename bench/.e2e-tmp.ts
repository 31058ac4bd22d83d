import { benchEndToEnd, benchPublish, report } from './messaging.ts';
const which = process.argv[2];
const r = which === 'pub' ? await benchPublish({ messages: 20000, rounds: 6 }) : await benchEndToEnd({ messages: 20000, rounds: 6 });
console.log(report([r]));
