export const id = 781;
export const ids = [781,177];
export const modules = {

/***/ 3781:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   connectThrough: () => (/* binding */ connectThrough)
/* harmony export */ });
/* harmony import */ var _config_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1138);
/* harmony import */ var _ssh_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2177);
/**
 * Jump hosts (OpenSSH's ProxyJump): each hop is an SSH connection whose `direct-tcpip` channel carries the next one,
 * the last carrying the target's. Every hop's host key is checked against `known-hosts` as the target's is (by the
 * same connectSsh), before authentication; a failure names the hop.
 */


/** Closes the hops from the last to the first. */
function closeAll(hops) {
    for (const hop of [...hops].reverse())
        void hop.close();
}
/**
 * Connects to `target` through `hops`. Only the first hop has a TCP connection of its own (opened early if
 * connectEarly was called for it); the target keeps its pipelined session. Closing the target closes its hops.
 */
async function connectThrough(target, hops, creds) {
    const open = [];
    const carrier = (sock, session) => {
        const under = [...open];
        return { sock, session, close: () => closeAll(under) };
    };
    const label = (i) => `jump host ${(0,_config_index_js__WEBPACK_IMPORTED_MODULE_0__/* .hopName */ .H)(hops[i])} (hop ${i + 1} of ${hops.length})`;
    let sock;
    for (const [i, hop] of hops.entries()) {
        const name = (0,_config_index_js__WEBPACK_IMPORTED_MODULE_0__/* .hopName */ .H)(hop);
        try {
            const transport = await (0,_ssh_js__WEBPACK_IMPORTED_MODULE_1__.connectSsh)({ ...hop, name }, creds, sock && { sock, session: false, close: () => undefined });
            open.push(transport);
        }
        catch (error) {
            closeAll(open);
            throw hopError(label(i), error);
        }
        const next = hops[i + 1] ?? target;
        const address = hops[i + 1]?.masked ? '***' : `${next.host}:${next.port}`;
        const what = i + 1 < hops.length ? label(i + 1) : target.name;
        try {
            sock = await within(open[i].forward(next.host, next.port), creds.connectTimeoutMs);
        }
        catch (error) {
            closeAll(open);
            if (error === LATE) {
                const seconds = Math.round(creds.connectTimeoutMs / 1000);
                throw new _ssh_js__WEBPACK_IMPORTED_MODULE_1__.ConnectError(`${label(i)} could not reach ${what} at ${address}: no answer within ${seconds} s (connect-timeout). ` +
                    'The jump host got no reply from that address and port: check that it is the right one and that no ' +
                    'firewall between the jump host and it drops the connection.', 'timeout', true);
            }
            throw new _ssh_js__WEBPACK_IMPORTED_MODULE_1__.ConnectError(`${label(i)} could not reach ${what} at ${address}: ${error.message}. ` +
                'Check that the jump host can reach that address and port, and that its sshd allows TCP forwarding ' +
                '(AllowTcpForwarding).', 'network');
        }
    }
    // On failure connectSsh closes what carries it: the hops.
    return (0,_ssh_js__WEBPACK_IMPORTED_MODULE_1__.connectSsh)(target, creds, sock && carrier(sock, true));
}
/** What `within` rejects with when the time is up. */
const LATE = new Error('late');
/** `promise`, or LATE after `ms` (the channel a jump host opens too late is closed with its connection). */
function within(promise, ms) {
    let timer;
    const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(LATE), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
/** A hop's failure named by the hop; one before the hop's authentication may be tried again, as the target's. */
function hopError(label, error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof _ssh_js__WEBPACK_IMPORTED_MODULE_1__.ConnectError))
        return new _ssh_js__WEBPACK_IMPORTED_MODULE_1__.ConnectError(`${label}: ${message}`, 'network');
    return new _ssh_js__WEBPACK_IMPORTED_MODULE_1__.ConnectError(`${label}: ${message}`, error.kind, error.beforeAuth);
}


/***/ }),

/***/ 2177:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ConnectError: () => (/* binding */ ConnectError),
  connectSsh: () => (/* binding */ connectSsh)
});

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
// EXTERNAL MODULE: ./node_modules/node-ssh/lib/esm/index.mjs + 2 modules
var esm = __webpack_require__(9487);
;// CONCATENATED MODULE: ./src/transport/pipelined-login.ts
/**
 * The command ssh2 is given for the session opened during login: it never reaches the server (the wrapped
 * `exec` below swaps in the real command); if it ever did, the host would run nothing.
 */
const PLACEHOLDER = 'exit 70 # deploy-action: session opened during login';
/**
 * Logs in with fewer round trips. ssh2 waits for each answer before the next request: the `ssh-userauth` service,
 * then the key, then (after the login) the session channel, then the command: four round trips. The protocol lets
 * a client send the first three together when the key exchange authenticated the server (RFC 4253 §7: every
 * method ssh2 offers signs the exchange with the host key; the host key was checked by then) and names what a
 * server does with messages that follow a login request (RFC 4252 §5.1: those after the request that succeeded go to
 * the service; OpenSSH works through its input in order, so the channel request is read once the login succeeded).
 * With `openSession` the session channel is requested in the same flight; only for a login that is one attempt (one
 * private key, no agent), since a channel request that arrives while the server is still waiting for a second
 * attempt is refused.
 *
 * Only with OpenSSH servers, whose order of processing was checked (__tests__/transport/ssh-login.test.ts); other
 * servers get ssh2's usual sequence. Wraps two methods of the connection's protocol object and one of its message
 * handlers, which ssh2 does not document; if their shape changes, this does nothing. Call it right after
 * `client.connect()`, before the handshake completes.
 */
