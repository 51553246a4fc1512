/**
 * A small typed request/response layer shared by both message channels
 * (host <-> engine over Node IPC, host <-> webview over postMessage).
 *
 * Every request carries an id, has a timeout, can be cancelled by the sender,
 * and is answered by exactly one `response` or `error`. Progress and
 * notifications are fire-and-forget. The transport decides how payloads are
 * serialised: the engine channel uses Node's `advanced` serialisation so that
 * typed arrays cross as binary, the webview channel uses structured clone.
 *
 * This module must stay free of Node and DOM APIs: the webview bundles it.
 */

export interface RequestDescriptor<P, R> {
  readonly method: string;
  /** Milliseconds before the caller gives up and the callee is told to cancel. */
  readonly timeoutMs: number;
  /** Phantom fields: carry the parameter and result types; never set at runtime. */
  readonly __params?: P;
  readonly __result?: R;
}

export interface NotificationDescriptor<P> {
  readonly method: string;
  readonly __params?: P;
}

export function defineRequest<P, R>(method: string, timeoutMs: number): RequestDescriptor<P, R> {
  return { method, timeoutMs };
}

export function defineNotification<P>(method: string): NotificationDescriptor<P> {
  return { method };
}

export type ParamsOf<D> = D extends RequestDescriptor<infer P, unknown> ? P : D extends NotificationDescriptor<infer P> ? P : never;
export type ResultOf<D> = D extends RequestDescriptor<unknown, infer R> ? R : never;

export interface Progress {
  message: string;
  /** 0..1 when known. */
  fraction?: number;
  /** Estimated seconds left, once the work has run long enough to estimate. */
  etaSeconds?: number;
}

export type ErrorCode = 'cancelled' | 'timeout' | 'invalidParams' | 'badInput' | 'methodNotFound' | 'internal' | 'disconnected';

export interface RpcErrorPayload {
  code: ErrorCode;
  message: string;
  /** The file a bad-input error is about, when there is one. */
  file?: string;
}

export type RpcMessage =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: RpcErrorPayload }
  | { kind: 'progress'; id: number; progress: Progress }
  | { kind: 'cancel'; id: number }
  | { kind: 'notification'; method: string; params: unknown };

export class RpcError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  toPayload(): RpcErrorPayload {
    return this.file === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, file: this.file };
  }
}

/** Minimal shape-check of an untrusted message; anything else is dropped. */
export function isRpcMessage(value: unknown): value is RpcMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.kind) {
    case 'request':
      return Number.isSafeInteger(m.id) && typeof m.method === 'string';
    case 'response':
      return Number.isSafeInteger(m.id);
    case 'error':
      return Number.isSafeInteger(m.id) && typeof m.error === 'object' && m.error !== null;
    case 'progress':
      return Number.isSafeInteger(m.id) && typeof m.progress === 'object' && m.progress !== null;
    case 'cancel':
      return Number.isSafeInteger(m.id);
    case 'notification':
      return typeof m.method === 'string';
    default:
      return false;
  }
}

/** What the callee's handler receives besides the params. */
export interface RequestContext {
  readonly signal: AbortSignal;
  progress(progress: Progress): void;
}

export type RequestHandler<P, R> = (params: P, context: RequestContext) => Promise<R> | R;

export interface Transport {
  send(message: RpcMessage): void;
  /** Registers the single inbound listener; returns a function that removes it. */
  listen(listener: (message: unknown) => void): () => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Overrides the descriptor's timeout. */
  timeoutMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  onProgress?: (progress: Progress) => void;
  cleanup(): void;
}

/** One end of a channel: it can both call and serve. */
export class RpcEndpoint {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, RequestHandler<unknown, unknown>>();
  private readonly notificationHandlers = new Map<string, (params: unknown) => void>();
  private readonly running = new Map<number, AbortController>();
  private readonly unlisten: () => void;
  private closed = false;

  constructor(private readonly transport: Transport) {
    this.unlisten = transport.listen((message) => this.receive(message));
  }

  onRequest<P, R>(descriptor: RequestDescriptor<P, R>, handler: RequestHandler<P, R>): void {
    this.handlers.set(descriptor.method, handler as RequestHandler<unknown, unknown>);
  }

