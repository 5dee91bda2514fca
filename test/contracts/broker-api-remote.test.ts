/**
 * The BrokerApi contract against RemoteBrokerApi: a nameserver and two broker groups over
 * TCP on loopback, so every topic's queues are spread over both groups.
 */
import { startCluster } from '../cluster/helpers/cluster-fixture.js';
import { brokerApiContract } from './broker-api.contract.js';

brokerApiContract('RemoteBrokerApi (1 nameserver, 2 broker groups, TCP)', async () => {
  const cluster = await startCluster({ groups: [{ name: 'broker-a' }, { name: 'broker-b' }] });
  return { api: cluster.api, close: () => cluster.close() };
});
