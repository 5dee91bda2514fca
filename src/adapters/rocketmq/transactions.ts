/**
 * Transactional messages over RocketMQ 5 gRPC.
 *
 * RocketMQ 5 producers have no producer group, so a topic's transactions belong to the
 * producer group `transactionGroup(topic)`: the half message is stored under it, and
 * EndTransaction (from the producer, or its answer to a check) resolves it there.
 *
 * Check-back (the proxy's TransactionService): while a producer that publishes a topic
 * holds a telemetry stream to this node, a relay long-polls the kernel for that group's
 * unresolved transactions and writes each as a RecoverOrphanedTransactionCommand to one
 * of those producers, in turn. The producer's checker answers with an EndTransaction of
 * source SOURCE_SERVER_CHECK. With no producer to ask, the relay stops polling, and the
 * kernel keeps counting checks until it rolls the transaction back.
 */
import type { BrokerApi, TransactionCheck } from '../../kernel/index.js';
import type { ClientRegistry } from './clients.js';
import type { GrpcMessage } from './proto.js';

export const TRANSACTION_GROUP_PREFIX = 'rocketmq-tx@';

export function transactionGroup(topic: string): string {
  return `${TRANSACTION_GROUP_PREFIX}${topic}`;
}

export interface TransactionRelayOptions {
  brokerApi: BrokerApi;
  clients: ClientRegistry;
  /** kernel client id of the relay's polls */
  clientId: string;
  pollMs: number;
  toGrpc: (check: TransactionCheck) => GrpcMessage;
  onError: (err: unknown) => void;
}

export class TransactionCheckRelay {
  private readonly polling = new Set<string>();
  private closed = false;
  /** checks written to producers, for stats */
  relayed = 0;

  constructor(private readonly o: TransactionRelayOptions) {}

  /** makes sure the topic's checks are polled while one of its producers is connected */
  watch(topic: string): void {
    if (this.closed || this.polling.has(topic) || !this.o.clients.hasProducerFor(topic)) return;
    this.polling.add(topic);
    void this.poll(topic).finally(() => this.polling.delete(topic));
  }

  close(): void {
    this.closed = true;
  }

  private async poll(topic: string): Promise<void> {
    const producerGroup = transactionGroup(topic);
    while (!this.closed && this.o.clients.hasProducerFor(topic)) {
      let checks: TransactionCheck[];
      try {
        checks = await this.o.brokerApi.pollTransactionChecks({ producerGroup, clientId: this.o.clientId, waitMs: this.o.pollMs });
      } catch (err) {
        if (this.closed) return;
        this.o.onError(err);
        await new Promise((r) => setTimeout(r, 1_000).unref());
        continue;
      }
      for (const check of checks) {
        if (this.closed) return;
        const producer = this.o.clients.producerFor(topic);
        // nobody to ask now: the kernel checks again after its timeout
        if (!producer) break;
        producer.write({
          status: { code: 'OK', message: 'OK' },
          recoverOrphanedTransactionCommand: { message: this.o.toGrpc(check), transactionId: check.transactionId },
        });
        this.relayed++;
      }
    }
  }
}
