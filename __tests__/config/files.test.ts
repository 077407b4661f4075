/**
 * `files:` and `require_shared_files`, config level: entries read and checked with file, line and key; contents
 * expanded and masked for a command that writes files, only checked for one that does not; a missing variable or an
 * empty file refused; paths in shared/ linked as shared files. And the files step's report, as the runner reads it.
 */
import { createHash } from 'node:crypto';
import { loadConfig } from '../../src/config/index.js';
import { FILES_SH } from '../../src/remote/sh/index.js';
import { files, filesLine, filesOutcome, filesPlan, requiredSharedFiles } from '../../src/remote/steps/files.js';
import { env, FILE, load, problem, problems } from './helpers.js';

const ENV = { APP_KEY: 'base64:a2V5LWZvci10ZXN0cw', CREDS: '{"k":"v-secret"}' };
const ENTRIES = [
  'files:',
  '  - path: .env',
  '    content: |',
  '      APP_KEY=${APP_KEY}',
  '      LITERAL=$${KEEP}',
  '  - path: config/creds.json',
  '    from_env: CREDS',
  '    mode: "640"',
  '    release: true',
];

describe('files: config', () => {
  it('expands content and from_env, normalises the mode, masks the values, links the shared ones', () => {
    const c = load(env(...ENTRIES), 'production', ENV);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(c.files).toEqual([
      {
        path: '.env',
        release: false,
        mode: '0600',
        from: '${APP_KEY}',
        content: `APP_KEY=${ENV.APP_KEY}\nLITERAL=\${KEEP}\n`,
        sha256: sha(`APP_KEY=${ENV.APP_KEY}\nLITERAL=\${KEEP}\n`),
      },
      {
        path: 'config/creds.json',
        release: true,
        mode: '0640',
        from: '${CREDS}',
        content: ENV.CREDS,
        sha256: sha(ENV.CREDS),
      },
    ]);
    expect(c.secrets).toEqual(expect.arrayContaining([ENV.APP_KEY, ENV.CREDS]));
    expect(c.sharedFiles).toEqual(['.env']);
    expect(c.requireSharedFiles).toBe(false);
  });

  it('a command that writes no file: nothing expanded, nothing need be set; unset references listed', () => {
    const c = loadConfig({ file: FILE, environment: 'production', env: {}, text: env(...ENTRIES), expandEnv: false });
    expect(c.files.map((f) => [f.path, f.content])).toEqual([
      ['.env', undefined],
      ['config/creds.json', undefined],
    ]);
    expect(c.envSkipped?.unset.map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      "7 environments.production.files[0].content: references ${APP_KEY}, which is not set in the step's environment",
      "11 environments.production.files[1].from_env: references ${CREDS}, which is not set in the step's environment",
    ]);
    expect(filesPlan(c.files, '20260101120000')).toEqual([
      'write shared/.env (0600)',
      'write releases/20260101120000/config/creds.json (0640)',
    ]);
  });

  it('a variable that is not set: file, line and key', () => {
    const p = problem(env(...ENTRIES), 'production', { APP_KEY: ENV.APP_KEY });
    expect([p.line, p.path, p.message]).toEqual([
      11,
      'environments.production.files[1].from_env',
      "references ${CREDS}, which is not set in the step's environment",
    ]);
  });

  it('an empty file is refused, naming the entry and the variable, never the value', () => {
    const p = problem(env(...ENTRIES), 'production', { ...ENV, CREDS: ' \n' });
    expect(p.path).toBe('environments.production.files[1].from_env');
    expect(p.message).toContain('`config/creds.json` would be written empty: ${CREDS} is empty');
    const q = problem(env('files:', '  - { path: .env, content: "${A}${B}" }'), 'production', { A: '', B: '' });
    expect(q.message).toContain('${A} and ${B} is empty');
  });

  it('refuses bad entries', () => {
    const bad = (entry: string) => problems(env('files:', `  - ${entry}`)).map((p) => `${p.path}: ${p.message}`);
    expect(bad('{ path: .env }')).toEqual([
      'environments.production.files[0]: needs `content` (text, `${NAME}` replaced) or `from_env` (a variable name)',
    ]);
    expect(bad('{ path: .env, content: x, from_env: X }')).toEqual([
      'environments.production.files[0]: takes either `content` or `from_env`, not both',
    ]);
    expect(bad('{ path: ../etc/passwd, content: x }')).toEqual([
      'environments.production.files[0].path: must not contain `..` segments',
    ]);
    expect(bad('{ path: /etc/passwd, content: x }')[0]).toContain('must be relative');
    expect(bad('{ path: .env, from_env: ACTIONS_RUNTIME_TOKEN }')[0]).toContain(
      'internal to the GitHub Actions runner',
    );
    expect(bad('{ path: .env, from_env: "1X" }')[0]).toContain('must be a variable name');
    expect(bad('{ path: .env, content: "${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" }')[0]).toContain('runner');
    expect(bad('{ path: .env, content: x, mode: "999" }')[0]).toContain('octal file mode');
    expect(bad('{ path: .env, content: x, owner: me }')[0]).toContain('unknown key');
    expect(problems(env('files:', '  - { path: a, content: x }', '  - { path: a/, content: y }'))[0]!.message).toBe(
      '`a` is written twice (also at line 6)',
    );
  });

  it('checks paths against the shared lists', () => {
    const msg = (...extra: string[]) => problem(env(...extra), 'production', ENV).message;
    expect(msg('shared_dirs: [storage]', 'files: [{ path: storage, content: x }]')).toBe(
      '`storage` is a shared dir, not a file',
    );
    expect(msg('shared_files: [conf]', 'files: [{ path: conf/x, content: x }]')).toBe(
      '`conf/x` is inside `conf`, which is a shared file',
    );
    expect(msg('shared_dirs: [storage]', 'files: [{ path: storage/k, content: x, release: true }]')).toContain(
      'is in the shared dir `storage`, a link in every release',
    );
    // Inside a shared dir: written there, no link of its own.
    const c = load(env('shared_dirs: [storage]', 'files: [{ path: storage/k, content: x }]'), 'production', ENV);
    expect(c.sharedFiles).toEqual([]);
  });

  it('require_shared_files: the shared files no entry writes', () => {
    const c = load(
      env('shared_files: [.env, .env.local]', 'require_shared_files: true', 'files: [{ path: .env, content: x }]'),
    );
    expect(requiredSharedFiles(c)).toEqual(['.env.local']);
    expect(requiredSharedFiles({ ...c, requireSharedFiles: false })).toEqual([]);
  });
});

