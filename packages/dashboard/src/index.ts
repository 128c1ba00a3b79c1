import * as path from 'node:path';

/**
 * The folder of the dashboard's files (`index.html`, `config.html`, ES modules, `style.css`),
 * served as they are: the HTTP output serves it from an allow-list made at start.
 */
export const DASHBOARD_DIR = path.join(__dirname, '..', 'site');
