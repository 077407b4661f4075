import { ConfigError, loadConfig, type ConfigProblem, type EnvironmentConfig } from '../../src/config/index.js';

export const FILE = 'deploy.yml';

/** Joins lines, so tests can count lines and columns. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

export function load(
  text: string,
  environment = 'production',
  env: Record<string, string | undefined> = {},
): EnvironmentConfig {
  return loadConfig({ file: FILE, environment, env, text });
}

/** The problems loading `text` raises; fails the test if it loads or throws anything but ConfigError. */
export function problems(
  text: string,
  environment = 'production',
  env: Record<string, string | undefined> = {},
): ConfigProblem[] {
  try {
    load(text, environment, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw new Error(`expected a ConfigError, got ${String(error)}`);
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

/** The one problem loading `text` raises. */
export function problem(
  text: string,
  environment = 'production',
  env: Record<string, string | undefined> = {},
): ConfigProblem {
  const found = problems(text, environment, env);
  if (found.length !== 1)
    throw new Error(
      `expected one problem, got:\n${found.map((p) => `${p.line}:${p.column}: ${p.path}: ${p.message}`).join('\n')}`,
    );
  return found[0];
}

/** A minimal valid environment, with extra lines (indented 4 spaces) appended. */
export function env(...extra: string[]): string {
  return yaml(
    'environments:',
    '  production:',
    '    hosts: [deploy@web1.example.com]',
    '    deploy_path: /var/www/app',
    ...extra.map((l) => `    ${l}`),
  );
}