function pipelineLogin(client, opts) {
    const none = { exec: () => undefined };
    const internals = client;
    const proto = internals._protocol;
    const handlers = proto?._handlers;
    const accept = handlers?.SERVICE_ACCEPT;
    const extInfo = handlers?.EXT_INFO;
    if (!proto || !handlers || typeof accept !== 'function' || typeof extInfo !== 'function')
        return none;
    if (typeof proto.service !== 'function' ||
        typeof proto.exec !== 'function' ||
        proto.service.length !== 1 ||
        proto.exec.length !== 3)
        return none;
    // The login starts once: early (below), or on the server's answer to the service request if that comes first.
    let loginStarted = false;
    handlers.SERVICE_ACCEPT = (p, name) => {
        if (name !== 'ssh-userauth')
            return accept(p, name);
        if (loginStarted)
            return;
        loginStarted = true;
        accept(p, name);
    };
    let early;
    let command;
    let held;
    const exec = proto.exec;
    proto.exec = function (chan, cmd, wantReply) {
        if (cmd !== PLACEHOLDER || !early)
            return exec.call(this, chan, cmd, wantReply);
        held = (real) => exec.call(this, chan, real, wantReply);
        if (command !== undefined)
            held(command);
    };
    // Early means once the service is asked for and the server's EXT_INFO is read: ssh2 picks an RSA key's signature
    // algorithm from its server-sig-algs. OpenSSH (7.2 on) sends it right after its NEWKEYS, as ssh2 offers ext-info-c;
    // without it, the login waits for the server's answer as usual. This runs inside ssh2's packet handling, whose
    // errors end the connection the usual way.
    let requested = false;
    let extSeen = false;
    const startEarly = () => {
        if (!requested || !extSeen || loginStarted || !/^OpenSSH_/.test(internals._remoteVer ?? '') || !isOpen(client))
            return;
        handlers.SERVICE_ACCEPT(proto, 'ssh-userauth');
        if (!opts.openSession)
            return;
        early = new Promise((resolve, reject) => {
            try {
                client.exec(PLACEHOLDER, (err, channel) => (err ? reject(err) : resolve(channel)));
            }
            catch (error) {
                reject(error instanceof Error ? error : new Error(String(error)));
            }
        });
        early.catch(() => undefined); // a failed login ends the connection and this with it: connect() reports that
    };
    handlers.EXT_INFO = (p, exts) => {
        extInfo(p, exts);
        if (extSeen)
            return;
        extSeen = true;
        startEarly();
    };
    const service = proto.service;
    proto.service = function (name) {
        service.call(this, name);
        if (name !== 'ssh-userauth' || requested)
            return;
        requested = true;
        startEarly();
    };
    return {
        exec(real) {
            if (!early || command !== undefined)
                return undefined;
            command = real;
            held?.(real);
            return early;
        },
    };
}
function isOpen(client) {
    const sock = client._sock;
    return !!sock?.writable;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./node_modules/ssh2/lib/index.js
var lib = __webpack_require__(5472);
var lib_default = /*#__PURE__*/__webpack_require__.n(lib);
// EXTERNAL MODULE: ./src/transport/certificate.ts
var transport_certificate = __webpack_require__(2102);
;// CONCATENATED MODULE: ./src/transport/sign-at-once.ts



// ssh2 is CommonJS: its named exports are not visible to Node's ESM loader (the bench runs this file unbundled).
const { utils } = (lib_default());
/**
 * A private key as ssh2 parses it, once per run for each key text and passphrase: ssh2 parses the text again for every
 * connection it is given it to, and an encrypted OpenSSH key costs a bcrypt KDF in JavaScript each time (0.6-1 s
 * of the runner's CPU per host here). Undefined when the text is no private key ssh2 can read with this passphrase:
 * the caller then gives ssh2 the text, which reports the problem its own way.
 */
function parsedPrivateKey(privateKey, passphrase) {
    const id = `${passphrase ?? ''}\0${privateKey}`;
    if (!parsedKeys.has(id)) {
        const parsed = utils.parseKey(privateKey, passphrase);
        const key = Array.isArray(parsed) ? parsed[0] : parsed;
        if (parsedKeys.size >= 4)
            parsedKeys.clear();
        parsedKeys.set(id, key && !(key instanceof Error) && key.isPrivateKey() ? key : undefined);
    }
    return parsedKeys.get(id);
}
const parsedKeys = new Map();
/** The hash each RSA signature algorithm signs with (the other key types have one hash each). */
const RSA_HASH = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512', 'ssh-rsa': 'sha1' };
function isSigningKey(key) {
    const k = key;
    return !!k && typeof k.sign === 'function' && typeof k.isPrivateKey === 'function' && k.isPrivateKey();
}
/**
 * ssh2's key objects sign with their private key as PEM text, which OpenSSL decodes again for every signature: about
 * 2 ms of the runner's CPU per login (an Ed25519 signature itself takes under 0.1 ms), paid by every host. The
 * decoded key is kept per PEM text (one per credential, so this holds one or two), and ssh2's own sign() runs with
 * it in place of the text: the same algorithm and hash, the same signature. A key whose PEM ssh2 does not keep
 * under that symbol (a later ssh2) signs as before.
 */
const decoded = new Map();
const PRIV_PEM = 'Private key PEM';
function signFast(key, data, hash) {
    const symbol = Object.getOwnPropertySymbols(key).find((s) => s.description === PRIV_PEM);
    const pem = symbol ? key[symbol] : undefined;
    if (!symbol || typeof pem !== 'string')
        return key.sign(data, hash);
    let object = decoded.get(pem);
    if (!object) {
        try {
            object = (0,external_node_crypto_.createPrivateKey)(pem);
        }
        catch {
            return key.sign(data, hash);
        }
        if (decoded.size >= 4)
            decoded.clear();
        decoded.set(pem, object);
    }
    return key.sign.call(Object.create(key, { [symbol]: { value: object } }), data, hash);
}
/**
 * Public-key authentication in one round trip instead of two. ssh2 always asks the server first whether a key
 * would be accepted (a request without a signature) and signs only after the server says yes. RFC 4252 §7 lets the
 * client send the signed request straight away; the server answers it exactly as it answers a query, success or
 * failure, so nothing else changes: a refused key fails the same way, an RSA key signs with the algorithm ssh2 picked
 * for the server (rsa-sha2-256/512 or ssh-rsa), and keys held by an agent (which signs only on request) keep asking
 * first.
 *
 * This wraps the `authPK` method of the connection's protocol object, which ssh2 does not document. ssh2 is
 * pinned by package-lock.json and bundled into dist/; if a later version is shaped differently, this does nothing
 * and authentication takes its usual two round trips (the tests in __tests__/transport/ssh-auth.test.ts notice).
 * Call it right after `client.connect()`, before the handshake completes.
 */
function signWithoutAsking(client) {
    const proto = client._protocol;
    const authPK = proto?.authPK;
    if (!proto || typeof authPK !== 'function' || authPK.length !== 4)
        return false;
    proto.authPK = function (username, key, keyAlgo, sign) {
        if (sign || !isSigningKey(key))
            return authPK.call(this, username, key, keyAlgo, sign);
        const hash = key.type === 'ssh-rsa' ? RSA_HASH[keyAlgo ?? 'ssh-rsa'] : undefined;
        return authPK.call(this, username, key, keyAlgo, (data, done) => {
            const signature = signFast(key, data, hash);
            // A key that cannot sign: ask first after all, and ssh2 reports the failure its own way when it signs.
            if (signature instanceof Error)
                authPK.call(this, username, key, keyAlgo);
            else
                done(signature);
        });
    };
    return true;
}
/**
 * Logs in with an OpenSSH user certificate, which ssh2 does not support (mscdex/ssh2 issue 551): the publickey
 * request names the certificate's algorithm (`ssh-ed25519-cert-v01@openssh.com`, `rsa-sha2-512-cert-v01@openssh.com`)
 * and carries the certificate as its public key; the private key signs the usual session data (RFC 4252 §7) and the
 * signature names the plain algorithm (`ssh-ed25519`, `rsa-sha2-512`), as OpenSSH's client does. The signed request
 * goes out at once. ssh2 builds the data to sign; this writes the request itself, because ssh2 would name the
 * signature with the certificate's algorithm. Returns false when ssh2 is shaped differently (the caller refuses to
 * go on: without the certificate the login would only fail later, less clearly). Call it after signWithoutAsking.
 */
function presentCertificate(client, certificate) {
    const proto = client._protocol;
    const authPK = proto?.authPK;
    const writer = proto?._packetRW?.write;
    if (!proto || typeof authPK !== 'function' || authPK.length !== 4 || !Array.isArray(proto._authsQueue))
        return false;
    if (!writer || typeof writer.alloc !== 'function' || typeof writer.finalize !== 'function')
        return false;
    if (typeof proto._cipher?.encrypt !== 'function')
        return false;
    proto.authPK = function (username, key, keyAlgo, sign) {
        if (sign || !isSigningKey(key) || key.type !== certificate.keyType) {
            return authPK.call(this, username, key, keyAlgo, sign);
        }
        const algorithm = keyAlgo ?? key.type;
        const hash = key.type === 'ssh-rsa' ? RSA_HASH[algorithm] : undefined;
        // ssh2 writes the request's fields with the certificate in place of the key and hands over the data to sign.
        const presented = Object.create(key, { getPublicSSH: { value: () => certificate.blob } });
        return authPK.call(this, username, presented, (0,transport_certificate/* certificateAlgorithm */.Pn)(algorithm), (data) => {
            const signature = signFast(key, data, hash);
            if (signature instanceof Error)
                throw new Error(`the private key could not sign the login: ${signature.message}`);
            const sessionIdLength = data.readUInt32BE(0);
            const blob = (0,transport_certificate/* signatureBlob */.OD)(algorithm, (0,transport_certificate/* sshSignature */.zl)(key.type, signature));
            const length = Buffer.alloc(4);
            length.writeUInt32BE(blob.length, 0);
            const payload = Buffer.concat([data.subarray(4 + sessionIdLength), length, blob]);
            send(this, payload);
        });
    };
    return true;
}
/** Sends one packet as ssh2's own methods do: queued during a key re-exchange, else encrypted and written. */
function send(proto, payload) {
    const writer = proto._packetRW.write;
    const packet = writer.alloc(payload.length);
    packet.set(payload, writer.allocStart);
    const finalized = writer.finalize(packet);
    proto._authsQueue.push('publickey');
    if (proto._kexinit === undefined) {
        proto._cipher.encrypt(finalized);
        return;
    }
    proto._queue ??= [];
    proto._queue.push(finalized);
}
/**
 * The fingerprint of a private key's public half as OpenSSH prints it (`SHA256:…`, as `ssh-keygen -lf` and sshd's
 * log show it), or undefined when the key cannot be read here.
 */
function keyFingerprint(privateKey, passphrase) {
    const key = parsedPrivateKey(privateKey, passphrase);
    if (!key)
        return undefined;
    return `SHA256:${(0,external_node_crypto_.createHash)('sha256').update(key.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
}
/**
 * Why the certificate cannot be used with this private key (it certifies another key), or undefined. A key that
 * cannot be read is left to the login, which reports it its own way.
 */
function certificateMismatch(certificate, privateKey, passphrase, names) {
    const key = parsedPrivateKey(privateKey, passphrase);
    if (!key)
        return undefined;
    try {
        (0,transport_certificate/* checkCertificateKey */.pS)(certificate, key.getPublicSSH(), names.certificate, names.key);
        return undefined;
    }
    catch (error) {
        return error.message;
    }
}

;// CONCATENATED MODULE: ./src/transport/host-keys-update.ts
/**
 * OpenSSH's sshd sends every host key it has after the login (`hostkeys-00@openssh.com`, for clients that update
 * their known_hosts: OpenSSH's UpdateHostKeys). ssh2 answers it by asking the server to prove each key (one more
 * request and reply, a signature per key on the host) and verifying each proof, to emit a `hostkeys` event that
 * nothing here listens to: the host key is pinned by known-hosts before the login, and never updated from the
 * connection. That cost every host about 1.5 ms of the runner's CPU with one host key (a server with RSA, ECDSA and
 * Ed25519 keys makes it three proofs), and the host the signatures. This leaves the announcement unanswered, as
 * OpenSSH's own client does without UpdateHostKeys (it asks for no reply); other global requests go to ssh2 as
 * before. Returns false, changing nothing, when ssh2 is shaped differently. Call it right after `client.connect()`.
 */
function ignoreHostKeysUpdate(client) {
    const proto = client._protocol;
    const handlers = proto?._handlers;
    const handler = handlers?.GLOBAL_REQUEST;
    if (!handlers || typeof handler !== 'function' || typeof proto?.requestSuccess !== 'function')
        return false;
    handlers.GLOBAL_REQUEST = function (p, name, wantReply, data) {
        if (name !== 'hostkeys-00@openssh.com')
            return handler.call(this, p, name, wantReply, data);
        // As ssh2 does for it: a server that asks for a reply gets success.
        if (wantReply)
            proto.requestSuccess();
    };
    return true;
}

;// CONCATENATED MODULE: ./src/transport/cipher-keys.ts

/**
 * ssh2 makes a new AES-GCM cipher for every packet it sends or receives (each packet has its own nonce), from the
 * key's bytes, and Node turns those bytes into a key every time. Given a key object, made once per key exchange,
 * it skips that: in the scale bench (100 hosts, about 2,400 packets in), the runner's main thread spent 16-28 ms in
 * `createDecipheriv` instead of 106 ms. This hands every AES-GCM cipher ssh2 installs (after each key exchange, in
 * both directions) its key as a key object; the encryption is the same. Returns false, changing nothing, when ssh2
 * is shaped differently. Call it right after `client.connect()`, before the key exchange ends.
 */
function gcmKeyObjects(client) {
    const proto = client._protocol;
    if (!proto || !('_cipher' in proto) || !('_decipher' in proto))
        return false;
    for (const field of ['_cipher', '_decipher']) {
        let installed = proto[field];
        Object.defineProperty(proto, field, {
            configurable: true,
            enumerable: true,
            get: () => installed,
            set: (cipher) => {
                installed = cipher;
                withKeyObject(cipher);
            },
        });
    }
    return true;
}
function withKeyObject(cipher) {
    if (!cipher)
        return;
    if (isGcm(cipher._encSSLName) && Buffer.isBuffer(cipher._encKey))
        cipher._encKey = (0,external_node_crypto_.createSecretKey)(cipher._encKey);
    if (isGcm(cipher._decipherSSLName) && Buffer.isBuffer(cipher._decipherKey))
        cipher._decipherKey = (0,external_node_crypto_.createSecretKey)(cipher._decipherKey);
}
const isGcm = (name) => typeof name === 'string' && /^aes-(128|256)-gcm$/.test(name);

;// CONCATENATED MODULE: ./src/transport/net-errors.ts
const WORDS = {
    action: {
        us: "the runner's",
        inside: 'run the job on a self-hosted runner inside that network',
        // Hosted runners come from a wide, changing set of addresses: an allow-list on the host rarely holds them.
        dropped: "GitHub's hosted runners connect from addresses that change: allow them all, or run the job on a self-hosted " +
            'runner whose address the host allows',
    },
    cli: {
        us: "this machine's",
        inside: 'connect to that network first (a VPN?)',
        dropped: 'is the host up, and does its firewall allow this machine (a VPN needed?)',
    },
};
/** The code of a socket or resolver error (`error.code`), if it has one. */
function errorCode(error) {
    const code = typeof error === 'object' && error !== null ? error.code : undefined;
    return typeof code === 'string' ? code : undefined;
}
/**
 * The sentence for a connection that failed before the SSH handshake with `code`, or undefined for a code without
 * one (the caller keeps the error's own text).
 */
function describeNetError(code, { host, port }, surface = 'action') {
    const w = WORDS[surface];
    switch (code) {
        case 'ECONNREFUSED':
            return `nothing listens on port ${port} of ${host} (ECONNREFUSED): wrong port? is sshd running? a firewall that rejects ${w.us} address?`;
        case 'ENOTFOUND':
            return `the name ${host} does not resolve (ENOTFOUND): a typo? a private name that only resolves inside your network? use the host's IP address, or ${w.inside}`;
        case 'EAI_AGAIN':
            return `the name ${host} could not be resolved now (EAI_AGAIN: the DNS server did not answer): a private name that only resolves inside your network? try again, use the host's IP address, or ${w.inside}`;
        case 'ETIMEDOUT':
            return `no answer from port ${port} of ${host} (ETIMEDOUT): a firewall that drops ${w.us} packets? ${w.dropped}`;
        case 'EHOSTUNREACH':
        case 'ENETUNREACH':
            return `no route to ${host} (${code}): is the address right, and reachable from ${w.us} network? ${w.dropped}`;
        case 'ECONNRESET':
        case 'EPIPE':
            return `${host} closed the connection on port ${port} before the SSH handshake finished (${code}): a firewall or fail2ban that refuses ${w.us} address? sshd's MaxStartups reached? is it an SSH server on that port?`;
        default:
            return undefined;
    }
}
/**
 * A handshake that did not finish within the connect timeout: whether the TCP connection came up tells a silent
 * firewall from a port that answers but speaks no SSH (or a host too busy to).
 */