describe('the files step report', () => {
  const list = [
    { path: '.env', release: false, mode: '0600', from: '' },
    { path: 'config/a.json', release: true, mode: '0600', from: '' },
  ];
  it('names each file by its path from the config; a forged value or index is ignored', () => {
    const data = new Map([['file', ['1 unchanged', '0 changed', '7 changed', '0x changed', '1 hacked']]]);
    expect(filesLine(filesOutcome({ data }, list))).toBe('files: .env changed, config/a.json unchanged');
    const twice = new Map([['file', ['0 changed', '0 unchanged', '1 created']]]);
    expect(filesLine(filesOutcome({ data: twice }, list))).toBe('files: config/a.json created');
    expect(filesLine(filesOutcome(undefined, list))).toBeUndefined();
  });
});

describe('the files step script', () => {
  it('holds the content once, as a quoted assignment; only bash builtins touch it', () => {
    const content = "K=s3cr3t-'$(touch /tmp/x)'\n";
    const step = files({
      files: [{ path: '.env', release: false, mode: '0600', from: '${K}', content, sha256: 'a'.repeat(64) }],
      required: [],
    })!;
    const withSecret = step.body.split('\n').filter((l) => l.includes('s3cr3t'));
    expect(withSecret).toEqual([`c='K=s3cr3t-'\\''$(touch /tmp/x)'\\''`]);
    expect(step.body).toContain('unset c');
    // In the functions, the content ($c) is only ever the argument of printf, a builtin, into the open file.
    const uses = FILES_SH.split('\n').filter((l) => /\$c\b/.test(l));
    expect(uses).toEqual([`(umask 077; set -C; { chmod -- "$4" "$tmp"; printf '%s' "$c" >&3; } 3> "$tmp")`]);
  });
});
