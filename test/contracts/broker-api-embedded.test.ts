/** The BrokerApi contract against the embedded implementation (one Broker in this process). */
import { EmbeddedBrokerApi } from '../../src/kernel/client/embedded-broker-api.js';
import { FAST_BROKER } from '../cluster/helpers/cluster-fixture.js';
import { startTestKernel } from '../helpers/kernel.js';
import { brokerApiContract } from './broker-api.contract.js';

brokerApiContract('EmbeddedBrokerApi', async () => {
  const k = await startTestKernel({ ...FAST_BROKER });
  return { api: new EmbeddedBrokerApi(k.kernel.broker), close: () => k.cleanup() };
});
