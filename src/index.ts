import './esm-shims.js';
import { coalesceWrites } from './coalesce-writes.js';
import { main } from './action/main.js';
import { post } from './action/post.js';
import { isPost } from './action/state.js';

// The log goes to the runner through a pipe: a burst of lines (a fleet's progress) leaves in one write, and at most
// one write every 50 ms while lines keep coming.
coalesceWrites(process.stdout, { flushOnExit: true, orderedBefore: [process.stderr], turn: true, gapMs: 50 });

// One bundle serves both entries in action.yml; the post step is recognised by the state main saved.
await (isPost() ? post() : main());
