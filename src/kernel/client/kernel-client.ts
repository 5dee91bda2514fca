/** KernelClient: client factories bound to one BrokerApi, handed to every adapter. */
import type { BrokerApi, ConsumeFrom } from './broker-api.js';
import type {
  Admin, KernelClient, Producer, ProducerOptions, PullConsumer, PushConsumer, PushConsumerOptions, SimpleConsumer, SimpleConsumerOptions,
} from './client-types.js';
import { KernelAdmin } from './admin.js';
import { KernelProducer } from './producer.js';
import { KernelPullConsumer } from './pull-consumer.js';
import { KernelPushConsumer } from './push-consumer.js';
import { KernelSimpleConsumer } from './simple-consumer.js';

export class DefaultKernelClient implements KernelClient {
  readonly admin: Admin;

  constructor(readonly brokerApi: BrokerApi, private readonly onError: (err: unknown) => void = () => undefined) {
    this.admin = new KernelAdmin(brokerApi);
  }

  createProducer(options?: ProducerOptions): Producer {
    return new KernelProducer(this.brokerApi, options, this.onError);
  }

  createPushConsumer(options: PushConsumerOptions): PushConsumer {
    return new KernelPushConsumer(this.brokerApi, options, this.onError);
  }

  createPullConsumer(options: { group: string; clientId?: string; consumeFrom?: ConsumeFrom }): PullConsumer {
    return new KernelPullConsumer(this.brokerApi, options);
  }

  createSimpleConsumer(options: SimpleConsumerOptions): SimpleConsumer {
    return new KernelSimpleConsumer(this.brokerApi, options);
  }
}
