/** The liveness ping lives with the rest of the host <-> engine channel; re-exported for the lifecycle modules. */
export { HeartbeatRequest } from '../../protocol/engineProtocol';
