/**
 * The network listeners: MQTT over TCP (default 1883) and over WebSocket (default
 * 8083, subprotocol `mqtt`, any path), each optionally TLS. Each accepted socket
 * becomes a Connection; one bad client never affects the listener.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { ListenerAddress } from '../adapter.js';
import type { MqttAdapterConfig } from './config.js';
import { Connection } from './connection.js';
import type { MqttGateway } from './gateway.js';

export class Listeners {
  private tcp: NetServer | undefined;
  private http: HttpServer | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<Duplex>();
  private readonly bound: ListenerAddress[] = [];

  constructor(private readonly gateway: MqttGateway, private readonly config: MqttAdapterConfig) {}

  addresses(): ListenerAddress[] {
    return [...this.bound];
  }

  async start(): Promise<void> {
    const { tls, host } = this.config;
    const onSocket = (socket: Socket): void => {
      socket.setNoDelay(true);
      this.track(socket);
      new Connection(this.gateway, socket, `${socket.remoteAddress}:${socket.remotePort}`, 'tcp');
    };
    this.tcp = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, onSocket) : createNetServer(onSocket);
    this.tcp.on('error', (err) => this.gateway.logger.error({ err }, 'mqtt listener error'));
    const port = await listen(this.tcp, host, this.config.port);
    this.bound.push({ name: 'mqtt', host, port, url: `${tls ? 'mqtts' : 'mqtt'}://${urlHost(host)}:${port}` });

    if (this.config.wsPort === null || this.config.wsPort === undefined) return;
    this.http = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }) : createHttpServer();
    this.http.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect with the "mqtt" subprotocol\n');
    });
    // [MQTT-6.0.0-4] the server selects the "mqtt" subprotocol (v3.1 clients may ask for "mqttv3.1")
    this.wss = new WebSocketServer({
      server: this.http,
      maxPayload: this.config.maxPacketSize + 16,
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    });
    this.wss.on('connection', (ws, req) => {
      req.socket.setNoDelay(true);
      const stream = createWebSocketStream(ws);
      this.track(stream);
      new Connection(this.gateway, stream, `${req.socket.remoteAddress}:${req.socket.remotePort}`, 'ws');
    });
    this.wss.on('error', (err) => this.gateway.logger.error({ err }, 'mqtt websocket listener error'));
    const wsPort = await listen(this.http, host, this.config.wsPort);
    this.bound.push({ name: 'mqtt-ws', host, port: wsPort, url: `${tls ? 'wss' : 'ws'}://${urlHost(host)}:${wsPort}/mqtt` });
  }

  /** stops accepting at once; the promise settles when every connection is gone (the gateway closes them) */
  stopAccepting(): Promise<void> {
    return Promise.all([close(this.tcp), this.wss ? new Promise<void>((r) => this.wss!.close(() => r())) : undefined, close(this.http)]).then(() => undefined);
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }
}

function listen(server: NetServer | HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: NetServer | HttpServer | undefined): Promise<void> {
  if (!server || !server.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
