import type { Step } from '../phase.js';
import { PREPARE_SH } from '../sh/index.js';

/**
 * deploy:prepare: the layout exists (`releases/`, `shared/`, `.deploy/`), none of its own directories is a symlink
 * planted to lead writes outside the deploy path, and `current` is ours to switch.
 */
export function prepare(): Step {
  return {
    id: 'prepare',
    brief: true,
    label: 'prepare',
    mayLackDeployPath: true,
    body: PREPARE_SH,
  };
}
