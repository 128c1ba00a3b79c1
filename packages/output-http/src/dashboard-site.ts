import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { RequestHandler } from 'express';
import { errorMessage } from '@tsbms/hal';

/** What the dashboard is made of, with the type each is served as; other files are not served. */
const ASSET_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The pages: the dashboard at `/`, the settings form at `/config`. */
const PAGES: Readonly<Record<string, string>> = { '/': 'index.html', '/config': 'config.html' };

/**
 * Route → file name: each regular file of the folder (no dotfiles, links or folders) of a known
 * type by its name, and the pages by theirs.
 */
function siteRoutes(dashboardDir: string): ReadonlyMap<string, string> {
  let entries;
  try {
    entries = readdirSync(dashboardDir, { withFileTypes: true });
  } catch (error) {
    throw new Error(`the dashboard folder cannot be read: ${errorMessage(error)}`);
  }
  const names = entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .filter((name) => Object.hasOwn(ASSET_TYPES, path.extname(name)));
  const routes = new Map(names.map((name) => [`/${name}`, name]));
  for (const [route, name] of Object.entries(PAGES)) if (names.includes(name)) routes.set(route, name);
  return routes;
}

/**
 * The dashboard from an allow-list made when the HTTP output starts: `/` and `/config` as its
 * pages and every listed file by its exact, undecoded name. Nothing else touches the disk, so an
 * encoded name (`/live.spec%2ejs`), a traversal (`/%2e%2e/…`), a dotfile, a file of another kind
 * or one added later falls through (to the 404).
 */
export function dashboardSite(dashboardDir: string): RequestHandler {
  const routes = siteRoutes(dashboardDir);
  return (req, res, next) => {
    const name = req.method === 'GET' || req.method === 'HEAD' ? routes.get(req.path) : undefined;
    if (name === undefined) return next();
    res.setHeader('Content-Type', ASSET_TYPES[path.extname(name)]);
    // The callback also runs after a successful send: passing on then would answer twice.
    res.sendFile(name, { root: dashboardDir }, (error?: Error) => {
      if (error !== undefined) next(error);
    });
  };
}
