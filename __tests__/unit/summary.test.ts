import { RunReport } from '../../src/report/report.js';
import { renderSummary } from '../../src/report/summary.js';
import { paragraph } from '../../src/report/document.js';

function successReport(): RunReport {
  const r = new RunReport('deploy', 'production', 'shop');
  r.release = '20240305070809';
  r.previous = '20240304010101';
  r.sha = 'abc123def456';
  r.url = 'https://shop.example.com/';
  r.changes.push('current -> releases/20240305070809 on web1, web2');
  r.step('runner', { id: 'build', label: 'build', status: 'ok', ms: 2500 });
  r.step('web1', { id: 'prepare', label: 'prepare', status: 'ok', ms: 120 });
  r.step('web1', { id: 'upload', label: 'upload', status: 'ok', ms: 1500 });
  r.step('web2', { id: 'prepare', label: 'prepare', status: 'ok', ms: 80 });
  r.finishedMs = 4200;
  return r;
}

/** The facts table under the title (one row under named columns), as column → cell. */
function factsOf(md: string): Record<string, string> {
  const [head, , row] = md.split('\n').slice(2, 5).map(splitRow);
  return Object.fromEntries(head!.map((k, i) => [k, row![i]!]));
}

/** The rows of the markdown table in the folded steps block, split into cells (escaped pipes kept). */
function stepRows(md: string): string[][] {
  const lines = md.split('\n');
  const at = lines.findIndex((l) => l.startsWith('<details><summary>Steps ('));
  expect(at).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(at + 4)) {
    if (!line.startsWith('|')) break;
    rows.push(splitRow(line));
  }
  return rows;
}

/** Splits a GFM table row on unescaped pipes. */
function splitRow(line: string): string[] {
  const cells = line.split(/(?<!\\)\|/);
  return cells.slice(1, -1).map((c) => c.trim());
}

describe('renderSummary: success', () => {
  const md = renderSummary(successReport());

  test('a headline with the outcome', () => {
    expect(md.split('\n')[0]).toBe('## ✅ Deploy of shop to production succeeded');
  });

  test('shows release, commit, previous release and URL', () => {
    expect(factsOf(md)).toEqual({
      Release: '` 20240305070809 `',
      Commit: 'abc123def456',
      'Previous release': '` 20240304010101 `',
      URL: '[https://shop.example.com/](https://shop.example.com/)',
      Duration: '4.2 s',
    });
  });

  test('a first deploy says there was no previous release', () => {
    const r = successReport();
    r.previous = undefined;
    expect(factsOf(renderSummary(r))['Previous release']).toBe('(none)');
  });

  test('lists the changes', () => {
    // `>` is backslash-escaped, which Markdown renders as a plain `>`
    expect(md).toContain('- current -\\> releases/20240305070809 on web1, web2');
  });

  test('a per-host step table', () => {
    expect(md).toContain('| Host | Step | Status | Duration |');
    expect(stepRows(md)).toEqual([
      ['runner', 'build', '✅ ok', '2.5 s'],
      ['web1', 'prepare', '✅ ok', '120 ms'],
      ['web1', 'upload', '✅ ok', '1.5 s'],
      ['web2', 'prepare', '✅ ok', '80 ms'],
    ]);
  });

  test('no failure section', () => {
    expect(md).not.toContain('Failed on');
    expect(md).not.toContain('Last lines of output');
    expect(md).not.toContain('What happened on each host');
  });

  test('a step updated twice (running, then ok) appears once', () => {
    const r = new RunReport('deploy', 'production', 'shop');
    r.step('web1', { id: 'lock', label: 'lock', status: 'running', ms: 0 });
    r.step('web1', { id: 'lock', label: 'lock', status: 'ok', ms: 5 });
    expect(stepRows(renderSummary(r))).toEqual([['web1', 'lock', '✅ ok', '5 ms']]);
  });
});