  onNotification<P>(descriptor: NotificationDescriptor<P>, handler: (params: P) => void): void {
    this.notificationHandlers.set(descriptor.method, handler as (params: unknown) => void);
  }

  notify<P>(descriptor: NotificationDescriptor<P>, params: P): void {
    if (!this.closed) this.transport.send({ kind: 'notification', method: descriptor.method, params });
  }

  call<P, R>(descriptor: RequestDescriptor<P, R>, params: P, options: CallOptions = {}): Promise<R> {
    if (this.closed) return Promise.reject(new RpcError('disconnected', 'The channel is closed.'));
    if (options.signal?.aborted) return Promise.reject(new RpcError('cancelled', `${descriptor.method} was cancelled.`));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? descriptor.timeoutMs;
    return new Promise<R>((resolve, reject) => {
      const onAbort = (): void => {
        this.sendCancel(id);
        settle.reject(new RpcError('cancelled', `${descriptor.method} was cancelled.`));
      };
      const timer = setTimeout(() => {
        this.sendCancel(id);
        settle.reject(new RpcError('timeout', `${descriptor.method} did not answer within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      const settle: Pending = {
        resolve: (value) => {
          settle.cleanup();
          resolve(value as R);
        },
        reject: (error) => {
          settle.cleanup();
          reject(error);
        },
        onProgress: options.onProgress,
        cleanup: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          this.pending.delete(id);
        },
      };
      this.pending.set(id, settle);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.transport.send({ kind: 'request', id, method: descriptor.method, params });
    });
  }

  /** Fails every outstanding call, aborts every running handler and stops listening. */
  close(reason = 'The channel closed.'): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    for (const pending of [...this.pending.values()]) pending.reject(new RpcError('disconnected', reason));
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  private sendCancel(id: number): void {
    if (!this.closed) this.transport.send({ kind: 'cancel', id });
  }

  private receive(raw: unknown): void {
    if (!isRpcMessage(raw)) return;
    switch (raw.kind) {
      case 'request':
        void this.serve(raw.id, raw.method, raw.params);
        return;
      case 'cancel':
        this.running.get(raw.id)?.abort();
        return;
      case 'response':
        this.pending.get(raw.id)?.resolve(raw.result);
        return;
      case 'error': {
        const e = raw.error;
        const code = typeof e.code === 'string' ? e.code : 'internal';
        const message = typeof e.message === 'string' ? e.message : 'Unknown error';
        this.pending.get(raw.id)?.reject(new RpcError(code, message, typeof e.file === 'string' ? e.file : undefined));
        return;
      }
      case 'progress':
        this.pending.get(raw.id)?.onProgress?.(raw.progress);
        return;
      case 'notification':
        this.notificationHandlers.get(raw.method)?.(raw.params);
        return;
    }
  }

  private async serve(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.handlers.get(method);
    if (!handler) {
      this.transport.send({ kind: 'error', id, error: { code: 'methodNotFound', message: `Unknown method ${method}.` } });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    const context: RequestContext = {
      signal: controller.signal,
      progress: (progress) => {
        if (!controller.signal.aborted && !this.closed) this.transport.send({ kind: 'progress', id, progress });
      },
    };
    try {
      const result = await handler(params, context);
      if (this.closed) return;
      if (controller.signal.aborted) {
        this.transport.send({ kind: 'error', id, error: { code: 'cancelled', message: `${method} was cancelled.` } });
      } else {
        this.transport.send({ kind: 'response', id, result });
      }
    } catch (error) {
      if (!this.closed) this.transport.send({ kind: 'error', id, error: toErrorPayload(error, controller.signal.aborted) });
    } finally {
      this.running.delete(id);
    }
  }
}

export function toErrorPayload(error: unknown, aborted = false): RpcErrorPayload {
  if (error instanceof RpcError) return error.toPayload();
  if (aborted) return { code: 'cancelled', message: 'The request was cancelled.' };
  const candidate = error as { name?: unknown; message?: unknown; file?: unknown };
  if (candidate && typeof candidate.file === 'string' && typeof candidate.message === 'string') {
    return { code: 'badInput', message: candidate.message, file: candidate.file };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}
