// Dockerfile checks: dockerfile-utils' linter (every finding counts, warnings included) and the
// invariants docs/containers.md asks of a production image, on the parsed file (dockerfile-ast).
import { Copy, DockerfileParser, type Instruction, JSONInstruction } from 'dockerfile-ast';
import { ValidationSeverity, type ValidatorSettings, validate } from 'dockerfile-utils';

// The linter's optional checks, all turned on: casing, JSON in single quotes, relative WORKDIR...
const STRICT_LINT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

/** dockerfile-utils findings, "line N: message". */
export function lintProblems(text: string): string[] {
  return validate(text, STRICT_LINT).map(
    (diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`,
  );
}

export interface ImageExpectations {
  /** The port the process listens on, which EXPOSE must name. */
  port: number;
  /** Fewest build stages: the API separates dependencies, build and runtime. */
  minimumStages: number;
  /** The program the exec-form CMD must start directly (so it is PID 1 and gets SIGTERM). */
  command?: string;
  requireHealthcheck: boolean;
}

interface Stage {
  name: string | null;
  instructions: Instruction[];
}

function stagesOf(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const alias = instruction.getArguments()[2]?.getValue() ?? null;
      stages.push({ name: alias, instructions: [instruction] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const ROOT_USERS = new Set(['root', '0', '0:0', 'root:root']);

/** Every broken invariant of a production image, one readable line each. */
export function imageProblems(text: string, expected: ImageExpectations): string[] {
  const problems: string[] = [];
  if (
    DockerfileParser.parse(text)
      .getDirectives()
      .some((d) => d.getName() === 'syntax')
  ) {
    // Docker's BuildKit then pulls that frontend image before building: no build works offline.
    problems.push('no `# syntax=` directive: the built-in frontend has RUN --mount already');
  }
  const stages = stagesOf(text);
  if (stages.length < expected.minimumStages) {
    problems.push(`needs at least ${expected.minimumStages} stages (found ${stages.length})`);
  }
  for (const image of baseImages(text)) problems.push(...baseImageProblems(image));
  const final = stages.at(-1);
  if (!final) return [...problems, 'has no FROM'];
  const of = (keyword: string) => final.instructions.filter((i) => i.getKeyword() === keyword);

  const user = of('USER').at(-1)?.getArguments()[0]?.getValue();
  if (!user) problems.push('final stage: needs a USER (it would run as root)');
  else if (ROOT_USERS.has(user)) problems.push(`final stage: USER ${user} is root`);

  const cmd = of('CMD').at(-1);
  if (!cmd) problems.push('final stage: needs a CMD');
  else if (!(cmd instanceof JSONInstruction) || !cmd.getOpeningBracket()) {
    problems.push('final stage: CMD must be exec form (JSON array) so signals reach the process');
  } else if (expected.command && cmd.getJSONStrings()[0]?.getJSONValue() !== expected.command) {
    problems.push(`final stage: CMD must start ${expected.command} directly`);
  }
  if (of('ENTRYPOINT').length)
    problems.push("final stage: no ENTRYPOINT, so CMD's process is PID 1");

  const healthchecks = of('HEALTHCHECK');
  const healthcheck =
    healthchecks
      .at(-1)
      ?.getArguments()
      .map((a) => a.getValue()) ?? [];
  if (
    expected.requireHealthcheck &&
    (!healthcheck.length || healthcheck[0]?.toUpperCase() === 'NONE')
  ) {
    problems.push('final stage: needs a HEALTHCHECK');
  }
  if (healthcheck.some((word) => /\bcurl\b/.test(word)))
    problems.push('HEALTHCHECK must not need curl');

  const exposed = of('EXPOSE').flatMap((i) =>
    i.getArguments().map((a) => a.getValue().split('/')[0]),
  );
  if (!exposed.includes(String(expected.port)))
    problems.push(`final stage: must EXPOSE ${expected.port}`);

  for (const copy of of('COPY')) {
    const sources = copy
      .getArguments()
      .map((a) => a.getValue())
      .filter((word) => !word.startsWith('--'))
      .slice(0, -1);
    if (sources.some((source) => source === '.' || /(^|\/)src(\/|$)/.test(source))) {
      problems.push(
        `final stage: copies sources (${sources.join(' ')}); only built output belongs there`,
      );
    }
  }
  if (of('ADD').length) problems.push('final stage: use COPY, not ADD');
  return problems;
}

/**
 * The ARGs declared before the first FROM, with their defaults (null: none). They are the knob a
 * mirror or an air-gapped registry turns: `--build-arg NODE_IMAGE=...`.
 */
export function globalArgDefaults(text: string): Record<string, string | null> {
  return Object.fromEntries(
    DockerfileParser.parse(text)
      .getInitialARGs()
      .flatMap((arg) => {
        const property = arg.getProperty();
        return property ? [[property.getName(), property.getValue()]] : [];
      }),
  );
}

/**
 * The image each stage starts from that is not an earlier stage, as a build without any
 * --build-arg resolves it (`${NAME}` replaced by the global ARG's default).
 */
export function baseImages(text: string): string[] {
  const defaults = globalArgDefaults(text);
  const stages = stagesOf(text);
  const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));
  return stages
    .map((stage) => stage.instructions[0]?.getArguments()[0]?.getValue() ?? '')
    .filter((image) => !stageNames.has(image))
    .map((image) =>
      image.replace(/\$\{(\w+)\}|\$(\w+)/g, (reference, braced, bare) => {
        const value = defaults[braced ?? bare];
        return value ?? reference;
      }),
    );
}

