/**
 * The page end of the host channel. Each page load tags its messages with a
 * random page id and accepts only replies carrying it; the host keeps one RPC
 * endpoint per page (src/host/panel/pageChannel.ts; the envelope is in
 * src/protocol/webviewProtocol.ts), so a reply meant for an earlier load of the page never lands here.
 */
import type { RpcMessage, Transport } from '../src/protocol/rpc';
import { isPageEnvelope, PAGE_ENVELOPE_TAG, type PageEnvelope } from '../src/protocol/webviewProtocol';
import type { VsCodeApi } from './vscodeApi';

function newPageId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function hostTransport(api: VsCodeApi<unknown>, target: Window = window): Transport {
  const page = newPageId();
  return {
    send(message: RpcMessage) {
      const envelope: PageEnvelope = { tag: PAGE_ENVELOPE_TAG, page, message };
      api.postMessage(envelope);
    },
    listen(listener) {
      const onMessage = (event: MessageEvent): void => {
        const data: unknown = event.data;
        if (isPageEnvelope(data) && data.page === page) listener(data.message);
      };
      target.addEventListener('message', onMessage);
      return () => target.removeEventListener('message', onMessage);
    },
  };
}
