export const id = 296;
export const ids = [296];
export const modules = {

/***/ 8296:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DEPLOYMENT_TASKS: () => (/* reexport */ DEPLOYMENT_TASKS),
  deploymentObserver: () => (/* reexport */ deploymentObserver),
  githubObserver: () => (/* binding */ githubObserver)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 10 modules
var core = __webpack_require__(7264);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var github = __webpack_require__(2413);
;// CONCATENATED MODULE: ./src/action/github/deployments.ts
/**
 * GitHub's Deployments API, opt-in (input github-deployment): a deployment per run that changes hosts, its status
 * following the run. Action-only: the CLI never imports this module (nor @actions/github).
 */


/** The deployment `task` per command; the other commands record none. */
const DEPLOYMENT_TASKS = {
    deploy: 'deploy',
    redeploy: 'deploy:redeploy',
    rollback: 'deploy:rollback',
};
const API_TIMEOUT_MS = 15_000;
/**
 * An observer that records the run as a GitHub deployment: created once the release going live is known (after
 * the hosts are read and locked, before anything is staged or switched), `in_progress` right away, then `success`
 * (with environment_url, and auto_inactive so earlier deployments become inactive) or `failure`. Undefined for
 * commands that change nothing (releases, unlock).
 */
function deploymentObserver(opts) {
    const task = DEPLOYMENT_TASKS[opts.command];
    if (!task)
        return undefined;
    const warn = opts.warn ?? ((m) => core/* warning */.$e(m));
    const [owner, repo] = opts.repository.split('/');
    if (!owner || !repo) {
        warn('github-deployment: GITHUB_REPOSITORY is not set, so no deployment is recorded');
        return undefined;
    }
    if (!opts.token) {
        warn('github-deployment: github-token is empty, so no deployment is recorded');
        return undefined;
    }
    const octokit = github/* getOctokit */.Q(opts.token, opts.apiUrl ? { baseUrl: opts.apiUrl } : {});
    const request = () => ({ signal: AbortSignal.timeout(opts.timeoutMs ?? API_TIMEOUT_MS) });
    const logUrl = opts.runUrl ? { log_url: opts.runUrl } : {};
    let id;
    const failed = (what, error) => {
        const status = error.status;
        const reason = error instanceof Error ? error.message : String(error);
        warn(`github-deployment: could not ${what}${typeof status === 'number' ? ` (HTTP ${status})` : ''}: ${reason}. The deploy itself is not affected.`);
    };
    const setState = async (state, extra = {}) => {
        if (id === undefined)
            return;
        try {
            await octokit.rest.repos.createDeploymentStatus({
                owner,
                repo,
                deployment_id: id,
                state,
                ...logUrl,
                ...extra,
                request: request(),
            });
        }
        catch (error) {
            failed(`set the deployment status to ${state}`, error);
        }
    };
    return {
        async started(run) {
            try {
                const created = await octokit.rest.repos.createDeployment({
                    owner,
                    repo,
                    ref: run.sha || opts.sha,
                    task,
                    environment: opts.environment,
                    auto_merge: false,
                    required_contexts: [],
                    transient_environment: false,
                    production_environment: opts.environment === 'production',
                    payload: { release: run.release, previous: run.previous ?? null, command: opts.command },
                    description: `${opts.command} ${run.release}`.slice(0, 140),
                    request: request(),
                });
                if (!('id' in created.data)) {
                    warn(`github-deployment: GitHub did not create a deployment: ${created.data.message ?? `HTTP ${created.status}`}`);
                    return;
                }
                id = created.data.id;
            }
            catch (error) {
                failed('create the deployment', error);
                return;
            }
            await setState('in_progress', { description: `${opts.command} of ${run.release} in progress` });
        },
        async finished(report, error) {
            if (error === undefined) {
                await setState('success', {
                    auto_inactive: true,
                    ...(opts.url ? { environment_url: opts.url } : {}),
                    description: `${report.release ?? ''} is live`.trim().slice(0, 140),
                });
            }
            else {
                await setState('failure', { description: 'the run failed; see the log' });
            }
        },
    };
}

;// CONCATENATED MODULE: ./src/action/github/index.ts


/** The observer the action's inputs ask for: a GitHub deployment with github-deployment (never in a dry run). */
function githubObserver(inputs, config, run) {
    if (!inputs.githubDeployment || inputs.dryRun)
        return undefined;
    return deploymentObserver({
        token: inputs.githubToken,
        repository: run.repository,
        command: inputs.command,
        environment: config.environment,
        url: config.url,
        sha: run.sha,
        runUrl: run.runUrl,
    });
}


/***/ })

};

//# sourceMappingURL=296.index.js.map