/**
 * One reading of deploy.yml, in a process of its own as the action does it (once, with cold code): the config bench
 * (bench/config.ts) runs it with the number of host lines as its argument; it prints the CPU (user + system, ms)
 * that loadConfig took.
 */
import { loadConfig } from '../src/config/load.js';
import { benchConfigText } from './config-text.js';

const hosts = Number(process.argv[2]);
const text = benchConfigText(hosts);
const before = process.cpuUsage();
loadConfig({ file: '/bench/deploy.yml', environment: 'production', text, env: {} });
const used = process.cpuUsage(before);
console.log(((used.user + used.system) / 1000).toFixed(3));
