/**
 * RocketMQ 5's controller request and response codes (remoting RequestCode /
 * ResponseCode), the ones this controller speaks. Headers travel as extFields, the
 * replica and sync-state data as JSON bodies (replica-state.ts).
 *
 *   BROKER_HEARTBEAT(904)                 broker → controller, every controllerHeartbeatMs:
 *                                         registers it too, answers the group's replica info
 *                                         and the master's lease
 *   CONTROLLER_ALTER_SYNC_STATE_SET(1001) master → controller: a new in-sync set, fenced by
 *                                         the master epoch and the sync-state-set epoch
 *   CONTROLLER_ELECT_MASTER(1002)         admin: elect now (optionally a given broker id)
 *   CONTROLLER_REGISTER_BROKER(1003)      broker → controller: as a heartbeat
 *   CONTROLLER_GET_REPLICA_INFO(1004)     the group's replica info
 *   CONTROLLER_GET_SYNC_STATE_DATA(1006)  every group's state (admin, tests)
 */
export const ControllerRequestCode = {
  BROKER_HEARTBEAT: 904,
  CONTROLLER_ALTER_SYNC_STATE_SET: 1001,
  CONTROLLER_ELECT_MASTER: 1002,
  CONTROLLER_REGISTER_BROKER: 1003,
  CONTROLLER_GET_REPLICA_INFO: 1004,
  CONTROLLER_GET_METADATA_INFO: 1005,
  CONTROLLER_GET_SYNC_STATE_DATA: 1006,
} as const;

export const ControllerResponseCode = {
  CONTROLLER_FENCED_MASTER_EPOCH: 2000,
  CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH: 2001,
  CONTROLLER_INVALID_MASTER: 2002,
  CONTROLLER_INVALID_REPLICAS: 2003,
  CONTROLLER_MASTER_NOT_AVAILABLE: 2004,
  CONTROLLER_INVALID_REQUEST: 2005,
  CONTROLLER_BROKER_NOT_ALIVE: 2006,
  CONTROLLER_BROKER_METADATA_NOT_EXIST: 2008,
  CONTROLLER_ELECT_MASTER_FAILED: 2012,
} as const;
