/** What the panel needs from the engine, so panel logic can be tested with a fake engine. */
import type { RpcEndpoint } from '../protocol/rpc';
import type { BackendInfo } from '../protocol/engineProtocol';

export interface EngineHandle {
  rpc: Pick<RpcEndpoint, 'call'>;
  info: BackendInfo;
  /** Increases on every (re)start: state the engine holds must be re-sent to a new generation. */
  generation: number;
}

export interface EngineSource {
  /** The running, initialised engine; starts one when there is none. */
  acquire(): Promise<EngineHandle>;
}
