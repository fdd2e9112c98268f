import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import type {
  LiteralWebSocketState,
  ProtocolWebSocketConnection,
  ProtocolWebSocketEvents,
  ProtocolWebSocketMessage,
} from '@onex/spi-types';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { WebSocketError } from '../errors/websocket-error.js';
import { publish } from '../internal/diagnostics.js';
import { reconnectDelay, type BackoffSettings } from './backoff.js';

/** Resolved settings of a {@link WebSocketConnection}. */
export interface WebSocketSettings {
  readonly headers: Readonly<Record<string, string>>;
  readonly protocols: readonly string[];
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly reconnect: BackoffSettings | undefined;
  /** Backoff for retrying the first connect; undefined: fail on the first error. */
  readonly initialConnectRetry: BackoffSettings | undefined;
  readonly maxQueuedMessages: number;
  readonly maxPayload: number;
  readonly handshakeTimeoutMs: number;
  readonly perMessageDeflate: boolean;
  readonly maxBufferedMessages: number;
  readonly random: () => number;
}

type State =
  | { readonly kind: 'open'; readonly socket: WebSocket }
  | { readonly kind: 'reconnecting'; readonly attempt: number; timer: NodeJS.Timeout | undefined; socket: WebSocket | undefined }
  | { readonly kind: 'closing'; readonly socket: WebSocket }
  | { readonly kind: 'closed'; readonly code: number; readonly reason: string };

interface QueuedSend {
  readonly data: string | Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Waiter {
  readonly resolve: (message: ProtocolWebSocketMessage) => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

type Listener = (...args: never[]) => void;

/** Socket errors worth another connect attempt: the peer is (still) down or unreachable, not refusing us. */
const RETRIABLE_NET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/** Close codes after which a reconnect is attempted (the peer went away or failed, not a refusal). */
const RECONNECT_CODES: ReadonlySet<number> = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014]);

/**
 * A message-oriented WebSocket on `ws`: awaited sends, buffered receives with backpressure, async
 * iteration, heartbeat, and automatic reconnect with jittered backoff and a bounded send queue.
 */
export class WebSocketConnection implements ProtocolWebSocketConnection {
  readonly url: string;
  readonly #settings: WebSocketSettings;
  #state: State;
  #protocol: string;
  #closeRequested = false;
  readonly #inbox: ProtocolWebSocketMessage[] = [];
  #inboxHead = 0;
  #paused = false;
  readonly #waiters: Waiter[] = [];
  readonly #queue: QueuedSend[] = [];
  readonly #listeners = new Map<keyof ProtocolWebSocketEvents, Set<Listener>>();
  #heartbeat: NodeJS.Timeout | undefined;
  /** Set while a heartbeat ping waits for its pong. */
  #pongDeadline: NodeJS.Timeout | undefined;
  /** The error that preceded the current close, kept as the `cause` of later `WS_CLOSED` errors. */
  #lastError: Error | undefined;
  #pingSeq = 0;
  readonly #pings = new Map<string, { resolve: (rtt: number) => void; reject: (e: Error) => void; start: number; timer: NodeJS.Timeout }>();
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;
  readonly #onFinalClose: (connection: WebSocketConnection) => void;

  private constructor(url: string, settings: WebSocketSettings, socket: WebSocket, onFinalClose: (c: WebSocketConnection) => void) {
    this.url = url;
    this.#settings = settings;
    this.#state = { kind: 'open', socket };
    this.#protocol = socket.protocol;
    this.#onFinalClose = onFinalClose;
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#attach(socket);
  }

