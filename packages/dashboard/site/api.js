/*
 * Fetches to the controller's REST API. Writes need credentials: the operator types them on the
 * config page and they are kept in sessionStorage (this tab only, gone when it closes).
 */

const CREDENTIALS_KEY = 'tsbms.credentials';

/** `{ username, password, token }`, empty strings when not set. */
export function loadCredentials() {
  const empty = { username: '', password: '', token: '' };
  try {
    return { ...empty, ...JSON.parse(sessionStorage.getItem(CREDENTIALS_KEY) ?? '{}') };
  } catch {
    return empty;
  }
}

export function saveCredentials(credentials) {
  sessionStorage.setItem(CREDENTIALS_KEY, JSON.stringify(credentials));
}

/** The Authorization header for the credentials (a token wins over a password); none if empty. */
export function authorizationHeader({ username, password, token }) {
  if (token !== '') return { authorization: `Bearer ${token}` };
  if (username !== '' || password !== '') {
    const bytes = new TextEncoder().encode(`${username}:${password}`);
    return { authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
  }
  return {};
}

/** GET a JSON resource; throws an Error with `status` when it is not 2xx. */
export async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok)
    throw Object.assign(new Error(`${path}: HTTP ${response.status}`), { status: response.status });
  return response.json();
}

/**
 * A JSON write with the stored credentials: `{ status, body }` (body null when not JSON). The
 * credentials go in our own Authorization header and the browser's are omitted: with the
 * browser's, a 401's Basic challenge would open its login dialog instead of returning here.
 */
export async function sendJson(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'omit',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...authorizationHeader(loadCredentials()),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}
