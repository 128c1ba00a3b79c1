import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The code cites the project's written decisions: documents as `docs/<name>.md` and rules by ID
 * (T-n: the module board protocol, B-n: BMS behaviour, V-n: the Victron CAN protocol). This check
 * keeps every citation resolvable: the cited document exists in docs/, and the cited rule is
 * defined in its document as a line of its own that starts with the bold ID, e.g. `- **T-26** …`.
 */
const workspaceRoot = path.resolve(__dirname, '..', '..');
const docsDir = path.join(workspaceRoot, 'docs');

/** Where citations are collected: these folders (recursively) and files, relative to the root. */
const SOURCE_DIRS = ['packages', 'apps', 'tools', 'docs'];
const SOURCE_FILES = ['README.md'];
/** .ts, .js and their .mts/.cts/.mjs/.cjs variants, and Markdown. */
const SOURCE_EXTENSION = /\.(?:[cm]?[jt]s|md)$/;
/** Installed, built and generated folders: not ours to cite from. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out-tsc', 'test-output', 'coverage']);

/** The document that defines the rules of each prefix. */
const RULE_DOCUMENTS: Readonly<Record<string, string>> = {
  T: 'tesla-bq76pl536a.md',
  B: 'bms-behaviour.md',
  V: 'victron-can-bms.md',
  P: 'pylontech-can.md',
  S: 'sma-sunny-island-can.md',
};

/**
 * A rule ID as code cites it. Not part of a longer word, identifier or hyphenated token on either
 * side (so `AT-5`, `MAX_T-5`, `0xB-1`, `X-T-5` and `T-5-x` are not citations), and 1–3 digits
 * (`T-1234` is not one either). `T-17/T-18`, `T-19..T-22` and `B-24(3)` cite every ID in them.
 */
const RULE_ID = /(?<![\w-])([TBVPS])-(\d{1,3})(?![\w-])/g;

/** Names that look like rule IDs and are not: the NIST elliptic curves. */
const NOT_RULE_IDS = new Set(['P-256', 'P-384', 'P-521']);

/** A document path as code cites it: `docs/…md` at the start of a path (`../../docs/` counts, `site/docs/` does not). */
const DOC_REFERENCE = /(?<![\w.-]|[\w-]\/)docs\/([\w-]+(?:\/[\w-]+)*\.md)/g;

/** The anchor convention of docs/: a line that starts with `- **T-26**`. */
const RULE_DEFINITION = /^- \*\*([TBVPS])-(\d{1,3})\*\*/;

interface Citation {
  /** What is cited: a rule ID such as `B-6`, or a document name such as `bms-behaviour.md`. */
  readonly target: string;
  /** `path:line`, relative to the workspace root. */
  readonly at: string;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(full);
      } else if (entry.isFile() && SOURCE_EXTENSION.test(entry.name)) {
        files.push(full);
      }
    }
  };
  for (const dir of SOURCE_DIRS) {
    const full = path.join(workspaceRoot, dir);
    if (existsSync(full)) walk(full);
  }
  for (const file of SOURCE_FILES) {
    const full = path.join(workspaceRoot, file);
    if (existsSync(full)) files.push(full);
  }
  return files.sort();
}

function citations(files: readonly string[]): { rules: Citation[]; documents: Citation[] } {
  const rules: Citation[] = [];
  const documents: Citation[] = [];
  for (const file of files) {
    const relative = path.relative(workspaceRoot, file);
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const at = `${relative}:${index + 1}`;
        for (const [, prefix, number] of line.matchAll(RULE_ID))
          if (!NOT_RULE_IDS.has(`${prefix}-${number}`)) rules.push({ target: `${prefix}-${number}`, at });
        for (const [, name] of line.matchAll(DOC_REFERENCE)) documents.push({ target: name, at });
      });
  }
  return { rules, documents };
}

/** Each rule ID defined by an anchor line in `docs/<name>`, with the lines that define it. */
function definitions(name: string): Map<string, number[]> {
  const defined = new Map<string, number[]>();
  const file = path.join(docsDir, name);
  if (!existsSync(file)) return defined;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const match = RULE_DEFINITION.exec(line);
      if (match === null) return;
      const id = `${match[1]}-${match[2]}`;
      defined.set(id, [...(defined.get(id) ?? []), index + 1]);
    });
  return defined;
}

/** `target: at, at, …` per target, targets in natural order (T-2 before T-10). */
function byTarget(cited: readonly Citation[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  const sorted = [...cited].sort((a, b) => a.target.localeCompare(b.target, 'en', { numeric: true }));
  for (const { target, at } of sorted) grouped.set(target, [...(grouped.get(target) ?? []), at]);
  return grouped;
}

const files = sourceFiles();
const cited = citations(files);
const defined = new Map(Object.entries(RULE_DOCUMENTS).map(([prefix, name]) => [prefix, definitions(name)]));

describe('docs/ references (every cited document and rule ID resolves)', () => {
  it('scans the workspace sources, this file among them, and finds citations', () => {
    expect(files).toContain(__filename);
    expect(cited.rules.length).toBeGreaterThan(0);
    expect(cited.documents.length).toBeGreaterThan(0);
  });

  it('every docs/<file>.md reference names a file in docs/', () => {
    const missing = [...byTarget(cited.documents)]
      .filter(([name]) => !existsSync(path.join(docsDir, name)))
      .map(([name, at]) => `docs/${name} does not exist; cited in ${at.join(', ')}`);
    expect(missing).toEqual([]);
  });

  it('every cited rule ID is defined in its document by a line starting with `- **<ID>**`', () => {
    const unresolved = [...byTarget(cited.rules)]
      .filter(([id]) => !defined.get(id[0])?.has(id))
      .map(([id, at]) => {
        const name = RULE_DOCUMENTS[id[0]];
        const where = existsSync(path.join(docsDir, name))
          ? `is not defined in docs/${name} (no line starting with "- **${id}**")`
          : `has no document: docs/${name} does not exist`;
        return `${id} ${where}; cited in ${at.join(', ')}`;
      });
    expect(unresolved).toEqual([]);
  });

  it.each(Object.entries(RULE_DOCUMENTS))(
    'docs/ defines each %s- rule once, in docs/%s only',
    (prefix, name) => {
      const problems: string[] = [];
      for (const [otherPrefix, otherName] of Object.entries(RULE_DOCUMENTS)) {
        for (const [id, lines] of defined.get(otherPrefix) ?? []) {
          if (id[0] !== prefix) continue;
          if (otherName !== name) problems.push(`${id} is defined in docs/${otherName}:${lines.join(', ')}`);
          else if (lines.length > 1)
            problems.push(`${id} is defined more than once: docs/${name}:${lines.join(', ')}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
