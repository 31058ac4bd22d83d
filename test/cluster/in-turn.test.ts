// The cluster's test files, one after another in one runner slot. Each takes the machine-wide lock on the
// local cluster (useCluster) because it kills nodes; run side by side, every file waiting for the lock held a
// runner slot while it waited. Imported here, they run in sequence in one process, in the order below, and
// the other files have the other slots. Each still runs alone too: node --test test/cluster/<file>.test.ts.
// The messaging package first, as in a service's main: its header decode guard must be evaluated before
// anything loads amqplib (the testkit does), or the files that check the guard see it missing.
import '@goblog/messaging';
import './landscape-failover.test.ts';
import './landscape-management.test.ts';
import './messaging-failover.test.ts';
import './poison-crash.test.ts';
import './migrate-queue.test.ts';
