/**
 * The liveness ping the host sends the engine. Defined here until the protocol
 * owner moves it into src/protocol/engineProtocol.ts; the engine answers it
 * from its main loop, so a reply proves the event loop is turning.
 */
import { defineRequest } from '../../protocol/rpc';

export const HeartbeatRequest = defineRequest<Record<string, never>, void>('engine/heartbeat', 5_000);
