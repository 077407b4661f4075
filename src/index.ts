import './esm-shims.js';
import { NodeSSH } from 'node-ssh';
console.log('ok', typeof NodeSSH);
