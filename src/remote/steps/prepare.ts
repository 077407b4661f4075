import type { Step } from '../phase.js';

/** deploy:prepare: the layout exists (`releases/`, `shared/`, `.deploy/`) and `current` is ours to switch. */
export function prepare(): Step {
  return {
    id: 'prepare',
    label: 'prepare',
    mayLackDeployPath: true,
    body: `da_dir "$DA_DEPLOY_PATH"
cd -- "$DA_DEPLOY_PATH"
if [ -e current ] && [ ! -L current ]; then
  echo "error: $DA_DEPLOY_PATH/current exists and is not a symlink (an older layout?)." >&2
  echo "Move it into releases/ and replace it with a symlink, or choose another deploy_path. Nothing was changed." >&2
  exit 1
fi
[ -d releases ] && [ -d shared ] && [ -d .deploy/pending ] && [ -d .deploy/manifests ] || mkdir -p releases shared .deploy/pending .deploy/manifests`,
  };
}
