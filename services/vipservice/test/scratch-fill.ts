import { publishNotifications } from './support/publish.js';
const q = process.argv[2] ?? '';
const n = Number(process.argv[3] ?? 20000);
for (let i = 0; i < n; i += 2000) await publishNotifications(q, Math.min(2000, n - i));
console.log('filled', q, n);
