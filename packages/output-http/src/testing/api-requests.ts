import { GOOD_BASIC } from './http-harness';

type Headers = Record<string, string>;

/**
 * Requests to a test server's API at `baseUrl()` (read per request: each test starts its own
 * server): writes carry JSON and the good Basic credentials unless a test overrides the headers.
 */
export function apiRequests(baseUrl: () => string) {
  const at = (pathName: string) => new URL(pathName, baseUrl());
  return {
    get: (pathName: string, headers: Headers = {}) => fetch(at(pathName), { headers }),
    put: (pathName: string, body: string | Uint8Array, headers: Headers = {}) =>
      fetch(at(pathName), {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: GOOD_BASIC, ...headers },
        body,
      }),
    post: (pathName: string, body: string | undefined, headers: Headers = {}) =>
      fetch(at(pathName), {
        method: 'POST',
        headers: {
          authorization: GOOD_BASIC,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body }),
      }),
  };
}
