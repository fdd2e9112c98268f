import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from 'undici';
import { HttpValidationError } from '../errors/http-errors.js';
import type { HttpClientOptions } from '../http-client-options.js';
import { optionError, stringOption } from './option-checks.js';

/**
 * The undici dispatcher for the client's `proxy` and `tls` options: an `Agent`, an
 * `EnvHttpProxyAgent` (`'env'`) or a `ProxyAgent` (a URL or `{ uri, token }`).
 * @throws HttpValidationError (`HTTP_INVALID_OPTION`) naming the bad option and value.
 */
export function createDispatcher(agentOptions: Agent.Options, tls: HttpClientOptions['tls'], proxy: HttpClientOptions['proxy']): Dispatcher {
  if (tls !== undefined && (typeof tls !== 'object' || tls === null)) throw optionError('tls', 'an object', tls);
  const options: Agent.Options = { ...agentOptions, connect: { ...(agentOptions.connect as object), ...(tls as object | undefined) } };
  if (proxy === undefined) return new Agent(options);
  if (proxy === 'env') return new EnvHttpProxyAgent(options);
  const spec = typeof proxy === 'string' ? { uri: proxy } : proxy;
  if (typeof spec !== 'object' || spec === null || typeof spec.uri !== 'string') {
    throw optionError('proxy', "'env', a proxy URL or { uri, token }", proxy);
  }
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(spec.uri);
  } catch (cause) {
    throw new HttpValidationError('HTTP_INVALID_OPTION', `\`proxy\` must be a valid proxy URL, got ${JSON.stringify(spec.uri)}`, { cause });
  }
  if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') throw optionError('proxy', 'an http: or https: URL', spec.uri);
  if (spec.token !== undefined) stringOption('proxy.token', spec.token);
  return new ProxyAgent({
    ...options,
    uri: spec.uri,
    ...(spec.token === undefined ? {} : { token: spec.token }),
    ...(tls === undefined ? {} : { requestTls: tls as object }),
  });
}
