// The capturing logger lives in @goblog/testkit, written once for every package's tests.
export { captureLogger } from '@goblog/testkit';
export type { LogLine } from '@goblog/testkit';
