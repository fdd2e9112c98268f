/**
 * The OpenTelemetry glue every adapter repeats, written against the few pieces of `@opentelemetry/api` it uses.
 * Each adapter passes its own import of the API (so this module stays dependency-free and the adapter's one copy
 * of the API is the one consulted); an SDK registered with that API is found, its tracer and instruments are
 * made once per provider, and nothing is allocated while none is registered.
 */

/** A tracer provider as `@opentelemetry/api` declares it (only what the glue calls). */
export interface OtelTracerProviderLike<T> {
  getTracer(name: string, version?: string): T;
}

/** A meter provider as `@opentelemetry/api` declares it (only what the glue calls). */
export interface OtelMeterProviderLike<M> {
  getMeter(name: string, version?: string): M;
}

/** The pieces of `@opentelemetry/api` the glue uses; pass `{ trace, metrics, ProxyTracerProvider, createNoopMeter }`. */
export interface OtelApiLike<T, M> {
  readonly trace: { getTracerProvider(): OtelTracerProviderLike<T> };
  readonly metrics: { getMeterProvider(): OtelMeterProviderLike<M> };
  /** The API's proxy class: its delegate is the no-op provider until an SDK registers one. */
  readonly ProxyTracerProvider: new () => { getDelegate(): OtelTracerProviderLike<T> };
  /** The API's one no-op meter, which its no-op meter provider hands out. */
  createNoopMeter(): M;
}

/** Instrumentation scope: the package name and version every span and metric carries. */
export interface OtelScope {
  readonly name: string;
  readonly version: string;
}

/** Bucket boundaries the HTTP and messaging conventions advise for duration histograms, in seconds. */
export const OTEL_DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

/**
 * The context key @opentelemetry/core's `suppressTracing()` sets (the API's `createContextKey` is
 * `Symbol.for(description)`, so the same description is the same key).
 */
export const OTEL_SUPPRESS_TRACING_KEY: symbol = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** True when `ONEX_OTEL_DISABLED` is `true` or `1`. */
export function otelDisabledByEnv(): boolean {
  const value = process.env['ONEX_OTEL_DISABLED'];
  return value === 'true' || value === '1';
}

/**
 * A function returning the tracer of the registered SDK, or undefined while none is registered (checked without
 * allocating); the tracer is made once per provider.
 */
export function otelTracerSource<T, M>(api: OtelApiLike<T, M>, scope: OtelScope): () => T | undefined {
  const noop = new api.ProxyTracerProvider().getDelegate();
  let cache: { provider: OtelTracerProviderLike<T>; tracer: T } | undefined;
  return () => {
    const registered = api.trace.getTracerProvider();
    const provider = registered instanceof api.ProxyTracerProvider ? registered.getDelegate() : registered;
    if (provider === noop) return undefined;
    if (cache?.provider !== provider) cache = { provider, tracer: provider.getTracer(scope.name, scope.version) };
    return cache.tracer;
  };
}

/**
 * A function returning the instruments `create` made from the registered meter provider's meter, or undefined
 * while the API hands out its no-op meter; they are made once per provider.
 */
export function otelInstrumentSource<T, M, I>(api: OtelApiLike<T, M>, scope: OtelScope, create: (meter: M) => I): () => I | undefined {
  let cachedProvider: OtelMeterProviderLike<M> | undefined;
  let cached: I | undefined;
  return () => {
    const provider = api.metrics.getMeterProvider();
    if (provider === cachedProvider) return cached;
    cachedProvider = provider;
    const meter = provider.getMeter(scope.name, scope.version);
    cached = meter === api.createNoopMeter() ? undefined : create(meter);
    return cached;
  };
}

/** `error.type` of a failure: its `code` (ONEX errors, Node system errors), else its class name, else `_OTHER`. */
export function otelErrorType(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return error instanceof Error ? error.name : '_OTHER';
}

/** `server.port` of a URL: its port, else the scheme's default (443 for https, 80 otherwise). */
export function otelServerPort(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}

/** `url.full` without user info (scheme, host, path and query). */
export function otelUrlFull(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}
