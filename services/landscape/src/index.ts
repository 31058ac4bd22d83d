// The landscape's public face, for tests.
export { landscape } from './compose.js';
export type { LandscapeOpened, LandscapeOptions } from './compose.js';
export { DEFAULTS, LandscapeConfigSchema, RESTART_KEYS, SERVICE_NAME } from './config.js';
export type { LandscapeConfig } from './config.js';
export { asyncApiDocument, plainSchema } from './asyncapi/document.js';
export type { LandscapeSnapshot } from './collector.js';
export type { QueueView } from './broker/queues.js';
export type { InstanceView } from './discovery/instances.js';
export type { DeadLetterView } from './dead-letters/message-view.js';
export { REPLAY_COUNT_HEADER } from './dead-letters/message-view.js';
export type { DeadLetterListing } from './dead-letters/dead-letter-queues.js';
export { MAX_SCAN } from './dead-letters/dead-letter-queues.js';
export { ASSETS_DIR } from './http/assets.js';
