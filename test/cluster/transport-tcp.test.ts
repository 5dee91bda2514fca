import net from 'node:net';
import { TcpTransport } from '../../src/cluster/remoting/tcp-transport.js';
import { transportContract } from './transport.contract.js';

/** a port that was free a moment ago: bind to port 0, note the port, release it */
function freshlyFreedAddress(): Promise<string> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
}

transportContract('TCP', () => ({
  make: (maxFrameBytes) => new TcpTransport({ maxFrameBytes }),
  deadAddress: freshlyFreedAddress,
}));
