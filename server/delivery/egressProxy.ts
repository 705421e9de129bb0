/**
 * Deliveries through a forward proxy (HTTPS_PROXY / HTTP_PROXY, except NO_PROXY hosts),
 * for networks whose only way out is a proxy.
 *
 * Through a proxy, the proxy resolves the endpoint's name and opens the connection, so
 * the SSRF guard's connect-time check (targetGuard.ts) would only ever see the proxy.
 * Before a request is handed on, the endpoint's host is therefore resolved here and every
 * address checked by the same rules. The proxy resolves the name again for itself: a name
 * re-pointed in between (DNS rebinding) is stopped only by the proxy's own egress rules,
 * which must refuse private, loopback, link-local and metadata addresses as well (README,
 * "Egress proxy").
 *
 * https:// endpoints are tunnelled (CONNECT host:port), so TLS runs end to end with the
 * receiver; http:// ones are forwarded as absolute-URL requests rather than tunnelled,
 * since proxies commonly allow CONNECT to port 443 only.
 */
import { EnvHttpProxyAgent, type Agent, type Dispatcher } from 'undici';
import type { EgressProxy } from '../config.ts';
import { bareHostname, guardedLookup, type TargetPolicy } from './targetGuard.ts';

export function createProxiedDispatcher(options: Agent.Options, proxy: EgressProxy, policy: TargetPolicy): Dispatcher {
  const agent = new EnvHttpProxyAgent({
    ...options,
    // Given explicitly (empty for none): undici would otherwise read process.env, and
    // config.ts is the one reader of the environment.
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? '',
    noProxy: proxy.noProxy,
    proxyTunnel: false,
  });
  return agent.compose(checkTargetAddresses(policy));
}

/**
 * Resolves each request's host and refuses it (ERR_TARGET_BLOCKED) when any address is
 * blocked, before the request is dispatched. NO_PROXY hosts are connected to directly
 * and checked a second time at connect time, which costs a cached lookup.
 */
function checkTargetAddresses(policy: TargetPolicy): Dispatcher.DispatcherComposeInterceptor {
  const lookup = guardedLookup(policy);
  return (dispatch) => (options, handler) => {
    const hostname = bareHostname(new URL(String(options.origin)));
    if (policy.allowsHostname(hostname)) return dispatch(options, handler);
    lookup(hostname, { all: true }, (error) => {
      // Nothing was started, so there is no controller to pass (undici's dns interceptor passes null too).
      if (error) handler.onResponseError?.(null as unknown as Dispatcher.DispatchController, error);
      else dispatch(options, handler);
    });
    return true;
  };
}
