/**
 * The transport ceiling for the RocketMQ endpoint's benchmark: a bare grpc-js server of
 * the same MessagingService (.proto files of `rocketmq-client-nodejs`) whose SendMessage
 * answers OK at once, storing nothing. Endpoint figures divided by its figures (same
 * client, same run) show what the endpoint and the kernel add on top of gRPC itself.
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { SERVER_OPTIONS } from '../../src/adapters/rocketmq/index.js';
import { messagingServiceDefinition } from '../../src/adapters/rocketmq/proto.js';

interface SendRequest {
  messages: Array<{ systemProperties?: { messageId?: string } }>;
}

export interface EchoServer {
  endpoints: string;
  stop(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  // the endpoint's transport options, so the two differ only by what the endpoint does per call
  const server = new Server(SERVER_OPTIONS);
  server.addService(messagingServiceDefinition(), {
    SendMessage: (call: ServerUnaryCall<SendRequest, unknown>, callback: sendUnaryData<unknown>) => {
      const entries = call.request.messages.map((m) => ({
        status: { code: 'OK', message: 'OK' }, messageId: m.systemProperties?.messageId ?? '', transactionId: '', offset: 0,
      }));
      callback(null, { status: { code: 'OK', message: 'OK' }, entries });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return {
    endpoints: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
