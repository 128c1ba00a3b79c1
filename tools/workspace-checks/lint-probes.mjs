// Lints source texts as if they were files at the given workspace paths and prints the messages
// as JSON. Used by module-boundaries.spec.ts, which cannot load ESLint's ESM config inside Jest.
// Each probe is linted the way `nx lint` lints its project: from the project's folder, with that
// project's own eslint.config.mjs.
// stdin: [{ "file": "packages/x/src/probe.ts", "source": "..." }, ...]
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const probes = JSON.parse(input);
const linters = new Map();
const results = [];
for (const probe of probes) {
  // packages/<name>/... or apps/<name>/... → the project folder.
  const projectDir = path.join(workspaceRoot, ...probe.file.split('/').slice(0, 2));
  if (!linters.has(projectDir)) linters.set(projectDir, new ESLint({ cwd: projectDir }));
  const [result] = await linters.get(projectDir).lintText(probe.source, {
    filePath: path.join(workspaceRoot, probe.file),
  });
  results.push(result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
}
process.stdout.write(JSON.stringify(results));
