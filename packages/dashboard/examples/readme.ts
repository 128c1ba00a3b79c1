import * as path from 'node:path';
import { DASHBOARD_DIR } from '@tsbms/dashboard';

// The dashboard is a folder served as it is (no build step); its front page:
console.log(path.relative(process.cwd(), path.join(DASHBOARD_DIR, 'index.html')));
// → packages/dashboard/site/index.html