function failureReport(): RunReport {
  const r = new RunReport('deploy', 'production', 'shop');
  r.release = '20240305070809';
  r.previous = '20240304010101';
  r.sha = 'abc123';
  r.changes.push('this must not be shown on failure');
  r.begin(['web1', 'web2'], false);
  r.step('web1', { id: 'prepare', label: 'prepare', status: 'ok', ms: 10 });
  r.step('web1', { id: 'lock', label: 'lock', status: 'ok', ms: 10 });
  r.step('web1', { id: 'release', label: 'release', status: 'ok', ms: 10 });
  r.step('web1', { id: 'hook-1', label: 'php artisan migrate --force', status: 'failed', ms: 900 });
  r.step('web2', { id: 'prepare', label: 'prepare', status: 'ok', ms: 12 });
  r.step('web2', { id: 'lock', label: 'lock', status: 'ok', ms: 10 });
  r.undone.set('web1', true).set('web2', true);
  // What each host's abort path confirmed (its `undone` markers).
  r.undid.set('web1', new Set(['release-removed', 'unlocked', 'end'])).set('web2', new Set(['unlocked', 'end']));
  r.failure = {
    host: 'web1',
    step: 'php artisan migrate --force',
    message: 'failed with exit code 1',
    tail: ['Migrating: 2024_01_01_create_users', 'SQLSTATE[42S01]: table already exists', '```not a fence```'],
  };
  return r;
}

describe('renderSummary: failure', () => {
  const md = renderSummary(failureReport());

  test('a headline saying it failed', () => {
    expect(md.split('\n')[0]).toBe('## ❌ Deploy of shop to production failed');
  });

  test('names the failing host and step with the message', () => {
    const line = md.split('\n').find((l) => l.startsWith('**Failed on'));
    expect(line).toBeDefined();
    expect(line).toContain('web1');
    expect(line).toContain('php artisan migrate --force');
    expect(line).toContain('failed with exit code 1');
  });

  test('the output tail is in a collapsible block, fenced, and cannot close the fence early', () => {
    const lines = md.split('\n');
    const open = lines.indexOf('<details><summary>Last lines of output</summary>');
    expect(open).toBeGreaterThanOrEqual(0);
    const close = lines.indexOf('</details>', open);
    const block = lines.slice(open + 1, close);
    const fences = block.filter((l) => l.startsWith('```'));
    expect(fences).toEqual(['```', '```']);
    const inner = block.slice(block.indexOf('```') + 1, block.lastIndexOf('```'));
    expect(inner).toEqual([
      'Migrating: 2024_01_01_create_users',
      'SQLSTATE[42S01]: table already exists',
      "'''not a fence'''",
    ]);
  });

  test('no tail, no collapsible block', () => {
    const r = failureReport();
    r.failure!.tail = [];
    expect(renderSummary(r)).not.toContain('Last lines of output');
  });

  test('says what the run did and undid on each host, from its steps', () => {
    const lines = md.split('\n');
    const at = lines.indexOf('### What happened on each host');
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith('**Failed on')));
    expect(lines.slice(at + 2, at + 4)).toEqual([
      '- ` web1 `: took the deploy lock, made release ` 20240305070809 `, failed in step ` php artisan migrate --force `; then removed ` 20240305070809 ` and the ` shared/ ` entries this run created and released the lock. ` current ` is as it was before this run',
      '- ` web2 `: took the deploy lock; then released the lock. ` current ` is as it was before this run',
    ]);
  });

  test('the step table marks the failed step', () => {
    expect(stepRows(md)).toContainEqual([
      'web1',
      'php artisan migrate --force',
      '❌ failed: failed with exit code 1',
      '900 ms',
    ]);
  });

  test('success-only changes are not shown on failure', () => {
    expect(md).not.toContain('this must not be shown on failure');
  });
});

