import * as fs from 'fs';
import * as path from 'path';
import { didYouMean } from './did-you-mean';
import { ConfigError, ConfigIssue, sortIssues } from './errors';
import {
  EnvironmentConfig,
  environmentConfigSchema,
  GroundworkConfig,
  groundworkConfigSchema,
  PlatformConfig,
  PlatformEnvironment,
  PlatformWave,
} from './schema';
import { parseWithSchema } from './schema-issues';
import { checkConfigRules, EnvironmentSource, GroundworkSource } from './validate';
import { fileIssue, readYamlFile } from './yaml-file';

/** The app's own config directory (apps/platform/config), found from this file in src/ or lib/. */
export const DEFAULT_CONFIG_DIR = path.resolve(__dirname, '..', '..', 'config');
/** Organization-wide settings file, in the config directory. */
export const GROUNDWORK_FILE = 'groundwork.yaml';
/** Folder of per-environment files, in the config directory. */
export const ENVIRONMENTS_DIR = 'environments';
/** The one file in environments/ that is not an environment and is allowed there (besides dotfiles). */
export const ENVIRONMENTS_README = 'README.md';
/** The CDK context key that selects the config directory (`cdk synth -c configDir=DIR`). */
export const CONFIG_DIR_CONTEXT_KEY = 'configDir';

/** The outcome of reading a config directory: the config when valid, and every issue found. */
export interface ConfigReadResult {
  /** Set only when there are no issues. */
  readonly config?: PlatformConfig;
  readonly issues: readonly ConfigIssue[];
}

/**
 * Loads and validates a config directory. Throws a `ConfigError` carrying every
 * issue found (in all files) when anything is wrong.
 */
export function loadPlatformConfig(configDir: string = DEFAULT_CONFIG_DIR): PlatformConfig {
  const result = readPlatformConfig(configDir);
  if (!result.config) throw new ConfigError(result.issues);
  return result.config;
}

/** Like `loadPlatformConfig`, but returns the issues instead of throwing. Never throws for config problems. */
export function readPlatformConfig(configDir: string): ConfigReadResult {
  const dir = path.resolve(configDir);
  const dirProblem = directoryProblem(dir);
  if (dirProblem) {
    return {
      issues: [fileIssue(dir, 'a config directory with groundwork.yaml and environments/<name>.yaml', dirProblem)],
    };
  }
  const issues: ConfigIssue[] = [];
  const fileOrder: string[] = [];

  let groundwork: GroundworkSource | undefined;
  let groundworkConfig: GroundworkConfig | undefined;
  const groundworkFile = path.join(dir, GROUNDWORK_FILE);
  fileOrder.push(groundworkFile);
  if (!fs.existsSync(groundworkFile)) {
    const suggestion = didYouMean(GROUNDWORK_FILE, fs.readdirSync(dir));
    issues.push(
      fileIssue(groundworkFile, `the organization settings file ${GROUNDWORK_FILE}`, 'no such file', suggestion),
    );
  } else {
    const yaml = readYamlFile(groundworkFile);
    issues.push(...yaml.issues);
    if (yaml.data !== undefined) {
      const parsed = parseWithSchema(yaml, groundworkConfigSchema);
      issues.push(...parsed.issues);
      groundworkConfig = parsed.value;
      groundwork = { yaml, raw: yaml.data };
    }
  }

  const environments: EnvironmentSource[] = [];
  const parsedEnvironments: { source: EnvironmentSource; value?: EnvironmentConfig }[] = [];
  const environmentFileNames: string[] = [];
  const envDir = path.join(dir, ENVIRONMENTS_DIR);
  fileOrder.push(envDir);
  const envDirProblem = directoryProblem(envDir);
  if (envDirProblem) {
    issues.push(
      fileIssue(envDir, `a directory ${ENVIRONMENTS_DIR}/ with one <name>.yaml per environment`, envDirProblem),
    );
  } else {
    const listing = readEnvironmentsDir(envDir);
    issues.push(...listing.issues);
    environmentFileNames.push(...listing.names);
    if (listing.names.length === 0) {
      issues.push(fileIssue(envDir, 'at least one environment file environments/<name>.yaml', 'no environment files'));
    }
    for (const entry of listing.files) {
      const file = path.join(envDir, entry);
      fileOrder.push(file);
      const yaml = readYamlFile(file);
      issues.push(...yaml.issues);
      const source: EnvironmentSource = { yaml, fileName: entry.replace(/\.yaml$/, ''), raw: yaml.data };
      if (yaml.data === undefined) continue;
      const parsed = parseWithSchema(yaml, environmentConfigSchema);
      issues.push(...parsed.issues);
      environments.push(source);
      parsedEnvironments.push({ source, value: parsed.value });
    }
  }

  issues.push(...checkConfigRules({ groundwork, environments, environmentFileNames }));
  if (issues.length > 0 || !groundworkConfig) return { issues: sortIssues(issues, fileOrder) };
  const valid = parsedEnvironments.map((p) => ({ file: p.source.yaml.file, value: p.value! }));
  return { config: assemble(dir, groundworkConfig, valid), issues: [] };
}

/**
 * Picks the config directory: the `--config-dir` value (parsed by the command,
 * see cli-args.ts) wins, then the CDK context value (`-c configDir=DIR`), then
 * the app's own config directory. Relative paths resolve against `baseDir`.
 */