function describeHandshakeTimeout(target, seconds, tcpUp, surface = 'action') {
    const { host, port } = target;
    const w = WORDS[surface];
    return tcpUp
        ? `no SSH connection within ${seconds} s: port ${port} of ${host} accepted the TCP connection, but the SSH handshake did not finish: is it an SSH server on that port? a host too busy to answer? (a slow host: raise connect-timeout)`
        : `no SSH connection within ${seconds} s: no answer from port ${port} of ${host}: a firewall that drops ${w.us} packets? ${w.dropped}`;
}
/** The connection of a running session failed: why, for the host's failure message. */
function describeLostConnection(error) {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        return `the host closed the connection (${error.code}): sshd restarted, the host rebooted, or a firewall cut an idle connection`;
    const code = error.code && !error.message.includes(error.code) ? ` (${error.code})` : '';
    return `the connection failed: ${error.message}${code}`;
}

// EXTERNAL MODULE: ./src/transport/collect.ts
var collect = __webpack_require__(3971);
;// CONCATENATED MODULE: ./src/transport/ssh-transport.ts
/** An open SSH connection as a Transport: commands, the early session, keepalive loss, a graceful close. */


/** How long a closed connection may take to hand its last writes to the kernel. */
const CLOSE_GRACE_MS = 1000;
class SshTransport {
    name;
    ssh;
    socket;
    early;
    via;
    /** Set when the connection went away on its own (not by close()). */
    lostBecause;
    closing = false;
    constructor(name, ssh, socket, early, via) {
        this.name = name;
        this.ssh = ssh;
        this.socket = socket;
        this.early = early;
        this.via = via;
    }
    /** A `direct-tcpip` channel from this host to `host:port`: the stream of the next hop of a jump chain. */
    forward(host, port) {
        const connection = this.ssh.connection;
        if (!connection)
            return Promise.reject(new Error(this.lostBecause ?? 'the SSH connection is closed'));
        return new Promise((resolve, reject) => connection.forwardOut('127.0.0.1', 0, host, port, (err, channel) => (err ? reject(err) : resolve(channel))));
    }
    async start(command) {
        const channel = await this.channelFor(command);
        let status = { code: null, signal: null };
        channel.on('exit', (code, signal) => {
            status = { code: code ?? null, signal: signal ?? null };
        });
        const exited = new Promise((resolve) => channel.on('close', () => {
            // The channel's close comes after the connection's error, so the reason is known by now.
            if (status.code === null && this.lostBecause && !this.closing)
                status = { ...status, lostBecause: this.lostBecause };
            resolve(status);
        }));
        channel.on('error', () => undefined);
        return { stdin: channel, stdout: channel, stderr: channel.stderr, exited, destroy: () => channel.destroy() };
    }
    /**
     * A channel running `command`: the session channel opened during the login if there is one (it fails only if the
     * server refused it or the connection went away; a new channel is asked for then), else a new one.
     */
    async channelFor(command) {
        const early = this.early?.exec(command);
        if (early) {
            try {
                return await early;
            }
            catch {
                // A lost connection is reported as such; a refused channel or command is asked for again the usual way.
                if (this.lostBecause)
                    throw new Error(this.lostBecause);
            }
        }
        const connection = this.ssh.connection;
        if (!connection)
            throw new Error(this.lostBecause ?? `${this.name}: the SSH connection is closed`);
        return new Promise((resolve, reject) => {
            // A connection lost meanwhile fails the request too; its reason (set first) says more than "Unable to exec".
            const fail = (err) => reject(this.lostBecause ? new Error(this.lostBecause) : err);
            try {
                connection.exec(command, (err, ch) => (err ? fail(err) : resolve(ch)));
            }
            catch (error) {
                fail(error instanceof Error ? error : new Error(String(error))); // "Not connected": gone before the request
            }
        });
    }
    async run(command) {
        return (0,collect/* collect */.F)(await this.start(command));
    }
    async close() {
        this.closing = true;
        // What was written (the session's end, the disconnect message) is on its way once the kernel has it: the socket
        // goes then, without waiting a round trip for the server's side of the close (forever, behind a stalled network).
        // Writes the kernel cannot even take (a stalled network with full buffers) are dropped after a second.
        const socket = this.socket;
        this.ssh.dispose();
        if (!(socket instanceof external_node_net_.Socket)) {
            // A channel of a jump host, or a proxy command's pipes: what carries it goes with it.
            socket.destroy();
            this.via?.close();
            return;
        }
        if (!socket.destroyed) {
            const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
            timer.unref();
            socket.unref();
            const gone = () => {
                clearTimeout(timer);
                socket.destroy();
            };
            if (socket.writableFinished)
                gone();
            else
                socket.once('finish', gone);
        }
    }
}

