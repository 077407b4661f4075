export const id = 357;
export const ids = [357];
export const modules = {

/***/ 9357:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   startProxyCommand: () => (/* binding */ startProxyCommand)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/**
 * `proxy_command`: a command on the runner (bash -c) whose stdin and stdout carry the SSH stream, as OpenSSH's
 * ProxyCommand. Its stderr is host text for the log, line by line and capped; it is killed when the connection
 * ends (and when this process exits); a command that ends before the handshake is a failure that names it.
 */


/** The longest stderr line passed on (the rest of it is dropped), and how many lines at most. */
const MAX_LINE = 2000;
const MAX_LINES = 200;
/** The proxy commands still running, stopped when this process exits (one listener for all of them). */
const running = new Set();
let hooked = false;
/** Starts `command` (already expanded and quoted) and gives the stream over its stdin and stdout. */
function startProxyCommand(command, output) {
    const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)('bash', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
    let ended;
    let lastLine = '';
    const kill = () => {
        if (child.exitCode === null && child.signalCode === null)
            child.kill('SIGTERM');
    };
    running.add(kill);
    if (!hooked) {
        hooked = true;
        process.once('exit', () => {
            for (const stop of running)
                stop();
        });
    }
    const sock = new node_stream__WEBPACK_IMPORTED_MODULE_1__.Duplex({
        read: () => void child.stdout.resume(),
        write: (chunk, _encoding, done) => {
            if (ended || !child.stdin.writable)
                return done();
            child.stdin.write(chunk, () => done());
        },
        final: (done) => {
            child.stdin.end();
            done();
        },
        destroy: (error, done) => {
            kill();
            done(error);
        },
    });
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (data) => {
        if (!sock.push(data))
            child.stdout.pause();
    });
    let partial = '';
    let lines = 0;
    const emit = (line) => {
        if (line.trim())
            lastLine = line.slice(0, MAX_LINE);
        if (lines++ < MAX_LINES)
            output(line.slice(0, MAX_LINE));
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
        const parts = (partial + text).split('\n');
        partial = (parts.pop() ?? '').slice(0, MAX_LINE);
        for (const line of parts)
            emit(line.replace(/\r$/, ''));
    });
    child.on('error', (error) => {
        ended ??= `proxy command \`${command}\` could not start: ${error.message}`;
        sock.push(null);
    });
    child.on('close', (code, signal) => {
        if (partial)
            emit(partial);
        running.delete(kill);
        const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
        ended ??= `proxy command \`${command}\` ${how}${lastLine ? `: ${lastLine}` : ''}`;
        // The stream ends once the reason is known: a handshake cut short says why.
        sock.push(null);
    });
    return {
        sock,
        failure: () => ended,
        close: () => {
            kill();
            sock.destroy();
        },
    };
}


/***/ })

};

//# sourceMappingURL=357.index.js.map