describe('renderSummary: markdown in user text', () => {
  test('a | in a hook label does not break the step table', () => {
    const r = new RunReport('deploy', 'production', 'shop');
    r.step('web1', { id: 'hook-1', label: 'ps aux | grep php || true', status: 'ok', ms: 3 });
    r.step('web1', { id: 'hook-2', label: 'echo `date` *bold* <b>x</b> [a](b) back\\slash', status: 'ok', ms: 4 });
    r.step('web1', { id: 'hook-3', label: 'multi\nline', status: 'ok', ms: 5 });
    const rows = stepRows(renderSummary(r));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(4);
    expect(rows[0]![1]).toBe('ps aux \\| grep php \\|\\| true');
    expect(rows[0]![2]).toBe('✅ ok');
    // no raw HTML, emphasis, code or link syntax reaches the table
    expect(rows[1]![1]).toBe('echo \\`date\\` \\*bold\\* \\<b\\>x\\</b\\> \\[a\\](b) back\\\\slash');
    expect(rows[2]![1]).toBe('multi line');
  });

  test('| in host names and in the facts table is escaped too', () => {
    const r = new RunReport('deploy', 'prod|eu', 'shop');
    r.release = 'r|1';
    r.step('a|b', { id: 'prepare', label: 'prepare', status: 'ok', ms: 1 });
    const md = renderSummary(r);
    expect(md.split('\n')[0]).toContain('prod\\|eu');
    expect(factsOf(md)['Release']).toBe('` r\\|1 `');
    expect(stepRows(md)).toEqual([['a\\|b', 'prepare', '✅ ok', '1 ms']]);
  });

  test('host text: no line break of any kind, heading, HTML or fence escape comes out of it', () => {
    const r = new RunReport('deploy', 'production', 'shop');
    r.step('web1', { id: 'hook-1', label: 'hook', status: 'failed', ms: 1 });
    r.failure = {
      host: 'web1',
      step: 'hook',
      message: 'failed: a\r\r<img src=x>\u2028# h',
      tail: ['x\r```', '\r</details><img src=y>'],
    };
    r.warnings.push('web1: a\r# heading & <b>x</b>');
    const out = renderSummary(r);
    expect(out).toContain('failed: a \\<img src=x\\> \\# h');
    expect(out).toContain('- web1: a \\# heading \\& \\<b\\>x\\</b\\>');
    expect(out).not.toMatch(/[\r\u2028]/);
    // The tail stays inside its fence: one opening and one closing line.
    expect(out.split('\n').filter((l) => l.startsWith('```'))).toEqual(['```', '```']);
  });

  test('warnings are listed', () => {
    const r = successReport();
    r.warnings.push('web2: http_user could not be detected');
    expect(renderSummary(r)).toContain('### Warnings\n- web2: http\\_user could not be detected');
  });
});

describe('failure line code spans', () => {
  test('host and step show literally: no stray backslashes, a backtick inside does not end the span', () => {
    const r = new RunReport('deploy', 'production', 'shop');
    r.failure = {
      host: 'web_1',
      step: 'php artisan cache:clear > /dev/null && echo `date`',
      message: 'failed with exit code 1',
      tail: [],
    };
    const out = renderSummary(r);
    expect(out).toContain('**Failed on ` web_1 ` in step `` php artisan cache:clear > /dev/null && echo `date` ``:**');
  });
});

