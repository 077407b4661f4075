import './esm-shims.js';
import { main } from './main.js';
import { post } from './post.js';
import { isPost } from './state.js';

// One bundle serves both entries in action.yml; the post step is recognised by the state main saved.
await (isPost() ? post() : main());
