/**
 * The host end of the webview channel. With `retainContextWhenHidden: false`
 * the page is rebuilt each time the panel is shown again, and the new page's
 * request ids start over; a reply meant for the old page must never reach the
 * new one. So every page load tags its messages with a random page id (the envelope is
 * defined in src/protocol/webviewProtocol.ts), and each page gets
 * its own RpcEndpoint here; the previous page's endpoint is closed.
 */
import { RpcEndpoint, type Transport } from '../../protocol/rpc';
import { isPageEnvelope, PAGE_ENVELOPE_TAG, type PageEnvelope } from '../../protocol/webviewProtocol';

/** The slice of vscode.Webview this needs, so it can be tested without VS Code. */
export interface WebviewLike {
  postMessage(message: unknown): Thenable<boolean> | Promise<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => void): { dispose(): void };
}

export class PageChannel {
  private endpoint: RpcEndpoint | undefined;
  private page: string | undefined;
  private deliver: ((message: unknown) => void) | undefined;
  private readonly retired = new Set<string>();
  private readonly subscription: { dispose(): void };

  /** `onPage` registers the request handlers on each new page's endpoint. */
  constructor(
    private readonly webview: WebviewLike,
    private readonly onPage: (endpoint: RpcEndpoint) => void,
  ) {
    this.subscription = webview.onDidReceiveMessage((raw) => this.receive(raw));
  }

  /** The current page's endpoint, once a page has spoken. */
  get current(): RpcEndpoint | undefined {
    return this.endpoint;
  }

  private receive(raw: unknown): void {
    if (!isPageEnvelope(raw) || this.retired.has(raw.page)) return;
    if (raw.page !== this.page) this.openPage(raw.page);
    this.deliver?.(raw.message);
  }

  private openPage(page: string): void {
    if (this.page !== undefined) this.retired.add(this.page);
    this.endpoint?.close('The panel page was reloaded.');
    this.page = page;
    this.deliver = undefined;
    const transport: Transport = {
      send: (message) => {
        const envelope: PageEnvelope = { tag: PAGE_ENVELOPE_TAG, page, message };
        // A closed or hidden webview rejects or returns false; the page will ask again when it comes back.
        void Promise.resolve(this.webview.postMessage(envelope)).catch(() => undefined);
      },
      listen: (listener) => {
        this.deliver = listener;
        return () => {
          if (this.deliver === listener) this.deliver = undefined;
        };
      },
    };
    this.endpoint = new RpcEndpoint(transport);
    this.onPage(this.endpoint);
  }

  dispose(): void {
    this.subscription.dispose();
    this.endpoint?.close('The panel was closed.');
    this.endpoint = undefined;
  }
}
