import { InProcessNetwork, InProcessTransport } from '../../src/cluster/remoting/in-process-transport.js';
import { transportContract } from './transport.contract.js';

transportContract('in-process', () => ({
  // one network per transport, so a transport with a smaller frame limit gets its own
  make: (maxFrameBytes) => new InProcessTransport(new InProcessNetwork('in-process', maxFrameBytes)),
  deadAddress: async () => 'in-process:9999',
}));