export function resolveConfigDir(
  option: string | undefined,
  contextValue?: unknown,
  baseDir: string = invocationDir(),
): string {
  if (option !== undefined) return path.resolve(baseDir, option);
  if (typeof contextValue === 'string' && contextValue.trim() !== '') return path.resolve(baseDir, contextValue);
  return DEFAULT_CONFIG_DIR;
}

/**
 * The directory the user ran the command from. `npm run` (and nx) run the
 * package's script inside apps/platform, but npm keeps the caller's directory
 * in INIT_CWD, so `npm run validate -- --config-dir DIR` at the root means DIR
 * relative to the root, as the user expects.
 */
export function invocationDir(): string {
  const initCwd = process.env.INIT_CWD;
  return initCwd && isDirectory(initCwd) ? initCwd : process.cwd();
}

/** What environments/ holds: the environment files to read, and every entry that is not one. */
interface EnvironmentsListing {
  /** Regular files named `<name>.yaml`, sorted. */
  readonly files: string[];
  /** Names of the environment files, including misnamed ones (`dev.yml`), so references to them do not cascade. */
  readonly names: string[];
  readonly issues: ConfigIssue[];
}

/**
 * Lists environments/: every entry is a regular file `<name>.yaml`, else it is reported, so that a
 * `prod.YAML`, a `prod.yaml.txt` or a directory never quietly leaves the pipeline. Dotfiles
 * (`.gitkeep`, `.DS_Store`, editor swap files) and a README.md are ignored.
 */
function readEnvironmentsDir(envDir: string): EnvironmentsListing {
  const entries = fs.readdirSync(envDir).sort();
  const files: string[] = [];
  const names: string[] = [];
  const issues: ConfigIssue[] = [];
  // A rename is suggested only where it would not overwrite another entry.
  const suggest = (name: string) => (entries.includes(name) ? undefined : name);
  for (const entry of entries) {
    if (entry.startsWith('.') || entry === ENVIRONMENTS_README) continue;
    const file = path.join(envDir, entry);
    const yamlFile = /^(.+)\.yaml$/.exec(entry);
    const otherYaml = /^(.+)\.ya?ml$/i.exec(entry);
    if (yamlFile) {
      const kind = entryKind(file);
      if (kind === 'a file') {
        files.push(entry);
        names.push(yamlFile[1]);
      } else {
        issues.push(fileIssue(file, 'an environment file environments/<name>.yaml', kind));
      }
    } else if (otherYaml) {
      names.push(otherYaml[1]);
      issues.push(
        fileIssue(file, 'an environment file ending in .yaml', `"${entry}"`, suggest(`${otherYaml[1]}.yaml`)),
      );
    } else {
      // `prod.yaml.txt`, `prod.yaml.bak`: what it was probably meant to be, if that does not exist.
      const base = /^(.+?)\.ya?ml\./i.exec(entry)?.[1];
      issues.push(
        fileIssue(
          file,
          `only environment files <name>.yaml in ${ENVIRONMENTS_DIR}/ (dotfiles and a ${ENVIRONMENTS_README} are ignored)`,
          `"${entry}"`,
          base ? suggest(`${base}.yaml`) : undefined,
        ),
      );
    }
  }
  return { files, names, issues };
}

/** `a file` for a regular file (or a link to one), else what the entry is. */
function entryKind(file: string): string {
  try {
    const stat = fs.statSync(file);
    if (stat.isFile()) return 'a file';
    return stat.isDirectory() ? 'a directory' : 'not a regular file';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'a broken symbolic link' : 'an unreadable entry';
  }
}

function directoryProblem(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return 'no such directory';
  if (!isDirectory(dir)) return 'a file, not a directory';
  try {
    fs.readdirSync(dir);
  } catch (error) {
    // Reported as a config error, as an unreadable file is, not as an internal error of the validator.
    return `a directory that cannot be listed (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`;
  }
  return undefined;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function assemble(
  configDir: string,
  groundwork: GroundworkConfig,
  environments: readonly { file: string; value: EnvironmentConfig }[],
): PlatformConfig {
  const waveOrder = new Map(groundwork.waves.map((w) => [w.name, w.order]));
  const resolved: PlatformEnvironment[] = environments.map(({ file, value }) => ({
    ...value,
    vpc: {
      ...value.vpc,
      // AZ names are computed, never looked up, so synthesis needs no AWS credentials.
      availabilityZones:
        value.vpc.availabilityZones ??
        Array.from({ length: value.vpc.azCount }, (_, i) => `${value.region}${String.fromCharCode(97 + i)}`),
    },
    effectiveTags: { ...groundwork.defaultTags, ...value.tags },
    waveOrder: waveOrder.get(value.wave)!,
    sourceFile: file,
  }));
  resolved.sort((a, b) => a.waveOrder - b.waveOrder || a.name.localeCompare(b.name));
  const waves: PlatformWave[] = [...groundwork.waves]
    .sort((a, b) => a.order - b.order)
    .map((w) => ({ name: w.name, order: w.order, environments: resolved.filter((e) => e.wave === w.name) }));
  return { configDir, groundwork, environments: resolved, waves };
}
