/**
 * The embedded kernel: one Broker in this process and a KernelClient bound to it
 * through EmbeddedBrokerApi. runtime/ uses it for the single-process default.
 */
import { Broker, type BrokerOptions } from './broker/broker.js';
import type { KernelClient } from './client/client-types.js';
import { EmbeddedBrokerApi } from './client/embedded-broker-api.js';
import { DefaultKernelClient } from './client/kernel-client.js';

export interface EmbeddedKernelOptions extends BrokerOptions {
  onError?: (err: unknown) => void;
}

export interface EmbeddedKernel {
  client: KernelClient;
  broker: Broker;
  close(): Promise<void>;
}

export async function openEmbeddedKernel(options: EmbeddedKernelOptions): Promise<EmbeddedKernel> {
  const broker = await Broker.open({ onServiceError: options.onError, ...options });
  const client = new DefaultKernelClient(new EmbeddedBrokerApi(broker), options.onError);
  return { client, broker, close: () => broker.close() };
}