describe('renderSummary: links, rollback, hook output', () => {
  const linked = () => {
    const r = successReport();
    r.sha = '0123456789abcdef0123456789abcdef01234567';
    r.links = {
      server: 'https://github.com',
      repository: 'acme/shop',
      runUrl: 'https://github.com/acme/shop/actions/runs/4242',
    };
    return r;
  };

  test('the commit links to it and the run is linked at the end', () => {
    const md = renderSummary(linked());
    expect(factsOf(md)['Commit']).toBe(
      '[0123456](https://github.com/acme/shop/commit/0123456789abcdef0123456789abcdef01234567)',
    );
    expect(md.trimEnd().split('\n').at(-1)).toBe('[Logs of this run](https://github.com/acme/shop/actions/runs/4242)');
  });

  test('a successful deploy says how to roll back, as a ready-to-paste with: block', () => {
    const md = renderSummary(linked());
    const lines = md.split('\n');
    const at = lines.indexOf('### Roll back');
    expect(at).toBeGreaterThan(0);
    const block = lines.slice(lines.indexOf('```yaml', at) + 1, lines.indexOf('```', lines.indexOf('```yaml', at) + 1));
    expect(block).toEqual([
      'with:',
      '  command: rollback',
      '  environment: "production"',
      '  release: "20240304010101"',
    ]);
    expect(md).toContain('deploy-action rollback production --release 20240304010101');
  });

  test('no rollback instructions on a failure, a first deploy, a dry run or a rollback', () => {
    const first = linked();
    first.previous = undefined;
    const dry = linked();
    dry.release = undefined;
    const rollback = new RunReport('rollback', 'production', 'shop');
    rollback.release = 'a';
    rollback.previous = 'b';
    for (const r of [failureReport(), first, dry, rollback]) expect(renderSummary(r)).not.toContain('### Roll back');
  });

  test('hook output is collapsed per host, the last lines only', () => {
    const r = successReport();
    for (let i = 1; i <= 100; i++)
      r.output('web1', { id: 'hook-1', label: 'php artisan migrate --force' }, `line ${i}`);
    r.output('web2', { id: 'activate-1', label: 'sudo systemctl reload php-fpm' }, 'reloaded');
    const md = renderSummary(r);
    expect(md).toContain('<details><summary>Hook output on web1 (100 lines)</summary>');
    expect(md).toContain('<details><summary>Hook output on web2 (1 line)</summary>');
    expect(md).toContain('line 100');
    expect(md).not.toContain('line 60\n');
    expect(md).toContain('_Last 40 lines; the full output is in the log._');
    expect(md).toContain('$ sudo systemctl reload php-fpm\nreloaded');
  });

  test('a report with 50 hosts and 10,000-line tails stays under 1 MiB, with notes saying what was cut', () => {
    const r = linked();
    const noisy = (host: number, i: number) => `host ${host} line ${i}: ${'x'.repeat(400)} \`\`\` <b>`;
    for (let h = 1; h <= 50; h++) {
      const host = `deploy@web${h}.example.com:22`;
      r.row(host).phases = { inspect: 100, stage: 2000, hooks: 5000, switch: 50, activate: 300, finish: 80 };
      r.row(host).health = { ok: true, attempts: 1, detail: `ok after 1 attempt ${'y'.repeat(500)}` };
      for (const id of [
        'prepare',
        'lock',
        'inspect',
        'release',
        'upload',
        'shared',
        'writable',
        'clear',
        'hook-1',
        'hook-2',
        'symlink',
        'activate-1',
        'log',
        'unlock',
        'cleanup',
      ]) {
        r.step(host, {
          id,
          label: id.startsWith('hook') ? `php artisan ${'z'.repeat(5000)}` : id,
          status: 'ok',
          ms: 10,
        });
      }
      for (let i = 0; i < 10_000; i++)
        r.output(host, { id: 'hook-1', label: 'php artisan migrate --force' }, noisy(h, i));
      for (let i = 0; i < 100; i++) r.warnings.push(`warning ${i} ${'w'.repeat(2000)}`);
    }
    r.failure = {
      host: 'deploy@web1.example.com:22',
      step: 'migrate',
      message: 'failed with exit code 1',
      tail: Array.from({ length: 10_000 }, (_, i) => noisy(1, i)),
    };
    r.details.push(...Array.from({ length: 10_000 }, (_, i) => paragraph(`detail ${i} ${'d'.repeat(200)}`)));
    const md = renderSummary(r);
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
    expect(md.split('\n')[0]).toBe('## ❌ Deploy of shop to production failed');
    expect(md).toContain('_Last 60 of 10000 lines; the full output is in the log._');
    expect(md).toContain('| [0123456](https://github.com/acme/shop/commit/');
    expect(md).toMatch(/Hook output of \d+ more hosts is not shown here|Hook output is not shown here/);
    expect(md).toContain('[Logs of this run](https://github.com/acme/shop/actions/runs/4242)');
    // Every kept line was cut to a bounded length.
    expect(Math.max(...md.split('\n').map((l) => l.length))).toBeLessThan(5000);
  });

  test('an ordinary 50-host deploy keeps every section', () => {
    const r = linked();
    for (let h = 1; h <= 50; h++) {
      r.row(`web${h}`).phases = { stage: 2000 };
      r.step(`web${h}`, { id: 'hook-1', label: 'php artisan migrate', status: 'ok', ms: 10 });
      for (let i = 0; i < 30; i++) r.output(`web${h}`, { id: 'hook-1', label: 'php artisan migrate' }, `migrated ${i}`);
    }
    const md = renderSummary(r);
    expect(md).toContain('<details><summary>Steps (54 steps on 50 hosts)</summary>');
    expect(md).toContain('<details><summary>Hook output on web50 (30 lines)</summary>');
    expect(md).not.toContain('not shown here');
  });
});
