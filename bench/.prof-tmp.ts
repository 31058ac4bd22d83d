import { benchEndToEnd } from './messaging.ts';
await benchEndToEnd({ messages: 40000, rounds: 2 });
