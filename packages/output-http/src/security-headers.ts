import type { RequestHandler } from 'express';

/**
 * Headers on every answer: the dashboard loads only its own scripts, styles and API (no inline
 * code, no framing), and browsers must not guess content types. HSTS only over HTTPS: sent over
 * plain HTTP it would be ignored at best and lock users out of a later plain-HTTP setup at worst.
 */
export function securityHeaders(tls: boolean): RequestHandler {
  const headers: Record<string, string> = {
    'Content-Security-Policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...(tls ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
  };
  return (_req, res, next) => {
    res.set(headers);
    next();
  };
}