  /**
   * Opens a connection and resolves once the handshake completed, retrying a failed first connect
   * with `initialConnectRetry` when set; aborting `signal` stops the retries (rejecting with its reason).
   * @throws WebSocketError `WS_CONNECT_FAILED` or `WS_HANDSHAKE_TIMEOUT` (with `details.attempts`)
   */
  static async connect(
    url: string,
    settings: WebSocketSettings,
    onFinalClose: (connection: WebSocketConnection) => void = () => undefined,
    signal?: AbortSignal,
  ): Promise<WebSocketConnection> {
    const retry = settings.initialConnectRetry;
    for (let attempt = 1; ; attempt += 1) {
      signal?.throwIfAborted();
      let connection: WebSocketConnection;
      try {
        // The connection is built inside the socket's 'open' event: frames that arrived in the same
        // segment as the 101 answer are parsed right after it, before an awaiting caller would resume.
        connection = await openSocket(url, settings, (socket) => new WebSocketConnection(url, settings, socket, onFinalClose));
      } catch (error) {
        signal?.throwIfAborted();
        if (retry === undefined || attempt > retry.maxAttempts || !isRetriable(error)) throw withAttempts(error, attempt);
        const delayMs = reconnectDelay(attempt, retry, settings.random);
        publish('ws-reconnect', { url, attempt, delayMs, initial: true });
        try {
          await sleep(delayMs, undefined, signal ? { signal } : {});
        } catch (sleepError) {
          signal?.throwIfAborted();
          throw sleepError;
        }
        continue;
      }
      if (signal?.aborted) {
        void connection.close(1001, 'client closed').catch(() => undefined);
        signal.throwIfAborted();
      }
      publish('ws-open', { url, protocol: connection.protocol, reconnect: false, ...(attempt > 1 ? { attempt } : {}) });
      return connection;
    }
  }

  /** Current state: `open`, `reconnecting`, `closing` or `closed`. */
  get state(): LiteralWebSocketState {
    return this.#state.kind;
  }

  /** Negotiated sub-protocol (`''` when none). */
  get protocol(): string {
    return this.#protocol;
  }

  /** Negotiated extensions, e.g. `permessage-deflate` (`''` when none). */
  get extensions(): string {
    const state = this.#state;
    return state.kind === 'open' || state.kind === 'closing' ? state.socket.extensions : '';
  }

  /** Sends held while reconnecting. */
  get queuedSends(): number {
    return this.#queue.length;
  }

