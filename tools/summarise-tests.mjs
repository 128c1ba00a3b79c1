// Adds up the Jest result files of every project and prints one closing line,
// "N passed, N failed", so that a reader (or CI) sees the whole run at a glance.
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const projectDirs = ['packages', 'apps']
  .filter((dir) => existsSync(path.join(root, dir)))
  .flatMap((dir) => readdirSync(path.join(root, dir)).map((name) => path.join(root, dir, name)))
  .concat(path.join(root, 'tools'))
  .filter((dir) => existsSync(path.join(dir, 'jest.config.cts')));

let passed = 0;
let failed = 0;
let missing = 0;
for (const dir of projectDirs) {
  // The suite's results, and the long lane's where the project has one (jest.long.config.cts).
  const lanes = [['jest-results.json', '']].concat(
    existsSync(path.join(dir, 'jest.long.config.cts')) ? [['jest-results-long.json', ' (long)']] : [],
  );
  for (const [fileName, lane] of lanes) {
    const file = path.join(dir, 'test-output', fileName);
    const name = path.relative(root, dir) + lane;
    if (!existsSync(file)) {
      console.log(`${name}: no results (the test run did not finish)`);
      missing++;
      continue;
    }
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    console.log(`${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || missing > 0 || passed === 0 ? 1 : 0);