// EXTERNAL MODULE: ./src/transport/tcp.ts
var tcp = __webpack_require__(2118);
;// CONCATENATED MODULE: ./src/transport/ca-signature.ts
/**
 * A certificate authority's signature over a certificate (PROTOCOL.certkeys), checked with node:crypto: ed25519,
 * ECDSA (nistp256/384/521) and RSA with SHA-2 (rsa-sha2-256/512). `ssh-rsa` (SHA-1) signatures are refused, as
 * OpenSSH's default CASignatureAlgorithms does.
 */


const CURVES = {
    'ecdsa-sha2-nistp256': { crv: 'P-256', hash: 'sha256', size: 32 },
    'ecdsa-sha2-nistp384': { crv: 'P-384', hash: 'sha384', size: 48 },
    'ecdsa-sha2-nistp521': { crv: 'P-521', hash: 'sha512', size: 66 },
};
/** The hash of each signature algorithm an RSA CA key may sign with. */
const ca_signature_RSA_HASH = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' };
const base64url = (b) => b.toString('base64url');
/** An SSH mpint's magnitude without the leading zero bytes. */
function unsigned(b) {
    const first = b.findIndex((x) => x !== 0);
    return b.subarray(first < 0 ? b.length : first);
}
/** A public key in SSH wire format as a node:crypto key. Throws on a type it does not know. */
function publicKeyObject(blob) {
    const r = new transport_certificate/* Reader */.mP(blob);
    const type = r.string().toString('latin1');
    let jwk;
    if (type === 'ssh-ed25519') {
        jwk = { kty: 'OKP', crv: 'Ed25519', x: base64url(r.string()) };
    }
    else if (type === 'ssh-rsa') {
        const e = unsigned(r.string());
        jwk = { kty: 'RSA', e: base64url(e), n: base64url(unsigned(r.string())) };
    }
    else if (CURVES[type]) {
        const { crv, size } = CURVES[type];
        r.string(); // the curve's name
        const point = r.string();
        if (point[0] !== 0x04 || point.length !== 1 + 2 * size)
            throw new Error('not an uncompressed point');
        jwk = { kty: 'EC', crv, x: base64url(point.subarray(1, 1 + size)), y: base64url(point.subarray(1 + size)) };
    }
    else {
        throw new Error(`unsupported CA key type ${type.slice(0, 60)}`);
    }
    return { type, key: (0,external_node_crypto_.createPublicKey)({ key: jwk, format: 'jwk' }) };
}
/** r and s of an SSH ECDSA signature (string mpint r, mpint s) as IEEE P1363 (r || s, each padded to size). */
function p1363(signature, size) {
    const r = new transport_certificate/* Reader */.mP(signature);
    const pad = (n) => {
        const magnitude = unsigned(n);
        if (magnitude.length > size)
            throw new Error('ECDSA signature value too long');
        return Buffer.concat([Buffer.alloc(size - magnitude.length), magnitude]);
    };
    return Buffer.concat([pad(r.string()), pad(r.string())]);
}
/**
 * Whether `signature` (SSH wire format: string algorithm, string signature) is the CA key's (SSH wire format)
 * signature of `signed`. Undefined if it is; otherwise why not, as a phrase.
 */
