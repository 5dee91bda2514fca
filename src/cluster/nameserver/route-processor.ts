/**
 * The nameserver's request processors (RocketMQ's DefaultRequestProcessor and
 * ClientRequestProcessor) over a RouteTable:
 *
 *   REGISTER_BROKER(103)        header RegisterBrokerRequestHeader {brokerName, brokerAddr, clusterName,
 *                               haServerAddr, brokerId, heartbeatTimeoutMillis?, enableActingMaster?,
 *                               compressed, bodyCrc32}, body RegisterBrokerBody; answers
 *                               {haServerAddr, masterAddr} for slaves
 *   UNREGISTER_BROKER(104)      {clusterName, brokerAddr, brokerName, brokerId}
 *   GET_ROUTEINFO_BY_TOPIC(105) {topic} → TopicRouteData JSON, or TOPIC_NOT_EXIST
 *   GET_BROKER_CLUSTER_INFO(106) → ClusterInfo JSON
 *   QUERY_DATA_VERSION(322)     body DataVersion → {changed}, body our DataVersion of that broker
 *   BROKER_HEARTBEAT(904)       {clusterName, brokerAddr} refreshes liveness
 *   GET_ALL_TOPIC_LIST_FROM_NAMESERVER(206) → TopicList {"topicList":[...]}
 *   DELETE_TOPIC_IN_NAMESRV(216) {topic, clusterName?}
 */
import { createResponse, type RemotingCommand } from '../remoting/command.js';
import type { RemotingServer } from '../remoting/remoting-server.js';
import { RequestCode, ResponseCode } from '../remoting/request-codes.js';
import type { RequestContext } from '../remoting/request-dispatcher.js';
import { jsonBody, parseJsonObject } from '../protocol/fastjson.js';
import { HeaderFields } from '../protocol/header-fields.js';
import { bodyCrc32, decodeRegisterBrokerBody } from '../protocol/register-broker-body.js';
import {
  dataVersionJson, encodeClusterInfo, encodeTopicRouteData, sameDataVersion, toDataVersion,
} from '../protocol/route-data.js';
import type { RouteTable } from './route-table.js';

export function registerRouteProcessors(server: RemotingServer, routes: RouteTable): void {
  server.register(RequestCode.REGISTER_BROKER, (req, ctx) => registerBroker(routes, req, ctx));
  server.register(RequestCode.UNREGISTER_BROKER, (req) => {
    const h = new HeaderFields(req.extFields);
    routes.unregisterBroker({ clusterName: h.str('clusterName'), brokerAddr: h.str('brokerAddr'), brokerName: h.str('brokerName'), brokerId: h.int('brokerId') });
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
  server.register(RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => {
    const topic = new HeaderFields(req.extFields).str('topic');
    const route = routes.pickupTopicRouteData(topic);
    if (!route) return createResponse(req, { code: ResponseCode.TOPIC_NOT_EXIST, remark: `No topic route info in name server for the topic: ${topic}` });
    return createResponse(req, { code: ResponseCode.SUCCESS, body: encodeTopicRouteData(route) });
  });
  server.register(RequestCode.GET_BROKER_CLUSTER_INFO, (req) =>
    createResponse(req, { code: ResponseCode.SUCCESS, body: encodeClusterInfo(routes.clusterInfo()) }));
  server.register(RequestCode.QUERY_DATA_VERSION, (req) => {
    const h = new HeaderFields(req.extFields);
    const clusterName = h.str('clusterName');
    const brokerAddr = h.str('brokerAddr');
    const theirs = toDataVersion(parseJsonObject(req.body, 'DataVersion'));
    const live = routes.liveInfo(clusterName, brokerAddr);
    const changed = !sameDataVersion(live?.dataVersion, theirs);
    routes.touch(clusterName, brokerAddr);
    return createResponse(req, {
      code: ResponseCode.SUCCESS,
      header: { changed },
      body: live ? jsonBody(dataVersionJson(live.dataVersion)) : undefined,
    });
  });
  server.register(RequestCode.BROKER_HEARTBEAT, (req) => {
    const h = new HeaderFields(req.extFields);
    routes.touch(h.str('clusterName'), h.str('brokerAddr'));
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
  server.register(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, (req) =>
    createResponse(req, { code: ResponseCode.SUCCESS, body: jsonBody({ topicList: routes.topics() }) }));
  server.register(RequestCode.DELETE_TOPIC_IN_NAMESRV, (req) => {
    const h = new HeaderFields(req.extFields);
    routes.deleteTopic(h.str('topic'), h.optStr('clusterName') || undefined);
    return createResponse(req, { code: ResponseCode.SUCCESS });
  });
}

function registerBroker(routes: RouteTable, req: RemotingCommand, ctx: RequestContext): RemotingCommand {
  const h = new HeaderFields(req.extFields);
  const crc = h.optInt('bodyCrc32') ?? 0;
  if (crc !== 0 && bodyCrc32(req.body ?? Buffer.alloc(0)) !== crc) {
    return createResponse(req, { code: ResponseCode.SYSTEM_ERROR, remark: 'crc32 not match' });
  }
  let body;
  try {
    body = decodeRegisterBrokerBody(req.body, { compressed: h.bool('compressed', false), version: req.version });
  } catch (err) {
    return createResponse(req, { code: ResponseCode.SYSTEM_ERROR, remark: `bad RegisterBrokerBody: ${(err as Error).message}` });
  }
  const result = routes.registerBroker({
    clusterName: h.str('clusterName'),
    brokerAddr: h.str('brokerAddr'),
    brokerName: h.str('brokerName'),
    brokerId: h.int('brokerId'),
    haServerAddr: h.str('haServerAddr'),
    zoneName: h.optStr('zoneName'),
    heartbeatTimeoutMillis: h.optInt('heartbeatTimeoutMillis'),
    enableActingMaster: h.optBool('enableActingMaster'),
    dataVersion: body.dataVersion,
    topicConfigTable: body.topicConfigTable,
    filterServerList: body.filterServerList,
    connectionId: ctx.connection.id,
  });
  if (!result) return createResponse(req, { code: ResponseCode.SYSTEM_ERROR, remark: 'register broker failed' });
  return createResponse(req, { code: ResponseCode.SUCCESS, header: { haServerAddr: result.haServerAddr, masterAddr: result.masterAddr } });
}
