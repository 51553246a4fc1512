/**
 * The page end of the host channel. Each page load tags its messages with a
 * random page id and accepts only replies carrying it; the host keeps one RPC
 * endpoint per page (see src/host/panel/pageChannel.ts, whose envelope this
 * mirrors), so a reply meant for an earlier load of the page never lands here.
 */
import type { RpcMessage, Transport } from '../src/protocol/rpc';
import type { VsCodeApi } from './vscodeApi';

const ENVELOPE_TAG = 'modelDebugger/v1';

function newPageId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function hostTransport(api: VsCodeApi<unknown>, target: Window = window): Transport {
  const page = newPageId();
  return {
    send(message: RpcMessage) {
      api.postMessage({ tag: ENVELOPE_TAG, page, message });
    },
    listen(listener) {
      const onMessage = (event: MessageEvent): void => {
        const data: unknown = event.data;
        if (typeof data !== 'object' || data === null) return;
        const envelope = data as { tag?: unknown; page?: unknown; message?: unknown };
        if (envelope.tag === ENVELOPE_TAG && envelope.page === page) listener(envelope.message);
      };
      target.addEventListener('message', onMessage);
      return () => target.removeEventListener('message', onMessage);
    },
  };
}