  /**
   * Sends a text (string) or binary (bytes) message; resolves once written to the socket.
   * While reconnecting the send is queued (bounded by `maxQueuedMessages`).
   * @throws WebSocketError `WS_CLOSED` when closed, `WS_QUEUE_FULL` when the reconnect queue is full
   */
  send(data: string | Uint8Array): Promise<void> {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      return Promise.reject(new InvalidOptionError('data', 'must be a string or Uint8Array', data));
    }
    const state = this.#state;
    switch (state.kind) {
      case 'open':
        return this.#write(state.socket, data);
      case 'reconnecting':
        if (this.#queue.length >= this.#settings.maxQueuedMessages) {
          return Promise.reject(
            new WebSocketError(
              'WS_QUEUE_FULL',
              `send queue is full (${this.#settings.maxQueuedMessages} messages) while reconnecting to ${this.url}`,
              { details: { url: this.url, maxQueuedMessages: this.#settings.maxQueuedMessages } },
            ),
          );
        }
        return new Promise((resolve, reject) => this.#queue.push({ data, resolve, reject }));
      case 'closing':
      case 'closed':
        return Promise.reject(this.#closedError());
    }
  }

  /**
   * Resolves with the next message (buffered ones first).
   * @throws WebSocketError `WS_RECEIVE_TIMEOUT` after `timeoutMs`, `WS_CLOSED` once closed and drained
   */
  receive(options: { readonly timeoutMs?: number } = {}): Promise<ProtocolWebSocketMessage> {
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0) || !Number.isFinite(timeoutMs))) {
      return Promise.reject(new InvalidOptionError('timeoutMs', 'must be a non-negative finite number', timeoutMs));
    }
    if (this.#inboxHead < this.#inbox.length) return Promise.resolve(this.#shift());
    if (this.#state.kind === 'closed') return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(new WebSocketError('WS_RECEIVE_TIMEOUT', `no message from ${this.url} within ${timeoutMs} ms`, { details: { timeoutMs } }));
        }, timeoutMs);
      }
      this.#waiters.push(waiter);
    });
  }

  /**
   * Closes the connection (cancelling any reconnect) and resolves once closed.
   * @throws InvalidOptionError when `code` is not 1000 or 3000–4999
   */
  async close(code = 1000, reason = ''): Promise<void> {
    if (!(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
      throw new InvalidOptionError('code', 'must be 1000 or an integer in 3000..4999', code);
    }
    if (Buffer.byteLength(reason) > 123) throw new InvalidOptionError('reason', 'must be at most 123 bytes of UTF-8', reason);
    this.#closeRequested = true;
    const state = this.#state;
    switch (state.kind) {
      case 'closed':
        return;
      case 'closing':
        break;
      case 'reconnecting':
        clearTimeout(state.timer);
        state.socket?.terminate();
        this.#finish(code, reason);
        break;
      case 'open': {
        this.#state = { kind: 'closing', socket: state.socket };
        state.socket.close(code, reason);
        const guard = setTimeout(() => state.socket.terminate(), this.#settings.handshakeTimeoutMs);
        guard.unref();
        void this.#closed.then(() => clearTimeout(guard));
        break;
      }
    }
    await this.#closed;
  }

  /**
   * Sends a ping and resolves with the round-trip time in ms when its pong arrives.
   * @throws WebSocketError `WS_CLOSED` when not open, `WS_PING_TIMEOUT` when no pong arrives in time
   */
  ping(): Promise<number> {
    const state = this.#state;
    if (state.kind !== 'open') return Promise.reject(this.#closedError());
    const payload = `onex-${++this.#pingSeq}`;
    const timeoutMs = this.#settings.heartbeatTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pings.delete(payload);
        reject(new WebSocketError('WS_PING_TIMEOUT', `no pong from ${this.url} within ${timeoutMs} ms`, { details: { timeoutMs } }));
      }, timeoutMs);
      this.#pings.set(payload, { resolve, reject, start: performance.now(), timer });
      state.socket.ping(payload);
    });
  }

  /** Subscribes to `open`, `close`, `reconnect` or `error`. */
  on<E extends keyof ProtocolWebSocketEvents>(event: E, listener: ProtocolWebSocketEvents[E]): this {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener);
    return this;
  }

  /** Unsubscribes a listener. */
  off<E extends keyof ProtocolWebSocketEvents>(event: E, listener: ProtocolWebSocketEvents[E]): this {
    this.#listeners.get(event)?.delete(listener as Listener);
    return this;
  }

  /** Iterates over messages; ends after a normal close (1000/1001 or local `close()`), throws after an abnormal one. */
  [Symbol.asyncIterator](): AsyncIterator<ProtocolWebSocketMessage> {
    return {
      next: async () => {
        try {
          return { done: false, value: await this.receive() };
        } catch (error) {
          if (this.#endsNormally(error)) return { done: true, value: undefined };
          throw error;
        }
      },
      return: async () => ({ done: true, value: undefined }),
    };
  }

  #endsNormally(error: unknown): boolean {
    const state = this.#state;
    if (state.kind !== 'closed' || (error as { code?: string }).code !== 'WS_CLOSED') return false;
    return this.#closeRequested || state.code === 1000 || state.code === 1001;
  }

  #write(socket: WebSocket, data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      socket.send(data, { binary: typeof data !== 'string' }, (error) => {
        if (error) reject(new WebSocketError('WS_CLOSED', `send to ${this.url} failed: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  #attach(socket: WebSocket): void {
    socket.on('message', (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    socket.on('pong', (payload: Buffer) => {
      // Any pong proves the peer alive, whichever ping it answers.
      clearTimeout(this.#pongDeadline);
      this.#pongDeadline = undefined;
      const ping = this.#pings.get(payload.toString());
      if (ping !== undefined) {
        this.#pings.delete(payload.toString());
        clearTimeout(ping.timer);
        ping.resolve(performance.now() - ping.start);
      }
    });
    socket.on('error', (error: Error & { code?: string }) => {
      const mapped = this.#mapSocketError(error);
      this.#lastError = mapped;
      this.#emitError(mapped);
    });
    socket.on('close', (code: number, reason: Buffer) => this.#onSocketClose(socket, code, reason.toString()));
    this.#stopHeartbeat();
    const { heartbeatIntervalMs: intervalMs, heartbeatTimeoutMs: timeoutMs } = this.#settings;
    if (intervalMs > 0) {
      this.#heartbeat = setInterval(() => {
        if (this.#pongDeadline !== undefined) return; // the previous ping is still within its timeout
        this.#pongDeadline = setTimeout(() => {
          this.#pongDeadline = undefined;
          const error = new WebSocketError('WS_HEARTBEAT_TIMEOUT', `no pong from ${this.url} within ${timeoutMs} ms of a heartbeat ping; terminating`, {
            details: { heartbeatIntervalMs: intervalMs, heartbeatTimeoutMs: timeoutMs },
          });
          this.#lastError = error;
          this.#emitError(error);
          socket.terminate();
        }, timeoutMs);
        socket.ping();
      }, intervalMs);
    }
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    clearTimeout(this.#pongDeadline);
    this.#pongDeadline = undefined;
  }

  /** Typed errors for what the peer did wrong; transport errors (ECONNRESET, …) pass through. */
  #mapSocketError(error: Error & { code?: string }): Error {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      return new WebSocketError('WS_PAYLOAD_TOO_LARGE', `a message from ${this.url} exceeds maxPayload (${this.#settings.maxPayload} bytes)`, {
        cause: error,
        details: { maxPayload: this.#settings.maxPayload },
      });
    }
    if (typeof error.code === 'string' && error.code.startsWith('WS_ERR_')) {
      const closeCode = statusCodeOf(error);
      return new WebSocketError('WS_PROTOCOL_ERROR', `${this.url} broke the WebSocket protocol: ${error.message}`, {
        cause: error,
        details: { url: this.url, wsCode: error.code, ...(closeCode !== undefined ? { closeCode } : {}) },
      });
    }
    return error;
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const message: ProtocolWebSocketMessage = isBinary
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : buffer.toString('utf8');
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.resolve(message);
      return;
    }
    this.#inbox.push(message);
    if (!this.#paused && this.#inbox.length - this.#inboxHead >= this.#settings.maxBufferedMessages) {
      const state = this.#state;
      if (state.kind === 'open') {
        state.socket.pause();
        this.#paused = true;
      }
    }
  }

  #shift(): ProtocolWebSocketMessage {
    const message = this.#inbox[this.#inboxHead]!;
    this.#inboxHead += 1;
    if (this.#inboxHead > 1024 && this.#inboxHead * 2 > this.#inbox.length) {
      this.#inbox.splice(0, this.#inboxHead);
      this.#inboxHead = 0;
    }
    if (this.#paused && this.#inbox.length - this.#inboxHead < this.#settings.maxBufferedMessages / 2) {
      this.#paused = false;
      const state = this.#state;
      if (state.kind === 'open') state.socket.resume();
    }
    return message;
  }

  #onSocketClose(socket: WebSocket, code: number, reason: string): void {
    this.#stopHeartbeat();
    this.#paused = false;
    for (const [payload, ping] of this.#pings) {
      clearTimeout(ping.timer);
      ping.reject(new WebSocketError('WS_CLOSED', `connection to ${this.url} closed before the pong`, { details: { code } }));
      this.#pings.delete(payload);
    }
    const state = this.#state;
    if ((state.kind !== 'open' && state.kind !== 'closing') || state.socket !== socket) return;
    if (!this.#closeRequested && this.#settings.reconnect !== undefined && RECONNECT_CODES.has(code)) {
      this.#scheduleReconnect(1, code, reason);
      return;
    }
    this.#finish(code, reason);
  }

  #scheduleReconnect(attempt: number, lastCode: number, lastReason: string): void {
    const settings = this.#settings.reconnect!;
    if (attempt > settings.maxAttempts) {
      this.#finish(lastCode, lastReason || `reconnect gave up after ${settings.maxAttempts} attempts`);
      return;
    }
    const delayMs = reconnectDelay(attempt, settings, this.#settings.random);
    const state: State = { kind: 'reconnecting', attempt, timer: undefined, socket: undefined };
    this.#state = state;
    publish('ws-reconnect', { url: this.url, attempt, delayMs });
    this.#emit('reconnect', attempt, delayMs);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      openSocket(this.url, this.#settings, (socket) => {
        // Attached inside 'open' (see connect): nothing that came with the 101 answer is missed.
        if (this.#state !== state) {
          socket.on('error', () => undefined);
          socket.terminate();
          return false;
        }
        this.#state = { kind: 'open', socket };
        this.#protocol = socket.protocol;
        this.#lastError = undefined;
        this.#attach(socket);
        return true;
      }).then(
        (adopted) => {
          const current = this.#state;
          if (!adopted || current.kind !== 'open') return;
          publish('ws-open', { url: this.url, protocol: current.socket.protocol, reconnect: true, attempt });
          this.#emit('open');
          this.#flushQueue(current.socket);
        },
        (error: Error) => {
          if (this.#state !== state) return;
          this.#emitError(error);
          this.#scheduleReconnect(attempt + 1, 1006, error.message);
        },
      );
    }, delayMs);
  }

  #flushQueue(socket: WebSocket): void {
    const queued = this.#queue.splice(0);
    for (const item of queued) this.#write(socket, item.data).then(item.resolve, item.reject);
  }

  #finish(code: number, reason: string): void {
    if (this.#state.kind === 'closed') return;
    this.#state = { kind: 'closed', code, reason };
    this.#stopHeartbeat();
    const error = this.#closedError();
    for (const item of this.#queue.splice(0)) item.reject(error);
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    publish('ws-close', { url: this.url, code, reason });
    this.#emit('close', code, reason);
    this.#onFinalClose(this);
    this.#resolveClosed();
  }

  #closedError(): WebSocketError {
    const state = this.#state;
    const detail = state.kind === 'closed' ? ` (code ${state.code}${state.reason ? `, ${state.reason}` : ''})` : '';
    return new WebSocketError('WS_CLOSED', `connection to ${this.url} is ${state.kind}${detail}`, {
      ...(this.#lastError !== undefined ? { cause: this.#lastError } : {}),
      details: state.kind === 'closed' ? { code: state.code, reason: state.reason } : { state: state.kind },
    });
  }

  #emitError(error: Error): void {
    publish('ws-error', { url: this.url, error });
    this.#emit('error', error);
  }

  #emit(event: keyof ProtocolWebSocketEvents, ...args: unknown[]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch {
        // A throwing listener must not break the connection's state machine.
      }
    }
  }
}