function baseImageProblems(image: string): string[] {
  if (image.includes('$')) {
    return [`FROM ${image}: give the ARG a default, so a build without --build-arg works`];
  }
  const [nameAndTag = '', digest] = image.split('@');
  const tag = nameAndTag.includes(':') ? nameAndTag.slice(nameAndTag.lastIndexOf(':') + 1) : '';
  if (!tag && !digest) return [`FROM ${image}: pin a tag (and let Renovate add the digest)`];
  if (tag === 'latest') return [`FROM ${image}: never :latest`];
  return [];
}

/** The sources each COPY (without --from) takes from the build context. */
export function contextSources(text: string): string[] {
  return DockerfileParser.parse(text)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'COPY' || i.getKeyword() === 'ADD')
    .filter((i) => !(i instanceof Copy && i.getFromFlag()))
    .flatMap((i) =>
      i
        .getArguments()
        .map((a) => a.getValue())
        .filter((word) => !word.startsWith('--'))
        .slice(0, -1),
    );
}

/** The exec-form HEALTHCHECK command of the final stage, to run it for real. */
export function healthcheckCommand(text: string): string[] {
  const final = stagesOf(text).at(-1);
  const instruction = final?.instructions.filter((i) => i.getKeyword() === 'HEALTHCHECK').at(-1);
  const cmd = instruction?.getArguments().map((a) => a.getValue()) ?? [];
  const start = cmd.indexOf('CMD');
  const json = instruction
    ?.getRawArgumentsContent()
    ?.slice(instruction.getRawArgumentsContent()?.indexOf('[') ?? 0);
  if (start < 0 || !json?.startsWith('[')) throw new Error('the HEALTHCHECK is not in exec form');
  return JSON.parse(json.replace(/\\\r?\n\s*/g, '')) as string[];
}

/** The exec-form CMD of the final stage. */
export function commandOf(text: string): string[] {
  const final = stagesOf(text).at(-1);
  const cmd = final?.instructions.filter((i) => i.getKeyword() === 'CMD').at(-1);
  if (!(cmd instanceof JSONInstruction)) throw new Error('the CMD is not in exec form');
  return cmd.getJSONStrings().map((s) => s.getJSONValue());
}