function caSignatureProblem(caKey, signed, signature) {
    try {
        const { type, key } = publicKeyObject(caKey);
        const r = new transport_certificate/* Reader */.mP(signature);
        const algorithm = r.string().toString('latin1');
        const value = r.string();
        const mismatch = () => `it names the signature algorithm ${algorithm.slice(0, 60)}, which a ${type} CA key cannot use`;
        let ok;
        if (type === 'ssh-ed25519') {
            if (algorithm !== type)
                return mismatch();
            ok = (0,external_node_crypto_.verify)(null, signed, key, value);
        }
        else if (type === 'ssh-rsa') {
            if (algorithm === 'ssh-rsa')
                return 'it is an ssh-rsa (SHA-1) signature, which OpenSSH no longer accepts from a CA';
            const hash = ca_signature_RSA_HASH[algorithm];
            if (!hash)
                return mismatch();
            ok = (0,external_node_crypto_.verify)(hash, signed, key, value);
        }
        else {
            const curve = CURVES[type];
            if (algorithm !== type)
                return mismatch();
            ok = (0,external_node_crypto_.verify)(curve.hash, signed, { key, dsaEncoding: 'ieee-p1363' }, p1363(value, curve.size));
        }
        return ok ? undefined : 'the signature does not verify with the CA key it names';
    }
    catch (error) {
        return `it cannot be checked (${error instanceof Error ? error.message : String(error)})`;
    }
}