/** True for a first-connect failure that another attempt may fix (down, unreachable, overloaded). */
function isRetriable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (code === 'WS_HANDSHAKE_TIMEOUT') return true;
  if (code !== 'WS_CONNECT_FAILED') return false;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string' && RETRIABLE_NET_CODES.has(cause.code)) return true;
  const status = typeof cause?.message === 'string' ? /Unexpected server response: (\d{3})/.exec(cause.message)?.[1] : undefined;
  return status !== undefined && (status === '408' || status === '429' || status.startsWith('5'));
}

/** The final first-connect error, with the number of attempts made. */
function withAttempts(error: unknown, attempts: number): unknown {
  if (!(error instanceof WebSocketError)) return error;
  return new WebSocketError(error.code, attempts > 1 ? `${error.message} (after ${attempts} attempts)` : error.message, {
    cause: error.cause,
    details: { ...error.details, attempts },
  });
}

/** The close status ws attaches to a protocol error (1002, 1007, 1009, …), when present. */
function statusCodeOf(error: Error): number | undefined {
  const symbol = Object.getOwnPropertySymbols(error).find((s) => s.description === 'status-code');
  const value = symbol === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[symbol];
  return typeof value === 'number' ? value : undefined;
}

/**
 * Opens one socket and resolves with `adopt(socket)`, called synchronously inside the `open` event
 * so its listeners are in place before ws parses frames that came with the 101 answer (the error
 * listener used during the handshake is removed only after `adopt` returned). Maps failures to
 * typed errors.
 */
