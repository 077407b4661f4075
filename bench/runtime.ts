/**
 * The Node.js the benchmarks run the action under. GitHub runs the action with the runtime action.yml names
 * (`runs.using: node24`), which need not be the Node that started `npm run bench`; a figure read under another
 * runtime is not the action's. So the bench runs under action.yml's Node: when the Node it was started with is of
 * another major version, it starts itself again under that one and exits with its status.
 *
 * `--node current` keeps the Node it was started with; `--node 22` asks for another major version; `--node PATH`
 * names a binary. A major version is fetched from the npm registry's `node` package (`npx -p node@24`, kept in npm's
 * cache), as a binary shipped inside a registry package; when that fails, the bench says so and goes on under the
 * Node it has.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ACTION_YML = fileURLToPath(new URL('../../../action.yml', import.meta.url));

/** The major version action.yml runs the action under (`using: node24` → 24), if it says. */
export function actionNodeMajor(text = readFileSync(ACTION_YML, 'utf8')): number | undefined {
  const m = /^\s*using:\s*['"]?node(\d+)['"]?\s*$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

function nodeOfMajor(major: number): string | undefined {
  try {
    return execFileSync('npx', ['-y', '-p', `node@${major}`, '--', 'node', '-p', 'process.execPath'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    }).trim();
  } catch (error) {
    console.log(
      `bench: could not fetch Node ${major} (${error instanceof Error ? error.message.split('\n')[0] : error})`,
    );
    return undefined;
  }
}

/**
 * Runs the rest of the bench under the wanted Node: returns when this process is that Node (or none could be had),
 * otherwise runs the bench again under it and exits with its status.
 */
export function benchUnderActionNode(spec: string | undefined): void {
  const running = Number(process.versions.node.split('.')[0]);
  const declared = actionNodeMajor();
  let node: string | undefined;
  if (spec === 'current') node = undefined;
  else if (spec && /^\d+$/.test(spec)) node = Number(spec) === running ? undefined : nodeOfMajor(Number(spec));
  else if (spec) node = spec;
  else if (declared !== undefined && declared !== running) node = nodeOfMajor(declared);
  if (node && node !== process.execPath) {
    const r = spawnSync(node, process.argv.slice(1), { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const note =
    declared === undefined
      ? ''
      : declared === running
        ? ` (action.yml: node${declared})`
        : ` (action.yml says node${declared}: figures of another runtime)`;
  console.log(`bench: the action runs under Node ${process.version}${note}`);
}