// EXTERNAL MODULE: ./src/transport/known-hosts.ts
var known_hosts = __webpack_require__(3808);
;// CONCATENATED MODULE: ./src/transport/host-certificate.ts
/**
 * Host certificates: `@cert-authority <patterns> <CA key>` lines of known-hosts, checked as OpenSSH's ssh checks
 * them. For a host such a line matches, the certificate host key algorithms are offered first; a certificate is
 * accepted only if it is a host certificate signed by a listed CA (its signature checked here), valid now, with
 * the host's name (as written in the config) among its principals, and neither it, its key nor its CA revoked.
 * As ssh does, a certificate not accepted for any other reason than a revocation falls back to its plain key, which
 * a pinned line may still let in. Plain host keys go to verifyHostKey.
 */



/** The certificate host key algorithms (the patched ssh2 supports them, never by default), in ssh's order. */
const CERTIFICATE_HOST_KEY_ALGORITHMS = [
    'ssh-ed25519-cert-v01@openssh.com',
    'ecdsa-sha2-nistp256-cert-v01@openssh.com',
    'ecdsa-sha2-nistp384-cert-v01@openssh.com',
    'ecdsa-sha2-nistp521-cert-v01@openssh.com',
    'rsa-sha2-512-cert-v01@openssh.com',
    'rsa-sha2-256-cert-v01@openssh.com',
];
/** ssh2's default plain host key algorithms: offered after the certificates when no plain key is pinned. */
const PLAIN_HOST_KEY_ALGORITHMS = [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
];
/**
 * The ssh2 `algorithms.serverHostKey` list for host:port: the certificate algorithms first when a `@cert-authority`
 * line matches the host, then the plain ones pinned (all of them when none is: a plain key is then refused with its
 * own message). Undefined: ssh2's defaults (nothing matches; the verifier refuses anyway).
 */