function openSocket<T>(url: string, settings: WebSocketSettings, adopt: (socket: WebSocket) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const options: ClientOptions = {
      headers: { ...settings.headers },
      handshakeTimeout: settings.handshakeTimeoutMs,
      maxPayload: settings.maxPayload,
      perMessageDeflate: settings.perMessageDeflate,
    };
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, [...settings.protocols], options);
    } catch (error) {
      reject(new WebSocketError('WS_CONNECT_FAILED', `cannot connect to ${url}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    const onError = (error: Error): void => {
      socket.off('open', onOpen);
      socket.on('error', () => undefined);
      const timedOut = /handshake has timed out/i.test(error.message);
      reject(
        new WebSocketError(
          timedOut ? 'WS_HANDSHAKE_TIMEOUT' : 'WS_CONNECT_FAILED',
          timedOut
            ? `opening handshake with ${url} timed out after ${settings.handshakeTimeoutMs} ms`
            : `cannot connect to ${url}: ${error.message}`,
          { cause: error, details: { url } },
        ),
      );
    };
    const onOpen = (): void => {
      let adopted: T;
      try {
        adopted = adopt(socket);
      } finally {
        socket.off('error', onError);
      }
      resolve(adopted);
    };
    socket.once('error', onError);
    socket.once('open', onOpen);
  });
}
