import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Copy, DockerfileParser, Env, From, JSONInstruction, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { httpConfigSchema } from '@tsbms/output-http';
import { PRODUCTION_NODE_FLAGS } from '../deploy/node-flags';

/**
 * The controller's container image (issue 12) is not built in CI: the machines have no container
 * engine and no access to Docker Hub for the base images. So its Containerfile is linted with
 * dockerfile-utils (the validator of the VS Code Docker language server), and this spec checks
 * what a linter cannot know: the image runs without root, on code from the build stage only, with
 * the daemon's own settings (port, node flags) rather than copies that could drift.
 */
const workspaceRoot = path.resolve(__dirname, '..', '..');
const containerfile = readFileSync(
  path.join(workspaceRoot, 'apps', 'controller', 'deploy', 'Containerfile'),
  'utf8',
);

/** The instructions of each stage, from its FROM on (ARGs before the first FROM are in none). */
function stagesOf(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction instanceof From) stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** The exec-form (JSON) arguments; none for the shell form. */
const execForm = (instruction: Instruction | undefined): string[] =>
  instruction instanceof JSONInstruction ? instruction.getJSONStrings().map((s) => s.getJSONValue()) : [];

const words = (instruction: Instruction): string[] => instruction.getArguments().map((a) => a.getValue());

describe('apps/controller/deploy/Containerfile', () => {
  const stages = stagesOf(containerfile);
  const runtime = stages.at(-1) ?? [];
  const inRuntime = (keyword: string) => runtime.filter((i) => i.getKeyword() === keyword);

  it('has no problems dockerfile-utils finds', () => {
    const problems = validate(containerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('builds in one stage and runs in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it('runs as a user that is not root', () => {
    const user = inRuntime('USER').at(-1);
    expect(user).toBeDefined();
    const name = (user?.getArgumentsContent() ?? '').split(':')[0];
    expect(['', 'root', '0']).not.toContain(name);
  });

  it('takes files from the build stages only, never from the build context', () => {
    const buildStages = stages.slice(0, -1).map((stage) => (stage[0] as From).getBuildStage());
    // ADD and a COPY without --from read the context; so does RUN --mount (bind mounts it by default).
    const fromContext = runtime.filter((i) => {
      if (i instanceof Copy) return !buildStages.includes(i.getFromFlag()?.getValue() ?? null);
      if (i.getKeyword() === 'RUN') return i.getArgumentsContent()?.trimStart().startsWith('--mount');
      return i.getKeyword() === 'ADD';
    });
    expect(fromContext.map((i) => i.getTextContent())).toEqual([]);
    expect(inRuntime('COPY').length).toBeGreaterThan(0);
  });

  it('starts node in exec form with the production flags, and the config from the volume', () => {
    expect(inRuntime('ENTRYPOINT')).toHaveLength(1);
    expect(execForm(inRuntime('ENTRYPOINT')[0])).toEqual(['node', ...PRODUCTION_NODE_FLAGS, 'main.js']);
    expect(inRuntime('CMD')).toHaveLength(1);
    const command = execForm(inRuntime('CMD')[0]);
    expect(command).toEqual(['--config', expect.any(String)]);
    // The state file and the settings saved at run time are written beside the config.
    const volumes = inRuntime('VOLUME').flatMap((v) => (execForm(v).length > 0 ? execForm(v) : words(v)));
    expect(volumes).toContain(path.posix.dirname(command[1]));
  });

  it("exposes http.port's default and health-checks /healthz there", () => {
    const { port } = httpConfigSchema.parse({});
    expect(inRuntime('EXPOSE').flatMap(words)).toEqual([String(port)]);
    const env = new Map(
      runtime
        .filter((i) => i instanceof Env)
        .flatMap((i) => i.getProperties())
        .map((p) => [p.getName(), p.getValue()]),
    );
    const url = new URL(env.get('HEALTHCHECK_URL') ?? 'http://unset');
    expect({ port: url.port, path: url.pathname }).toEqual({ port: String(port), path: '/healthz' });
    expect(inRuntime('HEALTHCHECK')).toHaveLength(1);
    expect(inRuntime('HEALTHCHECK')[0].getArgumentsContent()).toContain('process.env.HEALTHCHECK_URL');
  });
});
