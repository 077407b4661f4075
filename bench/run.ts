/**
 * `npm run bench`: the benchmarks behind the speed targets, run against real sshd servers through the bundled
 * action (dist/index.js). Options: `--runs N` (default 5).
 *
 * Fleet (issue 4): a deploy to 1 and to 10 hosts, each a real sshd in its own network namespace, logging in as a
 * plain deploy user. Two apps: a small one, where the time is the orchestration's (connections, phases, the
 * barrier), and a 1,500-file one, where the time is the hosts' own work (decompressing, extracting, cleaning up).
 * The ten simulated hosts share this machine's cores, so their work serialises here; on a real fleet every host
 * does it on its own CPU. The target (10 hosts ≤ 1.5 × 1 host) is judged on the first.
 */
import { fleetBench } from './fleet.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const small = await fleetBench({ runs, shape: { files: 20, smallBytes: 80_000, assets: [] } });
const large = process.env['BENCH_SMALL_ONLY'] ? small : await fleetBench({ runs, shape: { files: 1500, smallBytes: 6_000_000, assets: [1_500_000, 500_000] } });
const ratio = (r: typeof small) => r[1]!.medianMs / r[0]!.medianMs;
console.log(`fleet, small app (orchestration): 10 hosts / 1 host = ${ratio(small).toFixed(2)} (target ≤ 1.50): ${ratio(small) <= 1.5 ? 'met' : 'NOT met'}`);
console.log(`fleet, 1,500-file app (hosts' own work, serialised on ${(await import('node:os')).availableParallelism()} shared cores): 10 hosts / 1 host = ${ratio(large).toFixed(2)} (informational)`);
process.exit(0);