function hostKeyAlgorithms(kh, host, port) {
    const pinned = (0,known_hosts/* pinnedHostKeyAlgorithms */._V)(kh, host, port);
    const authorities = (0,known_hosts/* entriesFor */.aB)(kh, host, port).some((e) => e.marker === '@cert-authority');
    return authorities ? [...CERTIFICATE_HOST_KEY_ALGORITHMS, ...(pinned ?? PLAIN_HOST_KEY_ALGORITHMS)] : pinned;
}
/** Checks the host key blob the server presented, a plain key or a certificate, against known-hosts. Fails closed. */
function checkHostKey(kh, host, port, blob, now = new Date()) {
    let type;
    try {
        type = (0,known_hosts/* keyTypeOf */.zj)(blob);
    }
    catch {
        return (0,known_hosts/* verifyHostKey */.Hj)(kh, host, port, blob);
    }
    if (!type.endsWith('-cert-v01@openssh.com'))
        return (0,known_hosts/* verifyHostKey */.Hj)(kh, host, port, blob);
    let cert;
    try {
        cert = (0,transport_certificate/* parseCertificateBlob */.ik)(blob, 'the host certificate');
    }
    catch (error) {
        const fix = [
            "Check the host's HostCertificate file (ssh-keygen -L -f FILE on the host); sign the key again if needed.",
        ];
        return refusal(host, port, type, blob, { why: error.message, fix });
    }
    const problem = certificateProblem(kh, host, port, cert, now);
    if (!problem)
        return { ok: true };
    if (!problem.revoked && (0,known_hosts/* verifyHostKey */.Hj)(kh, host, port, cert.publicKey).ok)
        return { ok: true };
    return refusal(host, port, type, cert.publicKey, problem, cert);
}
/** The refusal of a certificate; `key` is the certified key (the certificate's blob if it could not be read). */
function refusal(host, port, type, key, problem, cert) {
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const offered = cert
        ? [`  Offered: ${(0,transport_certificate/* describeCertificate */.dF)(cert)},`, `  signed by CA key ${keyName(cert.signatureKey)}`]
        : [];
    const lines = [
        `Host certificate verification failed for ${where}: ${problem.why}. Refusing to connect.`,
        ...offered,
        ...problem.fix,
    ];
    return {
        ok: false,
        reason: problem.revoked ? 'revoked' : 'certificate',
        keyType: type,
        fingerprint: (0,known_hosts/* fingerprintSha256 */._O)(key),
        suggestedLine: `${(0,known_hosts/* knownHostsName */.on)(host, port)} ${keyName(key).split(' ')[0]} ${key.toString('base64')}`,
        message: lines.join('\n'),
    };
}
/** A key's type and fingerprint, e.g. `ssh-ed25519 SHA256:...`. */
function keyName(key) {
    let type = 'unknown';
    try {
        type = (0,known_hosts/* keyTypeOf */.zj)(key);
    }
    catch { }
    return `${type} ${(0,known_hosts/* fingerprintSha256 */._O)(key)}`;
}
const lineNumbers = (entries) => entries.map((e) => e.line).join(', ');
/** What is wrong with a host certificate for host:port, as ssh's checks go; undefined if nothing is. */
function certificateProblem(kh, host, port, cert, now) {
    const source = kh.source ?? known_hosts/* KNOWN_HOSTS_INPUT */.Vh;
    const matching = (0,known_hosts/* entriesFor */.aB)(kh, host, port);
    const name = host.toLowerCase();
    const keyFile = (0,known_hosts/* serverKeyFile */.fK)(cert.keyType);
    const sign = (extra = '') => `  ssh-keygen -s CA_KEY -h -I ${name} -n ${name}${extra} ${keyFile}`;
    const resign = [
        'Sign the host key again on the machine that holds the CA key, for example',
        sign(' -V +52w'),
        `and point sshd's HostCertificate at the ${keyFile.replace(/\.pub$/, '-cert.pub')} it writes, then reload sshd.`,
    ];
    const revoked = (key) => matching.find((e) => e.marker === '@revoked' && e.key.equals(key));
    const keyRevoked = revoked(cert.publicKey) ?? revoked(cert.blob);
    if (keyRevoked) {
        return {
            revoked: true,
            why: `the host's key ${(0,known_hosts/* fingerprintSha256 */._O)(cert.publicKey)} is REVOKED (marked @revoked on ${source.line} ${keyRevoked.line})`,
            fix: ['Do not trust this key again: give the server a new host key and sign that one with the CA.'],
        };
    }
    const caRevoked = revoked(cert.signatureKey);
    if (caRevoked) {
        return {
            revoked: true,
            why: `the CA key that signed the host certificate is REVOKED (marked @revoked on ${source.line} ${caRevoked.line})`,
            fix: [
                'Sign the host key with a CA that is not revoked and list that CA in a @cert-authority line, for example',
                sign(),
            ],
        };
    }
    if (cert.kind !== 'host') {
        return {
            why: 'the server presented a USER certificate as its host key',
            fix: ['A host certificate is signed with ssh-keygen -h:', sign()],
        };
    }
    const authorities = matching.filter((e) => e.marker === '@cert-authority');
    if (!authorities.some((e) => e.key.equals(cert.signatureKey))) {
        const listed = authorities.length
            ? `the CA(s) of ${source.line}(s) ${lineNumbers(authorities)} (${authorities.map((e) => keyName(e.key)).join(', ')})`
            : `no @cert-authority line of ${source.name} for "${(0,known_hosts/* knownHostsName */.on)(name, port)}"`;
        return {
            why: `the host certificate is not signed by a CA listed for this host in ${source.name}: it is signed by CA key ${keyName(cert.signatureKey)}, and this host trusts ${listed}`,
            fix: [
                ...resign.map((l) => l.replace('CA_KEY', 'THE_LISTED_CA_KEY')),
                `or, if that CA is yours, add its public key (obtained out of band) to ${source.name}:`,
                `  @cert-authority ${(0,known_hosts/* knownHostsName */.on)(name, port)} <the CA's .pub>`,
            ],
        };
    }
    const bad = caSignatureProblem(cert.signatureKey, cert.signed, cert.signature);
    if (bad) {
        return {
            why: `the CA's signature on the host certificate is not valid: ${bad} (a forged or corrupt certificate)`,
            fix: ["Check that sshd's HostCertificate is the file ssh-keygen -s wrote, unmodified.", ...resign],
        };
    }
    if (cert.criticalOptions.length > 0) {
        return {
            why: 'the host certificate has critical options, which no host certificate may have',
            fix: ['Sign it again without -O options:', sign()],
        };
    }
    const seconds = BigInt(Math.floor(now.getTime() / 1000));
    const nowText = `now ${(0,transport_certificate/* certificateTime */.DT)(seconds)}`;
    if (seconds >= cert.validBefore) {
        return { why: `the host certificate expired on ${(0,transport_certificate/* certificateTime */.DT)(cert.validBefore)} (${nowText})`, fix: resign };
    }
    if (seconds < cert.validAfter) {
        return {
            why: `the host certificate is not valid before ${(0,transport_certificate/* certificateTime */.DT)(cert.validAfter)} (${nowText})`,
            fix: ['Check the clocks of this machine and of the CA, or', ...resign],
        };
    }
    if (cert.principals.length === 0) {
        return {
            why: 'the host certificate names no principals (valid for any host: ssh refuses such host certificates)',
            fix: resign,
        };
    }
    if (!cert.principals.includes(name)) {
        return {
            why: `principal ${JSON.stringify(name)} (the host as written in the config) is not in [${cert.principals.map((p) => JSON.stringify(p)).join(', ')}], the host certificate's principals`,
            fix: [
                'Connect with a name the certificate lists, or sign the host key again with every name the host is reached by',
                `(-n ${name},OTHER_NAME), for example`,
                sign(' -V +52w'),
            ],
        };
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/transport/ssh.ts










const INPUT_NAMES = {
    publicKey: 'the public key of ssh-private-key',
    passphrase: 'ssh-passphrase',
    certificate: { certificate: 'the certificate in ssh-certificate', key: 'ssh-private-key' },
};
/** An SSH keepalive every 10 s; after 3 unanswered ones the connection counts as lost (about 40 s of silence). */
const KEEPALIVE_MS = 10_000;
const KEEPALIVE_COUNT = 3;
/** A connection failure the user can act on; the message says what to do. */
class ConnectError extends Error {
    kind;
    beforeAuth;
    constructor(message, kind, 
    /** It failed before the server's host key was seen, so before authentication: trying again is safe. */
    beforeAuth = false) {
        super(message);
        this.kind = kind;
        this.beforeAuth = beforeAuth;
        this.name = 'ConnectError';
    }
}
/**
 * One SSH connection per host. The host key must match a pinned known_hosts line before authentication starts
 * (fail closed); the private key stays in memory. `via` carries it instead of a TCP connection of its own.
 */
async function connectSsh(target, creds, via) {
    let verdict;
    const names = (creds.names ?? INPUT_NAMES).certificate ?? INPUT_NAMES.certificate;
    const mismatch = creds.certificate && creds.privateKey
        ? certificateMismatch(creds.certificate, creds.privateKey, creds.passphrase, names)
        : undefined;
    if (mismatch)
        throw new ConnectError(mismatch, 'auth');
    const pinned = hostKeyAlgorithms(creds.knownHosts, target.host, target.port);
    const key = creds.privateKey ? parsedPrivateKey(creds.privateKey, creds.passphrase || undefined) : undefined;
    const sock = via?.sock ?? (0,tcp/* takeTcp */.Rs)(target.host, target.port);
    // Whether TCP came up tells a silent firewall from a port that speaks no SSH, when the handshake times out.
    let tcpUp = !(sock instanceof external_node_net_.Socket) || !sock.connecting;
    sock.once('connect', () => (tcpUp = true));
    const config = {
        sock,
        ident: tcp/* CLIENT_IDENT */.bG,
        host: target.host,
        port: target.port,
        username: target.user,
        readyTimeout: creds.connectTimeoutMs,
        keepaliveInterval: KEEPALIVE_MS,
        keepaliveCountMax: KEEPALIVE_COUNT,
        hostVerifier: (key) => {
            verdict = checkHostKey(creds.knownHosts, target.host, target.port, key);
            return verdict.ok;
        },
        ...(pinned
            ? { algorithms: { serverHostKey: pinned } }
            : {}),
        // The key parsed once per run (see parsedPrivateKey); one ssh2 cannot read goes as text, for ssh2's own error.
        ...(creds.privateKey && !key ? { privateKey: creds.privateKey, passphrase: creds.passphrase || undefined } : {}),
        ...(creds.agent ? { agent: creds.agent } : {}),
        // Straight to the key: ssh2 would otherwise ask for `none` first, one more round trip for every connection.
        authHandler: [
            ...(key ? [{ type: 'publickey', username: target.user, key }] : []),
            ...(creds.privateKey && !key ? ['publickey'] : []),
            ...(creds.agent ? ['agent'] : []),
        ],
    };
    const ssh = new esm/* NodeSSH */.H();
    let early;
    try {
        // node-ssh creates the client and starts it synchronously (the key is given as text, not read from a file).
        const connecting = ssh.connect(config);
        if (ssh.connection) {
            signWithoutAsking(ssh.connection);
            ignoreHostKeysUpdate(ssh.connection);
            gcmKeyObjects(ssh.connection);
            if (creds.certificate && !presentCertificate(ssh.connection, creds.certificate))
                throw new Error('this version of ssh2 cannot log in with a certificate (its internals changed)');
            // A session channel in the login's flight only when the login is one attempt (see pipelineLogin).
            early = pipelineLogin(ssh.connection, {
                openSession: via?.session !== false && !!creds.privateKey && !creds.agent,
            });
        }
        await connecting;
    }
    catch (error) {
        ssh.dispose();
        sock.destroy();
        via?.close();
        const failure = via?.failure?.();
        if (failure && !(verdict && !verdict.ok))
            throw new ConnectError(`${target.name}: ${failure}`, 'network');
        throw explain(error, target, creds, verdict, tcpUp);
    }
    // node-ssh stops listening for errors once connected; a reset later must end the sessions, not the process,
    // and say why they ended (a stalled network is only noticed by the keepalive).
    const transport = new SshTransport(target.name, ssh, sock, early, via);
    ssh.connection?.on('error', (error) => {
        transport.lostBecause ??=
            error.level === 'client-timeout'
                ? `the host stopped answering: no reply to SSH keepalives for ${((KEEPALIVE_MS * (KEEPALIVE_COUNT + 1)) / 1000).toFixed(0)} s (a stalled network or a frozen host)`
                : describeLostConnection(error);
    });
    ssh.connection?.on('close', () => (transport.lostBecause ??= 'the connection was closed'));
    return transport;
}
function explain(error, target, creds, verdict, tcpUp) {
    const where = `${target.name} (${target.host}:${target.port})`;
    if (verdict && !verdict.ok)
        return new ConnectError(verdict.message, 'host-key');
    if (verdict?.ok && /signature verification failed/.test(String(error?.message))) {
        // The host key (or a copy of a host certificate, which is public) was accepted, but the host cannot sign with it.
        return new ConnectError(`${where}: the host's key exchange signature was not made by the host key it presented: someone could be ` +
            'intercepting the connection (presenting a copy of the real host key or certificate). Refusing to connect.', 'host-key');
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = errorCode(error);
    const level = error.level;
    const network = describeNetError(code, target, creds.surface);
    if (level === 'client-authentication' && creds.certificate) {
        const names = (creds.names ?? INPUT_NAMES).certificate ?? INPUT_NAMES.certificate;
        return new ConnectError(`${where}: the server refused ${names.certificate} for user "${target.user}" (principals: ` +
            `${creds.certificate.principals.join(', ') || 'any'}). Check that sshd's TrustedUserCAKeys holds the CA ` +
            `that signed it and that "${target.user}" is one of its principals (ssh-keygen -L -f the -cert.pub file).`, 'auth');
    }
    if (level === 'client-authentication') {
        // The fingerprint, as sshd logs it and `ssh-keygen -lf` prints it, tells which key was offered.
        const fingerprint = creds.privateKey ? keyFingerprint(creds.privateKey, creds.passphrase || undefined) : undefined;
        return new ConnectError(`${where}: the server refused the key ${fingerprint ? `${fingerprint} ` : ''}for user "${target.user}". Check that ` +
            `${(creds.names ?? INPUT_NAMES).publicKey} is in ~${target.user}/.ssh/authorized_keys on the host.`, 'auth');
    }
    if (/encrypted|passphrase|bad decrypt/i.test(message)) {
        const passphrase = (creds.names ?? INPUT_NAMES).passphrase;
        return new ConnectError(`the SSH private key could not be read: ${message} (is ${passphrase} right?)`, 'auth');
    }
    if (/Cannot parse privateKey|Unsupported key format/i.test(message)) {
        return new ConnectError(`the SSH private key could not be read: ${message}`, 'auth');
    }
    if (network)
        return new ConnectError(network, code === 'ETIMEDOUT' ? 'timeout' : 'network', verdict === undefined);
    if (level === 'client-timeout' || /timed out/i.test(message)) {
        const seconds = Math.round(creds.connectTimeoutMs / 1000);
        const text = describeHandshakeTimeout(target, seconds, tcpUp, creds.surface);
        return new ConnectError(text, 'timeout', verdict === undefined);
    }
    if (/Unable to exchange encryption keys|no matching/i.test(message) && verdict === undefined) {
        return new ConnectError(`${where}: the server offers none of the host key types pinned in ${creds.knownHosts.source?.name ?? 'known-hosts'} (${message}). ` +
            'A host key of a different type than the pinned one is refused; pin the key the server really has.', 'host-key');
    }
    return new ConnectError(`${where}: ${message}`, 'network');
}


/***/ })

};

//# sourceMappingURL=781.index.js.map