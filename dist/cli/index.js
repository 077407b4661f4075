#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 2948:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  z: () => (/* binding */ BuildError),
  m: () => (/* binding */ runBuildHooks)
});

;// CONCATENATED MODULE: external "string_decoder"
const external_string_decoder_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");
;// CONCATENATED MODULE: external "os"
const external_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");
// EXTERNAL MODULE: external "events"
var external_events_ = __nccwpck_require__(4434);
// EXTERNAL MODULE: external "child_process"
var external_child_process_ = __nccwpck_require__(5317);
// EXTERNAL MODULE: external "path"
var external_path_ = __nccwpck_require__(6928);
// EXTERNAL MODULE: external "assert"
var external_assert_ = __nccwpck_require__(2613);
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io-util.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { chmod, copyFile, lstat, mkdir, open: io_util_open, readdir, rename, rm, rmdir, stat, symlink, unlink } = external_fs_.promises;
// export const {open} = 'fs'
const IS_WINDOWS = process.platform === 'win32';
/**
 * Custom implementation of readlink to ensure Windows junctions
 * maintain trailing backslash for backward compatibility with Node.js < 24
 *
 * In Node.js 20, Windows junctions (directory symlinks) always returned paths
 * with trailing backslashes. Node.js 24 removed this behavior, which breaks
 * code that relied on this format for path operations.
 *
 * This implementation restores the Node 20 behavior by adding a trailing
 * backslash to all junction results on Windows.
 */
function readlink(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        const result = yield fs.promises.readlink(fsPath);
        // On Windows, restore Node 20 behavior: add trailing backslash to all results
        // since junctions on Windows are always directory links
        if (IS_WINDOWS && !result.endsWith('\\')) {
            return `${result}\\`;
        }
        return result;
    });
}
// See https://github.com/nodejs/node/blob/d0153aee367422d0858105abec186da4dff0a0c5/deps/uv/include/uv/win.h#L691
const UV_FS_O_EXLOCK = 0x10000000;
const READONLY = external_fs_.constants.O_RDONLY;
function exists(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        try {
            yield stat(fsPath);
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                return false;
            }
            throw err;
        }
        return true;
    });
}
function isDirectory(fsPath_1) {
    return __awaiter(this, arguments, void 0, function* (fsPath, useStat = false) {
        const stats = useStat ? yield stat(fsPath) : yield lstat(fsPath);
        return stats.isDirectory();
    });
}
/**
 * On OSX/Linux, true if path starts with '/'. On Windows, true for paths like:
 * \, \hello, \\hello\share, C:, and C:\hello (and corresponding alternate separator cases).
 */
function isRooted(p) {
    p = normalizeSeparators(p);
    if (!p) {
        throw new Error('isRooted() parameter "p" cannot be empty');
    }
    if (IS_WINDOWS) {
        return (p.startsWith('\\') || /^[A-Z]:/i.test(p) // e.g. \ or \hello or \\hello
        ); // e.g. C: or C:\hello
    }
    return p.startsWith('/');
}
/**
 * Best effort attempt to determine whether a file exists and is executable.
 * @param filePath    file path to check
 * @param extensions  additional file extensions to try
 * @return if file exists and is executable, returns the file path. otherwise empty string.
 */
function tryGetExecutablePath(filePath, extensions) {
    return __awaiter(this, void 0, void 0, function* () {
        let stats = undefined;
        try {
            // test file exists
            stats = yield stat(filePath);
        }
        catch (err) {
            if (err.code !== 'ENOENT') {
                // eslint-disable-next-line no-console
                console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
            }
        }
        if (stats && stats.isFile()) {
            if (IS_WINDOWS) {
                // on Windows, test for valid extension
                const upperExt = external_path_.extname(filePath).toUpperCase();
                if (extensions.some(validExt => validExt.toUpperCase() === upperExt)) {
                    return filePath;
                }
            }
            else {
                if (isUnixExecutable(stats)) {
                    return filePath;
                }
            }
        }
        // try each extension
        const originalFilePath = filePath;
        for (const extension of extensions) {
            filePath = originalFilePath + extension;
            stats = undefined;
            try {
                stats = yield stat(filePath);
            }
            catch (err) {
                if (err.code !== 'ENOENT') {
                    // eslint-disable-next-line no-console
                    console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
                }
            }
            if (stats && stats.isFile()) {
                if (IS_WINDOWS) {
                    // preserve the case of the actual file (since an extension was appended)
                    try {
                        const directory = external_path_.dirname(filePath);
                        const upperName = external_path_.basename(filePath).toUpperCase();
                        for (const actualName of yield readdir(directory)) {
                            if (upperName === actualName.toUpperCase()) {
                                filePath = external_path_.join(directory, actualName);
                                break;
                            }
                        }
                    }
                    catch (err) {
                        // eslint-disable-next-line no-console
                        console.log(`Unexpected error attempting to determine the actual case of the file '${filePath}': ${err}`);
                    }
                    return filePath;
                }
                else {
                    if (isUnixExecutable(stats)) {
                        return filePath;
                    }
                }
            }
        }
        return '';
    });
}
function normalizeSeparators(p) {
    p = p || '';
    if (IS_WINDOWS) {
        // convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // remove redundant slashes
        return p.replace(/\\\\+/g, '\\');
    }
    // remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
// on Mac/Linux, test the execute bit
//     R   W  X  R  W X R W X
//   256 128 64 32 16 8 4 2 1
function isUnixExecutable(stats) {
    return ((stats.mode & 1) > 0 ||
        ((stats.mode & 8) > 0 &&
            process.getgid !== undefined &&
            stats.gid === process.getgid()) ||
        ((stats.mode & 64) > 0 &&
            process.getuid !== undefined &&
            stats.uid === process.getuid()));
}
// Get the path of cmd.exe in windows
function getCmdPath() {
    var _a;
    return (_a = process.env['COMSPEC']) !== null && _a !== void 0 ? _a : `cmd.exe`;
}
//# sourceMappingURL=io-util.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io.js
var io_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



/**
 * Copies a file or folder.
 * Based off of shelljs - https://github.com/shelljs/shelljs/blob/9237f66c52e5daa40458f94f9565e18e8132f5a6/src/cp.js
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See CopyOptions.
 */
function cp(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        const { force, recursive, copySourceDirectory } = readCopyOptions(options);
        const destStat = (yield ioUtil.exists(dest)) ? yield ioUtil.stat(dest) : null;
        // Dest is an existing file, but not forcing
        if (destStat && destStat.isFile() && !force) {
            return;
        }
        // If dest is an existing directory, should copy inside.
        const newDest = destStat && destStat.isDirectory() && copySourceDirectory
            ? path.join(dest, path.basename(source))
            : dest;
        if (!(yield ioUtil.exists(source))) {
            throw new Error(`no such file or directory: ${source}`);
        }
        const sourceStat = yield ioUtil.stat(source);
        if (sourceStat.isDirectory()) {
            if (!recursive) {
                throw new Error(`Failed to copy. ${source} is a directory, but tried to copy without recursive flag.`);
            }
            else {
                yield cpDirRecursive(source, newDest, 0, force);
            }
        }
        else {
            if (path.relative(source, newDest) === '') {
                // a file cannot be copied to itself
                throw new Error(`'${newDest}' and '${source}' are the same file`);
            }
            yield io_copyFile(source, newDest, force);
        }
    });
}
/**
 * Moves a path.
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See MoveOptions.
 */
function mv(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        if (yield ioUtil.exists(dest)) {
            let destExists = true;
            if (yield ioUtil.isDirectory(dest)) {
                // If dest is directory copy src into dest
                dest = path.join(dest, path.basename(source));
                destExists = yield ioUtil.exists(dest);
            }
            if (destExists) {
                if (options.force == null || options.force) {
                    yield rmRF(dest);
                }
                else {
                    throw new Error('Destination already exists');
                }
            }
        }
        yield mkdirP(path.dirname(dest));
        yield ioUtil.rename(source, dest);
    });
}
/**
 * Remove a path recursively with force
 *
 * @param inputPath path to remove
 */
function rmRF(inputPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (ioUtil.IS_WINDOWS) {
            // Check for invalid characters
            // https://docs.microsoft.com/en-us/windows/win32/fileio/naming-a-file
            if (/[*"<>|]/.test(inputPath)) {
                throw new Error('File path must not contain `*`, `"`, `<`, `>` or `|` on Windows');
            }
        }
        try {
            // note if path does not exist, error is silent
            yield ioUtil.rm(inputPath, {
                force: true,
                maxRetries: 3,
                recursive: true,
                retryDelay: 300
            });
        }
        catch (err) {
            throw new Error(`File was unable to be removed ${err}`);
        }
    });
}
/**
 * Make a directory.  Creates the full path with folders in between
 * Will throw if it fails
 *
 * @param   fsPath        path to create
 * @returns Promise<void>
 */
function mkdirP(fsPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        ok(fsPath, 'a path argument must be provided');
        yield ioUtil.mkdir(fsPath, { recursive: true });
    });
}
/**
 * Returns path of a tool had the tool actually been invoked.  Resolves via paths.
 * If you check and the tool does not exist, it will throw.
 *
 * @param     tool              name of the tool
 * @param     check             whether to check if tool exists
 * @returns   Promise<string>   path to tool
 */
function which(tool, check) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // recursive when check=true
        if (check) {
            const result = yield which(tool, false);
            if (!result) {
                if (IS_WINDOWS) {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`);
                }
                else {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);
                }
            }
            return result;
        }
        const matches = yield findInPath(tool);
        if (matches && matches.length > 0) {
            return matches[0];
        }
        return '';
    });
}
/**
 * Returns a list of all occurrences of the given tool on the system path.
 *
 * @returns   Promise<string[]>  the paths of the tool
 */
function findInPath(tool) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // build the list of extensions to try
        const extensions = [];
        if (IS_WINDOWS && process.env['PATHEXT']) {
            for (const extension of process.env['PATHEXT'].split(external_path_.delimiter)) {
                if (extension) {
                    extensions.push(extension);
                }
            }
        }
        // if it's rooted, return it if exists. otherwise return empty.
        if (isRooted(tool)) {
            const filePath = yield tryGetExecutablePath(tool, extensions);
            if (filePath) {
                return [filePath];
            }
            return [];
        }
        // if any path separators, return empty
        if (tool.includes(external_path_.sep)) {
            return [];
        }
        // build the list of directories
        //
        // Note, technically "where" checks the current directory on Windows. From a toolkit perspective,
        // it feels like we should not do this. Checking the current directory seems like more of a use
        // case of a shell, and the which() function exposed by the toolkit should strive for consistency
        // across platforms.
        const directories = [];
        if (process.env.PATH) {
            for (const p of process.env.PATH.split(external_path_.delimiter)) {
                if (p) {
                    directories.push(p);
                }
            }
        }
        // find all matches
        const matches = [];
        for (const directory of directories) {
            const filePath = yield tryGetExecutablePath(external_path_.join(directory, tool), extensions);
            if (filePath) {
                matches.push(filePath);
            }
        }
        return matches;
    });
}
function readCopyOptions(options) {
    const force = options.force == null ? true : options.force;
    const recursive = Boolean(options.recursive);
    const copySourceDirectory = options.copySourceDirectory == null
        ? true
        : Boolean(options.copySourceDirectory);
    return { force, recursive, copySourceDirectory };
}
function cpDirRecursive(sourceDir, destDir, currentDepth, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        // Ensure there is not a run away recursive copy
        if (currentDepth >= 255)
            return;
        currentDepth++;
        yield mkdirP(destDir);
        const files = yield ioUtil.readdir(sourceDir);
        for (const fileName of files) {
            const srcFile = `${sourceDir}/${fileName}`;
            const destFile = `${destDir}/${fileName}`;
            const srcFileStat = yield ioUtil.lstat(srcFile);
            if (srcFileStat.isDirectory()) {
                // Recurse
                yield cpDirRecursive(srcFile, destFile, currentDepth, force);
            }
            else {
                yield io_copyFile(srcFile, destFile, force);
            }
        }
        // Change the mode for the newly created directory
        yield ioUtil.chmod(destDir, (yield ioUtil.stat(sourceDir)).mode);
    });
}
// Buffered file copy
function io_copyFile(srcFile, destFile, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        if ((yield ioUtil.lstat(srcFile)).isSymbolicLink()) {
            // unlink/re-link it
            try {
                yield ioUtil.lstat(destFile);
                yield ioUtil.unlink(destFile);
            }
            catch (e) {
                // Try to override file permission
                if (e.code === 'EPERM') {
                    yield ioUtil.chmod(destFile, '0666');
                    yield ioUtil.unlink(destFile);
                }
                // other errors = it doesn't exist, no work to do
            }
            // Copy over symlink
            const symlinkFull = yield ioUtil.readlink(srcFile);
            yield ioUtil.symlink(symlinkFull, destFile, ioUtil.IS_WINDOWS ? 'junction' : null);
        }
        else if (!(yield ioUtil.exists(destFile)) || force) {
            yield ioUtil.copyFile(srcFile, destFile);
        }
    });
}
//# sourceMappingURL=io.js.map
;// CONCATENATED MODULE: external "timers"
const external_timers_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/toolrunner.js
var toolrunner_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};







/* eslint-disable @typescript-eslint/unbound-method */
const toolrunner_IS_WINDOWS = process.platform === 'win32';
/*
 * Class for running command line tools. Handles quoting and arg parsing in a platform agnostic way.
 */
class ToolRunner extends external_events_.EventEmitter {
    constructor(toolPath, args, options) {
        super();
        if (!toolPath) {
            throw new Error("Parameter 'toolPath' cannot be null or empty.");
        }
        this.toolPath = toolPath;
        this.args = args || [];
        this.options = options || {};
    }
    _debug(message) {
        if (this.options.listeners && this.options.listeners.debug) {
            this.options.listeners.debug(message);
        }
    }
    _getCommandString(options, noPrefix) {
        const toolPath = this._getSpawnFileName();
        const args = this._getSpawnArgs(options);
        let cmd = noPrefix ? '' : '[command]'; // omit prefix when piped to a second tool
        if (toolrunner_IS_WINDOWS) {
            // Windows + cmd file
            if (this._isCmdFile()) {
                cmd += toolPath;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows + verbatim
            else if (options.windowsVerbatimArguments) {
                cmd += `"${toolPath}"`;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows (regular)
            else {
                cmd += this._windowsQuoteCmdArg(toolPath);
                for (const a of args) {
                    cmd += ` ${this._windowsQuoteCmdArg(a)}`;
                }
            }
        }
        else {
            // OSX/Linux - this can likely be improved with some form of quoting.
            // creating processes on Unix is fundamentally different than Windows.
            // on Unix, execvp() takes an arg array.
            cmd += toolPath;
            for (const a of args) {
                cmd += ` ${a}`;
            }
        }
        return cmd;
    }
    _processLineBuffer(data, strBuffer, onLine) {
        try {
            let s = strBuffer + data.toString();
            let n = s.indexOf(external_os_namespaceObject.EOL);
            while (n > -1) {
                const line = s.substring(0, n);
                onLine(line);
                // the rest of the string ...
                s = s.substring(n + external_os_namespaceObject.EOL.length);
                n = s.indexOf(external_os_namespaceObject.EOL);
            }
            return s;
        }
        catch (err) {
            // streaming lines to console is best effort.  Don't fail a build.
            this._debug(`error processing line. Failed with error ${err}`);
            return '';
        }
    }
    _getSpawnFileName() {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                return process.env['COMSPEC'] || 'cmd.exe';
            }
        }
        return this.toolPath;
    }
    _getSpawnArgs(options) {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                let argline = `/D /S /C "${this._windowsQuoteCmdArg(this.toolPath)}`;
                for (const a of this.args) {
                    argline += ' ';
                    argline += options.windowsVerbatimArguments
                        ? a
                        : this._windowsQuoteCmdArg(a);
                }
                argline += '"';
                return [argline];
            }
        }
        return this.args;
    }
    _endsWith(str, end) {
        return str.endsWith(end);
    }
    _isCmdFile() {
        const upperToolPath = this.toolPath.toUpperCase();
        return (this._endsWith(upperToolPath, '.CMD') ||
            this._endsWith(upperToolPath, '.BAT'));
    }
    _windowsQuoteCmdArg(arg) {
        // for .exe, apply the normal quoting rules that libuv applies
        if (!this._isCmdFile()) {
            return this._uvQuoteCmdArg(arg);
        }
        // otherwise apply quoting rules specific to the cmd.exe command line parser.
        // the libuv rules are generic and are not designed specifically for cmd.exe
        // command line parser.
        //
        // for a detailed description of the cmd.exe command line parser, refer to
        // http://stackoverflow.com/questions/4094699/how-does-the-windows-command-interpreter-cmd-exe-parse-scripts/7970912#7970912
        // need quotes for empty arg
        if (!arg) {
            return '""';
        }
        // determine whether the arg needs to be quoted
        const cmdSpecialChars = [
            ' ',
            '\t',
            '&',
            '(',
            ')',
            '[',
            ']',
            '{',
            '}',
            '^',
            '=',
            ';',
            '!',
            "'",
            '+',
            ',',
            '`',
            '~',
            '|',
            '<',
            '>',
            '"'
        ];
        let needsQuotes = false;
        for (const char of arg) {
            if (cmdSpecialChars.some(x => x === char)) {
                needsQuotes = true;
                break;
            }
        }
        // short-circuit if quotes not needed
        if (!needsQuotes) {
            return arg;
        }
        // the following quoting rules are very similar to the rules that by libuv applies.
        //
        // 1) wrap the string in quotes
        //
        // 2) double-up quotes - i.e. " => ""
        //
        //    this is different from the libuv quoting rules. libuv replaces " with \", which unfortunately
        //    doesn't work well with a cmd.exe command line.
        //
        //    note, replacing " with "" also works well if the arg is passed to a downstream .NET console app.
        //    for example, the command line:
        //          foo.exe "myarg:""my val"""
        //    is parsed by a .NET console app into an arg array:
        //          [ "myarg:\"my val\"" ]
        //    which is the same end result when applying libuv quoting rules. although the actual
        //    command line from libuv quoting rules would look like:
        //          foo.exe "myarg:\"my val\""
        //
        // 3) double-up slashes that precede a quote,
        //    e.g.  hello \world    => "hello \world"
        //          hello\"world    => "hello\\""world"
        //          hello\\"world   => "hello\\\\""world"
        //          hello world\    => "hello world\\"
        //
        //    technically this is not required for a cmd.exe command line, or the batch argument parser.
        //    the reasons for including this as a .cmd quoting rule are:
        //
        //    a) this is optimized for the scenario where the argument is passed from the .cmd file to an
        //       external program. many programs (e.g. .NET console apps) rely on the slash-doubling rule.
        //
        //    b) it's what we've been doing previously (by deferring to node default behavior) and we
        //       haven't heard any complaints about that aspect.
        //
        // note, a weakness of the quoting rules chosen here, is that % is not escaped. in fact, % cannot be
        // escaped when used on the command line directly - even though within a .cmd file % can be escaped
        // by using %%.
        //
        // the saving grace is, on the command line, %var% is left as-is if var is not defined. this contrasts
        // the line parsing rules within a .cmd file, where if var is not defined it is replaced with nothing.
        //
        // one option that was explored was replacing % with ^% - i.e. %var% => ^%var^%. this hack would
        // often work, since it is unlikely that var^ would exist, and the ^ character is removed when the
        // variable is used. the problem, however, is that ^ is not removed when %* is used to pass the args
        // to an external program.
        //
        // an unexplored potential solution for the % escaping problem, is to create a wrapper .cmd file.
        // % can be escaped within a .cmd file.
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\'; // double the slash
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '"'; // double the quote
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _uvQuoteCmdArg(arg) {
        // Tool runner wraps child_process.spawn() and needs to apply the same quoting as
        // Node in certain cases where the undocumented spawn option windowsVerbatimArguments
        // is used.
        //
        // Since this function is a port of quote_cmd_arg from Node 4.x (technically, lib UV,
        // see https://github.com/nodejs/node/blob/v4.x/deps/uv/src/win/process.c for details),
        // pasting copyright notice from Node within this function:
        //
        //      Copyright Joyent, Inc. and other Node contributors. All rights reserved.
        //
        //      Permission is hereby granted, free of charge, to any person obtaining a copy
        //      of this software and associated documentation files (the "Software"), to
        //      deal in the Software without restriction, including without limitation the
        //      rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
        //      sell copies of the Software, and to permit persons to whom the Software is
        //      furnished to do so, subject to the following conditions:
        //
        //      The above copyright notice and this permission notice shall be included in
        //      all copies or substantial portions of the Software.
        //
        //      THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        //      IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        //      FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        //      AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        //      LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
        //      FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
        //      IN THE SOFTWARE.
        if (!arg) {
            // Need double quotation for empty argument
            return '""';
        }
        if (!arg.includes(' ') && !arg.includes('\t') && !arg.includes('"')) {
            // No quotation needed
            return arg;
        }
        if (!arg.includes('"') && !arg.includes('\\')) {
            // No embedded double quotes or backslashes, so I can just wrap
            // quote marks around the whole thing.
            return `"${arg}"`;
        }
        // Expected input/output:
        //   input : hello"world
        //   output: "hello\"world"
        //   input : hello""world
        //   output: "hello\"\"world"
        //   input : hello\world
        //   output: hello\world
        //   input : hello\\world
        //   output: hello\\world
        //   input : hello\"world
        //   output: "hello\\\"world"
        //   input : hello\\"world
        //   output: "hello\\\\\"world"
        //   input : hello world\
        //   output: "hello world\\" - note the comment in libuv actually reads "hello world\"
        //                             but it appears the comment is wrong, it should be "hello world\\"
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\';
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '\\';
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _cloneExecOptions(options) {
        options = options || {};
        const result = {
            cwd: options.cwd || process.cwd(),
            env: options.env || process.env,
            silent: options.silent || false,
            windowsVerbatimArguments: options.windowsVerbatimArguments || false,
            failOnStdErr: options.failOnStdErr || false,
            ignoreReturnCode: options.ignoreReturnCode || false,
            delay: options.delay || 10000
        };
        result.outStream = options.outStream || process.stdout;
        result.errStream = options.errStream || process.stderr;
        return result;
    }
    _getSpawnOptions(options, toolPath) {
        options = options || {};
        const result = {};
        result.cwd = options.cwd;
        result.env = options.env;
        result['windowsVerbatimArguments'] =
            options.windowsVerbatimArguments || this._isCmdFile();
        if (options.windowsVerbatimArguments) {
            result.argv0 = `"${toolPath}"`;
        }
        return result;
    }
    /**
     * Exec a tool.
     * Output will be streamed to the live console.
     * Returns promise with return code
     *
     * @param     tool     path to tool to exec
     * @param     options  optional exec options.  See ExecOptions
     * @returns   number
     */
    exec() {
        return toolrunner_awaiter(this, void 0, void 0, function* () {
            // root the tool path if it is unrooted and contains relative pathing
            if (!isRooted(this.toolPath) &&
                (this.toolPath.includes('/') ||
                    (toolrunner_IS_WINDOWS && this.toolPath.includes('\\')))) {
                // prefer options.cwd if it is specified, however options.cwd may also need to be rooted
                this.toolPath = external_path_.resolve(process.cwd(), this.options.cwd || process.cwd(), this.toolPath);
            }
            // if the tool is only a file name, then resolve it from the PATH
            // otherwise verify it exists (add extension on Windows if necessary)
            this.toolPath = yield which(this.toolPath, true);
            return new Promise((resolve, reject) => toolrunner_awaiter(this, void 0, void 0, function* () {
                this._debug(`exec tool: ${this.toolPath}`);
                this._debug('arguments:');
                for (const arg of this.args) {
                    this._debug(`   ${arg}`);
                }
                const optionsNonNull = this._cloneExecOptions(this.options);
                if (!optionsNonNull.silent && optionsNonNull.outStream) {
                    optionsNonNull.outStream.write(this._getCommandString(optionsNonNull) + external_os_namespaceObject.EOL);
                }
                const state = new ExecState(optionsNonNull, this.toolPath);
                state.on('debug', (message) => {
                    this._debug(message);
                });
                if (this.options.cwd && !(yield exists(this.options.cwd))) {
                    return reject(new Error(`The cwd: ${this.options.cwd} does not exist!`));
                }
                const fileName = this._getSpawnFileName();
                const cp = external_child_process_.spawn(fileName, this._getSpawnArgs(optionsNonNull), this._getSpawnOptions(this.options, fileName));
                let stdbuffer = '';
                if (cp.stdout) {
                    cp.stdout.on('data', (data) => {
                        if (this.options.listeners && this.options.listeners.stdout) {
                            this.options.listeners.stdout(data);
                        }
                        if (!optionsNonNull.silent && optionsNonNull.outStream) {
                            optionsNonNull.outStream.write(data);
                        }
                        stdbuffer = this._processLineBuffer(data, stdbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.stdline) {
                                this.options.listeners.stdline(line);
                            }
                        });
                    });
                }
                let errbuffer = '';
                if (cp.stderr) {
                    cp.stderr.on('data', (data) => {
                        state.processStderr = true;
                        if (this.options.listeners && this.options.listeners.stderr) {
                            this.options.listeners.stderr(data);
                        }
                        if (!optionsNonNull.silent &&
                            optionsNonNull.errStream &&
                            optionsNonNull.outStream) {
                            const s = optionsNonNull.failOnStdErr
                                ? optionsNonNull.errStream
                                : optionsNonNull.outStream;
                            s.write(data);
                        }
                        errbuffer = this._processLineBuffer(data, errbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.errline) {
                                this.options.listeners.errline(line);
                            }
                        });
                    });
                }
                cp.on('error', (err) => {
                    state.processError = err.message;
                    state.processExited = true;
                    state.processClosed = true;
                    state.CheckComplete();
                });
                cp.on('exit', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    this._debug(`Exit code ${code} received from tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                cp.on('close', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    state.processClosed = true;
                    this._debug(`STDIO streams have closed for tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                state.on('done', (error, exitCode) => {
                    if (stdbuffer.length > 0) {
                        this.emit('stdline', stdbuffer);
                    }
                    if (errbuffer.length > 0) {
                        this.emit('errline', errbuffer);
                    }
                    cp.removeAllListeners();
                    if (error) {
                        reject(error);
                    }
                    else {
                        resolve(exitCode);
                    }
                });
                if (this.options.input) {
                    if (!cp.stdin) {
                        throw new Error('child process missing stdin');
                    }
                    cp.stdin.end(this.options.input);
                }
            }));
        });
    }
}
/**
 * Convert an arg string to an array of args. Handles escaping
 *
 * @param    argString   string of arguments
 * @returns  string[]    array of arguments
 */
function argStringToArray(argString) {
    const args = [];
    let inQuotes = false;
    let escaped = false;
    let arg = '';
    function append(c) {
        // we only escape double quotes.
        if (escaped && c !== '"') {
            arg += '\\';
        }
        arg += c;
        escaped = false;
    }
    for (let i = 0; i < argString.length; i++) {
        const c = argString.charAt(i);
        if (c === '"') {
            if (!escaped) {
                inQuotes = !inQuotes;
            }
            else {
                append(c);
            }
            continue;
        }
        if (c === '\\' && escaped) {
            append(c);
            continue;
        }
        if (c === '\\' && inQuotes) {
            escaped = true;
            continue;
        }
        if (c === ' ' && !inQuotes) {
            if (arg.length > 0) {
                args.push(arg);
                arg = '';
            }
            continue;
        }
        append(c);
    }
    if (arg.length > 0) {
        args.push(arg.trim());
    }
    return args;
}
class ExecState extends external_events_.EventEmitter {
    constructor(options, toolPath) {
        super();
        this.processClosed = false; // tracks whether the process has exited and stdio is closed
        this.processError = '';
        this.processExitCode = 0;
        this.processExited = false; // tracks whether the process has exited
        this.processStderr = false; // tracks whether stderr was written to
        this.delay = 10000; // 10 seconds
        this.done = false;
        this.timeout = null;
        if (!toolPath) {
            throw new Error('toolPath must not be empty');
        }
        this.options = options;
        this.toolPath = toolPath;
        if (options.delay) {
            this.delay = options.delay;
        }
    }
    CheckComplete() {
        if (this.done) {
            return;
        }
        if (this.processClosed) {
            this._setResult();
        }
        else if (this.processExited) {
            this.timeout = (0,external_timers_namespaceObject.setTimeout)(ExecState.HandleTimeout, this.delay, this);
        }
    }
    _debug(message) {
        this.emit('debug', message);
    }
    _setResult() {
        // determine whether there is an error
        let error;
        if (this.processExited) {
            if (this.processError) {
                error = new Error(`There was an error when attempting to execute the process '${this.toolPath}'. This may indicate the process failed to start. Error: ${this.processError}`);
            }
            else if (this.processExitCode !== 0 && !this.options.ignoreReturnCode) {
                error = new Error(`The process '${this.toolPath}' failed with exit code ${this.processExitCode}`);
            }
            else if (this.processStderr && this.options.failOnStdErr) {
                error = new Error(`The process '${this.toolPath}' failed because one or more lines were written to the STDERR stream`);
            }
        }
        // clear the timeout
        if (this.timeout) {
            clearTimeout(this.timeout);
            this.timeout = null;
        }
        this.done = true;
        this.emit('done', error, this.processExitCode);
    }
    static HandleTimeout(state) {
        if (state.done) {
            return;
        }
        if (!state.processClosed && state.processExited) {
            const message = `The STDIO streams did not close within ${state.delay / 1000} seconds of the exit event from process '${state.toolPath}'. This may indicate a child process inherited the STDIO streams and has not yet exited.`;
            state._debug(message);
        }
        state._setResult();
    }
}
//# sourceMappingURL=toolrunner.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/exec.js
var exec_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


/**
 * Exec a command.
 * Output will be streamed to the live console.
 * Returns promise with return code
 *
 * @param     commandLine        command to execute (can include additional args). Must be correctly escaped.
 * @param     args               optional arguments for tool. Escaping is handled by the lib.
 * @param     options            optional exec options.  See ExecOptions
 * @returns   Promise<number>    exit code
 */
function exec(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        const commandArgs = argStringToArray(commandLine);
        if (commandArgs.length === 0) {
            throw new Error(`Parameter 'commandLine' cannot be null or empty.`);
        }
        // Path to tool to execute should be first arg
        const toolPath = commandArgs[0];
        args = commandArgs.slice(1).concat(args || []);
        const runner = new ToolRunner(toolPath, args, options);
        return runner.exec();
    });
}
/**
 * Exec a command and get the output.
 * Output will be streamed to the live console.
 * Returns promise with the exit code and collected stdout and stderr
 *
 * @param     commandLine           command to execute (can include additional args). Must be correctly escaped.
 * @param     args                  optional arguments for tool. Escaping is handled by the lib.
 * @param     options               optional exec options.  See ExecOptions
 * @returns   Promise<ExecOutput>   exit code, stdout, and stderr
 */
function getExecOutput(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        var _a, _b;
        let stdout = '';
        let stderr = '';
        //Using string decoder covers the case where a mult-byte character is split
        const stdoutDecoder = new StringDecoder('utf8');
        const stderrDecoder = new StringDecoder('utf8');
        const originalStdoutListener = (_a = options === null || options === void 0 ? void 0 : options.listeners) === null || _a === void 0 ? void 0 : _a.stdout;
        const originalStdErrListener = (_b = options === null || options === void 0 ? void 0 : options.listeners) === null || _b === void 0 ? void 0 : _b.stderr;
        const stdErrListener = (data) => {
            stderr += stderrDecoder.write(data);
            if (originalStdErrListener) {
                originalStdErrListener(data);
            }
        };
        const stdOutListener = (data) => {
            stdout += stdoutDecoder.write(data);
            if (originalStdoutListener) {
                originalStdoutListener(data);
            }
        };
        const listeners = Object.assign(Object.assign({}, options === null || options === void 0 ? void 0 : options.listeners), { stdout: stdOutListener, stderr: stdErrListener });
        const exitCode = yield exec(commandLine, args, Object.assign(Object.assign({}, options), { listeners }));
        //flush any remaining characters
        stdout += stdoutDecoder.end();
        stderr += stderrDecoder.end();
        return {
            exitCode,
            stdout,
            stderr
        };
    });
}
//# sourceMappingURL=exec.js.map
// EXTERNAL MODULE: ./src/config/index.ts + 38 modules
var config = __nccwpck_require__(1138);
// EXTERNAL MODULE: ./src/log.ts
var src_log = __nccwpck_require__(5625);
// EXTERNAL MODULE: external "node:string_decoder"
var external_node_string_decoder_ = __nccwpck_require__(6193);
;// CONCATENATED MODULE: ./src/artifact/output-lines.ts
/** A command's output, as chunks arrive, cut into whole lines for a Log (a line never waits past its newline). */

/** A line longer than this is passed on in pieces of this size rather than held without end. */
const MAX_LINE = 64 * 1024;
function lineSink(emit) {
    const decoder = new external_node_string_decoder_.StringDecoder('utf8');
    let pending = '';
    const take = (text) => {
        pending += text;
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
            emit(pending.slice(0, nl).replace(/\r$/, ''));
            pending = pending.slice(nl + 1);
            nl = pending.indexOf('\n');
        }
        while (pending.length > MAX_LINE) {
            emit(pending.slice(0, MAX_LINE));
            pending = pending.slice(MAX_LINE);
        }
    };
    return {
        write: (chunk) => take(decoder.write(chunk)),
        end() {
            take(decoder.end());
            if (pending)
                emit(pending);
            pending = '';
        },
    };
}

;// CONCATENATED MODULE: ./src/artifact/hooks.ts




/** Thrown when a build command fails: nothing has been sent to any host. */
class BuildError extends Error {
    command;
    exitCode;
    tail;
    constructor(
    /** The hook's label (its name, or its command's first line). */
    command, exitCode, tail) {
        super(`build hook "${command}" exited with code ${exitCode}`);
        this.command = command;
        this.exitCode = exitCode;
        this.tail = tail;
        this.name = 'BuildError';
    }
}
/**
 * Runs the build hooks in order in the build directory, with bash -e and the config's environment: one section of
 * the log (the build phase) holds them all; its line and a failure's line follow it, outside.
 */
async function runBuildHooks(hooks, cwd, env, log) {
    if (!hooks.length)
        return;
    const t0 = Date.now();
    let done = 0;
    let failure;
    await log.group('build', async () => {
        for (const [i, hook] of hooks.entries()) {
            const label = (0,config/* hookLabel */.UR)(hook);
            const tail = [];
            const keep = (data) => {
                tail.push(...data.toString().split('\n').filter(Boolean));
                tail.splice(0, Math.max(0, tail.length - 40));
            };
            const started = Date.now();
            // On a terminal, no `[command]/usr/bin/bash -e -c …` echo: the output goes through the log, line by line.
            const sinks = log.terminal ? [lineSink((l) => log.output(l)), lineSink((l) => log.output(l))] : [];
            const show = (sink) => (data) => {
                keep(data);
                sinks[sink]?.write(data);
            };
            log.info(`▶ build ${i + 1}/${hooks.length}: ${label}`);
            const code = await exec('bash', ['-e', '-c', hook.run], {
                cwd,
                env: { ...process.env, ...env },
                ignoreReturnCode: true,
                silent: log.terminal === true,
                listeners: { stdout: show(0), stderr: show(1) },
            }).finally(() => {
                for (const sink of sinks)
                    sink.end();
            });
            const took = (0,src_log/* seconds */.Y)(Date.now() - started);
            if (code !== 0) {
                log.info(`✗ build hook "${label}" failed: exit code ${code} (${took})`);
                failure = new BuildError(label, code, tail);
                return;
            }
            log.info(`✓ ${label} (${took})`);
            done++;
        }
    });
    const ms = Date.now() - t0;
    const failed = failure ? `in build hook "${failure.command}"` : undefined;
    log.info((0,src_log/* phaseLine */.K)('build', { total: hooks.length, ok: done, ms, failed, unit: 'command' }));
    if (failure) {
        log.info(`✗ ${failure.message}`);
        throw failure;
    }
}


/***/ }),

/***/ 5581:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _esm_shims_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6247);
/* harmony import */ var _cli_args_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(2517);
/* harmony import */ var _cli_context_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7947);
/* harmony import */ var _cli_mask_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(4956);
/* harmony import */ var _cli_outcome_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(1945);
/* harmony import */ var _cli_version_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(3882);
/* harmony import */ var _commands_index_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(9355);
/* harmony import */ var _report_console_log_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(742);
/* harmony import */ var _report_style_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(1791);
/* harmony import */ var _signals_js__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(970);
/* harmony import */ var _coalesce_writes_js__WEBPACK_IMPORTED_MODULE_11__ = __nccwpck_require__(9581);
/* harmony import */ var _report_workflow_commands_js__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(8260);
// The CLI entry (bundled to dist/cli/index.js): argv → context → the same commands as the action → plain-text outcome.












/**
 * Inside a CI job (GITHUB_ACTIONS=true) the runner reads workflow commands in our output, which carries host text:
 * stdout goes out as one stop-commands block (the CLI issues no command of its own), and every stderr line is made
 * inert (stderr cannot share the block: the runner reads the two pipes in no fixed order).
 */
const ci = process.env['GITHUB_ACTIONS'] === 'true';
async function cli(argv, mask) {
    let request;
    try {
        request = (0,_cli_args_js__WEBPACK_IMPORTED_MODULE_1__/* .parseCliArgs */ .hT)(argv);
    }
    catch (error) {
        if (!(error instanceof _cli_args_js__WEBPACK_IMPORTED_MODULE_1__/* .UsageError */ .eb))
            throw error;
        process.stderr.write(`deploy-action: ${error.message}\n${_cli_args_js__WEBPACK_IMPORTED_MODULE_1__/* .USAGE */ .u_}\n`);
        return _cli_outcome_js__WEBPACK_IMPORTED_MODULE_4__/* .EXIT */ .dc.usage;
    }
    if (request.kind !== 'run') {
        process.stdout.write(request.kind === 'help' ? (0,_cli_args_js__WEBPACK_IMPORTED_MODULE_1__/* .helpText */ .BK)() : `deploy-action ${(0,_cli_version_js__WEBPACK_IMPORTED_MODULE_5__/* .packageVersion */ .T)()}\n`);
        return _cli_outcome_js__WEBPACK_IMPORTED_MODULE_4__/* .EXIT */ .dc.ok;
    }
    // Colour is decided per stream: `deploy-action … | less` still colours the errors on the terminal.
    const style = { out: (0,_report_style_js__WEBPACK_IMPORTED_MODULE_8__/* .styleFor */ .j9)(process.stdout), err: (0,_report_style_js__WEBPACK_IMPORTED_MODULE_8__/* .styleFor */ .j9)(process.stderr) };
    const log = (0,_report_console_log_js__WEBPACK_IMPORTED_MODULE_7__/* .consoleLog */ .a)({
        debug: request.verbosity === 'verbose' || process.env['DEPLOY_DEBUG'] === '1',
        quiet: request.verbosity === 'quiet',
        live: process.stdout.isTTY === true && !ci,
        style,
        ci,
    });
    log.debug(`deploy-action ${(0,_cli_version_js__WEBPACK_IMPORTED_MODULE_5__/* .packageVersion */ .T)()} on Node.js ${process.version}`);
    const cancel = (0,_signals_js__WEBPACK_IMPORTED_MODULE_10__/* .cancelOnSignals */ .d)(log);
    let run;
    try {
        run = (0,_cli_context_js__WEBPACK_IMPORTED_MODULE_2__/* .buildCliContext */ .WN)(request, { env: process.env, cwd: process.cwd(), log, signal: cancel.signal, mask });
        const { ctx } = run;
        await log.group((0,_cli_outcome_js__WEBPACK_IMPORTED_MODULE_4__/* .runTitle */ .kh)(request.command, ctx), () => (0,_commands_index_js__WEBPACK_IMPORTED_MODULE_6__/* .runCommand */ .d)(request.command, ctx));
        log.endLive();
        const outcome = (0,_cli_outcome_js__WEBPACK_IMPORTED_MODULE_4__/* .success */ .kX)(ctx.report, ctx.dryRun, style.out);
        // Quiet: the result is all there is on stdout, so no blank line sets it apart from the progress.
        process.stdout.write(request.verbosity === 'quiet' ? outcome.text.replace(/^\n/, '') : outcome.text);
        return outcome.code;
    }
    catch (error) {
        log.endLive();
        const outcome = (0,_cli_outcome_js__WEBPACK_IMPORTED_MODULE_4__/* .failure */ .V2)(run?.ctx.report, error, {
            knownHostsFile: run?.knownHostsFile,
            credentials: run?.credentials,
            cancelled: cancel.signal.aborted,
            dryRun: request.dryRun,
            style: style.err,
        });
        process.stderr.write(ci ? (0,_report_workflow_commands_js__WEBPACK_IMPORTED_MODULE_9__/* .inertText */ .UJ)(outcome.text) : outcome.text);
        return outcome.code;
    }
    finally {
        cancel.dispose();
    }
}
// Every byte written is masked first (secrets become ***); then progress on stdout leaves in one write per tick,
// and warnings on stderr still come after the lines printed before them.
const mask = (0,_cli_mask_js__WEBPACK_IMPORTED_MODULE_3__/* .maskOutput */ .AH)([process.stdout, process.stderr]);
(0,_coalesce_writes_js__WEBPACK_IMPORTED_MODULE_11__/* .coalesceWrites */ .i)(process.stdout, { flushOnExit: true, orderedBefore: [process.stderr] });
if (ci)
    new _report_workflow_commands_js__WEBPACK_IMPORTED_MODULE_9__/* .CommandsOff */ .c9(process.stdout, true);
process.exitCode = await cli(process.argv.slice(2), mask);
mask.flush();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 2517:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  u_: () => (/* reexport */ USAGE),
  eb: () => (/* binding */ UsageError),
  BK: () => (/* reexport */ helpText),
  hT: () => (/* binding */ parseCliArgs)
});

// UNUSED EXPORTS: DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_START_TIMEOUT_SECONDS, HELP_WIDTH, commandLine

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
;// CONCATENATED MODULE: ./src/commands/names.ts
/** The commands, as the `command` input and the CLI name them. */
const COMMANDS = [
    'deploy',
    'redeploy',
    'rollback',
    'unlock',
    'releases',
    'doctor',
    'exec',
    'maintenance',
    'stage',
    'switch',
    'discard',
];
function isCommand(name) {
    return COMMANDS.includes(name);
}

// EXTERNAL MODULE: ./src/releases/name.ts
var releases_name = __nccwpck_require__(1239);
// EXTERNAL MODULE: ./src/remote/quote.ts
var quote = __nccwpck_require__(4414);
;// CONCATENATED MODULE: ./src/cli/help.ts
/** Every command, with the line `--help` shows for it (a Record, so a new command must be added here). */
const help_COMMANDS = {
    deploy: 'build the source and ship it as a new release, switching every host together',
    redeploy: 'a new release copied from the live one (no build): picks up changed shared files, reruns the hooks',
    rollback: 'make the previous good release (or --release NAME) live again',
    unlock: 'remove a deploy lock left behind by a run that died',
    releases: "list each host's releases and which one is live",
    doctor: 'check that each host has what a deploy needs (changes nothing); fails when one lacks it',
    maintenance: "ENVIRONMENT on|off: run the config's maintenance `on` or `off` command on each host, under the lock",
    exec: 'run a command in current/ on the hosts: exec ENVIRONMENT [--once] [--lock] -- COMMAND [ARGS...]',
    stage: 'build and stage a new release with its deploy hooks, held on each host for a later switch (nothing goes live)',
    switch: 'switch ENVIRONMENT --release NAME: make a staged release live on every host, all or nothing',
    discard: 'discard ENVIRONMENT --release NAME: remove a staged release and its hold from every host',
};
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 30;
const DEFAULT_START_TIMEOUT_SECONDS = 20;
const USAGE = 'usage: deploy-action COMMAND ENVIRONMENT [options]   (deploy-action --help for more)';
/** The help's width: every line of `--help` fits in it (a test checks). */
const HELP_WIDTH = 100;
const TERM_COLUMN = 30;
/** `  term      description`, the description wrapped at HELP_WIDTH under its own column. */
function entry(term, description) {
    const lines = [];
    let current = `  ${term}`.padEnd(TERM_COLUMN);
    if (current.length > TERM_COLUMN) {
        lines.push(current.trimEnd());
        current = ' '.repeat(TERM_COLUMN);
    }
    let fresh = true;
    for (const word of description.split(' ')) {
        if (!fresh && current.length + 1 + word.length > HELP_WIDTH) {
            lines.push(current);
            current = ' '.repeat(TERM_COLUMN);
            fresh = true;
        }
        current += fresh ? word : ` ${word}`;
        fresh = false;
    }
    lines.push(current);
    return lines;
}
const OPTION_HELP = [
    ['--config FILE', 'the deploy config (default: deploy.yml)'],
    ['--source DIR', 'the directory to build and ship (default: .)'],
    ['--hosts LIST', 'only these hosts: comma-separated names (user@host:port, host or user@host) or label=NAME'],
    ['--shard K/N', 'stage: only slice K of N of the hosts (config order, N contiguous slices)'],
    ['--dry-run', 'read the hosts and print the plan; change nothing'],
    [
        '--force',
        'unlock: remove the lock even while the run holding it still runs (that run then stops at its next step and ' +
            'changes nothing more)',
    ],
    [
        '--release-name NAME',
        'deploy, redeploy, stage: name of the new release (default: a UTC timestamp; stage: run-<GITHUB_RUN_ID> on a runner)',
    ],
    [
        '--release-name-exists fail|suffix',
        'deploy, redeploy: when --release-name exists on a host, fail (default) or take the first NAME-2, NAME-3… free on every host',
    ],
    [
        '--release NAME',
        'rollback: the release to make live (default: the previous good one); switch, discard: the staged one',
    ],
    [
        '--maintenance, --no-maintenance',
        "deploy, redeploy: wrap the run in the config's maintenance commands, or not (default: maintenance.deploy)",
    ],
    ['--once', 'exec: run on the first selected host only'],
    ['--lock', 'exec: take the deploy lock (refused while another run holds it); default: no lock'],
    ['-- COMMAND [ARGS...]', 'exec: the command; one argument is a bash command line, several are words kept whole'],
    [
        '-i, --identity FILE',
        'private key file (default: the SSH agent, else the first of ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa, ~/.ssh/id_rsa)',
    ],
    ['--certificate FILE', "OpenSSH user certificate of the -i key (default: the key's FILE-cert.pub, if it exists)"],
    ['--known-hosts FILE', 'the host keys to match, known_hosts format (default: ~/.ssh/known_hosts)'],
    [
        '--ssh-config FILE',
        'read host aliases, HostName, User, Port, ProxyJump, ProxyCommand, IdentityFile and CertificateFile from ' +
            "FILE as ssh does; deploy.yml's own values win (default: ~/.ssh/config)",
    ],
    ['--no-ssh-config', 'read no ssh_config'],
    ['--connect-timeout SECONDS', `SSH connection timeout per host (default: ${DEFAULT_CONNECT_TIMEOUT_SECONDS})`],
    [
        '--start-timeout SECONDS',
        `time each host's login shell gets to start the session (default: ${DEFAULT_START_TIMEOUT_SECONDS})`,
    ],
    ['-q, --quiet', 'print only errors and the final result'],
    ['-v, --verbose', 'print debug lines too (as DEPLOY_DEBUG=1 does)'],
    ['-h, --help', 'show this help'],
    ['-V, --version', 'show the version'],
];
const ENVIRONMENT_HELP = [
    ['SSH_AUTH_SOCK', 'the SSH agent to authenticate with'],
    ['DEPLOY_SSH_PASSPHRASE', 'the passphrase of an encrypted private key'],
    ['DEPLOY_DEBUG=1', 'print debug lines (as --verbose does)'],
    ['NO_COLOR', 'set to anything: no colour, even on a terminal (no-color.org)'],
    ['FORCE_COLOR', 'set (and not 0): colour even when the output is not a terminal'],
];
function helpText() {
    return [
        'usage: deploy-action COMMAND ENVIRONMENT [options]',
        '',
        'Atomic releases over SSH with the engine of the deploy-action GitHub Action, from a terminal or',
        'any CI.',
        '',
        'Commands:',
        ...Object.entries(help_COMMANDS).flatMap(([name, what]) => entry(name, what)),
        '',
        'Options:',
        ...OPTION_HELP.flatMap(([term, what]) => entry(term, what)),
        '',
        'Environment:',
        ...ENVIRONMENT_HELP.flatMap(([term, what]) => entry(term, what)),
        '',
        'Exit status: 0 on success, 1 when the run or the config failed, 2 for a usage error, 130 when',
        'cancelled.',
        '',
        'Examples:',
        '  deploy-action deploy production',
        '  deploy-action rollback production --release 20250101120000',
        '  deploy-action releases staging --hosts web1.example.com',
        '  deploy-action maintenance production on',
        '  deploy-action exec production --hosts label=worker -- php artisan queue:restart',
        '',
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/cli/args.ts
/** The CLI's command line: `deploy-action COMMAND ENVIRONMENT [options]`. */






/** A command line we cannot run; the CLI prints it with the usage and exits 2. */
class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}
const OPTIONS = {
    config: { type: 'string' },
    source: { type: 'string' },
    hosts: { type: 'string' },
    shard: { type: 'string' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    'release-name': { type: 'string' },
    'release-name-exists': { type: 'string' },
    release: { type: 'string' },
    once: { type: 'boolean' },
    lock: { type: 'boolean' },
    maintenance: { type: 'boolean' },
    'no-maintenance': { type: 'boolean' },
    identity: { type: 'string', short: 'i' },
    certificate: { type: 'string' },
    'known-hosts': { type: 'string' },
    'ssh-config': { type: 'string' },
    'no-ssh-config': { type: 'boolean' },
    'connect-timeout': { type: 'string' },
    'start-timeout': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
};
/** node:util's messages for a bad option, reworded for a user who has not read Node's docs. */
function reword(error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error.code;
    const option = /'(-[^']*)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option)
        return `unknown option ${option}`;
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
        return /argument missing/.test(message) ? `option ${option} needs a value` : `option ${option} takes no value`;
    }
    return message.split('\n')[0];
}
/** Parses argv (without `node` and the script). Throws UsageError. */
const parseOptions = (args) => (0,external_node_util_.parseArgs)({ args, options: OPTIONS, allowPositionals: true, strict: true });
function parseCliArgs(argv) {
    // exec's command: everything after the first `--`, never read as options.
    const dashes = argv.indexOf('--');
    const tail = dashes < 0 ? undefined : argv.slice(dashes + 1);
    let parsed;
    try {
        parsed = parseOptions(dashes < 0 ? argv : argv.slice(0, dashes));
    }
    catch (error) {
        throw new UsageError(reword(error));
    }
    const { values, positionals } = parsed;
    if (values.help || positionals[0] === 'help')
        return { kind: 'help' };
    if (values.version)
        return { kind: 'version' };
    const [command, environment, ...rest] = positionals;
    // `maintenance ENVIRONMENT on|off`: the state is the third word.
    const state = command === 'maintenance' ? rest.shift() : undefined;
    const extra = rest;
    if (command === undefined)
        throw new UsageError('missing the command');
    if (!isCommand(command))
        throw new UsageError(`unknown command "${command}"; the commands are: ${Object.keys(help_COMMANDS).join(', ')}`);
    if (environment === undefined)
        throw new UsageError(`missing the environment, e.g. deploy-action ${command} production`);
    if (extra.length)
        throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (command === 'maintenance' && state !== 'on' && state !== 'off')
        throw new UsageError(`maintenance needs the state: deploy-action maintenance ${environment} on|off`);
    if ((values.maintenance || values['no-maintenance']) && command !== 'deploy' && command !== 'redeploy')
        throw new UsageError(`--maintenance and --no-maintenance apply to deploy and redeploy, not ${command}`);
    if (values.maintenance && values['no-maintenance'])
        throw new UsageError('--maintenance and --no-maintenance exclude each other; pick one');
    if (values['release-name'] !== undefined && !['deploy', 'redeploy', 'stage'].includes(command)) {
        throw new UsageError(`--release-name names a new release; it applies to deploy, redeploy and stage, not ${command}`);
    }
    const releaseNameExists = nameExists(values['release-name-exists'], command);
    if (values.release !== undefined && !RELEASE_COMMANDS.includes(command)) {
        throw new UsageError(`--release names an existing release; it applies to rollback, switch and discard, not ${command}${command === 'deploy' || command === 'redeploy' || command === 'stage' ? ' (use --release-name)' : ''}`);
    }
    if (values.shard !== undefined && command !== 'stage')
        throw new UsageError(`--shard applies to stage, not ${command}`);
    if (values.force && command !== 'unlock')
        throw new UsageError(`--force applies to unlock, not ${command}`);
    for (const name of ['once', 'lock'])
        if (values[name] && command !== 'exec')
            throw new UsageError(`--${name} applies to exec, not ${command}`);
    if (tail && command !== 'exec')
        throw new UsageError(`"--" and a command apply to exec, not ${command}`);
    if (command === 'exec' && !tail?.some((w) => w.trim()))
        throw new UsageError(`exec needs the command after --, e.g. deploy-action exec ${environment} -- php artisan about`);
    if (values['no-ssh-config'] && values['ssh-config'] !== undefined)
        throw new UsageError('--ssh-config and --no-ssh-config exclude each other; pick one');
    if (values.quiet && values.verbose)
        throw new UsageError('--quiet and --verbose exclude each other; pick one');
    const connectTimeoutSeconds = seconds(values['connect-timeout'], 'connect-timeout', DEFAULT_CONNECT_TIMEOUT_SECONDS);
    const startTimeoutSeconds = seconds(values['start-timeout'], 'start-timeout', DEFAULT_START_TIMEOUT_SECONDS);
    for (const name of [
        'config',
        'source',
        'identity',
        'certificate',
        'known-hosts',
        'ssh-config',
        'release-name',
        'release',
    ]) {
        if (values[name] === '')
            throw new UsageError(`--${name} must not be empty`);
    }
    for (const name of ['release-name', 'release'])
        releaseNameArg(values[name], `--${name}`);
    return {
        kind: 'run',
        command,
        environment,
        config: values.config ?? 'deploy.yml',
        source: values.source ?? '.',
        hosts: values.hosts ?? '',
        shard: values.shard ?? '',
        dryRun: values['dry-run'] ?? false,
        force: values.force ?? false,
        releaseName: RELEASE_COMMANDS.includes(command) ? values.release : values['release-name'],
        ...(releaseNameExists ? { releaseNameExists } : {}),
        identity: values.identity,
        certificate: values.certificate,
        knownHosts: values['known-hosts'],
        ...(values['no-ssh-config'] ? { sshConfig: false } : {}),
        ...(values['ssh-config'] === undefined ? {} : { sshConfig: values['ssh-config'] }),
        connectTimeoutSeconds,
        startTimeoutSeconds,
        verbosity: values.quiet ? 'quiet' : values.verbose ? 'verbose' : 'normal',
        ...(tail ? { exec: { command: commandLine(tail), once: values.once ?? false, lock: values.lock ?? false } } : {}),
        ...(values.maintenance || values['no-maintenance'] ? { maintenance: values.maintenance === true } : {}),
        ...(state === 'on' || state === 'off' ? { maintenanceState: state } : {}),
    };
}
/** A release name given on the command line (maybe pasted from a job's output): checked before any host is reached. */
function releaseNameArg(value, option) {
    if (value === undefined)
        return;
    try {
        (0,releases_name/* checkReleaseName */.v4)(value, option);
    }
    catch (error) {
        throw new UsageError(error.message);
    }
}
/** The commands whose --release names an existing release (the others' new one is --release-name). */
const RELEASE_COMMANDS = ['rollback', 'switch', 'discard'];
/** `--release-name-exists`: fail or suffix, for deploy and redeploy. */
function nameExists(value, command) {
    if (value === undefined)
        return undefined;
    if (command !== 'deploy' && command !== 'redeploy')
        throw new UsageError(`--release-name-exists applies to deploy and redeploy, not ${command}`);
    const found = releases_name/* RELEASE_NAME_EXISTS */.$t.find((v) => v === value);
    if (!found)
        throw new UsageError(`--release-name-exists: "${value}" is not one of ${releases_name/* RELEASE_NAME_EXISTS */.$t.join(', ')}`);
    return found;
}
/**
 * The words after `--` as one command line for bash: one argument is a command line as it is (as ssh runs it:
 * `-- 'cd app && make'`); several are words, each quoted, so `-- php artisan "a b"` keeps its three words.
 */
function commandLine(args) {
    return args.length === 1 ? args[0] : (0,quote/* words */.a)(args);
}
/** A `--NAME SECONDS` option: a positive number, or the default when absent. */
function seconds(value, name, fallback) {
    if (value === undefined)
        return fallback;
    const n = Number(value);
    if (!value.trim() || !Number.isFinite(n) || n <= 0)
        throw new UsageError(`--${name}: "${value}" is not a positive number of seconds`);
    return n;
}


/***/ }),

/***/ 7947:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  WN: () => (/* binding */ buildCliContext)
});

// UNUSED EXPORTS: cliAccess, cliRunInfo, isEncryptedKey

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/commands/context.ts
var context = __nccwpck_require__(165);
// EXTERNAL MODULE: ./src/commands/index.ts + 88 modules
var commands = __nccwpck_require__(9355);
// EXTERNAL MODULE: ./src/config/index.ts + 38 modules
var src_config = __nccwpck_require__(1138);
;// CONCATENATED MODULE: ./src/fleet/select.ts
/** Limiting a run to some of an environment's hosts (`--hosts` on the CLI, the `hosts` input of the action). */

/**
 * The hosts a comma-separated list selects, in config order and without duplicates; every host when the list is
 * empty. An item that selects nothing is an error (prefixed with `source`, e.g. `--hosts`) that lists the hosts.
 */
function selectHosts(hosts, spec, source) {
    const items = spec
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (!items.length)
        return hosts;
    const problems = [];
    const selectors = [];
    for (const item of items) {
        const selector = (0,src_config/* selectorFor */.DA)(item);
        if (typeof selector === 'string')
            problems.push(selector);
        else if (!hosts.some((h) => selector.matches(h)))
            problems.push(`"${item}" matches no host`);
        else
            selectors.push(selector);
    }
    if (problems.length) {
        const available = hosts.map((h) => (h.labels.length ? `${h.name} [${h.labels.join(', ')}]` : h.name)).join(', ') || '(none)';
        throw new Error(`${source}: ${problems.join('; ')}. The hosts of this environment are: ${available}`);
    }
    return hosts.filter((h) => selectors.some((s) => s.matches(h)));
}

;// CONCATENATED MODULE: ./src/fleet/shard.ts


function parseShard(spec, source) {
    if (!spec.trim())
        return undefined;
    const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(spec);
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (!m || count < 1 || count > 1000 || index < 1 || index > count)
        throw new Error(`${source}: ${JSON.stringify(spec.length > 40 ? `${spec.slice(0, 40)}…` : spec)} is not a shard: write K/N with 1 ≤ K ≤ N ≤ 1000 (e.g. 2/8: the second job of a matrix of 8)`);
    return { index, count };
}
/**
 * Slice K of N of the hosts, in config order: N contiguous slices whose sizes differ by at most one, the larger
 * ones first (host i of n goes to slice floor(i·N/n)+1). The same config always gives the same slices.
 */
function shardHosts(hosts, s) {
    const n = hosts.length;
    return hosts.filter((_, i) => Math.floor((i * s.count) / n) + 1 === s.index);
}
/**
 * The environment's config for one shard: its hosts, and each `once` deploy hook placed on the one host of the
 * whole environment that runs it (the first it picks, in config order): kept, on that host, by the shard that holds
 * it; left out by the others. `selected`: the hosts the `hosts` input selects.
 */
function shardConfig(config, selected, s) {
    const slice = new Set(shardHosts(config.hosts, s));
    const hosts = selected.filter((h) => slice.has(h));
    const deploy = [];
    for (const h of config.deploy) {
        if (!h.once) {
            deploy.push(h);
            continue;
        }
        const [at] = (0,src_config/* hookHosts */.PP)(h, config.hosts, (x) => x);
        if (at && hosts.includes(at))
            deploy.push({
                ...h,
                once: false,
                on: { key: 'on', items: [at.name], path: h.on?.path ?? '', position: h.position },
            });
    }
    return { hosts, deploy };
}
/**
 * The hosts a command works on, and for a shard its `once` hooks: `switch` and `discard` act on every host of the
 * environment (the `hosts` input does not narrow them); `stage` takes its `shard` of the hosts `hosts` selects.
 * `prefix`: how the user wrote the option (`input ` or `--`).
 */
function selectedHosts(config, command, hosts, shard, prefix) {
    if (command === 'switch' || command === 'discard')
        return { hosts: config.hosts };
    const selected = selectHosts(config.hosts, hosts, `${prefix}hosts`);
    const s = parseShard(shard, `${prefix}shard`);
    return s ? shardConfig(config, selected, s) : { hosts: selected };
}
/**
 * What switch and discard say when `hosts` is set: they act on every host of the environment, so the input (option)
 * is ignored, and said to be; undefined when there is nothing to say. `prefix` as for selectedHosts.
 */
function ignoredHosts(command, hosts, environment, prefix) {
    if ((command !== 'switch' && command !== 'discard') || !hosts.trim())
        return undefined;
    const what = prefix === '--' ? 'option' : 'input';
    return `${prefix}hosts is set, but ${command} acts on every host of the environment (${environment}): the ${what} was ignored`;
}

;// CONCATENATED MODULE: ./src/report/report.ts
/** Output kept per step while the run goes; the summary shows less (see summary.ts). */
const OUTPUT_KEEP_LINES = 200;
const OUTPUT_LINE_CHARS = 1000;
/**
 * What happened in a run, collected from step events: the summary, outputs and annotations are all rendered from
 * this, never from inside a step.
 */
class RunReport {
    command;
    environment;
    application;
    hosts = new Map();
    /** Per host: phase durations, health, whether it was switched back. */
    rows = new Map();
    /** When each host's `current` was switched (epoch ms), for the fleet's switch window. */
    switchedAt = new Map();
    warnings = [];
    /** Per host, per step id: the last lines of hook output. */
    outputs = new Map();
    /** Per host: the values its hooks wrote to `$DEPLOY_OUTPUT`, checked (see commands/hook-outputs.ts). */
    hookOutputs = new Map();
    links;
    failure;
    release;
    previous;
    releasePath;
    sha;
    url;
    /** The config file as a terminal in the checkout names it, when not the default `deploy.yml` (for the commands shown). */
    configPath;
    /** exec: what the command did on each host it ran on (the `exec` output). */
    exec;
    /** The hosts in config order (the summary lists them so, not in the order they finished). */
    order = [];
    /** A dry run: nothing was changed, whatever the command. */
    dryRun = false;
    /** Per host, after a failure: whether it confirmed that it undid this run's unfinished work (da_abort). */
    undone = new Map();
    /** Per host: the steps of its abort path it confirmed (`undone` markers: `switched-back`, `unlocked`, `end`…). */
    undid = new Map();
    /** Lines describing what changed (shown on success). */
    changes = [];
    /** What a command tells beyond the outcome (a plan, a releases listing), rendered for the summary and the CLI. */
    details = [];
    started = Date.now();
    finishedMs;
    constructor(command, environment, application) {
        this.command = command;
        this.environment = environment;
        this.application = application;
    }
    step(host, record) {
        const rows = this.hosts.get(host) ?? [];
        const row = {
            id: record.id,
            label: record.label,
            status: record.status,
            ms: record.status === 'running' ? 0 : record.ms,
        };
        const at = rows.findIndex((r) => r.id === row.id);
        if (at >= 0)
            rows[at] = row;
        else
            rows.push(row);
        this.hosts.set(host, rows);
    }
    /** Keeps a line a step printed (the last OUTPUT_KEEP_LINES per step, each cut to OUTPUT_LINE_CHARS). */
    output(host, step, line) {
        let steps = this.outputs.get(host);
        if (!steps) {
            steps = new Map();
            this.outputs.set(host, steps);
        }
        let out = steps.get(step.id);
        if (!out) {
            out = { label: step.label, lines: [], total: 0 };
            steps.set(step.id, out);
        }
        out.total++;
        out.lines.push(line.length > OUTPUT_LINE_CHARS ? `${line.slice(0, OUTPUT_LINE_CHARS)}…` : line);
        if (out.lines.length > OUTPUT_KEEP_LINES)
            out.lines.shift();
    }
    /** The run is about these hosts (config order), and is a dry run or not. */
    begin(hosts, dryRun) {
        this.order.splice(0, this.order.length, ...hosts);
        this.dryRun = dryRun === true;
    }
    /** Hosts with rows (or steps), in config order; the runner (its build) first, other names last. */
    inOrder(hosts) {
        // Each host's place looked up once (a sort compares each host about log2(n) times; a fleet has hundreds).
        const at = new Map(this.order.map((h, i) => [h, i]).reverse());
        const list = [...hosts];
        const rank = new Map(list.map((h) => [h, h === 'runner' ? -1 : (at.get(h) ?? this.order.length)]));
        return list.sort((a, b) => rank.get(a) - rank.get(b));
    }
    row(host) {
        let row = this.rows.get(host);
        if (!row) {
            row = { phases: {} };
            this.rows.set(host, row);
        }
        return row;
    }
    /** First to last switch across the fleet, in ms (undefined before any switch). */
    get switchWindowMs() {
        const times = [...this.switchedAt.values()];
        return times.length ? Math.max(...times) - Math.min(...times) : undefined;
    }
    /** Times a runner-side step (`build`, `pack`) and records it under the pseudo-host `runner`. */
    async time(id, label, fn) {
        const t0 = Date.now();
        this.step('runner', { id, label, status: 'running', ms: 0 });
        try {
            const value = await fn();
            this.step('runner', { id, label, status: 'ok', ms: Date.now() - t0 });
            return value;
        }
        catch (error) {
            this.step('runner', { id, label, status: 'failed', ms: Date.now() - t0 });
            throw error;
        }
    }
    finish() {
        this.finishedMs = Date.now() - this.started;
    }
    get ok() {
        return !this.failure;
    }
}

// EXTERNAL MODULE: ./src/run-info.ts
var run_info = __nccwpck_require__(4091);
// EXTERNAL MODULE: ./src/transport/certificate.ts
var transport_certificate = __nccwpck_require__(2102);
// EXTERNAL MODULE: ./src/transport/known-hosts.ts
var known_hosts = __nccwpck_require__(3808);
;// CONCATENATED MODULE: ./node_modules/ssh-config/lib/glob.js
function escapeChars(text, chars) {
    for (let char of chars) {
        text = text.replace(new RegExp('\\' + char, 'g'), '\\' + char);
    }
    return text;
}
function match(pattern, text) {
    pattern = escapeChars(pattern, '\\()[]{}.+^$|');
    pattern = pattern
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.?');
    return new RegExp('^(?:' + pattern + ')$').test(text);
}
/**
 * A helper function to match input against [pattern-list](https://www.freebsd.org/cgi/man.cgi?query=ssh_config&sektion=5#PATTERNS).
 * According to `man ssh_config`, negated patterns shall be matched first.
 *
 * @param {string|string[]} patternList one or more glob patterns to match
 * @param {string} text the text to match
 */
function glob(patternList, text) {
    const patterns = Array.isArray(patternList) ? patternList : patternList.split(/,/);
    // > If a negated entry is matched, then the Host entry is ignored, regardless of whether any other patterns on the line match.
    let result = false;
    for (const pattern of patterns) {
        const negate = pattern[0] == '!';
        if (negate && match(pattern.slice(1), text)) {
            return false;
        }
        else if (match(pattern, text)) {
            // wait until all of the pattern match results because there might be a negated pattern
            result = true;
        }
    }
    return result;
}
/* harmony default export */ const lib_glob = (glob);
//# sourceMappingURL=glob.js.map
;// CONCATENATED MODULE: ./node_modules/ssh-config/lib/ssh-config.js



const RE_SPACE = /\s/;
const RE_LINE_BREAK = /\r|\n/;
const RE_SECTION_DIRECTIVE = /^(Host|Match)$/i;
const RE_MULTI_VALUE_DIRECTIVE = /^(GlobalKnownHostsFile|Host|IPQoS|SendEnv|UserKnownHostsFile|ProxyCommand|KnownHostsCommand|Match|CanonicalDomains|Include)$/i;
const RE_COMMAND_DIRECTIVE = /^(ProxyCommand|KnownHostsCommand)$/i;
const RE_QUOTE_DIRECTIVE = /^(?:CertificateFile|IdentityFile|IdentityAgent|User|Include)$/i;
const RE_SINGLE_LINE_DIRECTIVE = /^(Include|IdentityFile)$/i;
/**
 * A type of line in an ssh-config file. Differentiates between directives,
 * comments, and empty lines.
 */
var LineType;
(function (LineType) {
    /** line with a directive in an ssh-config file */
    LineType[LineType["DIRECTIVE"] = 1] = "DIRECTIVE";
    /** line with a comment in an ssh-config file */
    LineType[LineType["COMMENT"] = 2] = "COMMENT";
    /** empty line in an ssh-config file */
    LineType[LineType["EMPTY"] = 3] = "EMPTY";
})(LineType || (LineType = {}));
const REPEATABLE_DIRECTIVES = [
    'IdentityFile',
    'LocalForward',
    'RemoteForward',
    'DynamicForward',
    'CertificateFile',
];
function compare(line, opts) {
    // @ts-ignore
    return opts.hasOwnProperty(line.param) && opts[line.param] === line.value;
}
function getIndent(config) {
    for (const line of config) {
        if (line.type === LineType.DIRECTIVE && 'config' in line) {
            for (const subline of line.config) {
                if (subline.before) {
                    return subline.before;
                }
            }
        }
    }
    return '  ';
}
function ssh_config_match(criteria, context) {
    const testCriterion = (key, criterion) => {
        switch (key.toLowerCase()) {
            case 'all':
                return true;
            case 'final':
                if (context.inFinalPass) {
                    return true;
                }
                context.doFinalPass = true;
                return false;
            case 'exec':
                if (!context.options.matchExec) {
                    return false;
                }
                const command = `function main {
          ${criterion}
        }
        main`;
                return (0,external_node_child_process_.spawnSync)(command, { shell: true }).status === 0;
            case 'host':
                return lib_glob(criterion, context.params.HostName);
            case 'originalhost':
                return lib_glob(criterion, context.params.OriginalHost);
            case 'user':
                return lib_glob(criterion, context.params.User);
            case 'localuser':
                return lib_glob(criterion, context.params.LocalUser);
        }
    };
    for (const key in criteria) {
        const criterion = criteria[key];
        const values = Array.isArray(criterion) ? criterion.map(({ val }) => val) : criterion;
        if (!testCriterion(key, values)) {
            return false;
        }
    }
    return true;
}
/**
 * Represents parsed SSH config. Main element of this library.
 *
 * A parsed SSH config is modelled as an array of {@link Line}s.
 */
class SSHConfig extends Array {
    /** shortcut to access {@link LineType.DIRECTIVE} */
    static DIRECTIVE = LineType.DIRECTIVE;
    /** shortcut to access {@link LineType.COMMENT} */
    static COMMENT = LineType.COMMENT;
    /** shortcut to access {@link LineType.EMPTY} */
    static EMPTY = LineType.EMPTY;
    /**
     * Parse SSH config text into structured object.
     */
    static parse(text) {
        return parse(text);
    }
    /**
     * Stringify structured object into SSH config text.
     */
    static stringify(config) {
        return stringify(config);
    }
    compute(opts, computeOpts) {
        if (typeof opts === 'string')
            opts = { Host: opts };
        let userInfo;
        try {
            userInfo = external_node_os_.userInfo();
        }
        catch {
            // os.userInfo() throws a SystemError if a user has no username or homedir.
            userInfo = { username: process.env.USER || process.env.USERNAME || '' };
        }
        const context = {
            params: {
                Host: opts.Host,
                HostName: opts.Host,
                OriginalHost: opts.Host,
                User: userInfo.username,
                LocalUser: userInfo.username,
            },
            options: {
                ignoreCase: computeOpts?.ignoreCase === true,
                matchExec: computeOpts?.matchExec !== false,
            },
            inFinalPass: false,
            doFinalPass: false,
        };
        const obj = {};
        const setProperty = (name, value) => {
            const key = computeOpts?.ignoreCase ? name.toLowerCase() : name;
            let val;
            if (Array.isArray(value)) {
                if (RE_COMMAND_DIRECTIVE.test(key)) {
                    val = value.map(({ val, separator, quoted }) => {
                        return `${separator}${quoted ? `"${val.replace(/"/g, '\\"')}"` : val}`;
                    }).join('').trim();
                }
                else {
                    val = value.map(({ val }) => val);
                }
            }
            else {
                val = value;
            }
            const val0 = Array.isArray(val) ? val[0] : val;
            // Use case-insensitive check for repeatable directives
            const isRepeatable = REPEATABLE_DIRECTIVES.some(d => d.toLowerCase() === name.toLowerCase());
            if (isRepeatable) {
                const list = (obj[key] || (obj[key] = []));
                list.push(...[].concat(val));
            }
            else if (obj[key] == null) {
                if (name === 'HostName') {
                    context.params.HostName = val0;
                }
                else if (name === 'User') {
                    context.params.User = val0;
                }
                obj[key] = val;
            }
        };
        if (opts.User !== undefined) {
            setProperty('User', opts.User);
        }
        const doPass = () => {
            for (const line of this) {
                if (line.type !== LineType.DIRECTIVE)
                    continue;
                // Host and Match directives are always case-insensitive (per OpenSSH behavior)
                if (/^host$/i.test(line.param) && lib_glob(Array.isArray(line.value) ? line.value.map(({ val }) => val) : line.value, context.params.Host)) {
                    let canonicalizeHostName = false;
                    let canonicalDomains = [];
                    setProperty(line.param, line.value);
                    for (const subline of line.config) {
                        if (subline.type === LineType.DIRECTIVE) {
                            setProperty(subline.param, subline.value);
                            if (/^CanonicalizeHostName$/i.test(subline.param) && subline.value === 'yes') {
                                canonicalizeHostName = true;
                            }
                            if (/^CanonicalDomains$/i.test(subline.param) && Array.isArray(subline.value)) {
                                canonicalDomains = subline.value.map(({ val }) => val);
                            }
                        }
                    }
                    if (canonicalDomains.length > 0 && canonicalizeHostName && context.params.Host === context.params.OriginalHost) {
                        for (const domain of canonicalDomains) {
                            const host = `${context.params.OriginalHost}.${domain}`;
                            const { status, stderr } = (0,external_node_child_process_.spawnSync)('nslookup', [host]);
                            if (status === 0 && !/can't find/.test(stderr.toString())) {
                                context.params.Host = host;
                                setProperty('Host', host);
                                doPass();
                                break;
                            }
                        }
                    }
                }
                else if (/^match$/i.test(line.param) && 'criteria' in line && ssh_config_match(line.criteria, context)) {
                    for (const subline of line.config) {
                        if (subline.type === LineType.DIRECTIVE) {
                            setProperty(subline.param, subline.value);
                        }
                    }
                }
                else if (!/^(host|match)$/i.test(line.param)) {
                    setProperty(line.param, line.value);
                }
            }
        };
        doPass();
        if (context.doFinalPass) {
            context.inFinalPass = true;
            context.params.Host = context.params.HostName;
            doPass();
        }
        return obj;
    }
    find(opts) {
        if (typeof opts === 'function')
            return super.find(opts);
        if (!(opts && ('Host' in opts || 'Match' in opts))) {
            throw new Error('Can only find by Host or Match');
        }
        return super.find((line) => 'param' in line && compare(line, opts));
    }
    remove(opts) {
        let index;
        if (typeof opts === 'function') {
            index = super.findIndex(opts);
        }
        else if (!(opts && ('Host' in opts || 'Match' in opts))) {
            throw new Error('Can only remove by Host or Match');
        }
        else {
            index = super.findIndex((line) => 'param' in line && compare(line, opts));
        }
        if (index >= 0)
            return this.splice(index, 1);
    }
    /**
     * Convert this SSH config to its textual presentation via {@link stringify}.
     */
    toString() {
        return stringify(this);
    }
    /**
     * Append new section to existing SSH config.
     */
    append(opts) {
        const indent = getIndent(this);
        const lastEntry = this.length > 0 ? this[this.length - 1] : null;
        let config = lastEntry && lastEntry.config || this;
        let configWas = this;
        let lastLine = config.length > 0 ? config[config.length - 1] : lastEntry;
        if (lastLine && !lastLine.after)
            lastLine.after = '\n';
        let sectionLineFound = config !== configWas;
        for (const param in opts) {
            const value = opts[param];
            const line = {
                type: LineType.DIRECTIVE,
                param,
                separator: ' ',
                value: Array.isArray(value) ? value.map((val, i) => ({ val, separator: i === 0 ? '' : ' ' })) : value,
                before: sectionLineFound ? indent : indent.replace(/  |\t/, ''),
                after: '\n',
            };
            if (RE_SECTION_DIRECTIVE.test(param)) {
                sectionLineFound = true;
                line.before = indent.replace(/  |\t/, '');
                config = configWas;
                // separate sections with an extra newline
                // https://github.com/cyjake/ssh-config/issues/23#issuecomment-564768248
                if (lastLine && lastLine.after === '\n')
                    lastLine.after += '\n';
                config.push(line);
                config = line.config = new SSHConfig();
            }
            else {
                config.push(line);
            }
            lastLine = line;
        }
        return configWas;
    }
    /**
     * Prepend new section to existing SSH config.
     */
    prepend(opts, beforeFirstSection = false) {
        const indent = getIndent(this);
        let config = this;
        let i = 0;
        // insert above known sections
        if (beforeFirstSection) {
            while (i < this.length && !('config' in this[i])) {
                i += 1;
            }
            if (i >= this.length) { // No sections in original config
                return this.append(opts);
            }
        }
        // Prepend new section above the first section
        let sectionLineFound = false;
        let processedLines = 0;
        for (const param in opts) {
            processedLines += 1;
            const value = opts[param];
            const line = {
                type: LineType.DIRECTIVE,
                param,
                separator: ' ',
                value: Array.isArray(value) ? value.map((val, i) => ({ val, separator: i === 0 ? '' : ' ' })) : value,
                before: '',
                after: '\n',
            };
            if (RE_SECTION_DIRECTIVE.test(param)) {
                line.before = indent.replace(/  |\t/, '');
                config.splice(i, 0, line);
                config = line.config = new SSHConfig();
                sectionLineFound = true;
                continue;
            }
            // separate from previous sections with an extra newline
            if (processedLines === Object.keys(opts).length) {
                line.after += '\n';
            }
            if (!sectionLineFound) {
                config.splice(i, 0, line);
                i += 1;
                // Add an extra newline if a single line directive like Include
                if (RE_SINGLE_LINE_DIRECTIVE.test(param)) {
                    line.after += '\n';
                }
                continue;
            }
            line.before = indent;
            config.push(line);
        }
        return config;
    }
}
/**
 * Parse SSH config text into structured object.
 */
function parse(text) {
    // Handle Buffer input by converting to string
    const input = typeof text === 'string' ? text : text.toString('utf-8');
    let i = 0;
    let chr = next();
    let config = new SSHConfig();
    let configWas = config;
    function next() {
        return input[i++];
    }
    function space() {
        let spaces = '';
        while (RE_SPACE.test(chr)) {
            spaces += chr;
            chr = next();
        }
        return spaces;
    }
    function linebreak() {
        let breaks = '';
        while (RE_LINE_BREAK.test(chr)) {
            breaks += chr;
            chr = next();
        }
        return breaks;
    }
    function parameter() {
        let param = '';
        while (chr && /[^ \t=]/.test(chr)) {
            param += chr;
            chr = next();
        }
        return param;
    }
    function separator() {
        let sep = space();
        if (chr === '=') {
            sep += chr;
            chr = next();
        }
        return (sep + space());
    }
    function value() {
        let val = '';
        let quoted = false;
        let escaped = false;
        while (chr && !RE_LINE_BREAK.test(chr)) {
            // backslash escapes only double quotes
            if (escaped) {
                val += chr === '"' ? chr : `\\${chr}`;
                escaped = false;
            }
            // ProxyCommand ssh -W "%h:%p" firewall.example.org
            else if (chr === '"' && (!val || quoted)) {
                quoted = !quoted;
            }
            else if (chr === '\\') {
                escaped = true;
            }
            else if (chr === '#' && !quoted) {
                break;
            }
            else {
                val += chr;
            }
            chr = next();
        }
        if (quoted || escaped) {
            throw new Error(`Unexpected line break at ${val}`);
        }
        return val.trim();
    }
    function comment() {
        const type = LineType.COMMENT;
        let content = '';
        while (chr && !RE_LINE_BREAK.test(chr)) {
            content += chr;
            chr = next();
        }
        return { type, content, before: '', after: '' };
    }
    // Host *.co.uk
    // Host * !local.dev
    // Host "foo bar"
    function values() {
        const results = [];
        let val = '';
        // whether current value is quoted or not
        let valQuoted = false;
        // the separator preceding current value
        let valSeparator = ' ';
        // whether current context is within quotations or not
        let quoted = false;
        let escaped = false;
        while (chr && !RE_LINE_BREAK.test(chr)) {
            if (escaped) {
                val += chr === '"' ? chr : `\\${chr}`;
                escaped = false;
            }
            else if (chr === '"') {
                quoted = !quoted;
            }
            else if (chr === '\\') {
                escaped = true;
            }
            else if (quoted) {
                val += chr;
                valQuoted = true;
            }
            else if (/[ \t=]/.test(chr)) {
                if (val) {
                    results.push({ val, separator: valSeparator, quoted: valQuoted });
                    val = '';
                    valQuoted = false;
                    valSeparator = chr;
                }
                // otherwise ignore the space
            }
            else if (chr === '#' && results.length > 0) {
                break;
            }
            else {
                val += chr;
            }
            chr = next();
        }
        if (quoted || escaped) {
            throw new Error(`Unexpected line break at ${results.map(({ val }) => val).concat(val).join(' ')}`);
        }
        if (val)
            results.push({ val, separator: valSeparator, quoted: valQuoted });
        return results.length > 1 ? results : results[0].val;
    }
    function directive() {
        const type = LineType.DIRECTIVE;
        const param = parameter();
        // Host "foo bar" baz
        const multiple = RE_MULTI_VALUE_DIRECTIVE.test(param);
        const result = {
            type,
            param,
            separator: separator(),
            quoted: !multiple && chr === '"',
            value: multiple ? values() : value(),
            before: '',
            after: '',
        };
        if (!result.quoted)
            delete result.quoted;
        if (/^Match$/i.test(param)) {
            const criteria = {};
            if (typeof result.value === 'string') {
                result.value = [{ val: result.value, separator: '', quoted: result.quoted }];
            }
            let i = 0;
            while (i < result.value.length) {
                const { val: keyword } = result.value[i];
                switch (keyword.toLowerCase()) {
                    case 'all':
                    case 'canonical':
                    case 'final':
                        criteria[keyword] = [];
                        i += 1;
                        break;
                    default:
                        if (i + 1 >= result.value.length) {
                            throw new Error(`Missing value for match criteria ${keyword}`);
                        }
                        criteria[keyword] = result.value[i + 1].val;
                        i += 2;
                        break;
                }
            }
            result.criteria = criteria;
        }
        return result;
    }
    function line() {
        const before = space();
        const node = chr === '#' ? comment() : directive();
        const after = linebreak();
        node.before = before;
        node.after = after;
        return node;
    }
    while (chr) {
        let node = line();
        if (node.type === LineType.DIRECTIVE && RE_SECTION_DIRECTIVE.test(node.param)) {
            config = configWas;
            config.push(node);
            config = node.config = new SSHConfig();
        }
        else if (node.type === LineType.DIRECTIVE && !node.param) {
            // blank lines at file end
            if (config.length === 0) {
                if (configWas.length === 0) {
                    configWas.push({ type: LineType.EMPTY, before: '', after: node.before });
                }
                else {
                    configWas[configWas.length - 1].after += node.before;
                }
            }
            else {
                config[config.length - 1].after += node.before;
            }
        }
        else {
            config.push(node);
        }
    }
    return configWas;
}
/**
 * Stringify structured object into SSH config text.
 */
function stringify(config) {
    let str = '';
    function formatValue(value, quoted) {
        if (Array.isArray(value)) {
            let result = '';
            for (const { val, separator, quoted } of value) {
                result += (result ? separator : '') + formatValue(val, quoted || RE_SPACE.test(val));
            }
            return result;
        }
        return quoted ? `"${value}"` : value;
    }
    function formatDirective(line) {
        const quoted = line.quoted
            || (RE_QUOTE_DIRECTIVE.test(line.param) && typeof line.value === 'string' && RE_SPACE.test(line.value));
        const value = formatValue(line.value, quoted);
        return `${line.param}${line.separator}${value}`;
    }
    const format = (line) => {
        str += line.before;
        if (line.type === LineType.COMMENT) {
            str += line.content;
        }
        else if (line.type === LineType.DIRECTIVE && REPEATABLE_DIRECTIVES.includes(line.param)) {
            (Array.isArray(line.value) ? line.value : [line.value]).forEach((value, i, values) => {
                str += formatDirective({ ...line, value: typeof value !== 'string' ? value.val : value });
                if (i < values.length - 1)
                    str += `\n${line.before}`;
            });
        }
        else if (line.type === LineType.DIRECTIVE) {
            str += formatDirective(line);
        }
        str += line.after;
        if ('config' in line) {
            line.config.forEach(format);
        }
    };
    config.forEach(format);
    return str;
}

//# sourceMappingURL=ssh-config.js.map
;// CONCATENATED MODULE: ./src/cli/ssh-config-include.ts
/**
 * `Include` in ssh_config, followed as `ssh` does (the `ssh-config` package reads the line but not the files): each
 * path or glob (`~` expanded, a relative one from ~/.ssh, the matches in sorted order, none is no error) is read in
 * place of the line, to a depth of 16. Inside a `Host` or `Match` block the block goes on after the included text.
 */



/** OpenSSH's limit on nested Include (READCONF_MAX_DEPTH). */
const MAX_INCLUDE_DEPTH = 16;
const INCLUDE = /^\s*include(?:\s*=\s*|\s+)(.*)$/i;
const SECTION = /^\s*(?:host|match)(?:\s*=\s*|\s+)/i;
const GLOB = /[*?[]/;
/** The words of an Include line: whitespace-separated, `"…"` quoting a word with spaces. */
function words(value) {
    return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]).filter((w) => w !== '');
}
/** A glob component (`*`, `?`, `[…]`) as a regular expression; a leading `.` is matched only when written. */
function componentPattern(glob) {
    let out = '';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*')
            out += '[^/]*';
        else if (c === '?')
            out += '[^/]';
        else if (c === '[') {
            const end = glob.indexOf(']', i + 2);
            if (end < 0)
                out += '\\[';
            else {
                const set = glob
                    .slice(i + 1, end)
                    .replace(/^!/, '^')
                    .replace(/\\/g, '\\\\');
                out += `[${set}]`;
                i = end;
            }
        }
        else
            out += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
    return new RegExp(`^${glob.startsWith('.') ? '' : '(?!\\.)'}${out}$`);
}
/** The files a path or glob names, in sorted order; none when nothing matches (as glob(3) with no match). */
function expandGlob(path) {
    if (!GLOB.test(path))
        return [path];
    const parts = path.split('/');
    let found = [parts[0] === '' ? '/' : parts[0]];
    for (const part of parts.slice(1)) {
        if (part === '')
            continue;
        const next = [];
        for (const dir of found) {
            if (!GLOB.test(part)) {
                next.push((0,external_node_path_.join)(dir, part));
                continue;
            }
            let names;
            try {
                names = (0,external_node_fs_.readdirSync)(dir);
            }
            catch {
                continue;
            }
            const pattern = componentPattern(part);
            next.push(...names.filter((n) => pattern.test(n)).map((n) => (0,external_node_path_.join)(dir, n)));
        }
        found = next.sort();
    }
    return found;
}
/** Where an Include's relative path starts: ~/.ssh, as for any user's ssh_config. */
function resolveInclude(word, home) {
    const path = word === '~' || word.startsWith('~/') ? (0,external_node_path_.join)(home, word.slice(1)) : word;
    return (0,external_node_path_.isAbsolute)(path) ? path : (0,external_node_path_.join)(home, '.ssh', path);
}
/**
 * `text` with each `Include` line replaced by the files it names (recursively). `file` names the config in messages.
 * An included file that cannot be read (other than missing) is an error naming it.
 */
function inlineIncludes(text, file, home = (0,external_node_os_.homedir)(), depth = 0) {
    const out = [];
    let section;
    for (const line of text.split(/\r?\n/)) {
        if (SECTION.test(line))
            section = line;
        const include = INCLUDE.exec(line);
        if (!include) {
            out.push(line);
            continue;
        }
        if (depth >= MAX_INCLUDE_DEPTH) {
            throw new Error(`${file}: Include nested more than ${MAX_INCLUDE_DEPTH} deep (a file that includes itself?)`);
        }
        out.push(`# ${line.trim()}`);
        let opened = false;
        for (const path of words(include[1]).flatMap((w) => expandGlob(resolveInclude(w, home)))) {
            let included;
            try {
                if ((0,external_node_fs_.statSync)(path).isDirectory())
                    continue;
                included = (0,external_node_fs_.readFileSync)(path, 'utf8');
            }
            catch (error) {
                if (error.code === 'ENOENT')
                    continue;
                throw new Error(`${file}: cannot read ${path}, which it includes: ${error.message}`);
            }
            const inlined = inlineIncludes(included, path, home, depth + 1);
            out.push(inlined);
            opened ||= inlined.split(/\r?\n/).some((l) => SECTION.test(l));
        }
        // The block the Include stood in goes on after the included file's own Host or Match blocks.
        if (opened && section !== undefined)
            out.push(section);
    }
    return out.join('\n');
}

;// CONCATENATED MODULE: ./src/cli/ssh-config.ts
/**
 * The CLI reads ~/.ssh/config as `ssh` does (the `ssh-config` package matches the `Host` patterns, first value wins):
 * HostName, User, Port, ProxyJump, ProxyCommand, IdentityFile and CertificateFile fill what deploy.yml leaves open.
 */






const DEFAULT_PORT = 22;
/** `~` and `~/x` → the home directory (as ssh expands IdentityFile and CertificateFile). */
function expandTilde(p, home = (0,external_node_os_.homedir)()) {
    return p === '~' || p.startsWith('~/') ? (0,external_node_path_.join)(home, p.slice(1)) : p;
}
function first(value) {
    return Array.isArray(value) ? value[0] : value;
}
function list(value) {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
/**
 * Parses ssh_config text. `Match exec` blocks are not run (reading a config never runs a command); `Include` lines
 * are followed before (readSshConfig, ssh-config-include.ts).
 */
function parseSshConfig(text, file) {
    const parsed = SSHConfig.parse(text);
    return {
        file,
        lookup(host) {
            const c = parsed.compute(host, { ignoreCase: true, matchExec: false });
            const port = first(c['port']);
            const n = port !== undefined && /^[0-9]{1,5}$/.test(port) ? Number(port) : undefined;
            return {
                ...(first(c['hostname']) === undefined ? {} : { hostName: first(c['hostname']) }),
                ...(first(c['user']) === undefined ? {} : { user: first(c['user']) }),
                ...(n !== undefined && n >= 1 && n <= 65535 ? { port: n } : {}),
                ...(first(c['proxyjump']) === undefined ? {} : { proxyJump: first(c['proxyjump']) }),
                ...(first(c['proxycommand']) === undefined ? {} : { proxyCommand: first(c['proxycommand']) }),
                identityFiles: list(c['identityfile']),
                certificateFiles: list(c['certificatefile']),
            };
        },
    };
}
/**
 * The ssh_config to read: none with --no-ssh-config, the --ssh-config FILE (it must exist), else ~/.ssh/config when
 * there is one; its `Include` files read in place.
 */
function readSshConfig(option, resolvePath) {
    if (option === false)
        return undefined;
    const file = resolvePath(option ?? '~/.ssh/config');
    if (option === undefined && !(0,external_node_fs_.existsSync)(file))
        return undefined;
    let text;
    try {
        text = (0,external_node_fs_.readFileSync)(file, 'utf8');
    }
    catch (error) {
        const code = error.code;
        throw new Error(`cannot read the ssh_config ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)} ` +
            '(name another with --ssh-config FILE, or turn it off with --no-ssh-config)');
    }
    try {
        return parseSshConfig(inlineIncludes(text, file), file);
    }
    catch (error) {
        throw new Error(`${error.message} (fix it, or turn ssh_config off with --no-ssh-config)`);
    }
}
/** A user ssh_config gives `host`, if it is a name deploy.yml would accept. */
function sshConfigUser(config, host) {
    const user = config.lookup(host).user;
    if (user === undefined || user === '%u')
        return undefined;
    return /^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(user) ? user : undefined;
}
/** `[ssh://][user@]host[:port],…` → hops, each hop's own ssh_config applied; undefined for `none`. */
function jumpHops(value, config, user) {
    if (value.toLowerCase() === 'none')
        return undefined;
    return value.split(',').map((written) => {
        let spec;
        try {
            spec = (0,src_config/* parseHostSpec */.nn)(written.trim().replace(/^ssh:\/\//, ''), { file: config.file, line: 1, column: 1 });
        }
        catch {
            throw new Error(`ProxyJump ${value} in ${config.file}: "${written.trim()}" is not [user@]host[:port]; fix it, or run with --no-ssh-config`);
        }
        const own = config.lookup(spec.host);
        const explicitPort = /:[0-9]+$/.test(written.trim());
        return {
            host: own.hostName ?? spec.host,
            user: spec.user ?? sshConfigUser(config, spec.host) ?? user,
            port: explicitPort ? spec.port : (own.port ?? DEFAULT_PORT),
        };
    });
}
/**
 * A host of deploy.yml with ssh_config filling what it leaves open: the real HostName, the Port (when deploy.yml
 * writes none: an explicit `port: 22` wins), and the route (when deploy.yml gives neither `jump` nor `proxy_command`). The user was filled when
 * the config was loaded (`sshConfigUser`). `name` stays as deploy.yml names the host.
 */
function applySshConfig(host, config) {
    if (host.local)
        return { host, used: [] };
    const c = config.lookup(host.host);
    const used = [];
    const out = { ...host };
    const hostName = c.hostName?.replace(/%h/g, host.host);
    if (hostName !== undefined && hostName !== host.host) {
        out.host = hostName;
        used.push(`HostName ${hostName}`);
    }
    if (c.port !== undefined && !host.portWritten && host.port === DEFAULT_PORT && c.port !== host.port) {
        out.port = c.port;
        used.push(`Port ${c.port}`);
    }
    if (!host.jump?.length && host.proxyCommand === undefined) {
        if (c.proxyJump !== undefined) {
            const hops = jumpHops(c.proxyJump, config, host.user);
            if (hops?.length)
                out.jump = hops;
            used.push(`ProxyJump ${c.proxyJump}`);
        }
        else if (c.proxyCommand !== undefined && c.proxyCommand.toLowerCase() !== 'none') {
            out.proxyCommand = c.proxyCommand;
            used.push(`ProxyCommand ${c.proxyCommand}`);
        }
    }
    return { host: out, used };
}
/** The first IdentityFile (or CertificateFile) of the hosts that exists, `~` expanded; ssh skips missing ones. */
function sshConfigFiles(hosts, config, pick) {
    const files = new Set();
    for (const host of hosts) {
        if (host.local)
            continue;
        const found = pick(config.lookup(host.host))
            .map((f) => expandTilde(f))
            .find((f) => (0,external_node_fs_.existsSync)(f));
        if (found)
            files.add(found);
    }
    return [...files];
}
/** The hosts with what ssh_config gives them; a debug line per host says which values were used. */
function withSshConfig(hosts, sshConfig, users, log) {
    return hosts.map((h) => {
        const { host, used } = applySshConfig(h, sshConfig);
        if (!h.local && users.has(h.host))
            used.unshift(`User ${h.user}`);
        if (used.length)
            log.debug(`${h.name}: from ${sshConfig.file}: ${used.join(', ')}`);
        return host;
    });
}
/** IdentityFile and CertificateFile of ssh_config, when no -i is given; one key for every host of the run. */
function sshConfigCredentials(args, hosts, sshConfig, log) {
    if (args.identity !== undefined)
        return {};
    const keys = sshConfigFiles(hosts, sshConfig, (c) => c.identityFiles);
    if (keys.length > 1) {
        throw new Error(`the hosts have different IdentityFile keys in ${sshConfig.file} (${keys.join(', ')}); a run uses one key: ` +
            'pass -i FILE, or load the keys into ssh-agent and run with --no-ssh-config');
    }
    const certificates = args.certificate === undefined ? sshConfigFiles(hosts, sshConfig, (c) => c.certificateFiles) : [];
    if (keys[0])
        log.debug(`IdentityFile ${keys[0]} from ${sshConfig.file}`);
    if (certificates[0])
        log.debug(`CertificateFile ${certificates[0]} from ${sshConfig.file}`);
    return {
        ...(keys[0] ? { identity: keys[0] } : {}),
        ...(certificates.length === 1 ? { certificate: certificates[0] } : {}),
    };
}

;// CONCATENATED MODULE: ./src/cli/context.ts
/** Builds the CommandContext for a CLI run: config, hosts, SSH access, run info — from argv and this machine. */













/** Where `${NAME}` values come from, as messages say it. */
const ENV_SOURCE = 'the environment';
/** Default key files, tried in this order when there is no agent and no `-i`. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
/** `~/x` → `$HOME/x` (the shell does not expand `--opt=~/x`), then absolute against cwd. */
function path(p, cwd) {
    return (0,external_node_path_.resolve)(cwd, p === '~' || p.startsWith('~/') ? (0,external_node_path_.join)((0,external_node_os_.homedir)(), p.slice(1)) : p);
}
/** A path as problems show it: relative to the working directory when it is inside it (`deploy.yml:3:5: …`). */
function shown(file) {
    const rel = (0,external_node_path_.relative)(process.cwd(), file);
    return rel && !rel.startsWith('..') && !(0,external_node_path_.isAbsolute)(rel) ? rel : file;
}
function readOrThrow(file, what) {
    try {
        return (0,external_node_fs_.readFileSync)(file, 'utf8');
    }
    catch (error) {
        const code = error.code;
        const why = code === 'ENOENT'
            ? 'no such file'
            : code === 'EACCES'
                ? 'permission denied'
                : code === 'EISDIR'
                    ? 'it is a directory'
                    : String(error);
        throw new Error(`cannot read the ${what} ${file}: ${why}`);
    }
}
/** Whether a private key (OpenSSH, PEM or PuTTY format) is protected by a passphrase. */
function isEncryptedKey(text) {
    if (/^Proc-Type:\s*4,ENCRYPTED/m.test(text) || text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----'))
        return true;
    if (/^Encryption:\s*(?!none\b)\S+/m.test(text))
        return true;
    const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
    if (!body)
        return false;
    const blob = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    const magic = 'openssh-key-v1\0';
    if (blob.length < magic.length + 4 || blob.subarray(0, magic.length).toString('latin1') !== magic)
        return false;
    const len = blob.readUInt32BE(magic.length);
    return blob.subarray(magic.length + 4, magic.length + 4 + len).toString('latin1') !== 'none';
}
/** SSH access: the agent and/or a key file, host keys from a known_hosts file (fail closed). */
function cliAccess(args, env, cwd, log, needsSsh, fromSshConfig = {}) {
    const knownHostsFile = path(args.knownHosts ?? '~/.ssh/known_hosts', cwd);
    let knownHostsText = '';
    if (args.knownHosts !== undefined || (0,external_node_fs_.existsSync)(knownHostsFile))
        knownHostsText = readOrThrow(knownHostsFile, 'known hosts file');
    // Messages name the file, not the action's input: "add this line to /home/me/.ssh/known_hosts".
    const knownHosts = (0,known_hosts/* parseKnownHosts */.uJ)(knownHostsText, { name: knownHostsFile, line: `${knownHostsFile} line` });
    for (const p of knownHosts.problems)
        log.warning(p);
    const agent = env['SSH_AUTH_SOCK'] || undefined;
    let keyFile = args.identity !== undefined ? path(args.identity, cwd) : fromSshConfig.identity;
    if (!keyFile && !agent)
        keyFile = DEFAULT_KEYS.map((k) => (0,external_node_path_.join)((0,external_node_os_.homedir)(), '.ssh', k)).find((f) => (0,external_node_fs_.existsSync)(f));
    if (needsSsh && !keyFile && !agent) {
        throw new Error('no SSH credentials: start an ssh-agent with your key loaded (SSH_AUTH_SOCK), or pass -i FILE ' +
            '(no ~/.ssh/id_ed25519, id_ecdsa or id_rsa was found)');
    }
    let privateKey;
    const passphrase = env['DEPLOY_SSH_PASSPHRASE'] || undefined;
    if (keyFile && needsSsh) {
        privateKey = readOrThrow(keyFile, 'private key');
        if (!passphrase && isEncryptedKey(privateKey)) {
            throw new Error(`the private key ${keyFile} is encrypted: set DEPLOY_SSH_PASSPHRASE to its passphrase, or load it into ssh-agent`);
        }
    }
    const certificate = needsSsh
        ? cliCertificate(args, keyFile, privateKey, cwd, log, args.identity === undefined ? fromSshConfig.certificate : undefined)
        : undefined;
    const credentials = [
        privateKey ? `the key ${keyFile}${certificate ? ` with its certificate ${certificate.file}` : ''}` : '',
        agent ? `the keys of the SSH agent at ${agent}` : '',
    ]
        .filter(Boolean)
        .join(' and ');
    if (needsSsh) {
        log.debug(`host keys from ${knownHostsFile}: ${knownHosts.entries.length} entries`);
        log.debug(`authenticating with ${credentials}`);
    }
    const publicKey = privateKey
        ? `the public key of ${keyFile} (${keyFile}.pub)${agent ? " or of one of the SSH agent's keys (ssh-add -L)" : ''}`
        : "the public key of one of the SSH agent's keys (ssh-add -L lists them)";
    return {
        access: {
            privateKey,
            passphrase,
            agent,
            ...(certificate ? { certificate: certificate.certificate } : {}),
            knownHosts,
            connectTimeoutMs: args.connectTimeoutSeconds * 1000,
            startTimeoutMs: args.startTimeoutSeconds * 1000,
            surface: 'cli',
            names: {
                publicKey,
                passphrase: 'DEPLOY_SSH_PASSPHRASE',
                certificate: { certificate: `the certificate ${certificate?.file}`, key: `the key ${keyFile}` },
            },
        },
        knownHostsFile,
        credentials,
    };
}
/**
 * The user certificate of the key: --certificate FILE, else the key's FILE-cert.pub beside it (as ssh finds it),
 * checked (a user certificate, valid now); its principals and validity in the debug lines.
 */
function cliCertificate(args, keyFile, privateKey, cwd, log, configured) {
    if (args.certificate !== undefined && !privateKey) {
        throw new Error('--certificate needs -i FILE: the private key the certificate was signed for');
    }
    const beside = keyFile ? `${keyFile}-cert.pub` : undefined;
    const file = args.certificate !== undefined
        ? path(args.certificate, cwd)
        : (configured ?? (beside && (0,external_node_fs_.existsSync)(beside) ? beside : undefined));
    if (!file || !privateKey)
        return undefined;
    const source = `the certificate ${file}`;
    const certificate = (0,transport_certificate/* parseCertificate */.hB)(readOrThrow(file, 'certificate'), source);
    log.debug(`certificate ${file}: ${(0,transport_certificate/* describeCertificate */.dF)(certificate)}`);
    (0,transport_certificate/* checkUserCertificate */.pB)(certificate, source);
    return { file, certificate };
}
/** Output of a git command in dir, or '' when dir is not a git checkout (or git is missing). */
function git(dir, args) {
    try {
        return (0,external_node_child_process_.execFileSync)('git', ['-C', dir, ...args], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
            timeout: 10_000,
        }).trim();
    }
    catch {
        return '';
    }
}
/** Who and what: the source's commit and branch (from git), the local user; there is no run URL. */
function cliRunInfo(source, env) {
    const sha = git(source, ['rev-parse', '--verify', '-q', 'HEAD']);
    const ref = sha ? git(source, ['symbolic-ref', '-q', 'HEAD']) : '';
    return (0,run_info/* runInfoFromEnv */.PB)(env, { sha, ref, actor: env['USER'] || env['LOGNAME'] || '', runUrl: '' });
}
/** Everything a command needs. Throws ConfigError for the config, Error for anything else the user must fix. */
function buildCliContext(args, host) {
    const { env, cwd, log, signal } = host;
    const expandEnv = (0,commands/* runsHooks */.z)(args.command, args.dryRun);
    const sshConfig = readSshConfig(args.sshConfig, (p) => path(p, cwd));
    const userFromSshConfig = new Set();
    const userFor = sshConfig
        ? (name) => {
            const user = sshConfigUser(sshConfig, name);
            if (user !== undefined)
                userFromSshConfig.add(name);
            return user;
        }
        : undefined;
    const loaded = (0,src_config/* loadConfig */.Z9)({
        file: shown(path(args.config, cwd)),
        environment: args.environment,
        env,
        envSource: ENV_SOURCE,
        expandEnv,
        surface: 'cli',
        ...(userFor ? { userFor } : {}),
    });
    host.mask?.add(loaded.secrets);
    const { hosts: selected, ...sharded } = selectedHosts(loaded, args.command, args.hosts, args.shard, '--');
    const fromSshConfig = sshConfig ? sshConfigCredentials(args, selected, sshConfig, log) : {};
    const config = {
        ...loaded,
        ...sharded,
        hosts: sshConfig ? withSshConfig(selected, sshConfig, userFromSshConfig, log) : selected,
    };
    const source = path(args.source, cwd);
    log.debug(`config ${loaded.file}, environment ${config.environment}: ${config.hosts.map((h) => h.name).join(', ')}`);
    log.debug(`source ${source}`);
    const { access, knownHostsFile, credentials } = cliAccess(args, env, cwd, log, config.hosts.some((h) => !h.local), fromSshConfig);
    host.mask?.add([access.privateKey ?? '', access.passphrase ?? ''], { credential: true });
    const ctx = {
        config,
        run: cliRunInfo(source, env),
        access,
        log,
        report: new RunReport(args.command, config.environment, config.application),
        source,
        releaseName: args.releaseName,
        releaseNameExists: args.releaseNameExists,
        dryRun: args.dryRun,
        force: args.force,
        ...(args.exec ? { exec: args.exec } : {}),
        maintenance: args.maintenance,
        maintenanceState: args.maintenanceState,
        signal,
        surface: 'cli',
    };
    const ignored = ignoredHosts(args.command, args.hosts, config.environment, '--');
    if (ignored)
        (0,context/* warn */.R)(ctx, ignored);
    return { ctx, knownHostsFile, credentials };
}


/***/ }),

/***/ 4956:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AH: () => (/* binding */ maskOutput)
/* harmony export */ });
/* unused harmony exports MASK, Masker */
/* harmony import */ var node_string_decoder__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6193);
/* harmony import */ var node_string_decoder__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_string_decoder__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _config_index_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1138);
/**
 * The CLI's masking: every byte it writes to stdout and stderr (its log, the build hooks' output that @actions/exec
 * copies there, the outcome) passes through one filter that replaces each secret by `***`, as the runner does for
 * the action. Secrets are the pieces of `secretPieces` (each line of a multi-line value too).
 */


const MASK = '***';
/** Replaces every secret in text; a piece that could still become a secret is kept for the next write. */
class Masker {
    pieces = [];
    pattern;
    add(values, options = {}) {
        const added = (0,_config_index_js__WEBPACK_IMPORTED_MODULE_1__/* .secretPieces */ .oY)(values, options).filter((p) => !this.pieces.includes(p));
        if (!added.length)
            return;
        // Longest first: a secret that contains another is masked whole.
        this.pieces = [...this.pieces, ...added].sort((a, b) => b.length - a.length);
        this.pattern = new RegExp(this.pieces.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    }
    get active() {
        return this.pattern !== undefined;
    }
    /**
     * Masks `text` and splits it: `out` can be written now, `held` (a tail that is the start of a secret) must wait
     * for the next write (or the flush at exit), so that a secret written in two pieces never leaves half unmasked.
     */
    mask(text) {
        const pattern = this.pattern;
        if (!pattern)
            return { out: text, held: '' };
        let out = '';
        let from = 0;
        pattern.lastIndex = 0;
        for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
            out += text.slice(from, m.index) + MASK;
            from = m.index + m[0].length;
        }
        const hold = this.heldFrom(text, from);
        return { out: out + text.slice(from, hold), held: text.slice(hold) };
    }
    /** The first index at or after `from` where the rest of text is a proper prefix of a secret (text.length: none). */
    heldFrom(text, from) {
        let hold = text.length;
        for (const piece of this.pieces) {
            const first = piece.charCodeAt(0);
            for (let i = Math.max(from, text.length - piece.length + 1); i < hold; i++) {
                if (text.charCodeAt(i) === first && piece.startsWith(text.slice(i))) {
                    hold = i;
                    break;
                }
            }
        }
        return hold;
    }
}
/** Puts a Masker in front of each stream's write (before any other wrapper, so nothing reaches the fd unmasked). */
function maskOutput(streams, masker = new Masker()) {
    const flushers = [];
    for (const stream of streams) {
        const write = stream.write.bind(stream);
        const decoder = new node_string_decoder__WEBPACK_IMPORTED_MODULE_0__.StringDecoder('utf8');
        let held = '';
        stream.write = ((chunk, encoding, cb) => {
            const callback = (typeof encoding === 'function' ? encoding : cb);
            const enc = typeof encoding === 'string' ? encoding : 'utf8';
            if (!masker.active && !held)
                return write(chunk, enc, callback);
            const piece = typeof chunk !== 'string'
                ? decoder.write(chunk)
                : enc === 'utf8'
                    ? chunk
                    : Buffer.from(chunk, enc).toString('utf8');
            const text = held + piece;
            const masked = masker.mask(text);
            held = masked.held;
            if (masked.out)
                return write(masked.out, 'utf8', callback);
            if (callback)
                process.nextTick(callback);
            return true;
        });
        flushers.push(() => {
            const rest = held + decoder.end();
            held = '';
            // Whatever is held is not a whole secret: the output ended before it did.
            if (rest)
                write(rest, 'utf8');
        });
    }
    const flush = () => {
        for (const f of flushers)
            f();
    };
    process.once('exit', flush);
    return { add: (values, options) => masker.add(values, options), flush };
}


/***/ }),

/***/ 1945:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  dc: () => (/* binding */ EXIT),
  V2: () => (/* binding */ failure),
  kh: () => (/* binding */ runTitle),
  kX: () => (/* binding */ success)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: ./src/config/index.ts + 38 modules
var config = __nccwpck_require__(1138);
// EXTERNAL MODULE: ./src/remote/steps/exec.ts
var exec = __nccwpck_require__(665);
// EXTERNAL MODULE: ./src/report/document.ts
var report_document = __nccwpck_require__(8101);
// EXTERNAL MODULE: ./src/artifact/hooks.ts + 8 modules
var hooks = __nccwpck_require__(2948);
// EXTERNAL MODULE: ./src/fleet/failures.ts
var failures = __nccwpck_require__(7233);
;// CONCATENATED MODULE: ./src/report/failure.ts





/** Turns any error of a run into the failure the report shows (host, step, message, output tail). */
function failureOf(error) {
    if (error instanceof failures/* HostFailure */.h) {
        return {
            host: error.host,
            step: error.step,
            message: error.message.replace(`${error.host}: ${error.step}: `, ''),
            tail: error.tail,
        };
    }
    // A failure of the whole fleet has no host to name.
    if (error instanceof failures/* FleetFailure */.Z)
        return { host: undefined, step: error.step, message: error.message, tail: [] };
    if (error instanceof hooks/* BuildError */.z)
        return { host: 'runner', step: 'build', message: error.message, tail: error.tail };
    if (error instanceof config/* ConfigError */.xL)
        return { host: 'runner', step: 'config', message: error.message, tail: [] };
    if (error instanceof errors/* Cancelled */.c)
        return { host: 'runner', step: 'cancelled', message: error.message, tail: [] };
    return { host: 'runner', step: 'run', message: error instanceof Error ? error.message : String(error), tail: [] };
}
/** Where a failure happened, for a heading: `on web1 in step hook-1`, `in step build`, or nothing. */
function failedWhere(f) {
    if (!f.host)
        return {};
    if (f.host === 'runner')
        return f.step === 'run' ? {} : { step: f.step };
    return { host: f.host, step: f.step };
}
/**
 * What a failed run did and undid on each host, from the host's own events: the steps it reported (lock, release,
 * switch, switch back) and whether it confirmed its abort path (which undoes exactly what those steps recorded:
 * it switches back, removes the unfinished release and the `shared/` entries the run created, and releases the
 * lock). One line per host, in config order; `backticks` mark names.
 */
function hostsAfterFailure(r) {
    // exec's table says what ran where; it changes nothing a run undoes.
    if (!r.failure || r.command === 'exec')
        return [];
    const hosts = r.inOrder(new Set([...r.order, ...r.hosts.keys()].filter((h) => h !== 'runner')));
    return hosts.map((h) => hostAfterFailure(r, h, r.hosts.get(h) ?? []));
}
/**
 * Inline text from a template: each interpolated name becomes a code span (whatever it holds), each interpolated
 * piece (spans) goes in as it is, and `backticks` in the template's own text mark code.
 */
function says(text, ...values) {
    const out = [];
    text.forEach((part, i) => {
        if (part)
            out.push(...(0,report_document/* spans */.iV)((0,report_document/* ticks */.Zc)(part)));
        const v = values[i];
        if (v !== undefined)
            out.push(...(typeof v === 'string' ? [{ code: v }] : v));
    });
    return out;
}
function hostAfterFailure(r, host, rows) {
    const f = r.failure;
    const step = (id) => rows.find((s) => s.id === id);
    const ok = (id) => step(id)?.status === 'ok';
    if (!rows.length) {
        return f.host === host
            ? says `${host}: not reached (${f.step} failed): nothing was changed`
            : says `${host}: no step ran there: nothing was changed`;
    }
    if (step('lock')?.status === 'failed')
        return says `${host}: the deploy lock is held by another run: nothing was changed, and that lock was left in place`;
    // A switch takes its lock over from the staged release's hold instead; its undo discards that release.
    const takenOver = ok('take-over');
    if (!ok('lock') && !takenOver)
        return says `${host}: only read (no lock taken): nothing was changed`;
    const release = r.release ? says `${r.release}` : says `the new release`;
    const made = r.command !== 'rollback' && step('release') !== undefined && step('release').status !== 'failed';
    const switched = ok('symlink');
    const undid = r.undid.get(host) ?? new Set();
    // Switched back by the rollout's revert phase, as the host confirmed (see da_undid); else the abort path does it.
    const revertedByPhase = (r.rows.get(host)?.reverted === true || ok('revert')) && undid.has('switched-back');
    if (ok('unlock'))
        return says `${host}: finished before the run failed: ${release} is live there`;
    const did = [takenOver ? says `took the deploy lock over from the stage of ${release}` : says `took the deploy lock`];
    if (made)
        did.push(says `made release ${release}`);
    if (switched)
        did.push(says `switched \`current\` to ${release}`);
    if (f.host === host)
        did.push(says `failed in step ${f.step}`);
    if (switched && revertedByPhase)
        did.push(says `switched \`current\` back`);
    // What the abort path was to undo, each with the marker by which the host confirms it did (see da_undid).
    const undo = [];
    if (switched && !revertedByPhase)
        undo.push(['switched-back', says `switch \`current\` back`]);
    const shared = undid.has('shared-left') ? [] : says ` and the \`shared/\` entries this run created`;
    if (made)
        undo.push(['release-removed', says `remove ${release}${shared}`]);
    if (takenOver)
        undo.push([
            'release-removed',
            says `remove ${release}, its stage record and preview link, and put back what its stage changed in \`shared/\``,
        ]);
    if (step('maintenance-on') && !ok('maintenance-off'))
        undo.push(['maintenance-off', says `run maintenance \`off\` (where this run had turned maintenance on)`]);
    if (!undid.has('lock-lost'))
        undo.push(['unlocked', says `release the lock`]);
    if (r.undone.get(host) === false || !undid.has('end'))
        return says `${host}: ${joined(did, ', ')}; it was told to ${joined(undo.map(([, s]) => s))}, but did not confirm it (connection lost?): check with the \`releases\` command`;
    const done = undo.filter(([mark]) => undid.has(mark)).map(([, s]) => pastTense(s));
    const notDone = undo.filter(([mark]) => !undid.has(mark)).map(([, s]) => pastTense(s));
    const warnings = [];
    if (undid.has('current-left'))
        warnings.push(says `left \`current\` on ${release}: the release live before this run is gone`);
    if (undid.has('shared-left'))
        warnings.push(says `left \`shared/\` entries this run created (see the log)`);
    if (undid.has('maintenance-failed'))
        warnings.push(says `maintenance \`off\` FAILED: the site is still in maintenance there`);
    if (undid.has('lock-lost'))
        warnings.push(says `the lock was no longer this run's`);
    const asBefore = !undid.has('current-left') && (!switched || revertedByPhase || undid.has('switched-back'));
    const parts = [
        ...(done.length ? [says `then ${joined(done)}`] : []),
        ...warnings,
        ...(notDone.length ? [says `it did not confirm that it ${joined(notDone)}`] : []),
    ];
    return says `${host}: ${joined(did, ', ')}; ${joined(parts, '; ', '; ')}.${asBefore ? says ` \`current\` is as it was before this run` : says ``}`;
}
/** `a`, `a and b`, `a, b and c` (or joined by `sep`, the last by `last`). */
function joined(items, last = ' and ', sep = ', ') {
    return items.flatMap((item, i) => (i === 0 ? item : [i === items.length - 1 ? last : sep, ...item]));
}
/** The action in the past tense: its first word (`remove`, `switch`, `run`, `release`) replaced. */
function pastTense(action) {
    const past = { remove: 'removed', switch: 'switched', run: 'ran', release: 'released' };
    const [first, ...rest] = action;
    return typeof first === 'string' ? [first.replace(/^\S+/, (w) => past[w] ?? w), ...rest] : action;
}

// EXTERNAL MODULE: ./src/report/progress.ts + 2 modules
var progress = __nccwpck_require__(4915);
;// CONCATENATED MODULE: ./src/report/text.ts
/** A report's blocks as terminal text (the CLI's outcome, the Actions log): headings bare, tables aligned. */

/** Control characters (a host's text may hold any) as one space: a line stays one line on a terminal. */
const oneLine = (text) => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
const width = (text) => [...text].length;
/** Rows padded into aligned columns, a rule under the head. */
function aligned(head, rows) {
    const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
    const line = (cells) => cells
        .map((c, i) => c + ' '.repeat(Math.max(0, widths[i] - width(c))))
        .join('  ')
        .trimEnd();
    return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
function textBlocks(blocks) {
    const out = [];
    for (const b of blocks) {
        const text = (t) => oneLine((0,report_document/* plain */.pj)(t));
        if (b.kind === 'heading') {
            if (out.length && out.at(-1) !== '')
                out.push('');
            out.push(`${text(b.text)}:`);
        }
        else if (b.kind === 'paragraph')
            out.push(`  ${text(b.text)}`);
        else if (b.kind === 'warning')
            out.push(`  ! ${text(b.text)}`);
        else if (b.kind === 'list')
            out.push(...b.items.map((i) => `  - ${text(i)}`));
        else
            out.push(...aligned(b.head, b.rows.map((r) => r.map(text))).map((l) => `  ${l}`));
    }
    return out;
}

// EXTERNAL MODULE: ./src/report/style.ts
var report_style = __nccwpck_require__(1791);
;// CONCATENATED MODULE: ./src/cli/outcome.ts








const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 };
const indent = (text, by = '  ') => text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
/** The heading over a run's progress: what, where, on which hosts. */
function runTitle(command, ctx) {
    const { config } = ctx;
    const hosts = config.hosts.map((h) => (config.hosts.length > 1 ? h.name : `${h.name} (${h.deployPath})`)).join(', ');
    const [what, to] = command === 'exec' ? [`exec \`${(0,exec/* execLabel */.iz)(ctx.exec?.command ?? '')}\``, 'in'] : [command, 'to'];
    return `${what}${ctx.dryRun ? ' (dry run)' : ''}: ${config.application} ${to} ${config.environment} on ${hosts}`;
}
/** A message's text for a terminal: its `backtick` marks dropped (the summary shows them as code). */
const bare = (text) => (0,report_document/* plain */.pj)((0,report_document/* ticks */.Zc)(text));
function headline(r, dryRun) {
    const verb = r.command.charAt(0).toUpperCase() + r.command.slice(1);
    const what = `${r.application} ${['releases', 'unlock', 'doctor', 'exec'].includes(r.command) ? 'in' : 'to'} ${r.environment}`;
    if (dryRun || r.dryRun)
        return `Dry run of ${r.command} of ${what}: ${r.ok ? 'nothing was changed' : 'failed'}`;
    return `${verb} of ${what} ${r.ok ? 'succeeded' : 'failed'}`;
}
function facts(r) {
    const rows = [
        ['Release', r.release],
        ['Commit', r.sha],
        ['Previous release', r.previous ?? (r.release ? '(none)' : undefined)],
        ['URL', r.url],
        ['Duration', r.finishedMs !== undefined ? (0,progress/* seconds */.YA)(r.finishedMs) : undefined],
    ];
    return rows.filter(([, v]) => v).map(([k, v]) => `  ${`${k}:`.padEnd(18)}${v}`);
}
/** A run that succeeded; `style` colours the mark and headings (for stdout). */
function success(r, dryRun, style = report_style/* PLAIN */.tZ) {
    r.finish();
    const out = ['', `${style.ok('✓')} ${style.heading(headline(r, dryRun))}`, ...facts(r)];
    if (r.changes.length)
        out.push('', ...r.changes.map((c) => `  - ${bare(c)}`));
    if (r.details.length)
        out.push('', ...textBlocks(r.details));
    if (r.hookOutputs.size)
        out.push('', style.heading('Hook outputs:'), ...hookOutputLines(r));
    if (r.warnings.length)
        out.push('', style.heading('Warnings:'), ...r.warnings.map((w) => `  - ${bare(w)}`));
    return { text: `${out.join('\n').trimEnd()}\n`, code: EXIT.ok };
}
/** What the hooks wrote to `$DEPLOY_OUTPUT`, host by host: `name=value`, a value of several lines as a JSON string. */
function hookOutputLines(r) {
    return r
        .inOrder(r.hookOutputs.keys())
        .flatMap((host) => [
        `  ${host}:`,
        ...[...r.hookOutputs.get(host).values].map(([name, value]) => `    ${name}=${/[\t\n]/.test(value) ? JSON.stringify(value) : value}`),
    ]);
}
/** A run (or its set-up) that failed: where, why, the last lines of output, what was left alone. */
function failure(r, error, context = {}) {
    const cancelled = error instanceof errors/* Cancelled */.c || context.cancelled === true;
    const code = cancelled ? EXIT.cancelled : EXIT.failed;
    const style = context.style ?? report_style/* PLAIN */.tZ;
    const error_ = style.fail('error:');
    if (error instanceof config/* ConfigError */.xL && !r) {
        return {
            text: `${error.message
                .split('\n')
                .map((l) => `${error_} ${l}`)
                .join('\n')}\n`,
            code,
        };
    }
    const f = failureOf(error);
    const at = failedWhere(f);
    const where = at.host ? `${at.host}: ${at.step}: ` : at.step ? `${at.step}: ` : '';
    const [first = '', ...rest] = `${where}${f.message}`.split('\n').map(bare);
    const out = [`${error_} ${first}`, ...rest.map((l) => indent(l))];
    if (f.step === 'connect' && context.knownHostsFile && f.message.includes(context.knownHostsFile)) {
        out.push('  (to check host keys against another file, pass --known-hosts FILE)');
    }
    if (f.step === 'connect' && /refused the key/.test(f.message) && context.credentials) {
        out.push(`  (deploy-action offered ${context.credentials}; choose another key with -i FILE)`);
    }
    // `runner` is the report's name for this machine (the action runs on a runner; the CLI on your machine).
    const from = f.host === undefined
        ? 'the hosts'
        : f.host !== 'runner'
            ? f.host
            : f.step === 'build'
                ? 'the build'
                : 'this machine';
    if (f.tail.length)
        out.push('', style.heading(`Last lines of output from ${from}:`), ...f.tail.map((l) => `  | ${l}`));
    if (r) {
        r.failure = f;
        r.finish();
        out.unshift('', `${style.fail('✗')} ${style.heading(`${headline(r, context.dryRun)}${r.finishedMs !== undefined ? ` after ${(0,progress/* seconds */.YA)(r.finishedMs)}` : ''}`)}`);
        const hosts = hostsAfterFailure(r).map((l) => (0,report_document/* plain */.pj)(l));
        if (hosts.length)
            out.push('', style.heading('What happened on each host:'), ...hosts.map((l) => `  - ${l}`));
        // A command's findings (doctor's tables) say what failed and how to fix it.
        if (r.details.length)
            out.push('', ...textBlocks(r.details));
        if (r.warnings.length)
            out.push('', style.heading('Warnings:'), ...r.warnings.map((w) => `  - ${bare(w)}`));
    }
    return { text: `${out.join('\n')}\n`, code };
}


/***/ }),

/***/ 3882:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ packageVersion)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_url__WEBPACK_IMPORTED_MODULE_2__);



/**
 * The package's version, read from its package.json at run time: the bundle (dist/cli/index.js) and this source
 * file (src/cli/version.ts) are both two directories below it.
 */
function packageVersion() {
    try {
        const file = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)((0,node_url__WEBPACK_IMPORTED_MODULE_2__.fileURLToPath)(import.meta.url), '../../../package.json');
        return String(JSON.parse((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(file, 'utf8')).version ?? 'unknown');
    }
    catch {
        return 'unknown';
    }
}


/***/ }),

/***/ 9581:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ coalesceWrites)
/* harmony export */ });
/**
 * Writes made within one tick leave together: the stream is corked at the tick's first write and uncorked on the
 * next tick, so a burst of small writes becomes one system call (`writev`) instead of one each. Used for the SSH
 * socket (ssh2 writes every packet in pieces) and for the log on stdout (a pipe to the runner: a fleet's progress
 * lines would otherwise cost one write and one wake-up of the reader each). Plain text writes (a string, no
 * callback) are joined into one string while held: one chunk for the stream to carry instead of one per line.
 */
function coalesceWrites(stream, opts = {}) {
    const write = stream.write;
    let corked = false;
    /** Text written while corked, not yet passed to the stream. */
    let held = '';
    const release = () => {
        if (!held)
            return;
        const text = held;
        held = '';
        write.call(stream, text);
    };
    /** When the last held burst left (performance.now()), for gapMs. */
    let left = Number.NEGATIVE_INFINITY;
    const flush = () => {
        if (!corked)
            return;
        corked = false;
        release();
        stream.uncork();
        left = performance.now();
    };
    const gap = opts.gapMs ?? 0;
    const later = (fn) => {
        if (!opts.turn)
            return process.nextTick(fn);
        const wait = left + gap - performance.now();
        if (wait > 0)
            setTimeout(fn, wait).unref();
        else
            setImmediate(fn);
    };
    stream.write = function (...args) {
        if (!corked && !stream.destroyed) {
            corked = true;
            stream.cork();
            later(flush);
        }
        if (corked && args.length === 1 && typeof args[0] === 'string') {
            held += args[0];
            return true;
        }
        release();
        return write.apply(this, args);
    };
    for (const other of opts.orderedBefore ?? []) {
        const otherWrite = other.write;
        other.write = function (...args) {
            flush();
            return otherWrite.apply(this, args);
        };
    }
    if (opts.flushOnExit) {
        process.once('exit', () => {
            flush();
            // Later exit listeners write straight through: the next tick that would release them never comes.
            stream.write = write;
        });
    }
    return stream;
}


/***/ }),

/***/ 165:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   R: () => (/* binding */ warn)
/* harmony export */ });
/** A warning for the log (an annotation on GitHub) and the summary. */
function warn(ctx, text) {
    ctx.report.warnings.push(text);
    ctx.log.warning(text);
}


/***/ }),

/***/ 9355:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  d: () => (/* binding */ runCommand),
  z: () => (/* binding */ runsHooks)
});

// EXTERNAL MODULE: ./src/remote/sh/index.ts
var sh = __nccwpck_require__(9120);
;// CONCATENATED MODULE: ./src/remote/fence.ts

/**
 * Exit status of a fenced step (see da_fence) when this run no longer holds its lock: it was removed (`unlock`) or
 * replaced. The run stops, changes nothing more and undoes only what is provably its own.
 */
const LOCK_LOST = 76;
/**
 * The fence check, defined in every phase that has a fenced step (see Step.fenced): `da_fence` proves that this
 * run still holds its lock (bash builtins only), or ends the step with LOCK_LOST and a message that says who took
 * it away and when: the record `unlock` left (.deploy/unlocked/<owner>: time, who, URL), or the lock's new holder.
 * Steps that act on the lock's ownership (the switch, the commit) check again under the fence (da_fence_lock, a
 * flock on .deploy/fence that `unlock` holds while it removes a lock), so no unlock and no other run's lock can
 * come between the check and the act. Kept out of the prelude: the first phase travels in the exec request.
 * In sh/fence.sh, which exits with LOCK_LOST (76) literally.
 */
const FENCE_CHECK = sh/* FENCE_SH */.CU;

// EXTERNAL MODULE: ./src/remote/quote.ts
var quote = __nccwpck_require__(4414);
;// CONCATENATED MODULE: ./src/remote/phase.ts



/**
 * A step that exits with this status ends its phase early without failing it (the session stays up): the runner
 * decides what comes next. Used when a staged delta does not verify and a full upload must follow.
 */
const STOP = 99;
/** The same steps, each fenced (see Step.fenced). */
function fenced(steps) {
    return steps.map((step) => ({ ...step, fenced: true }));
}
/**
 * Renders a phase into the script a host evaluates. Steps run one after another until one fails; the phase ends
 * with a `phase-end <rc>` marker. Steps are called outside any `if`/`||` so `set -e` inside them is in force.
 * A failed phase ends the session: the host undoes this run's work (`da_abort`) and exits, so a half-read upload
 * can never be mistaken for the next message and the runner needs no extra round trip to clean up.
 */
function renderPhase(phase) {
    const lines = [];
    if (phase.steps.some((step) => step.fenced))
        lines.push(FENCE_CHECK.replace(/\n$/, ''));
    for (const lib of new Set(phase.steps.flatMap((step) => step.lib ?? [])))
        lines.push(lib.replace(/\n$/, ''));
    for (const [name, value] of Object.entries(phase.vars ?? {})) {
        // LC_*/LANG would change how the session counts the bytes of what it reads.
        if (!/^[A-Z][A-Z0-9_]*$/.test(name) || /^(LC_|LANG)/.test(name))
            throw new Error(`bad phase variable name ${name}`);
        lines.push(`${name}=${(0,quote.q)(value)}`);
    }
    phase.steps.forEach((step, i) => {
        lines.push(`da_f_${i}() {`, step.body.replace(/\s+$/, '') || ':', '}');
    });
    lines.push('da_rc=0');
    phase.steps.forEach((step, i) => {
        const flag = step.mayLackDeployPath ? 'may-lack-deploy-path' : step.fenced ? 'fenced' : '';
        const args = step.brief ? ` ${flag || '-'} brief` : flag ? ` ${flag}` : '';
        lines.push(`if [ "$da_rc" -eq 0 ]; then da_step ${(0,quote.q)(step.id)} da_f_${i}${args}; da_rc=$?; fi`);
    });
    lines.push('da_mark phase-end "$da_rc"');
    lines.push(`if [ "$da_rc" -ne 0 ] && [ "$da_rc" -ne ${STOP} ]; then da_abort; exit "$da_rc"; fi`);
    // Work a step left for after its phase (see da_after_phase): the runner has the phase's outcome meanwhile.
    lines.push('da_after_phase');
    return `${lines.join('\n')}\n`;
}
/** The framing the session loop reads: a decimal byte count on its own line, then the script. */
function phase_frame(script) {
    const body = Buffer.from(script, 'utf8');
    return Buffer.concat([Buffer.from(`${body.length}\n`), body]);
}
/** The message that ends a session whose work is complete. */
const END_SESSION = 'exit 0\n';
/**
 * The message that makes a host undo this run's unfinished work (see `da_abort`) and end the session. An earlier
 * session of the same run that still runs on the host (its runner was killed mid-hook) is stopped first. It brings
 * the files step's restore (see steps/files.ts), which a session that did not stage has not defined. Sent as a
 * session's first phase, it lets the held hello out first (da_flush): stopping the earlier session may take seconds.
 */
const ABORT_SESSION = `${sh/* FILES_RESTORE_SH */.bR}${sh/* REAP_SH */.ZG}da_flush\nda_reap\nda_abort\nda_mark phase-end 0\nexit 0\n`;

;// CONCATENATED MODULE: ./src/remote/contain.ts


/**
 * Containment: a step acts only on paths inside `releases/<name>/` or `shared/`, never through a symlink in a
 * parent component of the path (the build ships links as they are, and someone may plant one in shared/ on the
 * host). The roots themselves (`releases/<name>`, made by the run; `shared`, which an operator may link to another
 * disk) are not checked. Bash builtins only: `[ -L ]` on each parent; `readlink` runs only to name a refused link.
 */
/**
 * Prelude block: `da_parents_real ROOT PATH` is status 0 when no parent component of ROOT/PATH (ROOT/a, ROOT/a/b,
 * ..., PATH itself excluded) is a symlink; else status 1 with the first such component (below ROOT) in DA_LINK. A
 * parent that is not a directory ends the walk (nothing exists below it). `da_relpath_ok PATH`: PATH is a
 * relative path without `.`/`..` segments (values read back from a pending record, which a host may forge).
 */
const CONTAIN_PRELUDE = sh/* CONTAIN_PRELUDE_SH */.fp;
/**
 * Shell functions for the check step (defined inside its body, so they travel only with the stage phase).
 * `da_contain KEY ROOT PATH LAST` checks one configured entry; LAST says what the entry itself may be:
 * `any` (a link there is replaced or removed, never followed), `real` (must not be a link: a shared entry in
 * shared/), `inside` (a link is followed, so it must resolve to a directory inside the release or shared/),
 * `seeded` (must not be a link: a writable dir in a shared dir that the shared step is about to seed from the
 * release, where a relative link would resolve differently).
 */
const CHECK_FUNCTIONS = sh/* CONTAIN_CHECK_SH */.ib;
/** The shared dir that holds `path` (or is `path`), if any: after the shared step, the path lies in shared/. */
function sharedDirOf(path, dirs) {
    return dirs.find((d) => path === d || path.startsWith(`${d}/`));
}
/**
 * The path check: runs after the release is filled and before `shared`, so a refused run changes nothing in
 * shared/ and nothing outside the release. Every configured entry is checked in the release and, for shared
 * entries, in shared/ too; a writable dir or cleared path below a shared dir is checked in shared/, where the
 * shared link will lead it (or in the release, when shared/ is about to be seeded from it). Every refused entry
 * is named (key, path, link, target), then the step fails and the run is undone like any failed step. The `sudo` variants act only after this check, made as the deploy user.
 */
function contain(o) {
    const checks = [];
    let count = 0;
    const add = (key, root, path, last) => {
        count++;
        checks.push(`da_contain ${key} ${root} ${(0,quote.q)(path)} ${last} || ok=`);
    };
    const rel = '"releases/$DA_RELEASE"';
    for (const dir of o.sharedDirs)
        add('shared_dirs', rel, dir, 'any');
    for (const file of o.sharedFiles)
        add('shared_files', rel, file, 'any');
    for (const dir of o.sharedDirs)
        add('shared_dirs', 'shared', dir, 'real');
    for (const file of o.sharedFiles)
        add('shared_files', 'shared', file, 'real');
    // A path below a shared dir S lies in shared/S once the shared step has run; when shared/S does not exist yet,
    // that step seeds it from the release's S (a real directory there), so the release's copy is what to check.
    const inShared = (key, s, path, last) => {
        const from = `"releases/$DA_RELEASE/"${(0,quote.q)(s)}`;
        count++;
        checks.push(`if [ -d ${from} ] && [ ! -L ${from} ] && [ ! -e shared/${(0,quote.q)(s)} ] && [ ! -L shared/${(0,quote.q)(s)} ]; then`, `  da_contain ${key} ${rel} ${(0,quote.q)(path)} ${last === 'inside' ? 'seeded' : last} || ok=`, `else da_contain ${key} shared ${(0,quote.q)(path)} ${last} || ok=; fi`);
    };
    for (const dir of o.writableDirs) {
        const s = sharedDirOf(dir, o.sharedDirs);
        // The shared dir itself is the link the shared step makes (checked above, as a shared dir).
        if (s === dir || o.sharedFiles.includes(dir))
            continue;
        if (s)
            inShared('writable_dirs', s, dir, 'inside');
        else
            add('writable_dirs', rel, dir, 'inside');
    }
    for (const path of o.clearPaths) {
        const s = sharedDirOf(path, o.sharedDirs);
        if (s && s !== path)
            inShared('clear_paths', s, path, 'any');
        else
            add('clear_paths', rel, path, 'any');
    }
    if (count === 0)
        return null;
    return {
        id: 'contain',
        brief: true,
        label: 'path check',
        body: `${CHECK_FUNCTIONS}ok=1
${checks.join('\n')}
[ -n "$ok" ] || exit 1
echo "checked ${count} paths: none leads out of the release or shared/"`,
    };
}
/**
 * Shell function for the steps that delete lists of paths (delta pruning): `da_prune DIR < list` removes the
 * NUL-separated paths (relative to DIR) of a regular file, never through a symlink: a path below a symlinked
 * directory removes that link instead (the release then lacks what the link stood for, so verify finds it
 * incomplete and everything is sent). Paths with `.`/`..` segments are ignored. One `rm` per 1000 paths.
 */
const PRUNE_FUNCTION = sh/* PRUNE_SH */.Jf.replace(/\n$/, '');

;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./src/remote/gzip-members.ts

/**
 * A session script as gzip members, one per part, concatenated: `gzip -dc` (GNU's and busybox's alike) writes the
 * members' texts one after another. Most of a session script is the same for every host of a run (the prelude's
 * helpers, a first phase common to hosts with the same settings, the command loop), and deflating it costs the
 * runner about half a millisecond per host, most of it zlib's set-up: a long part is deflated once per distinct
 * text and its member kept; a short one (the session's marker token and deploy path) is stored as is, without zlib.
 */
const STORE_BELOW = 128;
/**
 * Distinct long parts kept (a run has a few: its shared values, the helpers with a first phase or two); past that,
 * the one used least recently goes (hosts with long deploy paths of their own must not push out the helpers).
 */
const KEPT = 32;
const kept = new Map();
function gzipMembers(parts) {
    return Buffer.concat(parts.map(member));
}
function member(text) {
    const data = Buffer.from(text, 'utf8');
    if (data.length < STORE_BELOW)
        return stored(data);
    let gz = kept.get(text);
    if (gz)
        kept.delete(text);
    else {
        gz = (0,external_node_zlib_namespaceObject.gzipSync)(data);
        if (kept.size >= KEPT)
            kept.delete(kept.keys().next().value);
    }
    kept.set(text, gz);
    return gz;
}
/** A gzip member (RFC 1952) holding `data` in one stored deflate block (RFC 1951, BTYPE 00): under 64 KiB. */
function stored(data) {
    const out = Buffer.alloc(10 + 5 + data.length + 8);
    out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]); // magic, deflate, no flags, no mtime, no extra flags, OS unknown
    out[10] = 1; // the final block, stored
    out.writeUInt16LE(data.length, 11);
    out.writeUInt16LE(~data.length & 0xffff, 13);
    data.copy(out, 15);
    out.writeUInt32LE(crc32(data), 15 + data.length);
    out.writeUInt32LE(data.length, 19 + data.length);
    return out;
}
let table;
function crc32(data) {
    if (!table) {
        table = new Uint32Array(256);
        for (let n = 0; n < 256; n++) {
            let c = n;
            for (let k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            table[n] = c >>> 0;
        }
    }
    let crc = 0xffffffff;
    for (const byte of data)
        crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
}

;// CONCATENATED MODULE: ./src/remote/tools.ts

/**
 * The tools a session needs on a host, checked when the session starts (before its hello, in the same round trip):
 * a host that lacks one, or has busybox's applet first in PATH where GNU behaviour is relied on, fails at once with
 * a message that names each tool and what to install, instead of a step failing later in a way that names none.
 */
/** Where each tool comes from: the Alpine and Debian/Ubuntu packages (in the order install commands list them). */
const PACKAGES = [
    {
        apk: 'coreutils',
        apt: 'coreutils',
        tools: [
            'head',
            'stat',
            'mv',
            'cp',
            'ln',
            'readlink',
            'rm',
            'mkdir',
            'cat',
            'sha256sum',
            'base64',
            'timeout',
            'df',
            'tac',
            'seq',
            'sort',
            'tr',
            'date',
            'sleep',
            'uniq',
            'id',
            'env',
        ],
    },
    { apk: 'findutils', apt: 'findutils', tools: ['find', 'xargs'] },
    { apk: 'tar', apt: 'tar', tools: ['tar'] },
    { apk: 'gzip', apt: 'gzip', tools: ['gzip'] },
    { apk: 'gawk', apt: 'gawk', tools: ['awk'] },
    { apk: 'sed', apt: 'sed', tools: ['sed'] },
    { apk: 'grep', apt: 'grep', tools: ['grep'] },
    { apk: 'util-linux', apt: 'util-linux', tools: ['flock'] },
];
/**
 * Every external command the prelude and the steps run unconditionally (`pkill` and `ps` have fallbacks; `setfacl`,
 * `sudo` and `chown` depend on the config and fail in their own step with their own message).
 */
const HOST_TOOLS = PACKAGES.flatMap((p) => p.tools);
/** The oldest bash the session runs on: `read -N`, `printf -v`, `printf '%(…)T'`, `BASH_CMDS`. */
const MIN_BASH = [4, 3];
/** The session's exit status when its check failed (EX_UNAVAILABLE), after a `tools` marker says why. */
const TOOLS_EXIT = 69;
/**
 * The check, for the prelude (before hello; `da_mark` defined). No process: `hash` finds a tool (its path is then
 * in BASH_CMDS) and `-ef` tells a busybox or toybox applet (a link to, or a copy sharing the inode of, the binary)
 * from the real tool. On failure it sends `tools missing=a,b busybox=c,d bash=VERSION` and exits TOOLS_EXIT. The
 * shell is sh/tools.sh, which holds MIN_BASH (as 403) and TOOLS_EXIT literally; the tools come as arguments.
 */
function toolCheck() {
    return `${sh/* TOOLS_SH */.C3}da_tools ${HOST_TOOLS.join(' ')}\n`;
}
/** The message for a session command that the login shell could not run (status 127), from its stderr. */
function describeMissingShell(stderr) {
    // GNU env: "env: 'bash': No such file or directory"; busybox: "can't execute 'bash'"; dash: "exec: env: not found".
    return /bash/.test(stderr) || !/\benv\b/.test(stderr)
        ? 'this host has no bash (the session runs in bash 4.3 or later): install it (Alpine: `apk add bash coreutils findutils tar gzip util-linux`)'
        : 'this host has no `env` in the login PATH (coreutils): install coreutils, or fix the PATH set by the login files';
}
/** The message for a `tools` marker's fields (`missing=a,b busybox=c,d bash=VERSION`). */
function describeToolProblems(fields) {
    const field = (name) => (fields.find((f) => f.startsWith(`${name}=`)) ?? '').slice(name.length + 1);
    const list = (name) => field(name)
        .split(',')
        .filter((t) => /^[a-z0-9_-]{1,32}$/.test(t) && HOST_TOOLS.includes(t));
    const missing = list('missing');
    const busybox = list('busybox');
    const bash = field('bash')
        .replace(/[^\w.()-]/g, '')
        .slice(0, 40);
    const problems = [];
    if (missing.length)
        problems.push(`missing: ${missing.join(', ')}`);
    if (busybox.length) {
        problems.push(`busybox (or toybox) applets where GNU tools are needed: ${busybox.join(', ')} (busybox \`head -c\` reads past its count from a pipe, its \`find\` has no -printf)`);
    }
    if (!missing.length && !busybox.length) {
        return `bash ${bash || '(unknown version)'} is older than ${MIN_BASH.join('.')}, which the session needs: install bash ${MIN_BASH.join('.')} or later`;
    }
    const needed = PACKAGES.filter((p) => p.tools.some((t) => missing.includes(t) || busybox.includes(t)));
    const apk = ['bash', ...needed.map((p) => p.apk)].join(' ');
    const apt = needed.map((p) => p.apt).join(' ');
    return (`this host lacks tools the session needs: ${problems.join('; ')}. Install them ` +
        `(Alpine: \`apk add ${apk}\`; Debian, Ubuntu: \`apt-get install ${apt}\`)` +
        `${busybox.length ? ' and put them before busybox in PATH' : ''}; see Troubleshooting in docs/operations.md`);
}

;// CONCATENATED MODULE: ./src/remote/prelude.ts





/**
 * How the session's bash is started: without the variables that would make it run a file first (BASH_ENV, ENV),
 * set its options (SHELLOPTS, BASHOPTS) or put it in POSIX mode (POSIXLY_CORRECT, which GNU tools also read).
 * `env -u` works in every login shell and is GNU's and busybox's alike; the prelude unsets the rest.
 */
const SESSION_BASH = 'exec env -u BASH_ENV -u ENV -u SHELLOPTS -u BASHOPTS -u POSIXLY_CORRECT bash --noprofile --norc -c';
/**
 * The command of a session's one exec request: bash, given the session's script (in parts: see gzip-members.ts).
 * The script travels gzipped and base64-encoded on one line, so whatever the login shell (sh, bash, zsh, fish, csh),
 * it reaches bash untouched.
 */
function sessionCommand(script) {
    const gz = gzipMembers(typeof script === 'string' ? [script] : script);
    // echo, not a here-string: bash before 5.1 writes every here-string to a temporary file, and a host's /tmp may be
    // full.
    return `${SESSION_BASH} 's=$(echo ${gz.toString('base64')} | base64 -d | gzip -dc) && eval "$s"'`;
}
/**
 * The longest session command sent (a prelude and an inspect phase take about 5,200 characters): Dropbear refuses
 * exec requests over 9,000 bytes, and csh words over 8 KB.
 */
const MAX_SESSION_COMMAND = 8000;
/**
 * The session command for a script too long for the request: it reads the script from stdin (framed) instead, and
 * runs it only when it arrived whole (it ends with STDIN_SCRIPT_END): half a script would stop short of the loop
 * whose end-of-input path undoes the run's work.
 */
const STDIN_SESSION_COMMAND = `${SESSION_BASH} 'IFS= read -r n && s=$(head -c "$n") && case $s in *"#da-end") eval "$s" ;; *) exit 70 ;; esac'`;
/** The last line of a script sent on stdin (see STDIN_SESSION_COMMAND). */
const STDIN_SCRIPT_END = '#da-end\n';
/**
 * The command loop that ends every session script: it reads length-prefixed phase scripts from stdin and evaluates
 * them. A runner that goes silent (no phase and no ping within DA_IDLE seconds) or away (EOF) is treated as lost.
 */
const SESSION_LOOP = sh/* SESSION_LOOP_SH */.cn;
function renderPrelude(o) {
    return preludeParts(o).join('');
}
/**
 * The prelude in three parts: what a run's sessions share, the session's own values (its marker token, the host's
 * deploy path), the helpers (the same for every session); sessionCommand sends each as a gzip member of its own, so
 * what repeats is deflated once and the session's own short part is stored without zlib.
 */
function preludeParts(o) {
    // The user's environment must not change how the session's commands parse their arguments or where cd goes.
    return [
        `set -u
set +o posix
unset POSIXLY_CORRECT CDPATH GLOBIGNORE TMOUT BASH_ENV ENV TAR_OPTIONS GZIP GREP_OPTIONS
export LC_ALL=C
trap '' PIPE
DA_OWNER=${(0,quote.q)(o.owner)}
DA_PENDING=.deploy/pending/$DA_OWNER
DA_TMP=.deploy/tmp.$DA_OWNER
DA_RUN_JSON=${(0,quote.q)(o.runJson)}
DA_IDLE=${(0,quote.q)(o.idleSeconds)}
`,
        `DA_T=${(0,quote.q)(o.markerToken)}\nDA_DEPLOY_PATH=${(0,quote.q)(o.deployPath)}\n`,
        `${sh/* PRELUDE_SH */.QL}${CONTAIN_PRELUDE}${toolCheck()}da_hold hello $$ "$DA_PGID"\n`,
    ];
}

;// CONCATENATED MODULE: external "node:events"
const external_node_events_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");
;// CONCATENATED MODULE: ./src/remote/session-input.ts
// What the runner sends a running session: frames and payloads on its stdin, and the signal that interrupts it.

/** Pieces a payload is written in: what was sent is known to this (and the connection's window) when it is slow. */
const PIECE_BYTES = 256 * 1024;
/** Writes `data` to the session's stdin; waits for it to drain, or for the session to exit. */
async function send(proc, data, exited) {
    if (!proc.stdin.write(data))
        await drained(proc, exited);
}
/**
 * Streams a phase's payload to the process `target` names, until it names none; then destroys its stream. `report`
 * hears how far it has gone after each piece, and once more when the sending ends.
 */
async function streamTo(payload, target, exited, report) {
    const source = payload.open();
    let sent = 0;
    try {
        for await (const chunk of source) {
            for (let at = 0; at < chunk.length; at += PIECE_BYTES) {
                const proc = target();
                if (!proc)
                    return;
                const piece = chunk.subarray(at, at + PIECE_BYTES);
                if (!proc.stdin.write(piece))
                    await drained(proc, exited);
                sent += piece.length;
                report?.({ sent, total: payload.total?.(), done: false });
            }
        }
    }
    finally {
        source.destroy();
        report?.({ sent, total: payload.total?.(), done: true });
    }
}
async function drained(proc, exited) {
    const ac = new AbortController();
    try {
        await Promise.race([(0,external_node_events_namespaceObject.once)(proc.stdin, 'drain', { signal: ac.signal }), exited]);
    }
    finally {
        ac.abort();
    }
}
/**
 * SIGTERM to the session's process group on the host (pid `pid`, group `pgid`), whose trap undoes the run's work and
 * exits. The signal travels on `side` (a fresh connection) when given, so it does not queue behind upload data
 * still buffered on the session's own connection.
 */
async function terminate(transport, pid, pgid, side) {
    // The whole session (pkill -s): commands under `timeout` live in process groups of their own.
    const command = `pkill -TERM -s ${pgid} 2>/dev/null; kill -TERM -- -${pgid} 2>/dev/null || kill -TERM ${pid}`;
    const via = side ? await side().catch(() => transport) : transport;
    try {
        await via.run(command);
    }
    finally {
        if (via !== transport)
            await via.close();
    }
}

// EXTERNAL MODULE: external "node:string_decoder"
var external_node_string_decoder_ = __nccwpck_require__(6193);
;// CONCATENATED MODULE: ./src/remote/markers.ts
const MARK = '\x1e';
/** Longest output line passed on in one piece; a longer one (a hook printing megabytes without a newline) is cut. */
const MAX_LINE = 16 * 1024;
/** Longest marker line: markers and their data values are short (a release name, a path, a lock's info.json). */
const MAX_MARKER = 64 * 1024;
/**
 * Longest marker line of a blob (`da_blob`: base64 of a listing or a gzipped manifest). A manifest line is about 100
 * bytes a file and gzip leaves its 32 hex digits of hash about half their size: 100,000 files come to 2-4 MB, so
 * 32 MiB is room for half a million files and more, while one blob in flight (its text, its bytes, its decoded
 * value) stays near 100 MB of the runner's memory.
 */
const MAX_BLOB = 32 * 1024 * 1024;
/** The data keys whose values are blobs (see MAX_BLOB); every other marker gets MAX_MARKER. */
const BLOB_KEYS = new Set([
    'releases',
    'history',
    'live-manifest',
    'base-manifest',
    'partial',
]);
/** A marker line went past its cap: the host is sending something no session step sends. */
class MarkerTooLong extends Error {
    kind;
    key;
    limit;
    constructor(kind, key, limit) {
        const what = kind === 'data' && key
            ? `the marker line of data "${printable(key)}"`
            : `a marker line${kind ? ` (${printable(kind)})` : ''}`;
        super(`${what} is longer than ${sizeText(limit)}`);
        this.kind = kind;
        this.key = key;
        this.limit = limit;
        this.name = 'MarkerTooLong';
    }
}
function markerPrefix(token) {
    return `\n${MARK}${token} `;
}
/**
 * Assembles lines from text that arrives in pieces. A line longer than MAX_LINE goes out in pieces of MAX_LINE, so
 * what is held stays bounded; a trailing `\r` is dropped from whole lines. A line under way can be let out early
 * (`early`: the host went quiet in the middle of a line, a prompt or a progress bar); the rest of it follows as a
 * line of its own, and its newline alone adds no empty line.
 */
class LineSplitter {
    onLine;
    partial = '';
    /** Part of the line under way already went out early. */
    shown = false;
    /** How many times text began to be held (a new line under way, or more of one after `early`). */
    holds = 0;
    constructor(onLine) {
        this.onLine = onLine;
    }
    push(text) {
        let start = 0;
        for (;;) {
            const nl = text.indexOf('\n', start);
            if (nl < 0)
                break;
            const line = this.partial + text.slice(start, nl);
            if (!this.shown || (line !== '' && line !== '\r'))
                this.emit(line, true);
            this.partial = '';
            this.shown = false;
            start = nl + 1;
        }
        if (start < text.length) {
            if (!this.partial)
                this.holds++;
            this.partial += text.slice(start);
        }
        while (this.partial.length > MAX_LINE) {
            this.onLine(this.partial.slice(0, MAX_LINE));
            this.partial = this.partial.slice(MAX_LINE);
        }
    }
    /** Whether a line is under way (text since the last newline, shown early or not). */
    get pending() {
        return this.partial !== '' || this.shown;
    }
    /** Whether text of the line under way is held (not shown yet). */
    get holding() {
        return this.partial !== '';
    }
    /** Changes whenever the text held is new (see `holds`): how a caller tells how long the text held has waited. */
    get holdCount() {
        return this.holds;
    }
    /** Ends the line under way, if any. */
    flush() {
        if (this.partial)
            this.emit(this.partial, true);
        this.partial = '';
        this.shown = false;
    }
    /** Lets out what is held of the line under way now; the line goes on (see the class). */
    early() {
        if (!this.partial)
            return;
        this.emit(this.partial, true);
        this.partial = '';
        this.shown = true;
    }
    emit(line, whole) {
        let rest = whole ? line.replace(/\r$/, '') : line;
        while (rest.length > MAX_LINE) {
            this.onLine(rest.slice(0, MAX_LINE));
            rest = rest.slice(MAX_LINE);
        }
        this.onLine(rest);
    }
}
/**
 * Splits a stream of remote stdout into output lines and markers, in order. Linear: every chunk is scanned once
 * (plus a held-back tail shorter than the marker prefix). Output lines go out as soon as their newline arrives, and
 * a line under way when the caller says the stream went quiet (`early`); only a tail that could start a marker (a
 * newline, then a proper prefix of `\x1e<token> `) is ever held back from that, so nothing a host prints is taken
 * for a marker. A marker line over its cap (MAX_MARKER, MAX_BLOB for BLOB_KEYS) calls `onError` once, and everything
 * after it is dropped.
 */
class MarkerParser {
    onMarker;
    onError;
    prefix;
    lines;
    /** A tail of the stream that may start a marker: a proper prefix of `prefix` (it starts with its newline). */
    tail = '';
    /** The tail's newline already ended the output line before it (that line went out when the tail arrived). */
    tailEnded = false;
    /** The marker line being read (after its prefix), in pieces, when it spans chunks. */
    pieces;
    length = 0;
    head = '';
    limit = MAX_MARKER;
    failed = false;
    constructor(token, onLine, onMarker, onError = () => undefined) {
        this.onMarker = onMarker;
        this.onError = onError;
        this.prefix = markerPrefix(token);
        this.lines = new LineSplitter(onLine);
    }
    push(chunk) {
        if (this.failed || !chunk)
            return;
        let text = chunk;
        let pos = 0;
        if (this.pieces) {
            pos = this.readMarker(text, 0);
            if (pos < 0)
                return;
        }
        else if (this.tail) {
            text = this.tail + chunk;
            this.tail = '';
            if (text.length < this.prefix.length && this.prefix.startsWith(text)) {
                this.tail = text; // still undecided
                return;
            }
            // Not a marker after all: the tail's newline is output (unless it already ended the line before it).
            if (!text.startsWith(this.prefix) && this.tailEnded)
                pos = 1;
        }
        this.scan(text, pos);
    }
    /** Whether output text is held that `early` would let out. */
    get holding() {
        return !this.failed && this.lines.holding;
    }
    /** See LineSplitter.holdCount. */
    get holdCount() {
        return this.lines.holdCount;
    }
    /**
     * The stream went quiet: the line under way goes out as far as it came (a prompt, a progress bar). A tail that
     * could start a marker stays held: a marker's pieces may be slow to come.
     */
    early() {
        if (!this.failed)
            this.lines.early();
    }
    /** The stream ended: a held-back tail is output; a marker line cut off by the end is dropped. */
    end() {
        if (this.failed)
            return;
        if (this.tail)
            this.lines.push(this.tailEnded ? this.tail.slice(1) : this.tail);
        this.tail = '';
        this.pieces = undefined;
        this.lines.flush();
    }
    scan(text, from) {
        let pos = from;
        while (pos <= text.length) {
            const at = text.indexOf(this.prefix, pos);
            if (at < 0) {
                const keep = this.tailStart(text, pos);
                if (keep > pos)
                    this.lines.push(text.slice(pos, keep));
                if (keep < text.length) {
                    this.tail = text.slice(keep);
                    // Whether or not a marker follows, the newline ends the line under way: it goes out now.
                    this.tailEnded = this.lines.pending;
                    this.lines.flush();
                }
                return;
            }
            if (at > pos)
                this.lines.push(text.slice(pos, at));
            this.lines.flush();
            pos = this.readMarker(text, at + this.prefix.length);
            if (pos < 0)
                return;
        }
    }
    /** Where a tail that could start a marker begins in text[from..]: at its last newline, if what follows fits. */
    tailStart(text, from) {
        const nl = text.lastIndexOf('\n');
        if (nl < from || text.length - nl >= this.prefix.length)
            return text.length;
        return this.prefix.startsWith(text.slice(nl)) ? nl : text.length;
    }
    /**
     * Reads a marker line from text[from..] (continuing one under way): the position after its newline, or -1 when
     * the line goes on in the next chunk (or went past its cap).
     */
    readMarker(text, from) {
        const nl = text.indexOf('\n', from);
        const stop = nl < 0 ? text.length : nl;
        if (!this.pieces && nl >= 0 && nl - from <= MAX_MARKER) {
            this.emitMarker(text.slice(from, nl));
            return nl + 1;
        }
        const piece = text.slice(from, stop);
        this.pieces ??= [];
        this.pieces.push(piece);
        this.length += piece.length;
        if (this.head.length < 256)
            this.head += piece.slice(0, 256 - this.head.length);
        if (this.length > this.limit && !this.raiseLimit()) {
            const [kind = '', key = ''] = this.head.split(' ');
            this.failed = true;
            this.pieces = undefined;
            this.onError(new MarkerTooLong(kind, key, this.limit));
            return -1;
        }
        if (nl < 0)
            return -1;
        const line = this.pieces.join('');
        this.pieces = undefined;
        this.length = 0;
        this.head = '';
        this.limit = MAX_MARKER;
        this.emitMarker(line);
        return nl + 1;
    }
    /** A blob's marker line gets the larger cap; true when the cap was raised. */
    raiseLimit() {
        if (this.limit !== MAX_MARKER)
            return false;
        const fields = this.head.split(' ');
        if (fields.length < 3 || fields[0] !== 'data' || !BLOB_KEYS.has(fields[1]))
            return false;
        this.limit = MAX_BLOB;
        return this.length <= this.limit;
    }
    emitMarker(line) {
        const fields = line.split(' ');
        this.onMarker({ kind: fields[0] ?? '', args: fields.slice(1) });
    }
}
function sizeText(bytes) {
    return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}
/** A name a host sent (a marker's kind or key), fit for a message: a short word, or `?`. */
function printable(name) {
    return /^[\w.-]{1,40}$/.test(name) ? name : '?';
}

;// CONCATENATED MODULE: ./src/remote/early-lines.ts
// When a line under way (no newline yet) goes to the log: a prompt or a progress bar must show while the host waits.
/** A line under way goes to the log once its stream is quiet this long (a prompt: "Enter password:")… */
const PARTIAL_LINE_QUIET_MS = 250;
/** …or once it has been under way this long while more of it keeps coming (a progress bar redrawn with `\r`). */
const PARTIAL_LINE_MAX_MS = 2000;
/**
 * Lets a stream's line under way out early (see LineSplitter.early): once the stream has been quiet for
 * PARTIAL_LINE_QUIET_MS, or the line under way for PARTIAL_LINE_MAX_MS. One timer, armed only while text is held,
 * never keeping the process alive.
 */
class EarlyLines {
    lines;
    timer;
    last = 0;
    /** When the held text began to be held, and the stream's holdCount then. */
    since;
    hold = -1;
    constructor(lines) {
        this.lines = lines;
    }
    /** Text arrived on the stream (after it was pushed). */
    data() {
        this.last = Date.now();
        if (!this.lines.holding) {
            this.since = undefined;
            return;
        }
        if (this.lines.holdCount !== this.hold) {
            this.hold = this.lines.holdCount;
            this.since = this.last;
        }
        if (!this.timer)
            this.arm(PARTIAL_LINE_QUIET_MS);
    }
    stop() {
        clearTimeout(this.timer);
        this.timer = undefined;
    }
    arm(ms) {
        this.timer = setTimeout(() => this.check(), ms);
        this.timer.unref();
    }
    check() {
        this.timer = undefined;
        if (!this.lines.holding || this.since === undefined)
            return;
        const now = Date.now();
        const due = Math.min(this.last + PARTIAL_LINE_QUIET_MS, this.since + PARTIAL_LINE_MAX_MS);
        if (now < due) {
            this.arm(due - now);
            return;
        }
        this.since = undefined;
        this.lines.early();
    }
}

;// CONCATENATED MODULE: ./src/remote/session-types.ts
/** The session ended while the runner still expected an answer (connection dropped, host process killed). */
class SessionLost extends Error {
    status;
    stderr;
    constructor(host, status, stderr) {
        const how = status.lostBecause ?? (status.signal ? `signal ${status.signal}` : `exit status ${status.code ?? 'unknown'}`);
        super(`${host}: the remote session ended unexpectedly (${how})${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
        this.status = status;
        this.stderr = stderr;
        this.name = 'SessionLost';
    }
}
/**
 * The session failed for a reason of its own, before or between steps: it did not start in time, the host lacks
 * tools, or the host sent what no step sends. `step` is what the failure report names (`session`, `tools`).
 */
class SessionFailed extends Error {
    step;
    detail;
    constructor(host, step, detail) {
        super(`${host}: ${step}: ${detail}`);
        this.step = step;
        this.detail = detail;
        this.name = 'SessionFailed';
    }
}

;// CONCATENATED MODULE: ./src/remote/session-reader.ts





const TAIL_LINES = 40;
/** Longest line kept in a step's tail (the tail goes into the job summary, which must stay small). */
const TAIL_LINE_CHARS = 2000;
/** Output a step may send to the log; the rest is counted, not shown (the tail still follows it). */
const STEP_OUTPUT_BYTES = 4 * 1024 * 1024;
/**
 * Data values (marker text) a phase may send in all: inspect's blobs (listings, two manifests) come to a few MB. Each
 * value is kept as text and as bytes until the phase is read, so this (with MAX_BLOB for one value) is what bounds
 * the runner's memory whatever a host sends: about 150 MB at worst, with the value in flight.
 */
const MAX_PHASE_DATA = 48 * 1024 * 1024;
/**
 * The runner's reading of one session's output: marker dispatch for the phase under way (steps, data values, its
 * end), each step's output budget and tail, stderr lines, and the caps on what a host may send.
 */
class SessionReader {
    name;
    listener;
    hooks;
    /** The phase under way, until its end marker (or the session's failure) settles it. */
    pending;
    /** The last 4000 characters of the session's stderr (for a lost session's message). */
    stderrTail = '';
    shown = 0;
    hidden = 0;
    constructor(name, listener, hooks) {
        this.name = name;
        this.listener = listener;
        this.hooks = hooks;
    }
    /** Waits for `phase`: `result` settles with its end marker, or with the session's failure or loss. */
    expect(phase) {
        const result = new Promise((resolve, reject) => {
            this.pending = {
                phase,
                steps: [],
                data: new Map(),
                bytes: new Map(),
                dataChars: 0,
                startedAt: Date.now(),
                resolve,
                reject,
            };
        });
        result.catch(() => undefined);
        return { pending: this.pending, result };
    }
    listen(proc, token) {
        const parser = new MarkerParser(token, (line) => this.line(line), (marker) => this.marker(marker), (error) => this.tooLong(error));
        const decoder = new external_node_string_decoder_.StringDecoder('utf8');
        const outQuiet = new EarlyLines(parser);
        proc.stdout.on('data', (chunk) => {
            parser.push(decoder.write(chunk));
            outQuiet.data();
        });
        proc.stdout.on('end', () => parser.push(decoder.end()));
        proc.stdout.on('close', () => {
            outQuiet.stop();
            parser.end();
        });
        // stderr lines are assembled across chunks and cut like output lines.
        const errors = new LineSplitter((line) => {
            if (line)
                this.line(line);
        });
        const errDecoder = new external_node_string_decoder_.StringDecoder('utf8');
        const errQuiet = new EarlyLines(errors);
        proc.stderr.on('data', (chunk) => {
            const text = errDecoder.write(chunk);
            this.stderrTail = (this.stderrTail + text.slice(-4000)).slice(-4000);
            errors.push(text);
            errQuiet.data();
        });
        proc.stderr.on('end', () => errors.push(errDecoder.end()));
        proc.stderr.on('close', () => {
            errQuiet.stop();
            errors.flush();
        });
    }
    /** A marker line over its cap: the host sends what no step sends; the session is given up (and interrupted). */
    tooLong(error) {
        const label = this.pending?.current?.label.split('\n')[0];
        const during = label ? ` (during ${label.length > 60 ? `${label.slice(0, 60)}…` : label})` : '';
        this.hooks.fail(new SessionFailed(this.name, 'session', `${error.message}${during}: the host sent more than any step of a session sends; the run stops here`));
    }
    line(text) {
        const step = this.pending?.current;
        if (step) {
            step.tail.push(text.length > TAIL_LINE_CHARS ? `${text.slice(0, TAIL_LINE_CHARS)}… (line cut)` : text);
            if (step.tail.length > TAIL_LINES)
                step.tail.shift();
        }
        // A step that floods its output (a hook printing 50 MB) must not flood the log, nor hold the run up.
        if (this.shown < STEP_OUTPUT_BYTES) {
            this.shown += text.length + 1;
            this.listener.output?.(text, step);
            if (this.shown >= STEP_OUTPUT_BYTES) {
                this.listener.output?.(`… more than ${STEP_OUTPUT_BYTES / 1024 / 1024} MiB of output: the rest of this step's output is not shown`, step);
            }
        }
        else {
            this.hidden += text.length + 1;
        }
    }
    /** A new step starts with a fresh output budget; the end of a cut step says how much was left out. */
    resetOutput(step) {
        if (this.hidden > 0) {
            this.listener.output?.(`… ${this.hidden} bytes of output not shown (the last ${TAIL_LINES} lines are in the failure report)`, step);
        }
        this.shown = 0;
        this.hidden = 0;
    }
    marker(marker) {
        const { kind, args } = marker;
        const p = this.pending;
        switch (kind) {
            case 'hello':
            case 'tools':
                this.hooks.control(marker);
                return;
            case 'undone':
                // The abort path runs in a phase or on its own (no phase under way): heard either way.
                this.listener.undone?.(printable(args[0] ?? ''));
                return;
            case 'data': {
                // `=value` is sent as it is (printable ASCII, spaces included); anything else is base64.
                const raw = args.slice(1).join(' ');
                if (p)
                    p.dataChars += raw.length;
                if (p && p.dataChars > MAX_PHASE_DATA) {
                    this.hooks.fail(new SessionFailed(this.name, 'session', `the host sent more than ${sizeText(MAX_PHASE_DATA)} of data values in one phase (the last one "${printable(args[0] ?? '')}"): more than any step of a session sends; the run stops here`));
                    return;
                }
                const bytes = raw.startsWith('=') ? Buffer.from(raw.slice(1)) : Buffer.from(raw, 'base64');
                const value = bytes.toString('utf8');
                const key = args[0] ?? '';
                if (key === 'warning')
                    this.listener.warning?.(`${this.name}: ${value}`);
                if (!p)
                    return;
                const values = p.data.get(key) ?? [];
                const blobs = p.bytes.get(key) ?? [];
                values.push(value);
                blobs.push(bytes);
                p.data.set(key, values);
                p.bytes.set(key, blobs);
                return;
            }
            case 'step-begin': {
                if (!p)
                    return;
                const spec = p.phase.steps.find((s) => s.id === args[0]);
                const record = {
                    id: args[0] ?? '?',
                    label: spec?.label ?? args[0] ?? '?',
                    status: 'running',
                    ms: Date.now(),
                    tail: [],
                };
                this.resetOutput(p.current);
                p.steps.push(record);
                p.current = record;
                this.listener.step?.(record);
                return;
            }
            case 'step-end': {
                const record = p?.current;
                if (!p || !record)
                    return;
                this.resetOutput(record);
                record.rc = Number(args[1]);
                record.status = record.rc === 0 || record.rc === STOP ? 'ok' : 'failed';
                record.ms = Date.now() - record.ms;
                p.current = undefined;
                this.listener.step?.(record);
                return;
            }
            case 'phase-end': {
                if (!p)
                    return;
                this.pending = undefined;
                const rc = Number(args[0]);
                const stopped = rc === STOP;
                p.resolve({
                    ok: rc === 0 || stopped,
                    stopped,
                    rc,
                    steps: p.steps,
                    data: p.data,
                    bytes: p.bytes,
                    failed: stopped ? undefined : p.steps.find((s) => s.status === 'failed'),
                });
                return;
            }
        }
    }
}

;// CONCATENATED MODULE: ./src/remote/waits.ts
// Bounded waits: a session's exit, start and signals are waited for at most so long.
/** `ms` in seconds, to one decimal (for messages). */
function seconds(ms) {
    return Math.round(ms / 100) / 10;
}
/** The time left of `ms` from now, each time it is asked. */
function deadline(ms) {
    const end = Date.now() + ms;
    return () => Math.max(0, end - Date.now());
}
/** Whether `work` settles successfully within `ms`. */
async function within(work, ms) {
    let timer;
    const late = new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const done = await Promise.race([
        work.then(() => true, () => false),
        late,
    ]);
    clearTimeout(timer);
    return done;
}

;// CONCATENATED MODULE: ./src/remote/session-start.ts



/** Time a host's login shell gets to start the session (the `hello` marker) unless told otherwise. */
const DEFAULT_START_TIMEOUT_MS = 20_000;
/**
 * Time the host gets, beyond the start timeout, to accept the session's exec request: a stalled network or frozen
 * host is noticed by the SSH keepalives within about 40 s, and reported as such; this bounds a host that answers
 * keepalives but never the request.
 */
const EXEC_ANSWER_GRACE_MS = 45_000;
/** A session's start deadlines (its exec request answered, then its hello), one at a time. */
class StartDeadline {
    waiting;
    timer;
    /** `waiting`: the session has neither said hello, nor failed, nor ended. */
    constructor(waiting) {
        this.waiting = waiting;
    }
    /** Runs `then` in `ms` unless the session said hello, failed or ended by then (one deadline at a time). */
    set(ms, then) {
        this.clear();
        this.timer = setTimeout(() => {
            if (this.waiting())
                then();
        }, ms);
        this.timer.unref();
    }
    clear() {
        clearTimeout(this.timer);
    }
}
/** The host did not answer the exec request in time, though its connection is up. */
function notAccepted(host, ms) {
    return new SessionFailed(host, 'session', `${host} did not accept the request to start the session in ${seconds(ms)} s, though the connection is up; try again, and look at the SSH server's log`);
}
/** No hello in time: a login file most likely reads input or execs another shell. */
function notStarted(host, ms) {
    return new SessionFailed(host, 'session', `the login shell of ${host} did not start the session in ${seconds(ms)} s: a login file such as ~/.bashrc may read input or exec another shell; see Troubleshooting in docs/operations.md (start-timeout sets the limit)`);
}
/** Exit status 127 before hello: the login shell could not run `env` or `bash` (Alpine has no bash by default). */
function noShell(host, stderrTail) {
    return new SessionFailed(host, 'tools', `${describeMissingShell(stderrTail)}; see Troubleshooting in docs/operations.md`);
}

;// CONCATENATED MODULE: ./src/remote/session.ts











/**
 * The runner's side of one host's session: a single remote process that evaluates the phases it is sent.
 * Between phases the runner pings, so the host can tell a waiting runner from a vanished one.
 *
 * The process starts with the first phase: the prelude and that phase travel in the exec request itself, so the
 * host is at work as soon as the request arrives, a round trip earlier than if they followed on stdin.
 */
class HostSession {
    transport;
    prelude;
    listener;
    pingMs;
    startTimeoutMs;
    execAnswerMs;
    proc;
    starting;
    reader;
    finished = false;
    /** The session said hello: its script runs. */
    started = false;
    /** Why the runner gave up on this session (it did not start in time, it sent too much); set once. */
    failure;
    startDeadline = new StartDeadline(() => !this.started && !this.finished && !this.failure);
    exitedWithStatus = false;
    interrupted = false;
    pingTimer;
    pid = 0;
    pgid = 0;
    exit;
    exited = new Promise((resolve) => (this.exit = resolve));
    constructor(transport, prelude, listener, pingMs, startTimeoutMs, execAnswerMs) {
        this.transport = transport;
        this.prelude = prelude;
        this.listener = listener;
        this.pingMs = pingMs;
        this.startTimeoutMs = startTimeoutMs;
        this.execAnswerMs = execAnswerMs;
        this.reader = new SessionReader(transport.name, listener, {
            control: (marker) => this.control(marker),
            fail: (failure) => this.fail(failure),
        });
    }
    /**
     * A session on a connected transport; its process starts with the first phase (or abort) sent to it: the host
     * must accept that exec request within `execAnswerMs`, and its login shell start the session (hello) within
     * `startTimeoutMs` of that.
     */
    static open(transport, prelude, listener = {}, startTimeoutMs = DEFAULT_START_TIMEOUT_MS, execAnswerMs = startTimeoutMs + EXEC_ANSWER_GRACE_MS) {
        return new HostSession(transport, prelude, listener, Math.max(1000, (prelude.idleSeconds * 1000) / 4), startTimeoutMs, execAnswerMs);
    }
    /**
     * Starts the remote process with `first` (a rendered phase, or the abort request) in its script, which travels in
     * the exec request, or on stdin when it would not fit. If the process cannot start, nothing of this session ran on
     * the host, so nothing of it is left to undo; but an abort was asked to undo an earlier session's work, and that
     * is not confirmed.
     */
    start(first, purpose) {
        this.startDeadline.set(this.execAnswerMs, () => this.fail(notAccepted(this.name, this.execAnswerMs)));
        this.starting = (async () => {
            const [shared, token, helpers] = preludeParts(this.prelude);
            const inline = sessionCommand([shared, token, helpers + first + SESSION_LOOP]);
            const fits = inline.length <= MAX_SESSION_COMMAND;
            let proc;
            try {
                proc = await this.transport.start(fits ? inline : STDIN_SESSION_COMMAND);
            }
            catch (error) {
                const why = `the session could not start: ${error instanceof Error ? error.message : String(error)}`;
                this.reader.pending?.reject(new SessionLost(this.name, { code: null, signal: null, lostBecause: why }, ''));
                this.reader.pending = undefined;
                this.finish({ code: null, signal: null, lostBecause: why }, purpose === 'phase');
                throw error;
            }
            this.proc = proc;
            // A login file that reads stdin or execs another shell would keep the session from ever starting: a hang.
            if (!this.failure)
                this.startDeadline.set(this.startTimeoutMs, () => this.startTimedOut());
            void proc.exited.then((status) => {
                // 127 before hello: the login shell could not run `env` or `bash` (Alpine has no bash by default).
                if (!this.started && status.code === 127)
                    this.fail(noShell(this.name, this.reader.stderrTail));
                this.reader.pending?.reject(new SessionLost(this.name, status, this.reader.stderrTail));
                this.reader.pending = undefined;
                this.finish(status, status.code !== null);
            });
            this.reader.listen(proc, this.prelude.markerToken);
            this.startPings();
            if (this.failure)
                proc.stdin.end();
            else if (!fits)
                await this.write(phase_frame(shared + token + helpers + first + SESSION_LOOP + STDIN_SCRIPT_END));
        })();
        return this.starting;
    }
    /**
     * No hello within the deadline: the phase fails with the likely cause, and stdin ends, so a login file waiting
     * for input gets EOF and a shell reading commands from it exits. A session script that still starts after that
     * meets EOF at its first read and undoes what its first phase did (da_lost), before the runner's abort stops
     * waiting for its exit.
     */
    startTimedOut() {
        this.fail(notStarted(this.name, this.startTimeoutMs));
        this.proc?.stdin.end();
    }
    /** The runner gives up on this session: the phase under way (and any later one) fails with `failure`. */
    fail(failure) {
        if (this.failure)
            return;
        this.failure = failure;
        this.startDeadline.clear();
        this.reader.pending?.reject(failure);
        this.reader.pending = undefined;
    }
    finish(status, confirmed) {
        this.finished = true;
        this.exitedWithStatus = confirmed;
        clearInterval(this.pingTimer);
        this.startDeadline.clear();
        this.exit(status);
    }
    get name() {
        return this.transport.name;
    }
    get ended() {
        return this.finished;
    }
    /**
     * The session ended without an exit status (connection dropped, process killed): nothing confirms that the host
     * undid the run's work. Every exit path of the session script runs the abort path first, so a status confirms it.
     */
    get lost() {
        return this.finished && !this.exitedWithStatus;
    }
    /**
     * A phase is running (its answer has not come yet), or the session was given up while its script may run (it
     * sent too much): either way, ending it takes an interrupt.
     */
    get busy() {
        return this.reader.pending !== undefined || (this.failure !== undefined && this.started);
    }
    /** Sends a phase (and its payload) and resolves with the outcome once the host reports the phase's end. */
    async run(phase, payload) {
        if (this.failure)
            throw this.failure;
        if (this.finished)
            throw new SessionLost(this.name, { code: null, signal: null }, 'the session has already ended');
        if (this.reader.pending)
            throw new Error(`${this.name}: a phase is already running`);
        const { pending, result } = this.reader.expect(phase);
        const sending = (async () => {
            if (this.starting)
                await this.write(phase_frame(renderPhase(phase)));
            else
                await this.start(renderPhase(phase), 'phase');
            // Only while its own phase runs: a chunk after that would land in the next phase's input.
            const target = () => this.finished || this.reader.pending !== pending || this.interrupted ? undefined : this.proc;
            if (payload)
                await streamTo(payload, target, this.exited, (p) => this.listener.upload?.(p));
        })();
        // The host failed the phase and closed before taking it all: the phase's outcome says why. A session that
        // never starts (its exec request unanswered) fails by its start deadline, without waiting for the send.
        await Promise.race([sending.catch(() => undefined), result.catch(() => undefined)]);
        return result;
    }
    /** Ends a session whose work is done, and waits for the host's exit. */
    async end() {
        this.endNow();
        return this.exited;
    }
    /**
     * Ends a session whose work is done and committed, without waiting for the host's exit: there is nothing left to
     * confirm, and the host ends by itself on the end message (or, failing that, on EOF).
     */
    endNow() {
        clearInterval(this.pingTimer);
        if (!this.starting)
            this.finish({ code: 0, signal: null }, true);
        // Written at once when the process runs: the connection may be closed right after this call.
        else if (this.proc)
            void this.write(phase_frame(END_SESSION)).catch(() => undefined);
        else
            void this.starting.then(() => this.write(phase_frame(END_SESSION))).catch(() => undefined);
    }
    /**
     * Asks the host to undo this run's unfinished work and end; waits for it at most `timeoutMs`. A session that has
     * not started yet starts with that request (the `post:` step's way to finish an abandoned run).
     */
    async abort(timeoutMs) {
        if (this.finished)
            return true;
        const left = deadline(timeoutMs);
        if (!this.starting)
            return (await within(this.start(ABORT_SESSION, 'abort'), left())) && within(this.exited, left());
        // A session given up before its hello has had its stdin ended: it exits without doing anything.
        if ((await within(this.starting, left())) && !this.failure)
            await within(this.write(phase_frame(ABORT_SESSION)), left());
        return within(this.exited, left());
    }
    /**
     * Cancels whatever runs now: the upload stops, and SIGTERM goes to the session's process group on the host,
     * whose trap undoes the run's work and exits. The signal travels on `side` (a fresh connection) when given, so
     * it does not queue behind upload data still buffered on the session's own connection.
     */
    async interrupt(timeoutMs, side) {
        if (this.finished)
            return true;
        this.interrupted = true;
        if (!this.starting)
            return this.abort(timeoutMs);
        const left = deadline(timeoutMs);
        if (!(await within(this.starting, left())))
            return this.finished && !this.lost;
        if (this.pgid > 0) {
            await within(terminate(this.transport, this.pid, this.pgid, side), left());
        }
        else if (!this.failure) {
            // No hello yet: the host is still in the first phase its script carries, and reads stdin right after it.
            await within(this.write(phase_frame(ABORT_SESSION)), left());
        }
        return within(this.exited, left());
    }
    /** Drops the session without a word: the host notices EOF and aborts by itself. */
    destroy() {
        clearInterval(this.pingTimer);
        if (!this.starting)
            this.finish({ code: null, signal: null }, true);
        else
            void this.starting.then(() => this.proc?.destroy(), () => undefined);
    }
    startPings() {
        this.pingTimer = setInterval(() => {
            if (!this.reader.pending && !this.finished && !this.failure)
                this.proc?.stdin.write('ping\n');
        }, this.pingMs);
        this.pingTimer.unref();
    }
    async write(data) {
        const proc = this.proc;
        if (this.finished || !proc)
            throw new SessionLost(this.name, { code: null, signal: null }, 'the session has already ended');
        await send(proc, data, this.exited);
    }
    /** The session's own markers: its start (hello), or its check of the host's tools failing before that. */
    control({ kind, args }) {
        switch (kind) {
            case 'hello':
                // Once: a later one (a hook that learnt the token) must not redirect an interrupt to other processes.
                if (this.started)
                    return;
                this.started = true;
                this.startDeadline.clear();
                this.pid = Number(args[0]);
                this.pgid = Number(args[1]);
                return;
            case 'tools':
                // The session's check of the host's tools failed before hello; the script exits right after this.
                if (this.started)
                    return;
                this.fail(new SessionFailed(this.name, 'tools', describeToolProblems(args)));
                return;
        }
    }
}

// EXTERNAL MODULE: ./src/remote/steps/hooks.ts
var steps_hooks = __nccwpck_require__(374);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
// EXTERNAL MODULE: ./src/transport/collect.ts
var collect = __nccwpck_require__(3971);
;// CONCATENATED MODULE: ./src/transport/local.ts


/** The `local` host: the same scripts, run by bash on this machine. */
class LocalTransport {
    name = 'local';
    async start(command) {
        // A process group of its own, like an SSH session, so a signal to the group reaches every step and hook.
        const child = (0,external_node_child_process_.spawn)('bash', ['--noprofile', '--norc', '-c', command], { stdio: 'pipe', detached: true });
        const exited = new Promise((resolve) => {
            child.on('close', (code, signal) => resolve({ code, signal }));
            child.on('error', () => resolve({ code: 127, signal: null }));
        });
        child.stdin.on('error', () => undefined);
        return {
            stdin: child.stdin,
            stdout: child.stdout,
            stderr: child.stderr,
            exited,
            // Like a dropped SSH channel: the pipes close, the session sees EOF and cleans up after itself.
            destroy: () => {
                child.stdin.destroy();
                child.stdout.destroy();
                child.stderr.destroy();
            },
        };
    }
    async run(command) {
        return (0,collect/* collect */.F)(await this.start(command));
    }
    async close() { }
}

// EXTERNAL MODULE: ./src/transport/tcp.ts
var tcp = __nccwpck_require__(2118);
;// CONCATENATED MODULE: ./src/fleet/connect.ts



/** Closes what reachEarly opened and no connection took. */

let ssh;
/** SSH (ssh2 and its crypto) is loaded on first use: start-up stays quick, and `local` never loads it. */
function loadSsh() {
    ssh ??= Promise.all(/* import() */[__nccwpck_require__.e(487), __nccwpck_require__.e(177)]).then(__nccwpck_require__.bind(__nccwpck_require__, 2177));
    return ssh;
}
/**
 * Loads SSH when some host needs it. Started before a command runs, loading overlaps with the build; a deploy
 * awaits it before describing the build, whose walk would otherwise hold back the first connection.
 */
async function loadTransports(hosts) {
    if (hosts.some((h) => !h.local))
        await loadSsh();
}
/**
 * Opens the TCP connections of the hosts a fleet reaches first (`parallel` of them, in order) while SSH is still
 * loading, so their handshakes start one round trip sooner. Call it right before the fleet connects, never ahead of
 * a build (see connectEarly).
 */
function reachEarly(hosts, parallel) {
    for (const h of hosts.filter((h) => !h.local && !h.proxyCommand).slice(0, parallel)) {
        // Through jump hosts, only the first hop has a TCP connection of its own.
        const first = h.jump?.[0] ?? h;
        (0,tcp/* connectEarly */.Ir)(first.host, first.port);
    }
}
/** Tries after a connection that failed before authentication, unless `connect_retries` says otherwise. */
const DEFAULT_CONNECT_RETRIES = 2;
/** The first pause before trying again; each next one is twice as long. */
const FIRST_BACKOFF_MS = 1000;
/** A try that would have less than this before the deadline is not started. */
const MIN_TRY_MS = 1000;
/** Whether a failed connection may be tried again: it failed before authentication started (see ConnectError). */
function beforeAuth(error) {
    return typeof error === 'object' && error !== null && error.beforeAuth === true;
}
/** A pause that ends early (false) when `signal` aborts. */
function pause(ms, signal) {
    if (signal?.aborted)
        return Promise.resolve(false);
    return new Promise((resolve) => {
        const done = (ok) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', stop);
            resolve(ok);
        };
        const stop = () => done(false);
        const timer = setTimeout(() => done(true), ms);
        signal?.addEventListener('abort', stop, { once: true });
    });
}
/**
 * Opens a host's transport, trying again after a failure before authentication (refused, timed out, reset, a name
 * that does not resolve) up to `connect_retries` times, after 1 s, 2 s, 4 s…, all within connect-timeout × tries;
 * `retrying` hears each retry as a line. A refused key or host key fails at once. Only for the fleet's first
 * connections: nothing is retried once a host is locked (a reconnection to undo work goes through openTransport).
 */
async function openWithRetries(host, access, retrying, signal, output) {
    const tries = host.local ? 1 : (host.connectRetries ?? DEFAULT_CONNECT_RETRIES) + 1;
    const deadline = Date.now() + access.connectTimeoutMs * tries;
    for (let attempt = 1;; attempt++) {
        const left = Math.max(MIN_TRY_MS, deadline - Date.now());
        try {
            return await openTransport(host, { ...access, connectTimeoutMs: Math.min(access.connectTimeoutMs, left) }, output);
        }
        catch (error) {
            const wait = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
            const again = attempt < tries && beforeAuth(error) && !signal?.aborted && deadline - Date.now() - wait >= MIN_TRY_MS;
            const message = error instanceof Error ? error.message : String(error);
            if (!again) {
                if (attempt > 1 && error instanceof Error)
                    error.message = `${message} (${attempt} tries)`;
                throw error;
            }
            retrying(`${host.name}: ${message} — retrying in ${wait / 1000} s (${attempt + 1} of ${tries})`);
            if (!(await pause(wait, signal)))
                throw error;
        }
    }
}
/**
 * `proxy_command` with `%h`, `%p` and `%r` replaced by the host, port and user, each quoted as one word (`%%`: `%`).
 */
function expandProxyCommand(command, host) {
    const values = { h: (0,quote.q)(host.host), p: (0,quote.q)(host.port), r: (0,quote.q)(host.user ?? ''), '%': '%' };
    return command.replace(/%([hpr%])/g, (_, k) => values[k]);
}
/** Connects to a host: directly, through its jump hosts, or over its proxy command (whose stderr goes to `output`). */
async function openTransport(host, access, output = () => undefined) {
    if (host.local)
        return new LocalTransport();
    const target = { host: host.host, port: host.port, user: host.user ?? '', name: host.name };
    if (host.proxyCommand !== undefined) {
        const [{ connectSsh }, { startProxyCommand }] = await Promise.all([
            loadSsh(),
            __nccwpck_require__.e(/* import() */ 357).then(__nccwpck_require__.bind(__nccwpck_require__, 9357)),
        ]);
        return connectSsh(target, access, startProxyCommand(expandProxyCommand(host.proxyCommand, host), output));
    }
    if (host.jump?.length) {
        const { connectThrough } = await Promise.all(/* import() */[__nccwpck_require__.e(487), __nccwpck_require__.e(781)]).then(__nccwpck_require__.bind(__nccwpck_require__, 3781));
        const hops = host.jump.map((hop) => ({ ...hop, user: hop.user ?? target.user }));
        return connectThrough(target, hops, access);
    }
    const { connectSsh } = await loadSsh();
    return connectSsh(target, access);
}

// EXTERNAL MODULE: ./src/fleet/failures.ts
var failures = __nccwpck_require__(7233);
;// CONCATENATED MODULE: ./src/fleet/limit.ts
/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the items' order (like allSettled). */
async function settleLimited(items, limit, fn) {
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            try {
                results[i] = { status: 'fulfilled', value: await fn(items[i]) };
            }
            catch (reason) {
                results[i] = { status: 'rejected', reason };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}

;// CONCATENATED MODULE: ./src/fleet/fleet.ts





/** Time a host gets to undo its work after an abort or interrupt. */
const ABORT_WAIT_MS = 5000;
/**
 * The hosts of one run, each with one connection and one session. Phases run on all hosts at once and the call
 * returns when every host has answered: that is the barrier between phases.
 */
class Fleet {
    members;
    access;
    listener;
    constructor(members, access, listener) {
        this.members = members;
        this.access = access;
        this.listener = listener;
    }
    /** Phases under way (a phase run inside another is part of the outer one). */
    depth = 0;
    /**
     * Gets ready to open a fleet while the runner still has other work (a deploy's build description): loads SSH
     * and opens the TCP connections of the hosts reached first. Without it, `open` does the same itself.
     */
    static async warm(hosts, parallel) {
        reachEarly(hosts, parallel);
        await loadTransports(hosts);
    }
    /** Starts loading SSH (when some host needs it) so that it overlaps with whatever comes before `open`. */
    static preload(hosts) {
        loadTransports(hosts).catch(() => undefined);
    }
    /**
     * Connects to every host (at most `parallel` handshakes at once) and starts its session. The first `parallel`
     * TCP connections open while SSH is still loading; the ones no host took are closed at the end. A connection
     * that fails before authentication is tried again (`connect_retries`; see openWithRetries) unless `signal` aborts.
     */
    static async open(hosts, access, prelude, listener, parallel = hosts.length, signal) {
        reachEarly(hosts, parallel);
        listener.phaseStart?.('connect', hosts);
        try {
            const fleet = await Fleet.connect(hosts, access, prelude, listener, parallel, signal);
            listener.phaseEnd?.('connect');
            return fleet;
        }
        catch (error) {
            listener.phaseEnd?.('connect', error);
            throw error;
        }
        finally {
            (0,tcp/* dropEarly */.tj)();
        }
    }
    static async connect(hosts, access, prelude, listener, parallel, signal) {
        const opened = await settleLimited(hosts, parallel, async (host) => {
            const transport = await openWithRetries(host, access, (line) => listener.retry?.(host, line), signal, (line) => listener.output?.(host, `proxy command: ${line}`, undefined));
            try {
                const session = HostSession.open(transport, prelude(host), sessionListener(host, listener), access.startTimeoutMs);
                return { host, transport, session };
            }
            catch (error) {
                await transport.close();
                throw error;
            }
        });
        const members = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const failed = opened.findIndex((r) => r.status === 'rejected');
        if (failed >= 0) {
            const fleet = new Fleet(members, access, listener);
            // No phase has run anywhere yet (a session starts with its first phase): nothing of this run is on any host.
            for (const m of members)
                m.session.endNow();
            const confirmed = await fleet.abort();
            const reason = opened[failed].reason;
            const failure = new failures/* HostFailure */.h(hosts[failed].name, 'connect', reason instanceof Error ? reason.message : String(reason));
            failure.cleanedUp = confirmed;
            throw failure;
        }
        return new Fleet(members, access, listener);
    }
    /**
     * Runs a phase on every host (or a batch), at most `parallel` at once; resolves when every host has answered
     * with each host's result, or throws the first host's failure.
     */
    async run(phaseFor, payloadFor, opts = {}) {
        const phases = new Map((opts.members ?? this.members).map((m) => [m, phaseFor(m)]));
        const members = [...phases].filter(([, phase]) => phase).map(([m]) => m);
        const first = phases.get(members[0]);
        if (!first)
            return new Map();
        return this.phase(first.name, members, () => this.runPhases(members, phases, payloadFor, opts), first.parts);
    }
    /**
     * Runs `fn` as one phase of the fleet on `members` (the listener hears where it starts and ends); inside
     * another phase, as part of that one.
     */
    async phase(name, members, fn, parts) {
        if (this.depth > 0)
            return fn();
        this.depth++;
        this.listener.phaseStart?.(name, members.map((m) => m.host), parts);
        try {
            const value = await fn();
            this.listener.phaseEnd?.(name);
            return value;
        }
        catch (error) {
            this.listener.phaseEnd?.(name, error);
            throw error;
        }
        finally {
            this.depth--;
        }
    }
    async runPhases(members, phases, payloadFor, opts) {
        const results = await settleLimited(members, opts.parallel ?? members.length, async (m) => {
            const phase = phases.get(m);
            if (!phase)
                return undefined;
            const t0 = Date.now();
            try {
                const result = await m.session.run(phase, payloadFor?.(m));
                this.listener.phase?.(m.host, phase.name, Date.now() - t0, result.ok);
                return result;
            }
            catch (error) {
                this.listener.phase?.(m.host, phase.name, Date.now() - t0, false);
                throw error;
            }
        });
        const out = new Map();
        let failure;
        results.forEach((r, i) => {
            const m = members[i];
            if (r.status === 'rejected') {
                if (r.reason instanceof SessionFailed)
                    failure ??= new failures/* HostFailure */.h(m.host.name, r.reason.step, r.reason.detail);
                failure ??= new failures/* HostFailure */.h(m.host.name, 'session', r.reason instanceof SessionLost ? r.reason.message : String(r.reason));
            }
            else if (r.value) {
                out.set(m, r.value);
                if (!r.value.ok && !failure) {
                    const step = r.value.failed;
                    // The step's last words usually say why (`error: …`): they belong in the one-line failure too.
                    const lines = [...(step?.tail ?? [])].reverse();
                    const last = (lines.find((l) => /^error:/i.test(l.trim())) ?? lines.find((l) => l.trim() !== ''))?.trim();
                    failure = new failures/* HostFailure */.h(m.host.name, step ? (0,steps_hooks/* stepTitle */.Fb)(step) : 'phase', `exited with code ${r.value.rc}${last ? `: ${last.length > 300 ? `${last.slice(0, 300)}…` : last}` : ''}`, step?.tail ?? [], r.value.rc, r.value.data);
                }
            }
        });
        if (failure)
            throw failure;
        return out;
    }
    /**
     * Every host undoes this run's unfinished work: busy sessions are interrupted, idle ones asked to abort.
     * Resolves true when every session ended within the wait (its host confirmed the clean-up).
     */
    async abort() {
        const confirmed = await Promise.all(this.members.map(async (m) => {
            let done = !m.session.lost;
            if (!m.session.ended) {
                done = m.session.busy
                    ? await m.session.interrupt(ABORT_WAIT_MS, () => openTransport(m.host, this.access))
                    : await m.session.abort(ABORT_WAIT_MS);
                if (!done)
                    m.session.destroy();
            }
            await m.transport.close();
            return done;
        }));
        return confirmed.every(Boolean);
    }
    /**
     * Ends every session normally and closes the connections. The work is committed by now, so no round trip is
     * spent waiting for the hosts' exits or for the servers' side of the close.
     */
    async close() {
        await Promise.all(this.members.map(async (m) => {
            m.session.endNow();
            await m.transport.close();
        }));
    }
}
function sessionListener(host, l) {
    return {
        step: (record) => l.step?.(host, record),
        output: (line, step) => l.output?.(host, line, step),
        warning: (text) => l.warning?.(text),
        upload: (progress) => l.upload?.(host, progress),
        undone: (what) => l.undone?.(host, what),
    };
}

// EXTERNAL MODULE: ./src/releases/name.ts
var releases_name = __nccwpck_require__(1239);
// EXTERNAL MODULE: ./src/commands/context.ts
var context = __nccwpck_require__(165);
// EXTERNAL MODULE: ./src/config/index.ts + 38 modules
var src_config = __nccwpck_require__(1138);
;// CONCATENATED MODULE: ./src/commands/hook-targets.ts
/**
 * Where the deploy and activate hooks run on this run's hosts (`on:`, `once:`): checked before any host is reached,
 * and told in a dry run's plan.
 */

/** `on: label=web` / `once: label=db`, as written. */
const written = (h) => `${h.on.key}: ${h.on.items.join(', ')}`;
/**
 * A `once` hook whose hosts are all left out by the `hosts` selection would be skipped without a word (a migration
 * that never runs): refused before connecting, saying what to include. An `on` hook (cache warming on `label=web`)
 * simply does not run when its hosts are not deployed to.
 */
function checkHookHosts(config) {
    const missed = config.deploy.filter((h) => h.once && h.on && !(0,src_config/* hookHosts */.PP)(h, config.hosts, (x) => x).length);
    if (!missed.length)
        return;
    const hooks = missed.map((h) => `"${(0,src_config/* hookLabel */.UR)(h)}" (${written(h)})`).join(', ');
    const items = [...new Set(missed.flatMap((h) => h.on.items))].join(',');
    throw new Error(`the deploy hook${missed.length > 1 ? 's' : ''} ${hooks} must run once, on a host that this run leaves out: ` +
        `add ${items} to the hosts to deploy to (the \`hosts\` input or --hosts), or deploy to every host`);
}
/** For a dry run's plan: each targeted hook and the hosts it would run on (none when it runs everywhere). */
function hookPlaces(config) {
    const lines = [];
    for (const [kind, hooks] of [
        ['deploy', config.deploy],
        ['activate', config.activate],
    ]) {
        for (const h of hooks.filter((x) => x.on || x.once)) {
            const on = kind === 'deploy'
                ? (0,src_config/* hookHosts */.PP)(h, config.hosts, (x) => x)
                : config.hosts.filter((x) => !h.on || (0,src_config/* selectedBy */.B8)(h.on.items, x));
            const where = h.on ? `${written(h)}${h.once && h.on.key === 'on' ? ', once: true' : ''}` : 'once: true';
            lines.push(`${kind} hook "${(0,src_config/* hookLabel */.UR)(h)}" (${where}): ${on.map((x) => x.name).join(', ') || 'no host of this run'}`);
        }
    }
    return lines;
}
/** For a dry run's plan: a host's `vars` (plain values, never a secret; a host's `env` is not shown). */
function varsLine(host) {
    const vars = Object.entries(host.vars ?? {});
    return vars.length ? [`Vars: ${vars.map(([k, v]) => `${k}=${v}`).join(', ')}`] : [];
}

;// CONCATENATED MODULE: ./src/units.ts
/** Counts and sizes as a person reads them: "1 file", "3 files", "812 B", "4.2 KiB", "25 MiB". */
/** `n` and the noun, singular for 1 (`plural` when adding an `s` is wrong: "directory", "directories"). */
function count(n, noun, plural = `${noun}s`) {
    return `${n} ${n === 1 ? noun : plural}`;
}
/** Bytes in B, KiB or MiB, with three significant digits at most (never "0.00 MiB"). */
function units_size(bytes) {
    if (bytes < 1024)
        return `${bytes} B`;
    const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / 1024 / 1024, 'MiB'];
    const digits = value < 10 ? 1 : 0;
    return `${value.toFixed(digits).replace(/\.0$/, '')} ${unit}`;
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
;// CONCATENATED MODULE: ./src/artifact/delta.ts
/**
 * What turns a copy of the live release into the new build: compare the two manifests entry by entry (type, mode,
 * content). Paths the deploy replaces anyway (`skip`: shared and cleared entries) are neither sent nor removed.
 */
function computeDelta(live, next, skip) {
    const before = new Map(live.map((e) => [e.path, e]));
    const after = new Map(next.map((e) => [e.path, e]));
    const send = new Map();
    const remove = [];
    let unchanged = 0;
    for (const e of next) {
        if (skip(e.path))
            continue;
        const old = before.get(e.path);
        if (old && old.type === e.type && old.mode === e.mode && old.hash === e.hash) {
            if (e.type === 'f')
                unchanged++;
            continue;
        }
        if (old && old.type !== e.type)
            remove.push(e.path);
        send.set(e.path, e);
        for (let p = parentOf(e.path); p; p = parentOf(p)) {
            const dir = after.get(p);
            if (dir && !send.has(p))
                send.set(p, dir);
        }
    }
    for (const e of live)
        if (!after.has(e.path) && !skip(e.path))
            remove.push(e.path);
    return {
        send: [...send.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
        remove,
        unchanged,
    };
}
function parentOf(path) {
    const i = path.lastIndexOf('/');
    return i < 0 ? '' : path.slice(0, i);
}

;// CONCATENATED MODULE: ./src/artifact/exclude.ts
const ALWAYS = ['.git'];
/**
 * `patterns` (and `.git`) always exclude. The `ignored` rules (an `exclude_from` file) decide after them, the last
 * matching line winning, as in .gitignore: `!pattern` ships what an earlier line excluded. A negation cannot bring
 * back what `patterns` exclude, nor a path below an excluded directory (the walk never enters it).
 */
function excluder(patterns, ignored = []) {
    const rules = [...ALWAYS, ...patterns].map(compile);
    const lines = ignored.map((r) => ({ test: compile(r.pattern), negated: r.negated })).reverse();
    return (path, isDirectory) => rules.some((rule) => rule(path, isDirectory)) ||
        lines.find((line) => line.test(path, isDirectory))?.negated === false;
}
function compile(pattern) {
    const dirOnly = pattern.endsWith('/');
    let p = pattern.replace(/\/+$/, '');
    const anchored = p.startsWith('/') || p.includes('/');
    p = p.replace(/^\/+/, '');
    const re = new RegExp(`^${globToRegex(p)}$`);
    return (path, isDirectory) => {
        if (dirOnly && !isDirectory)
            return false;
        if (anchored)
            return re.test(path);
        const slash = path.lastIndexOf('/');
        return re.test(slash < 0 ? path : path.slice(slash + 1));
    };
}
function globToRegex(glob) {
    let out = '';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*') {
            if (glob[i + 1] === '*') {
                const slash = glob[i + 2] === '/';
                out += slash ? '(?:.*/)?' : '.*';
                i += slash ? 2 : 1;
            }
            else
                out += '[^/]*';
        }
        else if (c === '?')
            out += '[^/]';
        else if (c === '[') {
            const end = glob.indexOf(']', i + 1);
            if (end < 0)
                out += '\\[';
            else {
                out += `[${glob
                    .slice(i + 1, end)
                    .replace(/^!/, '^')
                    .replace(/\\/g, '\\\\')}]`;
                i = end;
            }
        }
        else
            out += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
    return out;
}

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: ./src/artifact/ignore-file.ts
/**
 * `exclude_from`: a file of exclude patterns in the source directory (`.deployignore`), one per line, in the
 * `exclude` syntax (src/artifact/exclude.ts): `#` starts a comment line, blank lines are skipped, surrounding white
 * space is dropped, `!pattern` ships what an earlier line excluded (the last matching line decides, as in
 * .gitignore), `\#` and `\!` start a pattern with that character. rsync's `+ `/`- ` prefixes and a lone `!` (rsync:
 * clear the list) mean something else there, so they are refused rather than read as names.
 */




/** The rules of an ignore file's text; `file` names it in problems. */
function parseIgnoreFile(text, file) {
    const rules = [];
    const problems = [];
    text.split('\n').forEach((raw, i) => {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            return;
        const rule = readLine(line);
        if (typeof rule === 'string')
            problems.push({ file, line: i + 1, column: 1, path: '', message: rule });
        else
            rules.push(rule);
    });
    return { rules, problems };
}
/** One line that is not blank or a comment: its rule, or why it is not one. */
function readLine(line) {
    if (/^[+-] /.test(line)) {
        return `\`${line.slice(0, 40)}\`: rsync's \`+ \`/\`- \` prefixes are not supported; write the pattern alone to exclude it, \`!pattern\` to ship it after all (the last matching line decides)`;
    }
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\\([#!])/, '$1');
    if (pattern === '')
        return 'a line with `!` alone names nothing; write `!pattern`';
    if (pattern.includes('\0'))
        return 'must not contain NUL characters';
    return { pattern, negated };
}
/**
 * What does not ship: `exclude`, and the `exclude_from` file's lines when there is one. The file is read from the
 * source directory; a missing or unreadable one, or a line that is not a pattern, is a config error (thrown before
 * anything is built or connected to).
 */
async function shipExcluder(config, source) {
    const from = config.excludeFrom;
    if (!from)
        return excluder(config.exclude);
    const file = (0,external_node_path_.resolve)(source, from.value);
    let text;
    try {
        text = await (0,promises_namespaceObject.readFile)(file, 'utf8');
    }
    catch (error) {
        const code = error.code;
        const why = code === 'ENOENT'
            ? `\`${from.value}\` does not exist in the source directory ${source}: create it, or correct or remove \`exclude_from\``
            : code === 'EISDIR'
                ? `\`${from.value}\` is a directory in ${source}; \`exclude_from\` names a file of patterns`
                : `cannot read \`${from.value}\` in ${source} (${code ?? String(error)})`;
        throw new src_config/* ConfigError */.xL([{ ...from.position, path: from.path, message: why }]);
    }
    const parsed = parseIgnoreFile(text, file);
    if (parsed.problems.length)
        throw new src_config/* ConfigError */.xL(parsed.problems);
    return excluder(config.exclude, parsed.rules);
}

// EXTERNAL MODULE: ./src/artifact/hooks.ts + 8 modules
var hooks = __nccwpck_require__(2948);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
;// CONCATENATED MODULE: ./src/artifact/hash.ts


/** Hex digits of SHA-256 kept: the first 128 bits. */
const HASH_HEX = 32;
/** The buffer a hash reads through: a typical file is one read; larger ones stream through it chunk by chunk. */
const CHUNK = 1 << 18;
/**
 * The first 128 bits of the SHA-256 of a file's content, in hex (as `sha256sum | cut -c1-32`). Reads through `buf`
 * (reused across files) until a short read, which for a regular file is its end; `pause` (slices.ts) runs between
 * chunks, so a large file does not hold the event loop either.
 */
async function hashFile(path, buf, pause) {
    const fd = (0,external_node_fs_.openSync)(path, 'r');
    try {
        const hash = (0,external_node_crypto_.createHash)('sha256');
        for (;;) {
            const n = (0,external_node_fs_.readSync)(fd, buf, 0, buf.length, null);
            hash.update(buf.subarray(0, n));
            if (n < buf.length)
                return hash.digest('hex').slice(0, HASH_HEX);
            await pause();
        }
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}

;// CONCATENATED MODULE: ./src/artifact/slices.ts
/**
 * Time slicing for long runs of small synchronous file system calls. On a page-cached tree (a build the runner just
 * produced) an lstat, open or read costs a few microseconds as a direct system call, while a round trip through
 * libuv's thread pool costs the main thread several times that (describing 6,000 files: ~0.16 s this way, ~0.3-0.4 s
 * through the pool); but the event loop must keep serving the fleet's SSH sessions meanwhile, so `pause()` hands it
 * a turn once every `ms` of work (await it after each call either way).
 */
function slicer(ms = 4) {
    let since = performance.now();
    return () => {
        if (performance.now() - since < ms)
            return undefined;
        return new Promise((resolve) => setImmediate(() => {
            since = performance.now();
            resolve();
        }));
    };
}

;// CONCATENATED MODULE: ./src/artifact/manifest.ts







/** Hashes every file of the tree, in time slices (see slices.ts), through one reused buffer. */
async function buildManifest(root, entries) {
    const buf = Buffer.allocUnsafe(CHUNK);
    const pause = slicer();
    const out = [];
    for (const e of entries) {
        await pause();
        out.push(await manifestEntry(root, e, buf, pause));
    }
    return out;
}
async function manifestEntry(root, e, buf, pause) {
    const full = (0,external_node_path_.join)(root, e.path);
    if (e.type === 'file')
        return { type: 'f', mode: octal(e.mode), hash: await hashFile(full, buf, pause), path: e.path };
    if (e.type === 'symlink')
        return { type: 'l', mode: '-', hash: (0,external_node_fs_.readlinkSync)(full), path: e.path };
    return { type: 'd', mode: octal(e.mode), hash: '-', path: e.path };
}
function octal(mode) {
    return (mode & 0o7777).toString(8).padStart(4, '0');
}
/** The manifest as stored on the host: its records in bytewise order. */
function serializeManifest(entries) {
    const records = entries.map((e) => `${e.type}\t${e.mode}\t${e.hash}\t${e.path}\0`);
    // Strings sort by UTF-16 code unit, which is the order of their UTF-8 bytes unless a surrogate pair meets a code
    // point from U+E000 on: only then are the records compared as bytes (a slower sort).
    if (records.some((r) => /[\uD800-\uDFFF]/.test(r)))
        return Buffer.concat(records.map((r) => Buffer.from(r)).sort(Buffer.compare));
    return Buffer.from(records.sort().join(''));
}
const manifest_stored = new Map();
/**
 * Reads a gzipped manifest from a host; undefined when it is not one. The hosts of a fleet send back the same bytes
 * for the same release, so each distinct manifest is unzipped and parsed once per run, and the key lets work done
 * for one host (a delta archive) serve the others.
 */
function readStoredManifest(gz) {
    const key = (0,external_node_crypto_.createHash)('sha256').update(gz).digest('hex');
    if (!manifest_stored.has(key)) {
        let entries;
        try {
            entries = parseManifest((0,external_node_zlib_namespaceObject.gunzipSync)(gz).toString('utf8'));
        }
        catch {
            entries = undefined;
        }
        manifest_stored.set(key, entries && { entries, key });
    }
    return manifest_stored.get(key);
}
const RECORD = /^([fdl])\t(-|[0-7]{4})\t([^\t]*)\t(.+)$/s;
const FILE_HASH = /^[0-9a-f]{32}$/;
/** An empty, `.` or `..` segment, or a leading or trailing slash. */
const UNSAFE_PATH = /(?:^|\/)\.{0,2}(?:\/|$)/;
/** Reads a stored manifest; undefined when it is not one (torn, corrupted, hostile paths). */
function parseManifest(text) {
    if (text === '')
        return undefined;
    const out = [];
    const records = text.split('\0');
    if (records.pop() !== '')
        return undefined;
    for (const r of records) {
        const m = RECORD.exec(r);
        if (!m)
            return undefined;
        const [, type, mode, hash, path] = m;
        if (!safePath(path))
            return undefined;
        if (type === 'f' && !FILE_HASH.test(hash))
            return undefined;
        out.push({ type, mode, hash, path });
    }
    return out;
}
/** A relative path without `.`/`..` segments: anything else in a manifest from a host is not ours. */
function safePath(path) {
    return !UNSAFE_PATH.test(path);
}
/** Is `path` one of `roots` or inside one of them? */
function under(roots) {
    return (path) => roots.some((r) => path === r || path.startsWith(`${r}/`));
}

;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
;// CONCATENATED MODULE: ./src/artifact/pack.ts





/**
 * Packs exactly the listed paths of `root` (no recursion, so exclusions hold and a delta holds only what changed)
 * into a gzipped tar at `out`. gzip level 1: the network is rarely slower than level 6's extra CPU is worth.
 */
async function pack(root, paths, out) {
    const list = `${out}.list`;
    await (0,promises_namespaceObject.writeFile)(list, paths.map((p) => `./${p}\0`).join(''));
    const tar = (0,external_node_child_process_.spawn)('tar', ['-cf', '-', '--null', '--no-recursion', '-C', root, '-T', list], {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    tar.stderr.on('data', (d) => (stderr += d.toString()));
    const exited = new Promise((resolve) => tar.on('close', resolve));
    await (0,external_node_stream_promises_namespaceObject.pipeline)(tar.stdout, (0,external_node_zlib_namespaceObject.createGzip)({ level: 1 }), (0,external_node_fs_.createWriteStream)(out));
    const code = await exited;
    if (code !== 0)
        throw new Error(`tar failed (exit ${code}): ${stderr.trim()}`);
    return { path: out, bytes: (await (0,promises_namespaceObject.stat)(out)).size };
}

;// CONCATENATED MODULE: ./src/artifact/tree.ts



/**
 * Walks a directory depth-first in name order, skipping excluded entries (and whatever lies below them). Direct
 * system calls in time slices (see slices.ts): the event loop still gets a turn every few milliseconds.
 */
async function walk(root, exclude) {
    const out = [];
    const pause = slicer();
    async function visit(rel) {
        const names = (0,external_node_fs_.readdirSync)(rel ? (0,external_node_path_.join)(root, rel) : root).sort();
        for (const name of names) {
            await pause();
            const path = rel ? `${rel}/${name}` : name;
            const st = (0,external_node_fs_.lstatSync)((0,external_node_path_.join)(root, path));
            const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : undefined;
            if (!type || exclude(path, type === 'dir'))
                continue;
            out.push({ path, type, size: type === 'file' ? st.size : 0, mode: st.mode & 0o7777 });
            if (type === 'dir')
                await visit(path);
        }
    }
    await visit('');
    return out;
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: ./src/artifact/workspace.ts



/** A scratch directory for this run (under RUNNER_TEMP on a runner), removed by `dispose`. */
async function scratchDir(prefix) {
    const path = await (0,promises_namespaceObject.mkdtemp)((0,external_node_path_.join)(process.env['RUNNER_TEMP'] || (0,external_node_os_.tmpdir)(), prefix));
    return { path, dispose: () => (0,promises_namespaceObject.rm)(path, { recursive: true, force: true }) };
}
/** Copies the source into `dest`, leaving out excluded entries; symlinks are copied as links, modes kept. */
async function copySource(source, dest, exclude) {
    await (0,promises_namespaceObject.cp)(source, dest, {
        recursive: true,
        verbatimSymlinks: true,
        preserveTimestamps: true,
        filter: async (src) => {
            const rel = (0,external_node_path_.relative)(source, src).split(external_node_path_.sep).join('/');
            if (rel === '')
                return true;
            return !exclude(rel, (await (0,promises_namespaceObject.lstat)(src)).isDirectory());
        },
    });
}

;// CONCATENATED MODULE: ./src/artifact/artifact.ts












/**
 * The build on the runner: a temporary copy of the source (only when build hooks would change it) and the build
 * hooks in it. The source itself is never modified. A failing hook throws before any host is touched.
 */
async function runBuild(config, source, log) {
    const exclude = await shipExcluder(config, source);
    const scratch = await scratchDir('deploy-action-');
    try {
        let root = source;
        if (config.build.length > 0) {
            root = (0,external_node_path_.join)(scratch.path, 'build');
            // The build sees the whole source (but .git); `exclude` decides what ships, after the build.
            await copySource(source, root, excluder([]));
            await (0,hooks/* runBuildHooks */.m)(config.build, root, config.env, log);
        }
        return { root, scratch, exclude };
    }
    catch (error) {
        await scratch.dispose();
        throw error;
    }
}
/**
 * What ships (everything but `exclude` and `exclude_from`), known once the build is walked: the whole build can be packed from then
 * on, and the manifest is hashed while the hosts are reached, for what needs it (deltas, the end of every upload).
 */
async function describeBuild(tree, log) {
    const { root, scratch } = tree;
    const entries = await walk(root, tree.exclude);
    const files = entries.filter((e) => e.type === 'file');
    const size = files.reduce((n, e) => n + e.size, 0);
    log.info(`built ${count(files.length, 'file')} (${units_size(size)})`);
    const manifest = buildManifest(root, entries);
    // Compressed on the thread pool: the event loop is serving the hosts' handshakes meanwhile.
    const manifestGz = manifest.then((m) => (0,external_node_util_.promisify)(external_node_zlib_namespaceObject.gzip)(serializeManifest(m)));
    manifestGz.catch(() => undefined);
    let full;
    const deltas = new Map();
    const start = (paths, name) => {
        const path = (0,external_node_path_.join)(scratch.path, name);
        const done = pack(root, paths, path);
        done.catch(() => undefined);
        return { path, done };
    };
    return {
        files: files.length,
        size,
        full: () => {
            if (!full) {
                full = start(entries.map((e) => e.path), 'release.tar.gz');
                void full.done.then((a) => log.info(`packed everything: ${units_size(a.bytes)} compressed`), () => undefined);
            }
            return full;
        },
        manifest: () => manifest,
        manifestGz: () => manifestGz,
        async deltaFrom(base, skip) {
            // Hosts with the same base share one archive.
            let made = deltas.get(base.key);
            if (!made) {
                const delta = computeDelta(base.entries, await manifest, skip);
                made = deltas.get(base.key) ?? {
                    delta,
                    archive: start(delta.send.map((e) => e.path), `delta-${deltas.size}.tar.gz`),
                };
                deltas.set(base.key, made);
            }
            return made;
        },
    };
}

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
;// CONCATENATED MODULE: ./src/artifact/follow.ts

/**
 * Reads a file that is still being written, from the start, until `done` settles and everything is read: an
 * upload can start while the archive is being made. Chunks are at least `minBytes` while the writer is busy, so
 * the host handles a few large chunks rather than many small ones; the last one may be shorter. The read buffer
 * starts small and doubles up to `chunkBytes` while reads fill it: a small delta costs a fleet of readers no
 * megabytes each. Rejects when the writer fails.
 */
async function* followFile(path, done, chunkBytes = 4 << 20, minBytes = Math.min(chunkBytes, 1 << 20)) {
    let finished = false;
    let failure;
    done.then(() => {
        finished = true;
    }, (error) => {
        failure = error;
        finished = true;
    });
    let handle;
    try {
        let offset = 0;
        let size = Math.min(chunkBytes, 64 << 10);
        let buffer = Buffer.allocUnsafe(size);
        let filled = 0;
        for (;;) {
            if (failure)
                throw failure;
            // Read the writer's state before reading the file: a read after it finished sees everything it wrote.
            const wasFinished = finished;
            handle ??= await (0,promises_namespaceObject.open)(path, 'r').catch(() => undefined);
            const read = handle ? (await handle.read(buffer, filled, size - filled, offset)).bytesRead : 0;
            offset += read;
            filled += read;
            const atEnd = wasFinished && read === 0;
            if (filled > 0 && (filled === size || filled >= minBytes || atEnd)) {
                yield buffer.subarray(0, filled);
                if (filled === size)
                    size = Math.min(chunkBytes, size * 2);
                buffer = Buffer.allocUnsafe(size);
                filled = 0;
                continue;
            }
            if (atEnd) {
                if (failure)
                    throw failure;
                if (handle)
                    return;
                throw new Error(`${path} was never written`);
            }
            if (read === 0)
                await new Promise((r) => setTimeout(r, 5));
        }
    }
    finally {
        await handle?.close();
    }
}
/**
 * The readers of one archive that many hosts receive: a reader started while the archive is being written follows
 * the file (followFile); once it is whole and at most `shareBytes`, it is read once and every later reader gets those
 * same bytes, in chunks of at most `chunkBytes`: a fleet costs the runner one read, not one per host, and each host
 * one chunk to take in rather than a run of growing ones.
 */
function archiveReader(path, done, shareBytes = 16 << 20, chunkBytes = 4 << 20) {
    let size;
    let whole;
    done.then((a) => {
        size = a.bytes;
    }, () => undefined);
    return async function* () {
        if (size === undefined || size > shareBytes) {
            yield* followFile(path, done, chunkBytes);
            return;
        }
        whole ??= (0,promises_namespaceObject.readFile)(path);
        const bytes = await whole;
        for (let at = 0; at < bytes.length; at += chunkBytes)
            yield bytes.subarray(at, at + chunkBytes);
    };
}
/** Length-prefixed chunks (`<bytes>\n<data>`), ended by `0\n`: what `da_chunks` on the host reads back. */
async function* framed(chunks) {
    for await (const chunk of chunks) {
        if (chunk.length === 0)
            continue;
        yield Buffer.from(`${chunk.length}\n`);
        yield chunk;
    }
    yield Buffer.from('0\n');
}
/**
 * The same bytes in fewer pieces: pieces under `smallBytes` are held and joined until a large piece or the end comes,
 * so a small build's payload (each chunk's length line, the chunk, the end line, then the manifest's) goes to a host
 * as one write, one SSH packet, instead of six. A large piece goes as it is, after what was held (never copied).
 */
async function* joinSmall(pieces, smallBytes = 64 << 10) {
    let held = [];
    let heldBytes = 0;
    for await (const piece of pieces) {
        if (piece.length >= smallBytes || heldBytes + piece.length > smallBytes) {
            if (heldBytes)
                yield held.length === 1 ? held[0] : Buffer.concat(held, heldBytes);
            held = [];
            heldBytes = 0;
        }
        if (piece.length >= smallBytes)
            yield piece;
        else if (piece.length) {
            held.push(piece);
            heldBytes += piece.length;
        }
    }
    if (heldBytes)
        yield held.length === 1 ? held[0] : Buffer.concat(held, heldBytes);
}

;// CONCATENATED MODULE: ./src/releases/history.ts

/** Fields naming a release (besides `release`): a release name, or null/absent. */
const NAME_FIELDS = ['previous', 'from', 'to'];
/** Free-text fields shown to users: a string (or number) without control characters, capped. */
const TEXT_FIELDS = [
    'sha',
    'ref',
    'actor',
    'at',
    'started_at',
    'repository',
    'run_id',
    'run_attempt',
    'runner',
    'owner',
    'note',
];
const TEXT_FIELD_CHARS = 200;
/** A string (or number) to show as it is: no control characters, at most `max` characters; undefined otherwise. */
function plainText(value, max = TEXT_FIELD_CHARS) {
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    return typeof text === 'string' && text.length <= max && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text)
        ? text
        : undefined;
}
/** An https URL without white space, quotes or angle brackets (a link we may show); undefined otherwise. */
function httpsUrl(value) {
    return typeof value === 'string' && value.length <= 500 && /^https:\/\/[^\s"'<>`\\]+$/.test(value)
        ? value
        : undefined;
}
/**
 * Parses the history a host sent. A line must be a JSON object whose `release` is a release name; `previous`,
 * `from` and `to` are release names (or null); `event` a plain word; text fields plain text; `run_url` an https URL.
 * A field that is not is dropped, a line whose release is not is skipped: both are told to `invalid`.
 */
function parseHistory(text, invalid = () => undefined) {
    const out = [];
    for (const line of text.split('\n')) {
        if (!line.trim())
            continue;
        let value;
        try {
            value = JSON.parse(line);
        }
        catch {
            // A torn or foreign line is skipped: the history informs decisions, it never blocks a deploy.
            continue;
        }
        if (!value || typeof value !== 'object' || Array.isArray(value))
            continue;
        const entry = { ...value };
        if (!(0,releases_name/* isReleaseName */.jn)(entry['release'])) {
            if (entry['release'] !== undefined)
                invalid({ what: 'a release name in .deploy/history.jsonl (release)', value: String(entry['release']) });
            continue;
        }
        if (entry['event'] !== undefined &&
            !(typeof entry['event'] === 'string' && /^[a-z][a-z-]{0,31}$/.test(entry['event']))) {
            invalid({ what: 'an event in .deploy/history.jsonl', value: String(entry['event']) });
            continue;
        }
        for (const k of NAME_FIELDS) {
            const v = entry[k];
            if (v === undefined || v === null || (0,releases_name/* isReleaseName */.jn)(v))
                continue;
            invalid({ what: `a release name in .deploy/history.jsonl (${k})`, value: String(v) });
            delete entry[k];
        }
        for (const k of TEXT_FIELDS) {
            const v = entry[k];
            if (v === undefined || v === null)
                continue;
            const shown = plainText(v);
            if (shown === undefined) {
                invalid({
                    what: `a field of .deploy/history.jsonl (${k})`,
                    value: typeof v === 'string' ? v : JSON.stringify(v),
                });
                delete entry[k];
            }
            else
                entry[k] = shown;
        }
        // A run with no URL (the CLI's) writes "": that is no URL, not an invalid one.
        if (entry['run_url'] === '')
            delete entry['run_url'];
        if (entry['run_url'] !== undefined && entry['run_url'] !== null && !httpsUrl(entry['run_url'])) {
            invalid({
                what: 'a run URL in .deploy/history.jsonl (run_url, not an https URL)',
                value: String(entry['run_url']),
            });
            delete entry['run_url'];
        }
        out.push(entry);
    }
    return out;
}
/**
 * The lines of each release's latest life. A `failed` line ends a release (its directory was removed): a name that
 * comes back after it (a stage re-run under the run's name, after a failed switch) is a new release, and the lines
 * of the earlier attempt (its `revert`, its `failed`) no longer speak for it. A name whose last line is `failed`
 * keeps the lines of that last attempt.
 */
function latestLives(history) {
    const ends = new Map();
    const last = new Map();
    history.forEach((e, i) => {
        last.set(e.release, i);
        if (e.event === 'failed')
            ends.set(e.release, [...(ends.get(e.release) ?? []), i]);
    });
    return history.filter((e, i) => {
        const f = ends.get(e.release);
        if (!f)
            return true;
        // The lines after the last failed one; or, when that is the name's last line, those of the attempt it ended.
        const from = f.at(-1) === last.get(e.release) ? (f.at(-2) ?? -1) : f.at(-1);
        return i > from;
    });
}
/** Whether the history's last line about `name` is `failed`: that release is gone, and the name is free again. */
function endedFailed(history, name) {
    for (let i = history.length - 1; i >= 0; i--)
        if (history[i].release === name)
            return history[i].event === 'failed';
    return false;
}
/** Release names in the order they first appear in the history (creation order), each in its latest life. */
function creationOrder(history) {
    const seen = new Set();
    for (const e of latestLives(history))
        seen.add(e.release);
    return [...seen];
}
/** Releases that must never be chosen again: failed, reverted, or rolled back from (in their latest life). */
function unusable(history) {
    const failed = new Set();
    const bad = new Set();
    for (const e of latestLives(history)) {
        if (e.event === 'failed')
            failed.add(e.release);
        if (e.event === 'revert')
            bad.add(e.release);
        if (e.event === 'rollback' && e.from)
            bad.add(e.from);
    }
    return { failed, bad };
}
/** The name a `current` link points at, when it points into `releases/` and the name is a release name. */
function releaseOfLink(target) {
    const m = /(?:^|\/)releases\/([^/]+)\/?$/.exec(target);
    return (0,releases_name/* isReleaseName */.jn)(m?.[1]) ? m[1] : undefined;
}

;// CONCATENATED MODULE: ./src/releases/order.ts

/**
 * Release directories from oldest to newest: directories the history does not know first (adopted from an older
 * layout, in natural name order, so Deployer's 1..12 sort right), then in the order the history first names them.
 */
function oldestFirst(dirs, history) {
    const rank = new Map(creationOrder(history).map((name, i) => [name, i]));
    const unknown = dirs.filter((d) => !rank.has(d)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return [...unknown, ...dirs.filter((d) => rank.has(d)).sort((a, b) => rank.get(a) - rank.get(b))];
}

;// CONCATENATED MODULE: ./src/releases/retention.ts


/**
 * Which release directories cleanup removes: all but the newest `keep` usable ones (in creation order, the new
 * release last; directories the history does not know count as oldest), every failed one, and never the live one.
 */
function releasesToRemove(o) {
    const ordered = oldestFirst(o.dirs, o.history);
    const { failed } = unusable(o.history);
    const usable = ordered.filter((d) => !failed.has(d) || d === o.live);
    const kept = new Set(usable.slice(-o.keep));
    if (o.live)
        kept.add(o.live);
    return ordered.filter((d) => !kept.has(d));
}

;// CONCATENATED MODULE: ./src/remote/libs.ts
/**
 * Shell functions that only some steps use, sent with the phases whose steps name them (Step.lib) instead of in
 * the session prelude: the first exec request, which carries the prelude and the first phase, must stay under
 * MAX_SESSION_COMMAND. A later phase that sends one again only redefines it.
 */

/** Receiving the payload (`da_chunks`: length-prefixed chunks, as src/artifact/follow.ts frames them) and unpacking it. */
const TRANSFER_LIB = sh/* TRANSFER_SH */.KQ;
/** Stat signatures of a release's files and the file index built from them (upload writes it, verify reads it). */
const FILE_INDEX_LIB = sh/* FILE_INDEX_SH */.GJ;

;// CONCATENATED MODULE: ./src/remote/steps/prune.ts

/** `find` arguments that leave out the given paths (and what is below them); globs in the paths are escaped. */
function pruneArgs(paths) {
    if (paths.length === 0)
        return '';
    const tests = paths.map((p) => `-path ${(0,quote.q)(`./${p.replace(/[*?[\]\\]/g, '\\$&')}`)}`).join(' -o ');
    return `\\( ${tests} \\) -prune -o`;
}

;// CONCATENATED MODULE: ./src/remote/steps/delta.ts





/**
 * deploy:update_code, delta: the new release starts from a base release (a real copy of the live one, reflinks
 * where the filesystem has them, never hard links; or the release cleanup would remove, renamed). What was added
 * to the base since its deploy is removed (it is not in the base's manifest), then what the build dropped or
 * retyped, then the changed entries are unpacked. The run's scratch directory stays for `verify`, which always
 * follows, and goes at unlock (or in the abort path).
 */
function delta(o) {
    const vars = [
        `mode=${o.base}`,
        `prune=(${pruneArgs(o.skip)})`,
        `skip=${(0,quote.q)(o.skip.length ? underRegex(o.skip) : '')}`,
        `remove=${(0,quote.q)(o.removeB64)}`,
        `revision=${(0,quote.q)(o.revision)}`,
        `sent=${o.files.sent} unchanged=${o.files.unchanged}`,
    ];
    return {
        id: 'upload',
        label: 'upload (delta)',
        brief: true,
        lib: [TRANSFER_LIB],
        body: `${vars.join('\n')}\n${PRUNE_FUNCTION}\n${sh/* DELTA_SH */.vr}`,
    };
}
/**
 * Offers `DA_BASE` for recycling (`da_offer_base`), unless it is the live release. With `live`, the live release's
 * manifest comes too (for a copy of the live release when the base cannot be used).
 */
function baseManifest(opts) {
    return {
        id: 'base',
        brief: true,
        label: 'base manifest',
        body: `${opts.live ? 'da_live_manifest "$(readlink current 2>/dev/null || true)"\n' : ''}[ -n "$DA_BASE" ] && ! [ current -ef "releases/$DA_BASE" ] || exit 0
da_offer_base "$DA_BASE" || true`,
    };
}
/** An extended regex matching the given paths and what is below them. */
function underRegex(paths) {
    const escaped = paths.map((p) => p.replace(/[.[\]\\()*+?{}|^$]/g, '\\$&'));
    return `^(${escaped.join('|')})(/|$)`;
}
/**
 * Checks the staged release against the build's manifest before anything can go live: every entry's type, every
 * file's content hash, every link's target (modes are the writable step's business), nothing more and nothing
 * less. Files the base release's index vouches for (same inode, size, mtime and ctime as when their hash was known)
 * are not read again; every other file is hashed. A difference (a file of the live release changed on the server,
 * say) stops the phase so the runner can send everything instead. A verified release gets its own index, for the
 * deploy that builds on it; files changed less than 10 ms before the walk began are left out of it (see
 * da_index_write).
 */
function verify(opts) {
    return {
        id: 'verify',
        brief: true,
        label: 'verify',
        lib: [FILE_INDEX_LIB],
        body: `DA_V_SKIP=${(0,quote.q)(opts.skip.length ? underRegex(opts.skip) : '')}
prune=(${pruneArgs(opts.skip)})
compare=${(0,quote.q)(sh/* VERIFY_AWK */.K3)}
${sh/* VERIFY_SH */.Ct}`,
    };
}
/** Empties the staged release for a full upload after a delta did not verify. */
function resetRelease() {
    return {
        id: 'reset',
        brief: true,
        label: 'reset',
        body: `find "releases/$DA_RELEASE" -mindepth 1 -delete
rm -f -- ".deploy/manifests/$DA_RELEASE.gz" ".deploy/manifests/$DA_RELEASE.idx"`,
    };
}
/** What delta reports when it refused its base (`foreign`: entries of another user), and verify on a mismatch. */
const DELTA_BASE = 'base';
const VERIFY = 'verify';
/** Did the delta refuse to recycle its base because the base holds entries of another user? */
function foreignBase(result) {
    return result.data.get(DELTA_BASE)?.[0] === 'foreign';
}

// EXTERNAL MODULE: ./src/remote/data.ts
var remote_data = __nccwpck_require__(2044);
;// CONCATENATED MODULE: ./src/remote/steps/stage.ts



/**
 * Stage holds: a release staged on a host and held there by itself, not by a session (see sh/stage.sh). The hold is
 * the deploy lock owned by `stage-NAME`, the record `.deploy/stage` and the stage run's pending record, renamed.
 */
/** The shell helpers of holds (da_stage_field, da_stage_expired, da_stage_undo, da_stage_reclaim). */
const STAGE_LIB = (/* unused pure expression or super */ null && (STAGE_SH));
/**
 * What undoing a hold takes (da_stage_undo): the hold helpers and the files step's restore, so that every way a hold
 * is undone (discard, unlock, the lock step past an expired hold) puts back the `files:` content the stage changed.
 */
const STAGE_UNDO_LIB = [sh/* FILES_RESTORE_SH */.bR, sh/* STAGE_SH */.RU];
/**
 * The end of a stage: the run hands its lock over to the staged release, which holds it for `ttlSeconds`; the
 * pending record goes with it, so the session's end does not undo the release. `preview`: a link to it, or ''.
 */
function holdStage(o) {
    return {
        id: 'hold',
        // Not brief: it ignores a cancel until it is done, and what it says then must reach the log before the abort's.
        label: 'hold',
        fenced: true,
        body: `ttl=${(0,quote.q)(Math.floor(o.ttlSeconds))}\ninfo=${(0,quote.q)(o.info)}\npreview=${(0,quote.q)(o.preview)}\n${sh/* STAGE_HOLD_SH */.zS}`,
        lib: [sh/* STAGE_SH */.RU],
    };
}
/**
 * What stageCheck reports: ok, none (nothing staged), other (another release), unheld, expired, far (an expiry further
 * ahead than any stage_ttl allows: expired too), notdir.
 */
const STAGE_CHECK = 'stage-check';
const STAGE_EXPIRES_AT = 'stage-expires-at';
/** Reads whether `$DA_RELEASE` is staged and held on the host. Changes nothing. */
function stageCheck() {
    return { id: 'stage-check', label: 'stage check', body: sh/* STAGE_CHECK_SH */.UJ, lib: [sh/* STAGE_SH */.RU], brief: true };
}
/** The host's answer to stageCheck; a value that is none of the states is `unknown`. */
function stageState(result) {
    const one = (0,remote_data/* singleValues */.rc)(result ?? { data: new Map() }, [], [STAGE_CHECK, STAGE_EXPIRES_AT]);
    const s = one(STAGE_CHECK);
    const state = ['ok', 'none', 'other', 'unheld', 'expired', 'far', 'notdir'].find((x) => x === s) ?? 'unknown';
    const at = one(STAGE_EXPIRES_AT);
    return { state, ...(/^[0-9TZ:.+-]{1,40}$/.test(at) ? { expiresAt: at } : {}) };
}
/** The switch's first change: takes the lock over from the stage of `$DA_RELEASE` (fenced by the stage's owner). */
function takeStage(info) {
    return {
        id: 'take-over',
        label: 'take over',
        body: `info=${(0,quote.q)(info)}\n${sh/* STAGE_TAKE_SH */.pW}`,
        lib: [sh/* STAGE_SH */.RU],
        brief: true,
    };
}
/** The discard command: removes the staged `$DA_RELEASE` and its hold (`discard removed`), or says there is none. */
function discardStage() {
    // The undo puts back the `files:` the stage changed (see steps/files.ts), as a failed deploy's does.
    // da_lock_name (sh/fence.sh): the message says whose stage it discards.
    return { id: 'discard', label: 'discard', body: sh/* STAGE_DISCARD_SH */.Cj, lib: [sh/* FENCE_SH */.CU, ...STAGE_UNDO_LIB], brief: true };
}
/** Whether a host discarded a staged release (`done`) or had none (`none`). */
function discarded(result) {
    return (0,remote_data/* singleValues */.rc)(result ?? { data: new Map() }, [], ['discard'])('discard') === 'removed';
}

;// CONCATENATED MODULE: ./src/remote/steps/lock.ts





/** Exit status of the lock step when another run holds the lock. */
const LOCK_HELD = 75;

/**
 * deploy:lock: `mkdir` is the atomic test-and-set. The lock records who holds it and the holder's session process
 * (pid and boot id), so a later run can tell a live holder from one whose process is gone.
 *
 * A lock held by a staged release (`stage-NAME`, see steps/stage.ts) stops the phase (STOP) in the first request:
 * the runner comes back to those hosts only with `reclaim`, whose step brings the hold's undo (sh/stage.sh
 * da_stage_reclaim, and the files step's restore): an expired hold is undone as discard does, a live one refuses.
 * So the first request of every run stays small (see MAX_SESSION_COMMAND), and the undo is shipped only when needed.
 */
function lock(infoJson, o = {}) {
    const take = o.reclaim
        ? // A staged release's expired hold is undone like an abandoned run's lock (sh/stage.sh da_stage_reclaim).
            'mkdir .deploy/lock 2>/dev/null || { ! da_owns_lock && da_stage_reclaim && mkdir .deploy/lock 2>/dev/null; }'
        : 'mkdir .deploy/lock 2>/dev/null';
    const held = o.reclaim
        ? ''
        : `
  o=
  read -r o 2>/dev/null < .deploy/lock/owner || true
  case $o in stage-*) echo "the deploy lock is held by $o"; exit ${STOP} ;; esac`;
    return {
        id: 'lock',
        brief: true,
        label: 'lock',
        body: `if ${take}; then
  printf '%s\\n' "$DA_OWNER" > .deploy/lock/owner
  printf '{%s,"pid":%s,"boot_id":"%s"}\\n' ${(0,quote.q)(infoJson)} "$$" "$DA_BOOT_ID" > .deploy/lock/info.json
  echo "deploy lock taken"
elif da_owns_lock; then
  echo "deploy lock already held by this run"
else${held}
  da_lock_report
  exit ${LOCK_HELD}
fi`,
        ...(o.reclaim ? { lib: STAGE_UNDO_LIB } : {}),
    };
}
/**
 * deploy:unlock: the run is committed (its pending record and its scratch dir go), then its lock is released. The
 * ownership check and the removal run under the fence, so an unlock and another run's lock cannot come between
 * them (this run would remove the other's lock). A run that lost its lock does not commit: it fails (LOCK_LOST)
 * and its abort path undoes what is provably its own.
 */
function unlock() {
    return {
        id: 'unlock',
        brief: true,
        label: 'unlock',
        fenced: true,
        // One rm, in that order: the pending record, the run's scratch dir (the steps before leave it), then the lock. A
        // scratch file that cannot go does not fail the commit (rm says which).
        body: `da_fence_lock
da_fence
rm -rf -- "$DA_PENDING" "$DA_TMP" .deploy/lock || { [ ! -e "$DA_PENDING" ] && [ ! -e .deploy/lock ]; }
echo "deploy lock released"`,
    };
}
/**
 * What a refused lock step (and inspect, on a lock this run does not hold) reports about the holder, through the
 * prelude's da_lock_report: its record, whether its session still runs, since when.
 */
const LOCK_INFO = 'lock-info';
const LOCK_ALIVE = 'lock-alive';
const LOCK_SINCE = 'lock-since';
/** `yes` when the record is longer than the 4 KiB the host reads of it (sh/prelude.sh da_lock_report). */
const LOCK_INFO_CUT = 'lock-info-cut';
const LOCK_KEYS = [LOCK_INFO, LOCK_ALIVE, LOCK_SINCE, LOCK_INFO_CUT];
/** A lock's record, each field checked: plain text (capped, no control characters); `run_url` an https URL. */
function lockHolder(data) {
    const invalid = [];
    const one = (0,remote_data/* singleValues */.rc)({ data: data ?? new Map() }, invalid, LOCK_KEYS);
    const raw = one(LOCK_INFO);
    const info = {};
    let readable = false;
    const cut = one(LOCK_INFO_CUT) === 'yes';
    try {
        const parsed = cut ? leadingMembers(raw) : JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
            readable = !cut || Object.keys(parsed).length > 0;
            for (const [k, v] of Object.entries(parsed)) {
                if (v === undefined || v === null || v === '')
                    continue;
                const ok = k === 'run_url' ? httpsUrl(v) : plainText(v);
                if (ok !== undefined && plainText(k, 40) !== undefined)
                    info[k] = ok;
                else
                    invalid.push({
                        what: `a field of the lock record (${(0,remote_data/* shownInvalid */.zj)(k)})`,
                        value: typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
                    });
            }
        }
    }
    catch {
        /* unreadable: said by the callers */
    }
    const recorded = one(LOCK_SINCE);
    const since = info['started_at'] || (/^[0-9TZ:.+-]{1,40}$/.test(recorded) ? recorded : undefined);
    return {
        info,
        unreadable: raw !== '' && !readable,
        cut,
        empty: raw === '',
        alive: one(LOCK_ALIVE) === 'yes',
        since,
        invalid,
    };
}
const STRING = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SCALAR = /-?\d{1,20}(?:\.\d{1,20})?|true|false|null/y;
/**
 * The whole members at the start of a JSON object cut short (a lock record longer than the host reads): each a
 * string key and a string, number, boolean or null value; it stops at the first thing that is not one. Linear.
 */
function leadingMembers(text) {
    // No prototype: a key `__proto__` is a member like any other.
    const out = Object.create(null);
    let at = 0;
    const take = (re) => {
        re.lastIndex = at;
        const m = re.exec(text);
        if (m)
            at = re.lastIndex;
        return m?.[0];
    };
    const ws = /\s*/y;
    take(ws);
    if (text[at] !== '{')
        return out;
    for (let sep = '{'; sep === '{' || sep === ',';) {
        at++;
        take(ws);
        const key = take(STRING);
        take(ws);
        if (key === undefined || text[at] !== ':')
            break;
        at++;
        take(ws);
        const value = take(STRING) ?? take(SCALAR);
        take(ws);
        sep = text[at] ?? '';
        // A value at the very end may itself be cut (a number's last digits): only a member followed by , or } is whole.
        if (value === undefined || (sep !== ',' && sep !== '}'))
            break;
        out[JSON.parse(key)] = JSON.parse(value);
    }
    return out;
}
/** `acme/shop run 99 (attempt 2) by mona`, `a CLI run on laptop by alice`, or '' when the record says nothing. */
function holderName(h) {
    const i = h.info;
    const str = (k) => (i[k] === undefined || i[k] === null || i[k] === '' ? '' : String(i[k]));
    const run = str('run_id')
        ? `${str('repository') ? `${str('repository')} ` : ''}run ${str('run_id')}${str('run_attempt') ? ` (attempt ${str('run_attempt')})` : ''}`
        : str('runner')
            ? `a CLI run on ${str('runner')}`
            : '';
    const actor = str('actor');
    return run && actor ? `${run} by ${actor}` : run || actor;
}

;// CONCATENATED MODULE: ./src/remote/steps/inspect.ts






/** How many history lines a host sends back; enough for retention and rollback decisions. */
const HISTORY_TAIL = 1000;
/**
 * Reads what the runner needs to plan: the live release, the release directories (with their time and
 * REVISION), the recent history, the remote user, the lock's holder if any, and (when asked) the web server
 * user, as Deployer detects it. It changes nothing of the releases (an offer leaves this run's scratch file for the
 * walk after the phase, under the run's lock), and works where nothing was deployed yet (`absent`).
 */
function inspect(opts) {
    return {
        id: 'inspect',
        brief: true,
        label: 'inspect',
        mayLackDeployPath: true,
        // offer_from: with `offerBaseFrom` (keep_releases), once that many releases exist, the oldest one (by name,
        // which is by time for generated names) is the one this deploy's cleanup would remove: its manifest comes along,
        // so a delta can start from it without another round trip (the runner checks that retention agrees; see
        // baseManifest). The live release's manifest (hundreds of KB for a big app) is then only reported as there.
        body: `offer_from=${opts.offerBaseFrom === undefined ? '' : Number(opts.offerBaseFrom)}\ndetect=${opts.detectHttpUser ? 'yes' : ''}\n${sh/* INSPECT_SH */.NV}`,
    };
}
/**
 * The keys inspect reports (a blob: `releases`, `history`, `partial`, `live-manifest`, `base-manifest`), each once.
 * `live-manifest` and `base-manifest` are sent by the prelude's da_live_manifest and da_offer_base, which inspect
 * (and the `base` phase) call.
 */
const USER_KEY = 'user';
const ABSENT = 'absent';
const LIVE = 'live';
const RELEASES = 'releases';
const HISTORY = 'history';
const HTTP_USER = 'http-user';
const PARTIAL = 'partial';
const LIVE_MANIFEST = 'live-manifest';
const BASE_NAME = 'base-name';
const BASE_MANIFEST = 'base-manifest';
const INSPECT_KEYS = [
    USER_KEY,
    ABSENT,
    LIVE,
    RELEASES,
    HISTORY,
    HTTP_USER,
    PARTIAL,
    LIVE_MANIFEST,
    BASE_NAME,
    BASE_MANIFEST,
];
/** What a `current` target may be: a path of plain characters (`releases/NAME`, or absolute as Capistrano's). */
const LINK_TARGET = /^[A-Za-z0-9._/+@~-]{1,4096}$/;
/** A REVISION as a host may report it: a commit id or a tag-like word. */
const REVISION = /^[A-Za-z0-9._-]{1,64}$/;
/** A user name (POSIX portable, as useradd takes them; `_www` on macOS). */
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
/**
 * What inspect reported, every value checked against what it can be: release names (directories, history, pending
 * records, the offered base, the live one) match the release-name rule, `current` is a plain path, REVISION a
 * commit-like word, users user names, and each key came once. Anything else is left out and listed in `invalid`.
 */
function readInspect(result) {
    const invalid = [];
    const one = (0,remote_data/* singleValues */.rc)(result, invalid, [...INSPECT_KEYS, ...LOCK_KEYS]);
    const name = (value, what) => {
        if ((0,releases_name/* isReleaseName */.jn)(value))
            return value;
        invalid.push({ what: `${what} that is not a valid release name`, value });
        return undefined;
    };
    let liveTarget = one(LIVE);
    if (liveTarget && !LINK_TARGET.test(liveTarget)) {
        invalid.push({ what: 'a target of current that is not a plain path', value: liveTarget });
        liveTarget = '';
    }
    const live = liveTarget ? releaseOfLink(liveTarget) : undefined;
    if (liveTarget && !live && /(?:^|\/)releases\/[^/]+\/?$/.test(liveTarget))
        name(liveTarget.replace(/^.*releases\//, '').replace(/\/$/, ''), 'a live release');
    // The releases blob: `mtime<TAB>releases/NAME/` entries (one stat), then `rev<TAB>releases/NAME/<TAB>REVISION`.
    const mtimes = new Map();
    const revisions = new Map();
    const nameOf = (path) => path.replace(/^releases\//, '').replace(/\/$/, '');
    for (const entry of one(RELEASES).split('\0').filter(Boolean)) {
        const fields = entry.split('\t');
        if (fields[0] === 'rev')
            revisions.set(nameOf(fields[1] ?? ''), fields[2] ?? '');
        else
            mtimes.set(nameOf(fields[1] ?? ''), Number(fields[0]) || 0);
    }
    const releases = [];
    for (const [dir, mtime] of mtimes) {
        if (!name(dir, 'a release directory'))
            continue;
        let revision = revisions.get(dir) ?? '';
        if (revision && !REVISION.test(revision)) {
            invalid.push({ what: `the REVISION of release ${dir}, which is not a commit id`, value: revision });
            revision = '';
        }
        releases.push({ name: dir, mtime: Number.isFinite(mtime) && mtime > 0 ? mtime : 0, revision });
    }
    const user = (key) => {
        const value = one(key);
        if (!value || USER.test(value))
            return value;
        invalid.push({ what: `a user name (${key}) that is not one`, value });
        return '';
    };
    const partial = new Set();
    for (const p of one(PARTIAL).split('\n').filter(Boolean))
        if (name(p, 'a release of a pending record'))
            partial.add(p);
    const baseName = one(BASE_NAME) ? name(one(BASE_NAME), 'the release offered as a delta base') : undefined;
    // Blobs as bytes, under the same rule: a blob sent twice is neither.
    const blob = (key) => (0,remote_data/* singleBlob */.sm)(result, key);
    return {
        user: user(USER_KEY),
        absent: one(ABSENT) === 'yes',
        live,
        liveTarget,
        releases,
        dirs: releases.map((r) => r.name),
        history: parseHistory(one(HISTORY), (v) => invalid.push(v)),
        httpUser: user(HTTP_USER) || undefined,
        partial,
        liveManifest: one(LIVE_MANIFEST) === 'kept' ? 'kept' : manifestOf(blob(LIVE_MANIFEST)),
        baseOffer: baseName ? { name: baseName, manifestGz: blob(BASE_MANIFEST) } : undefined,
        lock: result.data.has(LOCK_INFO) ? result.data : undefined,
        invalid,
    };
}
/** The live release's manifest as a host sent it (unreadable: `corrupt`, ship everything). */
function manifestOf(gz) {
    return gz ? (readStoredManifest(gz) ?? 'corrupt') : undefined;
}

;// CONCATENATED MODULE: ./src/remote/steps/upload.ts



/**
 * Receives the payload a deploy sends after the phase script: the gzipped tar in length-prefixed chunks
 * (`da_chunks`), unpacked into `dir` while the runner is still packing it, then the release's manifest (gzipped,
 * framed the same way), which the runner may still be hashing while the archive travels. Nothing past the payload
 * is read, so the session stays in step with the runner.
 */
function receivePayload(dir) {
    return `da_unpack ${dir}
da_chunks > ".deploy/manifests/$DA_RELEASE.gz"`;
}
/**
 * Reads the payload that receivePayload would unpack and store, and drops it: the session stays in step. One command
 * per line, so `set -e` ends the step when either part is cut short.
 */
function skipPayload() {
    return 'da_chunks > /dev/null\nda_chunks > /dev/null';
}
/**
 * deploy:update_code, full: the whole build into the new release, then the release's file index (see
 * `da_index_write`), so the next deploy's verify reads only what changed. `skip`: paths the deploy replaces anyway.
 */
function upload(opts) {
    return {
        id: 'upload',
        label: 'upload',
        brief: true,
        lib: [TRANSFER_LIB, FILE_INDEX_LIB],
        body: `${receivePayload('"releases/$DA_RELEASE"')}
printf '%s\\n' ${(0,quote.q)(opts.revision)} > "releases/$DA_RELEASE/REVISION"
tmp="$PWD/$DA_TMP"; da_dir "$tmp"
sleep 0.02 # past the index's racy window, so every file just unpacked can be indexed
mark=$(da_mark_time "$tmp/mark")
(cd -- "releases/$DA_RELEASE" && da_list_files ${pruneArgs(opts.skip)} > "$tmp/files")
da_index_write "$tmp/files" "$mark" "$DA_RELEASE"`,
    };
}

;// CONCATENATED MODULE: ./src/commands/delta-choice.ts







/**
 * How each host's new release gets the build: a delta from its live release (copied on the host), a delta from an
 * old release cleanup would remove anyway (recycled), or the whole build; and, when a delta does not verify, the
 * whole build after all.
 */
async function buildSource(config, sha, fleet, facts, name, built, warn) {
    // Hosts that get everything start receiving it now: packing needs only the list of files, not their hashes.
    if ([...facts.values()].some((f) => shipsEverything(config, f)))
        built.full();
    const fills = await fillsFor(config, sha, warn, built, facts, await recyclable(config, fleet, facts, name));
    // A delta that does not verify is followed by everything; pack it now only if that happened.
    const restaged = new Map();
    return {
        event: 'deploy',
        fill: (m) => fills.get(m),
        restage: (m) => restaged.get(m),
        prepareRestage: async (members) => {
            for (const m of members) {
                const whole = fullFill(config, sha, built, built.full());
                restaged.set(m, { ...whole, steps: [resetRelease(), ...whole.steps] });
            }
        },
        sha: () => sha,
    };
}
/** What a dry run shows: every host as if it got the whole build (the build is not made). */
function planSource(config, sha) {
    return {
        event: 'deploy',
        fill: () => ({ steps: [upload({ revision: sha, skip: uncompared(config) })], kind: 'full' }),
        sha: () => sha,
    };
}
/** One payload per archive: hosts that get the same archive share its reader (see archiveReader). */
const payloads = new WeakMap();
/**
 * The bytes a host receives (see receivePayload): the gzipped tar in chunks, sent while it is being made, then the
 * manifest, which may still have been hashing meanwhile. Every host that gets `tar` gets this same payload, so a
 * whole archive is read into memory once for the fleet, not once per host.
 */
function payload(built, tar) {
    let shared = payloads.get(tar);
    if (!shared) {
        shared = newPayload(built, tar);
        payloads.set(tar, shared);
    }
    return shared;
}
function newPayload(built, tar) {
    // The size for upload progress: the archive's once it is packed (the framing and the manifest are small beside it).
    let total;
    tar.done.then((a) => (total = a.bytes)).catch(() => undefined);
    const archive = archiveReader(tar.path, tar.done);
    return {
        total: () => total,
        open: () => external_node_stream_.Readable.from(joinSmall((async function* () {
            yield* framed(archive());
            yield* framed([await built.manifestGz()]);
        })())),
    };
}
/** The whole build, for a host without a usable live release (or after a delta did not verify). */
function fullFill(config, sha, built, full) {
    return {
        steps: [upload({ revision: sha, skip: uncompared(config) })],
        payload: payload(built, full),
        kind: 'full',
    };
}
/**
 * The release each host could recycle as its delta base: the oldest one this deploy's cleanup removes anyway (not
 * live, not another run's), with its manifest. Inspect offers the oldest release with its manifest; a host whose
 * offer is not the release retention picks is asked in one short phase. Hosts without one copy their live release.
 */
async function recyclable(config, fleet, facts, name) {
    const candidates = new Map();
    for (const [m, f] of facts) {
        if (shipsEverything(config, f))
            continue;
        const gone = releasesToRemove({
            dirs: [...f.dirs, name],
            history: [...f.history, { event: 'deploy', release: name }],
            keep: config.keepReleases,
            live: name,
        }).filter((d) => d !== f.live && d !== name && !f.partial.has(d));
        if (gone[0])
            candidates.set(m, gone[0]);
    }
    const manifests = new Map();
    const ask = [...candidates.keys()].filter((m) => facts.get(m).baseOffer?.name !== candidates.get(m));
    for (const m of candidates.keys())
        if (!ask.includes(m))
            manifests.set(m, facts.get(m).baseOffer.manifestGz);
    // Where inspect kept the live manifest back, a host that will copy its live release needs it: one with no base to
    // recycle, or whose offered base's manifest is unreadable. A host asked for another base gets it too (that base
    // may turn out unusable). One short phase for all of them.
    const usable = (m) => !!manifests.get(m) && !!readStoredManifest(manifests.get(m));
    const needLive = [...facts]
        .filter(([m, f]) => f.liveManifest === 'kept' && !ask.includes(m) && !usable(m))
        .map(([m]) => m);
    if (ask.length || needLive.length) {
        const results = await fleet.run((m) => ({
            name: 'base',
            vars: { DA_BASE: ask.includes(m) ? candidates.get(m) : '' },
            steps: [baseManifest({ live: facts.get(m).liveManifest === 'kept' })],
        }), undefined, { members: [...ask, ...needLive], parallel: config.maxParallel });
        for (const [m, r] of results) {
            if (ask.includes(m))
                manifests.set(m, r.bytes.get(BASE_MANIFEST)?.[0]);
            fetchedLiveManifest(facts.get(m), r);
        }
    }
    const out = new Map();
    for (const [m, gz] of manifests) {
        // An unreadable manifest: this host copies its live release instead.
        const manifest = gz && readStoredManifest(gz);
        if (manifest)
            out.set(m, { name: candidates.get(m), manifest });
    }
    return out;
}
/** Records the live manifest a `base` phase sent for a host whose inspect kept it back (absent now: ship everything). */
function fetchedLiveManifest(f, r) {
    if (f.liveManifest === 'kept')
        f.liveManifest = manifestOf(r.bytes.get(LIVE_MANIFEST)?.[0]);
}
/** Paths the deploy writes itself after the files arrive (shared links, cleared paths, REVISION): never compared. */
function uncompared(c) {
    return [...c.sharedDirs, ...c.sharedFiles, ...c.clearPaths, 'REVISION'];
}
/** Does this host get the whole build (no trusted live release to start from)? */
function shipsEverything(config, f) {
    return config.fullUpload || !f.live || !f.liveManifest || f.liveManifest === 'corrupt';
}
/** For each host: only what changed since its live release when that is known and trusted, else everything. */
async function fillsFor(config, sha, warn, built, facts, bases) {
    const skipped = uncompared(config);
    const skip = under(skipped);
    const fills = new Map();
    for (const [m, f] of facts) {
        if (!shipsEverything(config, f))
            continue;
        if (f.liveManifest === 'corrupt')
            warn(`${m.host.name}: the live release's manifest is unreadable; shipping everything`);
        fills.set(m, fullFill(config, sha, built, built.full()));
    }
    for (const [m, f] of facts) {
        if (fills.has(m))
            continue;
        const recycle = bases.get(m);
        // recyclable() resolved every manifest inspect kept back; without one to compare with, everything ships.
        const base = recycle?.manifest ?? (typeof f.liveManifest === 'object' ? f.liveManifest : undefined);
        if (!base) {
            fills.set(m, fullFill(config, sha, built, built.full()));
            continue;
        }
        const { delta: d, archive } = await built.deltaFrom(base, skip);
        const removeB64 = Buffer.from(d.remove.map((p) => `${p}\0`).join('')).toString('base64');
        const steps = [
            delta({
                skip: skipped,
                removeB64,
                revision: sha,
                files: { sent: d.send.length, unchanged: d.unchanged },
                base: recycle ? 'recycle' : 'copy',
            }),
            verify({ skip: skipped }),
        ];
        fills.set(m, {
            steps,
            payload: payload(built, archive),
            vars: { DA_BASE: recycle?.name ?? f.live },
            kind: 'delta',
        });
    }
    return fills;
}

;// CONCATENATED MODULE: ./src/remote/steps/prepare.ts

/**
 * deploy:prepare: the layout exists (`releases/`, `shared/`, `.deploy/`), none of its own directories is a symlink
 * planted to lead writes outside the deploy path, and `current` is ours to switch.
 */
function prepare() {
    return {
        id: 'prepare',
        brief: true,
        label: 'prepare',
        mayLackDeployPath: true,
        body: sh/* PREPARE_SH */.OL,
    };
}

;// CONCATENATED MODULE: ./src/remote/steps/writable.ts

/** Which writable modes need the web server user. */
function needsHttpUser(mode) {
    return mode === 'acl' || mode === 'chown';
}
/**
 * deploy:writable, with Deployer's modes. Runs inside the new release; directories are created first. Symlinked
 * (shared) directories given on the command line are followed (the path check step has made sure that they stay
 * inside the release or shared/, and that no parent of a dir is a link); links deeper inside are never followed,
 * nor is their target changed (chown/chgrp -h, setfacl without -L). Options and `--` come before the mode or owner,
 * so no command depends on GNU argument permutation (POSIXLY_CORRECT).
 */
function writable(o) {
    if (o.dirs.length === 0 || o.mode === 'skip')
        return null;
    const dirs = (0,quote/* words */.a)(o.dirs);
    const sudo = o.useSudo ? 'sudo -n ' : '';
    // Recursive chown/chgrp: -h changes a link met inside the tree, never its target (with -R alone they change the
    // target); a dir named with a trailing slash is the directory a (shared) link leads to, not the link. GNU chmod
    // follows command-line links and skips links inside the tree by itself (and has no -H before coreutils 9.5).
    const ownFlags = o.recursive ? '-R -h ' : '';
    const ownDirs = o.recursive ? o.dirs.map((d) => `${(0,quote.q)(d)}/`).join(' ') : dirs;
    const chmodRec = o.recursive ? '-R ' : '';
    const lines = ['cd -- "releases/$DA_RELEASE"', `mkdir -p -- ${dirs}`];
    switch (o.mode) {
        case 'chmod':
            lines.push(`${sudo}chmod ${chmodRec}-- ${(0,quote.q)(o.chmodMode)} ${dirs}`);
            break;
        case 'chown':
            lines.push(`${sudo}chown ${ownFlags}-- ${(0,quote.q)(required(o.httpUser, 'http_user'))} ${ownDirs}`);
            break;
        case 'chgrp':
            lines.push(`${sudo}chgrp ${ownFlags}-- ${(0,quote.q)(required(o.httpGroup, 'http_group'))} ${ownDirs}`);
            break;
        case 'acl': {
            const user = required(o.httpUser, 'http_user');
            const http = (0,quote.q)(user);
            const r = o.recursive ? '-R ' : '';
            lines.push('command -v setfacl >/dev/null || { echo "error: setfacl is not installed on this host: install the acl package, or set writable_mode to chmod, chown, chgrp or skip" >&2; exit 1; }', 'me=$(id -un)');
            if (o.useSudo) {
                lines.push(`sudo -n setfacl ${r}-m u:${http}:rwX -m "u:$me:rwX" -- ${dirs}`, `sudo -n setfacl -d ${r}-m u:${http}:rwX -m "u:$me:rwX" -- ${dirs}`);
            }
            else {
                lines.push(`for dir in ${dirs}; do`, `  if getfacl -p -- "$dir" 2>/dev/null | grep -q ${(0,quote.q)(`^user:${user}:.*w`)}; then continue; fi`, `  setfacl ${r}-m u:${http}:rwX -m "u:$me:rwX" -- "$dir"`, `  setfacl -d ${r}-m u:${http}:rwX -m "u:$me:rwX" -- "$dir"`, 'done');
            }
            break;
        }
    }
    lines.push(`echo "made ${o.dirs.length === 1 ? '1 directory' : `${o.dirs.length} directories`} writable (${o.mode})"`);
    return { id: 'writable', label: 'writable', body: lines.join('\n'), brief: true };
}
function required(value, key) {
    if (!value)
        throw new Error(`${key} is needed for this writable_mode but was neither set nor detected`);
    return value;
}

// EXTERNAL MODULE: ./src/report/progress.ts + 2 modules
var progress = __nccwpck_require__(4915);
// EXTERNAL MODULE: ./src/run-info.ts
var run_info = __nccwpck_require__(4091);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
;// CONCATENATED MODULE: ./src/commands/host-messages.ts



/**
 * Reports a host's invalid values: a warning in the log that shows each value escaped, and one in the summary that
 * does not show it (a summary renders Markdown). Both say it was ignored. At most 5 per host, then a count.
 */
function reportInvalid(ctx, host, invalid) {
    const shown = invalid.slice(0, 5);
    for (const v of shown) {
        ctx.log.warning(`${host}: the host reported ${v.what}: ${(0,remote_data/* shownInvalid */.zj)(v.value)}; it was ignored`);
        ctx.report.warnings.push(`${host}: the host reported ${v.what} (shown in the log); it was ignored`);
    }
    if (invalid.length > shown.length) {
        const more = `${host}: the host reported ${invalid.length - shown.length} more invalid values; they were ignored`;
        ctx.log.warning(more);
        ctx.report.warnings.push(more);
    }
}
/** Says who holds a foreign lock and how to clear it, from what the lock step reported. */
function describeHeldLock(data, environment, surface = 'action') {
    const h = lockHolder(data);
    const who = holderName(h);
    const lines = [
        `the deploy lock is held${who ? ` by ${who}` : h.empty ? ' (its owner record is empty: it is being taken right now, or was left half-written)' : ''}` +
            `${h.since ? `, since ${h.since}` : ''}.`,
    ];
    if (h.cut)
        lines.push(`Its owner record (.deploy/lock/info.json) is larger than 4 KiB: only its first 4 KiB were read${h.unreadable ? ', and they hold no whole field (unreadable lock record)' : ''}.`);
    else if (h.unreadable)
        lines.push('Its owner record (.deploy/lock/info.json) is unreadable.');
    if (h.invalid.length)
        lines.push(`Fields of its owner record that are not plain text are not shown (${h.invalid.map((v) => v.what).join(', ')}).`);
    if (h.info['run_url'])
        lines.push(`Run: ${String(h.info['run_url'])}`);
    const staged = !(0,releases_name/* isReleaseName */.jn)(h.info['stage']) ? '' : stagedHold(h.info, environment, surface);
    lines.push(staged ||
        (h.alive
            ? 'Its session is still running on the host: wait for that deploy to finish.'
            : 'Its session is no longer running on the host: that run ended without releasing the lock.'), staged
        ? ''
        : surface === 'cli'
            ? `To clear it after checking, run deploy-action unlock ${environment}.`
            : `To clear it after checking, run this action with \`command: unlock\` (CLI: \`deploy-action unlock ${environment}\`).`);
    return lines.filter(Boolean).join(' ');
}
/** A staged release's hold (see steps/stage.ts): until when, and what ends it. */
function stagedHold(info, environment, surface) {
    const name = String(info['stage']);
    const how = surface === 'cli'
        ? `deploy-action switch ${environment} --release ${name} (or discard)`
        : `\`command: switch\` (or \`discard\`) with \`release: ${name}\``;
    return `It holds the staged release ${name} until ${String(info['expires_at'] ?? 'its expiry')} (then the next deploy undoes it): make it live with ${how}.`;
}

;// CONCATENATED MODULE: ./src/commands/fleet-run.ts











/** Seconds of silence after which a host assumes the runner is gone and undoes the run's work. */
const IDLE_SECONDS = 120;
function preludeFor(ctx, host) {
    return {
        markerToken: (0,external_node_crypto_.randomBytes)(6).toString('hex'),
        owner: ctx.run.owner,
        deployPath: host.deployPath,
        idleSeconds: IDLE_SECONDS,
        runJson: (0,run_info/* runJsonMembers */.tx)(ctx.run),
    };
}
/**
 * Opens one session per host and runs `work` on the fleet. On any failure or cancellation, every host undoes
 * this run's unfinished work before the error propagates; the post step is told whether that was confirmed.
 */
async function withFleet(ctx, work) {
    const listener = (0,progress/* progress */.qB)(ctx.log, ctx.report, ctx.config.hosts.length, ctx.signal);
    ctx.state?.started(ctx.run.owner);
    let fleet;
    try {
        const { hosts, maxParallel } = ctx.config;
        fleet = await Fleet.open(hosts, ctx.access, (h) => preludeFor(ctx, h), listener, maxParallel, ctx.signal);
    }
    catch (error) {
        // A host that could not be reached (host key, auth, network) has nothing of this run to undo: the post step
        // would only connect again (and fail again) for nothing.
        if (error instanceof failures/* HostFailure */.h && error.cleanedUp)
            ctx.state?.cleanedUp();
        if (ctx.signal.aborted)
            throw new errors/* Cancelled */.c();
        throw error;
    }
    const onAbort = () => void fleet.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
        const value = await work(fleet);
        await fleet.close();
        ctx.state?.cleanedUp();
        return value;
    }
    catch (error) {
        const confirmed = await fleet.abort();
        for (const m of fleet.members)
            ctx.report.undone.set(m.host.name, m.session.ended && !m.session.lost);
        if (confirmed)
            ctx.state?.cleanedUp();
        if (ctx.signal.aborted)
            throw new errors/* Cancelled */.c();
        throw error;
    }
    finally {
        ctx.signal.removeEventListener('abort', onAbort);
    }
}
/** For work that changes hosts: prepares and locks every host, then reads it (a held lock says who holds it). */
async function lockAndInspect(ctx, fleet, opts = {}) {
    const read = inspect({ detectHttpUser: detectsHttpUser(ctx), offerBaseFrom: opts.offerBaseFrom });
    const info = (0,run_info/* lockInfoMembers */.LF)(ctx.run);
    // A host whose lock a staged release holds stops at the lock step; it is asked again with the hold's undo, which
    // discards an expired hold (and refuses a live one): see steps/lock.ts.
    return readHosts(ctx, fleet, [prepare(), lock(info), read], [lock(info, { reclaim: true }), read]);
}
/** Reads every host, read-only (dry runs, listings): nothing is created or locked. */
async function fleet_run_inspect(ctx, fleet) {
    return readHosts(ctx, fleet, [inspect({ detectHttpUser: detectsHttpUser(ctx) })]);
}
/** The web server's user is looked for only when writable dirs need it and the config does not name it. */
function detectsHttpUser(ctx) {
    const c = ctx.config;
    return !c.httpUser && needsHttpUser(c.writableMode) && c.writableDirs.length > 0;
}
/**
 * Runs the first phase (`steps`); hosts whose lock step stopped at a staged release's hold are asked again with
 * `atHold` (the lock's reclaim: see steps/lock.ts), and their results replace the first ones.
 */
async function runAtHold(fleet, steps, atHold) {
    const results = await fleet.run(() => ({ name: 'inspect', steps }));
    const held = [...results].filter(([, r]) => r.stopped).map(([m]) => m);
    if (atHold && held.length) {
        const again = await fleet.run(() => ({ name: 'inspect', steps: atHold }), undefined, { members: held });
        for (const [m, r] of again)
            results.set(m, r);
    }
    return results;
}
async function readHosts(ctx, fleet, steps, atHold) {
    try {
        const results = await runAtHold(fleet, steps, atHold);
        const facts = new Map([...results].map(([m, r]) => [m, readInspect(r)]));
        // What a host reported that is not what it can be was left out; say so (escaped in the log).
        for (const [m, f] of facts)
            reportInvalid(ctx, m.host.name, f.invalid);
        return facts;
    }
    catch (error) {
        if (error instanceof failures/* HostFailure */.h && error.rc === LOCK_HELD) {
            throw new failures/* HostFailure */.h(error.host, 'lock', describeHeldLock(error.data, ctx.config.environment, ctx.surface));
        }
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/remote/steps/files.ts


/** The `da_data` key of each file's outcome: `<index> changed|created|unchanged`. */
const FILE_KEY = 'file';
/**
 * The files step (`files:`): after the shared links, before the deploy hooks. Each file whose content differs
 * from the host's is written atomically (a temporary file beside it, its mode set before its content, renamed
 * over it); one whose content is the same is left as it is (its mtime kept). Every path is checked on the host as
 * the path check does (no symlink in a parent; none at a file of shared/). A file of shared/ it changes is kept in
 * the run's scratch dir first, so that a failed or cancelled run puts it back (da_files_restore, in da_abort); a
 * successful run's unlock removes the copies. The content travels in the phase's script (read by the session
 * from stdin) and goes to the file through bash builtins only: it is never an argument of a process, never printed.
 * With `require_shared_files`, the shared files that no entry writes must be there, non-empty.
 */
function files(opts) {
    if (opts.files.length === 0 && opts.required.length === 0)
        return null;
    const lines = [];
    if (opts.required.length)
        lines.push(`da_files_required ${(0,quote/* words */.a)([...opts.required])}`);
    opts.files.forEach((f, i) => {
        if (f.content === undefined || f.sha256 === undefined) {
            // Only a command that writes no file loads the config without contents (a dry run shows this step only).
            lines.push(`echo ${(0,quote.q)(`error: files: ${f.path}: its content was not loaded`)} >&2`, 'exit 1');
            return;
        }
        lines.push(`c=${(0,quote.q)(f.content)}`, `da_file_put ${i} ${f.release ? 'release' : 'shared'} ${(0,quote.q)(f.path)} ${f.mode} ${f.sha256}`);
    });
    if (opts.files.length)
        lines.push('unset c', 'echo "files: $da_files_said"');
    else
        lines.push(`echo ${(0,quote.q)(`checked ${opts.required.length} required shared files`)}`);
    return { id: 'files', label: 'files', body: lines.join('\n'), lib: [sh/* FILES_SH */.ih, sh/* FILES_RESTORE_SH */.bR], brief: true };
}
/** With `require_shared_files`: the shared files that no `files:` entry writes (they must be there, non-empty). */
function requiredSharedFiles(c) {
    if (!c.requireSharedFiles)
        return [];
    return c.sharedFiles.filter((p) => !c.files.some((f) => !f.release && f.path === p));
}
/** Where each file goes, as the dry run's plan and the summary name it: `shared/.env`, `releases/<name>/x`. */
function fileTarget(f, release) {
    return f.release ? `releases/${release}/${f.path}` : `shared/${f.path}`;
}
/** The dry run's plan of the files step: `write shared/.env (0600)`. */
function filesPlan(list, release) {
    return list.map((f) => `write ${fileTarget(f, release)} (${f.mode})`);
}
/**
 * What the files step reported on a host, each entry by its path from the config (a host only says an index and
 * a state; anything else, or an index reported twice, is ignored): `.env changed, config/app.json unchanged`.
 */
function filesOutcome(result, list) {
    const states = new Map();
    const twice = new Set();
    for (const value of result?.data.get(FILE_KEY) ?? []) {
        const m = /^(\d{1,6}) (changed|created|unchanged)$/.exec(value);
        if (!m)
            continue;
        const i = Number(m[1]);
        if (i >= list.length)
            continue;
        if (states.has(i))
            twice.add(i);
        states.set(i, m[2]);
    }
    return [...states]
        .filter(([i]) => !twice.has(i))
        .sort(([a], [b]) => a - b)
        .map(([i, state]) => ({ path: list[i].path, state }));
}
/** One line: `files: .env changed, config/app.json unchanged` (never the content). */
function filesLine(outcome) {
    return outcome.length ? `files: ${outcome.map((o) => `${o.path} ${o.state}`).join(', ')}` : undefined;
}

// EXTERNAL MODULE: ./src/report/document.ts
var report_document = __nccwpck_require__(8101);
;// CONCATENATED MODULE: ./src/commands/plan.ts







/** What a deploy would ship, without running the build hooks (a dry run changes nothing and runs nothing). */
async function shippedSummary(config, source) {
    const entries = await walk(source, await shipExcluder(config, source));
    const files = entries.filter((e) => e.type === 'file');
    const bytes = files.reduce((n, e) => n + e.size, 0);
    const hooks = config.build.length
        ? ` before the ${count(config.build.length, 'build hook')}, which a dry run does not run`
        : '';
    return `${count(files.length, 'file')}, ${units_size(bytes)} from ${source}${hooks}`;
}
/** The dry-run plan: for each host, the live release, the lock, the steps that would run and what cleanup removes. */
function planReport(ctx, fleet, facts, phases, shipped) {
    const blocks = [
        (0,report_document/* heading */.R_)('Plan (dry run: nothing was changed on any host)'),
        (0,report_document/* list */.p_)([`New release: ${phases.name}`, `Ships: ${shipped}`, ...hookPlaces(ctx.config)]),
    ];
    for (const m of fleet.members) {
        const f = facts.get(m);
        // Host values (checked by readInspect) are plain text here; each renderer escapes them for its medium.
        const items = [
            `Live release: ${f.live ?? (f.liveTarget || (f.absent ? 'none (nothing deployed here yet)' : 'none'))}`,
            `Lock: ${f.lock ? describeHeldLock(f.lock, ctx.config.environment) : 'free'}`,
            ...varsLine(m.host),
        ];
        try {
            const health = ctx.config.healthcheck
                ? [{ name: 'health', steps: [{ id: 'healthcheck', label: 'healthcheck', body: '' }] }]
                : [];
            const phaseList = [
                phases.stage(m).phase,
                phases.maintenanceOn(m),
                phases.hooks(m),
                phases.switch(m),
                phases.activate(m),
                ...health,
                phases.finish(m),
            ];
            const steps = phaseList.flatMap((p) => (p ? p.steps.map((s) => s.label) : []));
            items.push(`Steps: prepare → lock → inspect → ${steps.join(' → ')}`);
            if (ctx.config.files.length)
                items.push(`Files: ${filesPlan(ctx.config.files, phases.name).join(', ')}`);
        }
        catch (error) {
            items.push(`Would fail: ${error instanceof Error ? error.message : String(error)}`);
        }
        const removed = phases.removed(m);
        items.push(`Cleanup would remove: ${removed.length ? removed.join(', ') : 'nothing'}`);
        blocks.push((0,report_document/* heading */.R_)(`${m.host.name} (${m.host.deployPath})`, 2), (0,report_document/* list */.p_)(items));
    }
    ctx.report.details.push(...blocks);
}

;// CONCATENATED MODULE: ./src/fleet/health.ts
/** Checks a URL from the runner: `retries + 1` attempts at most, each within the timeout, `interval` apart. */
async function checkUrl(c, signal) {
    const t0 = Date.now();
    let detail = '';
    for (let attempt = 1; attempt <= c.retries + 1; attempt++) {
        signal?.throwIfAborted();
        try {
            const res = await fetch(c.url, { redirect: 'manual', signal: AbortSignal.timeout(c.timeoutMs) });
            await res.body?.cancel();
            detail = `HTTP ${res.status}`;
            if (res.status === c.expectStatus)
                return { ok: true, attempts: attempt, detail, ms: Date.now() - t0 };
            detail = `HTTP ${res.status}, expected ${c.expectStatus}`;
        }
        catch (error) {
            const e = error;
            detail =
                e.name === 'TimeoutError'
                    ? `no answer within ${c.timeoutMs} ms`
                    : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(error));
        }
        if (attempt <= c.retries)
            await new Promise((r) => setTimeout(r, c.intervalMs));
    }
    return { ok: false, attempts: c.retries + 1, detail, ms: Date.now() - t0 };
}
/** The health URL for one host: `{host}` becomes the host's name. */
function urlFor(template, host) {
    return template.replace(/\{host\}/g, host.includes(':') ? `[${host}]` : host);
}

;// CONCATENATED MODULE: ./src/fleet/rollout.ts

/**
 * Switches the staged hosts: all at once, or `batchSize` hosts at a time (rolling). Each batch is switched,
 * activated and health-checked before the next starts. When a batch fails, every host switched so far (that
 * batch and all earlier ones) is switched back, its activate commands run again, and the failure propagates.
 * The switches stay provisional until the caller commits them.
 */
async function rollout(fleet, plan, listener = {}, members = fleet.members) {
    const size = plan.strategy === 'rolling' ? Math.max(1, plan.batchSize) : members.length;
    const switched = [];
    for (let i = 0; i < members.length; i += size) {
        const batch = members.slice(i, i + size);
        try {
            switched.push(...batch);
            await fleet.run((m) => plan.switchPhase(m), undefined, { members: batch });
            const at = Date.now();
            for (const m of batch)
                listener.switched?.(m, at);
            const activated = await fleet.run((m) => plan.activatePhase(m), undefined, { members: batch });
            for (const [m, result] of activated)
                listener.activated?.(m, result);
            if (plan.health) {
                // One phase of the log for the batch, whether each host is checked by URL (from here) or by command.
                await fleet.phase('health', batch, async () => {
                    const results = await Promise.all(batch.map(async (m) => ({ m, r: await plan.health(m) })));
                    for (const { m, r } of results)
                        listener.health?.(m, r);
                    const sick = results.find(({ r }) => !r.ok);
                    if (sick) {
                        throw new failures/* HostFailure */.h(sick.m.host.name, 'healthcheck', `unhealthy after ${sick.r.attempts} attempt${sick.r.attempts === 1 ? '' : 's'}: ${sick.r.detail}`);
                    }
                });
            }
        }
        catch (error) {
            await switchBack(fleet, plan, switched, listener);
            throw error;
        }
    }
}
async function switchBack(fleet, plan, switched, listener) {
    const alive = switched.filter((m) => !m.session.ended);
    if (alive.length === 0)
        return;
    try {
        await fleet.run((m) => plan.revertPhase(m), undefined, { members: alive });
    }
    catch {
        // A host that cannot switch back in this phase still does it in its abort path (da_abort reverts first).
    }
    for (const m of alive)
        listener.reverted?.(m);
}

;// CONCATENATED MODULE: ./src/remote/steps/healthcheck.ts



/** The key of the verdict the health check step reports (`ok attempt N`, `fail after N attempts`). */
const HEALTH = 'health';
/**
 * A health check run on the host, in the live release: the command must succeed within the timeout, at most
 * `retries + 1` attempts, `interval` apart. Each attempt's output is shown. The verdict is reported as data
 * (`health ok|fail`), not as the step's status, so the session stays up to switch back if the runner decides so.
 */
function commandHealthcheck(c) {
    const secs = (ms) => (ms / 1000).toFixed(3);
    return {
        id: 'healthcheck',
        label: 'healthcheck',
        body: `${(0,steps_hooks/* exportsOf */.v1)(c.env)}
cd -- current/
trap - PIPE
for attempt in $(seq ${c.retries + 1}); do
  if timeout -k 2 ${secs(c.timeoutMs)} bash -e -c ${(0,quote.q)(c.command)} < /dev/null; then
    echo "healthy (attempt $attempt)"; da_data health "ok attempt $attempt"; exit 0
  fi
  echo "attempt $attempt of ${c.retries + 1} failed"
  [ "$attempt" -gt ${c.retries} ] || sleep ${secs(c.intervalMs)}
done
da_data health "fail after ${c.retries + 1} attempts"`,
    };
}
/**
 * The verdict of a command health check as its step reports it (`ok attempt N`, `fail after N attempts`); anything
 * else (or nothing, or two verdicts) is a failure, and a value that is not a verdict is listed in `invalid`.
 */
function healthVerdict(result) {
    const invalid = [];
    const raw = result ? (0,remote_data/* singleValues */.rc)(result, invalid, [HEALTH])(HEALTH) : '';
    if (/^(ok attempt \d{1,6}|fail after \d{1,6} attempts)$/.test(raw)) {
        const attempts = /attempt (\d+)/.exec(raw)?.[1];
        return {
            verdict: raw,
            ok: raw.startsWith('ok'),
            attempts: attempts === undefined ? undefined : Number(attempts),
            invalid,
        };
    }
    if (raw)
        invalid.push({ what: 'a health check verdict that is not one', value: raw });
    return { verdict: 'fail (no valid verdict)', ok: false, invalid };
}

// EXTERNAL MODULE: ./src/report/heartbeat.ts
var heartbeat = __nccwpck_require__(990);
// EXTERNAL MODULE: ./src/remote/steps/hook-output.ts
var hook_output = __nccwpck_require__(2249);
;// CONCATENATED MODULE: ./src/commands/hook-outputs.ts



/**
 * Keeps in the report what each host's hooks wrote to `$DEPLOY_OUTPUT` in these results (a hooks or an activate
 * phase), and warns of each problem, naming the host, the hook and the line. A host keeps at most OUTPUT_HOST_MAX
 * bytes of names and values: a value past that is left out, with a warning.
 */
function recordHookOutputs(ctx, results) {
    for (const [m, result] of results) {
        const outputs = (0,hook_output/* hookOutputs */.s5)(result);
        if (!outputs.length)
            continue;
        let host = ctx.report.hookOutputs.get(m.host.name);
        if (!host) {
            host = { masked: m.host.masked === true, values: new Map() };
            ctx.report.hookOutputs.set(m.host.name, host);
        }
        let size = 0;
        for (const [name, value] of host.values)
            size += entrySize(name, value);
        for (const out of outputs) {
            const where = `${m.host.name}: ${(0,steps_hooks/* stepTitle */.Fb)(out.step)}: $DEPLOY_OUTPUT`;
            for (const p of out.problems)
                (0,context/* warn */.R)(ctx, `${where}${p.line ? ` line ${p.line}` : ''}: ${p.text}`);
            const left = [];
            let from = 0;
            for (const pair of out.pairs) {
                const old = host.values.get(pair.name);
                const after = size - (old === undefined ? 0 : entrySize(pair.name, old)) + entrySize(pair.name, pair.value);
                if (after > hook_output/* OUTPUT_HOST_MAX */.qD) {
                    if (!left.length)
                        from = pair.line;
                    left.push(pair.name);
                    continue;
                }
                host.values.set(pair.name, pair.value);
                size = after;
            }
            if (left.length) {
                const names = left.length > 3 ? `${left.slice(0, 3).join(', ')} and ${left.length - 3} more` : left.join(', ');
                (0,context/* warn */.R)(ctx, `${where} line ${from}: ${names} left out: this host's outputs would pass ${hook_output/* OUTPUT_HOST_MAX */.qD / 1024} KiB in all`);
            }
        }
    }
}
const entrySize = (name, value) => Buffer.byteLength(name) + Buffer.byteLength(value);

;// CONCATENATED MODULE: ./src/remote/steps/maintenance.ts


/** The `da_data` key of the steps below. */
const MAINTENANCE = 'maintenance';
const LIB = [sh/* MAINTENANCE_SH */.un];
/** The session variables of maintenance (they stay set for the abort path). */
function maintenanceVars(c) {
    return {
        DA_MAINT_ON: c.on,
        DA_MAINT_OFF: c.off,
        DA_MAINT_ENV: (0,steps_hooks/* exportsOf */.v1)(c.env),
        DA_MAINT_SECS: String(Math.max(1, Math.round(c.timeoutMs / 1000))),
    };
}
/** Runs `on` (changes the host under the lock: fenced). */
function maintenanceOn(kind) {
    return { id: 'maintenance-on', label: 'maintenance on', body: `da_maint_on ${kind}`, fenced: true, lib: LIB };
}
/** Runs `off` (never fenced: it undoes what the run did, or what an operator asked for). */
function maintenanceOff(kind) {
    return { id: 'maintenance-off', label: 'maintenance off', body: `da_maint_off ${kind}`, lib: LIB };
}
/** Sends the functions only (with maintenancePhase, the variables): the abort path that follows can run `off`. */
function maintenanceReady() {
    return { id: 'maintenance-ready', label: 'maintenance off ready', body: ':', lib: LIB };
}
/** In a deploy's finish phase: reports whether maintenance this run turned on is still on. */
function maintenanceLeft() {
    return { id: 'maintenance-left', label: 'maintenance check', body: 'da_maint_left', lib: LIB };
}
/** A phase of `steps` that also sets the maintenance variables. */
function maintenancePhase(name, c, steps) {
    return { name, vars: maintenanceVars(c), steps };
}
function maintenanceOutcomes(r) {
    const out = [];
    for (const v of r?.data.get(MAINTENANCE) ?? []) {
        if (v === 'on' || v === 'held' || v === 'none' || v === 'off' || v === 'left')
            out.push(v);
        else if (/^failed \d{1,3}$/.test(v))
            out.push({ failed: Number(v.slice(7)) });
    }
    return out;
}

;// CONCATENATED MODULE: ./src/commands/maintenance.ts





/** The states the `maintenance` command switches to. */
const MAINTENANCE_STATES = (/* unused pure expression or super */ null && (['on', 'off']));
/** Where the config's `maintenance:` is missing, what to write. */
function missing(c, why) {
    return new failures/* FleetFailure */.Z('maintenance', `${why}, but environment \`${c.environment}\` has no \`maintenance:\` in ${c.file}: add \`maintenance: { on: "php artisan down", off: "php artisan up" }\` (any commands)`);
}
/**
 * The maintenance a deploy or redeploy wraps itself in: asked by the `maintenance` input (or the CLI's option),
 * which wins, else by `maintenance.deploy`. Asked for without `maintenance:` in the config: refused before any host
 * is reached.
 */
function deployMaintenance(ctx) {
    const wanted = ctx.maintenance ?? ctx.config.maintenance?.deploy ?? false;
    if (!wanted)
        return undefined;
    if (!ctx.config.maintenance)
        throw missing(ctx.config, 'maintenance was asked for (input `maintenance: true`)');
    return ctx.config.maintenance;
}
/** The commands with the environment they run in (deploy hooks' env, or the environment's env and DEPLOY_*). */
function maintenanceCommands(c, m, env) {
    return { on: m.on, off: m.off, env, timeoutMs: c.hookTimeoutMs };
}
/** The environment of `on` and `off` outside a deploy: the environment's env (empty when not expanded), DEPLOY_*. */
function maintenanceEnv(c, host) {
    return { ...c.env, DEPLOY_PATH: host.deployPath, DEPLOY_ENVIRONMENT: c.environment };
}
/**
 * `steps` in a phase that also makes `off` ready for an abort path that undoes a run of this environment (the post
 * step's, unlock's for a dead holder); without `maintenance:` in the config, a plain phase.
 */
function readyForOff(c, host, name, steps) {
    const m = c.maintenance;
    return m
        ? maintenancePhase(name, maintenanceCommands(c, m, maintenanceEnv(c, host)), [maintenanceReady(), ...steps])
        : { name, steps };
}
/**
 * maintenance: runs `on` or `off` on the selected hosts, under the deploy lock (it waits for no deploy: a held lock
 * fails it, naming the run), and reports per host. `on` records the run on the host, so that a deploy leaves that
 * maintenance on; `off` turns it off whoever turned it on.
 */
async function maintenance(ctx) {
    const c = ctx.config;
    const state = ctx.maintenanceState;
    if (!state)
        throw new failures/* FleetFailure */.Z('maintenance', 'which state? on or off (input `state`; CLI: maintenance ENV on|off)');
    if (!c.maintenance)
        throw missing(c, `maintenance ${state} was asked for`);
    const m = c.maintenance;
    await withFleet(ctx, async (fleet) => {
        const facts = await (ctx.dryRun ? fleet_run_inspect(ctx, fleet) : lockAndInspect(ctx, fleet));
        if (ctx.dryRun) {
            for (const h of fleet.members) {
                const live = facts.get(h).live;
                ctx.report.changes.push(live
                    ? `${h.host.name}: would run \`${state === 'on' ? m.on : m.off}\` in releases/${live}`
                    : `${h.host.name}: nothing is live: would skip`);
            }
            return;
        }
        const env = (h) => ({ ...maintenanceEnv(c, h.host), DEPLOY_RELEASE: facts.get(h).live ?? '' });
        const step = state === 'on' ? maintenanceOn('manual') : maintenanceOff('manual');
        let results;
        try {
            results = await fleet.run((h) => maintenancePhase('maintenance', maintenanceCommands(c, m, env(h)), [step, unlock()]));
        }
        catch (error) {
            if (error instanceof failures/* HostFailure */.h && state === 'off') {
                (0,context/* warn */.R)(ctx, `maintenance is still ON on ${error.host}: \`off\` failed there: the site is still down`);
            }
            throw error;
        }
        for (const h of fleet.members) {
            const outcome = maintenanceOutcomes(results.get(h))[0];
            const live = facts.get(h).live;
            ctx.report.changes.push(outcome === 'none'
                ? `${h.host.name}: nothing is live: maintenance ${state} skipped`
                : `${h.host.name}: maintenance ${state} (\`${state === 'on' ? m.on : m.off}\` in releases/${live ?? '?'})`);
        }
    });
}
/**
 * The summary's word on a deploy's maintenance: where `on` ran (or was skipped) and that `off` followed each
 * host's switch; a loud warning for each host where `off` failed (the site is still down there).
 */
function reportDeployMaintenance(ctx, members, staged, finished) {
    const m = deployMaintenance(ctx);
    if (!m)
        return;
    const on = [];
    const skipped = [];
    const held = [];
    const left = [];
    for (const h of members) {
        const said = [...maintenanceOutcomes(staged.get(h)), ...maintenanceOutcomes(finished.get(h))];
        if (said.includes('on'))
            on.push(h.host.name);
        else if (said.includes('held'))
            held.push(h.host.name);
        else
            skipped.push(h.host.name);
        if (said.includes('left'))
            left.push(h.host.name);
    }
    const r = ctx.report.changes;
    if (on.length)
        r.push(`maintenance: \`${m.on}\` ran on ${on.join(', ')} before the deploy hooks; \`${m.off}\` after each host's switch`);
    if (skipped.length)
        r.push(`maintenance: skipped on ${skipped.join(', ')} (nothing was live there)`);
    if (held.length)
        r.push(`maintenance: left on on ${held.join(', ')}: the maintenance command had turned it on`);
    if (left.length) {
        (0,context/* warn */.R)(ctx, `MAINTENANCE IS STILL ON on ${left.join(', ')}: \`${m.off}\` failed there after the switch, so the site is still down. ` +
            'Fix it, then run the `maintenance` command with state off.');
    }
}

;// CONCATENATED MODULE: ./src/commands/release-flow.ts










/**
 * The release flow of deploy and redeploy: stage the release on every host (at most max_parallel at once), each
 * host running its deploy hooks right after its staging; roll out (switch the hosts all at once or in rolling
 * batches, each activated and health-checked); then finish (history, cleanup, unlock). Nothing switches until every
 * host has staged and passed its hooks; a failed activation or health check switches every switched host back.
 * A single host with nothing to check after its switch has no barrier to wait for: the whole flow goes as one phase.
 */
async function runRelease(ctx, fleet, facts, phases) {
    const removed = new Map(fleet.members.map((m) => [m, phases.removed(m)]));
    const solo = fleet.members.length === 1 && !ctx.config.healthcheck && ctx.config.activate.length === 0;
    // The post step turns maintenance off where main could not confirm it did.
    if (fleet.members.some((m) => phases.maintenanceOn(m)))
        ctx.state?.maintenance?.(fleet.members.map((m) => m.host.name));
    const staging = await stageAndHooks(ctx, fleet, phases, solo);
    recordHookOutputs(ctx, staging);
    // A delta that did not verify stopped its phase: those hosts get everything, in the same session.
    const restaged = fleet.members.filter((m) => staging.get(m)?.stopped);
    const staged = new Map(staging);
    let finished = staging;
    if (solo && restaged.length === 0) {
        rolloutListener(ctx).switched?.(fleet.members[0], Date.now());
    }
    else {
        for (const [m, r] of await restage(ctx, fleet, phases, restaged, staging))
            staged.set(m, r);
        ctx.signal.throwIfAborted();
        await rolloutRelease(ctx, fleet, phases);
        finished = await fleet.run((m) => phases.finish(m));
    }
    reportDeployMaintenance(ctx, fleet.members, staged, finished);
    reportRelease(ctx, fleet, facts, phases, removed, (m) => restaged.includes(m) ? whyRestaged(staging.get(m)) : undefined);
    reportFiles(ctx, fleet, staged);
}
/** Stage and hooks on every host; a solo host runs its whole flow (switch and finish too) in that one phase. */
async function stageAndHooks(ctx, fleet, phases, solo) {
    const staged = new Map(fleet.members.map((m) => [m, phases.stage(m)]));
    return fleet.run((m) => {
        const stage = staged.get(m).phase;
        const on = phases.maintenanceOn(m);
        return solo
            ? chain('ship', stage, on, phases.hooks(m), phases.switch(m), phases.activate(m), phases.finish(m))
            : chain(stage.name, stage, on, phases.hooks(m));
    }, (m) => staged.get(m).payload, { parallel: ctx.config.maxParallel });
}
/** Stages the hosts whose staging stopped again, from scratch with everything, then runs their hooks. */
async function restage(ctx, fleet, phases, again, results) {
    if (!again.length)
        return new Map();
    await phases.prepareRestage(again);
    const restaged = new Map(again.map((m) => [m, phases.restage(m)]));
    for (const m of again)
        (0,context/* warn */.R)(ctx, `${m.host.name}: ${whyRestaged(results.get(m))}; shipped everything instead`);
    const hooked = await fleet.run((m) => chain(restaged.get(m).phase.name, restaged.get(m).phase, phases.maintenanceOn(m), phases.hooks(m)), (m) => restaged.get(m).payload, { members: again, parallel: ctx.config.maxParallel });
    recordHookOutputs(ctx, hooked);
    return hooked;
}
/**
 * Switches the hosts (all of them, or `members`) as the config's strategy says, each activated and health-checked,
 * switching every switched host back when one fails. Deploy, redeploy and rollback alike.
 */
async function rolloutRelease(ctx, fleet, phases, members) {
    const c = ctx.config;
    await rollout(fleet, {
        strategy: c.strategy,
        batchSize: c.batchSize,
        switchPhase: (m) => phases.switch(m),
        activatePhase: (m) => phases.activate(m),
        health: c.healthcheck ? (m) => healthOf(ctx, fleet, m, phases.env(m)) : undefined,
        revertPhase: (m) => phases.revert(m),
    }, rolloutListener(ctx), members);
}
/** Records switches, health results and switch-backs in the report. */
function rolloutListener(ctx) {
    const report = ctx.report;
    return {
        switched: (m, at) => report.switchedAt.set(m.host.name, at),
        health: (m, r) => (report.row(m.host.name).health = { ok: r.ok, attempts: r.attempts, detail: r.detail }),
        reverted: (m) => (report.row(m.host.name).reverted = true),
        activated: (m, result) => recordHookOutputs(ctx, new Map([[m, result]])),
    };
}
/** A host's health after its switch, by URL from the runner or by command on the host. */
async function healthOf(ctx, fleet, m, env) {
    const hc = ctx.config.healthcheck;
    if (hc.url) {
        const url = urlFor(hc.url, m.host.host);
        return (0,heartbeat/* watched */.VI)(ctx.log.info.bind(ctx.log), m.host.name, `health check ${url}`, () => checkUrl({ ...hc, url }, ctx.signal));
    }
    const t0 = Date.now();
    const results = await fleet.run(() => ({ name: 'health', steps: [commandHealthcheck({ ...hc, command: hc.command, env })] }), undefined, { members: [m] });
    const v = healthVerdict(results.get(m));
    reportInvalid(ctx, m.host.name, v.invalid);
    // A failed check is described by what the command printed last (`HTTP 502 Bad Gateway`), not by its verdict.
    const lines = ctx.report.outputs.get(m.host.name)?.get('healthcheck')?.lines ?? [];
    const said = lines
        .filter((l) => l.trim() && !/^attempt \d+ of \d+ failed$/.test(l))
        .at(-1)
        ?.trim();
    const detail = v.ok ? v.verdict : said || 'the command failed without output';
    return { ok: v.ok, attempts: v.attempts ?? hc.retries + 1, detail, ms: Date.now() - t0 };
}
/** Why a host's staging stopped and everything was shipped instead, as its delta step reported it. */
function whyRestaged(r) {
    return r && foreignBase(r)
        ? 'the release the delta was to reuse holds entries of another user (later deploys check before they reuse one)'
        : 'the delta did not verify against the build';
}
/**
 * Several phases sent as one: their steps run in order on the host, and the first failure ends it, as before. The
 * parts keep their names for the log.
 */
function chain(name, ...phases) {
    const present = phases.filter((p) => p !== undefined && p.steps.length > 0);
    return {
        name,
        vars: Object.assign({}, ...present.map((p) => p.vars)),
        steps: present.flatMap((p) => p.steps),
        parts: present.map((p) => ({ name: p.name, from: p.steps[0].id })),
    };
}
/** One line per host in the summary: the switch, how the release got its files, what cleanup removed. */
function reportRelease(ctx, fleet, facts, phases, removed, restagedBecause) {
    ctx.report.release = phases.name;
    const how = { full: 'full upload', delta: 'delta upload', copy: 'copied on the host' };
    for (const m of fleet.members) {
        const f = facts.get(m);
        const gone = removed.get(m);
        const why = restagedBecause(m);
        const shipped = why ? `full upload (${why})` : how[phases.fillKind(m)];
        ctx.report.changes.push(`${m.host.name}: current → releases/${phases.name} (was ${f.live ?? (f.liveTarget || 'nothing')}; ${shipped})` +
            (gone.length ? `; removed old releases ${gone.join(', ')}` : ''));
    }
}
/** One line per host in the summary for `files:`: which changed, which did not (never their content). */
function reportFiles(ctx, fleet, staging) {
    for (const m of fleet.members) {
        const line = filesLine(filesOutcome(staging.get(m), ctx.config.files));
        if (line)
            ctx.report.changes.push(`${m.host.name}: ${line}`);
    }
}

;// CONCATENATED MODULE: ./src/commands/release-name.ts


/**
 * The name for a `release-name` that exists on a host (as a directory or in its history): with
 * `release-name-exists: suffix` the first `NAME-2`, `NAME-3`… free on every host; else a failure naming the host.
 */
function existingName(ctx, facts, name, taken) {
    const [m] = [...facts].find(([, f]) => f.dirs.includes(name) || f.history.some((h) => h.release === name));
    const cli = ctx.surface === 'cli';
    if (ctx.releaseNameExists === 'suffix') {
        const suffixed = (0,releases_name/* suffixedReleaseName */.dA)(name, taken);
        if (suffixed) {
            ctx.log.info(`a release named ${name} exists on ${m.host.name}: this one is ${suffixed} on every host`);
            return suffixed;
        }
        throw new failures/* HostFailure */.h(m.host.name, 'release', `a release named "${name}" already exists there, and "${name}-2" would be longer than 100 characters; choose a shorter ${cli ? '--release-name' : 'release-name'}`);
    }
    const suffix = cli ? '--release-name-exists suffix' : '`release-name-exists: suffix`';
    throw new failures/* HostFailure */.h(m.host.name, 'release', `a release named "${name}" already exists there; release names are never reused. Use ${suffix} to deploy it as "${(0,releases_name/* suffixedReleaseName */.dA)(name, taken) ?? `${name}-2`}" (the first free NAME-2, NAME-3…), or choose another name`);
}

;// CONCATENATED MODULE: ./src/remote/steps/cleanup.ts


/**
 * deploy:cleanup: removes the releases the runner chose (see retention), re-checking on the host that none of
 * them is live. They leave `releases/` at once (renamed into `.deploy/trash/`); deleting their files, which
 * can take seconds for a big app, goes on in the background after the session, so the deploy does not wait for
 * it. Trash an earlier cleanup could not delete (files of another user, say) is a warning, and is tried again.
 */
function cleanup(remove) {
    return {
        id: 'cleanup',
        brief: true,
        label: 'cleanup',
        // The releases to remove are the body's arguments (set --); a step function is called without any.
        body: `${remove.length ? `set -- ${(0,quote/* words */.a)(remove)}\n` : ''}${sh/* CLEANUP_SH */.h1}`,
    };
}

;// CONCATENATED MODULE: ./src/remote/steps/clear-paths.ts

/**
 * deploy:clear_paths: paths the release must not contain (removed inside the new release only). The path check
 * step (see contain.ts) has refused any path with a symlink among its parents before this runs (also before sudo);
 * a link that is the path itself is removed, never what it points at.
 */
function clearPaths(opts) {
    if (opts.paths.length === 0)
        return null;
    const sudo = opts.useSudo ? 'sudo -n ' : '';
    return {
        id: 'clear_paths',
        brief: true,
        label: 'clear paths',
        body: `${sudo}rm -rf -- ${opts.paths.map((p) => `"releases/$DA_RELEASE/"${(0,quote.q)(p)}`).join(' ')}
echo "cleared ${opts.paths.length} paths"`,
    };
}

;// CONCATENATED MODULE: ./src/remote/steps/history.ts

/**
 * Appends one JSON line to `.deploy/history.jsonl`, the host's record of what was live when. `at` is stamped by
 * the host when the line is written (the same clock as the lines its abort path writes). Fenced: a run that lost
 * its lock records nothing.
 */
function logHistory(entry) {
    const json = JSON.stringify(entry);
    const open = json === '{}' ? '{' : `${json.slice(0, -1)},`;
    return {
        id: 'log',
        brief: true,
        label: 'history',
        fenced: true,
        body: `da_now
da_history ${(0,quote.q)(`${open}"at":"`)}"$DA_AT"'"}'`,
    };
}

;// CONCATENATED MODULE: ./src/remote/steps/revert.ts
/** Puts `current` back where it was before this run's (still provisional) switch; a no-op where it did not switch. */
function revert() {
    return { id: 'revert', label: 'switch back', body: 'da_revert', brief: true };
}

;// CONCATENATED MODULE: ./src/remote/steps/release.ts
/**
 * deploy:release: `releases/$DA_RELEASE` is created with `mkdir` (never `-p`), so a name that exists is an error,
 * never an overwrite. The pending record is written only once the directory is ours.
 */
function release() {
    return {
        id: 'release',
        brief: true,
        label: 'release',
        body: `if [ -e "releases/$DA_RELEASE" ] || [ -L "releases/$DA_RELEASE" ]; then
  echo "error: releases/$DA_RELEASE already exists on this host; a release is never overwritten" >&2
  exit 1
fi
# The release's manifest and index are written later with \`>\`, which would follow a link planted under their name.
for m in ".deploy/manifests/$DA_RELEASE.gz" ".deploy/manifests/$DA_RELEASE.idx"; do
  if [ -L "$m" ]; then echo "error: $m is a symlink planted before this release existed; remove it" >&2; exit 1; fi
done
mkdir -- "releases/$DA_RELEASE"
printf 'release %s\\n' "$DA_RELEASE" >> "$DA_PENDING"
echo "created releases/$DA_RELEASE"`,
    };
}

;// CONCATENATED MODULE: ./src/remote/steps/shared.ts

/** The link target from `releases/<name>/<path>` back to `shared/<path>`, relative so the tree can move. */
function sharedLinkTarget(path) {
    const depth = path.split('/').length; // segments below releases/<name>/, the link's own name included
    return `${'../'.repeat(depth + 1)}shared/${path}`;
}
function shared_parentOf(path) {
    const i = path.lastIndexOf('/');
    return i < 0 ? '' : path.slice(0, i);
}
/** Links the release's entry to shared/ (a release recycled from an older one may have that link already). */
function linkInto(path) {
    const parent = shared_parentOf(path);
    const entry = `"releases/$DA_RELEASE/"${(0,quote.q)(path)}`;
    return [
        `if ! { [ -L ${entry} ] && [ ${entry} -ef shared/${(0,quote.q)(path)} ]; }; then`,
        `  rm -rf -- ${entry}`,
        parent ? `  mkdir -p -- "releases/$DA_RELEASE/"${(0,quote.q)(parent)}` : '',
        `  ln -s -- ${(0,quote.q)(sharedLinkTarget(path))} ${entry}`,
        'fi',
    ]
        .filter(Boolean)
        .join('\n');
}
/**
 * deploy:shared: each shared dir and file lives in `shared/` and is linked into the release. The first time, the
 * shared copy is seeded from the release (as Deployer does); seeded entries are recorded so that a failed run
 * removes them again and `shared/` is as it was. The path check step (see contain.ts) runs first: no parent of an
 * entry, in the release or in shared/, is a symlink, and no shared entry in shared/ is one.
 */
function shared(opts) {
    if (opts.dirs.length === 0 && opts.files.length === 0)
        return null;
    const parts = [];
    for (const dir of opts.dirs) {
        const p = (0,quote.q)(dir);
        const parent = shared_parentOf(dir);
        parts.push(`if [ -L shared/${p} ] || { [ -e shared/${p} ] && [ ! -d shared/${p} ]; }; then
  printf 'error: shared/%s exists but is not a directory\\n' ${p} >&2; exit 1
fi
if [ ! -e shared/${p} ]; then
  printf 'seeded %s\\n' ${p} >> "$DA_PENDING"
  ${parent ? `mkdir -p -- shared/${(0,quote.q)(parent)}` : ':'}
  if [ -d "releases/$DA_RELEASE/"${p} ] && [ ! -L "releases/$DA_RELEASE/"${p} ]; then cp -a -- "releases/$DA_RELEASE/"${p} shared/${p}; else mkdir -- shared/${p}; fi
  printf 'seeded shared/%s\\n' ${p}
fi
${linkInto(dir)}`);
    }
    for (const file of opts.files) {
        const p = (0,quote.q)(file);
        const parent = shared_parentOf(file);
        parts.push(`if [ -L shared/${p} ] || [ -d shared/${p} ]; then
  printf 'error: shared/%s exists but is not a regular file\\n' ${p} >&2; exit 1
fi
if [ ! -e shared/${p} ]; then
  printf 'seeded %s\\n' ${p} >> "$DA_PENDING"
  ${parent ? `mkdir -p -- shared/${(0,quote.q)(parent)}` : ':'}
  if [ -f "releases/$DA_RELEASE/"${p} ] && [ ! -L "releases/$DA_RELEASE/"${p} ]; then cp -a -- "releases/$DA_RELEASE/"${p} shared/${p}; else : > shared/${p}; fi
  printf 'seeded shared/%s\\n' ${p}
fi
${linkInto(file)}`);
    }
    parts.push(`echo "linked ${opts.dirs.length + opts.files.length} shared entries"`);
    return { id: 'shared', label: 'shared', body: parts.join('\n'), brief: true };
}

;// CONCATENATED MODULE: ./src/remote/steps/symlink.ts

/**
 * deploy:symlink: a new link is renamed over `current` (rename(2) is atomic), so a reader sees the old release or
 * the new one, never neither. The previous target is recorded first: until the run commits, the switch is
 * provisional and the abort path puts it back. `liveTarget`: where `current` pointed when the host was inspected.
 *
 * The switch is fenced: under the fence (da_fence_lock, the flock `unlock` takes too) it proves that this run still
 * holds its lock, and that the release is a real directory with its REVISION (what the upload writes last), so
 * `current` never points at a directory another run's unlock removed, or at one that is not complete.
 */
function symlink(liveTarget) {
    return {
        id: 'symlink',
        brief: true,
        label: 'symlink',
        fenced: true,
        // The target inspect read under this run's lock is recorded while current still resolves to the same directory;
        // when current was changed since (by a hook, by hand), or nothing was live, readlink tells.
        body: `da_fence_lock
da_fence
if [ -z "$DA_RELEASE" ] || [ -L "releases/$DA_RELEASE" ] || [ ! -d "releases/$DA_RELEASE" ] || [ ! -f "releases/$DA_RELEASE/REVISION" ]; then
  echo "error: releases/$DA_RELEASE is not a complete release (no such directory, a symlink, or no REVISION file): current was not switched" >&2
  exit 1
fi
prev=${(0,quote.q)(liveTarget)}
[ -n "$prev" ] && [ current -ef "$prev" ] || prev=$(readlink current 2>/dev/null || true)
printf 'switched %s %s\\n' "releases/$DA_RELEASE" "$prev" >> "$DA_PENDING"
ln -sfn -- "releases/$DA_RELEASE" ".deploy/current.$DA_OWNER"
mv -fT -- ".deploy/current.$DA_OWNER" current
echo "current -> releases/$DA_RELEASE (was \${prev:-nothing})"`,
    };
}

;// CONCATENATED MODULE: ./src/commands/release-phases.ts





















/**
 * The new release's name: the one asked for (never reused: with `release-name-exists: suffix` the first free
 * `NAME-2`, `NAME-3`… on every host instead of failing), or a fresh one from the run's start time.
 */
function chooseName(ctx, facts) {
    const taken = new Set();
    for (const f of facts.values()) {
        for (const d of f.dirs)
            taken.add(d);
        for (const h of f.history)
            taken.add(h.release);
    }
    if (ctx.releaseName) {
        const name = (0,releases_name/* checkReleaseName */.v4)(ctx.releaseName, 'release-name');
        return taken.has(name) ? existingName(ctx, facts, name, taken) : name;
    }
    return (0,releases_name/* uniqueReleaseName */.SS)(ctx.run.startedAt, taken);
}
function httpUserFor(c, m, f) {
    const user = c.httpUser ?? f.httpUser;
    if (!user && c.writableDirs.length > 0 && needsHttpUser(c.writableMode)) {
        throw new failures/* HostFailure */.h(m.host.name, 'writable', `writable_mode ${c.writableMode} needs the web server's user, and none was found running ` +
            '(apache, httpd, nginx, www-data, _www). Set http_user in the config.');
    }
    return user;
}
/** The environment of hooks and command health checks: the config's env, the host's env and vars, DEPLOY_*. */
function hookEnv(config, host, name, previous, sha) {
    return {
        ...(0,src_config/* hostEnv */.y1)(config, host),
        DEPLOY_RELEASE: name,
        DEPLOY_RELEASE_PATH: `${host.deployPath}/releases/${name}`,
        DEPLOY_PATH: host.deployPath,
        DEPLOY_PREVIOUS_RELEASE: previous ?? '',
        DEPLOY_SHA: sha,
        DEPLOY_ENVIRONMENT: config.environment,
    };
}
/**
 * The switch, activate and revert phases for `release` on each host. `revertEnv` is the environment the activate
 * commands get after a switch back (default: `env`).
 */
function switchPhases(c, facts, release, env, revertEnv = env) {
    const vars = { DA_RELEASE: release };
    return {
        switch: (m) => ({ name: 'switch', vars, steps: [symlink(facts.get(m).liveTarget)] }),
        activate: (m) => activatePhase(c, vars, env(m), m.host),
        // After switching back, the activate commands run again for the release that is live again.
        revert: (m) => revertPhase(c, vars, revertEnv(m), m.host),
        env,
    };
}
/** The phases of a new release `name` on each host, its files from `source` (see runRelease for their order). */
function releasePhases(ctx, facts, name, source) {
    const c = ctx.config;
    const maint = deployMaintenance(ctx);
    const vars = { DA_RELEASE: name };
    // A hook runs where its `on` says (every host without it); `once`: on the first of those (config order) only.
    const members = [...facts.keys()];
    const runsOn = new Map(c.deploy.map((h) => [h, (0,src_config/* hookHosts */.PP)(h, members, (m) => m.host)]));
    const env = (m) => hookEnv(c, m.host, name, facts.get(m).live, source.sha(m));
    // The stage phase: a fresh release directory, filled, its paths checked, then shared links, writable dirs and
    // cleared paths.
    const stageWith = (m, fill, fresh = true) => {
        const steps = [
            fresh ? release() : null,
            ...fill.steps,
            // Before anything changes outside the new release: no configured path leads out through a symlink.
            contain({
                sharedDirs: c.sharedDirs,
                sharedFiles: c.sharedFiles,
                writableDirs: c.writableMode === 'skip' ? [] : c.writableDirs,
                clearPaths: c.clearPaths,
            }),
            shared({ dirs: c.sharedDirs, files: c.sharedFiles }),
            files({ files: c.files, required: requiredSharedFiles(c) }),
            writable({
                dirs: c.writableDirs,
                mode: c.writableMode,
                useSudo: c.writableUseSudo,
                recursive: c.writableRecursive,
                chmodMode: c.writableChmodMode,
                httpUser: httpUserFor(c, m, facts.get(m)),
                httpGroup: c.httpGroup,
            }),
            clearPaths({ paths: c.clearPaths, useSudo: c.clearUseSudo }),
        ];
        return {
            // Every stage step changes the host under the lock: each first proves the run still holds it.
            phase: {
                name: 'stage',
                vars: { ...vars, ...fill.vars },
                steps: fenced(steps.filter((s) => s !== null)),
            },
            payload: fill.payload,
        };
    };
    const removed = (m) => {
        const f = facts.get(m);
        return releasesToRemove({
            dirs: [...f.dirs, name],
            history: [...f.history, { event: source.event, release: name }],
            keep: c.keepReleases,
            live: name,
        }).filter((d) => !f.partial.has(d));
    };
    // Maintenance goes on before the hooks and off right after each host's switch and activate, before its health check.
    const inMaint = (m, phaseName, steps) => maint ? maintenancePhase(phaseName, maintenanceCommands(c, maint, env(m)), steps) : undefined;
    const switching = switchPhases(c, facts, name, env, (m) => hookEnv(c, m.host, facts.get(m).live ?? '', undefined, ctx.run.sha));
    return {
        ...switching,
        activate: (m) => withMaintenanceOff(switching.activate(m), inMaint(m, 'maintenance', [maintenanceOff('deploy')])),
        maintenanceOn: (m) => inMaint(m, 'maintenance', [maintenanceOn('deploy')]),
        name,
        stage: (m) => stageWith(m, source.fill(m)),
        restage: (m) => (source.restage ? stageWith(m, source.restage(m), false) : undefined),
        prepareRestage: async (members) => source.prepareRestage?.(members),
        hooks(m) {
            const hooks = c.deploy.filter((h) => runsOn.get(h).includes(m));
            // The fence is checked at each hook's start: a hook already running when the lock is removed runs to its end.
            return hooks.length
                ? { name: 'hooks', vars, steps: fenced((0,steps_hooks/* hookSteps */.LD)(hooks, env(m), steps_hooks/* IN_RELEASE */.iC, c.hookTimeoutMs)) }
                : undefined;
        },
        finish(m) {
            const f = facts.get(m);
            const entry = {
                event: source.event,
                release: name,
                previous: f.live ?? null,
                ...(0,run_info/* runRecord */.DW)(ctx.run),
                sha: source.sha(m),
                started_at: ctx.run.startedAt.toISOString(),
            };
            // The history line and cleanup are fenced; cleanup runs under the lock (a next run's inspect and delta see
            // the releases as they stay), before the commit, which proves the lock under the fence itself.
            const left = maint ? [maintenanceLeft()] : [];
            return { name: 'finish', vars, steps: [logHistory(entry), ...fenced([cleanup(removed(m))]), ...left, unlock()] };
        },
        removed,
        fillKind: (m) => source.fill(m).kind,
    };
}
/** The activate phase followed by maintenance `off` (its variables too), or either alone. */
function withMaintenanceOff(activate, off) {
    if (!activate || !off)
        return activate ?? off;
    return { ...activate, vars: { ...activate.vars, ...off.vars }, steps: [...activate.steps, ...off.steps] };
}
/** The commands run on a host right after its switch, in the live release (none configured: no phase). */
function activatePhase(c, vars, env, host) {
    const hooks = activateHooks(c, host);
    return hooks.length
        ? { name: 'activate', vars, steps: fenced((0,steps_hooks/* hookSteps */.LD)(hooks, env, steps_hooks/* IN_CURRENT */.yc, c.hookTimeoutMs)) }
        : undefined;
}
/** The activate hooks that run on `host` (those whose `on` picks it; every one without `on`). */
const activateHooks = (c, host) => c.activate.filter((h) => !h.on || (0,src_config/* selectedBy */.B8)(h.on.items, host));
/**
 * Switches a host back to its previous release and runs the activate commands again, for what is live again. The
 * switch back is not fenced (it undoes this run's own switch, under the fence, only while current still points at
 * this run's release); the activate commands are.
 */
function revertPhase(c, vars, env, host) {
    return {
        name: 'revert',
        vars,
        steps: [revert(), ...fenced((0,steps_hooks/* hookSteps */.LD)(activateHooks(c, host), env, steps_hooks/* IN_CURRENT */.yc, c.hookTimeoutMs))],
    };
}

;// CONCATENATED MODULE: ./src/commands/deploy.ts








/** deploy: build on the runner, stage every host, run the deploy hooks, then switch every host together. */
async function deploy(ctx) {
    const { config, run, report } = ctx;
    report.sha = run.sha;
    report.url = config.url;
    if (ctx.dryRun)
        return plan(ctx);
    const tree = await report.time('build', 'build', () => runBuild(config, ctx.source, ctx.log));
    // Once the build hooks have passed, describing the build (walking, hashing) overlaps with reaching the hosts. It
    // starts once SSH is loaded: its walk would otherwise hold back the first connection. The TCP connections open
    // meanwhile.
    await Fleet.warm(config.hosts, config.maxParallel);
    const describing = report.time('describe', 'manifest', () => describeBuild(tree, ctx.log));
    describing.catch(() => undefined);
    // With full_upload every host gets everything: packing starts before the hosts are even reached.
    if (config.fullUpload)
        void describing.then((built) => built.full(), () => undefined);
    try {
        ctx.signal.throwIfAborted();
        await withFleet(ctx, async (fleet) => {
            const offer = config.fullUpload ? {} : { offerBaseFrom: config.keepReleases };
            const [facts, built] = await Promise.all([lockAndInspect(ctx, fleet, offer), describing]);
            const name = chooseName(ctx, facts);
            const first = fleet.members[0];
            report.release = name;
            report.previous = facts.get(first).live;
            report.releasePath = `${first.host.deployPath}/releases/${name}`;
            await ctx.observer?.started({ release: name, previous: report.previous, sha: run.sha });
            const source = await buildSource(config, run.sha, fleet, facts, name, built, (text) => (0,context/* warn */.R)(ctx, text));
            await runRelease(ctx, fleet, facts, releasePhases(ctx, facts, name, source));
        });
    }
    finally {
        await tree.scratch.dispose();
    }
}
/** A dry run: what would ship and, per host, the steps that would run (nothing is built, locked or changed). */
async function plan(ctx) {
    const shipped = await shippedSummary(ctx.config, ctx.source);
    await withFleet(ctx, async (fleet) => {
        const facts = await fleet_run_inspect(ctx, fleet);
        const name = chooseName(ctx, facts);
        planReport(ctx, fleet, facts, releasePhases(ctx, facts, name, planSource(ctx.config, ctx.run.sha)), shipped);
    });
}

;// CONCATENATED MODULE: ./src/remote/steps/doctor.ts




/**
 * doctor: reads, in one step and without changing anything (no lock taken, no directory created), what a deploy
 * needs of a host beyond the tools the session start checks: bash's version, write access to the deploy path (or to
 * the parent it would be created in), free disk there, setfacl, `sudo -n`, the web server's user, the host's clock
 * and the lock's state.
 */
function doctor(opts) {
    return {
        id: 'doctor',
        label: 'doctor',
        mayLackDeployPath: true,
        body: `acl=${opts.acl ? 'yes' : ''}\nsudo=${opts.sudo ? 'yes' : ''}\nhttp_user=${(0,quote.q)(opts.httpUser ?? '')}\n${sh/* DOCTOR_SH */.cR}`,
    };
}
/** The keys doctor reports (sh/doctor.sh), each once; a held lock adds the lock's keys (LOCK_KEYS). */
const BASH = 'doctor-bash';
const CLOCK = 'doctor-clock';
const EXISTS = 'doctor-exists';
const PARENT = 'doctor-parent';
const UNWRITABLE = 'doctor-unwritable';
const FREE_KB = 'doctor-free-kb';
const SETFACL = 'doctor-setfacl';
const SUDO = 'doctor-sudo';
const doctor_HTTP_USER = 'doctor-http-user';
const LOCK = 'doctor-lock';
const DOCTOR_KEYS = [BASH, CLOCK, EXISTS, PARENT, UNWRITABLE, FREE_KB, SETFACL, SUDO, doctor_HTTP_USER, LOCK];
const BASH_VERSION = /^\d{1,3}\.\d{1,3}[\w.()-]{0,40}$/;
const DIGITS = /^\d{1,15}$/;
const DEPLOY_DIRS = new Set(['.', 'releases', 'shared', '.deploy']);
/**
 * What doctor reported, each value checked against what it can be (a version, a number, yes/no, one of the paths
 * the step looks at); anything else is left out and listed in `invalid`.
 */
function readDoctor(result, deployPath) {
    const invalid = [];
    const one = (0,remote_data/* singleValues */.rc)(result, invalid, [...DOCTOR_KEYS, ...LOCK_KEYS]);
    const checked = (key, ok, what) => {
        const value = one(key);
        if (value === '')
            return undefined;
        if (ok(value))
            return value;
        invalid.push({ what: `${what} (${key}) that is not one`, value });
        return undefined;
    };
    const flag = (key) => {
        const v = checked(key, (x) => x === 'yes' || x === 'no', 'a yes or no');
        return v === undefined ? undefined : v === 'yes';
    };
    const isParent = (p) => p === '/' || p === '.' || deployPath.startsWith(`${p}/`);
    const parent = checked(PARENT, isParent, 'a parent of the deploy path');
    const unwritable = [];
    for (const p of one(UNWRITABLE).split('\n').filter(Boolean)) {
        if (DEPLOY_DIRS.has(p) || p === parent)
            unwritable.push(p);
        else
            invalid.push({ what: 'an unwritable path that doctor does not check', value: p });
    }
    const number = (key, what) => {
        const v = checked(key, (x) => DIGITS.test(x), what);
        return v === undefined ? undefined : Number(v);
    };
    const lock = checked(LOCK, (x) => x === 'held' || x === 'free', 'a lock state');
    return {
        bash: checked(BASH, (x) => BASH_VERSION.test(x), 'a bash version'),
        clock: number(CLOCK, 'a time'),
        exists: one(EXISTS) === 'yes',
        parent,
        unwritable,
        freeKb: number(FREE_KB, 'a size'),
        setfacl: flag(SETFACL),
        sudo: flag(SUDO),
        httpUser: flag(doctor_HTTP_USER),
        lockHeld: lock === undefined ? undefined : lock === 'held',
        lock: lock === 'held' && result.data.has(LOCK_INFO) ? result.data : undefined,
        invalid,
    };
}

;// CONCATENATED MODULE: ./src/commands/doctor-checks.ts





/** Clock skew beyond which the host is warned about (history times, lock ages, TLS and cache headers go wrong). */
const MAX_SKEW_SECONDS = 60;
/** The first tools the session checks, named in the table (the rest are counted). */
const NAMED_TOOLS = ['tar', 'gzip', 'sha256sum', 'find', 'sort', 'awk', 'base64', 'flock'];
const ok = (check, found) => ({ mark: '✓', check, found, fix: '' });
/** The rows of one host's table, in the order a deploy meets them. */
function checkRows(host, e, c) {
    const rows = [];
    if (e.failure?.step === 'connect') {
        rows.push({ mark: '✗', check: 'SSH login', found: 'could not connect', fix: e.failure.message });
        return rows;
    }
    rows.push(ok('SSH login', `as ${host.user ?? 'this machine'}`));
    if (e.failure?.step === 'tools') {
        rows.push({ mark: '✗', check: 'bash and tools', found: 'missing or unsupported', fix: e.failure.message });
        return rows;
    }
    if (e.failure) {
        // No hello in time (session-start.ts notStarted): a login file read input or exec-ed another shell.
        const login = /did not start the session/.test(e.failure.message);
        rows.push({
            mark: '✗',
            check: login ? 'login files' : 'session start',
            found: login ? 'kept the session from starting' : 'the session did not start',
            fix: e.failure.message,
        });
        return rows;
    }
    const f = e.facts;
    if (!f)
        return rows;
    rows.push(ok('bash', `${f.bash ?? '?'} (${MIN_BASH.join('.')} or later needed)`));
    const more = HOST_TOOLS.length - NAMED_TOOLS.length;
    rows.push(ok('tools', `${NAMED_TOOLS.join(', ')} and ${more} more: GNU, no busybox applet`));
    rows.push(e.loginLines > 0
        ? {
            mark: '⚠',
            check: 'login files',
            found: `printed ${e.loginLines} line${e.loginLines === 1 ? '' : 's'} before the session started`,
            fix: 'make the login files quiet when not interactive: put `[[ $- == *i* ]] || return` at the top of `~/.bashrc` (the lines land in every deploy log)',
        }
        : ok('login files', 'quiet, no input read'));
    rows.push(pathRow(host, f));
    rows.push(diskRow(f, c.buildBytes));
    const cfg = c.config;
    if (f.setfacl !== undefined)
        rows.push(f.setfacl
            ? ok('setfacl', 'found (writable_mode: acl)')
            : {
                mark: '✗',
                check: 'setfacl',
                found: 'not found in PATH (writable_mode: acl needs it)',
                fix: 'install the acl package (`apt-get install acl`, `apk add acl`), or choose another `writable_mode`',
            });
    if (f.sudo !== undefined) {
        const keys = [cfg.writableUseSudo && 'writable_use_sudo', cfg.clearUseSudo && 'clear_use_sudo'].filter(Boolean);
        rows.push(f.sudo
            ? ok('sudo', `\`sudo -n true\` works (${keys.join(', ')})`)
            : {
                mark: '✗',
                check: 'sudo',
                found: `\`sudo -n true\` fails (${keys.join(', ')} set)`,
                fix: `let ${host.user ?? 'the deploy user'} run sudo without a password (a NOPASSWD rule in sudoers), or turn off ${keys.join(' and ')}`,
            });
    }
    if (f.httpUser !== undefined)
        rows.push(f.httpUser
            ? ok('http_user', `${cfg.httpUser} exists`)
            : {
                mark: '✗',
                check: 'http_user',
                found: `no user ${cfg.httpUser} on this host`,
                fix: "set `http_user` to the web server's user on this host (`ps -o user= -C nginx`), or create it",
            });
    rows.push(clockRow(f, e.answeredAt));
    rows.push(lockRow(f, cfg.environment, c.surface));
    return rows;
}
function pathRow(host, f) {
    const path = host.deployPath;
    if (f.exists && !f.unwritable.length)
        return ok('deploy path', `${path} is writable`);
    if (!f.exists && !f.unwritable.length)
        return ok('deploy path', `${path} does not exist yet; ${f.parent ?? 'its parent'} is writable: the first deploy creates it`);
    const who = host.user ?? 'the deploy user';
    if (!f.exists) {
        return {
            mark: '✗',
            check: 'deploy path',
            found: `${path} does not exist and ${f.parent ?? 'its parent'} is not writable`,
            fix: `create it for ${who}: \`sudo mkdir -p ${path} && sudo chown ${who} ${path}\`, or choose a \`deploy_path\` ${who} can write to`,
        };
    }
    const names = f.unwritable.map((p) => (p === '.' ? path : `${path}/${p}`));
    return {
        mark: '✗',
        check: 'deploy path',
        found: `not writable: ${names.join(', ')}`,
        fix: `give ${who} write access: \`sudo chown -R ${who} ${path}\` (or check that its filesystem is not read-only)`,
    };
}
function diskRow(f, buildBytes) {
    if (f.freeKb === undefined)
        return {
            mark: '⚠',
            check: 'free disk',
            found: 'unknown (`df` gave no figure)',
            fix: 'check the free space yourself',
        };
    const free = f.freeKb * 1024;
    const found = `${units_size(free)} free; the build is about ${units_size(buildBytes)}`;
    if (free < buildBytes)
        return {
            mark: '✗',
            check: 'free disk',
            found,
            fix: 'free space in the filesystem of the deploy path (old releases: lower `keep_releases`), or grow it',
        };
    if (free < 2 * buildBytes)
        return {
            mark: '⚠',
            check: 'free disk',
            found,
            fix: 'room for one release only: free space before the next deploys (lower `keep_releases`)',
        };
    return ok('free disk', found);
}
function clockRow(f, answeredAt) {
    if (f.clock === undefined)
        return { mark: '⚠', check: 'clock', found: 'unknown', fix: 'check the host clock' };
    const skew = Math.round(f.clock - answeredAt / 1000);
    const found = skew === 0 ? 'in step with the runner' : `${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the runner`;
    if (Math.abs(skew) <= MAX_SKEW_SECONDS)
        return ok('clock', found);
    return {
        mark: '⚠',
        check: 'clock',
        found,
        fix: 'sync the host clock (NTP: `timedatectl set-ntp true`): release names, history times and lock ages use it',
    };
}
function lockRow(f, environment, surface) {
    if (!f.lockHeld)
        return ok('deploy lock', 'free');
    const alive = lockHolder(f.lock).alive;
    return {
        mark: alive ? '⚠' : '✗',
        check: 'deploy lock',
        found: alive ? 'held by a run still going' : 'held by a run that has ended',
        fix: describeHeldLock(f.lock, environment, surface),
    };
}
/** A host's table as report blocks (host text in `found` was checked by readDoctor; renderers escape it). */
function checkTable(rows) {
    const cell = (text) => (0,report_document/* ticks */.Zc)(text);
    return (0,report_document/* table */.tp)(['', 'Check', 'Found', 'Fix'], rows.map((r) => [r.mark, r.check, cell(r.found), cell(r.fix)]));
}

;// CONCATENATED MODULE: ./src/commands/doctor.ts













/** Files counted for the build's size at most: a rough figure is enough to compare with free disk. */
const MAX_FILES = 200_000;
/** The size of `source` on this machine, roughly (files and symlinks as they are, `.git` left out). */
function buildSize(dir) {
    let bytes = 0;
    let files = 0;
    const walk = (d) => {
        let entries;
        try {
            entries = (0,external_node_fs_.readdirSync)(d, { withFileTypes: true });
        }
        catch {
            return;
        }
        for (const e of entries) {
            if (++files > MAX_FILES)
                return;
            const p = (0,external_node_path_.join)(d, e.name);
            if (e.isDirectory()) {
                if (e.name !== '.git')
                    walk(p);
            }
            else {
                try {
                    bytes += (0,external_node_fs_.lstatSync)(p).size;
                }
                catch {
                    /* gone meanwhile */
                }
            }
        }
    };
    walk(dir);
    return bytes;
}
/**
 * doctor: connects to every host and checks, in one phase and without changing anything, what a deploy needs. A
 * table per host (✓, ⚠, ✗ with the fix) goes into the report's details; the run fails, naming the hosts, when a
 * deploy would fail on any of them.
 */
async function doctor_doctor(ctx) {
    const c = ctx.config;
    const evidence = new Map();
    const loginLines = new Map();
    const stepped = new Set();
    const base = (0,progress/* progress */.qB)(ctx.log, ctx.report, c.hosts.length, ctx.signal);
    // Lines a host sends before its first step are the login files' (the session prints nothing before then).
    const listener = {
        ...base,
        step(host, record) {
            stepped.add(host.name);
            base.step?.(host, record);
        },
        output(host, line, step) {
            if (!step && !stepped.has(host.name) && line.trim())
                loginLines.set(host.name, (loginLines.get(host.name) ?? 0) + 1);
            base.output?.(host, line, step);
        },
    };
    const step = doctor({
        acl: c.writableMode === 'acl' && c.writableDirs.length > 0,
        sudo: c.writableUseSudo || c.clearUseSudo,
        httpUser: c.httpUser && needsHttpUser(c.writableMode) && c.writableDirs.length > 0 ? c.httpUser : undefined,
    });
    const buildBytes = buildSize(ctx.source);
    // A host that cannot be reached is a row of its own; the others are checked without it.
    let left = c.hosts;
    while (left.length) {
        let fleet;
        try {
            fleet = await Fleet.open(left, ctx.access, (h) => preludeFor(ctx, h), listener, c.maxParallel);
        }
        catch (error) {
            if (ctx.signal.aborted)
                throw new errors/* Cancelled */.c();
            if (!(error instanceof failures/* HostFailure */.h) || error.step !== 'connect')
                throw error;
            const message = error.message.replace(`${error.host}: connect: `, '');
            evidence.set(error.host, { loginLines: 0, failure: { step: 'connect', message }, answeredAt: Date.now() });
            left = left.filter((h) => h.name !== error.host);
            continue;
        }
        // Nothing to undo on any host (doctor changes nothing): a cancellation just ends the sessions.
        const onAbort = () => void fleet.abort();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
            await checkFleet(ctx, fleet, step, evidence);
            await fleet.close();
        }
        catch (error) {
            await fleet.abort();
            throw error;
        }
        finally {
            ctx.signal.removeEventListener('abort', onAbort);
        }
        break;
    }
    if (ctx.signal.aborted)
        throw new errors/* Cancelled */.c();
    const out = [(0,report_document/* heading */.R_)('Doctor')];
    const failing = [];
    for (const host of c.hosts) {
        const e = evidence.get(host.name);
        if (!e)
            continue;
        e.loginLines = loginLines.get(host.name) ?? 0;
        const rows = checkRows(host, e, { config: c, buildBytes, surface: ctx.surface });
        if (rows.some((r) => r.mark === '✗'))
            failing.push(host.name);
        out.push((0,report_document/* heading */.R_)(host.name, 2), checkTable(rows));
    }
    out.push((0,report_document/* paragraph */.FY)(failing.length
        ? `A deploy would fail on ${failing.join(', ')}: see the fix of each ✗.`
        : 'Every host has what a deploy needs.'));
    ctx.report.details.push(...out);
    if (failing.length)
        throw new failures/* FleetFailure */.Z('doctor', `a deploy would fail on ${failing.join(', ')}; see the fix of each ✗ in the table of each host`);
}
/** Runs the doctor step on every member; a session that fails to start is that host's evidence, not the run's end. */
async function checkFleet(ctx, fleet, step, evidence) {
    const members = fleet.members;
    const answered = new Map();
    const run = async (m) => {
        try {
            return await m.session.run({ name: 'doctor', steps: [step] });
        }
        finally {
            answered.set(m, Date.now());
        }
    };
    const settled = await fleet.phase('doctor', members, () => Promise.allSettled(members.map(run)));
    settled.forEach((r, i) => {
        const m = members[i];
        const answeredAt = answered.get(m) ?? Date.now();
        if (r.status === 'rejected') {
            const reason = r.reason;
            const failure = reason instanceof SessionFailed
                ? { step: reason.step, message: reason.detail }
                : { step: 'session', message: reason instanceof Error ? reason.message : String(reason) };
            evidence.set(m.host.name, { loginLines: 0, failure, answeredAt });
            return;
        }
        if (!r.value.ok) {
            const tail = r.value.failed?.tail.at(-1) ?? '';
            const message = `the doctor step exited with code ${r.value.rc}${tail ? `: ${tail.slice(0, 300)}` : ''}`;
            evidence.set(m.host.name, { loginLines: 0, failure: { step: 'session', message }, answeredAt });
            return;
        }
        const facts = readDoctor(r.value, m.host.deployPath);
        reportInvalid(ctx, m.host.name, facts.invalid);
        evidence.set(m.host.name, { loginLines: 0, facts, answeredAt });
    });
}

// EXTERNAL MODULE: ./src/remote/steps/exec.ts
var exec = __nccwpck_require__(665);
// EXTERNAL MODULE: ./src/log.ts
var log = __nccwpck_require__(5625);
;// CONCATENATED MODULE: ./src/report/exec.ts
/** What `exec` did on each host: the summary's table and the `exec` output. */


const LAST_LINE_CHARS = 200;
/** A line cut for a table cell or an output. */
function cutLine(line) {
    const text = line.trim();
    return text.length > LAST_LINE_CHARS ? `${text.slice(0, LAST_LINE_CHARS)}…` : text;
}
/** The summary's (and the CLI's) table: host, exit status, duration, last line. */
function execTable(results) {
    const rows = results.map((r) => [
        r.host,
        r.exitCode === null ? '✗ not run' : r.exitCode === 0 ? '✓ 0' : `✗ ${r.exitCode}`,
        (0,log/* seconds */.Y)(r.ms),
        r.exitCode === null ? (r.error ?? '') : r.lastLine ? { code: r.lastLine } : '',
    ]);
    return (0,report_document/* table */.tp)(['Host', 'Exit', 'Duration', 'Last line'], rows);
}
/** The `exec` output: one object per host, hosts from a secret as `***`. */
function execOutput(results) {
    return JSON.stringify(results.map((r) => ({
        host: r.masked ? '***' : r.host,
        exit_code: r.exitCode,
        duration_ms: r.ms,
        last_line: r.lastLine,
        ...(r.error !== undefined ? { error: r.error } : {}),
    })));
}

;// CONCATENATED MODULE: ./src/commands/exec.ts










/**
 * exec: runs one command line in `current/` on the selected hosts (or the first, `once`), at most `max_parallel`
 * at once, each host's output streamed to the log. Every host runs it whatever the others do (this is no deploy:
 * nothing is undone); the run fails afterwards, naming each host where it failed. No lock unless `lock` (then it is
 * taken as a deploy takes it, and refused while another run holds it); without it, a held lock is only a warning.
 * A host where nothing is live stops the run before the command runs anywhere.
 */
async function exec_exec(ctx) {
    const request = ctx.exec;
    if (!request?.command.trim()) {
        throw new Error(ctx.surface === 'cli'
            ? 'exec needs the command to run after --, e.g. deploy-action exec production -- php artisan about'
            : 'command exec needs the command line to run in the `run` input');
    }
    const hosts = request.once ? ctx.config.hosts.slice(0, 1) : ctx.config.hosts;
    const run = { ...ctx, config: { ...ctx.config, hosts } };
    const lock = request.lock === true && !ctx.dryRun;
    const results = await withFleet(run, async (fleet) => {
        const facts = await (lock ? lockAndInspect(run, fleet) : fleet_run_inspect(run, fleet));
        refuseWhereNothingIsLive(run, fleet, facts);
        if (!lock)
            warnOfHeldLocks(run, fleet, facts, request.lock === true);
        if (ctx.dryRun) {
            ctx.report.details.push((0,report_document/* heading */.R_)('Plan (dry run: nothing was run)'), (0,report_document/* list */.p_)(fleet.members.map((m) => [
                `${m.host.name}: would run `,
                { code: (0,exec/* execLabel */.iz)(request.command) },
                ` in releases/${facts.get(m).live}`,
            ])));
            return [];
        }
        return runOnEach(run, fleet, facts, request.command, lock);
    });
    if (ctx.dryRun)
        return;
    ctx.report.exec = results;
    ctx.report.details.push((0,report_document/* heading */.R_)(['exec ', { code: (0,exec/* execLabel */.iz)(request.command) }]), execTable(results));
    const failed = results.filter((r) => r.exitCode !== 0);
    if (!failed.length)
        return;
    const how = (r) => (r.exitCode === null ? `not run: ${r.error ?? 'unknown'}` : `exit code ${r.exitCode}`);
    if (failed.length === 1) {
        const [f] = failed;
        const rest = results.length - 1;
        const others = rest ? ` (it succeeded on the other ${rest === 1 ? 'host' : `${rest} hosts`})` : '';
        const what = f.exitCode === null ? how(f) : `exited with code ${f.exitCode}${f.lastLine ? `: ${f.lastLine}` : ''}`;
        throw new failures/* HostFailure */.h(f.host, exec/* EXEC_STEP */.Rn, `${what}${others}`, f.tail ?? [], f.exitCode ?? undefined);
    }
    throw new failures/* FleetFailure */.Z(exec/* EXEC_STEP */.Rn, `the command failed on ${failed.length} of ${results.length} hosts: ${failed.map((r) => `${r.host} (${how(r)})`).join(', ')}`);
}
/** Nothing live on a host (no `current`): the command runs nowhere, and the message names every such host. */
function refuseWhereNothingIsLive(ctx, fleet, facts) {
    const empty = fleet.members.filter((m) => !facts.get(m).live);
    if (!empty.length)
        return;
    const [first, ...others] = empty;
    const also = others.length ? ` (nor on ${others.map((m) => m.host.name).join(', ')})` : '';
    const option = ctx.surface === 'cli' ? '--hosts' : 'the `hosts` input';
    throw new failures/* HostFailure */.h(first.host.name, exec/* EXEC_STEP */.Rn, `nothing is live there (no \`current\` release in ${first.host.deployPath})${also}: the command ran on no host. ` +
        `Deploy first, or leave ${empty.length > 1 ? 'those hosts' : 'that host'} out with ${option}.`);
}
/** Without `lock`, a lock another run holds is said, not waited for (a deploy may be changing the release). */
function warnOfHeldLocks(ctx, fleet, facts, wouldRefuse) {
    const option = ctx.surface === 'cli' ? '--lock' : '`lock: true`';
    for (const m of fleet.members) {
        const held = facts.get(m).lock;
        if (!held)
            continue;
        const holder = lockHolder(held);
        const who = holderName(holder) || 'another run';
        const then = wouldRefuse
            ? `exec with ${option} would refuse to run`
            : `exec neither waits for it nor takes it (with ${option} it refuses instead)`;
        (0,context/* warn */.R)(ctx, `${m.host.name}: the deploy lock is held by ${who}${holder.alive ? ' (its session is still running)' : ''}; ${then}`);
    }
}
/** The command on every host (at most max_parallel at once), each host's outcome whatever the others' was. */
async function runOnEach(ctx, fleet, facts, command, lock) {
    const c = ctx.config;
    const steps = (m) => {
        const f = facts.get(m);
        const sha = f.releases.find((r) => r.name === f.live)?.revision ?? '';
        const env = hookEnv(c, m.host, f.live, undefined, sha);
        // Under the lock, the phase ends with the unlock; a host where the command fails releases it as it aborts.
        return [(0,exec/* execStep */.i7)(command, env, c.hookTimeoutMs, lock), ...(lock ? [unlock()] : [])];
    };
    const settled = await fleet.phase(exec/* EXEC_STEP */.Rn, fleet.members, () => settleLimited(fleet.members, c.maxParallel, async (m) => {
        const t0 = Date.now();
        try {
            const results = await fleet.run(() => ({ name: exec/* EXEC_STEP */.Rn, steps: steps(m) }), undefined, { members: [m] });
            return { result: results.get(m), ms: Date.now() - t0 };
        }
        catch (error) {
            throw Object.assign(error instanceof Error ? error : new Error(String(error)), { ms: Date.now() - t0 });
        }
    }));
    if (ctx.signal.aborted)
        throw new errors/* Cancelled */.c();
    return fleet.members.map((m, i) => {
        const s = settled[i];
        const stepMs = ctx.report.hosts.get(m.host.name)?.find((r) => r.id === exec/* EXEC_STEP */.Rn)?.ms;
        if (s.status === 'fulfilled') {
            const tail = stepOf(s.value.result)?.tail ?? [];
            return outcome(m, 0, tail, stepMs ?? s.value.ms);
        }
        const error = s.reason;
        const ms = stepMs ?? error.ms ?? 0;
        // The command's own exit status (a failure of the session, or of the unlock after it, has none).
        if (error instanceof failures/* HostFailure */.h && error.step === (0,exec/* execLabel */.iz)(command) && error.rc !== undefined)
            return outcome(m, error.rc, error.tail, ms);
        const why = error instanceof failures/* HostFailure */.h ? error.message.replace(`${error.host}: ${error.step}: `, '') : error.message;
        return { ...outcome(m, null, [], ms), error: cutLine(why) };
    });
}
function stepOf(result) {
    return result?.steps.find((s) => s.id === exec/* EXEC_STEP */.Rn);
}
function outcome(m, exitCode, tail, ms) {
    const lastLine = cutLine([...tail].reverse().find((l) => l.trim() !== '') ?? '');
    return { host: m.host.name, ...(m.host.masked ? { masked: true } : {}), exitCode, ms, lastLine, tail: [...tail] };
}

;// CONCATENATED MODULE: ./src/remote/steps/copy-live.ts
/**
 * Fills the new release with a copy of the live one, on the host (redeploy): a real copy with modes and links
 * kept, never hard links, so a later write in one release cannot change another. Links are copied as links; the
 * path check that follows makes sure no configured path leads out through one.
 */
function copyLive() {
    return {
        id: 'copy',
        brief: true,
        label: 'copy live release',
        body: `[ -d "releases/$DA_LIVE" ] || { echo "error: the live release releases/$DA_LIVE is missing" >&2; exit 1; }
[ ! -L "releases/$DA_LIVE" ] || { echo "error: the live release releases/$DA_LIVE is a symlink to $(readlink -- "releases/$DA_LIVE"), not a release directory: deploy instead" >&2; exit 1; }
cp -a --reflink=auto -- "releases/$DA_LIVE/." "releases/$DA_RELEASE/"
if [ -f ".deploy/manifests/$DA_LIVE.gz" ]; then
  m=".deploy/manifests/$DA_RELEASE.gz"
  [ ! -L "$m" ] || rm -f -- "$m" # cp would write through a link planted there
  cp -- ".deploy/manifests/$DA_LIVE.gz" "$m"
fi
echo "copied releases/$DA_LIVE into releases/$DA_RELEASE"`,
    };
}

;// CONCATENATED MODULE: ./src/commands/redeploy.ts






/**
 * redeploy: a new release copied from the live one on each host (no build, no upload), then shared links,
 * writable dirs, deploy hooks and the switch as in a deploy. For when a shared `.env` or a server setting changed.
 */
async function redeploy(ctx) {
    const { report } = ctx;
    report.url = ctx.config.url;
    await withFleet(ctx, async (fleet) => {
        const facts = await (ctx.dryRun ? fleet_run_inspect(ctx, fleet) : lockAndInspect(ctx, fleet));
        const lives = new Set();
        for (const m of fleet.members) {
            const live = facts.get(m).live;
            if (!live)
                throw new failures/* HostFailure */.h(m.host.name, 'redeploy', 'no release is live here, so there is nothing to redeploy; run a deploy');
            lives.add(live);
        }
        if (lives.size > 1) {
            throw new failures/* FleetFailure */.Z('redeploy', `the hosts run different releases (${fleet.members.map((m) => `${m.host.name}: ${facts.get(m).live}`).join(', ')}); deploy to bring them together first`);
        }
        const live = [...lives][0];
        const revision = (m) => facts.get(m).releases.find((r) => r.name === live)?.revision ?? '';
        const name = chooseName(ctx, facts);
        const first = fleet.members[0];
        report.previous = live;
        report.sha = revision(first) || undefined;
        const source = {
            event: 'redeploy',
            fill: () => ({ steps: [copyLive()], vars: { DA_LIVE: live }, kind: 'copy' }),
            sha: revision,
        };
        const phases = releasePhases(ctx, facts, name, source);
        if (ctx.dryRun) {
            planReport(ctx, fleet, facts, phases, `a copy of the live release ${live}, made on each host`);
            return;
        }
        report.release = name;
        report.releasePath = `${first.host.deployPath}/releases/${name}`;
        await ctx.observer?.started({ release: name, previous: live, sha: report.sha });
        await runRelease(ctx, fleet, facts, phases);
    });
}

;// CONCATENATED MODULE: ./src/releases/rollback.ts


/**
 * The releases a plain rollback may go back to on one host, newest first: older than the live one, complete
 * (not failed, not partial), and not marked bad (rolled back from, or reverted).
 */
function rollbackCandidates(v) {
    if (!v.live)
        return [];
    const ordered = oldestFirst(v.dirs, v.history);
    const at = ordered.indexOf(v.live);
    if (at < 0)
        return [];
    const { failed, bad } = unusable(v.history);
    return ordered
        .slice(0, at)
        .filter((d) => !failed.has(d) && !bad.has(d) && !v.partial.has(d))
        .reverse();
}
/**
 * One target for every host, agreed before anything switches: the named release (which every host must have),
 * or the newest release that is a rollback candidate on every host.
 */
function chooseRollbackTarget(views, named) {
    if (named) {
        const lacking = views.filter((v) => !v.dirs.includes(named)).map((v) => v.host);
        if (lacking.length)
            return { error: `release ${named} does not exist on ${lacking.join(', ')}: nothing was changed` };
        const partial = views
            .filter((v) => v.partial.has(named) || unusable(v.history).failed.has(named))
            .map((v) => v.host);
        if (partial.length)
            return { error: `release ${named} never completed on ${partial.join(', ')} and cannot be made live` };
        if (views.every((v) => v.live === named))
            return { error: `release ${named} is already live on every host` };
        const warnings = views
            .filter((v) => unusable(v.history).bad.has(named))
            .map((v) => `${v.host}: release ${named} was marked bad earlier; making it live as asked`);
        return { target: named, warnings };
    }
    const lists = views.map((v) => ({ v, candidates: rollbackCandidates(v) }));
    const empty = lists.filter((l) => l.candidates.length === 0);
    if (empty.length === views.length || views.length === 0) {
        return { error: 'no release to roll back to: there is no earlier complete release that was not rolled back from' };
    }
    if (empty.length) {
        return { error: `no release to roll back to on ${empty.map((l) => l.v.host).join(', ')}: nothing was changed` };
    }
    const [first, ...rest] = lists;
    const target = first.candidates.find((c) => rest.every((l) => l.candidates.includes(c)));
    if (!target) {
        return {
            error: `the hosts have no rollback target in common (${lists.map((l) => `${l.v.host}: ${l.candidates.join(', ')}`).join('; ')}); name one with the release input`,
        };
    }
    return { target, warnings: [] };
}

;// CONCATENATED MODULE: ./src/commands/releases.ts






/** One host's releases, newest first, with the status a user needs to choose a rollback target. */
function releaseRows(f) {
    const { failed, bad } = unusable(f.history);
    const lives = latestLives(f.history);
    const previous = rollbackCandidates({
        host: '',
        dirs: f.dirs,
        history: f.history,
        live: f.live,
        partial: f.partial,
    })[0];
    return oldestFirst(f.dirs, f.history)
        .reverse()
        .map((name) => {
        const first = lives.find((h) => h.release === name && h.event !== 'revert');
        const dir = f.releases.find((r) => r.name === name);
        const status = name === f.live
            ? 'live'
            : f.partial.has(name)
                ? 'partial'
                : failed.has(name)
                    ? 'failed'
                    : bad.has(name)
                        ? 'bad'
                        : name === previous
                            ? 'previous'
                            : '';
        return {
            name,
            created: first?.at ? String(first.at) : dir?.mtime ? new Date(dir.mtime * 1000).toISOString() : '',
            commit: String(first?.sha || dir?.revision || ''),
            actor: String(first?.actor ?? ''),
            status,
        };
    });
}
/** releases: lists each host's releases in the job summary; hosts that disagree are flagged. */
async function releases(ctx) {
    await withFleet(ctx, async (fleet) => {
        const facts = await fleet_run_inspect(ctx, fleet);
        const out = [(0,report_document/* heading */.R_)('Releases')];
        const lives = new Set(fleet.members.map((m) => facts.get(m).live ?? '(none)'));
        const sets = new Set(fleet.members.map((m) => facts.get(m).dirs.slice().sort().join(',')));
        if (fleet.members.length > 1 && (lives.size > 1 || sets.size > 1)) {
            const what = lives.size > 1
                ? `different live releases (${fleet.members.map((m) => `${m.host.name}: ${facts.get(m).live ?? 'none'}`).join(', ')})`
                : 'different sets of releases';
            out.push((0,report_document/* warning */.$e)(`The hosts disagree: ${what}.`));
            (0,context/* warn */.R)(ctx, `the hosts disagree: ${what}`);
        }
        for (const m of fleet.members) {
            const f = facts.get(m);
            out.push((0,report_document/* heading */.R_)(m.host.name, 2));
            const rows = releaseRows(f);
            if (!rows.length) {
                out.push((0,report_document/* paragraph */.FY)(f.absent ? 'Nothing deployed yet.' : 'No releases.'));
                continue;
            }
            // Host text (checked by readInspect) stays plain here; each renderer escapes it for its medium.
            const cells = (r) => [
                r.status === 'live' ? { strong: r.name } : r.name,
                r.created,
                r.commit.slice(0, 12),
                r.actor,
                r.status === 'live' ? '🟢 live' : r.status,
            ];
            out.push((0,report_document/* table */.tp)(['Release', 'Created', 'Commit', 'Actor', 'Status'], rows.map(cells)));
        }
        const first = facts.get(fleet.members[0]);
        ctx.report.release = first.live;
        ctx.report.previous = releaseRows(first).find((r) => r.status === 'previous')?.name;
        ctx.report.releasePath = first.live ? `${fleet.members[0].host.deployPath}/releases/${first.live}` : undefined;
        ctx.report.url = ctx.config.url;
        ctx.report.details.push(...out);
    });
}

;// CONCATENATED MODULE: ./src/commands/rollback-hooks.ts



/**
 * A rollback's phases with the `rollback` hooks after each host's activate commands, in the same phase: they run
 * before the health check, and one that fails fails the host's activation (the rollout switches the switched hosts
 * back and runs their activate commands again; the rollback is not recorded). The switch back does not run them.
 */
function withRollbackHooks(c, phases) {
    if (c.rollback.length === 0)
        return phases;
    return {
        ...phases,
        activate(m) {
            const activate = phases.activate(m);
            // Those whose `on` picks this host; every one without `on`.
            const mine = c.rollback.filter((h) => !h.on || (0,src_config/* selectedBy */.B8)(h.on.items, m.host));
            if (mine.length === 0)
                return activate;
            const hooks = fenced((0,steps_hooks/* hookSteps */.LD)(mine, phases.env(m), steps_hooks/* AFTER_ROLLBACK */.EW, c.hookTimeoutMs));
            const own = activate?.steps ?? [];
            return {
                name: own.length ? 'activate' : 'rollback',
                vars: { ...phases.switch(m).vars, ...activate?.vars },
                steps: [...own, ...hooks],
                ...(own.length
                    ? {
                        parts: [
                            { name: 'activate', from: own[0].id },
                            { name: 'rollback', from: hooks[0].id },
                        ],
                    }
                    : {}),
            };
        },
    };
}

;// CONCATENATED MODULE: ./src/commands/rollback.ts











/** After a rollback that found no target: how to see what each host has, and how to name a release. */
function whatToDo(ctx) {
    return ctx.surface === 'cli'
        ? `Run \`deploy-action releases ${ctx.config.environment}\` to see what each host has, then name the release to make live with --release NAME`
        : 'Run the `releases` command to see what each host has, then name the release to make live in the `release:` input';
}
/**
 * rollback: every host agrees on one target (the named release, or the newest earlier complete release that was
 * not rolled back from) before any host switches; then all switch, and the release rolled back from is marked bad.
 */
async function rollback(ctx) {
    const { report } = ctx;
    report.url = ctx.config.url;
    await withFleet(ctx, async (fleet) => {
        const facts = await (ctx.dryRun ? fleet_run_inspect(ctx, fleet) : lockAndInspect(ctx, fleet));
        const views = fleet.members.map((m) => {
            const f = facts.get(m);
            return { host: m.host.name, dirs: f.dirs, history: f.history, live: f.live, partial: f.partial };
        });
        const choice = chooseRollbackTarget(views, ctx.releaseName);
        if ('error' in choice)
            throw new failures/* FleetFailure */.Z('rollback', `${choice.error}. ${whatToDo(ctx)}`);
        for (const w of choice.warnings)
            (0,context/* warn */.R)(ctx, w);
        const target = choice.target;
        const first = fleet.members[0];
        report.previous = facts.get(first).live;
        report.sha = facts.get(first).releases.find((r) => r.name === target)?.revision || undefined;
        if (ctx.dryRun) {
            report.details.push((0,report_document/* heading */.R_)('Plan (dry run: nothing was changed)'), (0,report_document/* list */.p_)(fleet.members.map((m) => `${m.host.name}: current would go from ${facts.get(m).live ?? 'nothing'} to ${target}; ${facts.get(m).live ?? 'the live release'} would be marked bad`)));
            return;
        }
        report.release = target;
        report.releasePath = `${first.host.deployPath}/releases/${target}`;
        await ctx.observer?.started({ release: target, previous: report.previous, sha: report.sha });
        const vars = { DA_RELEASE: target };
        const revision = (m) => facts.get(m).releases.find((r) => r.name === target)?.revision ?? '';
        // Hosts where the target is already live (a named rollback on a fleet that disagrees) stay as they are.
        const moving = fleet.members.filter((m) => facts.get(m).live !== target);
        const env = (m) => hookEnv(ctx.config, m.host, target, facts.get(m).live, revision(m));
        const phases = withRollbackHooks(ctx.config, switchPhases(ctx.config, facts, target, env));
        await rolloutRelease(ctx, fleet, phases, moving);
        // The history line marks the release rolled back from as bad; hosts that did not move only unlock.
        await fleet.run((m) => ({
            name: 'finish',
            vars,
            steps: [
                ...(moving.includes(m)
                    ? [
                        logHistory({
                            event: 'rollback',
                            release: target,
                            from: facts.get(m).live ?? null,
                            ...(0,run_info/* runRecord */.DW)(ctx.run),
                            sha: revision(m),
                        }),
                    ]
                    : []),
                unlock(),
            ],
        }));
        for (const m of fleet.members) {
            report.changes.push(moving.includes(m)
                ? `${m.host.name}: current → releases/${target} (was ${facts.get(m).live}, now marked bad)`
                : `${m.host.name}: releases/${target} was already live; left as it was`);
        }
    });
}

;// CONCATENATED MODULE: ./src/remote/steps/unlock-any.ts



/** One line of text for a record the host keeps: control characters become spaces. */
function oneLine(s) {
    return s.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}
/**
 * The unlock command: reports who holds the lock; refuses (`unlock refused`, status 0) when the holder's session
 * still runs on the host, unless forced; else leaves the holder a record of who removed its lock and when
 * (`.deploy/unlocked/<owner>`: time, who, URL; read by the holder's fenced steps, see da_lock_lost) and a history
 * line, undoes what the holder left unfinished when its session is gone (as its own post step would have), and
 * removes the lock. All of it under the fence (da_fence_lock), so the holder's switch or commit cannot be midway.
 * A live holder's work is not undone here: it stops at its next fenced step and undoes what is provably its own.
 */
function unlockAny(o) {
    return {
        id: 'unlock',
        brief: true,
        label: 'unlock',
        body: `forced=${o.force}\nby=${(0,quote.q)(oneLine(o.by))}\nurl=${(0,quote.q)(oneLine(o.url))}\n${sh/* UNLOCK_ANY_SH */.ow}`,
        // The holder's undo puts back the files it changed (see steps/files.ts).
        lib: STAGE_UNDO_LIB,
    };
}

;// CONCATENATED MODULE: ./src/commands/unlock.ts








/**
 * unlock: removes the deploy lock on every host and reports whose it was and how old it was. A lock whose session
 * still runs on its host is left in place unless `force` is set (the command then fails, naming that run); a forced
 * unlock makes that run stop at its next step, changing nothing more. A dry run only reports the locks (the inspect
 * step reads them without touching anything).
 */
async function unlock_unlock(ctx) {
    await withFleet(ctx, async (fleet) => {
        const me = lockHolder(new Map([[LOCK_INFO, [JSON.stringify((0,run_info/* lockRecord */.pP)(ctx.run))]]]));
        const step = ctx.dryRun
            ? inspect({ detectHttpUser: false })
            : unlockAny({ force: !!ctx.force, by: holderName(me) || 'an unknown operator', url: ctx.run.runUrl });
        // A dead holder's work is undone here: its maintenance too, where it had turned maintenance on.
        const results = await fleet.run((m) => readyForOff(ctx.config, m.host, 'unlock', [step]));
        if (ctx.dryRun)
            ctx.report.changes.push('dry run: no lock was removed');
        const refused = [];
        for (const m of fleet.members) {
            const r = results.get(m);
            const lock = readInspect(r).lock;
            if (!lock) {
                ctx.report.changes.push(`${m.host.name}: there was no deploy lock`);
                continue;
            }
            const holder = lockHolder(lock);
            const kept = r.data.get('unlock')?.[0] === 'refused';
            if (kept)
                refused.push({ host: m.host.name, holder });
            const verb = ctx.dryRun ? 'would remove' : kept ? 'left in place' : 'removed';
            const age = holder.since ? ageOf(holder.since) : 'unknown age';
            ctx.report.changes.push(`${m.host.name}: ${verb} the lock of ${nameOf(holder)}, taken ${holder.since ?? '?'} (${age} old)` +
                `${holder.info['run_url'] ? `, ${String(holder.info['run_url'])}` : ''}; its session was ${holder.alive ? 'STILL RUNNING' : 'no longer running'}`);
            if (holder.alive && !ctx.dryRun && !kept) {
                (0,context/* warn */.R)(ctx, `${m.host.name}: removed the lock of ${nameOf(holder)} while its session still runs (forced): that run stops at its next step and changes nothing more (a hook already running finishes first)`);
            }
        }
        if (refused.length) {
            const { host, holder } = refused[0];
            const others = refused.length > 1
                ? ` (and on ${refused
                    .slice(1)
                    .map((r) => r.host)
                    .join(', ')})`
                : '';
            throw new failures/* HostFailure */.h(host, 'unlock', `the lock is held by ${nameOf(holder)}${holder.info['run_url'] ? ` (${String(holder.info['run_url'])})` : ''}, whose session is still running on the host${others}: ` +
                'the lock was left in place. Wait for that run to end, or cancel it; to remove the lock anyway, set `force: true` (CLI: --force): ' +
                'that run then stops at its next step and changes nothing more (a hook it is running finishes first).');
        }
    });
}
function nameOf(holder) {
    return holderName(holder) || (holder.unreadable ? 'an unknown holder (unreadable lock record)' : 'an unknown holder');
}
function ageOf(iso) {
    const ms = Date.now() - Date.parse(iso);
    if (!Number.isFinite(ms))
        return 'unknown age';
    const min = Math.round(ms / 60000);
    return min < 60 ? `${min} min` : min < 2880 ? `${Math.round(min / 60)} h` : `${Math.round(min / 1440)} days`;
}

;// CONCATENATED MODULE: ./src/remote/steps/stage-rerun.ts



/** What a host reports when it kept this run's hold: the hold's new expiry. */
const STAGE_KEPT = 'stage-kept';
/**
 * A stage's lock step, for a re-run ("Re-run all jobs": the same run id, a later attempt): where the host already
 * holds `name` staged by this run (the same repository and run id in the lock's record and in the stage record, both
 * written by the hold under the fence), whole and not expired, it keeps that hold and pushes its expiry back
 * (`stage-kept`); anywhere else it is the lock step it wraps. Without a run id there is no run to be the same as.
 */
function stageRerunLock(lock, o) {
    if (!o.runId)
        return lock;
    const vars = `rname=${(0,quote.q)(o.name)}\nrepo=${(0,quote.q)(o.repository)}\nrunid=${(0,quote.q)(o.runId)}\nttl=${(0,quote.q)(Math.floor(o.ttlSeconds))}`;
    return { ...lock, body: `${vars}\n${sh/* STAGE_RERUN_SH */._l}${lock.body}`, lib: [...(lock.lib ?? []), sh/* STAGE_SH */.RU] };
}
/** The new expiry where the host kept this run's hold, else undefined. */
function keptUntil(result) {
    const at = (0,remote_data/* singleValues */.rc)(result ?? { data: new Map() }, [], [STAGE_KEPT])(STAGE_KEPT);
    return /^[0-9TZ:.+-]{1,40}$/.test(at) ? at : undefined;
}

;// CONCATENATED MODULE: ./src/commands/stage-rerun.ts









/**
 * The name a stage asks for before it reads the hosts (the one a re-run of the same run finds held): `release-name`,
 * else `run-<GITHUB_RUN_ID>`; none for a run without a run id (a CLI run), which is never a re-run.
 */
function rerunName(ctx) {
    if (!ctx.run.runId)
        return undefined;
    return ctx.releaseName || `run-${ctx.run.runId}`;
}
/**
 * A stage's first phase (prepare, lock, inspect), where the lock step first keeps a hold of `name` that this run
 * already made (a re-run of a stage that succeeded: see steps/stage-rerun.ts). Returns every host's facts and the
 * hosts that kept their hold, with its new expiry. A host held by anyone else refuses, naming the holder and expiry.
 */
async function lockOrKeep(ctx, fleet, name, offerBaseFrom) {
    const c = ctx.config;
    const info = (0,run_info/* lockInfoMembers */.LF)(ctx.run);
    const plain = lock(info);
    const locking = name
        ? stageRerunLock(plain, {
            name,
            repository: ctx.run.repository,
            runId: ctx.run.runId,
            ttlSeconds: c.stageTtlMs / 1000,
        })
        : plain;
    const detectHttpUser = !c.httpUser && needsHttpUser(c.writableMode) && c.writableDirs.length > 0;
    try {
        const read = inspect({ detectHttpUser, offerBaseFrom });
        // A hold this run did not make stops the lock step; those hosts are asked again with the hold's undo, which
        // discards an expired hold and refuses a live one (steps/lock.ts).
        const results = await runAtHold(fleet, [prepare(), locking, read], [lock(info, { reclaim: true }), read]);
        const facts = new Map();
        const kept = new Map();
        for (const [m, r] of results) {
            const f = readInspect(r);
            reportInvalid(ctx, m.host.name, f.invalid);
            facts.set(m, f);
            const until = keptUntil(r);
            if (until)
                kept.set(m, until);
        }
        return { facts, kept };
    }
    catch (error) {
        if (error instanceof failures/* HostFailure */.h && error.rc === LOCK_HELD) {
            const held = describeHeldLock(error.data, c.environment, ctx.surface);
            throw new failures/* HostFailure */.h(error.host, 'lock', `${held}${sameRunOtherName(ctx, error.data)}`);
        }
        throw error;
    }
}
/** The same fleet seen as only `members` (the hosts a re-run still stages); sessions and abort stay the fleet's. */
function onlyMembers(fleet, members) {
    if (members.length === fleet.members.length)
        return fleet;
    return Object.create(fleet, { members: { value: members } });
}
/** A hold this same run made under another name: a run stages one release, so it is named, with what to do. */
function sameRunOtherName(ctx, data) {
    const { info } = lockHolder(data);
    const name = info['stage'];
    if (!ctx.run.runId || typeof name !== 'string')
        return '';
    if (info['run_id'] !== ctx.run.runId || info['repository'] !== ctx.run.repository)
        return '';
    return ` This run already staged ${name} there: a run stages one release; switch or discard ${name}, or stage with \`release-name: ${name}\`.`;
}

;// CONCATENATED MODULE: ./src/commands/stage.ts














/**
 * The name every job of one run stages: `release-name` when given, else `run-<GITHUB_RUN_ID>` (the run, not the
 * attempt: a re-run of one failed shard stages the same name), else (a CLI run) a fresh timestamp name. A run-derived
 * name that exists as a directory on a host is refused; one the history names only as failed is free again.
 */
function stageName(ctx, facts) {
    if (ctx.releaseName || !ctx.run.runId)
        return chooseName(ctx, facts);
    const name = (0,releases_name/* checkReleaseName */.v4)(`run-${ctx.run.runId}`, 'GITHUB_RUN_ID');
    for (const [m, f] of facts) {
        if (f.dirs.includes(name) || (f.history.some((h) => h.release === name) && !endedFailed(f.history, name)))
            throw new failures/* HostFailure */.h(m.host.name, 'release', `a release named "${name}" (this run's) already exists there: it was staged or deployed by an earlier attempt. Switch it, or discard it first`);
    }
    return name;
}
/**
 * stage: everything a deploy does up to and including the deploy hooks, on the selected hosts; then each host's
 * lock passes to the staged release itself (see steps/stage.ts), which holds it until `switch`, `discard`, or its
 * expiry (`stage_ttl`). Nothing is switched. Maintenance is never wrapped around a stage.
 */
async function stage(ctx) {
    const { config, run, report } = ctx;
    const sctx = { ...ctx, maintenance: false };
    report.sha = run.sha;
    if (config.hosts.length === 0) {
        // A shard of a fleet smaller than the shard count holds no host: nothing to build or stage, but the job still
        // names the run's release, as every other shard does, for the switch.
        report.release = stageName(ctx, new Map());
        ctx.log.info(`this shard holds no host of ${config.environment}: nothing to stage`);
        return;
    }
    const tree = await report.time('build', 'build', () => runBuild(config, ctx.source, ctx.log));
    await Fleet.warm(config.hosts, config.maxParallel);
    const describing = report.time('describe', 'manifest', () => describeBuild(tree, ctx.log));
    describing.catch(() => undefined);
    try {
        ctx.signal.throwIfAborted();
        await withFleet(ctx, async (whole) => {
            const offer = config.fullUpload ? undefined : config.keepReleases;
            const asked = rerunName(ctx);
            const [read, built] = await Promise.all([lockOrKeep(ctx, whole, asked, offer), describing]);
            const { kept } = read;
            for (const [m, until] of kept)
                report.changes.push(`${m.host.name}: already staged releases/${asked} by this run: kept, held until ${until}`);
            const fleet = onlyMembers(whole, whole.members.filter((m) => !kept.has(m)));
            const facts = new Map([...read.facts].filter(([m]) => !kept.has(m)));
            if (fleet.members.length === 0) {
                report.release = asked;
                report.previous = read.facts.get(whole.members[0]).live;
                return;
            }
            const name = stageName(ctx, facts);
            if (kept.size && name !== asked)
                throw new failures/* HostFailure */.h(fleet.members[0].host.name, 'release', `this run's release is ${asked} (kept where already staged), but ${name} would be staged here`);
            const first = fleet.members[0];
            report.release = name;
            report.previous = facts.get(first).live;
            report.releasePath = `${first.host.deployPath}/releases/${name}`;
            const source = await buildSource(config, run.sha, fleet, facts, name, built, (text) => (0,context/* warn */.R)(ctx, text));
            const phases = releasePhases(sctx, facts, name, source);
            const staging = await stageAndHooks(sctx, fleet, phases, false);
            recordHookOutputs(ctx, staging);
            const again = fleet.members.filter((m) => staging.get(m)?.stopped);
            await restage(sctx, fleet, phases, again, staging);
            ctx.signal.throwIfAborted();
            await holdAll(ctx, fleet, name);
            for (const m of fleet.members)
                report.changes.push(`${m.host.name}: staged releases/${name} (held for the switch; current unchanged)`);
        });
    }
    finally {
        await tree.scratch.dispose();
    }
}
/**
 * The hold on every host. A cancel that comes while it runs does not cut it on a host (see sh/stage-hold.sh): those
 * hosts keep the staged release, held, until `discard` or its expiry; the log says so.
 */
async function holdAll(ctx, fleet, name) {
    const { config, run } = ctx;
    const hold = holdStage({
        ttlSeconds: config.stageTtlMs / 1000,
        info: (0,run_info/* lockInfoMembers */.LF)(run),
        preview: config.previewLink ?? '',
    });
    try {
        await fleet.run(() => ({ name: 'hold', vars: { DA_RELEASE: name }, steps: [hold] }));
    }
    catch (error) {
        if (ctx.signal.aborted)
            (0,context/* warn */.R)(ctx, `the run was cancelled while the hosts took the hold of ${name}: a host that had begun it keeps ${name} staged and held until discard (\`command: discard\`, \`release: ${name}\`) or its expiry`);
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/commands/switch-failure.ts

/**
 * What a switch that failed after taking hosts over left, added to its error: each host it had taken over undid the
 * staged release as a failed deploy undoes its own (switched back, the release, its hold, stage record and preview
 * link removed, the `files:` content put back), so the release must be staged again before a switch. It is not
 * handed back to the stage: its activate commands may have run, and a cancelled or lost switch is undone by the
 * hosts themselves, where no hand-back could be decided; one outcome for every way a switch fails.
 */
function afterFailedSwitch(ctx, name, error) {
    if (!(error instanceof failures/* HostFailure */.h))
        return error;
    const hosts = ctx.config.hosts.map((h) => h.name);
    const takeOver = (h) => ctx.report.hosts.get(h)?.find((r) => r.id === 'take-over')?.status;
    const taken = hosts.filter((h) => takeOver(h) === 'ok');
    if (!taken.length)
        return error;
    const undone = taken.filter((h) => ctx.report.undone.get(h));
    const unconfirmed = taken.filter((h) => !ctx.report.undone.get(h));
    // A host whose take-over refused (its stage gone, another hold, expired) is not claimed still staged: its error says.
    const refused = hosts.filter((h) => takeOver(h) === 'failed');
    const held = hosts.filter((h) => !taken.includes(h) && !refused.includes(h));
    const parts = [];
    if (!unconfirmed.length && !held.length && !refused.length)
        parts.push(`every host is back on its previous release and the staged release ${name} was discarded on every host, as a failed deploy's release is`);
    else {
        if (undone.length)
            parts.push(`the staged release ${name} was discarded on ${undone.join(', ')}`);
        if (unconfirmed.length)
            parts.push(`${unconfirmed.join(', ')} did not confirm its undo (the post step finishes it, or run unlock)`);
        if (held.length)
            parts.push(`it is still staged on ${held.join(', ')} (run discard)`);
        const others = refused.filter((h) => h !== error.host);
        if (others.length)
            parts.push(`${others.join(', ')} refused the take-over too (see each host's error)`);
    }
    const next = 'fix the cause, then stage again (a re-run of the stage job stages the same name) and switch';
    const message = error.message.replace(`${error.host}: ${error.step}: `, '');
    const failure = new failures/* HostFailure */.h(error.host, error.step, `${message}; ${parts.join('; ')}: ${next}`, error.tail, error.rc, error.data);
    failure.cleanedUp = error.cleanedUp;
    return failure;
}

;// CONCATENATED MODULE: ./src/commands/switch.ts















const WHY = {
    none: 'nothing is staged there',
    other: 'another release is staged there',
    unheld: 'its stage record is there, but the deploy lock is not held by that stage',
    expired: 'its stage expired',
    far: "its hold's expiry is further ahead than any stage_ttl allows (30 days): treated as expired",
    notdir: 'its release directory is a symlink or not a directory (never followed)',
    unknown: 'the host did not say whether it is staged',
};
/** The release named by the `release` input (CLI --release) that switch and discard act on. */
function stagedName(ctx, command) {
    if (!ctx.releaseName)
        throw new Error(`${command} needs the staged release's name: ${ctx.surface === 'cli' ? '--release NAME' : "the `release` input (the stage job's `release` output)"}`);
    return (0,releases_name/* checkReleaseName */.v4)(ctx.releaseName, ctx.surface === 'cli' ? '--release' : 'input release');
}
/**
 * switch: on every host, checks that the release is staged, held by its stage, unexpired and there; then (only when
 * every host says so) takes each host's lock over from the stage, rolls out as a deploy does (strategy, batches,
 * activate, health checks, switch back on failure), writes history, cleans up and unlocks. A failure after the
 * take-over undoes the release as a failed deploy would (see switch-failure.ts), and its error says so.
 */
async function switchRelease(ctx) {
    const name = stagedName(ctx, 'switch');
    ctx.report.release = name;
    ctx.report.url = ctx.config.url;
    await withFleet(ctx, (fleet) => switchFleet(ctx, fleet, name)).catch((error) => {
        throw afterFailedSwitch(ctx, name, error);
    });
}
async function switchFleet(ctx, fleet, name) {
    const c = ctx.config;
    const facts = await checkStaged(ctx, fleet, name);
    const first = fleet.members[0];
    ctx.report.previous = facts.get(first).live;
    ctx.report.releasePath = `${first.host.deployPath}/releases/${name}`;
    const vars = { DA_RELEASE: name };
    await fleet.run(() => ({ name: 'take over', vars, steps: [takeStage((0,run_info/* lockInfoMembers */.LF)(ctx.run))] }));
    const revision = (m) => facts.get(m).releases.find((r) => r.name === name)?.revision ?? '';
    ctx.report.sha = revision(first) || undefined;
    await ctx.observer?.started({ release: name, previous: ctx.report.previous, sha: ctx.report.sha ?? '' });
    const env = (m) => hookEnv(c, m.host, name, facts.get(m).live, revision(m));
    const back = (m) => hookEnv(c, m.host, facts.get(m).live ?? '', undefined, revision(m));
    await rolloutRelease(ctx, fleet, switchPhases(c, facts, name, env, back));
    const removed = (m) => {
        const f = facts.get(m);
        return releasesToRemove({
            dirs: f.dirs,
            history: [...f.history, { event: 'deploy', release: name }],
            keep: c.keepReleases,
            live: name,
        }).filter((d) => !f.partial.has(d));
    };
    await fleet.run((m) => ({
        name: 'finish',
        vars,
        steps: [
            logHistory({
                event: 'deploy',
                release: name,
                previous: facts.get(m).live ?? null,
                ...(0,run_info/* runRecord */.DW)(ctx.run),
                sha: revision(m),
                staged: true,
            }),
            ...fenced([cleanup(removed(m))]),
            unlock(),
        ],
    }));
    for (const m of fleet.members)
        ctx.report.changes.push(`${m.host.name}: current → releases/${name} (was ${facts.get(m).live ?? 'nothing'}; staged)` +
            (removed(m).length ? `; removed old releases ${removed(m).join(', ')}` : ''));
}
/** Reads every host and whether `name` is staged there; refuses (nothing changed) unless it is on every host. */
async function checkStaged(ctx, fleet, name) {
    const results = await fleet.run(() => ({
        name: 'inspect',
        vars: { DA_RELEASE: name },
        steps: [inspect({ detectHttpUser: false }), stageCheck()],
    }));
    const facts = new Map();
    const refused = [];
    for (const [m, r] of results) {
        const f = readInspect(r);
        reportInvalid(ctx, m.host.name, f.invalid);
        facts.set(m, f);
        const s = stageState(r);
        if (s.state !== 'ok')
            refused.push(`${m.host.name}: ${s.state === 'far' && s.expiresAt ? WHY.far.replace('expiry', `expiry ${s.expiresAt}`) : WHY[s.state]}${s.state === 'expired' && s.expiresAt ? ` at ${s.expiresAt}` : ''}`);
        else if (!f.dirs.includes(name))
            refused.push(`${m.host.name}: releases/${name} is missing`);
    }
    if (refused.length)
        throw new failures/* FleetFailure */.Z('switch', `${name} is not staged on every host, so nothing was switched anywhere: ${refused.join('; ')}. Stage it there (or discard it and stage again)`);
    return facts;
}

;// CONCATENATED MODULE: ./src/commands/discard.ts



/**
 * discard: on every host where the release is staged and held, removes it (never the live release), its record, its
 * preview link and its hold. A host without it says "nothing staged". Run it as an `if: failure() || cancelled()` job.
 */
async function discard(ctx) {
    const name = stagedName(ctx, 'discard');
    ctx.report.release = name;
    await withFleet(ctx, async (fleet) => {
        const results = await fleet.run(() => ({ name: 'discard', vars: { DA_RELEASE: name }, steps: [discardStage()] }));
        for (const m of fleet.members)
            ctx.report.changes.push(discarded(results.get(m))
                ? `${m.host.name}: discarded the staged release ${name}`
                : `${m.host.name}: nothing staged (${name} is not held there)`);
    });
}

;// CONCATENATED MODULE: ./src/commands/index.ts
















const COMMANDS = {
    deploy: deploy,
    redeploy: redeploy,
    rollback: rollback,
    unlock: unlock_unlock,
    releases: releases,
    doctor: doctor_doctor,
    exec: exec_exec,
    maintenance: maintenance,
    stage: stage,
    switch: switchRelease,
    discard: discard,
};
/**
 * Whether a command runs hooks (build, deploy, activate, a health check command) and so needs `env` with its
 * `${NAME}` values: deploy, redeploy, rollback (activate, its rollback hooks) and exec, never in a dry run. The others (releases,
 * unlock, every dry run) load the config without expanding `env`: an emergency unlock needs no database password.
 */
function runsHooks(name, dryRun) {
    return (!dryRun && ['deploy', 'redeploy', 'rollback', 'exec', 'maintenance', 'stage', 'switch'].includes(name));
}
async function runCommand(name, ctx) {
    if (runsHooks(name, ctx.dryRun) && ctx.config.envSkipped) {
        throw new Error(`internal error: ${name} runs hooks, but the config was loaded without expanding env`);
    }
    // A dry run needs no env, but says what the real run would refuse.
    if (runsHooks(name, false)) {
        for (const p of ctx.config.envSkipped?.unset ?? [])
            (0,context/* warn */.R)(ctx, `${(0,src_config/* formatProblem */.Vw)(p)} (a dry run does not need it; ${name} would refuse to run)`);
    }
    // Stage, switch and discard change hosts with no plan to show: a dry run is refused, not run for real.
    if (ctx.dryRun && (name === 'stage' || name === 'switch' || name === 'discard'))
        throw new Error(`${name} has no dry run (nothing was changed): a deploy's dry run shows what a stage would ship`);
    // A bad name for a new release stops the run before any host is connected to, locked or changed.
    if (ctx.releaseName && (name === 'deploy' || name === 'redeploy' || name === 'stage'))
        (0,releases_name/* checkReleaseName */.v4)(ctx.releaseName, 'release-name');
    // A `once` hook (a migration) whose hosts the `hosts` selection leaves out stops the run here too.
    if (name === 'deploy' || name === 'redeploy' || name === 'stage')
        checkHookHosts(ctx.config);
    // Maintenance asked for without `maintenance:` in the config: refused before any host is reached.
    if (name === 'deploy' || name === 'redeploy')
        deployMaintenance(ctx);
    ctx.report.begin(ctx.config.hosts.map((h) => h.name), ctx.dryRun);
    Fleet.preload(ctx.config.hosts);
    try {
        await COMMANDS[name](ctx);
    }
    catch (error) {
        await ctx.observer?.finished(ctx.report, error);
        throw error;
    }
    await ctx.observer?.finished(ctx.report);
}


/***/ }),

/***/ 1138:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  xL: () => (/* reexport */ ConfigError),
  Vw: () => (/* reexport */ formatProblem),
  PP: () => (/* reexport */ hookHosts),
  UR: () => (/* reexport */ hookLabel),
  H: () => (/* reexport */ hopName),
  y1: () => (/* reexport */ hostEnv),
  Z9: () => (/* reexport */ loadConfig),
  nn: () => (/* reexport */ parseHostSpec),
  RI: () => (/* reexport */ routeText),
  oY: () => (/* reexport */ secretPieces),
  B8: () => (/* reexport */ selectedBy),
  DA: () => (/* reexport */ selectorFor)
});

// UNUSED EXPORTS: DEPLOY_HOOK_KEYS, ENVIRONMENT_KEYS, HEALTHCHECK_KEYS, HOOK_KEYS, HOST_ENTRY_KEYS, HOST_PLACEHOLDER, MAX_ALIAS_COUNT, MAX_HEALTHCHECK_WAIT_MS, STRATEGIES, TOP_LEVEL_KEYS, TOP_LEVEL_ONLY_KEYS, WRITABLE_MODES, couldBeSecret, hostDisplayName, parseDuration, toJsonSchema

;// CONCATENATED MODULE: ./src/config/errors.ts
/** Config problems: where they are, what is wrong, and the one error type bad input may raise. */
/** `deploy.yml:12:5: environments.production.keep_releases: must be an integer >= 1 (got 0)` */
function formatProblem(p) {
    const where = `${p.file}:${p.line}:${p.column}`;
    return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}
/** The only error thrown for bad configuration input. Carries every problem found, not just the first. */
class ConfigError extends Error {
    problems;
    constructor(problems) {
        super(problems.map(formatProblem).join('\n'));
        this.name = 'ConfigError';
        this.problems = problems;
    }
}
/** Longest quoted value a message repeats in full; longer ones are cut (a 100 KB value must not flood the log). */
const MAX_QUOTED = 80;
const MAX_MESSAGE = 1000;
/** Cuts long quoted values (`"xxxx…" (100000 characters)`) and, failing that, the message itself. */
function shorten(message) {
    const cut = message.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => quoted.length <= MAX_QUOTED + 2 ? quoted : `${quoted.slice(0, MAX_QUOTED + 1)}…" (${quoted.length - 2} characters)`);
    return cut.length <= MAX_MESSAGE ? cut : `${cut.slice(0, MAX_MESSAGE)}… (message cut)`;
}
/** Collects problems, dropping exact repeats (a top-level default is checked once per environment). */
class Problems {
    seen = new Set();
    list = [];
    add(position, path, message) {
        const problem = { ...position, path, message: shorten(message) };
        const id = formatProblem(problem);
        if (this.seen.has(id))
            return;
        this.seen.add(id);
        this.list.push(problem);
    }
    get empty() {
        return this.list.length === 0;
    }
    /** Throws a ConfigError with the problems in file order, if there are any. */
    throwIfAny() {
        if (this.empty)
            return;
        const sorted = [...this.list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
        throw new ConfigError(sorted);
    }
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __nccwpck_require__(8815);
;// CONCATENATED MODULE: ./src/config/cursor.ts
/** Walking the YAML AST: a cursor knows the file, the key path and how to turn a node into a position. */

class Cursor {
    source;
    path;
    keyNode;
    constructor(source, path, 
    /** The key of the value at `path` as written, when the value was reached through a mapping key. */
    keyNode) {
        this.source = source;
        this.path = path;
        this.keyNode = keyNode;
    }
    /** Where the key of the value at `path` is written (found when asked: few messages need it). */
    get keyPosition() {
        return this.keyNode === undefined ? undefined : this.position(this.keyNode);
    }
    /** `environments` → `environments.production`; numbers become `hosts[1]`. `keyNode` is the key as written. */
    child(key, keyNode) {
        if (typeof key === 'number')
            return new Cursor(this.source, `${this.path}[${key}]`);
        return new Cursor(this.source, this.path ? `${this.path}.${key}` : key, keyNode);
    }
    /** 1-based position of a node (start of the file for a missing node). */
    position(node) {
        const offset = isNodeWithRange(node) ? node.range[0] : 0;
        const { line, col } = this.source.lineCounter.linePos(offset);
        return { file: this.source.file, line, column: col };
    }
    problem(node, message) {
        this.problemAt(this.position(node), message);
        return undefined;
    }
    problemAt(position, message) {
        this.source.problems.add(position, this.path, message);
        return undefined;
    }
    located(value, node) {
        return { value, position: this.position(node), path: this.path };
    }
    /** Follows an alias to its anchored node (the document has already passed the alias-count check). */
    resolve(node) {
        if ((0,dist/* isAlias */.Vj)(node))
            return node.resolve(this.source.doc) ?? null;
        return node;
    }
}
function isNodeWithRange(node) {
    return ((0,dist/* isScalar */.jn)(node) || (0,dist/* isMap */.jh)(node) || (0,dist/* isSeq */.oP)(node) || (0,dist/* isAlias */.Vj)(node)) && Array.isArray(node.range);
}
/** `a list`, `a mapping`, `nothing`, `"text"`, `5` — for "(got …)" in messages. */
function describeNode(node) {
    if ((0,dist/* isMap */.jh)(node))
        return 'a mapping';
    if ((0,dist/* isSeq */.oP)(node))
        return 'a list';
    if ((0,dist/* isScalar */.jn)(node)) {
        if (node.value === null || node.value === undefined)
            return 'nothing';
        if (typeof node.value === 'string')
            return JSON.stringify(node.value);
        return node.source ?? String(node.value);
    }
    return node === null || node === undefined ? 'nothing' : 'an unsupported value';
}

;// CONCATENATED MODULE: ./src/config/suggest.ts
/** "Did you mean …?" for unknown keys. */
/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a, b) {
    const rows = a.length + 1;
    const cols = b.length + 1;
    const d = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i < rows; i++) {
        for (let j = 1; j < cols; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let best = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                best = Math.min(best, d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    return d[rows - 1][cols - 1];
}
/** `sharedDirs`, `Shared-Dirs` and `shared_dirs` all fold to `shareddirs`. */
function fold(key) {
    return key.toLowerCase().replace(/[-_\s]/g, '');
}
/** The closest known key to `unknown`, if it is close enough to be a likely typo. */
function suggestKey(unknown, known) {
    const folded = fold(unknown);
    const variant = known.find((k) => fold(k) === folded);
    if (variant !== undefined)
        return variant;
    let best;
    let bestDistance = Infinity;
    for (const candidate of known) {
        const distance = editDistance(unknown.toLowerCase(), candidate);
        if (distance <= 2 && distance < unknown.length && distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

;// CONCATENATED MODULE: ./src/config/missing.ts
/** A config file that is not there: the directory searched, a near name found there, and how to point at the file. */



/** Entries of the searched directory looked at (a huge directory is not read to its end for a suggestion). */
const MAX_ENTRIES = 2000;
/** Subdirectories looked into for the file under its own name (`deploy/deploy.yml`). */
const MAX_SUBDIRS = 200;
/** `Deploy.YAML`, `.deploy.yml` and `deploy.yml` fold alike. */
function missing_fold(name) {
    return name
        .toLowerCase()
        .replace(/^\.+/, '')
        .replace(/\.yaml$/, '.yml');
}
const isYaml = (name) => /\.ya?ml$/i.test(name);
/** The same name with the other YAML extension (`deploy.yaml` for `deploy.yml`), or none. */
function otherExtension(name) {
    if (/\.yml$/i.test(name))
        return name.replace(/\.yml$/i, '.yaml');
    if (/\.yaml$/i.test(name))
        return name.replace(/\.yaml$/i, '.yml');
    return undefined;
}
function entries(dir) {
    try {
        return (0,external_node_fs_.readdirSync)(dir, { withFileTypes: true }).slice(0, MAX_ENTRIES);
    }
    catch {
        return undefined;
    }
}
/**
 * A file in `dir` (or one directory down) that is probably the one meant by `name`: the other YAML extension, a
 * difference of case or a leading dot, a typo of at most two characters, or the same name in a subdirectory.
 * Relative to `dir`; undefined when nothing is close.
 */
function nearConfigName(dir, name, list = entries(dir)) {
    if (!list)
        return undefined;
    const files = list.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
    const same = files.find((f) => f !== name && missing_fold(f) === missing_fold(name));
    if (same)
        return same;
    const typo = files
        .filter((f) => f !== name && isYaml(f) && editDistance(missing_fold(f), missing_fold(name)) <= 2)
        .sort((a, b) => editDistance(missing_fold(a), missing_fold(name)) - editDistance(missing_fold(b), missing_fold(name)) || a.localeCompare(b))[0];
    if (typo)
        return typo;
    const dirs = list
        .filter((e) => e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git')
        .slice(0, MAX_SUBDIRS);
    const names = [name, otherExtension(name)].filter((n) => n !== undefined);
    for (const d of dirs) {
        const found = names.find((n) => (0,external_node_fs_.existsSync)((0,external_node_path_.join)(dir, d.name, n)));
        if (found)
            return `${d.name}/${found}`;
    }
    return undefined;
}
/**
 * Why there is no config and what to do, for `file` as the user gave it: the directory searched (absolute), a
 * near name there if any, and how to name the file (the action's `config` input after a checkout, the CLI's
 * `--config`).
 */
function missingConfigMessage(file, surface = 'action') {
    const dir = (0,external_node_path_.dirname)((0,external_node_path_.resolve)(file));
    const name = (0,external_node_path_.basename)(file);
    const list = entries(dir);
    if (!list) {
        const where = `the directory ${dir} does not exist`;
        return surface === 'cli'
            ? `${where}; pass --config FILE with the path of the deploy config`
            : `${where}: is the repository checked out (actions/checkout in a step before this one)? Or set the \`config\` input to the file's path in the workspace`;
    }
    const near = nearConfigName(dir, name, list);
    const missing = `no ${name} in ${dir}`;
    if (near) {
        const path = (0,external_node_path_.join)((0,external_node_path_.dirname)(file), near);
        return surface === 'cli'
            ? `${missing}; did you mean ${near}? Pass --config ${path}`
            : `${missing}; did you mean ${near} (in that directory)? Set the \`config\` input to its path in the workspace, or rename the file`;
    }
    return surface === 'cli'
        ? `${missing}; run from the directory that holds it, or pass --config FILE`
        : `${missing}: is the repository checked out (actions/checkout in a step before this one)? If the file has another name or place, set the \`config\` input to its path in the workspace`;
}

;// CONCATENATED MODULE: ./src/config/expand.ts
/**
 * `${NAME}` expansion in env values: `$${NAME}` is a literal `${NAME}`; unset variables are errors; variables
 * internal to the GitHub Actions runner are refused whether set or not (they must never reach a host).
 */
const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g;
/** Where `${NAME}` values come from, as the action's messages name it; the CLI names its own (see LoadConfigOptions). */
const STEP_ENVIRONMENT = "the step's environment";
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Runner-internal prefixes: the runner's own credentials and endpoints (`ACTIONS_RUNTIME_TOKEN`,
 * `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, `ACTIONS_RESULTS_URL`, …) and the action's own inputs. Case-insensitive, as
 * environment names are on Windows runners. `GITHUB_*` context (`GITHUB_SHA`, …), `RUNNER_*` (`RUNNER_OS`, …) and a
 * `GITHUB_TOKEN` that the workflow put into the step's `env:` itself are the workflow's to send.
 */
const RUNNER_INTERNAL = [
    [/^ACTIONS_/i, 'a variable internal to the GitHub Actions runner (`ACTIONS_*` are its own tokens and endpoints)'],
    [/^INPUT_/i, "one of the action's own inputs as the GitHub Actions runner passes them (`INPUT_*`)"],
];
/** Why `${name}` may never be referenced, or undefined when it may. */
function runnerInternal(name) {
    const found = RUNNER_INTERNAL.find(([prefix]) => prefix.test(name));
    if (!found)
        return undefined;
    return (`references \${${name}}, ${found[1]}: it must never reach a host. Remove the reference; to send a value ` +
        "of your own, put it in the step's `env:` under a name of your own and reference that");
}
/** Walks the references of `input`: the value with every set, allowed reference substituted, and what is wrong. */
function scan(input, env, source) {
    const secrets = [];
    const found = [];
    let substituted = false;
    const value = input.replace(REFERENCE, (match, name, close) => {
        if (match === '$${')
            return '${';
        if (close === undefined || name === undefined || !VARIABLE_NAME.test(name)) {
            const message = `invalid reference ${JSON.stringify(match)}: write \${NAME} with a variable name, or $\${ for a literal \${`;
            found.push({ kind: 'problem', message });
            return match;
        }
        const internal = runnerInternal(name);
        if (internal) {
            found.push({ kind: 'problem', message: internal });
            return match;
        }
        // Own string values only: `${constructor}` or `${__proto__}` must not expand to Object.prototype's members.
        const replacement = Object.hasOwn(env, name) && typeof env[name] === 'string' ? env[name] : undefined;
        if (replacement === undefined) {
            found.push({ kind: 'unset', message: `references \${${name}}, which is not set in ${source}` });
            return match;
        }
        substituted = true;
        if (replacement !== '')
            secrets.push(replacement);
        return replacement;
    });
    if (substituted && value !== '')
        secrets.unshift(value);
    return { value, secrets: [...new Set(secrets)], found };
}
function expandValue(input, env, source = STEP_ENVIRONMENT) {
    const { value, secrets, found } = scan(input, env, source);
    return { value, secrets, problems: found.map((f) => f.message) };
}
/** Checks the references of `input` without keeping any value (nothing is substituted, nothing is a secret). */
function checkReferences(input, env, source = STEP_ENVIRONMENT) {
    const { found } = scan(input, env, source);
    const of = (kind) => found.filter((f) => f.kind === kind).map((f) => f.message);
    return { problems: of('problem'), unset: of('unset') };
}

;// CONCATENATED MODULE: ./src/config/deferred.ts
/**
 * Host fields written with `${NAME}` (`host`, `user`, `port`, `deploy_path`, a whole host entry): read as they are
 * written, their references checked at once (syntax, runner-internal names), and expanded and checked for the chosen
 * environment only (host-expand.ts), since another environment's variables need not be set.
 */


/** JSON Schema pattern of a string that references a variable. */
const REFERENCE_PATTERN = '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}';
function isDeferred(value) {
    return typeof value === 'object' && value !== null && 'template' in value;
}
/** The text of a value as written: a plain value, or the template of a deferred one. */
function written(value) {
    return isDeferred(value) ? value.template : String(value);
}
/** Whether a string asks for expansion. */
function hasReference(value) {
    return value.includes('${');
}
/** `${DEPLOY_HOST}`, `${A} and ${B}`: the variables a template names, for messages. */
function referencedNames(template) {
    const names = [...template.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => `\${${m[1]}}`);
    return [...new Set(names)].join(' and ') || JSON.stringify(template);
}
/**
 * Reads a string with `${NAME}` in it as a Deferred (its references checked now), anything else as the value's
 * kind. Undefined when it is not such a string.
 */
function readDeferred(node, at) {
    const resolved = at.resolve(node);
    if (!(0,dist/* isScalar */.jn)(resolved) || typeof resolved.value !== 'string' || !hasReference(resolved.value))
        return null;
    const template = resolved.value;
    if (/[\0\n\r]/.test(template))
        return at.problem(node, 'must not contain NUL or newline characters');
    const { problems } = checkReferences(template, {});
    for (const problem of problems)
        at.problem(node, problem);
    return problems.length ? undefined : { template, ...at.located(template, node) };
}
/** `kind`, or a string with `${NAME}` in it (expanded from the step's environment, then checked as `kind`). */
function expandable(kind) {
    return {
        label: `${kind.label} (or \`\${NAME}\`)`,
        jsonSchema: { anyOf: [kind.jsonSchema, { type: 'string', pattern: REFERENCE_PATTERN }] },
        read(node, at) {
            const deferred = readDeferred(node, at);
            return deferred === null ? kind.read(node, at) : deferred;
        },
        toJson: (value) => (isDeferred(value) ? value.template : kind.toJson(value)),
    };
}

;// CONCATENATED MODULE: ./src/config/hosts.ts
/** Host specs (`user@host:port`, `[::1]:2222`, `local`) and the character rules for hosts and users. */

const LOCAL = 'local';
const DEFAULT_PORT = 22;
/** Letters, digits, `.`, `_`, `-`; never a leading `-` (it would read as an ssh option). */
const NAME_PATTERN = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const IPV6_PATTERN = /^[0-9A-Fa-f:.]+$/;
/** JSON Schema pattern for a host entry written as a string. */
const HOST_SPEC_PATTERN = '^(local|([A-Za-z0-9._][A-Za-z0-9._-]*@)?([A-Za-z0-9._][A-Za-z0-9._-]*|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?)$';
const USER_PATTERN = NAME_PATTERN.source;
function describe(value) {
    return JSON.stringify(value);
}
/** Why `user` is not an acceptable user (or group) name, or undefined. */
function userProblem(user) {
    if (NAME_PATTERN.test(user))
        return undefined;
    return `invalid name ${describe(user)}: use letters, digits, \`.\`, \`_\` and \`-\` (not first)`;
}
/** Why `host` (no brackets, no port) is not an acceptable host name or IP address, or undefined. */
function hostNameProblem(host) {
    if (host.includes(':')) {
        return IPV6_PATTERN.test(host) ? undefined : `invalid IPv6 address ${describe(host)}`;
    }
    if (host.length > 253 || !NAME_PATTERN.test(host)) {
        return `invalid host ${describe(host)}: use letters, digits, \`.\`, \`_\` and \`-\` (not first), or [IPv6]`;
    }
    return undefined;
}
/** The port as a number, or why it is not one. */
function parsePort(value) {
    const n = typeof value === 'number' ? value : /^[0-9]+$/.test(value) ? Number(value) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= 65535)
        return n;
    return `port must be an integer from 1 to 65535 (got ${describe(String(value))})`;
}
/** `deploy@web1.example.com`, `deploy@web1.example.com:2222`, `deploy@[::1]`, or `local`. */
function hostDisplayName(host, user, port) {
    const shown = host.includes(':') ? `[${host}]` : host;
    return `${user === undefined ? '' : `${user}@`}${shown}${port === DEFAULT_PORT ? '' : `:${port}`}`;
}
function localHost(position) {
    return { name: LOCAL, host: 'localhost', user: undefined, port: DEFAULT_PORT, local: true, labels: [], position };
}
function remoteHost(host, user, port, position, labels = []) {
    return { name: hostDisplayName(host, user, port), host, user, port, local: false, labels, position };
}
/** Parses a host written as a string. Never throws. */
function readHostSpec(spec, position) {
    if (spec === LOCAL)
        return { host: localHost(position) };
    if (/[\0\n\r]/.test(spec))
        return { problem: 'must not contain NUL or newline characters' };
    const at = spec.indexOf('@');
    const user = at >= 0 ? spec.slice(0, at) : undefined;
    const rest = at >= 0 ? spec.slice(at + 1) : spec;
    if (user !== undefined) {
        const problem = userProblem(user);
        if (problem)
            return { problem };
    }
    let host;
    let portText;
    const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
    if (bracketed) {
        host = bracketed[1];
        portText = bracketed[2];
        if (!host.includes(':') || !IPV6_PATTERN.test(host))
            return { problem: `invalid IPv6 address ${describe(host)}` };
    }
    else if (rest.startsWith('[')) {
        return { problem: `invalid host ${describe(rest)}: write IPv6 addresses as \`[address]\` or \`[address]:port\`` };
    }
    else if ((rest.match(/:/g) ?? []).length > 1) {
        return { problem: `write IPv6 addresses in brackets, e.g. \`[${rest}]\` or \`[${rest}]:2222\`` };
    }
    else {
        const colon = rest.indexOf(':');
        host = colon >= 0 ? rest.slice(0, colon) : rest;
        portText = colon >= 0 ? rest.slice(colon + 1) : undefined;
        if (host === LOCAL)
            return { problem: '`local` means this machine and takes no user or port' };
        const problem = hostNameProblem(host);
        if (problem)
            return { problem };
    }
    let port = DEFAULT_PORT;
    if (portText !== undefined) {
        const parsed = parsePort(portText);
        if (typeof parsed === 'string')
            return { problem: parsed };
        port = parsed;
    }
    const written = remoteHost(host, user, port, position);
    return { host: portText !== undefined && port === DEFAULT_PORT ? { ...written, portWritten: true } : written };
}
/**
 * Parses `user@host[:port]`, `host`, `[v6]:port` or `local`. `user` is undefined when not written.
 * Throws ConfigError (reported at `position`, under key path `path`) for anything else.
 */
function parseHostSpec(spec, position, path = 'hosts') {
    const result = readHostSpec(spec, position);
    if ('problem' in result) {
        throw new ConfigError([{ ...position, path, message: result.problem }]);
    }
    return result.host;
}

;// CONCATENATED MODULE: ./src/config/masking.ts
/**
 * What is masked, in one rule for the action (core.setSecret) and the CLI (its masked output). Every value that
 * came through `${NAME}` is masked, except values that cannot be secrets and would blank the log: shorter than 4
 * characters, `true`/`false`, or a plain number. Under-masking is the worse error, so nothing else is exempt.
 */
const BOOLEAN = /^(?:true|false)$/i;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** Whether a `${NAME}` value (or one line of it) could be a secret and is therefore masked. */
function couldBeSecret(value) {
    const text = value.trim();
    return text.length >= 4 && !BOOLEAN.test(text) && !PLAIN_NUMBER.test(text);
}
/**
 * The strings to mask for some secret values: each value as it is, and each line of it trimmed (a log is read
 * line by line, so no line of a multi-line key may reach it). Values and lines that cannot be secrets are left out.
 */
function secretPieces(values, options = {}) {
    const keep = (text) => (options.credential ? text.trim() !== '' : couldBeSecret(text));
    const pieces = new Set();
    for (const value of values) {
        if (!keep(value))
            continue;
        pieces.add(value);
        for (const line of value.split(/\r?\n/)) {
            const text = line.trim();
            if (text.length >= 4 && keep(text))
                pieces.add(text);
        }
    }
    return [...pieces];
}

;// CONCATENATED MODULE: ./src/config/paths.ts
/** Rules for deploy_path and the relative path lists (shared, writable, clear). Pure: messages, not problems. */

const SYSTEM_DIRS = [
    '/bin',
    '/boot',
    '/dev',
    '/etc',
    '/home',
    '/lib',
    '/lib32',
    '/lib64',
    '/opt',
    '/proc',
    '/root',
    '/run',
    '/sbin',
    '/srv',
    '/sys',
    '/tmp',
    '/usr',
    '/var',
];
/** Nothing may be deployed anywhere below these. */
const FORBIDDEN_TREES = ['/proc', '/sys', '/dev', '/etc'];
function hasControl(value) {
    return /[\0\n\r]/.test(value);
}
/** Why `value` is not an acceptable deploy_path, or undefined when it is. */
function deployPathProblem(value) {
    if (value === '')
        return 'must not be empty';
    if (hasControl(value))
        return 'must not contain NUL or newline characters';
    if (!value.startsWith('/'))
        return `must be an absolute path (got ${JSON.stringify(value)})`;
    const segments = value.split('/').slice(1);
    if (value !== '/' && segments.some((s) => s === '' || s === '.' || s === '..')) {
        const hint = segments.includes('..') ? '' : ` (did you mean \`${normaliseAbsolute(value)}\`?)`;
        return `must be a normalised absolute path without \`.\` or \`..\` segments, \`//\` or a trailing \`/\`${hint}`;
    }
    if (value === '/')
        return 'refusing to deploy to `/`';
    if (SYSTEM_DIRS.includes(value))
        return `refusing to deploy to the system directory \`${value}\`; use a subdirectory`;
    if (/^\/home\/[^/]+$/.test(value)) {
        return `refusing to deploy to the home directory \`${value}\`; use a subdirectory such as \`${value}/app\``;
    }
    const tree = FORBIDDEN_TREES.find((t) => value.startsWith(`${t}/`));
    if (tree)
        return `refusing to deploy under \`${tree}\``;
    return undefined;
}
function normaliseAbsolute(value) {
    const n = external_node_path_.posix.normalize(value);
    return n.length > 1 ? n.replace(/\/+$/, '') : n;
}
/** Strips trailing slashes: `storage/` → `storage`. */
function normaliseRelative(value) {
    return value.length > 1 ? value.replace(/\/+$/, '') : value;
}
/** Why a (normalised) entry of a shared/writable/clear list is not acceptable, or undefined. */
function relativePathProblem(value) {
    if (value === '')
        return 'must not be empty';
    if (hasControl(value))
        return 'must not contain NUL or newline characters';
    if (value.includes('\\'))
        return 'must use `/` as separator, not `\\`';
    if (value.startsWith('/'))
        return `must be relative to the release directory (got ${JSON.stringify(value)})`;
    const segments = value.split('/');
    if (segments.includes('..'))
        return 'must not contain `..` segments';
    if (value === '.')
        return 'must not be `.` (the whole release)';
    if (segments.includes('.'))
        return 'must not contain `.` segments';
    if (segments.includes(''))
        return 'must not contain `//`';
    if (value.startsWith('.deploy'))
        return 'paths starting with `.deploy` are reserved for deploy-action';
    return undefined;
}
/** Why an exclude glob is not acceptable, or undefined. */
function globProblem(value) {
    if (value === '')
        return 'must not be empty';
    if (hasControl(value))
        return 'must not contain NUL or newline characters';
    return undefined;
}
function inside(child, parent) {
    return child.startsWith(`${parent}/`);
}
/**
 * Shared entries must not overlap: a shared dir inside another, a shared file inside a shared dir, or a path
 * that is both. Returns, for each offending entry (by index into `entries`), why.
 * Exact repeats within one list are reported by the list itself.
 */
function sharedOverlapProblems(entries) {
    const found = new Map();
    entries.forEach((entry, i) => {
        for (let j = 0; j < entries.length && !found.has(i); j++) {
            const other = entries[j];
            if (j === i)
                continue;
            if (entry.value === other.value && entry.tag !== other.tag && entry.tag === 'file') {
                found.set(i, `\`${entry.value}\` is listed both as a shared dir and a shared file`);
            }
            else if (inside(entry.value, other.value)) {
                found.set(i, other.tag === 'dir'
                    ? `\`${entry.value}\` is inside the shared dir \`${other.value}\`, which already shares it`
                    : `\`${entry.value}\` is inside \`${other.value}\`, which is a shared file`);
            }
        }
    });
    return found;
}

;// CONCATENATED MODULE: ./src/config/host-expand.ts
/**
 * `${NAME}` in the hosts of the chosen environment: each deferred field (a whole entry, `host`, `user`, `port`,
 * `deploy_path`) expanded from the step's environment and checked as if written in the file, before anything
 * connects. A message never repeats an expanded value (the config error is printed before any masking): secret
 * values in it are written `***`.
 */






/** Expands deferred values, collecting what is secret and reporting what is wrong. */
class HostExpander {
    src;
    vars;
    secrets = new Set();
    /** References in the hosts' `env` that are not set, when it is not expanded (see targets.ts). */
    unset = [];
    constructor(src, vars) {
        this.src = src;
        this.vars = vars;
    }
    /** The file, the values, and how messages name where the values come from (for routes.ts). */
    get source() {
        return this.src;
    }
    get env() {
        return this.vars.env;
    }
    get from() {
        return this.vars.source ?? STEP_ENVIRONMENT;
    }
    /**
     * A deferred value expanded and checked by `check` (undefined: fine); undefined when it is wrong (reported).
     * Returns the secret values it added too, so a host can tell whether it came from a secret.
     */
    expand(d, what, check) {
        const at = new Cursor(this.src, d.path);
        const expansion = expandValue(d.template, this.vars.env, this.vars.source ?? STEP_ENVIRONMENT);
        for (const problem of expansion.problems)
            at.problemAt(d.position, problem);
        if (expansion.problems.length)
            return undefined;
        for (const s of expansion.secrets)
            this.secrets.add(s);
        const value = expansion.value;
        const names = referencedNames(d.template);
        const from = this.vars.source ?? STEP_ENVIRONMENT;
        if (value.trim() === '') {
            return at.problemAt(d.position, `${names} is empty in ${from}: ${what} needs a value`);
        }
        const problem = check(value);
        if (problem === undefined)
            return { value };
        // The value and each part of it (`user@host:port`: a message may quote the host alone) written `***`.
        const parts = [value, ...value.split(/[@:[\]]/)];
        return at.problemAt(d.position, `${names} (from ${from}) is not a valid ${what}: ${redact(problem, parts)}`);
    }
    /** Adds values that stand for a secret (a host name from a secret entry) to what is masked. */
    add(...values) {
        for (const v of values)
            this.secrets.add(v);
    }
    /** A value that could be masked (the masking rule). */
    static maskable(values) {
        return values.some(couldBeSecret);
    }
}
/** Writes each maskable piece of `values` in `message` as `***`. */
function redact(message, values) {
    let out = message;
    for (const piece of secretPieces(values).sort((a, b) => b.length - a.length))
        out = out.split(piece).join('***');
    return out;
}
const unbracket = (host) => host.replace(/^\[(.*)\]$/, '$1');
/** The host of a whole entry from `${NAME}`: a `user@host:port` string as the file would hold it. */
function wholeEntry(entry, d, x) {
    let spec;
    const expanded = x.expand(d, 'host entry (`user@host:port`)', (value) => {
        if (value === LOCAL)
            return '`local` must be written as it is, not through `${NAME}`';
        const read = readHostSpec(value, d.position);
        if ('problem' in read)
            return read.problem;
        spec = { ...read.host, labels: entry.spec.labels };
        return undefined;
    });
    if (!expanded || !spec)
        return undefined;
    // Every part that could name the host is masked: the whole value, the host, the name the log shows.
    x.add(spec.host, spec.name);
    return { spec, secret: HostExpander.maskable([expanded.value]) };
}
/** A host entry of the chosen environment with its `${NAME}` fields expanded; undefined when one is wrong. */
function expandEntry(entry, x) {
    let deployPath;
    let bad = false;
    if (isDeferred(entry.deployPath)) {
        deployPath = x.expand(entry.deployPath, 'deploy_path', deployPathProblem)?.value;
        bad = deployPath === undefined;
    }
    else
        deployPath = entry.deployPath;
    const d = entry.deferred;
    if (!d)
        return bad ? undefined : { spec: entry.spec, deployPath, secret: false };
    if (d.whole) {
        const whole = wholeEntry(entry, d.whole, x);
        return whole && !bad ? { ...whole, deployPath } : undefined;
    }
    const host = d.host ? x.expand(d.host, 'host', (v) => hostNameProblem(unbracket(v)))?.value : entry.spec.host;
    const user = d.user ? x.expand(d.user, 'user name', userProblem)?.value : entry.spec.user;
    let port = entry.spec.port;
    if (d.port) {
        const text = x.expand(d.port, 'port', (v) => {
            const parsed = parsePort(v.trim());
            return typeof parsed === 'string' ? parsed : undefined;
        })?.value;
        port = text === undefined ? undefined : parsePort(text.trim());
    }
    if (bad || host === undefined || (d.user && user === undefined) || port === undefined)
        return undefined;
    const bare = unbracket(host);
    if (d.host)
        x.add(bare);
    const spec = {
        ...remoteHost(bare, user, port ?? DEFAULT_PORT, entry.spec.position, entry.spec.labels),
        ...(entry.spec.portWritten || (d.port && port === DEFAULT_PORT) ? { portWritten: true } : {}),
    };
    const secret = HostExpander.maskable([...(d.host ? [bare] : []), ...(d.user && user ? [user] : [])]);
    return { spec, deployPath, secret };
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/config/files-expand.ts
/**
 * `files:` for the chosen environment: each entry's content expanded from the step's environment (a variable that
 * is not set, or a file left empty, is a config error before anything connects), its values kept to be masked, its
 * path checked against the shared lists; files in shared/ are linked into every release as `shared_files` are.
 */





const files_expand_inside = (path, dir) => path.startsWith(`${dir}/`);
function pathProblem(f, dirs, shared) {
    if (f.release) {
        const dir = dirs.find((d) => f.path === d || files_expand_inside(f.path, d));
        if (dir)
            return `\`${f.path}\` is in the shared dir \`${dir}\`, a link in every release: write it without \`release: true\``;
        if (shared.includes(f.path))
            return `\`${f.path}\` is a shared file, a link in every release: write it without \`release: true\``;
        return undefined;
    }
    if (dirs.includes(f.path))
        return `\`${f.path}\` is a shared dir, not a file`;
    const file = shared.find((s) => files_expand_inside(f.path, s));
    return file ? `\`${f.path}\` is inside \`${file}\`, which is a shared file` : undefined;
}
function contentOf(f, at, o, secrets, unset) {
    const source = o.envSource ?? STEP_ENVIRONMENT;
    const key = f.fromEnv === undefined ? 'content' : 'from_env';
    const keyAt = new Cursor(at.source, `${f.at}.${key}`);
    const template = f.fromEnv === undefined ? f.content : `\${${f.fromEnv}}`;
    // Only the names, never the text: a message must not repeat a file's content.
    const from = /\$\{[A-Za-z_]/.test(template.replaceAll('$${', ''))
        ? referencedNames(template.replaceAll('$${', ''))
        : 'its text';
    if (!o.expand) {
        for (const message of checkReferences(template, o.env, source).unset)
            unset.add(f.sourceAt, keyAt.path, message);
        return { from };
    }
    const expansion = expandValue(template, o.env, source);
    for (const problem of expansion.problems)
        keyAt.problemAt(f.sourceAt, problem);
    if (expansion.problems.length)
        return undefined;
    if (expansion.value.trim() === '') {
        const named = template.includes('${') ? `${from} is empty in ${source}` : 'the content is empty';
        return keyAt.problemAt(f.sourceAt, `\`${f.path}\` would be written empty: ${named}. Set it (a secret that does not exist reads as empty), or remove the entry`);
    }
    for (const s of f.fromEnv === undefined ? expansion.secrets : [expansion.value])
        secrets.add(s);
    return { from, content: expansion.value };
}
/** The chosen environment's files, expanded and checked; problems go to the source's list. */
function loadFiles(entries, shared, source, o) {
    const secrets = new Set();
    const unset = new Problems();
    const files = [];
    const sharedFiles = [...shared.files];
    for (const f of entries) {
        const at = new Cursor(source, f.at);
        const problem = pathProblem(f, shared.dirs, shared.files);
        if (problem) {
            at.child('path').problemAt(f.position, problem);
            continue;
        }
        const got = contentOf(f, at, o, secrets, unset);
        if (!got)
            continue;
        const sha256 = got.content === undefined ? undefined : (0,external_node_crypto_.createHash)('sha256').update(got.content, 'utf8').digest('hex');
        files.push({
            path: f.path,
            release: f.release,
            mode: f.mode,
            from: got.from,
            ...(got.content === undefined ? {} : { content: got.content, sha256 }),
        });
        const linked = shared.dirs.some((d) => files_expand_inside(f.path, d)) || sharedFiles.includes(f.path);
        if (!f.release && !linked)
            sharedFiles.push(f.path);
    }
    return {
        files,
        sharedFiles,
        secrets: [...secrets],
        unset: unset.list,
    };
}
/**
 * The chosen environment's config with its files: their values join the secrets, their unset references (when
 * nothing is expanded) the dry run's list, their paths in shared/ the shared files.
 */
function withFiles(config, entries, require, source, o) {
    const loaded = loadFiles(entries, { dirs: config.sharedDirs, files: config.sharedFiles }, source, {
        env: o.env,
        envSource: o.envSource,
        expand: o.expandEnv,
    });
    return {
        ...config,
        secrets: [...new Set([...config.secrets, ...loaded.secrets])],
        ...(config.envSkipped ? { envSkipped: { unset: [...config.envSkipped.unset, ...loaded.unset] } } : {}),
        sharedFiles: loaded.sharedFiles,
        files: loaded.files,
        requireSharedFiles: require,
    };
}

;// CONCATENATED MODULE: ./src/config/mapping.ts
/** Reading a YAML mapping against key specs: unknown keys (with suggestions), required keys, each value's kind. */



/** The entries of a mapping whose keys are strings; reports other keys and `<<` merge keys. */
function mappingEntries(node, at, what = 'a mapping') {
    const resolved = at.resolve(node);
    if (!(0,dist/* isMap */.jh)(resolved))
        return at.problem(node, `must be ${what} (got ${describeNode(resolved)})`);
    const entries = [];
    for (const pair of resolved.items) {
        const keyNode = pair.key;
        if (!(0,dist/* isScalar */.jn)(keyNode) || typeof keyNode.value !== 'string') {
            at.problem(keyNode, `keys must be plain strings (got ${describeNode(keyNode)})`);
            continue;
        }
        if (keyNode.value === '<<') {
            at.problem(keyNode, 'YAML merge keys (`<<`) are not supported; put shared settings at the top level instead');
            continue;
        }
        entries.push({ key: keyNode.value, keyNode, value: pair.value });
    }
    return entries;
}
/** The keys `specs` marks required, listed once per specs (a mapping is read once per host: hundreds of times). */
const REQUIRED = new WeakMap();
function requiredKeys(specs) {
    let names = REQUIRED.get(specs);
    if (!names) {
        names = Object.keys(specs).filter((name) => specs[name].required);
        REQUIRED.set(specs, names);
    }
    return names;
}
function readMapping(node, at, specs, options = {}) {
    const entries = mappingEntries(node, at);
    if (!entries)
        return undefined;
    const values = {};
    const keys = {};
    for (const { key, keyNode, value } of entries) {
        const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
        if (!spec) {
            // Own keys only: a key named `constructor` or `toString` must not find Object.prototype's members.
            const reason = options.misplaced && Object.hasOwn(options.misplaced, key) ? options.misplaced[key] : undefined;
            if (reason !== undefined) {
                at.child(key).problem(keyNode, reason);
            }
            else {
                const suggestion = suggestKey(key, Object.keys(specs));
                at.child(key).problem(keyNode, `unknown key${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`);
            }
            continue;
        }
        keys[key] = at.position(keyNode);
        const read = spec.kind.read(value ?? null, at.child(key, keyNode));
        if (read !== undefined)
            values[key] = read;
    }
    if (options.requiredFrom) {
        for (const name of requiredKeys(options.requiredFrom)) {
            if (!(name in keys))
                at.problemAt(options.requiredAt ?? at.position(node), `missing required key \`${name}\``);
        }
    }
    // The loop above stored each value under its own key, read by that key's kind: the shape is ValuesOf<S>.
    return { values: values, keys: keys, position: at.position(node) };
}

;// CONCATENATED MODULE: ./src/config/kind.ts
function key(spec) {
    return spec;
}
/** JSON Schema for a mapping described by key specs (no unknown keys); `requiredFrom` says which keys are required. */
function kind_objectSchema(specs, requiredFrom = specs) {
    const properties = {};
    for (const [keyName, spec] of Object.entries(specs)) {
        const property = { description: spec.description, ...spec.kind.jsonSchema };
        if (spec.default !== undefined)
            property.default = spec.kind.toJson(spec.default);
        properties[keyName] = property;
    }
    const required = Object.keys(requiredFrom).filter((k) => requiredFrom[k].required);
    return { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}

;// CONCATENATED MODULE: ./src/config/env-kind.ts
/** The `env:` mapping of variable names to values. */



const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `env:` as written: names checked, values stringified (numbers keep their written form), not yet expanded. */
const envMap = {
    label: 'map of NAME to string, number or boolean',
    jsonSchema: {
        type: 'object',
        propertyNames: { pattern: ENV_NAME.source, not: { pattern: '^[Dd][Ee][Pp][Ll][Oo][Yy]_' } },
        additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    read(node, at) {
        const entries = mappingEntries(node, at, 'a mapping of NAME: value');
        if (!entries)
            return undefined;
        const out = [];
        for (const { key, keyNode, value } of entries) {
            const entryAt = at.child(key);
            if (!ENV_NAME.test(key)) {
                entryAt.problem(keyNode, 'invalid variable name: use letters, digits and `_`, not starting with a digit');
                continue;
            }
            if (/^DEPLOY_/i.test(key)) {
                entryAt.problem(keyNode, 'names starting with `DEPLOY_` are reserved for deploy-action');
                continue;
            }
            const resolved = entryAt.resolve(value);
            const scalar = (0,dist/* isScalar */.jn)(resolved) ? resolved.value : undefined;
            let text;
            if (typeof scalar === 'string')
                text = scalar;
            else if (typeof scalar === 'boolean')
                text = String(scalar);
            else if (typeof scalar === 'number' && (0,dist/* isScalar */.jn)(resolved))
                text = resolved.source ?? String(scalar);
            if (text === undefined) {
                entryAt.problem(value, `must be a string, number or boolean (got ${describeNode(resolved)})`);
                continue;
            }
            if (text.includes('\0')) {
                entryAt.problem(value, 'must not contain NUL characters');
                continue;
            }
            out.push({ name: key, ...entryAt.located(text, value) });
        }
        return out;
    },
    toJson: (entries) => Object.fromEntries(entries.map((e) => [e.name, e.value])),
};

;// CONCATENATED MODULE: ./src/config/environments-kind.ts

const ENVIRONMENT_NAME = /^[A-Za-z0-9._-]+$/;
function environmentMap(specs, misplaced) {
    return {
        label: 'map of environment name to settings',
        jsonSchema: {
            type: 'object',
            minProperties: 1,
            propertyNames: { pattern: ENVIRONMENT_NAME.source },
            additionalProperties: { $ref: '#/$defs/environment' },
        },
        read(node, at) {
            const entries = mappingEntries(node, at);
            if (!entries)
                return undefined;
            if (entries.length === 0)
                return at.problem(node, 'must define at least one environment');
            const out = [];
            for (const { key, keyNode, value } of entries) {
                const envAt = at.child(key);
                if (!ENVIRONMENT_NAME.test(key)) {
                    envAt.problem(keyNode, 'invalid environment name: use letters, digits, `.`, `_` and `-`');
                    out.push({ name: key, position: envAt.position(keyNode), mapping: undefined, path: envAt.path });
                    continue;
                }
                const mapping = readMapping(value, envAt, specs, { misplaced });
                out.push({
                    name: key,
                    position: envAt.position(keyNode),
                    mapping: mapping && { values: mapping.values, keys: mapping.keys },
                    path: envAt.path,
                });
            }
            return out;
        },
        toJson: (envs) => Object.fromEntries(envs.map((e) => [e.name, {}])),
    };
}

;// CONCATENATED MODULE: ./src/config/duration.ts
/** Durations as written in deploy.yml: `30s`, `1500ms`, `2m`, `1h`, or a bare integer meaning seconds. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** JSON Schema pattern of a duration written as a string. */
const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)?$';
/**
 * The duration in milliseconds, or undefined when `text` is not a duration: a non-negative integer followed by
 * `ms`, `s`, `m` or `h`, or a bare integer (seconds). No spaces, signs, fractions or combined units (`1m30s`).
 */
function parseDuration(text) {
    const match = /^([0-9]+)(ms|s|m|h)?$/.exec(text);
    if (!match)
        return undefined;
    const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's'];
    return Number.isSafeInteger(ms) ? ms : undefined;
}
/** The shortest exact written form of `ms`: `2m`, `30s`, `1500ms`. */
function formatDuration(ms) {
    if (ms === 0)
        return '0s';
    if (ms % 3_600_000 === 0)
        return `${ms / 3_600_000}h`;
    if (ms % 60_000 === 0)
        return `${ms / 60_000}m`;
    if (ms % 1000 === 0)
        return `${ms / 1000}s`;
    return `${ms}ms`;
}

;// CONCATENATED MODULE: ./src/config/kinds.ts
/** Scalar kinds of values in deploy.yml: each reads a YAML node, checks it, and describes itself as JSON Schema. */





function noNul(value) {
    return value.includes('\0') ? 'must not contain NUL characters' : undefined;
}
/** A string scalar (never a number or boolean that merely looks like one). */
function readText(node, at, check) {
    const resolved = at.resolve(node);
    if (!(0,dist/* isScalar */.jn)(resolved) || typeof resolved.value !== 'string') {
        return at.problem(node, `must be a string (got ${describeNode(resolved)})`);
    }
    const problem = noNul(resolved.value) ?? check?.(resolved.value);
    return problem ? at.problem(node, problem) : resolved.value;
}
function same(value) {
    return value;
}
function kinds_text(options = {}) {
    return {
        label: options.label ?? 'string',
        jsonSchema: { type: 'string', ...options.schema },
        read: (node, at) => readText(node, at, options.check),
        toJson: same,
    };
}
const kinds_name = (label) => kinds_text({ label, check: userProblem, schema: { pattern: USER_PATTERN } });
const applicationName = kinds_text({
    label: 'non-empty string',
    check: (v) => v.trim() === '' ? 'must not be empty' : /[\n\r/]/.test(v) ? 'must not contain `/` or newlines' : undefined,
    schema: { minLength: 1, pattern: '^[^/\\n\\r]+$' },
});
/** Why `value` is not an http(s) URL with a host name, or undefined. */
function urlProblem(value) {
    try {
        const parsed = new URL(value);
        if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname)
            return undefined;
    }
    catch {
        // fall through to the message
    }
    return `must be an http:// or https:// URL (got ${JSON.stringify(value)})`;
}
const url = kinds_text({
    label: 'http(s) URL',
    check: urlProblem,
    schema: { format: 'uri', pattern: '^https?://' },
});
/** A shell command: a non-empty string. */
const command = kinds_text({
    label: 'shell command',
    check: (v) => (v.trim() === '' ? 'must not be empty' : undefined),
    schema: { minLength: 1, pattern: '\\S' },
});
const absolutePath = kinds_text({
    label: 'absolute path',
    check: deployPathProblem,
    schema: { pattern: '^/' },
});
const kinds_boolean = {
    label: 'boolean',
    jsonSchema: { type: 'boolean' },
    read(node, at) {
        const resolved = at.resolve(node);
        if ((0,dist/* isScalar */.jn)(resolved) && typeof resolved.value === 'boolean')
            return resolved.value;
        return at.problem(node, `must be true or false (got ${describeNode(resolved)})`);
    },
    toJson: same,
};
function integer(min, max = Number.MAX_SAFE_INTEGER) {
    const label = max === Number.MAX_SAFE_INTEGER ? `integer >= ${min}` : `integer from ${min} to ${max}`;
    return {
        label,
        jsonSchema: max === Number.MAX_SAFE_INTEGER
            ? { type: 'integer', minimum: min }
            : { type: 'integer', minimum: min, maximum: max },
        read(node, at) {
            const resolved = at.resolve(node);
            const value = (0,dist/* isScalar */.jn)(resolved) ? resolved.value : undefined;
            if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
                return value;
            return at.problem(node, `must be an ${label} (got ${describeNode(resolved)})`);
        },
        toJson: same,
    };
}
function oneOf(values) {
    const label = values.map((v) => `\`${v}\``).join(', ');
    return {
        label: `one of ${label}`,
        jsonSchema: { type: 'string', enum: [...values] },
        read(node, at) {
            const resolved = at.resolve(node);
            const value = (0,dist/* isScalar */.jn)(resolved) ? resolved.value : undefined;
            const found = values.find((v) => v === value);
            if (found !== undefined)
                return found;
            return at.problem(node, `must be one of ${label} (got ${describeNode(resolved)})`);
        },
        toJson: same,
    };
}
/**
 * A file mode as octal digits: `"0755"`, `"775"`, or a YAML integer (`0755` and `755` are read by YAML 1.2 as
 * decimal 755, so the decimal digits are taken as the octal digits; `0o755` is a true octal). Normalised to 4 digits.
 */
const octalMode = {
    label: 'octal file mode',
    jsonSchema: {
        oneOf: [
            { type: 'string', pattern: '^[0-7]{3,4}$' },
            { type: 'integer', minimum: 0, maximum: 7777 },
        ],
    },
    read(node, at) {
        const resolved = at.resolve(node);
        const value = (0,dist/* isScalar */.jn)(resolved) ? resolved.value : undefined;
        let digits;
        if (typeof value === 'string')
            digits = value;
        else if ((0,dist/* isScalar */.jn)(resolved) && typeof value === 'number' && Number.isInteger(value) && value >= 0) {
            if (resolved.format === 'OCT')
                digits = value.toString(8);
            else
                digits = resolved.source && /^[0-9]+$/.test(resolved.source) ? resolved.source : String(value);
        }
        if (digits !== undefined && /^[0-7]{3,4}$/.test(digits))
            return digits.padStart(4, '0');
        return at.problem(node, `must be an octal file mode such as "0755" or "775" (got ${describeNode(resolved)})`);
    },
    toJson: same,
};
/**
 * A duration (`30s`, `1500ms`, `2m`, or a bare integer meaning seconds; see parseDuration), read as milliseconds
 * and checked to be from `minMs` to `maxMs`.
 */
function duration(minMs, maxMs) {
    const range = minMs > 0 ? `more than 0 and at most ${formatDuration(maxMs)}` : `at most ${formatDuration(maxMs)}`;
    return {
        label: `duration, ${range}`,
        jsonSchema: {
            oneOf: [
                { type: 'string', pattern: DURATION_PATTERN },
                { type: 'integer', minimum: Math.ceil(minMs / 1000), maximum: Math.floor(maxMs / 1000) },
            ],
        },
        read(node, at) {
            const resolved = at.resolve(node);
            const value = (0,dist/* isScalar */.jn)(resolved) ? resolved.value : undefined;
            let ms;
            if (typeof value === 'string')
                ms = parseDuration(value);
            else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
                ms = value * 1000;
            if (ms === undefined || !Number.isSafeInteger(ms)) {
                return at.problem(node, `must be a duration such as \`30s\`, \`1500ms\` or \`2m\` (a bare integer is seconds) (got ${describeNode(resolved)})`);
            }
            if (ms < minMs || ms > maxMs)
                return at.problem(node, `must be ${range} (got ${describeNode(resolved)})`);
            return ms;
        },
        toJson: formatDuration,
    };
}

;// CONCATENATED MODULE: ./src/config/healthcheck-kind.ts



/** The placeholder in a healthcheck URL replaced by each host's host name. */
const HOST_PLACEHOLDER = '{host}';
/** An http(s) URL that may contain `{host}` (checked with `{host}` replaced by `example.com`). */
const healthcheckUrl = kinds_text({
    label: 'http(s) URL, `{host}` allowed',
    check: (v) => {
        const other = /\{[^}]*\}/.exec(v.replaceAll(HOST_PLACEHOLDER, ''));
        if (other)
            return `unknown placeholder \`${other[0]}\`: only \`${HOST_PLACEHOLDER}\` is replaced (by each host's host name)`;
        return urlProblem(v.replaceAll(HOST_PLACEHOLDER, 'example.com')) === undefined
            ? undefined
            : `must be an http:// or https:// URL, \`${HOST_PLACEHOLDER}\` allowed (got ${JSON.stringify(v)})`;
    },
    schema: { pattern: '^https?://' },
});
function healthcheck(keys) {
    const schema = {
        ...kind_objectSchema(keys),
        oneOf: [
            { required: ['url'], not: { required: ['command'] } },
            { required: ['command'], not: { anyOf: [{ required: ['url'] }, { required: ['expect_status'] }] } },
        ],
    };
    return {
        label: 'mapping with `url` or `command`',
        jsonSchema: schema,
        read(node, at) {
            const mapping = readMapping(node, at, keys);
            if (!mapping)
                return undefined;
            const written = mapping.keys;
            const where = at.keyPosition ?? mapping.position;
            if (written.url && written.command) {
                return at.problemAt(where, 'takes either `url` (requested from the runner) or `command` (run on the host), not both');
            }
            if (!written.url && !written.command) {
                return at.problemAt(where, 'needs `url` (requested from the runner) or `command` (run on the host)');
            }
            if (written.command && written.expect_status) {
                return at
                    .child('expect_status')
                    .problemAt(written.expect_status, '`expect_status` is only meaningful with `url`; a `command` passes when it exits 0');
            }
            const { values } = mapping;
            // A written key without a value was bad (and reported): give no config rather than one with a default.
            if (Object.keys(written).some((k) => values[k] === undefined))
                return undefined;
            return {
                ...(values.url === undefined ? {} : { url: values.url }),
                ...(values.command === undefined ? {} : { command: values.command }),
                expectStatus: values.expect_status ?? keys.expect_status.default,
                timeoutMs: values.timeout ?? keys.timeout.default,
                retries: values.retries ?? keys.retries.default,
                intervalMs: values.interval ?? keys.interval.default,
                position: where,
            };
        },
        toJson(check) {
            const out = check.url === undefined
                ? { command: check.command ?? '' }
                : { url: check.url, expect_status: check.expectStatus };
            return {
                ...out,
                timeout: keys.timeout.kind.toJson(check.timeoutMs),
                retries: check.retries,
                interval: keys.interval.kind.toJson(check.intervalMs),
            };
        },
    };
}

;// CONCATENATED MODULE: ./src/config/list-kinds.ts
/** List kinds: paths relative to the release, exclude globs, host labels. */




/** Reads a list, item by item; `each` returns undefined for bad items (having reported them). */
function readList(node, at, each) {
    const resolved = at.resolve(node);
    if (!(0,dist/* isSeq */.oP)(resolved))
        return at.problem(node, `must be a list (got ${describeNode(resolved)})`);
    const out = [];
    resolved.items.forEach((item, i) => {
        const value = each(item, at.child(i));
        if (value !== undefined)
            out.push(value);
    });
    return out;
}
const locatedStrings = (values) => values.map((v) => v.value);
/** A list of paths relative to the release: normalised (no trailing `/`), checked, no path listed twice. */
const relativePaths = {
    label: 'list of relative paths',
    jsonSchema: {
        type: 'array',
        items: { type: 'string', minLength: 1, not: { pattern: '^/|(^|/)\\.\\.?(/|$)|\\\\|^\\.deploy' } },
    },
    read(node, at) {
        const seen = new Map();
        return readList(node, at, (item, itemAt) => {
            const raw = readText(item, itemAt);
            if (raw === undefined)
                return undefined;
            const value = normaliseRelative(raw);
            const problem = relativePathProblem(value);
            if (problem)
                return itemAt.problem(item, problem);
            const earlier = seen.get(value);
            if (earlier !== undefined)
                return itemAt.problem(item, `\`${value}\` is listed twice (also at line ${earlier})`);
            const located = itemAt.located(value, item);
            seen.set(value, located.position.line);
            return located;
        });
    },
    toJson: locatedStrings,
};
const globs = {
    label: 'list of glob patterns',
    jsonSchema: { type: 'array', items: { type: 'string', minLength: 1 } },
    read: (node, at) => readList(node, at, (item, itemAt) => {
        const value = readText(item, itemAt, globProblem);
        return value === undefined ? undefined : itemAt.located(value, item);
    }),
    toJson: locatedStrings,
};
/** A host label: letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Host labels (`web`, `worker`): checked, no label listed twice. */
const labels = {
    label: 'list of labels',
    jsonSchema: { type: 'array', items: { type: 'string', pattern: LABEL_PATTERN.source }, uniqueItems: true },
    read(node, at) {
        const seen = new Map();
        return readList(node, at, (item, itemAt) => {
            const value = readText(item, itemAt, (v) => LABEL_PATTERN.test(v)
                ? undefined
                : `invalid label ${JSON.stringify(v)}: use letters, digits, \`.\`, \`_\` and \`-\`, starting with a letter or digit`);
            if (value === undefined)
                return undefined;
            const earlier = seen.get(value);
            if (earlier !== undefined)
                return itemAt.problem(item, `label \`${value}\` is listed twice (also at line ${earlier})`);
            seen.set(value, itemAt.position(item).line);
            return value;
        });
    },
    toJson: same,
};

;// CONCATENATED MODULE: ./src/config/hook-kind.ts
/**
 * Hook lists (`build`, `deploy`, `activate`): each entry a command string or a mapping with `run` (and `name`,
 * `once`).
 */






/** Longest hook `name:` (it heads log lines and table rows). */
const HOOK_NAME_MAX = 60;
/** A hook's `name:`: one short line of printable text. */
const hookName = kinds_text({
    label: 'one-line text',
    check: (v) => v.trim() === ''
        ? 'must not be empty'
        : /[\x00-\x1f\x7f]/.test(v)
            ? 'must be one line without control characters'
            : [...v].length > HOOK_NAME_MAX
                ? `must be at most ${HOOK_NAME_MAX} characters (got ${[...v].length})`
                : undefined,
    schema: { minLength: 1, maxLength: HOOK_NAME_MAX, pattern: '^[^\\x00-\\x1f\\x7f]*\\S[^\\x00-\\x1f\\x7f]*$' },
});
function readHook(item, at, keys, options) {
    const resolved = at.resolve(item);
    if ((0,dist/* isScalar */.jn)(resolved) && typeof resolved.value === 'string') {
        const run = command.read(item, at);
        return run === undefined ? undefined : { run, once: false, position: at.position(item) };
    }
    if (!(0,dist/* isMap */.jh)(resolved)) {
        return at.problem(item, `must be a command string or a mapping with \`run\` (got ${describeNode(resolved)})`);
    }
    const mapping = readMapping(item, at, keys, { requiredFrom: keys, misplaced: options.misplaced });
    const run = mapping?.values.run;
    if (!mapping || run === undefined)
        return undefined;
    const name = mapping.values.name?.trim();
    const target = hookTarget(mapping.values, at);
    if (target === undefined)
        return undefined;
    return { run, ...(name ? { name } : {}), ...target, position: mapping.position };
}
const isTarget = (v) => typeof v === 'object' && v !== null && 'items' in v;
/** `once` and `on` as a hook's fields: `once: label=db` is `on: label=db` with `once: true`; not with `on` too. */
function hookTarget(values, at) {
    const { on, once } = values;
    if (isTarget(once) && isTarget(on)) {
        return at
            .child('once')
            .problemAt(once.position, 'name the hosts in `on` or in `once`, not both (`once: true` with `on` runs on the first host `on` picks)');
    }
    const where = isTarget(once) ? once : isTarget(on) ? on : undefined;
    return { once: once === true || isTarget(once), ...(where ? { on: where } : {}) };
}
function hookList(keys, options = {}) {
    return {
        label: 'list of shell commands',
        jsonSchema: {
            type: 'array',
            items: { oneOf: [command.jsonSchema, kind_objectSchema(keys)] },
        },
        read: (node, at) => readList(node, at, (item, itemAt) => readHook(item, itemAt, keys, options)),
        toJson: (hooks) => hooks.map((h) => h.once || h.name || h.on
            ? {
                ...(h.name ? { name: h.name } : {}),
                run: h.run,
                ...(h.on ? { on: h.on.items } : {}),
                ...(h.once ? { once: true } : {}),
            }
            : h.run),
    };
}
/** Longest label made from a hook's command. */
const LABEL_MAX = 60;
/**
 * What the log and the summary call a hook: its `name:`, or else the first line of its command, shortened (a
 * `run: |` block is never shown whole on one line).
 */
function hookLabel(hook) {
    if (hook.name)
        return hook.name;
    const lines = hook.run.split('\n').filter((l) => l.trim() !== '');
    const first = (lines[0] ?? hook.run).trim();
    const chars = [...first];
    if (chars.length > LABEL_MAX)
        return `${chars.slice(0, LABEL_MAX - 1).join('')}…`;
    return lines.length > 1 ? `${first} …` : first;
}

;// CONCATENATED MODULE: ./src/config/host-kind.ts
/** The `hosts:` list: strings (`user@host:port`, `local`) or mappings (`host`, `user`, `port`, `deploy_path`, `labels`). */







const hostName = kinds_text({
    label: 'host name, IP address or `local`',
    check: (v) => (v === LOCAL ? undefined : hostNameProblem(v.replace(/^\[(.*)\]$/, '$1'))),
});
function hostFromMapping(mapping, at) {
    const { host, user, port, deploy_path: deployPath, labels, jump, proxy_command: proxyCommand } = mapping.values;
    if (host === undefined)
        return undefined;
    const settings = {
        ...(mapping.values.env ? { env: mapping.values.env } : {}),
        ...(mapping.values.vars ? { vars: mapping.values.vars } : {}),
    };
    if (jump !== undefined && proxyCommand !== undefined) {
        return at.problemAt(mapping.keys.proxy_command ?? mapping.position, 'give `jump` or `proxy_command`, not both');
    }
    if (host === LOCAL) {
        const route = mapping.keys.jump ?? mapping.keys.proxy_command;
        if (route)
            return at.problemAt(route, '`local` means this machine and takes no `jump` or `proxy_command`');
        if (user !== undefined || port !== undefined) {
            const where = mapping.keys.user ?? mapping.keys.port ?? mapping.position;
            return at.problemAt(where, '`local` means this machine and takes no `user` or `port`');
        }
        if (mapping.keys.labels) {
            return at.child('labels').problemAt(mapping.keys.labels, '`local` means this machine and takes no `labels`');
        }
        return { spec: localHost(mapping.position), deployPath, path: at.path, ...settings };
    }
    const deferred = {};
    if (isDeferred(host))
        deferred.host = host;
    if (isDeferred(user))
        deferred.user = user;
    if (isDeferred(port))
        deferred.port = port;
    const bare = written(host).replace(/^\[(.*)\]$/, '$1');
    const spec = remoteHost(bare, user === undefined ? undefined : written(user), isDeferred(port) ? DEFAULT_PORT : (port ?? DEFAULT_PORT), mapping.position, labels ?? []);
    return {
        spec: port === DEFAULT_PORT ? { ...spec, portWritten: true } : spec,
        deployPath,
        ...(jump === undefined ? {} : { jump }),
        ...(proxyCommand === undefined ? {} : { proxyCommand }),
        path: at.path,
        ...(Object.keys(deferred).length ? { deferred } : {}),
        ...settings,
    };
}
function hostList(entryKeys) {
    const entrySchema = kind_objectSchema(entryKeys);
    return {
        label: 'non-empty list of hosts',
        jsonSchema: {
            type: 'array',
            minItems: 1,
            items: {
                oneOf: [
                    // A host written as a string, or a string with `${NAME}` in it (expanded from the step's environment).
                    { type: 'string', anyOf: [{ pattern: HOST_SPEC_PATTERN }, { pattern: REFERENCE_PATTERN }] },
                    entrySchema,
                ],
            },
        },
        read(node, at) {
            const hosts = readList(node, at, (item, itemAt) => {
                const resolved = itemAt.resolve(item);
                if ((0,dist/* isScalar */.jn)(resolved) && typeof resolved.value === 'string') {
                    const whole = readDeferred(item, itemAt);
                    if (whole !== null) {
                        if (whole === undefined)
                            return undefined;
                        const spec = remoteHost(whole.template, undefined, DEFAULT_PORT, whole.position);
                        return { spec, path: itemAt.path, deferred: { whole } };
                    }
                    const spec = readText(item, itemAt);
                    if (spec === undefined)
                        return undefined;
                    const result = readHostSpec(spec, itemAt.position(item));
                    return 'problem' in result ? itemAt.problem(item, result.problem) : { spec: result.host, path: itemAt.path };
                }
                const mapping = readMapping(item, itemAt, entryKeys, { requiredFrom: entryKeys });
                return mapping && hostFromMapping(mapping, itemAt);
            });
            const list = at.resolve(node);
            if ((0,dist/* isSeq */.oP)(list) && list.items.length === 0)
                return at.problem(node, 'must list at least one host');
            return hosts;
        },
        toJson: (hosts) => hosts.map((h) => h.spec.name),
    };
}

;// CONCATENATED MODULE: ./src/config/route-kind.ts
/** How a host is reached: `jump` (one jump host or a chain of them) and `proxy_command`. */






/** The most hops a chain may have (OpenSSH has no limit; a longer chain is a typo more likely than a network). */
const MAX_JUMP_HOPS = 8;
/** The JSON Schema of one hop: a host spec, or a string with `${NAME}` in it. */
const HOP_SCHEMA = { type: 'string', anyOf: [{ pattern: HOST_SPEC_PATTERN }, { pattern: REFERENCE_PATTERN }] };
/** A hop's text, as deploy.yml and ssh_config write it: checked as a hop (never `local`). */
function parseHop(spec, at, node) {
    if (spec === LOCAL)
        return '`local` cannot be a jump host: write `user@host:port`';
    const result = readHostSpec(spec, at.position(node));
    if ('problem' in result)
        return result.problem;
    const { host, user, port } = result.host;
    return { host, user, port };
}
function readHop(item, at) {
    const deferred = readDeferred(item, at);
    if (deferred !== null)
        return deferred;
    const spec = readText(item, at);
    if (spec === undefined)
        return undefined;
    const hop = parseHop(spec, at, item);
    return typeof hop === 'string' ? at.problem(item, hop) : hop;
}
/**
 * `jump`: one host entry (`user@host:port`, user and port optional) or a list of them, the first reached first
 * (OpenSSH's ProxyJump). An empty list means no jump host (a host's own `jump: []` overrides the environment's).
 */
const jumpChain = {
    label: 'jump host `user@host:port` or a list of them',
    jsonSchema: {
        oneOf: [HOP_SCHEMA, { type: 'array', maxItems: MAX_JUMP_HOPS, items: HOP_SCHEMA }],
    },
    read(node, at) {
        const resolved = at.resolve(node);
        if ((0,dist/* isScalar */.jn)(resolved) && typeof resolved.value === 'string') {
            const hop = readHop(node, at);
            return hop && [hop];
        }
        if (!(0,dist/* isSeq */.oP)(resolved))
            return at.problem(node, `must be a jump host \`user@host:port\` or a list of them (got ${describeNode(resolved)})`);
        if (resolved.items.length > MAX_JUMP_HOPS)
            return at.problem(node, `a chain of at most ${MAX_JUMP_HOPS} jump hosts`);
        return readList(node, at, readHop);
    },
    toJson: (hops) => hops.map((h) => (isDeferred(h) ? h.template : `${h.user ? `${h.user}@` : ''}${h.host}:${h.port}`)),
};
/** How messages name a hop: `deploy@bastion:22` (the port always, the user once resolved); `***` from a secret. */
function hopName(hop) {
    if (hop.masked)
        return '***';
    const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
    return `${hop.user === undefined ? '' : `${hop.user}@`}${host}:${hop.port}`;
}
/** The path to a host for the log: `via deploy@bastion:22`, `via a@edge:22, b@inner:22`, `via proxy command …`. */
function routeText(host) {
    if (host.proxyCommand !== undefined)
        return `via proxy command \`${host.proxyCommand}\``;
    return host.jump?.length ? `via ${host.jump.map(hopName).join(', ')}` : undefined;
}

;// CONCATENATED MODULE: ./src/config/host-selector.ts
/** `[::1]` → `::1`; host names compare case-insensitively (DNS does). */
function bare(host) {
    return (/^\[(.*)\]$/.exec(host)?.[1] ?? host).toLowerCase();
}
/** What one item selects, or why it cannot select anything. Host names never contain `=`. */
function selectorFor(item) {
    const label = /^label=(.+)$/.exec(item);
    if (label)
        return { item, label: label[1], matches: (h) => h.labels.includes(label[1]) };
    if (item.includes('='))
        return `"${item}": only label=NAME selects by key`;
    const at = item.indexOf('@');
    const user = at >= 0 ? item.slice(0, at) : undefined;
    const host = bare(at >= 0 ? item.slice(at + 1) : item);
    return {
        item,
        matches: (h) => h.name === item || (bare(h.host) === host && (user === undefined || h.user === user)),
    };
}
/** Whether any of `items` (selectors that parse) picks `host`. */
function selectedBy(items, host) {
    return items.some((item) => {
        const selector = selectorFor(item);
        return typeof selector !== 'string' && selector.matches(host);
    });
}
/**
 * The hosts of `hosts` (config order) that a hook runs on: those its `on` picks (every host without it); with
 * `once`, the first of them only.
 */
function hookHosts(hook, hosts, of) {
    const on = hook.on;
    const picked = on ? hosts.filter((h) => selectedBy(on.items, of(h))) : [...hosts];
    return hook.once ? picked.slice(0, 1) : picked;
}

;// CONCATENATED MODULE: ./src/config/target-kind.ts
/**
 * Where a hook runs (`on:`, `once:`) and a host's own `env:` and `vars:`. Selectors are read as the `hosts` input
 * reads them (host-selector.ts); whether one matches a host of the environment is checked in hook-targets.ts.
 */







/** A selector as JSON Schema: `label=NAME` or a host (no `=`, `,` or blanks). */
const SELECTOR_PATTERN = `^(label=${LABEL_PATTERN.source.slice(1, -1)}|[^=,\\s]+)(\\s*,\\s*(label=${LABEL_PATTERN.source.slice(1, -1)}|[^=,\\s]+))*$`;
const SELECTOR_SCHEMA = { type: 'string', pattern: SELECTOR_PATTERN };
/** Why one item cannot select a host, or undefined. */
function itemProblem(item) {
    const selector = selectorFor(item);
    if (typeof selector === 'string')
        return `${selector} (write a host or label=NAME)`;
    if (selector.label !== undefined && !LABEL_PATTERN.test(selector.label))
        return `invalid label ${JSON.stringify(selector.label)}: use letters, digits, \`.\`, \`_\` and \`-\``;
    return undefined;
}
/** Reads one string or a list of strings, each possibly `a,b`, into selectors. */
function readTarget(node, at, key) {
    const resolved = at.resolve(node);
    const nodes = (0,dist/* isSeq */.oP)(resolved) ? resolved.items : [node];
    const items = [];
    let bad = false;
    for (const item of nodes) {
        const value = at.resolve(item);
        if (!(0,dist/* isScalar */.jn)(value) || typeof value.value !== 'string') {
            at.problem(item, `must be a host, label=NAME, or a list of them (got ${describeNode(value)})`);
            bad = true;
            continue;
        }
        for (const part of value.value.split(',').map((s) => s.trim())) {
            const problem = part === '' ? 'must not be empty' : itemProblem(part);
            if (problem) {
                at.problem(item, problem);
                bad = true;
            }
            else
                items.push(part);
        }
    }
    if (bad)
        return undefined;
    if (!items.length)
        return at.problem(node, 'must name at least one host or label=NAME');
    return { items, key, path: at.path, position: at.position(node) };
}
/** `on:` of a deploy or activate hook. */
const hookOn = {
    label: 'host, label=NAME, or a list of them',
    jsonSchema: { anyOf: [SELECTOR_SCHEMA, { type: 'array', minItems: 1, items: SELECTOR_SCHEMA }] },
    read: (node, at) => readTarget(node, at, 'on'),
    toJson: (target) => target.items,
};
/** `once:` of a deploy hook: `true` (the first host), or where (`label=db`: the first host with that label). */
const hookOnce = {
    label: 'boolean, host or label=NAME',
    jsonSchema: { anyOf: [{ type: 'boolean' }, SELECTOR_SCHEMA] },
    read(node, at) {
        const resolved = at.resolve(node);
        if ((0,dist/* isScalar */.jn)(resolved) && typeof resolved.value === 'boolean')
            return resolved.value;
        if ((0,dist/* isScalar */.jn)(resolved) && typeof resolved.value === 'string')
            return readTarget(node, at, 'once');
        return at.problem(node, `must be true, false, a host or label=NAME (got ${describeNode(resolved)})`);
    },
    toJson: (v) => (typeof v === 'boolean' ? v : v.items.join(',')),
};
/** A host's `env:`: as the environment's, its `${NAME}` references checked as written. */
const hostEnvMap = {
    ...envMap,
    read(node, at) {
        return envMap.read(node, at)?.filter((entry) => {
            const { problems } = checkReferences(entry.value, {});
            for (const problem of problems)
                at.child(entry.name).problemAt(entry.position, problem);
            return problems.length === 0;
        });
    },
};
/** A host's `vars:`: names as in `env`, plain values (a dry run's plan shows them: no `${NAME}`, no secrets). */
const hostVarsMap = {
    ...envMap,
    jsonSchema: {
        ...envMap.jsonSchema,
        additionalProperties: { anyOf: [{ type: 'string', not: { pattern: '\\$\\{' } }, { type: ['number', 'boolean'] }] },
    },
    read(node, at) {
        return envMap.read(node, at)?.filter((entry) => {
            if (!hasReference(entry.value))
                return true;
            at.child(entry.name).problemAt(entry.position, "`vars` are plain values, shown in a dry run's plan: put a value from `${NAME}` (a secret) in the host's `env`");
            return false;
        });
    },
};

;// CONCATENATED MODULE: ./src/config/schema-targets.ts
/** Keys of per-host settings (`env`, `vars` of a host) and of where a hook runs (`on`, `once`): see targets.ts. */


/** A host entry's own environment variables and values. */
const HOST_TARGET_KEYS = {
    env: key({
        kind: hostEnvMap,
        description: "Environment variables for this host's hooks and health check command, over the environment's `env` (the host's value wins). `${NAME}` is replaced from the step's environment and masked, as in `env`.",
    }),
    vars: key({
        kind: hostVarsMap,
        description: "Plain values for this host's hooks, exported as environment variables (e.g. `WORKER_ID: 2`, `REGION: eu`). Shown in a dry run's plan: no `${NAME}`, no secrets (use `env`). A name may not also be in `env`.",
    }),
};
const ON = key({
    kind: hookOn,
    description: 'Hosts this hook runs on, as the `hosts` input selects them: host names, `label=NAME`, a list of them or a comma-separated string. Without it, every host. Each must match a host of the environment.',
});
/** Where an activate hook runs. */
const ACTIVATE_HOOK_TARGET_KEYS = { on: ON };
/** Where a deploy hook runs. */
const DEPLOY_HOOK_TARGET_KEYS = {
    on: ON,
    once: key({
        kind: hookOnce,
        default: false,
        description: 'Run on one host only, before any host switches (e.g. database migrations): `true` for the first deployed host (of those `on` picks), or where, as in `on` (`once: label=db`: the first deployed host with label `db`). A deploy whose selected hosts include none of them fails before connecting.',
    }),
};
/** Why `build` hooks refuse these keys. */
const BUILD_MISPLACED = {
    once: '`once` is only meaningful for deploy hooks',
    on: '`on` is only meaningful for deploy, activate and rollback hooks: build hooks run on the runner',
};
/** The above, for one import in schema.ts. */
const TARGETS = {
    host: HOST_TARGET_KEYS,
    deploy: DEPLOY_HOOK_TARGET_KEYS,
    activate: ACTIVATE_HOOK_TARGET_KEYS,
    buildMisplaced: BUILD_MISPLACED,
};

;// CONCATENATED MODULE: ./src/config/schema-small.ts



/** Why an `exclude_from` path is not acceptable, or undefined. */
function ignoreFileProblem(value) {
    if (value.trim() === '')
        return 'must not be empty';
    if (/[\n\r]/.test(value))
        return 'must be one line';
    if (value.startsWith('/'))
        return `must be relative to the source directory (got ${JSON.stringify(value)})`;
    if (value.includes('\\'))
        return 'must use `/` as separator, not `\\`';
    if (value.endsWith('/'))
        return `must name a file, not a directory (got ${JSON.stringify(value)})`;
    return undefined;
}
/** A file in the source directory, with where the config names it (a missing file is reported there). */
const ignoreFile = {
    label: 'path relative to the source directory',
    jsonSchema: { type: 'string', pattern: '^[^/\\\\\\r\\n]([^\\\\\\r\\n]*[^/\\\\\\r\\n])?$' },
    read(node, at) {
        const value = readText(node, at, ignoreFileProblem);
        return value === undefined ? undefined : at.located(value, node);
    },
    toJson: (v) => v.value,
};
/** The keys, spread into the environment keys (the hook keys are schema.ts's, passed in: no import cycle). */
function smallKeys(hookKeys, misplaced) {
    return {
        exclude_from: key({
            kind: ignoreFile,
            description: 'A file of `exclude` patterns, one per line, relative to the source directory (e.g. `.deployignore`): `#` comments and blank lines are skipped, `!pattern` ships what an earlier line excluded (the last matching line decides). Read before the build; a missing file is an error. The file itself ships unless it lists itself.',
        }),
        rollback: key({
            kind: hookList(hookKeys, { misplaced }),
            default: [],
            description: "Shell commands run on each host after a rollback's switch and its `activate` commands, in the live release, before the health check: strings, or mappings with `run` (and `name`, `on`: the hosts it runs on, as for `activate`). One that fails fails the rollback as a failed `activate` does: the switched hosts are switched back.",
        }),
    };
}

;// CONCATENATED MODULE: ./src/config/schema-maintenance.ts
/** `maintenance:`: the commands that put the app into maintenance and back, and whether every deploy uses them. */



/** Keys of `maintenance`. */
const MAINTENANCE_KEYS = {
    on: key({
        kind: command,
        required: true,
        description: 'Shell command that turns maintenance on (e.g. `php artisan down`), run on each host in the live release (`current/`).',
    }),
    off: key({
        kind: command,
        required: true,
        description: 'Shell command that turns maintenance off (e.g. `php artisan up`), run in `current/`: after the switch, or after a failed deploy wherever `on` ran.',
    }),
    deploy: key({
        kind: kinds_boolean,
        default: false,
        description: "Turn maintenance on for every deploy and redeploy: `on` before the deploy hooks, `off` after each host's switch and activate. The `maintenance` input (CLI: `--maintenance`, `--no-maintenance`) overrides it.",
    }),
};
const maintenance = {
    label: 'mapping with `on` and `off`',
    jsonSchema: kind_objectSchema(MAINTENANCE_KEYS),
    read(node, at) {
        const mapping = readMapping(node, at, MAINTENANCE_KEYS, { requiredFrom: MAINTENANCE_KEYS });
        const v = mapping?.values;
        if (v?.on === undefined || v.off === undefined)
            return undefined;
        return { on: v.on, off: v.off, deploy: v.deploy ?? false };
    },
    toJson: (m) => ({ on: m.on, off: m.off, deploy: m.deploy }),
};
/** The environment key (spread into ENVIRONMENT_KEYS). */
const MAINTENANCE_ENV_KEYS = {
    maintenance: key({
        kind: maintenance,
        description: "Maintenance mode: `on` and `off` commands run on each host in `current/`, with the environment's `env` and within `hook_timeout`; `deploy: true` (or the `maintenance` input) wraps deploys in it, and the `maintenance` command switches it by hand.",
    }),
};

;// CONCATENATED MODULE: ./src/config/schema-stage.ts
/** The keys of `stage` and `switch` (see docs "Stage, then switch"): how long a hold lasts, the preview link. */


const RESERVED = ['current', 'releases', 'shared', '.deploy'];
/** A link name in the deploy path: one plain segment, not one of the layout's own names. */
function previewProblem(value) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value))
        return 'must be one plain name in the deploy path (letters, digits, `.`, `_`, `-`), such as `preview`';
    return RESERVED.includes(value) ? `must not be ${value}: the deploy path's layout uses that name` : undefined;
}
/** The longest `stage_ttl`: a hold whose expiry lies further ahead is treated as expired (sh/stage.sh, same figure). */
const STAGE_TTL_MAX_MS = 30 * 24 * 3_600_000;
/** Spread into ENVIRONMENT_KEYS. */
const STAGE_KEYS = {
    stage_ttl: key({
        kind: duration(1_000, STAGE_TTL_MAX_MS),
        default: 7_200_000,
        description: 'How long a staged release (`command: stage`) holds each host before it expires, as a duration (`30m`, `2h`, or seconds); an expired hold is undone by the next deploy, stage or unlock. Default `2h`.',
    }),
    preview_link: key({
        kind: kinds_text({ label: 'link name', check: previewProblem, schema: { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' } }),
        description: 'A link in the deploy path (e.g. `preview`) that points at the staged release while one is staged, so it can be looked at before `switch`; removed on switch or discard.',
    }),
};

;// CONCATENATED MODULE: ./src/config/files-kind.ts
/**
 * The `files:` list: files written on each host from the config (secrets from the step's environment), each a
 * mapping with `path`, `content` or `from_env`, `mode` and `release`. Read as written here; the `${NAME}` values
 * are expanded for the chosen environment by files-expand.ts.
 */








const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A `from_env:` value: a variable name, not one internal to the runner. */
const fromEnvName = kinds_text({
    label: 'variable name',
    check: (v) => VARIABLE.test(v)
        ? runnerInternal(v)
        : 'must be a variable name: letters, digits and `_`, not starting with a digit',
    schema: { pattern: VARIABLE.source },
});
/** A `files:` path: relative (to shared/ or the release), normalised, checked as the shared lists' entries are. */
const filePath = {
    label: 'relative path',
    jsonSchema: { type: 'string', minLength: 1, not: { pattern: '^/|(^|/)\\.\\.?(/|$)|\\\\|^\\.deploy' } },
    read(node, at) {
        const raw = readText(node, at);
        if (raw === undefined)
            return undefined;
        const value = normaliseRelative(raw);
        const problem = relativePathProblem(value);
        return problem ? at.problem(node, problem) : value;
    },
    toJson: same,
};
function readEntry(item, at, keys) {
    const resolved = at.resolve(item);
    if (!(0,dist/* isMap */.jh)(resolved)) {
        return at.problem(item, `must be a mapping with \`path\` and \`content\` or \`from_env\` (got ${describeNode(resolved)})`);
    }
    const mapping = readMapping(item, at, keys, { requiredFrom: keys });
    if (!mapping)
        return undefined;
    const { values, keys: written } = mapping;
    if (written.content && written.from_env) {
        return at.problemAt(mapping.position, 'takes either `content` or `from_env`, not both');
    }
    if (!written.content && !written.from_env) {
        return at.problemAt(mapping.position, 'needs `content` (text, `${NAME}` replaced) or `from_env` (a variable name)');
    }
    if (Object.keys(written).some((k) => values[k] === undefined) || values.path === undefined)
        return undefined;
    if (values.content !== undefined) {
        const { problems } = checkReferences(values.content, {});
        for (const problem of problems)
            at.child('content').problemAt(written.content, problem);
        if (problems.length)
            return undefined;
    }
    return {
        path: values.path,
        ...(values.content === undefined ? {} : { content: values.content }),
        ...(values.from_env === undefined ? {} : { fromEnv: values.from_env }),
        mode: values.mode ?? keys.mode.default,
        release: values.release ?? keys.release.default,
        position: mapping.position,
        sourceAt: written.content ?? written.from_env ?? mapping.position,
        at: at.path,
    };
}
/** The list: each entry checked, no file written twice. */
function fileList(keys) {
    return {
        label: 'list of files (`path`, `content` or `from_env`, `mode`, `release`)',
        jsonSchema: {
            type: 'array',
            items: {
                ...kind_objectSchema(keys),
                oneOf: [
                    { required: ['content'], not: { required: ['from_env'] } },
                    { required: ['from_env'], not: { required: ['content'] } },
                ],
            },
        },
        read(node, at) {
            const seen = new Map();
            return readList(node, at, (item, itemAt) => {
                const entry = readEntry(item, itemAt, keys);
                if (!entry)
                    return undefined;
                const id = `${entry.release ? 'release' : 'shared'}/${entry.path}`;
                const earlier = seen.get(id);
                if (earlier !== undefined) {
                    return itemAt.problemAt(entry.position, `\`${entry.path}\` is written twice (also at line ${earlier})`);
                }
                seen.set(id, entry.position.line);
                return entry;
            });
        },
        toJson: (files) => files.map((f) => ({
            path: f.path,
            ...(f.content === undefined ? {} : { content: f.content }),
            ...(f.fromEnv === undefined ? {} : { from_env: f.fromEnv }),
            mode: f.mode,
            release: f.release,
        })),
    };
}

;// CONCATENATED MODULE: ./src/config/schema-files.ts
/** The keys of secret files: `files:` (written on each host from the config) and `require_shared_files`. */



/** Keys of one `files:` entry. */
const FILE_ENTRY_KEYS = {
    path: key({
        kind: filePath,
        required: true,
        description: 'Where the file goes, relative to `shared/` (linked into every release, as `shared_files` are) or, with `release: true`, to the new release. No `..`, no absolute path.',
    }),
    content: key({
        kind: kinds_text({ label: 'text' }),
        description: "The file's text; `${NAME}` is replaced from the step's environment (and masked), `$${NAME}` is a literal `${NAME}`. Give `content` or `from_env`, not both.",
    }),
    from_env: key({
        kind: fromEnvName,
        description: "The name of a variable of the step's environment whose whole value is the file's content (masked). Give `content` or `from_env`, not both.",
    }),
    mode: key({
        kind: octalMode,
        default: '0600',
        description: 'The file\'s mode, as octal digits (`"0600"`, `"640"`); set before any content is written.',
    }),
    release: key({
        kind: kinds_boolean,
        default: false,
        description: 'Write the file into the new release instead of `shared/` (a failed deploy removes the release anyway).',
    }),
};
/** Environment keys of secret files (spread into ENVIRONMENT_KEYS). */
const FILES_KEYS = {
    files: key({
        kind: fileList(FILE_ENTRY_KEYS),
        default: [],
        description: "Files written on each host before the deploy hooks, from `content` (`${NAME}` replaced from the step's environment) or `from_env`: only when their content changed (atomically, with `mode`); masked everywhere; a failed deploy puts back what was there. A variable that is not set, or a file left empty, fails the deploy before anything connects.",
    }),
    require_shared_files: key({
        kind: kinds_boolean,
        default: false,
        description: 'Fail the deploy at the shared step when a `shared_files` entry that no `files:` entry writes is missing or empty on a host.',
    }),
};

;// CONCATENATED MODULE: ./src/config/types.ts
const WRITABLE_MODES = ['acl', 'chmod', 'chown', 'chgrp', 'skip'];
/** `all-at-once`: every host switches together; `rolling`: hosts switch in batches of `batch_size`. */
const STRATEGIES = ['all-at-once', 'rolling'];

;// CONCATENATED MODULE: ./src/config/schema.ts
/**
 * The one definition of deploy.yml's keys. The validator reads with these specs, the loader takes defaults from
 * them, and toJsonSchema() publishes them. Add a key here and everything else follows.
 */
















/** Keys of a host written as a mapping in `hosts:`. */
const HOST_ENTRY_KEYS = {
    host: key({
        kind: expandable(hostName),
        required: true,
        description: "Host name or IP address (IPv6 with or without brackets), or `local` for this machine without SSH. `${NAME}` is replaced from the step's environment (and masked).",
    }),
    user: key({
        kind: expandable(kinds_name('user name')),
        description: "SSH user for this host; overrides the environment's `user`. `${NAME}` is replaced as in `host`.",
    }),
    port: key({
        kind: expandable(integer(1, 65535)),
        default: 22,
        description: 'SSH port of this host. `${NAME}` is replaced as in `host` (it must then be a number).',
    }),
    deploy_path: key({
        kind: expandable(absolutePath),
        description: "Deploy path on this host; overrides the environment's `deploy_path`. `${NAME}` is replaced as in `host`.",
    }),
    labels: key({
        kind: labels,
        default: [],
        description: 'Labels of this host (e.g. `web`, `worker`): letters, digits, `.`, `_` and `-`, starting with a letter or digit. Not for `local`.',
    }),
    jump: key({
        kind: jumpChain,
        description: "Jump host(s) for this host, overriding the environment's `jump`: `user@host:port` or a list (a chain, the first reached first); `[]` for a direct connection. `${NAME}` as in the environment's.",
    }),
    proxy_command: key({
        kind: expandable(command),
        description: "Command run on the runner whose stdin and stdout carry this host's SSH connection (`%h`, `%p`, `%r`: host, port, user); overrides the environment's. Not with `jump`.",
    }),
    ...TARGETS.host,
};
const RUN = key({ kind: command, required: true, description: 'The shell command.' });
const HOOK_NAME = key({
    kind: hookName,
    description: "The hook's name in the log and the job summary (one line, at most 60 characters); without it, the first line of `run`, shortened.",
});
/** Keys of a `build` or `activate` hook written as a mapping. */
const HOOK_KEYS = { run: RUN, name: HOOK_NAME };
/** Keys of a `deploy` hook written as a mapping. */
const DEPLOY_HOOK_KEYS = {
    run: RUN,
    name: HOOK_NAME,
    ...TARGETS.deploy,
};
const ONLY_DEPLOY = { once: '`once` is only meaningful for deploy hooks' };
/** One healthcheck attempt may take at most this long; `interval` is bounded the same. */
const MAX_HEALTHCHECK_WAIT_MS = 10 * 60_000;
/** Keys of `healthcheck`. */
const HEALTHCHECK_KEYS = {
    url: key({
        kind: healthcheckUrl,
        description: "http(s) URL requested from the runner after each host switches; `{host}` is replaced by the host's host name or IP address (`host`, without user or port). Give `url` or `command`, not both.",
    }),
    command: key({
        kind: command,
        description: 'Shell command run on each host after its switch; it passes when it exits 0. Give `url` or `command`, not both.',
    }),
    expect_status: key({
        kind: integer(100, 599),
        default: 200,
        description: 'HTTP status the `url` must answer with (only with `url`).',
    }),
    timeout: key({
        kind: duration(1, MAX_HEALTHCHECK_WAIT_MS),
        default: 30_000,
        description: 'Timeout of one attempt: `30s`, `1500ms`, `2m`, or a bare integer meaning seconds; at most `10m`.',
    }),
    retries: key({ kind: integer(0), default: 5, description: 'Attempts after a failed one (attempts = retries + 1).' }),
    interval: key({
        kind: duration(0, MAX_HEALTHCHECK_WAIT_MS),
        default: 2_000,
        description: 'Pause between attempts, as a duration like `timeout`; at most `10m`.',
    }),
};
/** Keys of an environment. Each may also be written at the top level as a default for every environment. */
const schema_ENVIRONMENT_KEYS = {
    hosts: key({
        kind: hostList(HOST_ENTRY_KEYS),
        required: true,
        description: 'Hosts to deploy to: `user@host[:port]`, `host`, `[v6addr]:port`, `local` (this machine, no SSH), or a mapping with `host`, `user`, `port`, `deploy_path` and `labels`. `${NAME}` in an entry or its fields is replaced from the step\'s environment and masked (`- "${DEPLOY_HOST}"` may hold `user@host:port`).',
    }),
    user: key({
        kind: expandable(kinds_name('user name')),
        description: "Default SSH user for hosts that do not name one. Required unless every remote host names its user. `${NAME}` is replaced from the step's environment.",
    }),
    jump: key({
        kind: jumpChain,
        description: "Jump host for every host (OpenSSH's ProxyJump): `user@host:port` (user: the host's, port: 22 when not written) or a list, a chain reached in order. Each hop's host key must be in `known-hosts`. `${NAME}` in a hop is replaced from the step's environment and masked (shown as `***`).",
    }),
    proxy_command: key({
        kind: expandable(command),
        description: 'Command run on the runner whose stdin and stdout carry each SSH connection, e.g. `cloudflared access ssh --hostname %h` (`%h`, `%p`, `%r`: host, port, user, quoted). Not with `jump`. Each `${NAME}` in it must be set (checked before connecting) and is masked; bash expands it.',
    }),
    deploy_path: key({
        kind: expandable(absolutePath),
        description: "Absolute path holding `releases/`, `shared/` and the `current` symlink. Required unless every host sets its own. System directories and home directory roots are refused. `${NAME}` is replaced from the step's environment.",
    }),
    connect_retries: key({
        kind: integer(0, 10),
        default: 2,
        description: 'How many times a connection that fails before authentication (refused, timed out, reset, a name that does not resolve) is tried again, after 1 s, 2 s, 4 s…; within `connect-timeout` × tries in all. A refused key or host key is never retried.',
    }),
    url: key({ kind: url, description: 'Public URL of the environment: the `url` output and the job summary show it.' }),
    keep_releases: key({
        kind: integer(1),
        default: 5,
        description: 'How many releases to keep on each host (the current one included).',
    }),
    exclude: key({ kind: globs, default: [], description: 'Glob patterns of files not to upload.' }),
    shared_dirs: key({
        kind: relativePaths,
        default: [],
        description: 'Directories kept in `shared/` and symlinked into every release.',
    }),
    shared_files: key({
        kind: relativePaths,
        default: [],
        description: 'Files kept in `shared/` and symlinked into every release.',
    }),
    writable_dirs: key({
        kind: relativePaths,
        default: [],
        description: 'Directories the web server must be able to write.',
    }),
    writable_mode: key({
        kind: oneOf(WRITABLE_MODES),
        default: 'acl',
        description: 'How `writable_dirs` are made writable: `acl` (setfacl), `chmod`, `chown`, `chgrp`, or `skip`.',
    }),
    writable_use_sudo: key({ kind: kinds_boolean, default: false, description: 'Run the writable commands with sudo.' }),
    writable_recursive: key({ kind: kinds_boolean, default: false, description: 'Apply the writable mode recursively.' }),
    writable_chmod_mode: key({
        kind: octalMode,
        default: '0755',
        description: 'Mode for `writable_mode: chmod`, as octal digits (`"0755"`, `"775"`).',
    }),
    http_user: key({
        kind: kinds_name('user name'),
        description: 'User the web server runs as; detected on the host when unset.',
    }),
    http_group: key({ kind: kinds_name('group name'), description: 'Group the web server runs as (for `chgrp`).' }),
    clear_paths: key({
        kind: relativePaths,
        default: [],
        description: 'Paths removed from each release before it goes live.',
    }),
    clear_use_sudo: key({ kind: kinds_boolean, default: false, description: 'Remove `clear_paths` with sudo.' }),
    hook_timeout: key({
        kind: duration(1_000, 24 * 3_600_000),
        default: 1_800_000,
        description: 'How long one deploy or activate command (or an `exec` command) may run before it is stopped and the deploy fails (nothing is activated), as a duration (`30s`, `10m`, `2h`, or seconds). Default `30m`.',
    }),
    full_upload: key({
        kind: kinds_boolean,
        default: false,
        description: "Always ship the whole build. By default a host with a live release gets only what changed (compared with the live release's manifest), checked against the build before anything goes live.",
    }),
    env: key({
        kind: envMap,
        default: [],
        description: "Environment variables for hooks. `${NAME}` is replaced from the step's environment (and masked); `$${NAME}` is a literal `${NAME}`. Names starting with `DEPLOY_` are reserved.",
    }),
    strategy: key({
        kind: oneOf(STRATEGIES),
        default: 'all-at-once',
        description: 'How hosts switch to the new release: `all-at-once` (together, once every host is staged) or `rolling` (in batches of `batch_size`).',
    }),
    max_parallel: key({
        kind: integer(1),
        default: 10,
        description: 'How many hosts are connected to, staged and run their deploy hooks at once.',
    }),
    batch_size: key({
        kind: integer(1),
        default: 1,
        description: 'With `strategy: rolling`, how many hosts switch per batch (may exceed the number of hosts).',
    }),
    build: key({
        kind: hookList(HOOK_KEYS, { misplaced: TARGETS.buildMisplaced }),
        default: [],
        description: 'Shell commands run on the runner in the build copy before upload: strings, or mappings with `run` (and `name`).',
    }),
    deploy: key({
        kind: hookList(DEPLOY_HOOK_KEYS),
        default: [],
        description: 'Shell commands run on each host in the new release before the switch: strings, or mappings with `run`, `name`, `on` (the hosts it runs on: names or `label=NAME`) and `once` (`true` or where: it runs on one host only, before any host switches).',
    }),
    activate: key({
        kind: hookList({ ...HOOK_KEYS, ...TARGETS.activate }, { misplaced: ONLY_DEPLOY }),
        default: [],
        description: 'Shell commands run on each host right after its switch (e.g. reload php-fpm): strings, or mappings with `run` (and `name`, `on`: the hosts it runs on).',
    }),
    healthcheck: key({
        kind: healthcheck(HEALTHCHECK_KEYS),
        description: 'Checks each host after its switch: `url` (requested from the runner, answering `expect_status`) or `command` (run on the host, exit 0), retried `retries` times `interval` apart, each attempt limited to `timeout`.',
    }),
    ...smallKeys({ ...HOOK_KEYS, ...TARGETS.activate }, ONLY_DEPLOY),
    ...MAINTENANCE_ENV_KEYS,
    ...STAGE_KEYS,
    ...FILES_KEYS,
};
/** Keys only valid at the top level; every environment key is valid there too. */
const schema_TOP_LEVEL_ONLY_KEYS = {
    name: key({
        kind: applicationName,
        description: 'Application name. Defaults to the name of the directory holding the config file.',
    }),
    environments: key({
        kind: environmentMap(schema_ENVIRONMENT_KEYS, {
            name: '`name` is only allowed at the top level',
            environments: '`environments` is only allowed at the top level',
        }),
        required: true,
        description: 'The environments (e.g. `production`, `staging`), each a mapping of the environment keys.',
    }),
};
const schema_TOP_LEVEL_KEYS = { ...schema_TOP_LEVEL_ONLY_KEYS, ...schema_ENVIRONMENT_KEYS };

;// CONCATENATED MODULE: ./src/config/merged.ts

/** An environment's keys with top-level defaults applied (environment value replaces, no deep merge). */
class Merged {
    top;
    own;
    constructor(top, own) {
        this.top = top;
        this.own = own;
    }
    get(k) {
        return k in this.own.keys ? this.own.values[k] : this.top.values[k];
    }
    written(k) {
        return k in this.own.keys || k in this.top.keys;
    }
    or(k) {
        return this.get(k) ?? schema_ENVIRONMENT_KEYS[k].default;
    }
}
function checkRequired(merged, at, position) {
    for (const [k, spec] of Object.entries(schema_ENVIRONMENT_KEYS)) {
        if ('required' in spec && spec.required && !merged.written(k)) {
            at.problemAt(position, `missing required key \`${k}\``);
        }
    }
}

;// CONCATENATED MODULE: ./src/config/routes.ts
/** How a host is reached: directly, through jump hosts, or over a proxy command (the environment's or its own). */





/** The environment's `jump` or `proxy_command`; both at once is a problem (`both` reports it) and means neither. */
function environmentRoute(jump, proxyCommand, both) {
    if (jump !== undefined && proxyCommand !== undefined) {
        both('give `jump` or `proxy_command` for the environment, not both');
        return {};
    }
    return { ...(jump === undefined ? {} : { jump }), ...(proxyCommand === undefined ? {} : { proxyCommand }) };
}
/** One hop written with `${NAME}`: expanded, checked as a hop, its values masked; undefined when wrong (reported). */
function expandHop(d, x) {
    let hop;
    const at = new Cursor(x.source, d.path);
    const expanded = x.expand(d, 'jump host (`user@host:port`)', (value) => {
        const parsed = parseHop(value, at, undefined);
        if (typeof parsed === 'string')
            return parsed;
        hop = parsed;
        return undefined;
    });
    if (!expanded || !hop)
        return undefined;
    const masked = HostExpander.maskable([expanded.value]);
    if (!masked)
        return hop;
    const shown = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
    // The host, and the hop as messages would name it, are masked as well as the value.
    x.add(hop.host, `${shown}:${hop.port}`, ...(hop.user === undefined ? [] : [`${hop.user}@${shown}:${hop.port}`]));
    return { ...hop, masked: true };
}
/**
 * A proxy command with `${NAME}` in it: each variable must be set and not empty (checked now, before anything
 * connects) and its value is masked. The command is kept as written: bash expands `${NAME}` from the same
 * environment when it runs it, so a value is one more word of the command, never more code.
 */
function checkProxyCommand(d, x) {
    const at = new Cursor(x.source, d.path);
    const from = x.from;
    const expansion = expandValue(d.template, x.env, from);
    for (const problem of expansion.problems)
        at.problemAt(d.position, problem);
    if (expansion.problems.length)
        return undefined;
    // `$${NAME}` is a literal: not a reference.
    const names = [...new Set([...d.template.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]))];
    const empty = names.filter((name) => (x.env[name] ?? '').trim() === '');
    if (empty.length) {
        const shown = referencedNames(empty.map((n) => `\${${n}}`).join(' '));
        return at.problemAt(d.position, `${shown} ${empty.length > 1 ? 'are' : 'is'} empty in ${from}: proxy_command needs a value`);
    }
    x.add(...names.map((name) => x.env[name]).filter((value) => HostExpander.maskable([value])));
    return d.template;
}
/**
 * A route with its `${NAME}` expanded and checked (for the chosen environment, before anything connects);
 * undefined when some part is wrong (reported).
 */
function expandRoute(route, x) {
    const { jump, proxyCommand } = route;
    if (proxyCommand !== undefined) {
        const command = isDeferred(proxyCommand) ? checkProxyCommand(proxyCommand, x) : proxyCommand;
        return command === undefined ? undefined : { proxyCommand: command };
    }
    if (jump === undefined)
        return {};
    const hops = jump.map((hop) => (isDeferred(hop) ? expandHop(hop, x) : hop));
    return hops.every((h) => h !== undefined) ? { jump: hops } : undefined;
}
/** A route as written, for an environment that is not chosen (its `${NAME}` need not be set): no hop expanded. */
function writtenRoute(route) {
    const jump = route.jump?.filter((hop) => !isDeferred(hop));
    const command = route.proxyCommand;
    return {
        ...(jump === undefined ? {} : { jump }),
        ...(command === undefined ? {} : { proxyCommand: isDeferred(command) ? command.template : command }),
    };
}
/** A host's route: its own `jump` or `proxy_command` if written, else the environment's; each hop gets a user. */
function hostRoute(route, user) {
    if (route.proxyCommand !== undefined)
        return { proxyCommand: route.proxyCommand };
    if (!route.jump?.length)
        return {};
    return { jump: route.jump.map((hop) => ({ ...hop, user: hop.user ?? user })) };
}

;// CONCATENATED MODULE: ./src/config/targets.ts
/**
 * Per-host settings and where hooks run, checked across keys of one environment: a host's `env` (expanded over the
 * environment's) and `vars` (plain values; a name in both is refused), and each hook's `on:`/`once:` selectors,
 * which must each match a host of the environment (a typo would otherwise skip a migration without a word).
 */



/** For a problem found in a top-level default while checking one environment, says which environment. */
function inEnvironment(entryPath, at) {
    if (entryPath.startsWith(`${at.path}.`))
        return '';
    return ` (in environment \`${at.path.slice('environments.'.length)}\`)`;
}
/**
 * A host's own `env` and `vars` in the chosen environment. `env` is expanded as the environment's (its secrets
 * masked), or, for a command that runs no hook, left empty with its unset references listed (`x.unset`).
 */
function hostSettings(entry, x, environmentEnv) {
    const out = {};
    const source = x.vars.source ?? STEP_ENVIRONMENT;
    if (entry.env?.length) {
        const env = {};
        for (const e of entry.env) {
            if (!x.vars.expandEnv) {
                for (const message of checkReferences(e.value, x.vars.env, source).unset)
                    x.unset.push({ ...e.position, path: e.path, message });
                continue;
            }
            const expansion = expandValue(e.value, x.vars.env, source);
            for (const problem of expansion.problems)
                new Cursor(x.src, e.path).problemAt(e.position, problem);
            env[e.name] = expansion.value;
            x.add(...expansion.secrets);
        }
        if (x.vars.expandEnv)
            out.env = env;
    }
    if (entry.vars?.length) {
        const taken = new Set([...environmentEnv, ...(entry.env ?? [])].map((e) => e.name));
        out.vars = {};
        for (const v of entry.vars) {
            if (taken.has(v.name)) {
                new Cursor(x.src, v.path).problemAt(v.position, `\`${v.name}\` is set in \`env\` too: give each name in \`env\` or in \`vars\`, not both`);
            }
            else
                out.vars[v.name] = v.value;
        }
    }
    return out;
}
/**
 * Each `on:`/`once:` selector of `hooks` must match a host: labels are checked against the entries as written in
 * every environment, host names against `resolved` (the chosen environment's hosts, before `hosts` selects).
 */
function checkHookTargets(at, entries = [], resolved, ...lists) {
    let written;
    for (const hook of lists.flat()) {
        const target = hook.on;
        if (!target)
            continue;
        for (const item of target.items) {
            const label = item.startsWith('label=');
            if (label)
                written ??= entries.map((e) => ({ ...e.spec, name: '', host: '' }));
            const hosts = label ? written : resolved;
            if (!hosts || hosts.some((h) => selectedBy([item], h)))
                continue;
            const known = label
                ? [...new Set(entries.flatMap((e) => e.spec.labels))].map((l) => `label=${l}`).join(', ')
                : hosts.map((h) => h.name).join(', ');
            new Cursor(at.source, target.path).problemAt(target.position, `\`${item}\` matches no host of this environment${inEnvironment(target.path, at)}` +
                `; ${label ? 'its labels' : 'its hosts'}: ${known || '(none)'}` +
                (target.key === 'once' ? ' (`once: true` runs on the first host)' : ''));
        }
    }
}
/** What runs on `host` sees: the environment's `env`, the host's own `env` over it, and the host's `vars`. */
function hostEnv(config, host) {
    return { ...config.env, ...host.env, ...host.vars };
}

;// CONCATENATED MODULE: ./src/config/validate.ts
/**
 * From a parsed deploy.yml to one environment's settings: reads every key of every environment (so a typo in
 * `staging` is caught while deploying `production`), merges top-level defaults, checks what spans keys (users,
 * duplicate hosts, deploy_path, overlapping shared paths), and expands `${NAME}` for the chosen environment.
 */














/**
 * The environment's hosts with its `user` and `deploy_path` applied. For the chosen environment (`x` given) the
 * `${NAME}` fields are expanded and checked; in another one an entry with `${NAME}` is only checked as written.
 */
function resolveHosts(merged, at, position, x, userFor) {
    const entries = merged.get('hosts') ?? [];
    const userValue = merged.get('user');
    const pathValue = merged.get('deploy_path');
    const user = isDeferred(userValue) && x ? x.expand(userValue, 'user name', userProblem)?.value : userValue;
    const deployPath = isDeferred(pathValue) && x ? x.expand(pathValue, 'deploy_path', deployPathProblem)?.value : pathValue;
    const retries = merged.or('connect_retries');
    const seen = new Map();
    const hosts = [];
    let missingPath = false;
    const envRoute = environmentRoute(merged.get('jump'), merged.get('proxy_command'), (m) => at.problemAt(position, m));
    // `${NAME}` in a route: expanded for the chosen environment (once for the environment's), else left as written.
    const route = x ? expandRoute(envRoute, x) : writtenRoute(envRoute);
    for (const entry of entries) {
        const { path } = entry;
        const ownRoute = {
            ...(entry.jump === undefined ? {} : { jump: entry.jump }),
            ...(entry.proxyCommand === undefined ? {} : { proxyCommand: entry.proxyCommand }),
        };
        const hostAt = new Cursor(at.source, path);
        const expanded = x ? expandEntry(entry, x) : { spec: entry.spec, deployPath: entry.deployPath, secret: false };
        if (!expanded)
            continue;
        const { spec, deployPath: own, secret } = expanded;
        const mine = ownRoute.jump || ownRoute.proxyCommand ? ownRoute : undefined;
        const reach = mine ? (x ? expandRoute(mine, x) : writtenRoute(mine)) : route;
        if (reach === undefined)
            continue;
        const hostUser = spec.local ? undefined : (spec.user ?? user ?? userFor?.(spec.host));
        // A user from `${NAME}` that was wrong has been reported; an entry of another environment may name its user.
        const userFailed = isDeferred(userValue) && !!x && user === undefined;
        if (!spec.local && hostUser === undefined && !userFailed && !(entry.deferred?.whole && !x)) {
            const shown = secret ? '***' : spec.name;
            hostAt.problemAt(spec.position, `no user for host \`${shown}\`: write \`user@${shown}\`, add \`user:\` to the host, or set \`user:\` for the environment${inEnvironment(path, at)}`);
            continue;
        }
        const name = spec.local ? spec.name : hostDisplayName(spec.host, written(hostUser ?? ''), spec.port);
        const earlier = seen.get(name);
        if (earlier) {
            hostAt.problemAt(spec.position, `duplicate host \`${secret ? '***' : name}\` (also at line ${earlier.line})${inEnvironment(path, at)}`);
            continue;
        }
        // An entry of another environment with `${NAME}` in it is not known yet: it cannot be a duplicate.
        if (x || !entry.deferred)
            seen.set(name, spec.position);
        if (entry.deployPath === undefined && pathValue === undefined)
            missingPath = true;
        if (!x)
            continue;
        const hostPath = typeof own === 'string' ? own : typeof deployPath === 'string' ? deployPath : '';
        if (secret)
            x.add(name);
        hosts.push({
            ...spec,
            name,
            user: hostUser === undefined ? undefined : written(hostUser),
            deployPath: hostPath,
            // Only when not the default (fleet/connect.ts applies it): a host reads as it always did.
            ...(retries === schema_ENVIRONMENT_KEYS.connect_retries.default ? {} : { connectRetries: retries }),
            ...(secret ? { masked: true } : {}),
            ...hostSettings(entry, x, merged.or('env')),
            ...(spec.local ? {} : hostRoute(reach, hostUser === undefined ? undefined : written(hostUser))),
        });
    }
    if (missingPath && !merged.written('deploy_path')) {
        at.problemAt(position, 'missing required key `deploy_path` (set it for the environment, or on every host)');
    }
    return { hosts, deployPath: typeof deployPath === 'string' ? deployPath : '' };
}
function checkShared(merged, at) {
    const dirs = merged.or('shared_dirs');
    const files = merged.or('shared_files');
    const located = [...dirs, ...files];
    const entries = [
        ...dirs.map((d) => ({ value: d.value, tag: 'dir' })),
        ...files.map((f) => ({ value: f.value, tag: 'file' })),
    ];
    for (const [index, message] of sharedOverlapProblems(entries)) {
        const entry = located[index];
        new Cursor(at.source, entry.path).problemAt(entry.position, `${message}${inEnvironment(entry.path, at)}`);
    }
}
/** `${NAME}` references that are wrong whatever the step's environment holds: checked in every environment. */
function checkEnvReferences(merged, at) {
    for (const entry of merged.or('env')) {
        for (const problem of checkReferences(entry.value, {}).problems)
            new Cursor(at.source, entry.path).problemAt(entry.position, problem);
    }
}
/**
 * The chosen environment's `env` with `${NAME}` expanded; an unset variable is a problem. For a command that runs
 * no hook nothing is expanded and nothing need be set: the unset references are only listed (a dry run tells them).
 */
function expandEnv(merged, at, options) {
    if (!options.expandEnv) {
        const unset = new Problems();
        for (const entry of merged.or('env')) {
            for (const message of checkReferences(entry.value, options.env, options.envSource).unset)
                unset.add(entry.position, entry.path, message);
        }
        return { env: {}, secrets: [], envSkipped: { unset: unset.list } };
    }
    const out = {};
    const secrets = new Set();
    for (const entry of merged.or('env')) {
        const expansion = expandValue(entry.value, options.env, options.envSource);
        for (const problem of expansion.problems)
            new Cursor(at.source, entry.path).problemAt(entry.position, problem);
        out[entry.name] = expansion.value;
        for (const secret of expansion.secrets)
            secrets.add(secret);
    }
    return { env: out, secrets: [...secrets] };
}
const strings = (values) => values.map((v) => v.value);
function buildConfig(merged, { hosts, deployPath }, loadedEnv, names) {
    return {
        ...names,
        hosts,
        deployPath,
        connectRetries: merged.or('connect_retries'),
        ...(merged.get('url') === undefined ? {} : { url: merged.get('url') }),
        keepReleases: merged.or('keep_releases'),
        exclude: strings(merged.or('exclude')),
        ...(merged.get('exclude_from') === undefined ? {} : { excludeFrom: merged.get('exclude_from') }),
        sharedDirs: strings(merged.or('shared_dirs')),
        sharedFiles: strings(merged.or('shared_files')),
        writableDirs: strings(merged.or('writable_dirs')),
        writableMode: merged.or('writable_mode'),
        writableUseSudo: merged.or('writable_use_sudo'),
        writableRecursive: merged.or('writable_recursive'),
        writableChmodMode: merged.or('writable_chmod_mode'),
        ...(merged.get('http_user') === undefined ? {} : { httpUser: merged.get('http_user') }),
        ...(merged.get('http_group') === undefined ? {} : { httpGroup: merged.get('http_group') }),
        clearPaths: strings(merged.or('clear_paths')),
        clearUseSudo: merged.or('clear_use_sudo'),
        fullUpload: merged.or('full_upload'),
        hookTimeoutMs: merged.or('hook_timeout'),
        stageTtlMs: merged.or('stage_ttl'),
        ...(merged.get('preview_link') === undefined ? {} : { previewLink: merged.get('preview_link') }),
        ...loadedEnv,
        build: merged.or('build'),
        deploy: merged.or('deploy'),
        strategy: merged.or('strategy'),
        maxParallel: merged.or('max_parallel'),
        batchSize: merged.or('batch_size'),
        activate: merged.or('activate'),
        rollback: merged.or('rollback'),
        ...(merged.get('healthcheck') === undefined ? {} : { healthcheck: merged.get('healthcheck') }),
        ...(merged.get('maintenance') === undefined ? {} : { maintenance: merged.get('maintenance') }),
    };
}
/** Validates the whole document and returns the chosen environment's settings; problems go to source.problems. */
function validateDocument(source, options) {
    const root = new Cursor(source, '');
    const contents = source.doc.contents;
    if (contents === null || ((0,dist/* isScalar */.jn)(contents) && contents.value === null)) {
        root.problemAt(root.position(null), 'the file is empty: expected a mapping with `environments`');
        return undefined;
    }
    const top = readMapping(contents, root, schema_TOP_LEVEL_KEYS, {
        requiredFrom: schema_TOP_LEVEL_ONLY_KEYS,
        requiredAt: root.position(null),
    });
    if (!top)
        return undefined;
    const environments = top.values.environments ?? [];
    let chosen;
    for (const environment of environments) {
        if (!environment.mapping)
            continue;
        const at = new Cursor(source, environment.path);
        const merged = new Merged(top, environment.mapping);
        checkRequired(merged, at, environment.position);
        const isChosen = environment.name === options.environment;
        const x = isChosen ? new HostExpander(source, { ...options, source: options.envSource }) : undefined;
        const hosts = resolveHosts(merged, at, environment.position, x, options.userFor);
        checkShared(merged, at);
        checkEnvReferences(merged, at);
        checkHookTargets(at, merged.get('hosts'), x && hosts.hosts, merged.or('deploy'), merged.or('activate'), merged.or('rollback'));
        if (isChosen && x) {
            const loadedEnv = expandEnv(merged, at, options);
            // The hosts' values are masked whether or not the command runs hooks: every command reaches the hosts.
            loadedEnv.secrets = [...new Set([...loadedEnv.secrets, ...x.secrets])];
            loadedEnv.envSkipped?.unset.push(...x.unset);
            const built = buildConfig(merged, hosts, loadedEnv, {
                application: top.values.name ?? options.defaultName,
                environment: environment.name,
                file: source.file,
            });
            chosen = withFiles(built, merged.or('files'), merged.or('require_shared_files'), source, options);
        }
    }
    if (top.values.environments && !environments.some((e) => e.name === options.environment)) {
        const names = environments.map((e) => `\`${e.name}\``).join(', ');
        root
            .child('environments')
            .problemAt(top.keys.environments ?? root.position(null), `environment \`${options.environment}\` not found; ${names ? `defined: ${names}` : 'none is defined'}`);
    }
    return chosen;
}

;// CONCATENATED MODULE: ./src/config/load.ts
/** Reading deploy.yml: file → YAML document (syntax, duplicate keys, alias abuse) → validated settings. */







/** More aliases than this in one document is treated as a "billion laughs" attack. */
const MAX_ALIAS_COUNT = 100;
const MAX_FILE_BYTES = 1024 * 1024;
const FRIENDLIER = {
    TAB_AS_INDENT: 'tabs are not allowed for indentation; indent with spaces',
    DUPLICATE_KEY: 'duplicate key: each key may appear only once in a mapping',
    MULTIPLE_DOCS: 'the file must hold a single YAML document (remove the `---` separator)',
};
/** The message of anything thrown (Node errors may come from another realm, so no instanceof). */
function messageOf(error) {
    if (typeof error === 'object' && error !== null && 'message' in error)
        return String(error.message);
    return String(error);
}
function codeOf(error) {
    return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}
function load_readText(options, problems) {
    if (options.text !== undefined)
        return options.text;
    try {
        return (0,external_node_fs_.readFileSync)(options.file, 'utf8');
    }
    catch (error) {
        const code = codeOf(error);
        const reason = code === 'ENOENT'
            ? missingConfigMessage(options.file, options.surface)
            : code === 'EISDIR'
                ? 'it is a directory'
                : messageOf(error);
        problems.add({ file: options.file, line: 1, column: 1 }, '', `cannot read the config file: ${reason}`);
        return undefined;
    }
}
function reportYamlErrors(errors, root) {
    for (const error of errors) {
        const { line, col } = root.source.lineCounter.linePos(error.pos[0]);
        const message = FRIENDLIER[error.code] ?? `YAML: ${error.message.split('\n')[0]}`;
        root.problemAt({ file: root.source.file, line, column: col }, message);
    }
}
/**
 * Unknown aliases and alias bombs, which the parser itself lets through. A document without an alias has neither:
 * it is not converted (a conversion of the whole document costs as much as reading it).
 */
function checkAliases(doc, root) {
    let bad = false;
    let first = null;
    (0,dist/* visit */.YR)(doc, {
        Alias(_, node) {
            first ??= node;
            if (node.resolve(doc) === undefined) {
                root.problem(node, `unknown alias \`*${node.source}\` (no anchor \`&${node.source}\` before it)`);
                bad = true;
            }
        },
    });
    if (bad || first === null)
        return;
    try {
        doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    }
    catch (error) {
        const excessive = /alias count/i.test(messageOf(error));
        root.problem((0,dist/* isAlias */.Vj)(first) ? first : null, excessive
            ? `too many alias expansions (over ${MAX_ALIAS_COUNT}): refusing a possible "billion laughs" document`
            : `YAML: ${messageOf(error)}`);
    }
}
function load(options, problems) {
    const text = load_readText(options, problems);
    if (text === undefined)
        return undefined;
    if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
        problems.add({ file: options.file, line: 1, column: 1 }, '', `the config file is larger than ${MAX_FILE_BYTES} bytes`);
        return undefined;
    }
    const lineCounter = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, {
        lineCounter,
        prettyErrors: false,
        uniqueKeys: true,
        merge: false,
        version: '1.2',
        logLevel: 'error',
    });
    const source = { file: options.file, lineCounter, doc, problems };
    const root = new Cursor(source, '');
    reportYamlErrors([...doc.errors, ...doc.warnings], root);
    if (!problems.empty)
        return undefined;
    // An alias is written `*name`: a file without a `*` has none, and its tree need not be walked for one.
    if (text.includes('*'))
        checkAliases(doc, root);
    if (!problems.empty)
        return undefined;
    return validateDocument(source, {
        environment: options.environment,
        env: options.env ?? {},
        envSource: options.envSource,
        expandEnv: options.expandEnv ?? true,
        defaultName: (0,external_node_path_.basename)((0,external_node_path_.dirname)((0,external_node_path_.resolve)(options.file))),
        ...(options.userFor ? { userFor: options.userFor } : {}),
    });
}
/** Loads, validates and returns one environment of deploy.yml. Throws ConfigError (only) listing every problem. */
function loadConfig(options) {
    const problems = new Problems();
    let config;
    try {
        config = load(options, problems);
    }
    catch (error) {
        if (error instanceof ConfigError)
            throw error;
        const reason = messageOf(error);
        problems.add({ file: options.file, line: 1, column: 1 }, '', `internal error while reading the config: ${reason}`);
    }
    problems.throwIfAny();
    if (!config) {
        // validateDocument returns a config whenever it recorded no problem; this guards the invariant.
        throw new ConfigError([
            { file: options.file, line: 1, column: 1, path: '', message: 'no configuration was produced' },
        ]);
    }
    return config;
}

;// CONCATENATED MODULE: ./src/config/jsonschema.ts
/** deploy.yml's JSON Schema (draft 2020-12), generated from the same key specs the validator uses. */


function toJsonSchema() {
    // `hosts` is required per environment, but may be inherited from the top level: the validator checks it.
    const environment = objectSchema(ENVIRONMENT_KEYS, {});
    return {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title: 'deploy-action configuration (deploy.yml)',
        description: "Every environment key may also be written at the top level as a default for all environments; an environment's own value replaces it.",
        ...objectSchema(TOP_LEVEL_KEYS, TOP_LEVEL_ONLY_KEYS),
        $defs: {
            environment: {
                description: 'Settings of one environment.',
                ...environment,
            },
        },
    };
}
/** The text of the published deploy.schema.json (`npm run schema`): two-space JSON and a final newline. */
function schemaText() {
    return `${JSON.stringify(toJsonSchema(), null, 2)}\n`;
}

;// CONCATENATED MODULE: ./src/config/index.ts
/** deploy.yml: loading, strict validation with positions, defaults, `${NAME}` expansion, and its JSON Schema. */















/***/ }),

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   c: () => (/* binding */ Cancelled)
/* harmony export */ });
/** A run that was cancelled; the hosts have undone its work. */
class Cancelled extends Error {
    constructor() {
        super("the run was cancelled; every host undid this run's unfinished work");
        this.name = 'Cancelled';
    }
}


/***/ }),

/***/ 6247:
/***/ ((__unused_webpack_module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_url__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
// ssh2's bundled poly1305 (emscripten) reads the CommonJS globals __dirname/__filename, which do not exist in an
// ES module. ncc inlines it into dist/index.js, so define them before anything else loads (ncc issue 749).


const g = globalThis;
g.__filename ??= (0,node_url__WEBPACK_IMPORTED_MODULE_0__.fileURLToPath)(import.meta.url);
g.__dirname ??= (0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(g.__filename);


/***/ }),

/***/ 7233:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Z: () => (/* binding */ FleetFailure),
/* harmony export */   h: () => (/* binding */ HostFailure)
/* harmony export */ });
/** How a run fails: on one host in one step, or as a whole (no one host). */
/** A failure on one host, in one step: what the user needs to find and fix it. */
class HostFailure extends Error {
    host;
    step;
    tail;
    rc;
    data;
    constructor(host, step, message, tail = [], 
    /** The failed step's exit status, and what the phase reported before it failed. */
    rc, data) {
        super(`${host}: ${step}: ${message}`);
        this.host = host;
        this.step = step;
        this.tail = tail;
        this.rc = rc;
        this.data = data;
        this.name = 'HostFailure';
    }
    /** Set when every host confirmed that it undid this run's work (nothing is left for the post step). */
    cleanedUp = false;
}
/**
 * A failure of the run as a whole, of no one host: the hosts disagree, or none has a release to roll back to. It
 * names the step and says what to do; it has no host to name.
 */
class FleetFailure extends Error {
    step;
    constructor(step, message) {
        super(message);
        this.step = step;
        this.name = 'FleetFailure';
    }
}


/***/ }),

/***/ 5625:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   K: () => (/* binding */ phaseLine),
/* harmony export */   Y: () => (/* binding */ seconds)
/* harmony export */ });
function seconds(ms) {
    return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
/**
 * The visible line after a phase's section: `stage: 3/3 hosts, 1.2 s`, `stage: failed on web2 (2/3 hosts ok),
 * 1.2 s`. `failed` says where (`on web2`, `in build hook "test"`); `unit` counts what the phase ran on (`host`,
 * `command`).
 */
function phaseLine(title, outcome) {
    const unit = outcome.unit ?? 'host';
    const of = `${outcome.ok}/${outcome.total} ${unit}${outcome.total === 1 ? '' : 's'}`;
    const how = outcome.cancelled
        ? `cancelled (${of} done)`
        : outcome.failed !== undefined
            ? `failed ${outcome.failed} (${of} ok)`
            : of;
    return `${title}: ${how}, ${seconds(outcome.ms)}`;
}


/***/ }),

/***/ 1239:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $t: () => (/* binding */ RELEASE_NAME_EXISTS),
/* harmony export */   SS: () => (/* binding */ uniqueReleaseName),
/* harmony export */   dA: () => (/* binding */ suffixedReleaseName),
/* harmony export */   jn: () => (/* binding */ isReleaseName),
/* harmony export */   v4: () => (/* binding */ checkReleaseName)
/* harmony export */ });
/* unused harmony export timestampName */
/** Release names become directory names and appear in scripts and JSON: a conservative character set. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** The release-name rule: what a name given to us, or reported by a host, must be to be used at all. */
function isReleaseName(name) {
    return typeof name === 'string' && NAME.test(name) && !name.includes('..');
}
function checkReleaseName(name, source) {
    if (!isReleaseName(name)) {
        throw new Error(`${source}: ${shownName(name)} is not a valid release name: use letters, digits, '.', '_' and '-' (at most ` +
            '100, starting with a letter or digit)');
    }
    return name;
}
/**
 * A name that broke the rule, as a message shows it: it may come from another job's output (a branch name, a
 * dispatch input), so quoted as JSON (a newline is `\n`, never a line of its own) and cut after 60 characters.
 */
function shownName(name) {
    return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}
/** `YYYYMMDDHHMMSS` in UTC, as Capistrano names releases. */
function timestampName(at) {
    return at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
/**
 * The default name for a new release: the timestamp, or with `-2`, `-3`… when a release of that name exists on
 * any host (two deploys within one second), so a default name never collides.
 */
function uniqueReleaseName(at, taken) {
    const base = timestampName(at);
    if (!taken.has(base))
        return base;
    for (let n = 2;; n++)
        if (!taken.has(`${base}-${n}`))
            return `${base}-${n}`;
}
/** What a deploy does when the `release-name` it was given exists on a host: fail, or take `NAME-2`, `NAME-3`… */
const RELEASE_NAME_EXISTS = ['fail', 'suffix'];
/** The first of `NAME-2`, `NAME-3`… not in `taken`; undefined when that would break the release-name rule. */
function suffixedReleaseName(name, taken) {
    for (let n = 2;; n++) {
        const candidate = `${name}-${n}`;
        if (!isReleaseName(candidate))
            return undefined;
        if (!taken.has(candidate))
            return candidate;
    }
}


/***/ }),

/***/ 2044:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   rc: () => (/* binding */ singleValues),
/* harmony export */   sm: () => (/* binding */ singleBlob),
/* harmony export */   zj: () => (/* binding */ shownInvalid)
/* harmony export */ });
/**
 * The values of a phase's result for the keys a step reports once, each checked to be reported at most once (`one`
 * gives '' for a key reported twice, and notes it as invalid: a second value is a forged marker, or a bug, never
 * joined or chosen between).
 */
function singleValues(result, invalid, keys) {
    const twice = new Set(keys.filter((k) => (result.data.get(k)?.length ?? 0) > 1));
    for (const k of twice)
        invalid.push({
            what: `the value "${k}", reported ${result.data.get(k).length} times (a forged report?)`,
            value: result.data.get(k).join('\n'),
        });
    return (key) => (twice.has(key) ? '' : (result.data.get(key)?.[0] ?? ''));
}
/** A blob as bytes, under the same rule: a blob sent twice is neither. */
function singleBlob(result, key) {
    return result.bytes.get(key)?.length === 1 ? result.bytes.get(key)[0] : undefined;
}
/** How an invalid value is shown in the log: as a JSON string (escapes shown), cut to 120 characters. */
function shownInvalid(value) {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 119)}…` : json;
}


/***/ }),

/***/ 4414:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ words),
/* harmony export */   q: () => (/* binding */ q)
/* harmony export */ });
/**
 * The one place that quotes values for the remote shell. Every value interpolated into a script passes through
 * `q`: it becomes one bash word, so spaces, quotes, `$(...)`, backticks and newlines are data, never code.
 * Quoting does not stop option injection: callers pass paths that start with a directory name or `/`, and put
 * `--` before operands where a command takes options.
 */
function q(value) {
    const text = String(value);
    if (text.includes('\0'))
        throw new Error('a value for the remote shell contains a NUL byte');
    if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(text))
        return text;
    return `'${text.replace(/'/g, `'\\''`)}'`;
}
/** Quotes each value and joins them with spaces: a list of words for a command line. */
function words(values) {
    return values.map(q).join(' ');
}


/***/ }),

/***/ 9120:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C3: () => (/* binding */ TOOLS_SH),
/* harmony export */   CU: () => (/* binding */ FENCE_SH),
/* harmony export */   Cj: () => (/* binding */ STAGE_DISCARD_SH),
/* harmony export */   Ct: () => (/* binding */ VERIFY_SH),
/* harmony export */   GJ: () => (/* binding */ FILE_INDEX_SH),
/* harmony export */   Gw: () => (/* binding */ HOOK_OUTPUT_SH),
/* harmony export */   Jf: () => (/* binding */ PRUNE_SH),
/* harmony export */   K3: () => (/* binding */ VERIFY_AWK),
/* harmony export */   KQ: () => (/* binding */ TRANSFER_SH),
/* harmony export */   NV: () => (/* binding */ INSPECT_SH),
/* harmony export */   OL: () => (/* binding */ PREPARE_SH),
/* harmony export */   QL: () => (/* binding */ PRELUDE_SH),
/* harmony export */   RU: () => (/* binding */ STAGE_SH),
/* harmony export */   UJ: () => (/* binding */ STAGE_CHECK_SH),
/* harmony export */   ZG: () => (/* binding */ REAP_SH),
/* harmony export */   _l: () => (/* binding */ STAGE_RERUN_SH),
/* harmony export */   bR: () => (/* binding */ FILES_RESTORE_SH),
/* harmony export */   cR: () => (/* binding */ DOCTOR_SH),
/* harmony export */   cn: () => (/* binding */ SESSION_LOOP_SH),
/* harmony export */   fp: () => (/* binding */ CONTAIN_PRELUDE_SH),
/* harmony export */   h1: () => (/* binding */ CLEANUP_SH),
/* harmony export */   ib: () => (/* binding */ CONTAIN_CHECK_SH),
/* harmony export */   ih: () => (/* binding */ FILES_SH),
/* harmony export */   ow: () => (/* binding */ UNLOCK_ANY_SH),
/* harmony export */   pW: () => (/* binding */ STAGE_TAKE_SH),
/* harmony export */   un: () => (/* binding */ MAINTENANCE_SH),
/* harmony export */   vr: () => (/* binding */ DELTA_SH),
/* harmony export */   zS: () => (/* binding */ STAGE_HOLD_SH)
/* harmony export */ });
// Generated by `npm run shell` (scripts/shell.ts) from the .sh and .awk files in this directory: edit those, then
// run it. Comments, blank lines and indentation are left out (the first exec request is bounded).
/** cleanup.sh */
const CLEANUP_SH = "stale=\n[ ! -d .deploy/trash ] || stale=$(find .deploy/trash -mindepth 1 -maxdepth 1 -mmin +10 -printf '%f ' 2>/dev/null || true)\n[ -z \"$stale\" ] || da_data warning \"earlier cleanups could not delete .deploy/trash/{ $stale} (files of another user?): remove them by hand\"\nif [ \"$#\" -eq 0 ]; then\necho \"nothing to clean up\"\nelse\ntrash=\".deploy/trash/$DA_OWNER\"\n[ ! -L .deploy/trash ] || rm -f .deploy/trash\nremoved=0\nmanifests=()\nfor name in \"$@\"; do\ncase $name in ''|.|..|*/*) continue ;; esac\n! [ current -ef \"releases/$name\" ] || continue\nmanifests+=(\".deploy/manifests/$name.gz\" \".deploy/manifests/$name.idx\")\nif [ -e \"releases/$name\" ]; then\nda_dir \"$trash\"\nmv -- \"releases/$name\" \"$trash/\" && removed=$((removed + 1))\nfi\ndone\nif [ -L .deploy/manifests ]; then\nda_data warning \".deploy/manifests is a symlink: the manifests of removed releases were left there; make it a directory\"\nelif [ \"${#manifests[@]}\" -gt 0 ]; then\nrm -f -- \"${manifests[@]}\"\nfi\nif [ \"$removed\" -gt 0 ]; then echo \"removed $removed old releases\"; else echo \"nothing left to clean up\"; fi\nfi\nif [ -d .deploy/trash ]; then\nif command -v setsid > /dev/null; then setsid rm -rf -- .deploy/trash < /dev/null > /dev/null 2>&1 &\nelse rm -rf -- .deploy/trash < /dev/null > /dev/null 2>&1 &\nfi\nfi\n";
/** contain-check.sh */
const CONTAIN_CHECK_SH = "da_leaves() {\nlocal depth=0 rest=$1 seg\ncase $2 in /*) return 0 ;; esac\nwhile [ \"$rest\" != \"${rest#*/}\" ]; do depth=$((depth + 1)); rest=${rest#*/}; done\nrest=$2/\nwhile [ -n \"$rest\" ]; do\nseg=${rest%%/*}; rest=${rest#*/}\ncase $seg in ''|.) ;; ..) depth=$((depth - 1)); [ \"$depth\" -ge 0 ] || return 0 ;; *) depth=$((depth + 1)) ;; esac\ndone\nreturn 1\n}\nda_refuse() {\nlocal target shown=$4 where='the release' why=${5:-}\nif [ \"$3\" = shared ]; then shown=shared/$4; where=shared/; fi\ntarget=$(readlink -- \"$3/$4\" 2>/dev/null) || target='?'\nif [ -z \"$why\" ]; then\nif da_leaves \"$4\" \"$target\"; then why=\", outside $where\"\nelse why=\" (inside $where, but a symlink in the middle of a path is never followed: name the real path)\"; fi\nfi\necho \"error: $1: $2: $shown is a symlink to $target$why\" >&2\n}\nda_resolves_inside() {\nlocal real rel='' sh=''\ncd -P -- \"$DA_DEPLOY_PATH/$1\" 2>/dev/null || { cd -- \"$DA_DEPLOY_PATH\" || true; return 2; }\nreal=$PWD/\nif cd -P -- \"$DA_DEPLOY_PATH/releases/$DA_RELEASE\" 2>/dev/null; then rel=$PWD/; fi\nif cd -P -- \"$DA_DEPLOY_PATH/shared\" 2>/dev/null; then sh=$PWD/; fi\ncd -- \"$DA_DEPLOY_PATH\" || return 1\nif [ -n \"$rel\" ]; then case $real in \"$rel\"*) return 0 ;; esac; fi\nif [ -n \"$sh\" ]; then case $real in \"$sh\"*) return 0 ;; esac; fi\nreturn 1\n}\nda_contain() {\nif ! da_parents_real \"$2\" \"$3\"; then da_refuse \"$1\" \"$3\" \"$2\" \"$DA_LINK\"; return 1; fi\n[ -L \"$2/$3\" ] || return 0\ncase $4 in\nany) return 0 ;;\nreal) da_refuse \"$1\" \"$3\" \"$2\" \"$3\" \"; deploy-action never writes through a link in shared/: make it a real $([ \"$1\" = shared_files ] && echo file || echo directory) there\"; return 1 ;;\nseeded) da_refuse \"$1\" \"$3\" \"$2\" \"$3\" \"; shared/ is seeded from this release, where the link would lead elsewhere: ship a real directory there\"; return 1 ;;\ninside)\nlocal rc=0\nda_resolves_inside \"$2/$3\" || rc=$?\ncase $rc in\n0) ;;\n1) da_refuse \"$1\" \"$3\" \"$2\" \"$3\" \", outside the release and shared/\"; return 1 ;;\n*) da_refuse \"$1\" \"$3\" \"$2\" \"$3\" \", which is not a directory\"; return 1 ;;\nesac ;;\nesac\n}\n";
/** contain-prelude.sh */
const CONTAIN_PRELUDE_SH = "da_parents_real() {\nlocal rest=$2 prefix=\nDA_LINK=\nwhile [ \"$rest\" != \"${rest#*/}\" ]; do\nprefix=${prefix:+$prefix/}${rest%%/*}; rest=${rest#*/}\nif [ -L \"$1/$prefix\" ]; then DA_LINK=$prefix; return 1; fi\n[ -d \"$1/$prefix\" ] || return 0\ndone\n}\nda_relpath_ok() { case /$1/ in //|*//*|*/./*|*/../*) return 1 ;; esac; }\n";
/** delta.sh */
const DELTA_SH = "new=\"releases/$DA_RELEASE\"; base=\"releases/$DA_BASE\"\n{ [ -d \"$base\" ] && [ -f \".deploy/manifests/$DA_BASE.gz\" ]; } || { echo \"error: the base release or its manifest is gone\" >&2; exit 1; }\nif [ \"$mode\" = copy ]; then\ncp -a --reflink=auto -- \"$base/.\" \"$new/\"\nelse\n! [ current -ef \"$base\" ] || { echo \"error: releases/$DA_BASE is live\" >&2; exit 1; }\nlisted=\"$DA_TMP/base.$DA_BASE\"\nif [ ! -f \"$listed\" ] || [ -s \"$listed.foreign\" ]; then\necho \"releases/$DA_BASE cannot be reused: it holds entries of another user or could not be walked ($(head -c 300 -- \"$listed.foreign\" 2>/dev/null | tr '\\n' ' ')): sending everything instead\"\n[ -e .deploy/check-base-first ] || : > .deploy/check-base-first\nda_chunks > /dev/null\nda_chunks > /dev/null\nda_data base foreign\nexit 99\nfi\nprintf 'recycled %s\\n' \"$DA_BASE\" >> \"$DA_PENDING\"\nmv -T -- \"$base\" \"$new\" # onto the empty directory the release step made: rename(2) replaces it\necho \"reusing releases/$DA_BASE, which cleanup would remove\"\nfi\ntmp=$DA_TMP; da_dir \"$tmp\"\nactual=\"$tmp/base.$DA_BASE\"\n[ -f \"$actual\" ] || { actual=\"$tmp/actual\"; (cd -- \"$new\" && find . -mindepth 1 ${prune[@]+\"${prune[@]}\"} -printf '%P\\0') > \"$actual\"; }\ngzip -dc \".deploy/manifests/$DA_BASE.gz\" > \"$tmp/known\"\nDA_SKIP=$skip awk -v known=\"$tmp/known\" 'BEGIN { RS = ORS = \"\\0\"; skip = ENVIRON[\"DA_SKIP\"] }\nFILENAME == known { p = $0; for (i = 0; i < 3; i++) p = substr(p, index(p, \"\\t\") + 1); listed[p] = 1; next }\n!($0 in listed) && (skip == \"\" || $0 !~ skip)' \"$tmp/known\" \"$actual\" > \"$tmp/prune\"\n[ -z \"$remove\" ] || printf '%s' \"$remove\" | base64 -d >> \"$tmp/prune\"\nda_prune \"$new\" < \"$tmp/prune\"\nda_unpack \"$new\"\nda_chunks > \".deploy/manifests/$DA_RELEASE.gz\"\nprintf '%s\\n' \"$revision\" > \"$new/REVISION\"\nentries=entries files=files\n[ \"$sent\" != 1 ] || entries=\"entry\"\n[ \"$unchanged\" != 1 ] || files=\"file\"\necho \"sent $sent changed $entries, $unchanged $files unchanged\"\n";
/** doctor.sh */
const DOCTOR_SH = "da_data doctor-bash \"$BASH_VERSION\"\nprintf -v now '%(%s)T' -1\nda_data doctor-clock \"$now\"\np=$DA_DEPLOY_PATH\nif [ -d \"$p\" ]; then\nda_data doctor-exists yes\nbad=\nfor d in . releases shared .deploy; do\n[ ! -e \"$p/$d\" ] || [ -w \"$p/$d\" ] || bad+=\"$d\"$'\\n'\ndone\nelse\nda_data doctor-exists no\nwhile [ ! -e \"$p\" ]; do\ncase $p in */*) p=${p%/*}; p=${p:-/} ;; *) p=. ;; esac\ndone\nbad=\n{ [ -d \"$p\" ] && [ -w \"$p\" ]; } || bad=$p\nda_data doctor-parent \"$p\"\nfi\nda_data doctor-unwritable \"${bad%$'\\n'}\"\nda_data doctor-free-kb \"$(df -Pk -- \"$p\" 2>/dev/null | awk 'NR == 2 { print $4 }' || true)\"\nif [ -n \"$acl\" ]; then if hash setfacl 2>/dev/null; then da_data doctor-setfacl yes; else da_data doctor-setfacl no; fi; fi\nif [ -n \"$sudo\" ]; then if sudo -n true </dev/null >/dev/null 2>&1; then da_data doctor-sudo yes; else da_data doctor-sudo no; fi; fi\nif [ -n \"$http_user\" ]; then if id -u -- \"$http_user\" >/dev/null 2>&1; then da_data doctor-http-user yes; else da_data doctor-http-user no; fi; fi\nif cd -- \"$DA_DEPLOY_PATH\" 2>/dev/null && [ -d .deploy/lock ]; then da_data doctor-lock held; da_lock_report; else da_data doctor-lock free; fi\n";
/** fence.sh */
const FENCE_SH = "da_fence() { da_owns_lock || da_lock_lost; }\nda_lock_lost() {\nlocal at='' by='' url='' other='' what line switched=''\n{ IFS= read -r at; IFS= read -r by; IFS= read -r url; } 2>/dev/null < \".deploy/unlocked/$DA_OWNER\" || true\nread -r other 2>/dev/null < .deploy/lock/owner || true\nif [ -n \"$at\" ]; then\nwhat=\"was removed at $at by ${by:-an unknown operator} (unlock${url:+, $url})\"\n[ -z \"$other\" ] || what=\"$what, then taken by $(da_lock_name)\"\nelif [ -n \"$other\" ]; then\nwhat=\"was replaced by $(da_lock_name) (without unlock: removed by hand?)\"\nelse\nwhat=\"is gone (removed by hand, without unlock)\"\nfi\nwhile IFS= read -r line; do case $line in \"switched \"*) switched=yes ;; esac; done 2>/dev/null < \"$DA_PENDING\" || true\nif [ -n \"$switched\" ]; then line=\"its switch is undone only where current still points at its release\"; else line=\"nothing was switched\"; fi\necho \"error: this run's lock $what; $line. This run stops here and changes nothing more: check what is live before deploying again.\" >&2\nexit 76\n}\nda_lock_name() {\nlocal repo run attempt actor runner name\nrepo=$(da_lock_field repository); run=$(da_lock_field run_id); attempt=$(da_lock_field run_attempt)\nactor=$(da_lock_field actor); runner=$(da_lock_field runner)\nif [ -n \"$run\" ]; then name=\"${repo:+$repo }run $run${attempt:+ (attempt $attempt)}\"\nelif [ -n \"$runner\" ]; then name=\"a CLI run on $runner\"\nelse name=\"another run\"\nfi\nprintf '%s' \"$name${actor:+ by $actor}\"\n}\n";
/** file-index.sh */
const FILE_INDEX_SH = "DA_FILE_SIG='%i %s %T@ %C@\\t%P\\0'\nda_list_files() { find . -mindepth 1 \"$@\" -type f -printf \"$DA_FILE_SIG\"; }\nda_mark_time() { : > \"$1\" && find \"$1\" -printf '%C@'; }\nda_index_write() {\ngzip -dc \".deploy/manifests/$3.gz\" > \"$1.manifest\" &&\nawk -v mark=\"$2\" -v manifest=\"$1.manifest\" 'BEGIN { RS = ORS = \"\\0\" }\nFILENAME == manifest { if (substr($0, 1, 1) == \"f\") hash[substr($0, 41)] = substr($0, 8, 32); next }\n{ t = index($0, \"\\t\"); sig = substr($0, 1, t - 1); p = substr($0, t + 1); split(sig, s, \" \")\nif ((p in hash) && s[4] + 0 < mark - 0.01) print sig \"\\t\" hash[p] \"\\t\" p }' \"$1.manifest\" \"$1\" > \".deploy/manifests/$3.idx.tmp\" &&\nmv -f -- \".deploy/manifests/$3.idx.tmp\" \".deploy/manifests/$3.idx\"\nrm -f -- \"$1.manifest\"\n}\n";
/** files-restore.sh */
const FILES_RESTORE_SH = "da_files_restore() {\nlocal line kind value n mode path\n[ -f \"$DA_PENDING\" ] || return 0\nwhile IFS= read -r line; do\nkind=${line%% *}; value=${line#* }\ncase $kind in\nfile-backup) n=${value%% *}; value=${value#* }; mode=${value%% *}; path=${value#* } ;;\nfile-created) n=''; mode=''; path=$value ;;\n*) continue ;;\nesac\nif [ -n \"$1\" ]; then\necho \"left shared/$path as this run wrote it: it lost its lock and another run may use it by now\"\ncontinue\nfi\ncase $n:$mode in *[!0-9:]*|[!:]*:|:?*) echo \"ignored the pending line \\\"$line\\\"\"; continue ;; esac\nif ! da_relpath_ok \"$path\" || ! da_parents_real shared \"$path\" || [ -L \"shared/$path\" ]; then\necho \"left shared/$path: not a plain path in shared/ (a symlink is never followed)\"\nelif [ -z \"$n\" ]; then\nrm -f -- \"shared/$path\" && echo \"removed shared/$path, written by this run\"\nelif [ -f \"$DA_TMP/backup/$n\" ] && chmod -- \"$mode\" \"$DA_TMP/backup/$n\" && mv -fT -- \"$DA_TMP/backup/$n\" \"shared/$path\"; then\necho \"put back the previous shared/$path\"\nelse\necho \"could not put back the previous shared/$path (its copy in $DA_TMP/backup is gone)\"\nfi\ndone < <(tac -- \"$DA_PENDING\")\n}\n";
/** files.sh */
const FILES_SH = "da_file_put() {\nlocal root=shared target tmp sum='' cur='' state=changed seeded=''\n[ \"$2\" = shared ] || root=releases/$DA_RELEASE\ntarget=$root/$3\nif ! da_parents_real \"$root\" \"$3\"; then\necho \"error: files: $3: $root/$DA_LINK is a symlink (to $(readlink -- \"$root/$DA_LINK\" || echo '?')): deploy-action never writes through a link; make it a real directory\" >&2\nreturn 1\nfi\nif [ -L \"$target\" ] && [ \"$2\" = shared ]; then\necho \"error: files: $3: shared/$3 is a symlink (to $(readlink -- \"$target\" || echo '?')): deploy-action never writes through a link in shared/; make it a real file there\" >&2\nreturn 1\nfi\nif [ ! -L \"$target\" ] && [ -e \"$target\" ] && [ ! -f \"$target\" ]; then\necho \"error: files: $3: $target exists and is not a regular file\" >&2\nreturn 1\nfi\nif [ -f \"$target\" ] && [ ! -L \"$target\" ]; then\nsum=$(sha256sum < \"$target\")\nsum=${sum%% *}\ncur=$(stat -c %a -- \"$target\")\nfi\nif [ -n \"$cur\" ] && [ \"$2\" = shared ] && da_files_seeded \"$3\"; then seeded=yes; fi\nif [ \"$sum\" = \"$5\" ]; then\n[ \"$((8#$cur))\" -eq \"$((8#$4))\" ] || chmod -- \"$4\" \"$target\"\nstate=unchanged\nelse\n[ -n \"$cur\" ] && [ -z \"$seeded\" ] || state=created\nda_dir \"${target%/*}\"\ntmp=${target%/*}/.${target##*/}.da-$DA_OWNER\nif [ -e \"$tmp\" ] || [ -L \"$tmp\" ]; then rm -f -- \"$tmp\"; fi\n(umask 077; set -C; { chmod -- \"$4\" \"$tmp\"; printf '%s' \"$c\" >&3; } 3> \"$tmp\")\nif [ \"$2\" = shared ] && [ -z \"$seeded\" ]; then\nif [ -n \"$cur\" ]; then\n(umask 077; da_dir \"$DA_TMP/backup\" && cp --preserve=timestamps -- \"$target\" \"$DA_TMP/backup/$1\")\nprintf 'file-backup %s %s %s\\n' \"$1\" \"$cur\" \"$3\" >> \"$DA_PENDING\"\nelse\nprintf 'file-created %s\\n' \"$3\" >> \"$DA_PENDING\"\nfi\nfi\nmv -fT -- \"$tmp\" \"$target\"\nfi\nda_data file \"$1 $state\"\nda_files_said+=\"${da_files_said:+, }$3 $state\"\n}\nda_files_seeded() {\nlocal line\n[ -f \"$DA_PENDING\" ] || return 1\nwhile IFS= read -r line; do [ \"$line\" != \"seeded $1\" ] || return 0; done < \"$DA_PENDING\"\nreturn 1\n}\nda_files_required() {\nlocal p bad=''\nfor p in \"$@\"; do\n[ -s \"shared/$p\" ] || bad+=\"${bad:+, }shared/$p\"\ndone\n[ -n \"$bad\" ] || return 0\necho \"error: require_shared_files: $bad missing or empty in $DA_DEPLOY_PATH: put the file there before deploying (it holds what the repository does not), write it with a \\`files:\\` entry, or remove it from shared_files\" >&2\nreturn 1\n}\n";
/** hook-output.sh */
const HOOK_OUTPUT_SH = "da_output_open() {\nda_dir \"$DA_TMP\"\nDEPLOY_OUTPUT=\"$PWD/$DA_TMP/output.$1\"\nif [ -e \"$DEPLOY_OUTPUT\" ] || [ -L \"$DEPLOY_OUTPUT\" ]; then rm -f -- \"$DEPLOY_OUTPUT\"; fi\n(umask 077 && set -C && : > \"$DEPLOY_OUTPUT\")\nexport DEPLOY_OUTPUT\n}\nda_output_close() {\nif [ -n \"${1:-}\" ] && [ -f \"$DEPLOY_OUTPUT\" ] && [ ! -L \"$DEPLOY_OUTPUT\" ] && [ -s \"$DEPLOY_OUTPUT\" ]; then\nhead -c 32769 -- \"$DEPLOY_OUTPUT\" | da_blob \"output.$1\"\nfi\nrm -f -- \"$DEPLOY_OUTPUT\"\n}\n";
/** inspect.sh */
const INSPECT_SH = "da_data_hold user \"${USER:-$(id -un)}\"\nif ! cd -- \"$DA_DEPLOY_PATH\" 2>/dev/null; then da_data_hold absent yes; exit 0; fi\nlive=$(readlink current 2>/dev/null || true)\nda_data_hold live \"$live\"\noffered=\ndirs=(releases/*/)\nif [ -d \"${dirs[0]}\" ]; then\nda_blob_hold releases < <(\nstat --printf '%Y\\t%n\\0' -- \"${dirs[@]}\"\nfor d in \"${dirs[@]}\"; do rev=; read -r rev 2>/dev/null < \"${d}REVISION\" || true; printf 'rev\\t%s\\t%s\\0' \"$d\" \"${rev:0:64}\"; done\n)\nif [ -n \"$offer_from\" ] && [ \"${#dirs[@]}\" -ge \"$offer_from\" ]; then\nbase=\nfor d in \"${dirs[@]}\"; do\nd=${d%/}; [ \"$d\" != \"$live\" ] || continue\n{ [ -n \"$base\" ] && ! [[ $d < $base ]]; } || base=$d\ndone\nif [ -n \"$base\" ]; then\nda_data_hold base-name \"${base#releases/}\"\nwhen=later; [ ! -e .deploy/check-base-first ] || when=now\n[ \"$when\" = later ] || da_flush\n! da_offer_base \"${base#releases/}\" \"$when\" || offered=yes\nfi\nfi\nfi\nda_live_manifest \"$live\" ${offered:+kept}\nif [ -f .deploy/history.jsonl ]; then da_blob_hold history < <(tail -n 1000 .deploy/history.jsonl); fi\npartial=\nfor f in .deploy/pending/*; do\n{ [ -f \"$f\" ] && [ \"$f\" != \"$DA_PENDING\" ]; } || continue\nwhile IFS= read -r line; do case $line in \"release \"*) partial+=\"${line#release }\"$'\\n' ;; esac; done < \"$f\"\ndone\n[ -z \"$partial\" ] || da_blob_hold partial < <(printf '%s' \"$partial\")\nif [ -d .deploy/lock ] && ! da_owns_lock; then da_lock_report; fi\n[ -z \"$detect\" ] || da_data_hold http-user \"$(ps axo comm,user 2>/dev/null | grep -E '[a]pache|[h]ttpd|[_]www|[w]ww-data|[n]ginx' | grep -v root | sort | awk '{print $NF}' | uniq | head -n 1)\"\n";
/** maintenance.sh */
const MAINTENANCE_SH = "da_maint_cmd() (\neval \"$DA_MAINT_ENV\"\ncd -- current/ 2>/dev/null || { echo \"error: current/ is not a directory here: nothing is live\" >&2; exit 1; }\ntrap - PIPE\ntimeout -k 10 \"$DA_MAINT_SECS\" bash -e -c \"$1\" < /dev/null || {\nrc=$?\n[ \"$rc\" -ne 124 ] || echo \"error: stopped after hook_timeout ($DA_MAINT_SECS s)\" >&2\nexit \"$rc\"\n}\n)\nda_maint_holder() {\nDA_MAINT_BY='' DA_MAINT_HOW=''\n[ -f .deploy/maintenance ] && [ ! -L .deploy/maintenance ] || return 0\n{ IFS= read -r DA_MAINT_BY; IFS= read -r DA_MAINT_HOW; } < .deploy/maintenance || true\n}\nda_maint_record() {\nlocal tmp=\".deploy/maintenance.$DA_OWNER\"\nda_dir .deploy/pending\necho \"maintenance on\" >> \"$DA_PENDING\"\nrm -f -- \"$tmp\"\n(set -C; printf '%s\\n%s\\n' \"$DA_OWNER\" \"$1\" > \"$tmp\") && mv -fT -- \"$tmp\" .deploy/maintenance\n}\nda_maint_on() {\nif [ ! -d current/ ]; then\necho \"nothing is live here: maintenance on skipped\"\nda_data maintenance none\nreturn 0\nfi\nda_maint_holder\nif [ \"$1\" = deploy ] && [ \"$DA_MAINT_HOW\" = manual ]; then\necho \"maintenance is already on (the maintenance command turned it on): left as it is, and on after this deploy\"\nda_data maintenance held\nreturn 0\nfi\nda_maint_record \"$1\"\necho \"maintenance on: $DA_MAINT_ON\"\nda_maint_cmd \"$DA_MAINT_ON\"\nda_data maintenance on\n}\nda_maint_off() {\nlocal rc=0\nda_maint_holder\nif [ \"$1\" = deploy ] && [ \"$DA_MAINT_BY\" != \"$DA_OWNER\" ]; then\n[ \"$DA_MAINT_HOW\" != manual ] || echo \"maintenance stays on: the maintenance command turned it on (turn it off with it)\"\nda_data maintenance none\nreturn 0\nfi\nif [ ! -d current/ ]; then\necho \"nothing is live here: maintenance off skipped\"\nda_data maintenance none\nreturn 0\nfi\necho \"maintenance off: $DA_MAINT_OFF\"\nda_maint_cmd \"$DA_MAINT_OFF\" || rc=$?\nif [ \"$rc\" -eq 0 ]; then\nrm -f .deploy/maintenance\nda_data maintenance off\nreturn 0\nfi\necho \"error: maintenance off failed (exit $rc): the site is still in maintenance here\" >&2\nda_data maintenance \"failed $rc\"\n[ \"$1\" = deploy ] || return \"$rc\"\n}\nda_maint_left() {\nda_maint_holder\n[ \"$DA_MAINT_BY\" != \"$DA_OWNER\" ] || da_data maintenance left\n}\nda_maint_abort() {\nlocal rc=0 line on=\nwhile IFS= read -r line; do [ \"$line\" != \"maintenance on\" ] || on=yes; done < \"$DA_PENDING\"\nda_maint_holder\n[ -n \"$on\" ] && [ \"$DA_MAINT_BY\" = \"$DA_OWNER\" ] || return 0\necho \"maintenance off (undoing this run): $DA_MAINT_OFF\"\nda_maint_cmd \"$DA_MAINT_OFF\" 2>&1 || rc=$?\nif [ \"$rc\" -eq 0 ]; then\nrm -f .deploy/maintenance && echo \"maintenance is off again\" && da_undid maintenance-off\nelse\necho \"error: maintenance off failed (exit $rc): the site is STILL IN MAINTENANCE here; run the maintenance command with state off\"\nda_undid maintenance-failed\nfi\n}\n";
/** prelude.sh */
const PRELUDE_SH = "DA_HELD=\nDA_HELD_AT=0\nda_hold() {\nlocal IFS=' '\n[ \"$DA_HELD_AT\" = \"$BASH_SUBSHELL\" ] || { DA_HELD=; DA_HELD_AT=$BASH_SUBSHELL; }\nprintf -v DA_HELD '%s\\n\\036%s %s\\n' \"$DA_HELD\" \"$DA_T\" \"$*\"\n}\nda_flush() {\n[ \"$DA_HELD_AT\" = \"$BASH_SUBSHELL\" ] || { DA_HELD=; DA_HELD_AT=$BASH_SUBSHELL; }\n[ -z \"$DA_HELD\" ] || { local h=$DA_HELD; DA_HELD=; printf '%s' \"$h\"; }\n}\nda_mark() { da_hold \"$@\"; da_flush; }\nda_data_hold() {\ncase $2 in\n*[![:print:]]*) da_hold data \"$1\" \"$(printf '%s' \"$2\" | base64 -w0)\" ;;\n*) da_hold data \"$1\" \"=$2\" ;;\nesac\n}\nda_data() { da_data_hold \"$@\"; da_flush; }\nda_walk_base() {\nlocal list=\"$DA_TMP/base.$1\"\nda_dir \"$DA_TMP\" 2>/dev/null || return 1\nif ! find \"releases/$1\" -mindepth 1 \\( ! -user \"$EUID\" -fprint \"$list.foreign\" -quit \\) -o -printf '%P\\0' > \"$list\" 2>/dev/null; then\necho \"(the walk failed)\" > \"$list.foreign\"\nfi\n[ ! -s \"$list.foreign\" ]\n}\nda_offer_base() {\n[ -d \"releases/$1\" ] && [ -f \".deploy/manifests/$1.gz\" ] || return 1\n[ -O \"releases/$1\" ] || return 1 # the walk checks what is inside\nif [ \"${2:-now}\" = later ]; then\nda_dir \"$DA_TMP\" 2>/dev/null || return 1\nprintf '%s\n' \"$1\" > \"$DA_TMP/walk\"\nelse\nda_walk_base \"$1\" || return 1\n[ ! -e .deploy/check-base-first ] || rm -f .deploy/check-base-first\nfi\nda_blob_hold base-manifest < \".deploy/manifests/$1.gz\"\n}\nda_after_phase() {\nlocal walk=\"$DA_DEPLOY_PATH/$DA_TMP/walk\" name=\n[ -s \"$walk\" ] || return 0\nread -r name < \"$walk\"\n: > \"$walk\"\n(cd -- \"$DA_DEPLOY_PATH\" && da_walk_base \"$name\") > /dev/null 2>&1 || true\n}\nda_live_manifest() {\ncase $1 in releases/*) ;; *) return 0 ;; esac\nlocal m=\".deploy/manifests/${1#releases/}.gz\"\n[ -f \"$m\" ] || return 0\nif [ \"${2:-}\" = kept ]; then da_data_hold live-manifest kept; else da_blob live-manifest < \"$m\"; fi\n}\nda_dir() { [ -d \"$1\" ] || mkdir -p -- \"$1\"; }\nda_now() { TZ=UTC0 printf -v DA_AT '%(%Y-%m-%dT%H:%M:%SZ)T' -1; }\nda_blob_hold() { da_hold data \"$1\" \"$(base64 -w0)\"; }\nda_blob() { da_blob_hold \"$1\"; da_flush; }\nda_step() {\nda_mark step-begin \"$1\"\nlocal rc out\nif [ \"${4:-}\" = brief ]; then\nout=$(exec 2>&1; trap 'rc=$?; da_flush; printf \"\\036%s\" \"$rc\"' EXIT; da_step_body \"$@\")\nrc=$?\ncase $out in *$'\\036'*) rc=${out##*$'\\036'}; out=${out%$'\\036'*} ;; esac\ncase $rc in '' | *[!0-9]*) rc=1 ;; esac\nDA_HELD+=$out\nelse\n(trap da_flush EXIT; da_step_body \"$@\") 2>&1\nrc=$?\nfi\nda_hold step-end \"$1\" \"$rc\"\nreturn \"$rc\"\n}\nda_step_body() {\nset -euo pipefail\nif ! cd -- \"$DA_DEPLOY_PATH\" 2>/dev/null && [ \"${3:-}\" != may-lack-deploy-path ]; then\necho \"error: the deploy path $DA_DEPLOY_PATH does not exist on this host\" >&2\nexit 1\nfi\n[ \"${3:-}\" != fenced ] || da_fence\n\"$2\"\n}\nda_undid() { [ \"$DA_OWNER\" != \"${DA_SELF:-}\" ] || da_mark undone \"$1\"; }\nda_owns_lock() { local o=; read -r o 2>/dev/null < .deploy/lock/owner; [ \"$o\" = \"$DA_OWNER\" ]; }\nda_fence_lock() {\n[ -z \"${DA_FENCE_HELD:-}\" ] || return 0\n[ -L .deploy/fence ] || [ -e .deploy/fence ] || (set -C; : > .deploy/fence) 2>/dev/null || :\n[ -f .deploy/fence ] && [ ! -L .deploy/fence ] && exec 9< .deploy/fence || { echo \"error: .deploy/fence is not a plain file\" >&2; return 1; }\nflock -n 9 2>/dev/null || timeout 60 flock 9 || { echo \"error: no flock on .deploy/fence within 60 s (held by an unlock? is flock installed?)\" >&2; return 1; }\nDA_FENCE_HELD=1\n}\nda_unlock() {\nda_owns_lock || return 0\n(da_fence_lock && if da_owns_lock; then rm -rf .deploy/lock && echo \"released the deploy lock\"; fi)\n}\nda_history() { da_dir .deploy; printf '%s\\n' \"$1\" >> .deploy/history.jsonl; }\nda_revert() (\ncd -- \"$DA_DEPLOY_PATH\" 2>/dev/null && [ -f \"$DA_PENDING\" ] || exit 0\nda_fence_lock || exit 1\nlocal line value target prev\nwhile IFS= read -r line; do\ncase $line in \"switched \"*) ;; *) continue ;; esac\nvalue=${line#* }; target=${value%% *}; prev=${value#* }\nif [ \"$(readlink current 2>/dev/null)\" = \"$target\" ]; then\nif [ -n \"$prev\" ] && [ ! -d \"$prev\" ]; then\necho \"left current on $target: $prev, live before this run, is gone\"\nda_undid current-left\ncontinue\nelif [ -n \"$prev\" ]; then\nln -sfn -- \"$prev\" \".deploy/current.$DA_OWNER\" && mv -fT -- \".deploy/current.$DA_OWNER\" current\necho \"switched current back to $prev\"\nelse\nrm -f current && echo \"removed current: there was no live release before this run\"\nfi\nda_undid switched-back\nda_now\nda_history \"{\\\"event\\\":\\\"revert\\\",\\\"release\\\":\\\"${target#releases/}\\\",\\\"to\\\":\\\"${prev#releases/}\\\",$DA_RUN_JSON,\\\"at\\\":\\\"$DA_AT\\\"}\"\nfi\ndone < <(tac -- \"$DA_PENDING\")\n)\nda_abort() {\ncd -- \"$DA_DEPLOY_PATH\" 2>/dev/null || return 0\nlocal o=''\nread -r o 2>/dev/null < .deploy/lock/owner || true\ncase $o in stage-*) [ \"$(da_lock_field owner)\" != \"$DA_OWNER\" ] || return 0 ;; esac\nlocal lost=\nda_owns_lock || lost=yes\nif [ -f \"$DA_PENDING\" ]; then\n[ -z \"$lost\" ] || da_undid lock-lost\nda_revert\n! declare -F da_files_restore > /dev/null || da_files_restore \"$lost\"\nlocal line kind value\nwhile IFS= read -r line; do\nkind=${line%% *}; value=${line#* }\nif [ -n \"$lost\" ] && [ \"$kind\" = seeded ]; then\necho \"left shared/$value, seeded by this run: it lost its lock and another run may use it by now\"\nda_undid shared-left\ncontinue\nfi\ncase $kind in\nrelease)\ncase $value in ''|.|..|*/*) echo \"ignored the pending line \\\"$line\\\": not a release name\"; continue ;; esac\nif [ \"$(readlink current 2>/dev/null)\" != \"releases/$value\" ] && ! [ current -ef \"releases/$value\" ] && [ -e \"releases/$value\" ]; then\nrm -rf -- \"releases/$value\" && rm -f -- \".deploy/manifests/$value.gz\" \".deploy/manifests/$value.idx\" && echo \"removed the unfinished release $value\" && da_undid release-removed\nda_now\nda_history \"{\\\"event\\\":\\\"failed\\\",\\\"release\\\":\\\"$value\\\",$DA_RUN_JSON,\\\"at\\\":\\\"$DA_AT\\\"}\"\nfi ;;\nseeded)\nif ! da_relpath_ok \"$value\"; then\necho \"ignored the pending line \\\"$line\\\": not a plain relative path\"\nelif ! da_parents_real shared \"$value\"; then\necho \"left shared/$value: shared/$DA_LINK is a symlink, never followed\"\nda_undid shared-left\nelse\nrm -rf -- \"shared/$value\" && echo \"removed shared/$value, created by this run\" && da_undid shared-removed\nfi ;;\nrecycled)\ncase $value in ''|.|..|*/*) continue ;; esac\n[ -e \"releases/$value\" ] || rm -f -- \".deploy/manifests/$value.gz\" \".deploy/manifests/$value.idx\" ;;\nesac\ndone < <(tac -- \"$DA_PENDING\")\n[ -z \"${DA_MAINT_OFF:-}\" ] || da_maint_abort\nrm -f -- \"$DA_PENDING\"\nfi\n[ -z \"$lost\" ] || [ ! -e \".deploy/unlocked/$DA_OWNER\" ] || rm -f -- \".deploy/unlocked/$DA_OWNER\"\n[ ! -e \"$DA_TMP\" ] || rm -rf -- \"$DA_TMP\"\nda_unlock\n[ -n \"$lost\" ] || da_owns_lock || da_undid unlocked\nda_undid end\n}\nda_json_field() {\nlocal r='' re=\"\\\"$2\\\":\\\"?([^\\\",}]*)\"\n[ ! -f \"$1\" ] || read -r -N 4096 r < \"$1\" 2>/dev/null || :\n[[ ! $r =~ $re ]] || printf '%s' \"${BASH_REMATCH[1]}\"\n}\nda_lock_field() { da_json_field .deploy/lock/info.json \"$1\"; }\nda_lock_alive() {\nlocal pid\npid=$(da_lock_field pid)\n[ -n \"$pid\" ] && [ -d \"/proc/$pid\" ] && [ \"$(da_lock_field boot_id)\" = \"$DA_BOOT_ID\" ]\n}\nda_lock_report() {\nlocal r=''\n[ ! -f .deploy/lock/info.json ] || read -r -N 4097 r < .deploy/lock/info.json 2>/dev/null || :\nif [ \"${#r}\" -gt 4096 ]; then da_data lock-info-cut yes; r=${r:0:4096}; fi\nda_data lock-info \"${r%$'\\n'}\"\nif da_lock_alive; then da_data lock-alive yes; else da_data lock-alive no; fi\nda_data lock-since \"$(date -u -r .deploy/lock +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || true)\"\n}\nprintf x > /dev/null\nda_lost() { da_flush; da_abort >/dev/null 2>&1; exit 70; }\ntrap 'da_flush; da_abort; exit 143' TERM\ntrap 'da_flush; da_abort; exit 130' INT HUP\ntrap da_flush EXIT\nread -r _ _ _ _ DA_PGID _ < /proc/$$/stat 2>/dev/null || DA_PGID=$$\nDA_BOOT_ID=\nread -r DA_BOOT_ID < /proc/sys/kernel/random/boot_id 2>/dev/null || true\nDA_SELF=$DA_OWNER\n";
/** prepare.sh */
const PREPARE_SH = "da_dir \"$DA_DEPLOY_PATH\"\ncd -- \"$DA_DEPLOY_PATH\" || exit\nif [ -e current ] && [ ! -L current ]; then\necho \"error: $DA_DEPLOY_PATH/current exists and is not a symlink (an older layout?).\" >&2\necho \"Move it into releases/ and replace it with a symlink, or choose another deploy_path. Nothing was changed.\" >&2\nexit 1\nfi\nfor d in releases .deploy .deploy/pending .deploy/manifests .deploy/lock; do\nif [ -L \"$d\" ]; then\necho \"error: $DA_DEPLOY_PATH/$d is a symlink (to $(readlink -- \"$d\")): deploy-action keeps releases and its metadata only in real directories inside deploy_path.\" >&2\necho \"Replace it with a directory (move what it holds), or choose another deploy_path. Nothing was changed.\" >&2\nexit 1\nfi\ndone\n{ [ -d releases ] && [ -d shared ] && [ -d .deploy/pending ] && [ -d .deploy/manifests ]; } || mkdir -p releases shared .deploy/pending .deploy/manifests\n";
/** prune.sh */
const PRUNE_SH = "da_prune() {\nlocal p ok='' n=0 list=()\nwhile IFS= read -r -d '' p; do\ncase /$p/ in //|*//*|*/./*|*/../*) continue ;; esac\nif [ \"${p%/*}\" != \"$ok\" ]; then\nok=\nif da_parents_real \"$1\" \"$p\"; then\ncase $p in */*) ok=${p%/*} ;; esac\nelse\necho \"$1/$DA_LINK is a symlink (to $(readlink -- \"$1/$DA_LINK\" || true)): removed it, not $p through it\"\np=$DA_LINK\nfi\nfi\nlist[n++]=$1/$p\nif [ \"$n\" -ge 1000 ]; then rm -rf -- \"${list[@]}\"; list=(); n=0; fi\ndone\n[ \"$n\" -eq 0 ] || rm -rf -- \"${list[@]}\"\n}\n";
/** reap.sh */
const REAP_SH = "da_reap() {\ncd -- \"$DA_DEPLOY_PATH\" 2>/dev/null || return 0\nda_owns_lock && da_lock_alive || return 0\nlocal pid\npid=$(da_lock_field pid)\n[ \"$pid\" != \"$$\" ] || return 0\necho \"stopping this run's earlier session (pid $pid), whose runner is gone\"\npkill -TERM -s \"$pid\" 2>/dev/null; kill -TERM -- \"-$pid\" 2>/dev/null || kill -TERM \"$pid\" 2>/dev/null || true\nfor _ in $(seq 100); do [ -d \"/proc/$pid\" ] || return 0; sleep 0.1; done\npkill -KILL -s \"$pid\" 2>/dev/null; kill -KILL -- \"-$pid\" 2>/dev/null || true\n}\n";
/** session-loop.sh */
const SESSION_LOOP_SH = "while :; do\nda_flush\nIFS= read -r -t \"$DA_IDLE\" da_n || da_lost\ncase $da_n in ping) continue ;; ''|*[!0-9]*) da_lost ;; esac\nIFS= read -r -t \"$DA_IDLE\" -N \"$da_n\" da_chunk || da_lost\neval \"$da_chunk\"\ndone\n";
/** stage-check.sh */
const STAGE_CHECK_SH = "o=\nread -r o 2>/dev/null < .deploy/lock/owner || true\nstaged=$(da_stage_field release)\nif [ -z \"$staged\" ]; then state=none\nelif [ \"$staged\" != \"$DA_RELEASE\" ]; then state=other\nelif [ \"$o\" != \"stage-$DA_RELEASE\" ]; then state=unheld\nelif [ -L \"releases/$DA_RELEASE\" ] || [ ! -d \"releases/$DA_RELEASE\" ]; then state=notdir\nelif da_stage_expired; then state=expired\n[ -z \"$DA_STAGE_FAR\" ] || state=far\nelse state=ok\nfi\nda_data stage-check \"$state\"\nda_data stage-expires-at \"$(da_stage_field expires_at)\"\n";
/** stage-discard.sh */
const STAGE_DISCARD_SH = "o=\nread -r o 2>/dev/null < .deploy/lock/owner || true\nif [ \"$o\" != \"stage-$DA_RELEASE\" ]; then\nda_data discard none\necho \"nothing staged: $DA_RELEASE is not held here\"\nexit 0\nfi\nda_fence_lock\nread -r o 2>/dev/null < .deploy/lock/owner || true\n[ \"$o\" = \"stage-$DA_RELEASE\" ] || { da_data discard none; echo \"nothing staged\"; exit 0; }\nby=$(da_lock_name)\nda_stage_undo \"$DA_RELEASE\"\nda_data discard removed\necho \"discarded the staged release $DA_RELEASE (staged by $by)\"\n";
/** stage-hold.sh */
const STAGE_HOLD_SH = "trap '' TERM INT HUP\nda_fence_lock\nda_fence\nhold=stage-$DA_RELEASE\nif [ -e \".deploy/pending/$hold\" ] || [ -e \".deploy/tmp.$hold\" ]; then\necho \"error: .deploy/pending/$hold or .deploy/tmp.$hold exists: an earlier stage of $DA_RELEASE left it; remove it\" >&2\nexit 1\nfi\nprintf -v now '%(%s)T' -1\nexp=$((now + ttl))\nTZ=UTC0 printf -v at '%(%Y-%m-%dT%H:%M:%SZ)T' \"$now\"\nTZ=UTC0 printf -v until '%(%Y-%m-%dT%H:%M:%SZ)T' \"$exp\"\nrm -f .deploy/stage\nprintf '{\"release\":\"%s\",%s,\"staged_at\":\"%s\",\"expires_at\":\"%s\",\"expires\":%s,\"preview\":\"%s\"}\\n' \"$DA_RELEASE\" \"$DA_RUN_JSON\" \"$at\" \"$until\" \"$exp\" \"$preview\" > .deploy/stage.new\nprintf '{\"stage\":\"%s\",\"expires_at\":\"%s\",%s}\\n' \"$DA_RELEASE\" \"$until\" \"$info\" > .deploy/lock/info.new\nprintf '%s\\n' \"$hold\" > .deploy/lock/owner.new\nmv -f .deploy/lock/info.new .deploy/lock/info.json\nmv -f .deploy/lock/owner.new .deploy/lock/owner\n[ ! -e \"$DA_PENDING\" ] || mv -f -- \"$DA_PENDING\" \".deploy/pending/$hold\"\n[ ! -e \"$DA_TMP\" ] || mv -f -- \"$DA_TMP\" \".deploy/tmp.$hold\"\nmv -f .deploy/stage.new .deploy/stage\nif [ -n \"$preview\" ]; then\nif [ -e \"$preview\" ] && [ ! -L \"$preview\" ]; then\necho \"warning: $preview exists and is not a link: no preview link\"\nelse\nln -sfn -- \"releases/$DA_RELEASE\" \".deploy/preview.new\" && mv -fT -- .deploy/preview.new \"$preview\"\necho \"preview link $preview -> releases/$DA_RELEASE\"\nfi\nfi\necho \"staged $DA_RELEASE, held until $until\"\n";
/** stage-rerun.sh */
const STAGE_RERUN_SH = "da_stage_ours() {\nlocal o=''\nread -r o 2>/dev/null < .deploy/lock/owner || true\n[ \"$o\" = \"stage-$rname\" ] && [ \"$(da_stage_field release)\" = \"$rname\" ] && [ -d \"releases/$rname\" ] &&\n[ \"$(da_lock_field repository)\" = \"$repo\" ] && [ \"$(da_lock_field run_id)\" = \"$runid\" ] &&\n[ \"$(da_stage_field repository)\" = \"$repo\" ] && [ \"$(da_stage_field run_id)\" = \"$runid\" ] && ! da_stage_expired\n}\nif [ -n \"$runid\" ] && [ -f .deploy/stage ] && da_stage_ours && da_fence_lock && da_stage_ours; then\nprintf -v now '%(%s)T' -1\nexp=$((now + ttl))\nTZ=UTC0 printf -v until '%(%Y-%m-%dT%H:%M:%SZ)T' \"$exp\"\nwas=$(da_stage_field run_attempt)\nsed -e \"s/\\\"expires_at\\\":\\\"[^\\\"]*\\\"/\\\"expires_at\\\":\\\"$until\\\"/\" -e \"s/\\\"expires\\\":[0-9]*/\\\"expires\\\":$exp/\" .deploy/stage > .deploy/stage.new\nsed -e \"s/\\\"expires_at\\\":\\\"[^\\\"]*\\\"/\\\"expires_at\\\":\\\"$until\\\"/\" .deploy/lock/info.json > .deploy/lock/info.new\nmv -f .deploy/lock/info.new .deploy/lock/info.json\nmv -f .deploy/stage.new .deploy/stage\nda_data stage-kept \"$until\"\necho \"already staged: $rname, by this run${was:+ (attempt $was)}; kept, held until $until\"\nexit 0\nfi\n";
/** stage-take.sh */
const STAGE_TAKE_SH = "da_fence_lock\nhold=stage-$DA_RELEASE\no=\nread -r o 2>/dev/null < .deploy/lock/owner || true\nif [ \"$o\" != \"$hold\" ] || [ \"$(da_stage_field release)\" != \"$DA_RELEASE\" ]; then\necho \"error: $DA_RELEASE is no longer staged here (the lock is held by ${o:-nobody}): nothing was switched\" >&2\nexit 1\nfi\nif da_stage_expired; then\n[ -z \"$DA_STAGE_FAR\" ] || { echo \"error: $DA_STAGE_FAR; nothing was switched\" >&2; exit 1; }\necho \"error: the stage of $DA_RELEASE expired at $(da_stage_field expires_at): nothing was switched\" >&2\nexit 1\nfi\nprintf '{%s,\"pid\":%s,\"boot_id\":\"%s\"}\\n' \"$info\" \"$$\" \"$DA_BOOT_ID\" > .deploy/lock/info.new\nprintf '%s\\n' \"$DA_OWNER\" > .deploy/lock/owner.new\n[ ! -e \".deploy/pending/$hold\" ] || mv -f -- \".deploy/pending/$hold\" \"$DA_PENDING\"\n[ ! -e \".deploy/tmp.$hold\" ] || mv -f -- \".deploy/tmp.$hold\" \"$DA_TMP\"\nmv -f .deploy/lock/info.new .deploy/lock/info.json\nmv -f .deploy/lock/owner.new .deploy/lock/owner\nda_stage_unpreview \"$DA_RELEASE\"\nrm -f .deploy/stage\necho \"took the deploy lock over from the stage of $DA_RELEASE\"\n";
/** stage.sh */
const STAGE_SH = "da_stage_field() { da_json_field .deploy/stage \"$1\"; }\nda_stage_expired() {\nlocal o='' exp now\nDA_STAGE_FAR=\nread -r o 2>/dev/null < .deploy/lock/owner || true\ncase $o in stage-*) ;; *) return 1 ;; esac\n[ \"$(da_stage_field release)\" = \"${o#stage-}\" ] || return 0\nexp=$(da_stage_field expires)\ncase $exp in '' | *[!0-9]* | ?????????????*) return 0 ;; esac\nprintf -v now '%(%s)T' -1\nif [ \"$exp\" -gt $((now + 2592000 + 3600)) ]; then\nDA_STAGE_FAR=$(da_stage_field expires_at)\nDA_STAGE_FAR=\"the hold's expiry ${DA_STAGE_FAR:-$exp} is further ahead than any stage_ttl allows (30 days): treated as expired\"\nreturn 0\nfi\n[ \"$exp\" -lt \"$now\" ]\n}\nda_stage_undo() {\nlocal name=$1\ncase $name in '' | . | .. | */*) return 1 ;; esac\n(da_stage_abort \"$name\") || true\n[ \"$(da_stage_field release)\" != \"$name\" ] || { da_stage_unpreview \"$name\"; rm -f .deploy/stage; }\n}\nda_stage_unpreview() {\nlocal p\np=$(da_stage_field preview)\ncase $p in '' | . | .. | */*) return 0 ;; esac\n[ ! -L \"$p\" ] || [ \"$(readlink -- \"$p\")\" != \"releases/$1\" ] || rm -f -- \"$p\"\n}\nda_stage_abort() {\nlocal DA_OWNER=stage-$1 DA_PENDING=.deploy/pending/stage-$1 DA_TMP=.deploy/tmp.stage-$1 s\ns=$(da_lock_field owner)\ncase $s in '' | *[!A-Za-z0-9_-]*) ;; *)\n[ -e \"$DA_PENDING\" ] || DA_PENDING=.deploy/pending/$s\n[ -e \"$DA_TMP\" ] || DA_TMP=.deploy/tmp.$s ;;\nesac\nda_abort\n}\nda_stage_reclaim() {\nda_stage_expired || return 1\nda_fence_lock || return 1\nda_stage_expired || return 1\nlocal o='' at said\nread -r o < .deploy/lock/owner\nat=$(da_stage_field expires_at)\nsaid=\"a staged release ${o#stage-} expired at ${at:-an unknown time}: discarded\"\n[ -z \"$DA_STAGE_FAR\" ] || said=\"$DA_STAGE_FAR; the staged release ${o#stage-} was discarded\"\n[ \"$(da_stage_field release)\" = \"${o#stage-}\" ] || said=\"the stage of ${o#stage-} was cut short before its hold was whole: undone\"\nda_stage_undo \"${o#stage-}\" > /dev/null\necho \"$said\"\n}\n";
/** tools.sh */
const TOOLS_SH = "if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 403)); then da_mark tools missing= busybox= \"bash=$BASH_VERSION\"; exit 69; fi\nda_tools() {\nlocal t b m='' y='' x=(/bin/busybox /usr/bin/busybox)\nfor t in busybox toybox; do hash $t 2>/dev/null && x+=(\"${BASH_CMDS[$t]}\"); done\nfor t in \"$@\"; do\nhash \"$t\" 2>/dev/null || { m+=,$t; continue; }\nfor b in \"${x[@]}\"; do [ \"${BASH_CMDS[$t]}\" -ef \"$b\" ] && { y+=,$t; break; }; done\ndone\n[ -z \"$m$y\" ] || { da_mark tools \"missing=${m#,}\" \"busybox=${y#,}\" \"bash=$BASH_VERSION\"; exit 69; }\n}\n";
/** transfer.sh */
const TRANSFER_SH = "da_chunks() {\nlocal n total=0\nwhile IFS= read -r -t \"$DA_IDLE\" n && [ \"$n\" -gt 0 ] 2>/dev/null; do\ntimeout \"$DA_IDLE\" head -c \"$n\" || { echo \"error: the upload stalled (nothing for $DA_IDLE s)\" >&2; return 1; }\ntotal=$((total + n))\ndone\n[ \"$n\" = 0 ] || { echo \"error: the upload stopped before its end\" >&2; return 1; }\n[ -z \"${1:-}\" ] || echo \"received $total bytes of $1\" >&2\n}\nda_unpack() {\nif ! da_chunks archive | tar -xzf - -C \"$1\" --no-same-owner; then\nlocal avail\navail=$(df -Pk -- \"$1\" 2>/dev/null | awk 'NR == 2 { print $4 }')\nif [ -n \"$avail\" ] && [ \"$avail\" -lt 1024 ]; then\necho \"error: No space left on device: $DA_DEPLOY_PATH has $avail KiB free\" >&2\nelse\necho \"error: unpacking the release failed (${avail:-?} KiB free in $DA_DEPLOY_PATH)\" >&2\nfi\nreturn 1\nfi\n}\n";
/** unlock-any.sh */
const UNLOCK_ANY_SH = "if [ ! -d .deploy/lock ]; then echo \"no deploy lock here\"; exit 0; fi\nda_fence_lock\nif [ ! -d .deploy/lock ]; then echo \"no deploy lock here\"; exit 0; fi\nda_lock_report\nholder=\nread -r holder 2>/dev/null < .deploy/lock/owner || true\ncase $holder in .* | *[!A-Za-z0-9._-]*) holder= ;; esac\nalive=false\ncase $holder in stage-*) da_stage_expired || alive=true ;; *) ! da_lock_alive || alive=true ;; esac\nif [ \"$alive\" = true ] && [ \"$forced\" != true ]; then\nda_data unlock refused\ncase $holder in\nstage-*) echo \"the lock holds the staged release ${holder#stage-} until $(da_stage_field expires_at): switch or discard it; the lock was left in place\" ;;\n*) echo \"the lock holder's session is still running on this host: the lock was left in place\" ;;\nesac\nexit 0\nfi\nda_now\nif [ -L .deploy/unlocked ]; then\necho \"warning: .deploy/unlocked is a symlink: no record left for the holder (remove the link)\"\nelif [ -n \"$holder\" ]; then\nda_dir .deploy/unlocked\nfind .deploy/unlocked -type f -mtime +30 -delete 2>/dev/null || true\nprintf '%s\\n%s\\n%s\\n' \"$DA_AT\" \"$by\" \"$url\" > \".deploy/unlocked/$holder\"\nfi\ncase $holder in\nstage-*)\nif [ \"$alive\" = true ]; then echo \"discarding the staged release ${holder#stage-}\"\nelif [ -n \"${DA_STAGE_FAR:-}\" ]; then echo \"$DA_STAGE_FAR; the staged release ${holder#stage-} was discarded\"\nelif [ \"$(da_stage_field release)\" != \"${holder#stage-}\" ]; then\necho \"the hold of ${holder#stage-} has no stage record (.deploy/stage is missing or names another release): undone\"\nelse echo \"a staged release ${holder#stage-} expired at $(da_stage_field expires_at): discarded\"; fi\nda_stage_undo \"${holder#stage-}\" ;;\nesac\nif [ \"$alive\" = false ] && [ -n \"$holder\" ] && [ -f \".deploy/pending/$holder\" ]; then\necho \"undoing what the lock holder's run left unfinished\"\n( DA_OWNER=$holder; DA_PENDING=.deploy/pending/$holder; DA_TMP=.deploy/tmp.$holder; da_abort )\nfi\nrm -rf .deploy/lock\nda_history \"{\\\"event\\\":\\\"unlock\\\",\\\"holder\\\":\\\"$holder\\\",\\\"holder_alive\\\":$alive,\\\"forced\\\":$forced,$DA_RUN_JSON,\\\"at\\\":\\\"$DA_AT\\\"}\"\nda_data unlock removed\necho \"deploy lock removed\"\n";
/** verify.awk */
const VERIFY_AWK = "BEGIN { RS = ORS = \"\\0\"; M = ENVIRON[\"DA_V_MANIFEST\"]; I = ENVIRON[\"DA_V_INDEX\"]; skip = ENVIRON[\"DA_V_SKIP\"] }\nfunction differ(what, p) { if (++bad <= 10) printf \"  %s: %s\\n\", what, p }\nfunction check(p, h) { if (h == substr(want[p], 3)) hashed[p] = h; else differ(\"content differs\", p) }\nFILENAME == M {\nt = substr($0, 1, 1); r = substr($0, 3); r = substr(r, index(r, \"\\t\") + 1); i = index(r, \"\\t\"); p = substr(r, i + 1)\nif (skip == \"\" || p !~ skip) want[p] = t \"\\t\" substr(r, 1, i - 1)\nnext\n}\nFILENAME == I { i = index($0, \"\\t\"); r = substr($0, i + 1); j = index(r, \"\\t\"); known[substr(r, j + 1)] = substr($0, 1, i) substr(r, 1, j - 1); next }\n{\nt = substr($0, 1, 1); r = substr($0, 3); i = index(r, \"\\t\"); v = substr(r, 1, i - 1); p = substr(r, i + 1)\nif (p == \"\") { if (t == \"f\") { split(v, s, \" \"); mark = s[4] - 0.01 } next }\nif (!(p in want)) { differ(\"not in the build\", p); next }\nseen[p] = 1\nif (substr(want[p], 1, 1) != t) { differ(\"type differs\", p); next }\nif (t == \"l\" && substr(want[p], 3) != v) differ(\"link target differs\", p)\nif (t != \"f\") next\nsig[p] = v\nif ((p in known) && index(known[p], v \"\\t\") == 1) check(p, substr(known[p], length(v) + 2))\nelse {\nprint \"./\" p > ENVIRON[\"DA_V_TODO\"]; todo[p] = 1; read++\nif (index(p, \"'\") || length(args) > 30000) direct = \"no\"; else args = args \" './\" p \"'\"\n}\n}\nEND {\nif (read) {\nclose(ENVIRON[\"DA_V_TODO\"])\ncmd = direct == \"no\" ? \"xargs -0r sha256sum -z < \\\"$DA_V_TODO\\\"\" : \"exec sha256sum -z --\" args\nwhile ((cmd | getline line) > 0) { p = substr(line, 69); delete todo[p]; check(p, substr(line, 1, 32)) }\nclose(cmd)\nfor (p in todo) differ(\"unreadable\", p)\n}\nfor (p in want) if (!(p in seen)) differ(\"missing\", p)\nif (!bad) for (p in hashed) { split(sig[p], s, \" \"); if (s[4] + 0 < mark) print sig[p] \"\\t\" hashed[p] \"\\t\" p > ENVIRON[\"DA_V_NEW_INDEX\"] }\nprintf \"%d\\n\", read > ENVIRON[\"DA_V_COUNTS\"]\nexit bad ? 3 : 0\n}\n";
/** verify.sh */
const VERIFY_SH = "tmp=\"$PWD/$DA_TMP\"; da_dir \"$tmp\"\nexport DA_V_MANIFEST=\"$tmp/manifest\" DA_V_TODO=\"$tmp/todo\" DA_V_COUNTS=\"$tmp/counts\" DA_V_SKIP\nexport DA_V_INDEX=\"$PWD/.deploy/manifests/$DA_BASE.idx\" DA_V_NEW_INDEX=\"$PWD/.deploy/manifests/$DA_RELEASE.idx.tmp\"\n[ -f \"$DA_V_INDEX\" ] || DA_V_INDEX=/dev/null\ngzip -dc \".deploy/manifests/$DA_RELEASE.gz\" > \"$DA_V_MANIFEST\"\n: > \"$DA_V_NEW_INDEX\"; : > \"$tmp/mark\"\nrc=0\n(cd -- \"releases/$DA_RELEASE\" && find \"$tmp/mark\" . ${prune[@]+\"${prune[@]}\"} \\( -type f -printf \"f\\t$DA_FILE_SIG\" \\) -o \\( -type d -printf 'd\\t-\\t%P\\0' \\) -o \\( -type l -printf 'l\\t%l\\t%P\\0' \\) |\nawk \"$compare\" \"$DA_V_MANIFEST\" \"$DA_V_INDEX\" -) > \"$tmp/differences\" || rc=$?\nif [ \"$rc\" -ne 0 ]; then\necho \"the staged release does not match the build (a file of the live release was changed on this host?): sending everything instead\"\necho \"first differences:\"\ncat -- \"$tmp/differences\"\nrm -rf -- \"$tmp\" \"$DA_V_NEW_INDEX\"\nda_data verify mismatch\nexit 99\nfi\nmv -f -- \"$DA_V_NEW_INDEX\" \".deploy/manifests/$DA_RELEASE.idx\"\nread -r hashed < \"$DA_V_COUNTS\"\nfiles=files\n[ \"$hashed\" != 1 ] || files=\"file\"\necho \"verified against the build's manifest ($hashed $files read, the others unchanged since releases/$DA_BASE was verified)\"\n";


/***/ }),

/***/ 665:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Rn: () => (/* binding */ EXEC_STEP),
/* harmony export */   i7: () => (/* binding */ execStep),
/* harmony export */   iz: () => (/* binding */ execLabel)
/* harmony export */ });
/* harmony import */ var _quote_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4414);
/* harmony import */ var _hooks_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(374);


/** The step id of `exec` (the summary and the failure name it). */
const EXEC_STEP = 'exec';
/**
 * exec: one command line run by bash in the live release (`current/`), as ssh would run it (its exit status is the
 * last command's; no `-e`), with the hooks' environment, stdin closed and `hook_timeout`. The step fails with the
 * command's exit status, so the host's failure carries it; `fenced` when the run holds the deploy lock.
 */
function execStep(command, env, timeoutMs, fenced) {
    const secs = Math.max(1, Math.round(timeoutMs / 1000));
    return {
        id: EXEC_STEP,
        label: execLabel(command),
        fenced,
        // `timeout` forwards the session's SIGTERM to the command, so cancelling still stops it at once.
        body: `${(0,_hooks_js__WEBPACK_IMPORTED_MODULE_0__/* .exportsOf */ .v1)(env)}
cd -- current/
trap - PIPE
timeout -k 10 ${secs} bash -c ${(0,_quote_js__WEBPACK_IMPORTED_MODULE_1__.q)(command)} < /dev/null || {
  rc=$?
  if [ "$rc" -eq 124 ]; then echo "error: stopped after hook_timeout (${secs} s)" >&2; fi
  exit "$rc"
}`,
    };
}
/** The command as the log and the summary name it: its first line, cut at 80 characters. */
function execLabel(command) {
    const lines = command.trim().split('\n');
    const first = lines[0].trim();
    return first.length > 80 || lines.length > 1 ? `${first.slice(0, 80)}…` : first;
}


/***/ }),

/***/ 2249:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   mn: () => (/* binding */ HOOK_OUTPUT_LIB),
/* harmony export */   qD: () => (/* binding */ OUTPUT_HOST_MAX),
/* harmony export */   s5: () => (/* binding */ hookOutputs)
/* harmony export */ });
/* unused harmony exports outputKey, OUTPUT_FILE_MAX, OUTPUT_VALUE_MAX, OUTPUT_NAME, parseOutputFile */
/* harmony import */ var _data_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(2044);
/* harmony import */ var _sh_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9120);


/**
 * The protocol of `$DEPLOY_OUTPUT`: each deploy and activate hook runs with it naming a fresh empty file (mode 0600,
 * in the run's scratch dir) where it may write `name=value` lines, or `name<<DELIMITER` … `DELIMITER` for a value of
 * several lines, as to `$GITHUB_OUTPUT`. After a hook that succeeded, its step sends the file back as the data value
 * `output.<step id>` (its first OUTPUT_FILE_MAX bytes and one more); `hookOutputs` reads and checks it here, on the
 * runner: names `[A-Za-z0-9_-]`, at most 64 characters; values at most OUTPUT_VALUE_MAX bytes, no control
 * characters but tabs (and the newlines of the multi-line form). Anything else is a problem to warn of, never a value.
 */
/** The shell functions the hook steps call (da_output_open, da_output_close). */
const HOOK_OUTPUT_LIB = _sh_index_js__WEBPACK_IMPORTED_MODULE_0__/* .HOOK_OUTPUT_SH */ .Gw;
/** The data key a hook step reports its file under. */
const outputKey = (stepId) => `output.${stepId}`;
/** What a host sends of one hook's file (hook-output.sh reads one byte more, to say there was more). */
const OUTPUT_FILE_MAX = 32 * 1024;
/** The longest value kept (in UTF-8 bytes); a longer one is left out whole, never cut. */
const OUTPUT_VALUE_MAX = 4 * 1024;
/** Names and values kept per host in all, across its hooks (see the command's collection). */
const OUTPUT_HOST_MAX = 64 * 1024;
/** An output's name: as GitHub's step outputs take them, kept short. */
const OUTPUT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Problems reported per hook; the rest are counted. */
const MAX_PROBLEMS = 5;
/** Control characters a value may not hold: all but tab and newline (one only in the multi-line form). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
/**
 * The `$DEPLOY_OUTPUT` files of the hooks of a phase that succeeded and wrote one, in the order they ran. A file
 * reported twice (a forged marker) is neither.
 */
function hookOutputs(result) {
    const out = [];
    for (const step of result.steps) {
        const blobs = result.bytes.get(outputKey(step.id));
        if (!blobs?.length || step.status !== 'ok')
            continue;
        const parsed = blobs.length === 1
            ? parseOutputFile(blobs[0])
            : { pairs: [], problems: [{ text: `reported ${blobs.length} times (a forged report?): none of it was used` }] };
        out.push({ step: { id: step.id, label: step.label }, ...parsed });
    }
    return out;
}
/**
 * Reads one hook's file: `name=value` lines, `name<<DELIMITER` blocks (the value is the lines up to one that is
 * DELIMITER alone), empty lines skipped, a trailing `\r` dropped from every line; as GitHub reads `$GITHUB_OUTPUT`.
 * A later value of a name replaces an earlier one. Linear in the file's size; at most OUTPUT_FILE_MAX bytes are read.
 */
function parseOutputFile(file) {
    const pairs = [];
    const problems = [];
    let bytes = file;
    let cut = false;
    if (bytes.length > OUTPUT_FILE_MAX) {
        // The line the cap cuts through is not read either: half a line is not a value.
        bytes = bytes.subarray(0, bytes.subarray(0, OUTPUT_FILE_MAX).lastIndexOf(0x0a) + 1);
        cut = true;
    }
    const lines = bytes.toString('utf8').split('\n');
    if (lines.at(-1) === '')
        lines.pop();
    const text = (i) => lines[i].replace(/\r$/, '');
    for (let i = 0; i < lines.length; i++) {
        const line = text(i);
        if (line === '')
            continue;
        const eq = line.indexOf('=');
        const heredoc = line.indexOf('<<');
        let name;
        let value;
        const at = i + 1;
        if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
            name = line.slice(0, eq);
            value = line.slice(eq + 1);
        }
        else if (heredoc >= 0) {
            name = line.slice(0, heredoc);
            const delimiter = line.slice(heredoc + 2);
            let end = i + 1;
            while (end < lines.length && text(end) !== delimiter)
                end++;
            if (delimiter === '' || end >= lines.length) {
                problems.push({
                    line: at,
                    text: `${(0,_data_js__WEBPACK_IMPORTED_MODULE_1__/* .shownInvalid */ .zj)(line)} starts a multi-line value whose closing line ${delimiter ? (0,_data_js__WEBPACK_IMPORTED_MODULE_1__/* .shownInvalid */ .zj)(delimiter) : '(none given)'} never comes: it and the lines after it were ignored`,
                });
                break;
            }
            value = lines
                .slice(i + 1, end)
                .map((l) => l.replace(/\r$/, ''))
                .join('\n');
            i = end;
        }
        else {
            problems.push({ line: at, text: `${(0,_data_js__WEBPACK_IMPORTED_MODULE_1__/* .shownInvalid */ .zj)(line)} is not name=value or name<<DELIMITER: ignored` });
            continue;
        }
        const problem = checkPair(name, value);
        if (problem)
            problems.push({ line: at, text: problem });
        else
            pairs.push({ name, value, line: at });
    }
    if (cut)
        problems.unshift({
            text: `holds more than ${OUTPUT_FILE_MAX / 1024} KiB: only the lines within its first ${OUTPUT_FILE_MAX / 1024} KiB were read`,
        });
    return { pairs, problems: capped(problems) };
}
/** Why a name and its value cannot be an output, or undefined. */
function checkPair(name, value) {
    if (!OUTPUT_NAME.test(name))
        return `${(0,_data_js__WEBPACK_IMPORTED_MODULE_1__/* .shownInvalid */ .zj)(name)} is not an output name (letters, digits, _ and -, at most 64 characters): ignored`;
    const size = Buffer.byteLength(value);
    if (size > OUTPUT_VALUE_MAX)
        return `the value of ${name} is longer than ${OUTPUT_VALUE_MAX / 1024} KiB (${size} bytes): left out, not cut`;
    if (CONTROL.test(value))
        return `the value of ${name} holds a control character: ignored`;
    return undefined;
}
/** At most MAX_PROBLEMS problems, then how many more there were. */
function capped(problems) {
    if (problems.length <= MAX_PROBLEMS)
        return problems;
    const more = problems.length - MAX_PROBLEMS + 1;
    return [...problems.slice(0, MAX_PROBLEMS - 1), { text: `and ${more} more problems like these` }];
}


/***/ }),

/***/ 374:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   EW: () => (/* binding */ AFTER_ROLLBACK),
/* harmony export */   Fb: () => (/* binding */ stepTitle),
/* harmony export */   LD: () => (/* binding */ hookSteps),
/* harmony export */   iC: () => (/* binding */ IN_RELEASE),
/* harmony export */   v1: () => (/* binding */ exportsOf),
/* harmony export */   yc: () => (/* binding */ IN_CURRENT)
/* harmony export */ });
/* harmony import */ var _config_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1138);
/* harmony import */ var _quote_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4414);
/* harmony import */ var _hook_output_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(2249);



/** Deploy hooks run in the new release, before anything is live. */
const IN_RELEASE = { prefix: 'hook', dir: '"releases/$DA_RELEASE"' };
/** Activate hooks run in the live release, right after a switch (and again after a switch back). */
const IN_CURRENT = { prefix: 'activate', dir: 'current/' };
/** Rollback hooks run in the live release after a rollback's switch and its activate hooks. */
const AFTER_ROLLBACK = { prefix: 'rollback', dir: 'current/' };
/** How a failure names a step: a hook by its kind and label (`hook "migrate"`), any other step by its label. */
function stepTitle(step) {
    if (/^hook-\d+$/.test(step.id))
        return `hook "${step.label}"`;
    if (/^activate-\d+$/.test(step.id))
        return `activate hook "${step.label}"`;
    if (/^rollback-\d+$/.test(step.id))
        return `rollback hook "${step.label}"`;
    return step.label;
}
/**
 * Hook commands: each runs with bash -e, stdin closed, the configured environment plus the DEPLOY_* variables,
 * in `place.dir`. One step per command, so the summary shows which one failed. SIGPIPE is restored for the
 * command (the session itself ignores it to survive a dropped connection).
 */
/** `export NAME='value'` lines for the shell: names come validated from the config, values are quoted. */
function exportsOf(env) {
    return Object.entries(env)
        .map(([name, value]) => `export ${name}=${(0,_quote_js__WEBPACK_IMPORTED_MODULE_1__.q)(value)}`)
        .join('\n');
}
function hookSteps(hooks, env, place, timeoutMs) {
    const exports = exportsOf(env);
    const secs = Math.max(1, Math.round(timeoutMs / 1000));
    return hooks.map((hook, i) => ({
        id: `${place.prefix}-${i + 1}`,
        label: (0,_config_index_js__WEBPACK_IMPORTED_MODULE_0__/* .hookLabel */ .UR)(hook),
        // `timeout` forwards the session's SIGTERM to the command, so cancelling still stops it at once.
        // $DEPLOY_OUTPUT (hook-output.ts): what a hook that succeeded wrote there goes back as `output.<id>`.
        body: `${exports}
da_output_open ${(0,_quote_js__WEBPACK_IMPORTED_MODULE_1__.q)(`${place.prefix}-${i + 1}`)}
cd -- ${place.dir}
trap - PIPE
timeout -k 10 ${secs} bash -e -c ${(0,_quote_js__WEBPACK_IMPORTED_MODULE_1__.q)(hook.run)} < /dev/null || {
  rc=$?
  da_output_close
  if [ "$rc" -eq 124 ]; then echo "error: stopped after hook_timeout (${secs} s)" >&2; fi
  exit "$rc"
}
da_output_close ${(0,_quote_js__WEBPACK_IMPORTED_MODULE_1__.q)(`${place.prefix}-${i + 1}`)}`,
        lib: [_hook_output_js__WEBPACK_IMPORTED_MODULE_2__/* .HOOK_OUTPUT_LIB */ .mn],
    }));
}


/***/ }),

/***/ 742:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  a: () => (/* binding */ consoleLog)
});

;// CONCATENATED MODULE: ./src/report/live-line.ts
/**
 * A status line at the bottom of a terminal that rewrites itself (an upload's bytes, percent and rate per host):
 * one entry per key, joined on one line cut to the terminal's width. Whole lines written meanwhile go above it:
 * the line is cleared, the text written, the line drawn again.
 */
const CLEAR = '\r\x1b[2K';
class LiveLine {
    stream;
    entries = new Map();
    shown = false;
    constructor(stream) {
        this.stream = stream;
    }
    /** Sets (or, with undefined, removes) the entry for `key`, and redraws. */
    set(key, text) {
        if (text === undefined)
            this.entries.delete(key);
        else
            this.entries.set(key, text.replace(/[\r\n]+/g, ' '));
        this.clear();
        this.draw();
    }
    /** Writes `text` (whole lines) above the live line; `to` is another stream on the same terminal (stderr). */
    write(text, to = this.stream) {
        this.clear();
        to.write(text);
        this.draw();
    }
    /** Removes every entry and the line itself (before the run's last words). */
    end() {
        this.entries.clear();
        this.clear();
    }
    clear() {
        if (this.shown)
            this.stream.write(CLEAR);
        this.shown = false;
    }
    draw() {
        if (!this.entries.size)
            return;
        const width = Math.max(20, (this.stream.columns ?? 80) - 1);
        const chars = [...[...this.entries.values()].join(' · ')];
        this.stream.write(chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : chars.join(''));
        this.shown = true;
    }
}

// EXTERNAL MODULE: ./src/report/style.ts
var style = __nccwpck_require__(1791);
// EXTERNAL MODULE: ./src/report/workflow-commands.ts
var workflow_commands = __nccwpck_require__(8260);
;// CONCATENATED MODULE: ./src/report/console-log.ts



function consoleLog(options = {}) {
    const out = options.out ?? process.stdout;
    const err = options.err ?? process.stderr;
    const { out: outStyle, err: errStyle } = options.style ?? { out: style/* PLAIN */.tZ, err: style/* PLAIN */.tZ };
    const quiet = options.quiet === true;
    const live = options.live ? new LiveLine(out) : undefined;
    const line = (stream, text) => live ? live.write(`${text}\n`, stream) : void stream.write(`${text}\n`);
    const errLines = (prefix, text) => line(err, text
        .split('\n')
        .map((l, i) => (options.ci ? (0,workflow_commands/* inertLine */.Fq)(i ? `  ${l}` : `${prefix}${l}`) : i ? `  ${l}` : `${prefix}${l}`))
        .join('\n'));
    return {
        terminal: true,
        info: (m) => {
            if (!quiet)
                line(out, (0,style/* statusLine */.Bs)(m, outStyle));
        },
        output: (m) => {
            if (!quiet)
                line(out, m);
        },
        warning: (m) => {
            if (!quiet)
                errLines(`${errStyle.warn('warning:')} `, m);
        },
        error: (m) => errLines(`${errStyle.fail('error:')} `, m),
        debug: (m) => {
            if (options.debug)
                errLines(`${errStyle.dim('debug:')} `, m);
        },
        endLive: () => live?.end(),
        // Only a terminal has a live line; elsewhere (and with --quiet) progress comes as plain lines, now and then.
        ...(live && !quiet ? { live: (key, text) => live.set(key, text) } : {}),
        async group(title, fn) {
            if (!quiet)
                line(out, `\n${outStyle.heading(`==> ${title}`)}`);
            return fn();
        },
        // A phase's section is a heading too (the Actions log's groups have no terminal counterpart).
        startGroup: (title) => {
            if (!quiet)
                line(out, `\n${outStyle.heading(`==> ${title}`)}`);
        },
        endGroup: () => undefined,
    };
}


/***/ }),

/***/ 8101:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $e: () => (/* binding */ warning),
/* harmony export */   FY: () => (/* binding */ paragraph),
/* harmony export */   R_: () => (/* binding */ heading),
/* harmony export */   Zc: () => (/* binding */ ticks),
/* harmony export */   iV: () => (/* binding */ spans),
/* harmony export */   p_: () => (/* binding */ list),
/* harmony export */   pj: () => (/* binding */ plain),
/* harmony export */   tp: () => (/* binding */ table)
/* harmony export */ });
/**
 * What a command tells about its run beyond the outcome (a dry run's plan, a releases listing), as data: the job
 * summary renders it as Markdown (markdown.ts), the CLI as terminal text (text.ts). Text in it is plain; each
 * renderer escapes or marks it for its own medium.
 */
const heading = (text, level = 1) => ({ kind: 'heading', level, text });
const paragraph = (text) => ({ kind: 'paragraph', text });
const list = (items) => ({ kind: 'list', items });
const table = (head, rows) => ({ kind: 'table', head, rows });
const warning = (text) => ({ kind: 'warning', text });
/** The spans of an inline, in order. */
function spans(text) {
    return Array.isArray(text) ? text : [text];
}
/** An inline's text without marks. */
function plain(text) {
    return spans(text)
        .map((s) => (typeof s === 'string' ? s : 'code' in s ? s.code : s.strong))
        .join('');
}
/**
 * A message's text with its `backtick` parts as code spans: the small inline syntax messages use to mark a name,
 * a path or a command. An unpaired backtick stays plain text.
 */
function ticks(text) {
    const out = [];
    const re = /`([^`]+)`/g;
    let at = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m.index > at)
            out.push(text.slice(at, m.index));
        out.push({ code: m[1] });
        at = m.index + m[0].length;
    }
    if (at < text.length)
        out.push(text.slice(at));
    return out;
}


/***/ }),

/***/ 990:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   VI: () => (/* binding */ watched),
/* harmony export */   px: () => (/* binding */ withHeartbeat),
/* harmony export */   vk: () => (/* binding */ elapsed)
/* harmony export */ });
/* unused harmony exports HEARTBEAT_MS, heartbeatMs, shortLabel, Heartbeat */
/** A running step quiet this long gets a line saying it still runs, and again after each such quiet spell. */
const HEARTBEAT_MS = 30_000;
/**
 * The heartbeat's interval: HEARTBEAT_MS, or DEPLOY_HEARTBEAT_MS (milliseconds, at least 100) where a test needs a
 * shorter one. Read here only.
 */
function heartbeatMs(env = process.env) {
    const ms = Number(env['DEPLOY_HEARTBEAT_MS']);
    return Number.isFinite(ms) && ms >= 100 ? ms : HEARTBEAT_MS;
}
/** A duration as a person reads it in a log line: `45s`, `1m30s`, `1h05m`. */
function elapsed(ms) {
    const s = Math.floor(ms / 1000);
    if (s < 60)
        return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60)
        return `${m}m${String(s % 60).padStart(2, '0')}s`;
    return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
/** A step's label for a one-line message: its first line, at most 60 characters. */
function shortLabel(label) {
    const first = label.trim().split('\n')[0].trim();
    return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}
/**
 * One timer per host with a running step (one step runs at a time on a host): while the step is quiet, a line every
 * `everyMs` ("still running `php artisan migrate` on web1, 1m30s"). A host's timer outlives its step: the next
 * step takes it over (it fires, sees the new step's start, and waits the rest), and a timer that fires with no step
 * running ends; so a phase of short steps arms a timer or two per host, not two per step. Timers never keep the
 * process alive.
 */
class Heartbeat {
    say;
    everyMs;
    beats = new Map();
    timers = new Map();
    constructor(say, everyMs = heartbeatMs()) {
        this.say = say;
        this.everyMs = everyMs;
    }
    /** A step started on `host`. */
    begin(host, label) {
        const now = Date.now();
        this.beats.set(host, { label, started: now, last: now });
        if (!this.timers.has(host))
            this.arm(host, this.everyMs);
    }
    /** The step running on `host` showed a sign of life. */
    activity(host) {
        const beat = this.beats.get(host);
        if (beat)
            beat.last = Date.now();
    }
    /** The step on `host` ended (or its phase did): no more heartbeats for it. */
    end(host) {
        this.beats.delete(host);
    }
    arm(host, ms) {
        const timer = setTimeout(() => this.check(host), ms);
        timer.unref();
        this.timers.set(host, timer);
    }
    check(host) {
        this.timers.delete(host);
        const beat = this.beats.get(host);
        if (!beat)
            return;
        const now = Date.now();
        const quiet = now - beat.last;
        if (quiet < this.everyMs) {
            this.arm(host, this.everyMs - quiet);
            return;
        }
        beat.last = now;
        this.say(`still running \`${shortLabel(beat.label)}\` on ${host}, ${elapsed(now - beat.started)}`);
        this.arm(host, this.everyMs);
    }
}
/** Work on the runner for `host` (a health check by URL, with its retries) with a heartbeat while it lasts. */
async function watched(say, host, label, work, beats = new Heartbeat(say)) {
    beats.begin(host, label);
    try {
        return await work();
    }
    finally {
        beats.end(host);
    }
}
/**
 * `inner` with a heartbeat for each host's running step: a step's start arms it, its output and upload keep it
 * quiet, the step's end or its phase's end (also a failed or cancelled one) clears it.
 */
function withHeartbeat(inner, say, beats = new Heartbeat(say)) {
    return {
        ...inner,
        step(host, record) {
            if (record.status === 'running')
                beats.begin(host.name, record.label);
            else
                beats.end(host.name);
            inner.step?.(host, record);
        },
        output(host, line, step) {
            beats.activity(host.name);
            inner.output?.(host, line, step);
        },
        phase(host, name, ms, ok) {
            beats.end(host.name);
            inner.phase?.(host, name, ms, ok);
        },
        upload(host, progress) {
            beats.activity(host.name);
            inner.upload?.(host, progress);
        },
    };
}


/***/ }),

/***/ 4915:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  qB: () => (/* binding */ progress),
  YA: () => (/* reexport */ log/* seconds */.Y)
});

// UNUSED EXPORTS: stepLine

// EXTERNAL MODULE: ./src/config/index.ts + 38 modules
var config = __nccwpck_require__(1138);
// EXTERNAL MODULE: ./src/remote/steps/hooks.ts
var hooks = __nccwpck_require__(374);
// EXTERNAL MODULE: ./src/log.ts
var log = __nccwpck_require__(5625);
// EXTERNAL MODULE: ./src/report/heartbeat.ts
var heartbeat = __nccwpck_require__(990);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: ./src/fleet/failures.ts
var failures = __nccwpck_require__(7233);
;// CONCATENATED MODULE: ./src/report/phase-lines.ts



/** What the log calls a phase (by its name in the fleet; the summary's columns keep the names). */
const TITLES = {
    health: 'health check',
    revert: 'switch back',
    base: 'delta base',
    ship: 'deploy',
};
/**
 * The run's structure in the log: one section per phase of the fleet holding its per-host lines, a visible line
 * after each (`stage: 3/3 hosts, 1.2 s`), and a failure's own line after its phase's section, never folded away.
 * Connecting is no section of its own (its lines are few): it opens the first phase's (`connect and inspect`).
 */
class PhaseLines {
    log;
    fleetSize;
    signal;
    now;
    open;
    /** The fleet is connecting (or connected, no phase yet) since then. */
    connecting;
    constructor(log, fleetSize, 
    /** The run was cancelled (a phase it stopped is cancelled, not failed). */
    signal, now = Date.now) {
        this.log = log;
        this.fleetSize = fleetSize;
        this.signal = signal;
        this.now = now;
    }
    start(name, hosts, parts) {
        this.close();
        if (name === 'connect') {
            this.connecting = this.now();
            return;
        }
        const t0 = this.connecting ?? this.now();
        const prefix = this.connecting !== undefined ? 'connect and ' : '';
        this.connecting = undefined;
        // A part of the fleet (a rolling batch, a restaged host) is named.
        const suffix = hosts.length < this.fleetSize ? ` (${hosts.map((h) => h.name).join(', ')})` : '';
        const split = hosts.length === 1 && parts !== undefined && parts.length > 1;
        const title = split ? parts[0].name : parts?.length ? parts.map((p) => p.name).join(' and ') : name;
        this.begin({
            title: `${prefix}${TITLES[title] ?? title}`,
            hosts,
            t0,
            failed: new Set(),
            parts: split ? parts : undefined,
            part: 0,
            suffix,
        });
    }
    /** A step's event (from the fleet's listener): failures are counted, a part's first step opens its section. */
    step(host, record) {
        const open = this.open;
        if (!open)
            return;
        if (record.status === 'failed')
            open.failed.add(host.name);
        if (record.status !== 'running' || !open.parts)
            return;
        const next = open.parts.findIndex((p, i) => i > open.part && p.from === record.id);
        if (next < 0)
            return;
        this.close();
        const name = open.parts[next].name;
        this.begin({ ...open, title: TITLES[name] ?? name, t0: this.now(), part: next });
    }
    end(name, error) {
        if (name === 'connect') {
            if (error === undefined)
                return;
            // No section was opened: the failure is all there is to say.
            const hosts = this.fleetSize;
            const failedOn = error instanceof failures/* HostFailure */.h ? error.host : undefined;
            this.log.info((0,log/* phaseLine */.K)('connect', {
                total: hosts,
                ok: failedOn ? hosts - 1 : 0,
                ms: this.now() - (this.connecting ?? this.now()),
                failed: this.isCancel(error) ? undefined : `on ${failedOn ?? 'a host'}`,
                cancelled: this.isCancel(error),
            }));
            this.connecting = undefined;
            this.failure(error);
            return;
        }
        this.close(error);
    }
    begin(open) {
        this.open = open;
        this.log.startGroup(`${open.title}${open.suffix}`);
    }
    /** Ends the open section with its line, then (outside it) the failure that ended it. */
    close(error) {
        const open = this.open;
        if (!open)
            return;
        this.open = undefined;
        this.log.endGroup();
        const failedOn = error instanceof failures/* HostFailure */.h ? error.host : error ? [...open.failed][0] : undefined;
        if (failedOn)
            open.failed.add(failedOn);
        const total = open.hosts.length;
        this.log.info((0,log/* phaseLine */.K)(open.title, {
            total,
            ok: total - open.failed.size,
            ms: this.now() - open.t0,
            failed: error && !this.isCancel(error) ? `on ${failedOn ?? 'a host'}` : undefined,
            cancelled: this.isCancel(error),
        }));
        if (error)
            this.failure(error);
    }
    /** The error that ends the run, in a line of its own (host, step, cause). */
    failure(error) {
        if (this.isCancel(error))
            return;
        const text = error instanceof Error ? error.message : String(error);
        this.log.info(`✗ ${text.split('\n')[0]}`);
    }
    isCancel(error) {
        if (error === undefined)
            return false;
        return (this.signal?.aborted === true ||
            error instanceof errors/* Cancelled */.c ||
            (error instanceof Error && error.name === 'AbortError'));
    }
}

;// CONCATENATED MODULE: ./src/report/upload-progress.ts

/** At most one upload progress line per host this often in a log (the Actions log, a CLI that is not a terminal). */
const UPLOAD_PROGRESS_MS = 5000;
/** How often a terminal's live line is redrawn. */
const LIVE_LINE_MS = 500;
/**
 * The interval of upload progress lines: UPLOAD_PROGRESS_MS, or DEPLOY_UPLOAD_PROGRESS_MS (milliseconds, at least 50)
 * where a test needs a shorter one. Read here only.
 */
function uploadProgressMs(env = process.env) {
    const ms = Number(env['DEPLOY_UPLOAD_PROGRESS_MS']);
    return Number.isFinite(ms) && ms >= 50 ? ms : UPLOAD_PROGRESS_MS;
}
/** A size for a progress line: `512 KiB`, `12.0 MiB`, `1.25 GiB`. */
function bytesText(bytes) {
    if (bytes < 1024 * 1024)
        return `${Math.round(bytes / 1024)} KiB`;
    if (bytes < 1024 * 1024 * 1024)
        return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
/** `upload: 12.0 MiB of 25.3 MiB (47%), 1.0 MiB/s`; without a known size, `upload: 12.0 MiB sent, 1.0 MiB/s`. */
function uploadLine(sent, total, bytesPerSecond) {
    const rate = `${bytesText(bytesPerSecond)}/s`;
    if (total === undefined || total <= 0)
        return `upload: ${bytesText(sent)} sent, ${rate}`;
    const shown = Math.min(sent, total);
    return `upload: ${bytesText(shown)} of ${bytesText(total)} (${Math.floor((shown / total) * 100)}%), ${rate}`;
}
/**
 * Each host's upload, reported while it goes: in a log, a line at most every `everyMs` while bytes move (an upload
 * done within the first interval shows none; a stalled one shows none either: the heartbeat speaks for it), and a
 * last line with the average rate when lines were shown. On a terminal (`Log.live`), one live line per host,
 * redrawn every LIVE_LINE_MS and ended when the upload ends.
 */
class UploadMeters {
    log;
    prefix;
    meters = new Map();
    everyMs;
    constructor(log, prefix, everyMs = uploadProgressMs()) {
        this.log = log;
        this.prefix = prefix;
        this.everyMs = log.live ? LIVE_LINE_MS : everyMs;
    }
    update(host, p) {
        let m = this.meters.get(host.name);
        if (!m) {
            if (p.done)
                return;
            const now = Date.now();
            const timer = setInterval(() => this.tick(host), this.everyMs);
            timer.unref();
            m = { started: now, sent: 0, lineAt: now, lineSent: 0, shown: false, timer };
            this.meters.set(host.name, m);
        }
        m.sent = p.sent;
        m.total = p.total ?? m.total;
        if (!p.done)
            return;
        clearInterval(m.timer);
        this.meters.delete(host.name);
        if (this.log.live) {
            if (m.shown)
                this.log.live(host.name, undefined);
            return;
        }
        const complete = m.total === undefined || m.sent >= m.total;
        if (m.shown && complete) {
            const ms = Math.max(1, Date.now() - m.started);
            this.say(host, `upload: ${bytesText(m.sent)} sent in ${(0,heartbeat/* elapsed */.vk)(ms)}, ${bytesText((m.sent * 1000) / ms)}/s`);
        }
    }
    tick(host) {
        const m = this.meters.get(host.name);
        if (!m || m.sent === m.lineSent)
            return;
        const now = Date.now();
        const rate = ((m.sent - m.lineSent) * 1000) / Math.max(1, now - m.lineAt);
        m.lineAt = now;
        m.lineSent = m.sent;
        m.shown = true;
        const line = uploadLine(m.sent, m.total, rate);
        if (this.log.live)
            this.log.live(host.name, `${this.prefix(host)}${line}`);
        else
            this.say(host, line);
    }
    say(host, text) {
        this.log.info(`${this.prefix(host)}  ${text}`);
    }
}
/** `inner` with each host's upload reported as it goes (see UploadMeters). */
function withUploadProgress(inner, log, prefix, meters = new UploadMeters(log, prefix)) {
    return {
        ...inner,
        upload(host, progress) {
            meters.update(host, progress);
            inner.upload?.(host, progress);
        },
    };
}

;// CONCATENATED MODULE: ./src/report/progress.ts







/** A step's line: `▶ upload`, `✓ upload (1.2 s)`, `✗ hook "migrate" failed: exit code 3 (2.1 s)`. */
function stepLine(record) {
    if (record.status === 'running')
        return `▶ ${record.label}`;
    if (record.status === 'ok')
        return `✓ ${record.label} (${(0,log/* seconds */.Y)(record.ms)})`;
    return `✗ ${(0,hooks/* stepTitle */.Fb)(record)} failed: exit code ${record.rc} (${(0,log/* seconds */.Y)(record.ms)})`;
}
/**
 * Turns host events into log lines (prefixed by host when there are several), one section per phase (see
 * PhaseLines), and report rows.
 */
function progress(log, report, hostCount, signal) {
    const prefix = (host) => (hostCount > 1 ? `[${host.name}] ` : '');
    const phases = new PhaseLines(log, hostCount, signal);
    const listener = {
        step(host, record) {
            report.step(host.name, record);
            phases.step(host, record);
            log.info(`${prefix(host)}${stepLine(record)}`);
        },
        output(host, line, step) {
            log.output(`${prefix(host)}  ${line}`);
            // Hook output (deploy, activate and rollback hooks, a health check command) is kept for the job summary.
            if (step && /^((hook|activate|rollback)-\d+|healthcheck)$/.test(step.id))
                report.output(host.name, step, line);
        },
        phase(host, name, ms) {
            report.row(host.name).phases[name] = ms;
        },
        phaseStart(name, hosts, parts) {
            phases.start(name, hosts, parts);
            // The path to each host reached through jump hosts or a proxy command.
            for (const h of name === 'connect' ? hosts : []) {
                const via = (0,config/* routeText */.RI)(h);
                if (via === undefined)
                    continue;
                log.info(`${h.name}: ${via}`);
                report.row(h.name).via = via;
            }
        },
        phaseEnd: (name, error) => phases.end(name, error),
        retry: (_host, line) => log.info(line),
        undone(host, what) {
            report.undid.set(host.name, (report.undid.get(host.name) ?? new Set()).add(what));
        },
        warning(text) {
            report.warnings.push(text);
            log.warning(text);
        },
    };
    // Live lines (issue 17): each host's upload as it goes, and a heartbeat for a step quiet for long.
    return (0,heartbeat/* withHeartbeat */.px)(withUploadProgress(listener, log, prefix), (text) => log.info(text));
}


/***/ }),

/***/ 1791:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bs: () => (/* binding */ statusLine),
/* harmony export */   j9: () => (/* binding */ styleFor),
/* harmony export */   tZ: () => (/* binding */ PLAIN)
/* harmony export */ });
/* unused harmony exports wantsColour, style */
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_0__);
/**
 * Colour for the terminal output of the CLI, decided per stream: on when the stream is a terminal (and TERM is not
 * `dumb`), off when NO_COLOR is set to anything non-empty (no-color.org), forced on by FORCE_COLOR (`0`/`false`
 * force it off). The escape codes come from node's own util.styleText; the decision is ours, because styleText's
 * own check (Node 22 and later) looks at process.stdout whatever stream the text is for, and Node 20 has none.
 */

/** Whether text for `stream` is coloured, by the environment's conventions (see the module comment). */
function wantsColour(stream, env) {
    if (env['NO_COLOR'])
        return false;
    const force = env['FORCE_COLOR'];
    if (force !== undefined && force !== '')
        return force !== '0' && force.toLowerCase() !== 'false';
    return stream.isTTY === true && env['TERM'] !== 'dumb';
}
function style(colour) {
    const paint = (format) => (text) => colour && text ? (0,node_util__WEBPACK_IMPORTED_MODULE_0__.styleText)(format, text, { validateStream: false }) : text;
    return {
        colour,
        ok: paint('green'),
        fail: paint('red'),
        warn: paint('yellow'),
        heading: paint('bold'),
        dim: paint('dim'),
    };
}
/** The style for text written to `stream`. */
const styleFor = (stream, env = process.env) => style(wantsColour(stream, env));
/** No colour (a stream that is not a terminal, or tests). */
const PLAIN = style(false);
/**
 * A progress line's status mark in colour: `✓ …` green, `✗ …` red, also after a fleet's `[host] ` prefix. Only the
 * mark and the step's name are coloured, never text a host sent (that goes through Log.output, unstyled).
 */
function statusLine(line, s) {
    if (!s.colour)
        return line;
    const m = /^(\[[^\]\n]*\] )?([✓✗]) /.exec(line);
    if (!m)
        return line;
    const paint = m[2] === '✓' ? s.ok : s.fail;
    return `${m[1] ?? ''}${paint(m[2])}${line.slice(m[0].length - 1)}`;
}


/***/ }),

/***/ 8260:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Fq: () => (/* binding */ inertLine),
/* harmony export */   UJ: () => (/* binding */ inertText),
/* harmony export */   c9: () => (/* binding */ CommandsOff)
/* harmony export */ });
/* unused harmony exports runnerLines, mayBeCommand */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);

/**
 * Host text must reach a CI log as text, never as a workflow command. How GitHub's runner reads a step's output
 * (actions/runner: ActionCommandManager.TryProcessCommand, ActionCommand.TryParseV2/TryParse):
 * - it reads stdout and stderr line by line (.NET ReadLine: `\n`, `\r` and `\r\n` all end a line), through ONE
 *   command manager: a stop on one stream holds for the other, in whatever order the two pipes are read;
 * - a line is a command when, leading white space trimmed, it starts with `::NAME` (v2), or when it holds
 *   `##[NAME` anywhere (v1), NAME being a registered command (any case);
 * - after `::stop-commands::TOKEN` no command runs until a line whose command name is TOKEN (v1 or v2, any case);
 *   both lines are echoed to the log.
 * So a host line is shown inside a stop-commands block whose token is random per process and never appears in a
 * host line (it is redacted there): no host can end the block, and a host that cannot end it cannot issue a command.
 */
/** Leading white space as the runner trims it (.NET's Char.IsWhiteSpace, widened: JS \s, U+001C..U+001F, U+0085). */
const LEADING_SPACE = /^[\s\x1c-\x1f\x85]+/;
/** Splits text into the lines the runner reads. */
function runnerLines(text) {
    return text.split(/\r\n|\r|\n/);
}
/** Whether the runner could read a line of this text as a workflow command (whatever the command's name). */
function mayBeCommand(text) {
    if (!text.includes('::') && !text.includes('##['))
        return false;
    return runnerLines(text).some((line) => line.includes('##[') || line.replace(LEADING_SPACE, '').startsWith('::'));
}
/**
 * A line the runner cannot read as a command, for output that cannot be inside a block (stderr, whose lines reach
 * the runner in no fixed order with stdout's): unchanged when it is no command, else shown as a JSON string with
 * `##[` written `##\u005b` (JSON's own escape for `[`).
 */
function inertLine(line) {
    return mayBeCommand(line) ? JSON.stringify(line).replace(/##\[/g, '##\\u005b') : line;
}
/** Every line of a text made inert (see inertLine). */
function inertText(text) {
    return mayBeCommand(text) ? runnerLines(text).map(inertLine).join('\n') : text;
}
/**
 * Host text on a stream the runner reads, inside `::stop-commands::TOKEN` … `::TOKEN::`. The block opens at the
 * first host line; the stream's own writes that hold a command (an annotation, a group, a mask) close it first, so
 * the program's commands keep working (plain text of its own may stay inside); it closes at exit, so the steps
 * after this one get their commands. With `wholeStream` the block opens at the first write of any kind and stays
 * open to the exit: for a program that never issues a command (the CLI).
 */
class CommandsOff {
    stream;
    wholeStream;
    token = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(16).toString('hex');
    open = false;
    hostWriting = false;
    redact = new RegExp(this.token, 'gi');
    constructor(stream, wholeStream = false) {
        this.stream = stream;
        this.wholeStream = wholeStream;
        const write = stream.write;
        const block = this;
        // The wrapper keeps the program's own commands out of the block (or, wholeStream, everything in it).
        stream.write = function (chunk, ...rest) {
            block.beforeOwnWrite(chunk, (text) => write.call(this, text));
            return write.call(this, block.wholeStream ? block.scrub(chunk) : chunk, ...rest);
        };
        process.once('exit', () => this.close());
    }
    /** Writes lines a host sent (each split where the runner would split it). */
    lines(lines) {
        const text = lines
            .flatMap(runnerLines)
            .map((l) => `${l.replace(this.redact, '[…]')}\n`)
            .join('');
        this.hostWriting = true;
        try {
            this.stream.write(this.open ? text : `::stop-commands::${this.token}\n${text}`);
            this.open = true;
        }
        finally {
            this.hostWriting = false;
        }
    }
    /** Ends the block (at exit; then later writes are the program's own again). */
    close() {
        if (!this.open)
            return;
        this.open = false;
        this.hostWriting = true;
        try {
            this.stream.write(`::${this.token}::\n`);
        }
        finally {
            this.hostWriting = false;
        }
    }
    beforeOwnWrite(chunk, write) {
        if (this.hostWriting)
            return;
        if (this.wholeStream) {
            if (!this.open) {
                this.open = true;
                write(`::stop-commands::${this.token}\n`);
            }
            return;
        }
        if (this.open && mayBeCommand(textOf(chunk))) {
            this.open = false;
            write(`::${this.token}::\n`);
        }
    }
    /** The token never appears in what the block carries. */
    scrub(chunk) {
        if (this.hostWriting)
            return chunk;
        const text = textOf(chunk);
        return text.toLowerCase().includes(this.token) ? text.replace(this.redact, '[…]') : chunk;
    }
}
function textOf(chunk) {
    if (typeof chunk === 'string')
        return chunk;
    if (chunk instanceof Uint8Array)
        return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
    return String(chunk);
}


/***/ }),

/***/ 4091:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DW: () => (/* binding */ runRecord),
/* harmony export */   LF: () => (/* binding */ lockInfoMembers),
/* harmony export */   PB: () => (/* binding */ runInfoFromEnv),
/* harmony export */   pP: () => (/* binding */ lockRecord),
/* harmony export */   tx: () => (/* binding */ runJsonMembers)
/* harmony export */ });
/* unused harmony export newOwnerToken */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);


function newOwnerToken() {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(8).toString('hex');
}
/** Run info from the GitHub Actions environment (or whatever of it is set, on a laptop). */
function runInfoFromEnv(env, overrides = {}) {
    const server = env['GITHUB_SERVER_URL'] || 'https://github.com';
    const repository = env['GITHUB_REPOSITORY'] || '';
    const runId = env['GITHUB_RUN_ID'] || '';
    return {
        owner: newOwnerToken(),
        repository,
        runId,
        runAttempt: env['GITHUB_RUN_ATTEMPT'] || '',
        actor: env['GITHUB_ACTOR'] || env['USER'] || '',
        runUrl: repository && runId ? `${server}/${repository}/actions/runs/${runId}` : '',
        serverUrl: server,
        sha: env['GITHUB_SHA'] || '',
        ref: env['GITHUB_REF'] || '',
        startedAt: new Date(),
        runner: (0,node_os__WEBPACK_IMPORTED_MODULE_1__.hostname)(),
        ...overrides,
    };
}
function runRecord(run) {
    return {
        sha: run.sha,
        ref: run.ref,
        actor: run.actor,
        repository: run.repository,
        run_id: run.runId,
        run_attempt: run.runAttempt,
        run_url: run.runUrl,
    };
}
/** The run's identity as JSON object members (no braces), for lines the hosts write themselves (the abort path). */
function runJsonMembers(run) {
    return JSON.stringify(runRecord(run)).slice(1, -1);
}
/** What a lock records about its holder (the host adds the session's pid and boot id). */
function lockRecord(run) {
    return { ...runRecord(run), owner: run.owner, runner: run.runner, started_at: run.startedAt.toISOString() };
}
/** The lock record as JSON object members (no braces): the lock step adds the pid and boot id on the host. */
function lockInfoMembers(run) {
    return JSON.stringify(lockRecord(run)).slice(1, -1);
}


/***/ }),

/***/ 970:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   d: () => (/* binding */ cancelOnSignals)
/* harmony export */ });
/**
 * A cancelled workflow run gets SIGINT, then SIGTERM 7.5 s later, then is killed. The first signal aborts the
 * command (hosts undo their work); later signals are noted, and the clean-up carries on.
 */
function cancelOnSignals(log) {
    const controller = new AbortController();
    const onSignal = (name) => {
        if (controller.signal.aborted) {
            log.warning(`${name} received again: still undoing this run's work on the hosts`);
            return;
        }
        log.warning(`${name} received: cancelling; every host undoes this run's unfinished work`);
        controller.abort(new Error(`cancelled by ${name}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return {
        signal: controller.signal,
        dispose() {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
        },
    };
}


/***/ }),

/***/ 2102:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DT: () => (/* binding */ certificateTime),
/* harmony export */   OD: () => (/* binding */ signatureBlob),
/* harmony export */   Pn: () => (/* binding */ certificateAlgorithm),
/* harmony export */   dF: () => (/* binding */ describeCertificate),
/* harmony export */   hB: () => (/* binding */ parseCertificate),
/* harmony export */   ik: () => (/* binding */ parseCertificateBlob),
/* harmony export */   mP: () => (/* binding */ Reader),
/* harmony export */   pB: () => (/* binding */ checkUserCertificate),
/* harmony export */   pS: () => (/* binding */ checkCertificateKey),
/* harmony export */   zl: () => (/* binding */ sshSignature)
/* harmony export */ });
/* unused harmony export CertificateError */
/**
 * OpenSSH certificates (PROTOCOL.certkeys in OpenSSH's source): a public key, signed by a certificate authority, with
 * a kind (user or host), principals and a validity period. User certificates log in where sshd trusts the CA
 * (`TrustedUserCAKeys`) without the key itself in authorized_keys.
 */
/** The certificate types this project logs in with, and the plain key type each one certifies. */
const CERT_TYPES = {
    'ssh-ed25519-cert-v01@openssh.com': { base: 'ssh-ed25519', fields: 1 },
    'ssh-rsa-cert-v01@openssh.com': { base: 'ssh-rsa', fields: 2 },
    'ecdsa-sha2-nistp256-cert-v01@openssh.com': { base: 'ecdsa-sha2-nistp256', fields: 2 },
    'ecdsa-sha2-nistp384-cert-v01@openssh.com': { base: 'ecdsa-sha2-nistp384', fields: 2 },
    'ecdsa-sha2-nistp521-cert-v01@openssh.com': { base: 'ecdsa-sha2-nistp521', fields: 2 },
};
/** A certificate that cannot be used; the message names where it came from and what to do. */
class CertificateError extends Error {
    constructor(message) {
        super(message);
        this.name = 'CertificateError';
    }
}
const FOREVER = 0xffffffffffffffffn;
/** Reads SSH wire format: uint32, uint64, string (uint32 length + bytes); throws 'truncated' past the end. */
class Reader {
    buf;
    pos = 0;
    constructor(buf) {
        this.buf = buf;
    }
    get offset() {
        return this.pos;
    }
    bytes(n) {
        if (this.pos + n > this.buf.length)
            throw new Error('truncated');
        const out = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return out;
    }
    uint32() {
        return this.bytes(4).readUInt32BE(0);
    }
    uint64() {
        return this.bytes(8).readBigUInt64BE(0);
    }
    string() {
        return this.bytes(this.uint32());
    }
    text() {
        return this.string().toString('utf8');
    }
}
function sshString(data) {
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length, 0);
    return Buffer.concat([len, body]);
}
/** Parses a certificate line (`ssh-ed25519-cert-v01@openssh.com AAAA... comment`, a `*-cert.pub` file's text). */
function parseCertificate(text, source) {
    const fields = text.trim().split(/\s+/);
    const [type, data] = fields;
    if (!type || !data)
        throw new CertificateError(`${source} is empty: give the text of the key's -cert.pub file`);
    const spec = CERT_TYPES[type];
    if (!spec) {
        throw new CertificateError(`${source} is not a supported OpenSSH certificate (type "${type.slice(0, 60)}"; supported: ${Object.keys(CERT_TYPES).join(', ')}); give the text of the key's -cert.pub file`);
    }
    return parseCertificateBlob(Buffer.from(data, 'base64'), source, type);
}
/**
 * Parses a certificate in SSH wire format (as a host presents it), of the given type or of any supported one.
 * Throws a CertificateError naming `source` if it is not one.
 */
function parseCertificateBlob(blob, source, expected) {
    let type = expected ?? 'SSH';
    try {
        const r = new Reader(blob);
        const named = r.text();
        if (expected !== undefined && named !== expected)
            throw new Error('type mismatch');
        type = named;
        const spec = CERT_TYPES[type];
        if (!spec)
            throw new Error('unsupported type');
        r.string(); // nonce
        const keyStart = r.offset;
        for (let i = 0; i < spec.fields; i++)
            r.string();
        const publicKey = Buffer.concat([sshString(spec.base), blob.subarray(keyStart, r.offset)]);
        const serial = r.uint64();
        const kindCode = r.uint32();
        const keyId = r.text();
        const principalsReader = new Reader(r.string());
        const principals = [];
        for (let end = false; !end;) {
            try {
                principals.push(principalsReader.text());
            }
            catch {
                end = true;
            }
        }
        const validAfter = r.uint64();
        const validBefore = r.uint64();
        const criticalOptions = r.string();
        r.string(); // extensions
        r.string(); // reserved
        const signatureKey = r.string();
        const signed = blob.subarray(0, r.offset);
        const signature = r.string();
        if (kindCode !== 1 && kindCode !== 2)
            throw new Error('unknown kind');
        return {
            type,
            keyType: spec.base,
            blob,
            publicKey,
            kind: kindCode === 1 ? 'user' : 'host',
            keyId,
            serial,
            principals,
            validAfter,
            validBefore,
            signatureKey,
            criticalOptions,
            signed,
            signature,
        };
    }
    catch {
        throw new CertificateError(`${source}: the ${type.slice(0, 60)} certificate is truncated or corrupt`);
    }
}
/** A validity bound as a UTC time, as people read it (`2026-12-06 15:31:00 UTC`, or `forever`). */
function certificateTime(seconds) {
    if (seconds >= FOREVER)
        return 'forever';
    const ms = Number(seconds) * 1000;
    if (!Number.isFinite(ms) || ms > 8.64e15)
        return 'forever';
    return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
/** What a certificate says, for a debug line: type, id, serial, principals and validity. */
function describeCertificate(cert) {
    const principals = cert.principals.length > 0 ? cert.principals.map((p) => JSON.stringify(p)).join(', ') : '(any)';
    return (`${cert.type} certificate ${JSON.stringify(cert.keyId)} (serial ${cert.serial}), principals: ${principals}, ` +
        `valid from ${certificateTime(cert.validAfter)} to ${certificateTime(cert.validBefore)}`);
}
/**
 * Checks a user certificate before any host is reached: a user certificate, valid now. `source` names it
 * ("the certificate in ssh-certificate", a file's path).
 */
function checkUserCertificate(cert, source, now = new Date()) {
    const renew = 'sign a new one with the CA (ssh-keygen -s CA_KEY -I ID -n USER -V +1h KEY.pub) and use its -cert.pub';
    if (cert.kind !== 'user') {
        throw new CertificateError(`${source} is a host certificate, not a user certificate: ${renew}`);
    }
    const seconds = BigInt(Math.floor(now.getTime() / 1000));
    if (seconds >= cert.validBefore) {
        throw new CertificateError(`${source} expired at ${certificateTime(cert.validBefore)} (id ${JSON.stringify(cert.keyId)}, now ${certificateTime(seconds)}): ${renew}`);
    }
    if (seconds < cert.validAfter) {
        throw new CertificateError(`${source} is not valid yet: it is valid from ${certificateTime(cert.validAfter)} (id ${JSON.stringify(cert.keyId)}, now ${certificateTime(seconds)}); check the clock of this machine, or ${renew}`);
    }
}
/** Checks that the certificate certifies the private key whose public half (SSH wire format) is given. */
function checkCertificateKey(cert, publicKey, source, keyName) {
    if (!cert.publicKey.equals(publicKey)) {
        throw new CertificateError(`${source} certifies another key than ${keyName} (the certificate is for a ${cert.keyType} key, id ${JSON.stringify(cert.keyId)}): give the -cert.pub file signed for this key's .pub`);
    }
}
/**
 * The algorithm a login with this certificate names, from the signature algorithm chosen for the plain key
 * (`rsa-sha2-512` gives `rsa-sha2-512-cert-v01@openssh.com`).
 */
function certificateAlgorithm(signatureAlgorithm) {
    return `${signatureAlgorithm}-cert-v01@openssh.com`;
}
/** Wraps an SSH signature: string algorithm, string signature. */
function signatureBlob(algorithm, signature) {
    return Buffer.concat([sshString(algorithm), sshString(signature)]);
}
/** The SSH encoding of an ECDSA signature (string mpint r, mpint s) from its DER encoding; others pass unchanged. */
function sshSignature(keyType, signature) {
    if (!keyType.startsWith('ecdsa-'))
        return signature;
    const r = new Reader(signature);
    const derLength = () => {
        const first = r.bytes(1)[0];
        if (first < 0x80)
            return first;
        const bytes = r.bytes(first & 0x7f);
        return bytes.reduce((n, b) => n * 256 + b, 0);
    };
    const integer = () => {
        if (r.bytes(1)[0] !== 0x02)
            throw new Error('not a DER integer');
        return r.bytes(derLength());
    };
    if (r.bytes(1)[0] !== 0x30)
        throw new Error('not a DER sequence');
    derLength();
    const rInt = integer();
    const sInt = integer();
    return Buffer.concat([sshString(rInt), sshString(sInt)]);
}


/***/ }),

/***/ 3971:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ collect)
/* harmony export */ });
/** Closes stdin and waits for the process, collecting its output: for short side commands. */
async function collect(proc) {
    proc.stdin.end();
    const out = [];
    const err = [];
    proc.stdout.on('data', (d) => out.push(d));
    proc.stderr.on('data', (d) => err.push(d));
    const { code } = await proc.exited;
    return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}


/***/ }),

/***/ 3808:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Hj: () => (/* binding */ verifyHostKey),
/* harmony export */   Vh: () => (/* binding */ KNOWN_HOSTS_INPUT),
/* harmony export */   _O: () => (/* binding */ fingerprintSha256),
/* harmony export */   _V: () => (/* binding */ pinnedHostKeyAlgorithms),
/* harmony export */   aB: () => (/* binding */ entriesFor),
/* harmony export */   fK: () => (/* binding */ serverKeyFile),
/* harmony export */   on: () => (/* binding */ knownHostsName),
/* harmony export */   uJ: () => (/* binding */ parseKnownHosts),
/* harmony export */   zj: () => (/* binding */ keyTypeOf)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/**
 * Host-key verification against the `known-hosts` input, following OpenSSH's known_hosts semantics
 * (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"). It fails closed: a host without a matching pinned key is refused.
 */

const KNOWN_HOSTS_INPUT = { name: 'the `known-hosts` input', line: 'known-hosts line' };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HASH_MAGIC = '|1|';
/** Reads the first SSH string (uint32 length + bytes) of a key blob: the key type. Throws if truncated. */
function keyTypeOf(blob) {
    if (blob.length < 4)
        throw new Error('SSH key blob is too short');
    const len = blob.readUInt32BE(0);
    if (len === 0 || 4 + len > blob.length)
        throw new Error('SSH key blob has an invalid key type length');
    return blob.subarray(4, 4 + len).toString('latin1');
}
/** 'SHA256:<base64 without padding>', exactly as `ssh-keygen -l` prints it. */
function fingerprintSha256(blob) {
    return `SHA256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
/** The name OpenSSH looks up (and writes) in known_hosts: 'host' for port 22, '[host]:port' otherwise. */
function knownHostsName(host, port) {
    return port === 22 ? host : `[${host}]:${port}`;
}
function parseHashed(field) {
    const [salt, hash, ...rest] = field.slice(HASH_MAGIC.length).split('|');
    if (rest.length > 0 || !salt || !hash || !BASE64.test(salt) || !BASE64.test(hash))
        return undefined;
    const parsed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    return parsed.salt.length === 20 && parsed.hash.length === 20 ? parsed : undefined;
}
/** Parses known_hosts text. Malformed lines are skipped and described in `problems`. */
function parseKnownHosts(text, source) {
    const entries = [];
    const problems = [];
    const parseLine = (raw, index) => {
        const line = index + 1;
        const fail = (why) => void problems.push(`${(source ?? KNOWN_HOSTS_INPUT).line} ${line}: ${why}`);
        const fields = raw.trim().split(/[ \t]+/);
        if (fields[0] === '' || fields[0].startsWith('#'))
            return;
        let marker;
        if (fields[0].startsWith('@')) {
            const m = fields.shift();
            if (m !== '@revoked' && m !== '@cert-authority')
                return fail(`unknown marker "${m}"`);
            marker = m;
        }
        const [hostField, keyType, keyText] = fields;
        if (keyType === undefined || keyText === undefined) {
            return fail('expected "[marker] hostnames keytype base64-key [comment]"');
        }
        if (/^\d+$/.test(keyType))
            return fail('SSH protocol 1 (RSA1) keys are not supported');
        let patterns;
        if (hostField.startsWith(HASH_MAGIC)) {
            const hashed = parseHashed(hostField);
            if (!hashed)
                return fail('malformed hashed hostname (expected |1|base64-salt|base64-hash)');
            patterns = { hashed };
        }
        else {
            patterns = hostField.split(',');
            if (patterns.some((p) => p === '' || p === '!'))
                return fail('empty hostname pattern');
        }
        if (!BASE64.test(keyText))
            return fail(`${keyType} key is not valid base64`);
        const key = Buffer.from(keyText, 'base64');
        let embedded;
        try {
            embedded = keyTypeOf(key);
        }
        catch {
            return fail(`${keyType} key data is truncated or corrupt`);
        }
        if (embedded !== keyType)
            return fail(`key type "${keyType}" does not match the key data ("${embedded}")`);
        entries.push({ ...(marker ? { marker } : {}), patterns, keyType, key, line });
    };
    for (const [index, raw] of text.split(/\r?\n/).entries())
        parseLine(raw, index);
    return { entries, problems, ...(source ? { source } : {}) };
}
/** OpenSSH match_pattern: `*` and `?` wildcards over the whole (lower-cased) string. */
// Every host is matched against every line: a fleet's known_hosts makes that hosts × lines, so a pattern is compiled
// once, and one without wildcards (nearly all) is a string comparison.
const compiled = new Map();
function globMatch(name, pattern) {
    let m = compiled.get(pattern);
    if (m === undefined) {
        const lower = pattern.toLowerCase();
        const source = [...lower]
            .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
            .join('');
        m = /[*?]/.test(lower) ? new RegExp(`^${source}$`, 's') : lower;
        compiled.set(pattern, m);
    }
    return typeof m === 'string' ? m === name : m.test(name);
}
function entryMatchesHost(entry, name) {
    if (!Array.isArray(entry.patterns)) {
        const { salt, hash } = entry.patterns.hashed;
        return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.timingSafeEqual)((0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHmac)('sha1', salt).update(name).digest(), hash);
    }
    let matched = false;
    for (const pattern of entry.patterns) {
        const negated = pattern.startsWith('!');
        if (globMatch(name, negated ? pattern.slice(1) : pattern)) {
            if (negated)
                return false; // a matching negation excludes the whole line
            matched = true;
        }
    }
    return matched;
}
/**
 * Entries whose host patterns match host:port: unmarked (pinned) lines and `@revoked` ones decide on plain keys;
 * `@cert-authority` lines on host certificates (host-certificate.ts).
 */
function entriesFor(kh, host, port) {
    const name = knownHostsName(host.toLowerCase(), port);
    // A connection asks two or three times (the algorithms to offer, the key's verdict, a certificate's); each asking
    // walks every line, and a hashed line costs an HMAC. Remembered per list and host: a fleet's hashed known_hosts
    // cost hosts × lines HMACs once, not three times. A list whose lines changed is walked again.
    let memo = matched.get(kh.entries);
    if (!memo || memo.lines !== kh.entries.length) {
        memo = { lines: kh.entries.length, byName: new Map() };
        matched.set(kh.entries, memo);
    }
    let found = memo.byName.get(name);
    if (!found) {
        found = kh.entries.filter((e) => entryMatchesHost(e, name));
        memo.byName.set(name, found);
    }
    return [...found];
}
const matched = new WeakMap();
/** ssh2 host-key algorithm names per key type, in ssh2's default preference order. */
const ALGORITHMS_BY_KEY_TYPE = [
    ['ssh-ed25519', ['ssh-ed25519']],
    ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
    ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
    ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
    ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
    ['ssh-dss', ['ssh-dss']],
];
/**
 * The ssh2 `algorithms.serverHostKey` list restricted to the key types pinned (non-revoked) for this host, so that
 * negotiation picks a key we can verify. Undefined when no usable key type is pinned (the verifier refuses anyway).
 */
function pinnedHostKeyAlgorithms(kh, host, port) {
    const pinned = new Set(entriesFor(kh, host, port)
        .filter((e) => !e.marker)
        .map((e) => e.keyType));
    const algorithms = ALGORITHMS_BY_KEY_TYPE.filter(([type]) => pinned.has(type)).flatMap(([, names]) => names);
    return algorithms.length > 0 ? algorithms : undefined;
}
/** The server-side public host key file that `ssh-keygen -lf` should be run on. */
function serverKeyFile(keyType) {
    const short = { 'ssh-ed25519': 'ed25519', 'ssh-rsa': 'rsa', 'ssh-dss': 'dsa' };
    const name = keyType.startsWith('ecdsa-') ? 'ecdsa' : (short[keyType] ?? '*');
    return `/etc/ssh/ssh_host_${name}_key.pub`;
}
/** Why a matching `@cert-authority` line did not let the host in: the host presented a plain key. */
function certificateAuthorityNote(matching, source) {
    const lines = matching.filter((e) => e.marker === '@cert-authority').map((e) => e.line);
    if (lines.length === 0)
        return [];
    return [
        `${source.line}(s) ${lines.join(', ')} (@cert-authority) match this host, but it presented a plain host key, not a`,
        "certificate: give the host a certificate signed by that CA (sshd's HostCertificate), or pin its key.",
    ];
}
/** Checks the server's plain host key blob against the entries for host:port. Fails closed. */
function verifyHostKey(kh, host, port, blob) {
    const matching = entriesFor(kh, host, port);
    const source = kh.source ?? KNOWN_HOSTS_INPUT;
    const revoked = matching.find((e) => e.marker === '@revoked' && e.key.equals(blob));
    const pinned = matching.filter((e) => !e.marker);
    if (!revoked && pinned.some((e) => e.key.equals(blob)))
        return { ok: true };
    let keyType;
    try {
        keyType = keyTypeOf(blob);
    }
    catch {
        keyType = 'unparseable-key';
    }
    const fingerprint = fingerprintSha256(blob);
    const suggestedLine = `${knownHostsName(host, port)} ${keyType} ${blob.toString('base64')}`;
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const reason = revoked ? 'revoked' : pinned.length > 0 ? 'mismatch' : 'unknown';
    const offered = `  Offered host key: ${keyType} ${fingerprint}`;
    const outOfBand = [
        'Obtain the key out of band rather than trusting this message: run',
        `  ssh-keyscan -p ${port} ${host}`,
        `from a trusted network and check that its fingerprint equals the output of`,
        `  ssh-keygen -lf ${serverKeyFile(keyType)}`,
        'run on the server itself (for example from its console).',
    ];
    let lines;
    if (revoked) {
        lines = [
            `Host key verification failed for ${where}: the offered host key is REVOKED`,
            `(marked @revoked on ${source.line} ${revoked.line}). Refusing to connect.`,
            offered,
            `Do not re-add this key: give the server a new host key, then pin that one in ${source.name}.`,
            ...outOfBand,
        ];
    }
    else {
        const types = [...new Set(pinned.map((e) => e.keyType))].join(', ');
        const head = reason === 'mismatch'
            ? [
                `WARNING: host key verification failed for ${where}: the host key has CHANGED.`,
                `The offered key differs from the key(s) pinned for this host in ${source.name}`,
                `(pinned key type(s): ${types}; ${source.line}(s) ${pinned.map((e) => e.line).join(', ')}).`,
                'Someone could be intercepting the connection (man-in-the-middle attack), or the server was reinstalled',
                'or its host key was replaced. Refusing to connect.',
                offered,
                'Only if the change is expected and verified, replace the pinned line(s) with:',
            ]
            : [
                `Host key verification failed for ${where}: the host is not listed in ${source.name}`,
                `(looked up as "${knownHostsName(host, port)}"). Refusing to connect to an unknown host.`,
                ...certificateAuthorityNote(matching, source),
                offered,
                `To trust this host, add this line to ${source.name}:`,
            ];
        lines = [...head, `  ${suggestedLine}`, ...outOfBand];
    }
    return { ok: false, reason, keyType, fingerprint, suggestedLine, message: lines.join('\n') };
}


/***/ }),

/***/ 2118:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ir: () => (/* binding */ connectEarly),
/* harmony export */   Rs: () => (/* binding */ takeTcp),
/* harmony export */   bG: () => (/* binding */ CLIENT_IDENT),
/* harmony export */   tj: () => (/* binding */ dropEarly)
/* harmony export */ });
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_net__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _coalesce_writes_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9581);


/**
 * The TCP connection to a host. Phases are small messages that wait for an answer, so TCP_NODELAY is on (Nagle's
 * algorithm would hold each one back until the previous segment is acknowledged: a delayed ACK, up to 40 ms per
 * round trip). Without Nagle every write would leave on its own, and ssh2 writes each packet in pieces (length,
 * ciphertext, MAC): what is written within one tick leaves in one system call and one segment.
 */
function openTcp(host, port) {
    const sock = (0,node_net__WEBPACK_IMPORTED_MODULE_0__.connect)({ host, port });
    sock.setNoDelay(true);
    // ssh2 listens for errors once it has the socket; until then (and after it lets go) they must not be fatal.
    sock.on('error', () => undefined);
    return (0,_coalesce_writes_js__WEBPACK_IMPORTED_MODULE_1__/* .coalesceWrites */ .i)(sock);
}
/**
 * This client's software version in its SSH identification line (RFC 4253 §4.2), given to ssh2 as its `ident`: an
 * early connection sends the line before ssh2 is loaded, so both must be the same bytes (the line is part of the key
 * exchange's hash).
 */
const CLIENT_IDENT = 'deploy-action_ssh2js';
const IDENT_LINE = Buffer.from(`SSH-2.0-${CLIENT_IDENT}\r\n`);
/** Connections opened ahead of their SSH handshake, by `host:port`, with when they were opened. */
const early = new Map();
const key = (host, port) => `${host}\0${port}`;
/** An early connection older than this is not used: the handshake it was opened for did not follow. */
const EARLY_MAX_AGE_MS = 10_000;
/**
 * Opens a TCP connection now, for an SSH handshake that starts a moment later (once ssh2 is loaded), and sends the
 * identification line as soon as it is up: the TCP round trip and the server's answer (its identification and
 * key exchange offer, which an SSH server sends once it has the client's line) overlap with the loading. Until it
 * is taken the connection does not keep the process alive. Only for a handshake that follows at once: sshd closes
 * connections that do not log in within its LoginGraceTime.
 */
function connectEarly(host, port) {
    if (early.has(key(host, port)))
        return;
    const sock = openTcp(host, port).unref();
    sock.once('connect', () => sock.write(IDENT_LINE));
    early.set(key(host, port), { sock, at: Date.now() });
}
/** Closes the early connections nobody took (the fleet could not open, or the run stopped before it connected). */
function dropEarly() {
    for (const { sock } of early.values())
        sock.destroy();
    early.clear();
}
/**
 * The connection to use for a handshake: the one opened early if it is still good (it counts as a reference to
 * the process again), else a new one, which reports its own failure the usual way.
 */
function takeTcp(host, port) {
    const entry = early.get(key(host, port));
    early.delete(key(host, port));
    // A failed connection is destroyed by its error.
    if (entry && !entry.sock.destroyed && Date.now() - entry.at < EARLY_MAX_AGE_MS)
        return skipIdentWrite(entry.sock.ref());
    entry?.sock.destroy();
    return openTcp(host, port);
}
/**
 * On a connection that sends the identification line itself (connectEarly), ssh2's own first write, the same line,
 * is dropped: the server must see it once.
 */
function skipIdentWrite(sock) {
    const write = sock.write;
    sock.write = function (chunk, ...rest) {
        sock.write = write;
        if (Buffer.isBuffer(chunk) && chunk.equals(IDENT_LINE)) {
            const done = rest.find((r) => typeof r === 'function');
            if (done)
                process.nextTick(done);
            return true;
        }
        return write.call(this, chunk, ...rest);
    };
    return sock;
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 2250:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("dns");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 6193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:string_decoder");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 3106:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("zlib");

/***/ }),

/***/ 7349:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var resolveBlockMap = __nccwpck_require__(7103);
var resolveBlockSeq = __nccwpck_require__(334);
var resolveFlowCollection = __nccwpck_require__(3142);

function resolveCollection(CN, ctx, token, onError, tagName, tag) {
    const coll = token.type === 'block-map'
        ? resolveBlockMap.resolveBlockMap(CN, ctx, token, onError, tag)
        : token.type === 'block-seq'
            ? resolveBlockSeq.resolveBlockSeq(CN, ctx, token, onError, tag)
            : resolveFlowCollection.resolveFlowCollection(CN, ctx, token, onError, tag);
    const Coll = coll.constructor;
    // If we got a tagName matching the class, or the tag name is '!',
    // then use the tagName from the node class used to create it.
    if (tagName === '!' || tagName === Coll.tagName) {
        coll.tag = Coll.tagName;
        return coll;
    }
    if (tagName)
        coll.tag = tagName;
    return coll;
}
function composeCollection(CN, ctx, token, props, onError) {
    const tagToken = props.tag;
    const tagName = !tagToken
        ? null
        : ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg));
    if (token.type === 'block-seq') {
        const { anchor, newlineAfterProp: nl } = props;
        const lastProp = anchor && tagToken
            ? anchor.offset > tagToken.offset
                ? anchor
                : tagToken
            : (anchor ?? tagToken);
        if (lastProp && (!nl || nl.offset < lastProp.offset)) {
            const message = 'Missing newline after block sequence props';
            onError(lastProp, 'MISSING_CHAR', message);
        }
    }
    const expType = token.type === 'block-map'
        ? 'map'
        : token.type === 'block-seq'
            ? 'seq'
            : token.start.source === '{'
                ? 'map'
                : 'seq';
    // shortcut: check if it's a generic YAMLMap or YAMLSeq
    // before jumping into the custom tag logic.
    if (!tagToken ||
        !tagName ||
        tagName === '!' ||
        (tagName === YAMLMap.YAMLMap.tagName && expType === 'map') ||
        (tagName === YAMLSeq.YAMLSeq.tagName && expType === 'seq')) {
        return resolveCollection(CN, ctx, token, onError, tagName);
    }
    let tag = ctx.schema.tags.find(t => t.tag === tagName && t.collection === expType);
    if (!tag) {
        const kt = ctx.schema.knownTags[tagName];
        if (kt?.collection === expType) {
            ctx.schema.tags.push(Object.assign({}, kt, { default: false }));
            tag = kt;
        }
        else {
            if (kt) {
                onError(tagToken, 'BAD_COLLECTION_TYPE', `${kt.tag} used for ${expType} collection, but expects ${kt.collection ?? 'scalar'}`, true);
            }
            else {
                onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, true);
            }
            return resolveCollection(CN, ctx, token, onError, tagName);
        }
    }
    const coll = resolveCollection(CN, ctx, token, onError, tagName, tag);
    const res = tag.resolve?.(coll, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg), ctx.options) ?? coll;
    const node = identity.isNode(res)
        ? res
        : new Scalar.Scalar(res);
    node.range = coll.range;
    node.tag = tagName;
    if (tag?.format)
        node.format = tag.format;
    return node;
}

exports.composeCollection = composeCollection;


/***/ }),

/***/ 3683:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Document = __nccwpck_require__(3021);
var composeNode = __nccwpck_require__(5937);
var resolveEnd = __nccwpck_require__(7788);
var resolveProps = __nccwpck_require__(4631);

function composeDoc(options, directives, { offset, start, value, end }, onError) {
    const opts = Object.assign({ _directives: directives }, options);
    const doc = new Document.Document(undefined, opts);
    const ctx = {
        atKey: false,
        atRoot: true,
        directives: doc.directives,
        options: doc.options,
        schema: doc.schema
    };
    const props = resolveProps.resolveProps(start, {
        indicator: 'doc-start',
        next: value ?? end?.[0],
        offset,
        onError,
        parentIndent: 0,
        startOnNewline: true
    });
    if (props.found) {
        doc.directives.docStart = true;
        if (value &&
            (value.type === 'block-map' || value.type === 'block-seq') &&
            !props.hasNewline)
            onError(props.end, 'MISSING_CHAR', 'Block collection cannot start on same line with directives-end marker');
    }
    // @ts-expect-error If Contents is set, let's trust the user
    doc.contents = value
        ? composeNode.composeNode(ctx, value, props, onError)
        : composeNode.composeEmptyNode(ctx, props.end, start, null, props, onError);
    const contentEnd = doc.contents.range[2];
    const re = resolveEnd.resolveEnd(end, contentEnd, false, onError);
    if (re.comment)
        doc.comment = re.comment;
    doc.range = [offset, contentEnd, re.offset];
    return doc;
}

exports.composeDoc = composeDoc;


/***/ }),

/***/ 5937:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var composeCollection = __nccwpck_require__(7349);
var composeScalar = __nccwpck_require__(5413);
var resolveEnd = __nccwpck_require__(7788);
var utilEmptyScalarPosition = __nccwpck_require__(2599);

const CN = { composeNode, composeEmptyNode };
function composeNode(ctx, token, props, onError) {
    const atKey = ctx.atKey;
    const { spaceBefore, comment, anchor, tag } = props;
    let node;
    let isSrcToken = true;
    switch (token.type) {
        case 'alias':
            node = composeAlias(ctx, token, onError);
            if (anchor || tag)
                onError(token, 'ALIAS_PROPS', 'An alias node must not specify any properties');
            break;
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'block-scalar':
            node = composeScalar.composeScalar(ctx, token, tag, onError);
            if (anchor)
                node.anchor = anchor.source.substring(1);
            break;
        case 'block-map':
        case 'block-seq':
        case 'flow-collection':
            try {
                node = composeCollection.composeCollection(CN, ctx, token, props, onError);
                if (anchor)
                    node.anchor = anchor.source.substring(1);
            }
            catch (error) {
                // Almost certainly here due to a stack overflow
                const message = error instanceof Error ? error.message : String(error);
                onError(token, 'RESOURCE_EXHAUSTION', message);
            }
            break;
        default: {
            const message = token.type === 'error'
                ? token.message
                : `Unsupported token (type: ${token.type})`;
            onError(token, 'UNEXPECTED_TOKEN', message);
            isSrcToken = false;
        }
    }
    node ?? (node = composeEmptyNode(ctx, token.offset, undefined, null, props, onError));
    if (anchor && node.anchor === '')
        onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    if (atKey &&
        ctx.options.stringKeys &&
        (!identity.isScalar(node) ||
            typeof node.value !== 'string' ||
            (node.tag && node.tag !== 'tag:yaml.org,2002:str'))) {
        const msg = 'With stringKeys, all keys must be strings';
        onError(tag ?? token, 'NON_STRING_KEY', msg);
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        if (token.type === 'scalar' && token.source === '')
            node.comment = comment;
        else
            node.commentBefore = comment;
    }
    // @ts-expect-error Type checking misses meaning of isSrcToken
    if (ctx.options.keepSourceTokens && isSrcToken)
        node.srcToken = token;
    return node;
}
function composeEmptyNode(ctx, offset, before, pos, { spaceBefore, comment, anchor, tag, end }, onError) {
    const token = {
        type: 'scalar',
        offset: utilEmptyScalarPosition.emptyScalarPosition(offset, before, pos),
        indent: -1,
        source: ''
    };
    const node = composeScalar.composeScalar(ctx, token, tag, onError);
    if (anchor) {
        node.anchor = anchor.source.substring(1);
        if (node.anchor === '')
            onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        node.comment = comment;
        node.range[2] = end;
    }
    return node;
}
function composeAlias({ options }, { offset, source, end }, onError) {
    const alias = new Alias.Alias(source.substring(1));
    if (alias.source === '')
        onError(offset, 'BAD_ALIAS', 'Alias cannot be an empty string');
    if (alias.source.endsWith(':'))
        onError(offset + source.length - 1, 'BAD_ALIAS', 'Alias ending in : is ambiguous', true);
    const valueEnd = offset + source.length;
    const re = resolveEnd.resolveEnd(end, valueEnd, options.strict, onError);
    alias.range = [offset, valueEnd, re.offset];
    if (re.comment)
        alias.comment = re.comment;
    return alias;
}

exports.composeEmptyNode = composeEmptyNode;
exports.composeNode = composeNode;


/***/ }),

/***/ 5413:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var resolveBlockScalar = __nccwpck_require__(8913);
var resolveFlowScalar = __nccwpck_require__(6842);

function composeScalar(ctx, token, tagToken, onError) {
    const { value, type, comment, range } = token.type === 'block-scalar'
        ? resolveBlockScalar.resolveBlockScalar(ctx, token, onError)
        : resolveFlowScalar.resolveFlowScalar(token, ctx.options.strict, onError);
    const tagName = tagToken
        ? ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg))
        : null;
    let tag;
    if (ctx.options.stringKeys && ctx.atKey) {
        tag = ctx.schema[identity.SCALAR];
    }
    else if (tagName)
        tag = findScalarTagByName(ctx.schema, value, tagName, tagToken, onError);
    else if (token.type === 'scalar')
        tag = findScalarTagByTest(ctx, value, token, onError);
    else
        tag = ctx.schema[identity.SCALAR];
    let scalar;
    try {
        const res = tag.resolve(value, msg => onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg), ctx.options);
        scalar = identity.isScalar(res) ? res : new Scalar.Scalar(res);
    }
    catch (error) {
        const msg = error instanceof Error ? error.message : String(error);
        onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg);
        scalar = new Scalar.Scalar(value);
    }
    scalar.range = range;
    scalar.source = value;
    if (type)
        scalar.type = type;
    if (tagName)
        scalar.tag = tagName;
    if (tag.format)
        scalar.format = tag.format;
    if (comment)
        scalar.comment = comment;
    return scalar;
}
function findScalarTagByName(schema, value, tagName, tagToken, onError) {
    if (tagName === '!')
        return schema[identity.SCALAR]; // non-specific tag
    const matchWithTest = [];
    for (const tag of schema.tags) {
        if (!tag.collection && tag.tag === tagName) {
            if (tag.default && tag.test)
                matchWithTest.push(tag);
            else
                return tag;
        }
    }
    for (const tag of matchWithTest)
        if (tag.test?.test(value))
            return tag;
    const kt = schema.knownTags[tagName];
    if (kt && !kt.collection) {
        // Ensure that the known tag is available for stringifying,
        // but does not get used by default.
        schema.tags.push(Object.assign({}, kt, { default: false, test: undefined }));
        return kt;
    }
    onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, tagName !== 'tag:yaml.org,2002:str');
    return schema[identity.SCALAR];
}
function findScalarTagByTest({ atKey, directives, schema }, value, token, onError) {
    const tag = schema.tags.find(tag => (tag.default === true || (atKey && tag.default === 'key')) &&
        tag.test?.test(value)) || schema[identity.SCALAR];
    if (schema.compat) {
        const compat = schema.compat.find(tag => tag.default && tag.test?.test(value)) ??
            schema[identity.SCALAR];
        if (tag.tag !== compat.tag) {
            const ts = directives.tagString(tag.tag);
            const cs = directives.tagString(compat.tag);
            const msg = `Value may be parsed as either ${ts} or ${cs}`;
            onError(token, 'TAG_RESOLVE_FAILED', msg, true);
        }
    }
    return tag;
}

exports.composeScalar = composeScalar;


/***/ }),

/***/ 9984:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);
var directives = __nccwpck_require__(1342);
var Document = __nccwpck_require__(3021);
var errors = __nccwpck_require__(1464);
var identity = __nccwpck_require__(1127);
var composeDoc = __nccwpck_require__(3683);
var resolveEnd = __nccwpck_require__(7788);

function getErrorPos(src) {
    if (typeof src === 'number')
        return [src, src + 1];
    if (Array.isArray(src))
        return src.length === 2 ? src : [src[0], src[1]];
    const { offset, source } = src;
    return [offset, offset + (typeof source === 'string' ? source.length : 1)];
}
function parsePrelude(prelude) {
    let comment = '';
    let atComment = false;
    let afterEmptyLine = false;
    for (let i = 0; i < prelude.length; ++i) {
        const source = prelude[i];
        switch (source[0]) {
            case '#':
                comment +=
                    (comment === '' ? '' : afterEmptyLine ? '\n\n' : '\n') +
                        (source.substring(1) || ' ');
                atComment = true;
                afterEmptyLine = false;
                break;
            case '%':
                if (prelude[i + 1]?.[0] !== '#')
                    i += 1;
                atComment = false;
                break;
            default:
                // This may be wrong after doc-end, but in that case it doesn't matter
                if (!atComment)
                    afterEmptyLine = true;
                atComment = false;
        }
    }
    return { comment, afterEmptyLine };
}
/**
 * Compose a stream of CST nodes into a stream of YAML Documents.
 *
 * ```ts
 * import { Composer, Parser } from 'yaml'
 *
 * const src: string = ...
 * const tokens = new Parser().parse(src)
 * const docs = new Composer().compose(tokens)
 * ```
 */
class Composer {
    constructor(options = {}) {
        this.doc = null;
        this.atDirectives = false;
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
        this.onError = (source, code, message, warning) => {
            const pos = getErrorPos(source);
            if (warning)
                this.warnings.push(new errors.YAMLWarning(pos, code, message));
            else
                this.errors.push(new errors.YAMLParseError(pos, code, message));
        };
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        this.directives = new directives.Directives({ version: options.version || '1.2' });
        this.options = options;
    }
    decorate(doc, afterDoc) {
        const { comment, afterEmptyLine } = parsePrelude(this.prelude);
        //console.log({ dc: doc.comment, prelude, comment })
        if (comment) {
            const dc = doc.contents;
            if (afterDoc) {
                doc.comment = doc.comment ? `${doc.comment}\n${comment}` : comment;
            }
            else if (afterEmptyLine || doc.directives.docStart || !dc) {
                doc.commentBefore = comment;
            }
            else if (identity.isCollection(dc) && !dc.flow && dc.items.length > 0) {
                let it = dc.items[0];
                if (identity.isPair(it))
                    it = it.key;
                const cb = it.commentBefore;
                it.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
            else {
                const cb = dc.commentBefore;
                dc.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
        }
        if (afterDoc) {
            for (let i = 0; i < this.errors.length; ++i)
                doc.errors.push(this.errors[i]);
            for (let i = 0; i < this.warnings.length; ++i)
                doc.warnings.push(this.warnings[i]);
        }
        else {
            doc.errors = this.errors;
            doc.warnings = this.warnings;
        }
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
    }
    /**
     * Current stream status information.
     *
     * Mostly useful at the end of input for an empty stream.
     */
    streamInfo() {
        return {
            comment: parsePrelude(this.prelude).comment,
            directives: this.directives,
            errors: this.errors,
            warnings: this.warnings
        };
    }
    /**
     * Compose tokens into documents.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *compose(tokens, forceDoc = false, endOffset = -1) {
        for (const token of tokens)
            yield* this.next(token);
        yield* this.end(forceDoc, endOffset);
    }
    /** Advance the composer by one CST token. */
    *next(token) {
        if (node_process.env.LOG_STREAM)
            console.dir(token, { depth: null });
        switch (token.type) {
            case 'directive':
                this.directives.add(token.source, (offset, message, warning) => {
                    const pos = getErrorPos(token);
                    pos[0] += offset;
                    this.onError(pos, 'BAD_DIRECTIVE', message, warning);
                });
                this.prelude.push(token.source);
                this.atDirectives = true;
                break;
            case 'document': {
                const doc = composeDoc.composeDoc(this.options, this.directives, token, this.onError);
                if (this.atDirectives && !doc.directives.docStart)
                    this.onError(token, 'MISSING_CHAR', 'Missing directives-end/doc-start indicator line');
                this.decorate(doc, false);
                if (this.doc)
                    yield this.doc;
                this.doc = doc;
                this.atDirectives = false;
                break;
            }
            case 'byte-order-mark':
            case 'space':
                break;
            case 'comment':
            case 'newline':
                this.prelude.push(token.source);
                break;
            case 'error': {
                const msg = token.source
                    ? `${token.message}: ${JSON.stringify(token.source)}`
                    : token.message;
                const error = new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg);
                if (this.atDirectives || !this.doc)
                    this.errors.push(error);
                else
                    this.doc.errors.push(error);
                break;
            }
            case 'doc-end': {
                if (!this.doc) {
                    const msg = 'Unexpected doc-end without preceding document';
                    this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg));
                    break;
                }
                this.doc.directives.docEnd = true;
                const end = resolveEnd.resolveEnd(token.end, token.offset + token.source.length, this.doc.options.strict, this.onError);
                this.decorate(this.doc, true);
                if (end.comment) {
                    const dc = this.doc.comment;
                    this.doc.comment = dc ? `${dc}\n${end.comment}` : end.comment;
                }
                this.doc.range[2] = end.offset;
                break;
            }
            default:
                this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', `Unsupported token ${token.type}`));
        }
    }
    /**
     * Call at end of input to yield any remaining document.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *end(forceDoc = false, endOffset = -1) {
        if (this.doc) {
            this.decorate(this.doc, true);
            yield this.doc;
            this.doc = null;
        }
        else if (forceDoc) {
            const opts = Object.assign({ _directives: this.directives }, this.options);
            const doc = new Document.Document(undefined, opts);
            if (this.atDirectives)
                this.onError(endOffset, 'MISSING_CHAR', 'Missing directives-end indicator line');
            doc.range = [0, endOffset, endOffset];
            this.decorate(doc, false);
            yield doc;
        }
    }
}

exports.Composer = Composer;


/***/ }),

/***/ 7103:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);
var resolveProps = __nccwpck_require__(4631);
var utilContainsNewline = __nccwpck_require__(9499);
var utilFlowIndentCheck = __nccwpck_require__(4051);
var utilMapIncludes = __nccwpck_require__(1187);

const startColMsg = 'All mapping items must start at the same column';
function resolveBlockMap({ composeNode, composeEmptyNode }, ctx, bm, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLMap.YAMLMap;
    const map = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    let offset = bm.offset;
    let commentEnd = null;
    for (const collItem of bm.items) {
        const { start, key, sep, value } = collItem;
        // key properties
        const keyProps = resolveProps.resolveProps(start, {
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: bm.indent,
            startOnNewline: true
        });
        const implicitKey = !keyProps.found;
        if (implicitKey) {
            if (key) {
                if (key.type === 'block-seq')
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'A block sequence may not be used as an implicit map key');
                else if ('indent' in key && key.indent !== bm.indent)
                    onError(offset, 'BAD_INDENT', startColMsg);
            }
            if (!keyProps.anchor && !keyProps.tag && !sep) {
                commentEnd = keyProps.end;
                if (keyProps.comment) {
                    if (map.comment)
                        map.comment += '\n' + keyProps.comment;
                    else
                        map.comment = keyProps.comment;
                }
                continue;
            }
            if (keyProps.newlineAfterProp || utilContainsNewline.containsNewline(key)) {
                onError(key ?? start[start.length - 1], 'MULTILINE_IMPLICIT_KEY', 'Implicit keys need to be on a single line');
            }
        }
        else if (keyProps.found?.indent !== bm.indent) {
            onError(offset, 'BAD_INDENT', startColMsg);
        }
        // key value
        ctx.atKey = true;
        const keyStart = keyProps.end;
        const keyNode = key
            ? composeNode(ctx, key, keyProps, onError)
            : composeEmptyNode(ctx, keyStart, start, null, keyProps, onError);
        if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bm.indent, key, onError);
        ctx.atKey = false;
        if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
            onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
        // value properties
        const valueProps = resolveProps.resolveProps(sep ?? [], {
            indicator: 'map-value-ind',
            next: value,
            offset: keyNode.range[2],
            onError,
            parentIndent: bm.indent,
            startOnNewline: !key || key.type === 'block-scalar'
        });
        offset = valueProps.end;
        if (valueProps.found) {
            if (implicitKey) {
                if (value?.type === 'block-map' && !valueProps.hasNewline)
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'Nested mappings are not allowed in compact mappings');
                if (ctx.options.strict &&
                    keyProps.start < valueProps.found.offset - 1024)
                    onError(keyNode.range, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit block mapping key');
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : composeEmptyNode(ctx, offset, sep, null, valueProps, onError);
            if (ctx.schema.compat)
                utilFlowIndentCheck.flowIndentCheck(bm.indent, value, onError);
            offset = valueNode.range[2];
            const pair = new Pair.Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
        else {
            // key with no value
            if (implicitKey)
                onError(keyNode.range, 'MISSING_CHAR', 'Implicit map keys need to be followed by map values');
            if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair.Pair(keyNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
    }
    if (commentEnd && commentEnd < offset)
        onError(commentEnd, 'IMPOSSIBLE', 'Map comment with trailing content');
    map.range = [bm.offset, offset, commentEnd ?? offset];
    return map;
}

exports.resolveBlockMap = resolveBlockMap;


/***/ }),

/***/ 8913:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

function resolveBlockScalar(ctx, scalar, onError) {
    const start = scalar.offset;
    const header = parseBlockScalarHeader(scalar, ctx.options.strict, onError);
    if (!header)
        return { value: '', type: null, comment: '', range: [start, start, start] };
    const type = header.mode === '>' ? Scalar.Scalar.BLOCK_FOLDED : Scalar.Scalar.BLOCK_LITERAL;
    const lines = scalar.source ? splitLines(scalar.source) : [];
    // determine the end of content & start of chomping
    let chompStart = lines.length;
    for (let i = lines.length - 1; i >= 0; --i) {
        const content = lines[i][1];
        if (content === '' || content === '\r')
            chompStart = i;
        else
            break;
    }
    // shortcut for empty contents
    if (chompStart === 0) {
        const value = header.chomp === '+' && lines.length > 0
            ? '\n'.repeat(Math.max(1, lines.length - 1))
            : '';
        let end = start + header.length;
        if (scalar.source)
            end += scalar.source.length;
        return { value, type, comment: header.comment, range: [start, end, end] };
    }
    // find the indentation level to trim from start
    let trimIndent = scalar.indent + header.indent;
    let offset = scalar.offset + header.length;
    let contentStart = 0;
    for (let i = 0; i < chompStart; ++i) {
        const [indent, content] = lines[i];
        if (content === '' || content === '\r') {
            if (header.indent === 0 && indent.length > trimIndent)
                trimIndent = indent.length;
        }
        else {
            if (indent.length < trimIndent) {
                const message = 'Block scalars with more-indented leading empty lines must use an explicit indentation indicator';
                onError(offset + indent.length, 'MISSING_CHAR', message);
            }
            if (header.indent === 0)
                trimIndent = indent.length;
            contentStart = i;
            if (trimIndent === 0 && !ctx.atRoot) {
                const message = 'Block scalar values in collections must be indented';
                onError(offset, 'BAD_INDENT', message);
            }
            break;
        }
        offset += indent.length + content.length + 1;
    }
    // include trailing more-indented empty lines in content
    for (let i = lines.length - 1; i >= chompStart; --i) {
        if (lines[i][0].length > trimIndent)
            chompStart = i + 1;
    }
    let value = '';
    let sep = '';
    let prevMoreIndented = false;
    // leading whitespace is kept intact
    for (let i = 0; i < contentStart; ++i)
        value += lines[i][0].slice(trimIndent) + '\n';
    for (let i = contentStart; i < chompStart; ++i) {
        let [indent, content] = lines[i];
        offset += indent.length + content.length + 1;
        const crlf = content[content.length - 1] === '\r';
        if (crlf)
            content = content.slice(0, -1);
        /* istanbul ignore if already caught in lexer */
        if (content && indent.length < trimIndent) {
            const src = header.indent
                ? 'explicit indentation indicator'
                : 'first line';
            const message = `Block scalar lines must not be less indented than their ${src}`;
            onError(offset - content.length - (crlf ? 2 : 1), 'BAD_INDENT', message);
            indent = '';
        }
        if (type === Scalar.Scalar.BLOCK_LITERAL) {
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
        }
        else if (indent.length > trimIndent || content[0] === '\t') {
            // more-indented content within a folded block
            if (sep === ' ')
                sep = '\n';
            else if (!prevMoreIndented && sep === '\n')
                sep = '\n\n';
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
            prevMoreIndented = true;
        }
        else if (content === '') {
            // empty line
            if (sep === '\n')
                value += '\n';
            else
                sep = '\n';
        }
        else {
            value += sep + content;
            sep = ' ';
            prevMoreIndented = false;
        }
    }
    switch (header.chomp) {
        case '-':
            break;
        case '+':
            for (let i = chompStart; i < lines.length; ++i)
                value += '\n' + lines[i][0].slice(trimIndent);
            if (value[value.length - 1] !== '\n')
                value += '\n';
            break;
        default:
            value += '\n';
    }
    const end = start + header.length + scalar.source.length;
    return { value, type, comment: header.comment, range: [start, end, end] };
}
function parseBlockScalarHeader({ offset, props }, strict, onError) {
    /* istanbul ignore if should not happen */
    if (props[0].type !== 'block-scalar-header') {
        onError(props[0], 'IMPOSSIBLE', 'Block scalar header not found');
        return null;
    }
    const { source } = props[0];
    const mode = source[0];
    let indent = 0;
    let chomp = '';
    let error = -1;
    for (let i = 1; i < source.length; ++i) {
        const ch = source[i];
        if (!chomp && (ch === '-' || ch === '+'))
            chomp = ch;
        else {
            const n = Number(ch);
            if (!indent && n)
                indent = n;
            else if (error === -1)
                error = offset + i;
        }
    }
    if (error !== -1)
        onError(error, 'UNEXPECTED_TOKEN', `Block scalar header includes extra characters: ${source}`);
    let hasSpace = false;
    let comment = '';
    let length = source.length;
    for (let i = 1; i < props.length; ++i) {
        const token = props[i];
        switch (token.type) {
            case 'space':
                hasSpace = true;
            // fallthrough
            case 'newline':
                length += token.source.length;
                break;
            case 'comment':
                if (strict && !hasSpace) {
                    const message = 'Comments must be separated from other tokens by white space characters';
                    onError(token, 'MISSING_CHAR', message);
                }
                length += token.source.length;
                comment = token.source.substring(1);
                break;
            case 'error':
                onError(token, 'UNEXPECTED_TOKEN', token.message);
                length += token.source.length;
                break;
            /* istanbul ignore next should not happen */
            default: {
                const message = `Unexpected token in block scalar header: ${token.type}`;
                onError(token, 'UNEXPECTED_TOKEN', message);
                const ts = token.source;
                if (ts && typeof ts === 'string')
                    length += ts.length;
            }
        }
    }
    return { mode, indent, chomp, comment, length };
}
/** @returns Array of lines split up as `[indent, content]` */
function splitLines(source) {
    const split = source.split(/\n( *)/);
    const first = split[0];
    const m = first.match(/^( *)/);
    const line0 = m?.[1]
        ? [m[1], first.slice(m[1].length)]
        : ['', first];
    const lines = [line0];
    for (let i = 1; i < split.length; i += 2)
        lines.push([split[i], split[i + 1]]);
    return lines;
}

exports.resolveBlockScalar = resolveBlockScalar;


/***/ }),

/***/ 334:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var YAMLSeq = __nccwpck_require__(2223);
var resolveProps = __nccwpck_require__(4631);
var utilFlowIndentCheck = __nccwpck_require__(4051);

function resolveBlockSeq({ composeNode, composeEmptyNode }, ctx, bs, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLSeq.YAMLSeq;
    const seq = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = bs.offset;
    let commentEnd = null;
    for (const { start, value } of bs.items) {
        const props = resolveProps.resolveProps(start, {
            indicator: 'seq-item-ind',
            next: value,
            offset,
            onError,
            parentIndent: bs.indent,
            startOnNewline: true
        });
        if (!props.found) {
            if (props.anchor || props.tag || value) {
                if (value?.type === 'block-seq')
                    onError(props.end, 'BAD_INDENT', 'All sequence items must start at the same column');
                else
                    onError(offset, 'MISSING_CHAR', 'Sequence item without - indicator');
            }
            else {
                commentEnd = props.end;
                if (props.comment)
                    seq.comment = props.comment;
                continue;
            }
        }
        const node = value
            ? composeNode(ctx, value, props, onError)
            : composeEmptyNode(ctx, props.end, start, null, props, onError);
        if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bs.indent, value, onError);
        offset = node.range[2];
        seq.items.push(node);
    }
    seq.range = [bs.offset, offset, commentEnd ?? offset];
    return seq;
}

exports.resolveBlockSeq = resolveBlockSeq;


/***/ }),

/***/ 7788:
/***/ ((__unused_webpack_module, exports) => {



function resolveEnd(end, offset, reqSpace, onError) {
    let comment = '';
    if (end) {
        let hasSpace = false;
        let sep = '';
        for (const token of end) {
            const { source, type } = token;
            switch (type) {
                case 'space':
                    hasSpace = true;
                    break;
                case 'comment': {
                    if (reqSpace && !hasSpace)
                        onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                    const cb = source.substring(1) || ' ';
                    if (!comment)
                        comment = cb;
                    else
                        comment += sep + cb;
                    sep = '';
                    break;
                }
                case 'newline':
                    if (comment)
                        sep += source;
                    hasSpace = true;
                    break;
                default:
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${type} at node end`);
            }
            offset += source.length;
        }
    }
    return { comment, offset };
}

exports.resolveEnd = resolveEnd;


/***/ }),

/***/ 3142:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var resolveEnd = __nccwpck_require__(7788);
var resolveProps = __nccwpck_require__(4631);
var utilContainsNewline = __nccwpck_require__(9499);
var utilMapIncludes = __nccwpck_require__(1187);

const blockMsg = 'Block collections are not allowed within flow collections';
const isBlock = (token) => token && (token.type === 'block-map' || token.type === 'block-seq');
function resolveFlowCollection({ composeNode, composeEmptyNode }, ctx, fc, onError, tag) {
    const isMap = fc.start.source === '{';
    const fcName = isMap ? 'flow map' : 'flow sequence';
    const NodeClass = (tag?.nodeClass ?? (isMap ? YAMLMap.YAMLMap : YAMLSeq.YAMLSeq));
    const coll = new NodeClass(ctx.schema);
    coll.flow = true;
    const atRoot = ctx.atRoot;
    if (atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = fc.offset + fc.start.source.length;
    for (let i = 0; i < fc.items.length; ++i) {
        const collItem = fc.items[i];
        const { start, key, sep, value } = collItem;
        const props = resolveProps.resolveProps(start, {
            flow: fcName,
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: fc.indent,
            startOnNewline: false
        });
        if (!props.found) {
            if (!props.anchor && !props.tag && !sep && !value) {
                if (i === 0 && props.comma)
                    onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
                else if (i < fc.items.length - 1)
                    onError(props.start, 'UNEXPECTED_TOKEN', `Unexpected empty item in ${fcName}`);
                if (props.comment) {
                    if (coll.comment)
                        coll.comment += '\n' + props.comment;
                    else
                        coll.comment = props.comment;
                }
                offset = props.end;
                continue;
            }
            if (!isMap && ctx.options.strict && utilContainsNewline.containsNewline(key))
                onError(key, // checked by containsNewline()
                'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
        }
        if (i === 0) {
            if (props.comma)
                onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
        }
        else {
            if (!props.comma)
                onError(props.start, 'MISSING_CHAR', `Missing , between ${fcName} items`);
            if (props.comment) {
                let prevItemComment = '';
                loop: for (const st of start) {
                    switch (st.type) {
                        case 'comma':
                        case 'space':
                            break;
                        case 'comment':
                            prevItemComment = st.source.substring(1);
                            break loop;
                        default:
                            break loop;
                    }
                }
                if (prevItemComment) {
                    let prev = coll.items[coll.items.length - 1];
                    if (identity.isPair(prev))
                        prev = prev.value ?? prev.key;
                    if (prev.comment)
                        prev.comment += '\n' + prevItemComment;
                    else
                        prev.comment = prevItemComment;
                    props.comment = props.comment.substring(prevItemComment.length + 1);
                }
            }
        }
        if (!isMap && !sep && !props.found) {
            // item is a value in a seq
            // → key & sep are empty, start does not include ? or :
            const valueNode = value
                ? composeNode(ctx, value, props, onError)
                : composeEmptyNode(ctx, props.end, sep, null, props, onError);
            coll.items.push(valueNode);
            offset = valueNode.range[2];
            if (isBlock(value))
                onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
        }
        else {
            // item is a key+value pair
            // key value
            ctx.atKey = true;
            const keyStart = props.end;
            const keyNode = key
                ? composeNode(ctx, key, props, onError)
                : composeEmptyNode(ctx, keyStart, start, null, props, onError);
            if (isBlock(key))
                onError(keyNode.range, 'BLOCK_IN_FLOW', blockMsg);
            ctx.atKey = false;
            // value properties
            const valueProps = resolveProps.resolveProps(sep ?? [], {
                flow: fcName,
                indicator: 'map-value-ind',
                next: value,
                offset: keyNode.range[2],
                onError,
                parentIndent: fc.indent,
                startOnNewline: false
            });
            if (valueProps.found) {
                if (!isMap && !props.found && ctx.options.strict) {
                    if (sep)
                        for (const st of sep) {
                            if (st === valueProps.found)
                                break;
                            if (st.type === 'newline') {
                                onError(st, 'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
                                break;
                            }
                        }
                    if (props.start < valueProps.found.offset - 1024)
                        onError(valueProps.found, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit flow sequence key');
                }
            }
            else if (value) {
                if ('source' in value && value.source?.[0] === ':')
                    onError(value, 'MISSING_CHAR', `Missing space after : in ${fcName}`);
                else
                    onError(valueProps.start, 'MISSING_CHAR', `Missing , or : between ${fcName} items`);
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : valueProps.found
                    ? composeEmptyNode(ctx, valueProps.end, sep, null, valueProps, onError)
                    : null;
            if (valueNode) {
                if (isBlock(value))
                    onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
            }
            else if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair.Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            if (isMap) {
                const map = coll;
                if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
                    onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
                map.items.push(pair);
            }
            else {
                const map = new YAMLMap.YAMLMap(ctx.schema);
                map.flow = true;
                map.items.push(pair);
                const endRange = (valueNode ?? keyNode).range;
                map.range = [keyNode.range[0], endRange[1], endRange[2]];
                coll.items.push(map);
            }
            offset = valueNode ? valueNode.range[2] : valueProps.end;
        }
    }
    const expectedEnd = isMap ? '}' : ']';
    const [ce, ...ee] = fc.end;
    let cePos = offset;
    if (ce?.source === expectedEnd)
        cePos = ce.offset + ce.source.length;
    else {
        const name = fcName[0].toUpperCase() + fcName.substring(1);
        const msg = atRoot
            ? `${name} must end with a ${expectedEnd}`
            : `${name} in block collection must be sufficiently indented and end with a ${expectedEnd}`;
        onError(offset, atRoot ? 'MISSING_CHAR' : 'BAD_INDENT', msg);
        if (ce && ce.source.length !== 1)
            ee.unshift(ce);
    }
    if (ee.length > 0) {
        const end = resolveEnd.resolveEnd(ee, cePos, ctx.options.strict, onError);
        if (end.comment) {
            if (coll.comment)
                coll.comment += '\n' + end.comment;
            else
                coll.comment = end.comment;
        }
        coll.range = [fc.offset, cePos, end.offset];
    }
    else {
        coll.range = [fc.offset, cePos, cePos];
    }
    return coll;
}

exports.resolveFlowCollection = resolveFlowCollection;


/***/ }),

/***/ 6842:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var resolveEnd = __nccwpck_require__(7788);

function resolveFlowScalar(scalar, strict, onError) {
    const { offset, type, source, end } = scalar;
    let _type;
    let value;
    const _onError = (rel, code, msg) => onError(offset + rel, code, msg);
    switch (type) {
        case 'scalar':
            _type = Scalar.Scalar.PLAIN;
            value = plainValue(source, _onError);
            break;
        case 'single-quoted-scalar':
            _type = Scalar.Scalar.QUOTE_SINGLE;
            value = singleQuotedValue(source, _onError);
            break;
        case 'double-quoted-scalar':
            _type = Scalar.Scalar.QUOTE_DOUBLE;
            value = doubleQuotedValue(source, _onError);
            break;
        /* istanbul ignore next should not happen */
        default:
            onError(scalar, 'UNEXPECTED_TOKEN', `Expected a flow scalar value, but found: ${type}`);
            return {
                value: '',
                type: null,
                comment: '',
                range: [offset, offset + source.length, offset + source.length]
            };
    }
    const valueEnd = offset + source.length;
    const re = resolveEnd.resolveEnd(end, valueEnd, strict, onError);
    return {
        value,
        type: _type,
        comment: re.comment,
        range: [offset, valueEnd, re.offset]
    };
}
function plainValue(source, onError) {
    let badChar = '';
    switch (source[0]) {
        /* istanbul ignore next should not happen */
        case '\t':
            badChar = 'a tab character';
            break;
        case ',':
            badChar = 'flow indicator character ,';
            break;
        case '%':
            badChar = 'directive indicator character %';
            break;
        case '|':
        case '>': {
            badChar = `block scalar indicator ${source[0]}`;
            break;
        }
        case '@':
        case '`': {
            badChar = `reserved character ${source[0]}`;
            break;
        }
    }
    if (badChar)
        onError(0, 'BAD_SCALAR_START', `Plain value cannot start with ${badChar}`);
    return unfoldLines(source);
}
function singleQuotedValue(source, onError) {
    if (source[source.length - 1] !== "'" || source.length === 1)
        onError(source.length, 'MISSING_CHAR', "Missing closing 'quote");
    return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
}
function unfoldLines(source) {
    const line = /(.*?)\r?\n/sy;
    let match = line.exec(source);
    if (!match)
        return source;
    /**
     * The negative lookbehinds in these RegExps are to
     * prevent causing a polynomial search time in certain cases.
     *
     * The try-catch is for Safari < 16.4 and other old browsers:
     * https://caniuse.com/js-regexp-lookbehind
     */
    let trimEnd, trimBoth;
    try {
        trimEnd = new RegExp('(?<![ \t])[ \t]+$');
        trimBoth = new RegExp('^[ \t]+|(?<![ \t])[ \t]+$', 'g');
    }
    catch {
        trimEnd = /[ \t]+$/;
        trimBoth = /^[ \t]+|[ \t]+$/g;
    }
    let res = match[1].replace(trimEnd, '');
    let sep = ' ';
    let pos = line.lastIndex;
    while ((match = line.exec(source))) {
        const lm = match[1].replace(trimBoth, '');
        if (lm === '') {
            if (sep === '\n')
                res += sep;
            else
                sep = '\n';
        }
        else {
            res += sep + lm;
            sep = ' ';
        }
        pos = line.lastIndex;
    }
    const last = /[ \t]*(.*)/sy;
    last.lastIndex = pos;
    match = last.exec(source);
    return res + sep + (match?.[1] ?? '');
}
function doubleQuotedValue(source, onError) {
    let res = '';
    for (let i = 1; i < source.length - 1; ++i) {
        const ch = source[i];
        if (ch === '\r' && source[i + 1] === '\n')
            continue;
        if (ch === '\n') {
            const { fold, offset } = foldNewline(source, i);
            res += fold;
            i = offset;
        }
        else if (ch === '\\') {
            let next = source[++i];
            const cc = escapeCodes[next];
            if (cc)
                res += cc;
            else if (next === '\n') {
                // skip escaped newlines, but still trim the following line
                next = source[i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === '\r' && source[i + 1] === '\n') {
                // skip escaped CRLF newlines, but still trim the following line
                next = source[++i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === 'x' || next === 'u' || next === 'U') {
                const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
                res += parseCharCode(source, i + 1, length, onError);
                i += length;
            }
            else {
                const raw = source.substr(i - 1, 2);
                onError(i - 1, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
                res += raw;
            }
        }
        else if (ch === ' ' || ch === '\t') {
            // trim trailing whitespace
            const wsStart = i;
            let next = source[i + 1];
            while (next === ' ' || next === '\t')
                next = source[++i + 1];
            if (next !== '\n' && !(next === '\r' && source[i + 2] === '\n'))
                res += i > wsStart ? source.slice(wsStart, i + 1) : ch;
        }
        else {
            res += ch;
        }
    }
    if (source[source.length - 1] !== '"' || source.length === 1)
        onError(source.length, 'MISSING_CHAR', 'Missing closing "quote');
    return res;
}
/**
 * Fold a single newline into a space, multiple newlines to N - 1 newlines.
 * Presumes `source[offset] === '\n'`
 */
function foldNewline(source, offset) {
    let fold = '';
    let ch = source[offset + 1];
    while (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        if (ch === '\r' && source[offset + 2] !== '\n')
            break;
        if (ch === '\n')
            fold += '\n';
        offset += 1;
        ch = source[offset + 1];
    }
    if (!fold)
        fold = ' ';
    return { fold, offset };
}
const escapeCodes = {
    '0': '\0', // null character
    a: '\x07', // bell character
    b: '\b', // backspace
    e: '\x1b', // escape character
    f: '\f', // form feed
    n: '\n', // line feed
    r: '\r', // carriage return
    t: '\t', // horizontal tab
    v: '\v', // vertical tab
    N: '\u0085', // Unicode next line
    _: '\u00a0', // Unicode non-breaking space
    L: '\u2028', // Unicode line separator
    P: '\u2029', // Unicode paragraph separator
    ' ': ' ',
    '"': '"',
    '/': '/',
    '\\': '\\',
    '\t': '\t'
};
function parseCharCode(source, offset, length, onError) {
    const cc = source.substr(offset, length);
    const ok = cc.length === length && /^[0-9a-fA-F]+$/.test(cc);
    const code = ok ? parseInt(cc, 16) : NaN;
    try {
        return String.fromCodePoint(code);
    }
    catch {
        const raw = source.substr(offset - 2, length + 2);
        onError(offset - 2, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
        return raw;
    }
}

exports.resolveFlowScalar = resolveFlowScalar;


/***/ }),

/***/ 4631:
/***/ ((__unused_webpack_module, exports) => {



function resolveProps(tokens, { flow, indicator, next, offset, onError, parentIndent, startOnNewline }) {
    let spaceBefore = false;
    let atNewline = startOnNewline;
    let hasSpace = startOnNewline;
    let comment = '';
    let commentSep = '';
    let hasNewline = false;
    let reqSpace = false;
    let tab = null;
    let anchor = null;
    let tag = null;
    let newlineAfterProp = null;
    let comma = null;
    let found = null;
    let start = null;
    for (const token of tokens) {
        if (reqSpace) {
            if (token.type !== 'space' &&
                token.type !== 'newline' &&
                token.type !== 'comma')
                onError(token.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
            reqSpace = false;
        }
        if (tab) {
            if (atNewline && token.type !== 'comment' && token.type !== 'newline') {
                onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
            }
            tab = null;
        }
        switch (token.type) {
            case 'space':
                // At the doc level, tabs at line start may be parsed
                // as leading white space rather than indentation.
                // In a flow collection, only the parser handles indent.
                if (!flow &&
                    (indicator !== 'doc-start' || next?.type !== 'flow-collection') &&
                    token.source.includes('\t')) {
                    tab = token;
                }
                hasSpace = true;
                break;
            case 'comment': {
                if (!hasSpace)
                    onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                const cb = token.source.substring(1) || ' ';
                if (!comment)
                    comment = cb;
                else
                    comment += commentSep + cb;
                commentSep = '';
                atNewline = false;
                break;
            }
            case 'newline':
                if (atNewline) {
                    if (comment)
                        comment += token.source;
                    else if (!found || indicator !== 'seq-item-ind')
                        spaceBefore = true;
                }
                else
                    commentSep += token.source;
                atNewline = true;
                hasNewline = true;
                if (anchor || tag)
                    newlineAfterProp = token;
                hasSpace = true;
                break;
            case 'anchor':
                if (anchor)
                    onError(token, 'MULTIPLE_ANCHORS', 'A node can have at most one anchor');
                if (token.source.endsWith(':'))
                    onError(token.offset + token.source.length - 1, 'BAD_ALIAS', 'Anchor ending in : is ambiguous', true);
                anchor = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            case 'tag': {
                if (tag)
                    onError(token, 'MULTIPLE_TAGS', 'A node can have at most one tag');
                tag = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            }
            case indicator:
                // Could here handle preceding comments differently
                if (anchor || tag)
                    onError(token, 'BAD_PROP_ORDER', `Anchors and tags must be after the ${token.source} indicator`);
                if (found)
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.source} in ${flow ?? 'collection'}`);
                found = token;
                atNewline =
                    indicator === 'seq-item-ind' || indicator === 'explicit-key-ind';
                hasSpace = false;
                break;
            case 'comma':
                if (flow) {
                    if (comma)
                        onError(token, 'UNEXPECTED_TOKEN', `Unexpected , in ${flow}`);
                    comma = token;
                    atNewline = false;
                    hasSpace = false;
                    break;
                }
            // else fallthrough
            default:
                onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.type} token`);
                atNewline = false;
                hasSpace = false;
        }
    }
    const last = tokens[tokens.length - 1];
    const end = last ? last.offset + last.source.length : offset;
    if (reqSpace &&
        next &&
        next.type !== 'space' &&
        next.type !== 'newline' &&
        next.type !== 'comma' &&
        (next.type !== 'scalar' || next.source !== '')) {
        onError(next.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
    }
    if (tab &&
        ((atNewline && tab.indent <= parentIndent) ||
            next?.type === 'block-map' ||
            next?.type === 'block-seq'))
        onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
    return {
        comma,
        found,
        spaceBefore,
        comment,
        hasNewline,
        anchor,
        tag,
        newlineAfterProp,
        end,
        start: start ?? end
    };
}

exports.resolveProps = resolveProps;


/***/ }),

/***/ 9499:
/***/ ((__unused_webpack_module, exports) => {



function containsNewline(key) {
    if (!key)
        return null;
    switch (key.type) {
        case 'alias':
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            if (key.source.includes('\n'))
                return true;
            if (key.end)
                for (const st of key.end)
                    if (st.type === 'newline')
                        return true;
            return false;
        case 'flow-collection':
            for (const it of key.items) {
                for (const st of it.start)
                    if (st.type === 'newline')
                        return true;
                if (it.sep)
                    for (const st of it.sep)
                        if (st.type === 'newline')
                            return true;
                if (containsNewline(it.key) || containsNewline(it.value))
                    return true;
            }
            return false;
        default:
            return true;
    }
}

exports.containsNewline = containsNewline;


/***/ }),

/***/ 2599:
/***/ ((__unused_webpack_module, exports) => {



function emptyScalarPosition(offset, before, pos) {
    if (before) {
        pos ?? (pos = before.length);
        for (let i = pos - 1; i >= 0; --i) {
            let st = before[i];
            switch (st.type) {
                case 'space':
                case 'comment':
                case 'newline':
                    offset -= st.source.length;
                    continue;
            }
            // Technically, an empty scalar is immediately after the last non-empty
            // node, but it's more useful to place it after any whitespace.
            st = before[++i];
            while (st?.type === 'space') {
                offset += st.source.length;
                st = before[++i];
            }
            break;
        }
    }
    return offset;
}

exports.emptyScalarPosition = emptyScalarPosition;


/***/ }),

/***/ 4051:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var utilContainsNewline = __nccwpck_require__(9499);

function flowIndentCheck(indent, fc, onError) {
    if (fc?.type === 'flow-collection') {
        const end = fc.end[0];
        if (end.indent === indent &&
            (end.source === ']' || end.source === '}') &&
            utilContainsNewline.containsNewline(fc)) {
            const msg = 'Flow end indicator should be more indented than parent';
            onError(end, 'BAD_INDENT', msg, true);
        }
    }
}

exports.flowIndentCheck = flowIndentCheck;


/***/ }),

/***/ 1187:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

function mapIncludes(ctx, items, search) {
    const { uniqueKeys } = ctx.options;
    if (uniqueKeys === false)
        return false;
    const isEqual = typeof uniqueKeys === 'function'
        ? uniqueKeys
        : (a, b) => a === b || (identity.isScalar(a) && identity.isScalar(b) && a.value === b.value);
    return items.some(pair => isEqual(pair.key, search));
}

exports.mapIncludes = mapIncludes;


/***/ }),

/***/ 3021:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var toJS = __nccwpck_require__(4043);
var Schema = __nccwpck_require__(5840);
var stringifyDocument = __nccwpck_require__(6829);
var anchors = __nccwpck_require__(1596);
var applyReviver = __nccwpck_require__(3661);
var createNode = __nccwpck_require__(2404);
var directives = __nccwpck_require__(1342);

class Document {
    constructor(value, replacer, options) {
        /** A comment before this Document */
        this.commentBefore = null;
        /** A comment immediately after this Document */
        this.comment = null;
        /** Errors encountered during parsing. */
        this.errors = [];
        /** Warnings encountered during parsing. */
        this.warnings = [];
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.DOC });
        let _replacer = null;
        if (typeof replacer === 'function' || Array.isArray(replacer)) {
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const opt = Object.assign({
            intAsBigInt: false,
            keepSourceTokens: false,
            logLevel: 'warn',
            prettyErrors: true,
            strict: true,
            stringKeys: false,
            uniqueKeys: true,
            version: '1.2'
        }, options);
        this.options = opt;
        let { version } = opt;
        if (options?._directives) {
            this.directives = options._directives.atDocument();
            if (this.directives.yaml.explicit)
                version = this.directives.yaml.version;
        }
        else
            this.directives = new directives.Directives({ version });
        this.setSchema(version, options);
        // @ts-expect-error We can't really know that this matches Contents.
        this.contents =
            value === undefined ? null : this.createNode(value, _replacer, options);
    }
    /**
     * Create a deep copy of this Document and its contents.
     *
     * Custom Node values that inherit from `Object` still refer to their original instances.
     */
    clone() {
        const copy = Object.create(Document.prototype, {
            [identity.NODE_TYPE]: { value: identity.DOC }
        });
        copy.commentBefore = this.commentBefore;
        copy.comment = this.comment;
        copy.errors = this.errors.slice();
        copy.warnings = this.warnings.slice();
        copy.options = Object.assign({}, this.options);
        if (this.directives)
            copy.directives = this.directives.clone();
        copy.schema = this.schema.clone();
        // @ts-expect-error We can't really know that this matches Contents.
        copy.contents = identity.isNode(this.contents)
            ? this.contents.clone(copy.schema)
            : this.contents;
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** Adds a value to the document. */
    add(value) {
        if (assertCollection(this.contents))
            this.contents.add(value);
    }
    /** Adds a value to the document. */
    addIn(path, value) {
        if (assertCollection(this.contents))
            this.contents.addIn(path, value);
    }
    /**
     * Create a new `Alias` node, ensuring that the target `node` has the required anchor.
     *
     * If `node` already has an anchor, `name` is ignored.
     * Otherwise, the `node.anchor` value will be set to `name`,
     * or if an anchor with that name is already present in the document,
     * `name` will be used as a prefix for a new unique anchor.
     * If `name` is undefined, the generated anchor will use 'a' as a prefix.
     */
    createAlias(node, name) {
        if (!node.anchor) {
            const prev = anchors.anchorNames(this);
            node.anchor =
                // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
                !name || prev.has(name) ? anchors.findNewAnchor(name || 'a', prev) : name;
        }
        return new Alias.Alias(node.anchor);
    }
    createNode(value, replacer, options) {
        let _replacer = undefined;
        if (typeof replacer === 'function') {
            value = replacer.call({ '': value }, '', value);
            _replacer = replacer;
        }
        else if (Array.isArray(replacer)) {
            const keyToStr = (v) => typeof v === 'number' || v instanceof String || v instanceof Number;
            const asStr = replacer.filter(keyToStr).map(String);
            if (asStr.length > 0)
                replacer = replacer.concat(asStr);
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const { aliasDuplicateObjects, anchorPrefix, flow, keepUndefined, onTagObj, tag } = options ?? {};
        const { onAnchor, setAnchors, sourceObjects } = anchors.createNodeAnchors(this, 
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        anchorPrefix || 'a');
        const ctx = {
            aliasDuplicateObjects: aliasDuplicateObjects ?? true,
            keepUndefined: keepUndefined ?? false,
            onAnchor,
            onTagObj,
            replacer: _replacer,
            schema: this.schema,
            sourceObjects
        };
        const node = createNode.createNode(value, tag, ctx);
        if (flow && identity.isCollection(node))
            node.flow = true;
        setAnchors();
        return node;
    }
    /**
     * Convert a key and a value into a `Pair` using the current schema,
     * recursively wrapping all values as `Scalar` or `Collection` nodes.
     */
    createPair(key, value, options = {}) {
        const k = this.createNode(key, null, options);
        const v = this.createNode(value, null, options);
        return new Pair.Pair(k, v);
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        return assertCollection(this.contents) ? this.contents.delete(key) : false;
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        if (Collection.isEmptyPath(path)) {
            if (this.contents == null)
                return false;
            // @ts-expect-error Presumed impossible if Strict extends false
            this.contents = null;
            return true;
        }
        return assertCollection(this.contents)
            ? this.contents.deleteIn(path)
            : false;
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    get(key, keepScalar) {
        return identity.isCollection(this.contents)
            ? this.contents.get(key, keepScalar)
            : undefined;
    }
    /**
     * Returns item at `path`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        if (Collection.isEmptyPath(path))
            return !keepScalar && identity.isScalar(this.contents)
                ? this.contents.value
                : this.contents;
        return identity.isCollection(this.contents)
            ? this.contents.getIn(path, keepScalar)
            : undefined;
    }
    /**
     * Checks if the document includes a value with the key `key`.
     */
    has(key) {
        return identity.isCollection(this.contents) ? this.contents.has(key) : false;
    }
    /**
     * Checks if the document includes a value at `path`.
     */
    hasIn(path) {
        if (Collection.isEmptyPath(path))
            return this.contents !== undefined;
        return identity.isCollection(this.contents) ? this.contents.hasIn(path) : false;
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    set(key, value) {
        if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = Collection.collectionFromPath(this.schema, [key], value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.set(key, value);
        }
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        if (Collection.isEmptyPath(path)) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = value;
        }
        else if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = Collection.collectionFromPath(this.schema, Array.from(path), value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.setIn(path, value);
        }
    }
    /**
     * Change the YAML version and schema used by the document.
     * A `null` version disables support for directives, explicit tags, anchors, and aliases.
     * It also requires the `schema` option to be given as a `Schema` instance value.
     *
     * Overrides all previously set schema options.
     */
    setSchema(version, options = {}) {
        if (typeof version === 'number')
            version = String(version);
        let opt;
        switch (version) {
            case '1.1':
                if (this.directives)
                    this.directives.yaml.version = '1.1';
                else
                    this.directives = new directives.Directives({ version: '1.1' });
                opt = { resolveKnownTags: false, schema: 'yaml-1.1' };
                break;
            case '1.2':
            case 'next':
                if (this.directives)
                    this.directives.yaml.version = version;
                else
                    this.directives = new directives.Directives({ version });
                opt = { resolveKnownTags: true, schema: 'core' };
                break;
            case null:
                if (this.directives)
                    delete this.directives;
                opt = null;
                break;
            default: {
                const sv = JSON.stringify(version);
                throw new Error(`Expected '1.1', '1.2' or null as first argument, but found: ${sv}`);
            }
        }
        // Not using `instanceof Schema` to allow for duck typing
        if (options.schema instanceof Object)
            this.schema = options.schema;
        else if (opt)
            this.schema = new Schema.Schema(Object.assign(opt, options));
        else
            throw new Error(`With a null YAML version, the { schema: Schema } option is required`);
    }
    // json & jsonArg are only used from toJSON()
    toJS({ json, jsonArg, mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        const ctx = {
            anchors: new Map(),
            doc: this,
            keep: !json,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS.toJS(this.contents, jsonArg ?? '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
            : res;
    }
    /**
     * A JSON representation of the document `contents`.
     *
     * @param jsonArg Used by `JSON.stringify` to indicate the array index or
     *   property name.
     */
    toJSON(jsonArg, onAnchor) {
        return this.toJS({ json: true, jsonArg, mapAsMap: false, onAnchor });
    }
    /** A YAML representation of the document. */
    toString(options = {}) {
        if (this.errors.length > 0)
            throw new Error('Document with errors cannot be stringified');
        if ('indent' in options &&
            (!Number.isInteger(options.indent) || Number(options.indent) <= 0)) {
            const s = JSON.stringify(options.indent);
            throw new Error(`"indent" option must be a positive integer, not ${s}`);
        }
        return stringifyDocument.stringifyDocument(this, options);
    }
}
function assertCollection(contents) {
    if (identity.isCollection(contents))
        return true;
    throw new Error('Expected a YAML collection as document contents');
}

exports.Document = Document;


/***/ }),

/***/ 1596:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var visit = __nccwpck_require__(204);

/**
 * Verify that the input string is a valid anchor.
 *
 * Will throw on errors.
 */
function anchorIsValid(anchor) {
    if (/[\x00-\x19\s,[\]{}]/.test(anchor)) {
        const sa = JSON.stringify(anchor);
        const msg = `Anchor must not contain whitespace or control characters: ${sa}`;
        throw new Error(msg);
    }
    return true;
}
function anchorNames(root) {
    const anchors = new Set();
    visit.visit(root, {
        Value(_key, node) {
            if (node.anchor)
                anchors.add(node.anchor);
        }
    });
    return anchors;
}
/** Find a new anchor name with the given `prefix` and a one-indexed suffix. */
function findNewAnchor(prefix, exclude) {
    for (let i = 1; true; ++i) {
        const name = `${prefix}${i}`;
        if (!exclude.has(name))
            return name;
    }
}
function createNodeAnchors(doc, prefix) {
    const aliasObjects = [];
    const sourceObjects = new Map();
    let prevAnchors = null;
    return {
        onAnchor: (source) => {
            aliasObjects.push(source);
            prevAnchors ?? (prevAnchors = anchorNames(doc));
            const anchor = findNewAnchor(prefix, prevAnchors);
            prevAnchors.add(anchor);
            return anchor;
        },
        /**
         * With circular references, the source node is only resolved after all
         * of its child nodes are. This is why anchors are set only after all of
         * the nodes have been created.
         */
        setAnchors: () => {
            for (const source of aliasObjects) {
                const ref = sourceObjects.get(source);
                if (typeof ref === 'object' &&
                    ref.anchor &&
                    (identity.isScalar(ref.node) || identity.isCollection(ref.node))) {
                    ref.node.anchor = ref.anchor;
                }
                else {
                    const error = new Error('Failed to resolve repeated object (this should not happen)');
                    error.source = source;
                    throw error;
                }
            }
        },
        sourceObjects
    };
}

exports.anchorIsValid = anchorIsValid;
exports.anchorNames = anchorNames;
exports.createNodeAnchors = createNodeAnchors;
exports.findNewAnchor = findNewAnchor;


/***/ }),

/***/ 3661:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Applies the JSON.parse reviver algorithm as defined in the ECMA-262 spec,
 * in section 24.5.1.1 "Runtime Semantics: InternalizeJSONProperty" of the
 * 2021 edition: https://tc39.es/ecma262/#sec-json.parse
 *
 * Includes extensions for handling Map and Set objects.
 */
function applyReviver(reviver, obj, key, val) {
    if (val && typeof val === 'object') {
        if (Array.isArray(val)) {
            for (let i = 0, len = val.length; i < len; ++i) {
                const v0 = val[i];
                const v1 = applyReviver(reviver, val, String(i), v0);
                // eslint-disable-next-line @typescript-eslint/no-array-delete
                if (v1 === undefined)
                    delete val[i];
                else if (v1 !== v0)
                    val[i] = v1;
            }
        }
        else if (val instanceof Map) {
            for (const k of Array.from(val.keys())) {
                const v0 = val.get(k);
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    val.delete(k);
                else if (v1 !== v0)
                    val.set(k, v1);
            }
        }
        else if (val instanceof Set) {
            for (const v0 of Array.from(val)) {
                const v1 = applyReviver(reviver, val, v0, v0);
                if (v1 === undefined)
                    val.delete(v0);
                else if (v1 !== v0) {
                    val.delete(v0);
                    val.add(v1);
                }
            }
        }
        else {
            for (const [k, v0] of Object.entries(val)) {
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    delete val[k];
                else if (v1 !== v0)
                    val[k] = v1;
            }
        }
    }
    return reviver.call(obj, key, val);
}

exports.applyReviver = applyReviver;


/***/ }),

/***/ 2404:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);

const defaultTagPrefix = 'tag:yaml.org,2002:';
function findTagObject(value, tagName, tags) {
    if (tagName) {
        const match = tags.filter(t => t.tag === tagName);
        const tagObj = match.find(t => !t.format) ?? match[0];
        if (!tagObj)
            throw new Error(`Tag ${tagName} not found`);
        return tagObj;
    }
    return tags.find(t => t.identify?.(value) && !t.format);
}
function createNode(value, tagName, ctx) {
    if (identity.isDocument(value))
        value = value.contents;
    if (identity.isNode(value))
        return value;
    if (identity.isPair(value)) {
        const map = ctx.schema[identity.MAP].createNode?.(ctx.schema, null, ctx);
        map.items.push(value);
        return map;
    }
    if (value instanceof String ||
        value instanceof Number ||
        value instanceof Boolean ||
        (typeof BigInt !== 'undefined' && value instanceof BigInt) // not supported everywhere
    ) {
        // https://tc39.es/ecma262/#sec-serializejsonproperty
        value = value.valueOf();
    }
    const { aliasDuplicateObjects, onAnchor, onTagObj, schema, sourceObjects } = ctx;
    // Detect duplicate references to the same object & use Alias nodes for all
    // after first. The `ref` wrapper allows for circular references to resolve.
    let ref = undefined;
    if (aliasDuplicateObjects && value && typeof value === 'object') {
        ref = sourceObjects.get(value);
        if (ref) {
            ref.anchor ?? (ref.anchor = onAnchor(value));
            return new Alias.Alias(ref.anchor);
        }
        else {
            ref = { anchor: null, node: null };
            sourceObjects.set(value, ref);
        }
    }
    if (tagName?.startsWith('!!'))
        tagName = defaultTagPrefix + tagName.slice(2);
    let tagObj = findTagObject(value, tagName, schema.tags);
    if (!tagObj) {
        if (value && typeof value.toJSON === 'function') {
            // eslint-disable-next-line @typescript-eslint/no-unsafe-call
            value = value.toJSON();
        }
        if (!value || typeof value !== 'object') {
            const node = new Scalar.Scalar(value);
            if (ref)
                ref.node = node;
            return node;
        }
        tagObj =
            value instanceof Map
                ? schema[identity.MAP]
                : Symbol.iterator in Object(value)
                    ? schema[identity.SEQ]
                    : schema[identity.MAP];
    }
    if (onTagObj) {
        onTagObj(tagObj);
        delete ctx.onTagObj;
    }
    const node = tagObj?.createNode
        ? tagObj.createNode(ctx.schema, value, ctx)
        : typeof tagObj?.nodeClass?.from === 'function'
            ? tagObj.nodeClass.from(ctx.schema, value, ctx)
            : new Scalar.Scalar(value);
    if (tagName)
        node.tag = tagName;
    else if (!tagObj.default)
        node.tag = tagObj.tag;
    if (ref)
        ref.node = node;
    return node;
}

exports.createNode = createNode;


/***/ }),

/***/ 1342:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var visit = __nccwpck_require__(204);

const escapeChars = {
    '!': '%21',
    ',': '%2C',
    '[': '%5B',
    ']': '%5D',
    '{': '%7B',
    '}': '%7D'
};
const escapeTagName = (tn) => tn.replace(/[!,[\]{}]/g, ch => escapeChars[ch]);
class Directives {
    constructor(yaml, tags) {
        /**
         * The directives-end/doc-start marker `---`. If `null`, a marker may still be
         * included in the document's stringified representation.
         */
        this.docStart = null;
        /** The doc-end marker `...`.  */
        this.docEnd = false;
        this.yaml = Object.assign({}, Directives.defaultYaml, yaml);
        this.tags = Object.assign({}, Directives.defaultTags, tags);
    }
    clone() {
        const copy = new Directives(this.yaml, this.tags);
        copy.docStart = this.docStart;
        return copy;
    }
    /**
     * During parsing, get a Directives instance for the current document and
     * update the stream state according to the current version's spec.
     */
    atDocument() {
        const res = new Directives(this.yaml, this.tags);
        switch (this.yaml.version) {
            case '1.1':
                this.atNextDocument = true;
                break;
            case '1.2':
                this.atNextDocument = false;
                this.yaml = {
                    explicit: Directives.defaultYaml.explicit,
                    version: '1.2'
                };
                this.tags = Object.assign({}, Directives.defaultTags);
                break;
        }
        return res;
    }
    /**
     * @param onError - May be called even if the action was successful
     * @returns `true` on success
     */
    add(line, onError) {
        if (this.atNextDocument) {
            this.yaml = { explicit: Directives.defaultYaml.explicit, version: '1.1' };
            this.tags = Object.assign({}, Directives.defaultTags);
            this.atNextDocument = false;
        }
        const parts = line.trim().split(/[ \t]+/);
        const name = parts.shift();
        switch (name) {
            case '%TAG': {
                if (parts.length !== 2) {
                    onError(0, '%TAG directive should contain exactly two parts');
                    if (parts.length < 2)
                        return false;
                }
                const [handle, prefix] = parts;
                this.tags[handle] = prefix;
                return true;
            }
            case '%YAML': {
                this.yaml.explicit = true;
                if (parts.length !== 1) {
                    onError(0, '%YAML directive should contain exactly one part');
                    return false;
                }
                const [version] = parts;
                if (version === '1.1' || version === '1.2') {
                    this.yaml.version = version;
                    return true;
                }
                else {
                    const isValid = /^\d+\.\d+$/.test(version);
                    onError(6, `Unsupported YAML version ${version}`, isValid);
                    return false;
                }
            }
            default:
                onError(0, `Unknown directive ${name}`, true);
                return false;
        }
    }
    /**
     * Resolves a tag, matching handles to those defined in %TAG directives.
     *
     * @returns Resolved tag, which may also be the non-specific tag `'!'` or a
     *   `'!local'` tag, or `null` if unresolvable.
     */
    tagName(source, onError) {
        if (source === '!')
            return '!'; // non-specific tag
        if (source[0] !== '!') {
            onError(`Not a valid tag: ${source}`);
            return null;
        }
        if (source[1] === '<') {
            const verbatim = source.slice(2, -1);
            if (verbatim === '!' || verbatim === '!!') {
                onError(`Verbatim tags aren't resolved, so ${source} is invalid.`);
                return null;
            }
            if (source[source.length - 1] !== '>')
                onError('Verbatim tags must end with a >');
            return verbatim;
        }
        const [, handle, suffix] = source.match(/^(.*!)([^!]*)$/s);
        if (!suffix)
            onError(`The ${source} tag has no suffix`);
        const prefix = this.tags[handle];
        if (prefix) {
            try {
                return prefix + decodeURIComponent(suffix);
            }
            catch (error) {
                onError(String(error));
                return null;
            }
        }
        if (handle === '!')
            return source; // local tag
        onError(`Could not resolve tag: ${source}`);
        return null;
    }
    /**
     * Given a fully resolved tag, returns its printable string form,
     * taking into account current tag prefixes and defaults.
     */
    tagString(tag) {
        for (const [handle, prefix] of Object.entries(this.tags)) {
            if (tag.startsWith(prefix))
                return handle + escapeTagName(tag.substring(prefix.length));
        }
        return tag[0] === '!' ? tag : `!<${tag}>`;
    }
    toString(doc) {
        const lines = this.yaml.explicit
            ? [`%YAML ${this.yaml.version || '1.2'}`]
            : [];
        const tagEntries = Object.entries(this.tags);
        let tagNames;
        if (doc && tagEntries.length > 0 && identity.isNode(doc.contents)) {
            const tags = {};
            visit.visit(doc.contents, (_key, node) => {
                if (identity.isNode(node) && node.tag)
                    tags[node.tag] = true;
            });
            tagNames = Object.keys(tags);
        }
        else
            tagNames = [];
        for (const [handle, prefix] of tagEntries) {
            if (handle === '!!' && prefix === 'tag:yaml.org,2002:')
                continue;
            if (!doc || tagNames.some(tn => tn.startsWith(prefix)))
                lines.push(`%TAG ${handle} ${prefix}`);
        }
        return lines.join('\n');
    }
}
Directives.defaultYaml = { explicit: false, version: '1.2' };
Directives.defaultTags = { '!!': 'tag:yaml.org,2002:' };

exports.Directives = Directives;


/***/ }),

/***/ 1464:
/***/ ((__unused_webpack_module, exports) => {



class YAMLError extends Error {
    constructor(name, pos, code, message) {
        super();
        this.name = name;
        this.code = code;
        this.message = message;
        this.pos = pos;
    }
}
class YAMLParseError extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLParseError', pos, code, message);
    }
}
class YAMLWarning extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLWarning', pos, code, message);
    }
}
const prettifyError = (src, lc) => (error) => {
    if (error.pos[0] === -1)
        return;
    error.linePos = error.pos.map(pos => lc.linePos(pos));
    const { line, col } = error.linePos[0];
    error.message += ` at line ${line}, column ${col}`;
    let ci = col - 1;
    let lineStr = src
        .substring(lc.lineStarts[line - 1], lc.lineStarts[line])
        .replace(/[\n\r]+$/, '');
    // Trim to max 80 chars, keeping col position near the middle
    if (ci >= 60 && lineStr.length > 80) {
        const trimStart = Math.min(ci - 39, lineStr.length - 79);
        lineStr = '…' + lineStr.substring(trimStart);
        ci -= trimStart - 1;
    }
    if (lineStr.length > 80)
        lineStr = lineStr.substring(0, 79) + '…';
    // Include previous line in context if pointing at line start
    if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
        // Regexp won't match if start is trimmed
        let prev = src.substring(lc.lineStarts[line - 2], lc.lineStarts[line - 1]);
        if (prev.length > 80)
            prev = prev.substring(0, 79) + '…\n';
        lineStr = prev + lineStr;
    }
    if (/[^ ]/.test(lineStr)) {
        let count = 1;
        const end = error.linePos[1];
        if (end?.line === line && end.col > col) {
            count = Math.max(1, Math.min(end.col - col, 80 - ci));
        }
        const pointer = ' '.repeat(ci) + '^'.repeat(count);
        error.message += `:\n\n${lineStr}\n${pointer}\n`;
    }
};

exports.YAMLError = YAMLError;
exports.YAMLParseError = YAMLParseError;
exports.YAMLWarning = YAMLWarning;
exports.prettifyError = prettifyError;


/***/ }),

/***/ 8815:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var __webpack_unused_export__;


var composer = __nccwpck_require__(9984);
var Document = __nccwpck_require__(3021);
var Schema = __nccwpck_require__(5840);
var errors = __nccwpck_require__(1464);
var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var cst = __nccwpck_require__(3461);
var lexer = __nccwpck_require__(361);
var lineCounter = __nccwpck_require__(6628);
var parser = __nccwpck_require__(3456);
var publicApi = __nccwpck_require__(4047);
var visit = __nccwpck_require__(204);



__webpack_unused_export__ = composer.Composer;
__webpack_unused_export__ = Document.Document;
__webpack_unused_export__ = Schema.Schema;
__webpack_unused_export__ = errors.YAMLError;
__webpack_unused_export__ = errors.YAMLParseError;
__webpack_unused_export__ = errors.YAMLWarning;
__webpack_unused_export__ = Alias.Alias;
exports.Vj = identity.isAlias;
__webpack_unused_export__ = identity.isCollection;
__webpack_unused_export__ = identity.isDocument;
exports.jh = identity.isMap;
__webpack_unused_export__ = identity.isNode;
__webpack_unused_export__ = identity.isPair;
exports.jn = identity.isScalar;
exports.oP = identity.isSeq;
__webpack_unused_export__ = Pair.Pair;
__webpack_unused_export__ = Scalar.Scalar;
__webpack_unused_export__ = YAMLMap.YAMLMap;
__webpack_unused_export__ = YAMLSeq.YAMLSeq;
__webpack_unused_export__ = cst;
__webpack_unused_export__ = lexer.Lexer;
exports.HN = lineCounter.LineCounter;
__webpack_unused_export__ = parser.Parser;
__webpack_unused_export__ = publicApi.parse;
__webpack_unused_export__ = publicApi.parseAllDocuments;
exports.Tp = publicApi.parseDocument;
__webpack_unused_export__ = publicApi.stringify;
exports.YR = visit.visit;
__webpack_unused_export__ = visit.visitAsync;


/***/ }),

/***/ 7249:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);

function debug(logLevel, ...messages) {
    if (logLevel === 'debug')
        console.log(...messages);
}
function warn(logLevel, warning) {
    if (logLevel === 'debug' || logLevel === 'warn') {
        if (typeof node_process.emitWarning === 'function')
            node_process.emitWarning(warning);
        else
            console.warn(warning);
    }
}

exports.debug = debug;
exports.warn = warn;


/***/ }),

/***/ 4065:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var anchors = __nccwpck_require__(1596);
var visit = __nccwpck_require__(204);
var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);
var toJS = __nccwpck_require__(4043);

class Alias extends Node.NodeBase {
    constructor(source) {
        super(identity.ALIAS);
        this.source = source;
        Object.defineProperty(this, 'tag', {
            set() {
                throw new Error('Alias nodes cannot have tags');
            }
        });
    }
    /**
     * Resolve the value of this alias within `doc`, finding the last
     * instance of the `source` anchor before this node.
     */
    resolve(doc, ctx) {
        if (ctx?.maxAliasCount === 0)
            throw new ReferenceError('Alias resolution is disabled');
        let nodes;
        if (ctx?.aliasResolveCache) {
            nodes = ctx.aliasResolveCache;
        }
        else {
            nodes = [];
            visit.visit(doc, {
                Node: (_key, node) => {
                    if (identity.isAlias(node) || identity.hasAnchor(node))
                        nodes.push(node);
                }
            });
            if (ctx)
                ctx.aliasResolveCache = nodes;
        }
        let found = undefined;
        for (const node of nodes) {
            if (node === this)
                break;
            if (node.anchor === this.source)
                found = node;
        }
        if (found && ctx) {
            const { anchors, doc, maxAliasCount } = ctx;
            let data = anchors.get(found);
            if (!data) {
                // Resolve anchors for Node.prototype.toJS()
                toJS.toJS(found, null, ctx);
                data = anchors.get(found);
            }
            /* istanbul ignore if */
            if (data?.res === undefined) {
                const msg = 'This should not happen: Alias anchor was not resolved?';
                throw new ReferenceError(msg);
            }
            if (maxAliasCount >= 0) {
                data.count += 1;
                if (data.aliasCount === 0)
                    data.aliasCount = getAliasCount(doc, found, anchors);
                if (data.count * data.aliasCount > maxAliasCount) {
                    const msg = 'Excessive alias count indicates a resource exhaustion attack';
                    throw new ReferenceError(msg);
                }
            }
        }
        return found;
    }
    toJSON(_arg, ctx) {
        if (!ctx)
            return { source: this.source };
        const source = this.resolve(ctx.doc, ctx);
        if (!source) {
            const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
            throw new ReferenceError(msg);
        }
        return ctx.anchors.get(source).res;
    }
    toString(ctx, _onComment, _onChompKeep) {
        const src = `*${this.source}`;
        if (ctx) {
            anchors.anchorIsValid(this.source);
            if (ctx.options.verifyAliasOrder && !ctx.anchors.has(this.source)) {
                const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
                throw new Error(msg);
            }
            if (ctx.implicitKey)
                return `${src} `;
        }
        return src;
    }
}
function getAliasCount(doc, node, anchors) {
    if (identity.isAlias(node)) {
        const source = node.resolve(doc);
        const anchor = anchors && source && anchors.get(source);
        return anchor ? anchor.count * anchor.aliasCount : 0;
    }
    else if (identity.isCollection(node)) {
        let count = 0;
        for (const item of node.items) {
            const c = getAliasCount(doc, item, anchors);
            if (c > count)
                count = c;
        }
        return count;
    }
    else if (identity.isPair(node)) {
        const kc = getAliasCount(doc, node.key, anchors);
        const vc = getAliasCount(doc, node.value, anchors);
        return Math.max(kc, vc);
    }
    return 1;
}

exports.Alias = Alias;


/***/ }),

/***/ 101:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);

function collectionFromPath(schema, path, value) {
    let v = value;
    for (let i = path.length - 1; i >= 0; --i) {
        const k = path[i];
        if (typeof k === 'number' && Number.isInteger(k) && k >= 0) {
            const a = [];
            a[k] = v;
            v = a;
        }
        else {
            v = new Map([[k, v]]);
        }
    }
    return createNode.createNode(v, undefined, {
        aliasDuplicateObjects: false,
        keepUndefined: false,
        onAnchor: () => {
            throw new Error('This should not happen, please report a bug.');
        },
        schema,
        sourceObjects: new Map()
    });
}
// Type guard is intentionally a little wrong so as to be more useful,
// as it does not cover untypable empty non-string iterables (e.g. []).
const isEmptyPath = (path) => path == null ||
    (typeof path === 'object' && !!path[Symbol.iterator]().next().done);
class Collection extends Node.NodeBase {
    constructor(type, schema) {
        super(type);
        Object.defineProperty(this, 'schema', {
            value: schema,
            configurable: true,
            enumerable: false,
            writable: true
        });
    }
    /**
     * Create a copy of this collection.
     *
     * @param schema - If defined, overwrites the original's schema
     */
    clone(schema) {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (schema)
            copy.schema = schema;
        copy.items = copy.items.map(it => identity.isNode(it) || identity.isPair(it) ? it.clone(schema) : it);
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /**
     * Adds a value to the collection. For `!!map` and `!!omap` the value must
     * be a Pair instance or a `{ key, value }` object, which may not have a key
     * that already exists in the map.
     */
    addIn(path, value) {
        if (isEmptyPath(path))
            this.add(value);
        else {
            const [key, ...rest] = path;
            const node = this.get(key, true);
            if (identity.isCollection(node))
                node.addIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
    /**
     * Removes a value from the collection.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.delete(key);
        const node = this.get(key, true);
        if (identity.isCollection(node))
            return node.deleteIn(rest);
        else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        const [key, ...rest] = path;
        const node = this.get(key, true);
        if (rest.length === 0)
            return !keepScalar && identity.isScalar(node) ? node.value : node;
        else
            return identity.isCollection(node) ? node.getIn(rest, keepScalar) : undefined;
    }
    hasAllNullValues(allowScalar) {
        return this.items.every(node => {
            if (!identity.isPair(node))
                return false;
            const n = node.value;
            return (n == null ||
                (allowScalar &&
                    identity.isScalar(n) &&
                    n.value == null &&
                    !n.commentBefore &&
                    !n.comment &&
                    !n.tag));
        });
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     */
    hasIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.has(key);
        const node = this.get(key, true);
        return identity.isCollection(node) ? node.hasIn(rest) : false;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        const [key, ...rest] = path;
        if (rest.length === 0) {
            this.set(key, value);
        }
        else {
            const node = this.get(key, true);
            if (identity.isCollection(node))
                node.setIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
}

exports.Collection = Collection;
exports.collectionFromPath = collectionFromPath;
exports.isEmptyPath = isEmptyPath;


/***/ }),

/***/ 6673:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var applyReviver = __nccwpck_require__(3661);
var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);

class NodeBase {
    constructor(type) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: type });
    }
    /** Create a copy of this node.  */
    clone() {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** A plain JavaScript representation of this node. */
    toJS(doc, { mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        if (!identity.isDocument(doc))
            throw new TypeError('A document argument is required');
        const ctx = {
            anchors: new Map(),
            doc,
            keep: true,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS.toJS(this, '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
            : res;
    }
}

exports.NodeBase = NodeBase;


/***/ }),

/***/ 7165:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var stringifyPair = __nccwpck_require__(9748);
var addPairToJSMap = __nccwpck_require__(7104);
var identity = __nccwpck_require__(1127);

function createPair(key, value, ctx) {
    const k = createNode.createNode(key, undefined, ctx);
    const v = createNode.createNode(value, undefined, ctx);
    return new Pair(k, v);
}
class Pair {
    constructor(key, value = null) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.PAIR });
        this.key = key;
        this.value = value;
    }
    clone(schema) {
        let { key, value } = this;
        if (identity.isNode(key))
            key = key.clone(schema);
        if (identity.isNode(value))
            value = value.clone(schema);
        return new Pair(key, value);
    }
    toJSON(_, ctx) {
        const pair = ctx?.mapAsMap ? new Map() : {};
        return addPairToJSMap.addPairToJSMap(ctx, pair, this);
    }
    toString(ctx, onComment, onChompKeep) {
        return ctx?.doc
            ? stringifyPair.stringifyPair(this, ctx, onComment, onChompKeep)
            : JSON.stringify(this);
    }
}

exports.Pair = Pair;
exports.createPair = createPair;


/***/ }),

/***/ 3301:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);
var toJS = __nccwpck_require__(4043);

const isScalarValue = (value) => !value || (typeof value !== 'function' && typeof value !== 'object');
class Scalar extends Node.NodeBase {
    constructor(value) {
        super(identity.SCALAR);
        this.value = value;
    }
    toJSON(arg, ctx) {
        return ctx?.keep ? this.value : toJS.toJS(this.value, arg, ctx);
    }
    toString() {
        return String(this.value);
    }
}
Scalar.BLOCK_FOLDED = 'BLOCK_FOLDED';
Scalar.BLOCK_LITERAL = 'BLOCK_LITERAL';
Scalar.PLAIN = 'PLAIN';
Scalar.QUOTE_DOUBLE = 'QUOTE_DOUBLE';
Scalar.QUOTE_SINGLE = 'QUOTE_SINGLE';

exports.Scalar = Scalar;
exports.isScalarValue = isScalarValue;


/***/ }),

/***/ 4454:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyCollection = __nccwpck_require__(1212);
var addPairToJSMap = __nccwpck_require__(7104);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);

function findPair(items, key) {
    const k = identity.isScalar(key) ? key.value : key;
    for (const it of items) {
        if (identity.isPair(it)) {
            if (it.key === key || it.key === k)
                return it;
            if (identity.isScalar(it.key) && it.key.value === k)
                return it;
        }
    }
    return undefined;
}
class YAMLMap extends Collection.Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:map';
    }
    constructor(schema) {
        super(identity.MAP, schema);
        this.items = [];
    }
    /**
     * A generic collection parsing method that can be extended
     * to other node classes that inherit from YAMLMap
     */
    static from(schema, obj, ctx) {
        const { keepUndefined, replacer } = ctx;
        const map = new this(schema);
        const add = (key, value) => {
            if (typeof replacer === 'function')
                value = replacer.call(obj, key, value);
            else if (Array.isArray(replacer) && !replacer.includes(key))
                return;
            if (value !== undefined || keepUndefined)
                map.items.push(Pair.createPair(key, value, ctx));
        };
        if (obj instanceof Map) {
            for (const [key, value] of obj)
                add(key, value);
        }
        else if (obj && typeof obj === 'object') {
            for (const key of Object.keys(obj))
                add(key, obj[key]);
        }
        if (typeof schema.sortMapEntries === 'function') {
            map.items.sort(schema.sortMapEntries);
        }
        return map;
    }
    /**
     * Adds a value to the collection.
     *
     * @param overwrite - If not set `true`, using a key that is already in the
     *   collection will throw. Otherwise, overwrites the previous value.
     */
    add(pair, overwrite) {
        let _pair;
        if (identity.isPair(pair))
            _pair = pair;
        else if (!pair || typeof pair !== 'object' || !('key' in pair)) {
            // In TypeScript, this never happens.
            _pair = new Pair.Pair(pair, pair?.value);
        }
        else
            _pair = new Pair.Pair(pair.key, pair.value);
        const prev = findPair(this.items, _pair.key);
        const sortEntries = this.schema?.sortMapEntries;
        if (prev) {
            if (!overwrite)
                throw new Error(`Key ${_pair.key} already set`);
            // For scalars, keep the old node & its comments and anchors
            if (identity.isScalar(prev.value) && Scalar.isScalarValue(_pair.value))
                prev.value.value = _pair.value;
            else
                prev.value = _pair.value;
        }
        else if (sortEntries) {
            const i = this.items.findIndex(item => sortEntries(_pair, item) < 0);
            if (i === -1)
                this.items.push(_pair);
            else
                this.items.splice(i, 0, _pair);
        }
        else {
            this.items.push(_pair);
        }
    }
    delete(key) {
        const it = findPair(this.items, key);
        if (!it)
            return false;
        const del = this.items.splice(this.items.indexOf(it), 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const it = findPair(this.items, key);
        const node = it?.value;
        return (!keepScalar && identity.isScalar(node) ? node.value : node) ?? undefined;
    }
    has(key) {
        return !!findPair(this.items, key);
    }
    set(key, value) {
        this.add(new Pair.Pair(key, value), true);
    }
    /**
     * @param ctx - Conversion context, originally set in Document#toJS()
     * @param {Class} Type - If set, forces the returned collection type
     * @returns Instance of Type, Map, or Object
     */
    toJSON(_, ctx, Type) {
        const map = Type ? new Type() : ctx?.mapAsMap ? new Map() : {};
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const item of this.items)
            addPairToJSMap.addPairToJSMap(ctx, map, item);
        return map;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        for (const item of this.items) {
            if (!identity.isPair(item))
                throw new Error(`Map items must all be pairs; found ${JSON.stringify(item)} instead`);
        }
        if (!ctx.allNullValues && this.hasAllNullValues(false))
            ctx = Object.assign({}, ctx, { allNullValues: true });
        return stringifyCollection.stringifyCollection(this, ctx, {
            blockItemPrefix: '',
            flowChars: { start: '{', end: '}' },
            itemIndent: ctx.indent || '',
            onChompKeep,
            onComment
        });
    }
}

exports.YAMLMap = YAMLMap;
exports.findPair = findPair;


/***/ }),

/***/ 2223:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var stringifyCollection = __nccwpck_require__(1212);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var toJS = __nccwpck_require__(4043);

class YAMLSeq extends Collection.Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:seq';
    }
    constructor(schema) {
        super(identity.SEQ, schema);
        this.items = [];
    }
    add(value) {
        this.items.push(value);
    }
    /**
     * Removes a value from the collection.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     *
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return false;
        const del = this.items.splice(idx, 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return undefined;
        const it = this.items[idx];
        return !keepScalar && identity.isScalar(it) ? it.value : it;
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     */
    has(key) {
        const idx = asItemIndex(key);
        return typeof idx === 'number' && idx < this.items.length;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     *
     * If `key` does not contain a representation of an integer, this will throw.
     * It may be wrapped in a `Scalar`.
     */
    set(key, value) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            throw new Error(`Expected a valid index, not ${key}.`);
        const prev = this.items[idx];
        if (identity.isScalar(prev) && Scalar.isScalarValue(value))
            prev.value = value;
        else
            this.items[idx] = value;
    }
    toJSON(_, ctx) {
        const seq = [];
        if (ctx?.onCreate)
            ctx.onCreate(seq);
        let i = 0;
        for (const item of this.items)
            seq.push(toJS.toJS(item, String(i++), ctx));
        return seq;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        return stringifyCollection.stringifyCollection(this, ctx, {
            blockItemPrefix: '- ',
            flowChars: { start: '[', end: ']' },
            itemIndent: (ctx.indent || '') + '  ',
            onChompKeep,
            onComment
        });
    }
    static from(schema, obj, ctx) {
        const { replacer } = ctx;
        const seq = new this(schema);
        if (obj && Symbol.iterator in Object(obj)) {
            let i = 0;
            for (let it of obj) {
                if (typeof replacer === 'function') {
                    const key = obj instanceof Set ? it : String(i++);
                    it = replacer.call(obj, key, it);
                }
                seq.items.push(createNode.createNode(it, undefined, ctx));
            }
        }
        return seq;
    }
}
function asItemIndex(key) {
    let idx = identity.isScalar(key) ? key.value : key;
    if (idx && typeof idx === 'string')
        idx = Number(idx);
    return typeof idx === 'number' && Number.isInteger(idx) && idx >= 0
        ? idx
        : null;
}

exports.YAMLSeq = YAMLSeq;


/***/ }),

/***/ 7104:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var log = __nccwpck_require__(7249);
var merge = __nccwpck_require__(452);
var stringify = __nccwpck_require__(2148);
var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);

function addPairToJSMap(ctx, map, { key, value }) {
    if (identity.isNode(key) && key.addToJSMap)
        key.addToJSMap(ctx, map, value);
    // TODO: Should drop this special case for bare << handling
    else if (merge.isMergeKey(ctx, key))
        merge.addMergeToJSMap(ctx, map, value);
    else {
        const jsKey = toJS.toJS(key, '', ctx);
        if (map instanceof Map) {
            map.set(jsKey, toJS.toJS(value, jsKey, ctx));
        }
        else if (map instanceof Set) {
            map.add(jsKey);
        }
        else {
            const stringKey = stringifyKey(key, jsKey, ctx);
            const jsValue = toJS.toJS(value, stringKey, ctx);
            if (stringKey in map)
                Object.defineProperty(map, stringKey, {
                    value: jsValue,
                    writable: true,
                    enumerable: true,
                    configurable: true
                });
            else
                map[stringKey] = jsValue;
        }
    }
    return map;
}
function stringifyKey(key, jsKey, ctx) {
    if (jsKey === null)
        return '';
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    if (typeof jsKey !== 'object')
        return String(jsKey);
    if (identity.isNode(key) && ctx?.doc) {
        const strCtx = stringify.createStringifyContext(ctx.doc, {});
        strCtx.anchors = new Set();
        for (const node of ctx.anchors.keys())
            strCtx.anchors.add(node.anchor);
        strCtx.inFlow = true;
        strCtx.inStringifyKey = true;
        const strKey = key.toString(strCtx);
        if (!ctx.mapKeyWarned) {
            let jsonStr = JSON.stringify(strKey);
            if (jsonStr.length > 40)
                jsonStr = jsonStr.substring(0, 36) + '..."';
            log.warn(ctx.doc.options.logLevel, `Keys with collection values will be stringified due to JS Object restrictions: ${jsonStr}. Set mapAsMap: true to use object keys.`);
            ctx.mapKeyWarned = true;
        }
        return strKey;
    }
    return JSON.stringify(jsKey);
}

exports.addPairToJSMap = addPairToJSMap;


/***/ }),

/***/ 1127:
/***/ ((__unused_webpack_module, exports) => {



const ALIAS = Symbol.for('yaml.alias');
const DOC = Symbol.for('yaml.document');
const MAP = Symbol.for('yaml.map');
const PAIR = Symbol.for('yaml.pair');
const SCALAR = Symbol.for('yaml.scalar');
const SEQ = Symbol.for('yaml.seq');
const NODE_TYPE = Symbol.for('yaml.node.type');
const isAlias = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === ALIAS;
const isDocument = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === DOC;
const isMap = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === MAP;
const isPair = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === PAIR;
const isScalar = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SCALAR;
const isSeq = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SEQ;
function isCollection(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case MAP:
            case SEQ:
                return true;
        }
    return false;
}
function isNode(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case ALIAS:
            case MAP:
            case SCALAR:
            case SEQ:
                return true;
        }
    return false;
}
const hasAnchor = (node) => (isScalar(node) || isCollection(node)) && !!node.anchor;

exports.ALIAS = ALIAS;
exports.DOC = DOC;
exports.MAP = MAP;
exports.NODE_TYPE = NODE_TYPE;
exports.PAIR = PAIR;
exports.SCALAR = SCALAR;
exports.SEQ = SEQ;
exports.hasAnchor = hasAnchor;
exports.isAlias = isAlias;
exports.isCollection = isCollection;
exports.isDocument = isDocument;
exports.isMap = isMap;
exports.isNode = isNode;
exports.isPair = isPair;
exports.isScalar = isScalar;
exports.isSeq = isSeq;


/***/ }),

/***/ 4043:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

/**
 * Recursively convert any node or its contents to native JavaScript
 *
 * @param value - The input value
 * @param arg - If `value` defines a `toJSON()` method, use this
 *   as its first argument
 * @param ctx - Conversion context, originally set in Document#toJS(). If
 *   `{ keep: true }` is not set, output should be suitable for JSON
 *   stringification.
 */
function toJS(value, arg, ctx) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
    if (Array.isArray(value))
        return value.map((v, i) => toJS(v, String(i), ctx));
    if (value && typeof value.toJSON === 'function') {
        // eslint-disable-next-line @typescript-eslint/no-unsafe-call
        if (!ctx || !identity.hasAnchor(value))
            return value.toJSON(arg, ctx);
        const data = { aliasCount: 0, count: 1, res: undefined };
        ctx.anchors.set(value, data);
        ctx.onCreate = res => {
            data.res = res;
            delete ctx.onCreate;
        };
        const res = value.toJSON(arg, ctx);
        if (ctx.onCreate)
            ctx.onCreate(res);
        return res;
    }
    if (typeof value === 'bigint' && !ctx?.keep)
        return Number(value);
    return value;
}

exports.toJS = toJS;


/***/ }),

/***/ 110:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var resolveBlockScalar = __nccwpck_require__(8913);
var resolveFlowScalar = __nccwpck_require__(6842);
var errors = __nccwpck_require__(1464);
var stringifyString = __nccwpck_require__(3069);

function resolveAsScalar(token, strict = true, onError) {
    if (token) {
        const _onError = (pos, code, message) => {
            const offset = typeof pos === 'number' ? pos : Array.isArray(pos) ? pos[0] : pos.offset;
            if (onError)
                onError(offset, code, message);
            else
                throw new errors.YAMLParseError([offset, offset + 1], code, message);
        };
        switch (token.type) {
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return resolveFlowScalar.resolveFlowScalar(token, strict, _onError);
            case 'block-scalar':
                return resolveBlockScalar.resolveBlockScalar({ options: { strict } }, token, _onError);
        }
    }
    return null;
}
/**
 * Create a new scalar token with `value`
 *
 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
 * as this function does not support any schema operations and won't check for such conflicts.
 *
 * @param value The string representation of the value, which will have its content properly indented.
 * @param context.end Comments and whitespace after the end of the value, or after the block scalar header. If undefined, a newline will be added.
 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
 * @param context.indent The indent level of the token.
 * @param context.inFlow Is this scalar within a flow collection? This may affect the resolved type of the token's value.
 * @param context.offset The offset position of the token.
 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
 */
function createScalarToken(value, context) {
    const { implicitKey = false, indent, inFlow = false, offset = -1, type = 'PLAIN' } = context;
    const source = stringifyString.stringifyString({ type, value }, {
        implicitKey,
        indent: indent > 0 ? ' '.repeat(indent) : '',
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
    });
    const end = context.end ?? [
        { type: 'newline', offset: -1, indent, source: '\n' }
    ];
    switch (source[0]) {
        case '|':
        case '>': {
            const he = source.indexOf('\n');
            const head = source.substring(0, he);
            const body = source.substring(he + 1) + '\n';
            const props = [
                { type: 'block-scalar-header', offset, indent, source: head }
            ];
            if (!addEndtoBlockProps(props, end))
                props.push({ type: 'newline', offset: -1, indent, source: '\n' });
            return { type: 'block-scalar', offset, indent, props, source: body };
        }
        case '"':
            return { type: 'double-quoted-scalar', offset, indent, source, end };
        case "'":
            return { type: 'single-quoted-scalar', offset, indent, source, end };
        default:
            return { type: 'scalar', offset, indent, source, end };
    }
}
/**
 * Set the value of `token` to the given string `value`, overwriting any previous contents and type that it may have.
 *
 * Best efforts are made to retain any comments previously associated with the `token`,
 * though all contents within a collection's `items` will be overwritten.
 *
 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
 * as this function does not support any schema operations and won't check for such conflicts.
 *
 * @param token Any token. If it does not include an `indent` value, the value will be stringified as if it were an implicit key.
 * @param value The string representation of the value, which will have its content properly indented.
 * @param context.afterKey In most cases, values after a key should have an additional level of indentation.
 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
 * @param context.inFlow Being within a flow collection may affect the resolved type of the token's value.
 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
 */
function setScalarValue(token, value, context = {}) {
    let { afterKey = false, implicitKey = false, inFlow = false, type } = context;
    let indent = 'indent' in token ? token.indent : null;
    if (afterKey && typeof indent === 'number')
        indent += 2;
    if (!type)
        switch (token.type) {
            case 'single-quoted-scalar':
                type = 'QUOTE_SINGLE';
                break;
            case 'double-quoted-scalar':
                type = 'QUOTE_DOUBLE';
                break;
            case 'block-scalar': {
                const header = token.props[0];
                if (header.type !== 'block-scalar-header')
                    throw new Error('Invalid block scalar header');
                type = header.source[0] === '>' ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL';
                break;
            }
            default:
                type = 'PLAIN';
        }
    const source = stringifyString.stringifyString({ type, value }, {
        implicitKey: implicitKey || indent === null,
        indent: indent !== null && indent > 0 ? ' '.repeat(indent) : '',
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
    });
    switch (source[0]) {
        case '|':
        case '>':
            setBlockScalarValue(token, source);
            break;
        case '"':
            setFlowScalarValue(token, source, 'double-quoted-scalar');
            break;
        case "'":
            setFlowScalarValue(token, source, 'single-quoted-scalar');
            break;
        default:
            setFlowScalarValue(token, source, 'scalar');
    }
}
function setBlockScalarValue(token, source) {
    const he = source.indexOf('\n');
    const head = source.substring(0, he);
    const body = source.substring(he + 1) + '\n';
    if (token.type === 'block-scalar') {
        const header = token.props[0];
        if (header.type !== 'block-scalar-header')
            throw new Error('Invalid block scalar header');
        header.source = head;
        token.source = body;
    }
    else {
        const { offset } = token;
        const indent = 'indent' in token ? token.indent : -1;
        const props = [
            { type: 'block-scalar-header', offset, indent, source: head }
        ];
        if (!addEndtoBlockProps(props, 'end' in token ? token.end : undefined))
            props.push({ type: 'newline', offset: -1, indent, source: '\n' });
        for (const key of Object.keys(token))
            if (key !== 'type' && key !== 'offset')
                delete token[key];
        Object.assign(token, { type: 'block-scalar', indent, props, source: body });
    }
}
/** @returns `true` if last token is a newline */
function addEndtoBlockProps(props, end) {
    if (end)
        for (const st of end)
            switch (st.type) {
                case 'space':
                case 'comment':
                    props.push(st);
                    break;
                case 'newline':
                    props.push(st);
                    return true;
            }
    return false;
}
function setFlowScalarValue(token, source, type) {
    switch (token.type) {
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            token.type = type;
            token.source = source;
            break;
        case 'block-scalar': {
            const end = token.props.slice(1);
            let oa = source.length;
            if (token.props[0].type === 'block-scalar-header')
                oa -= token.props[0].source.length;
            for (const tok of end)
                tok.offset += oa;
            delete token.props;
            Object.assign(token, { type, source, end });
            break;
        }
        case 'block-map':
        case 'block-seq': {
            const offset = token.offset + source.length;
            const nl = { type: 'newline', offset, indent: token.indent, source: '\n' };
            delete token.items;
            Object.assign(token, { type, source, end: [nl] });
            break;
        }
        default: {
            const indent = 'indent' in token ? token.indent : -1;
            const end = 'end' in token && Array.isArray(token.end)
                ? token.end.filter(st => st.type === 'space' ||
                    st.type === 'comment' ||
                    st.type === 'newline')
                : [];
            for (const key of Object.keys(token))
                if (key !== 'type' && key !== 'offset')
                    delete token[key];
            Object.assign(token, { type, indent, source, end });
        }
    }
}

exports.createScalarToken = createScalarToken;
exports.resolveAsScalar = resolveAsScalar;
exports.setScalarValue = setScalarValue;


/***/ }),

/***/ 1733:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Stringify a CST document, token, or collection item
 *
 * Fair warning: This applies no validation whatsoever, and
 * simply concatenates the sources in their logical order.
 */
const stringify = (cst) => 'type' in cst ? stringifyToken(cst) : stringifyItem(cst);
function stringifyToken(token) {
    switch (token.type) {
        case 'block-scalar': {
            let res = '';
            for (const tok of token.props)
                res += stringifyToken(tok);
            return res + token.source;
        }
        case 'block-map':
        case 'block-seq': {
            let res = '';
            for (const item of token.items)
                res += stringifyItem(item);
            return res;
        }
        case 'flow-collection': {
            let res = token.start.source;
            for (const item of token.items)
                res += stringifyItem(item);
            for (const st of token.end)
                res += st.source;
            return res;
        }
        case 'document': {
            let res = stringifyItem(token);
            if (token.end)
                for (const st of token.end)
                    res += st.source;
            return res;
        }
        default: {
            let res = token.source;
            if ('end' in token && token.end)
                for (const st of token.end)
                    res += st.source;
            return res;
        }
    }
}
function stringifyItem({ start, key, sep, value }) {
    let res = '';
    for (const st of start)
        res += st.source;
    if (key)
        res += stringifyToken(key);
    if (sep)
        for (const st of sep)
            res += st.source;
    if (value)
        res += stringifyToken(value);
    return res;
}

exports.stringify = stringify;


/***/ }),

/***/ 7715:
/***/ ((__unused_webpack_module, exports) => {



const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove item');
/**
 * Apply a visitor to a CST document or item.
 *
 * Walks through the tree (depth-first) starting from the root, calling a
 * `visitor` function with two arguments when entering each item:
 *   - `item`: The current item, which included the following members:
 *     - `start: SourceToken[]` – Source tokens before the key or value,
 *       possibly including its anchor or tag.
 *     - `key?: Token | null` – Set for pair values. May then be `null`, if
 *       the key before the `:` separator is empty.
 *     - `sep?: SourceToken[]` – Source tokens between the key and the value,
 *       which should include the `:` map value indicator if `value` is set.
 *     - `value?: Token` – The value of a sequence item, or of a map pair.
 *   - `path`: The steps from the root to the current node, as an array of
 *     `['key' | 'value', number]` tuples.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this token, continue with
 *      next sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current item, then continue with the next one
 *   - `number`: Set the index of the next step. This is useful especially if
 *     the index of the current token has changed.
 *   - `function`: Define the next visitor for this item. After the original
 *     visitor is called on item entry, next visitors are called after handling
 *     a non-empty `key` and when exiting the item.
 */
function visit(cst, visitor) {
    if ('type' in cst && cst.type === 'document')
        cst = { start: cst.start, value: cst.value };
    _visit(Object.freeze([]), cst, visitor);
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current item */
visit.SKIP = SKIP;
/** Remove the current item */
visit.REMOVE = REMOVE;
/** Find the item at `path` from `cst` as the root */
visit.itemAtPath = (cst, path) => {
    let item = cst;
    for (const [field, index] of path) {
        const tok = item?.[field];
        if (tok && 'items' in tok) {
            item = tok.items[index];
        }
        else
            return undefined;
    }
    return item;
};
/**
 * Get the immediate parent collection of the item at `path` from `cst` as the root.
 *
 * Throws an error if the collection is not found, which should never happen if the item itself exists.
 */
visit.parentCollection = (cst, path) => {
    const parent = visit.itemAtPath(cst, path.slice(0, -1));
    const field = path[path.length - 1][0];
    const coll = parent?.[field];
    if (coll && 'items' in coll)
        return coll;
    throw new Error('Parent collection not found');
};
function _visit(path, item, visitor) {
    let ctrl = visitor(item, path);
    if (typeof ctrl === 'symbol')
        return ctrl;
    for (const field of ['key', 'value']) {
        const token = item[field];
        if (token && 'items' in token) {
            for (let i = 0; i < token.items.length; ++i) {
                const ci = _visit(Object.freeze(path.concat([[field, i]])), token.items[i], visitor);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    token.items.splice(i, 1);
                    i -= 1;
                }
            }
            if (typeof ctrl === 'function' && field === 'key')
                ctrl = ctrl(item, path);
        }
    }
    return typeof ctrl === 'function' ? ctrl(item, path) : ctrl;
}

exports.visit = visit;


/***/ }),

/***/ 3461:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var cstScalar = __nccwpck_require__(110);
var cstStringify = __nccwpck_require__(1733);
var cstVisit = __nccwpck_require__(7715);

/** The byte order mark */
const BOM = '\u{FEFF}';
/** Start of doc-mode */
const DOCUMENT = '\x02'; // C0: Start of Text
/** Unexpected end of flow-mode */
const FLOW_END = '\x18'; // C0: Cancel
/** Next token is a scalar value */
const SCALAR = '\x1f'; // C0: Unit Separator
/** @returns `true` if `token` is a flow or block collection */
const isCollection = (token) => !!token && 'items' in token;
/** @returns `true` if `token` is a flow or block scalar; not an alias */
const isScalar = (token) => !!token &&
    (token.type === 'scalar' ||
        token.type === 'single-quoted-scalar' ||
        token.type === 'double-quoted-scalar' ||
        token.type === 'block-scalar');
/* istanbul ignore next */
/** Get a printable representation of a lexer token */
function prettyToken(token) {
    switch (token) {
        case BOM:
            return '<BOM>';
        case DOCUMENT:
            return '<DOC>';
        case FLOW_END:
            return '<FLOW_END>';
        case SCALAR:
            return '<SCALAR>';
        default:
            return JSON.stringify(token);
    }
}
/** Identify the type of a lexer token. May return `null` for unknown tokens. */
function tokenType(source) {
    switch (source) {
        case BOM:
            return 'byte-order-mark';
        case DOCUMENT:
            return 'doc-mode';
        case FLOW_END:
            return 'flow-error-end';
        case SCALAR:
            return 'scalar';
        case '---':
            return 'doc-start';
        case '...':
            return 'doc-end';
        case '':
        case '\n':
        case '\r\n':
            return 'newline';
        case '-':
            return 'seq-item-ind';
        case '?':
            return 'explicit-key-ind';
        case ':':
            return 'map-value-ind';
        case '{':
            return 'flow-map-start';
        case '}':
            return 'flow-map-end';
        case '[':
            return 'flow-seq-start';
        case ']':
            return 'flow-seq-end';
        case ',':
            return 'comma';
    }
    switch (source[0]) {
        case ' ':
        case '\t':
            return 'space';
        case '#':
            return 'comment';
        case '%':
            return 'directive-line';
        case '*':
            return 'alias';
        case '&':
            return 'anchor';
        case '!':
            return 'tag';
        case "'":
            return 'single-quoted-scalar';
        case '"':
            return 'double-quoted-scalar';
        case '|':
        case '>':
            return 'block-scalar-header';
    }
    return null;
}

exports.createScalarToken = cstScalar.createScalarToken;
exports.resolveAsScalar = cstScalar.resolveAsScalar;
exports.setScalarValue = cstScalar.setScalarValue;
exports.stringify = cstStringify.stringify;
exports.visit = cstVisit.visit;
exports.BOM = BOM;
exports.DOCUMENT = DOCUMENT;
exports.FLOW_END = FLOW_END;
exports.SCALAR = SCALAR;
exports.isCollection = isCollection;
exports.isScalar = isScalar;
exports.prettyToken = prettyToken;
exports.tokenType = tokenType;


/***/ }),

/***/ 361:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var cst = __nccwpck_require__(3461);

/*
START -> stream

stream
  directive -> line-end -> stream
  indent + line-end -> stream
  [else] -> line-start

line-end
  comment -> line-end
  newline -> .
  input-end -> END

line-start
  doc-start -> doc
  doc-end -> stream
  [else] -> indent -> block-start

block-start
  seq-item-start -> block-start
  explicit-key-start -> block-start
  map-value-start -> block-start
  [else] -> doc

doc
  line-end -> line-start
  spaces -> doc
  anchor -> doc
  tag -> doc
  flow-start -> flow -> doc
  flow-end -> error -> doc
  seq-item-start -> error -> doc
  explicit-key-start -> error -> doc
  map-value-start -> doc
  alias -> doc
  quote-start -> quoted-scalar -> doc
  block-scalar-header -> line-end -> block-scalar(min) -> line-start
  [else] -> plain-scalar(false, min) -> doc

flow
  line-end -> flow
  spaces -> flow
  anchor -> flow
  tag -> flow
  flow-start -> flow -> flow
  flow-end -> .
  seq-item-start -> error -> flow
  explicit-key-start -> flow
  map-value-start -> flow
  alias -> flow
  quote-start -> quoted-scalar -> flow
  comma -> flow
  [else] -> plain-scalar(true, 0) -> flow

quoted-scalar
  quote-end -> .
  [else] -> quoted-scalar

block-scalar(min)
  newline + peek(indent < min) -> .
  [else] -> block-scalar(min)

plain-scalar(is-flow, min)
  scalar-end(is-flow) -> .
  peek(newline + (indent < min)) -> .
  [else] -> plain-scalar(min)
*/
function isEmpty(ch) {
    switch (ch) {
        case undefined:
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            return true;
        default:
            return false;
    }
}
const hexDigits = new Set('0123456789ABCDEFabcdef');
const tagChars = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
const flowIndicatorChars = new Set(',[]{}');
const invalidAnchorChars = new Set(' ,[]{}\n\r\t');
const isNotAnchorChar = (ch) => !ch || invalidAnchorChars.has(ch);
/**
 * Splits an input string into lexical tokens, i.e. smaller strings that are
 * easily identifiable by `tokens.tokenType()`.
 *
 * Lexing starts always in a "stream" context. Incomplete input may be buffered
 * until a complete token can be emitted.
 *
 * In addition to slices of the original input, the following control characters
 * may also be emitted:
 *
 * - `\x02` (Start of Text): A document starts with the next token
 * - `\x18` (Cancel): Unexpected end of flow-mode (indicates an error)
 * - `\x1f` (Unit Separator): Next token is a scalar value
 * - `\u{FEFF}` (Byte order mark): Emitted separately outside documents
 */
class Lexer {
    constructor() {
        /**
         * Flag indicating whether the end of the current buffer marks the end of
         * all input
         */
        this.atEnd = false;
        /**
         * Explicit indent set in block scalar header, as an offset from the current
         * minimum indent, so e.g. set to 1 from a header `|2+`. Set to -1 if not
         * explicitly set.
         */
        this.blockScalarIndent = -1;
        /**
         * Block scalars that include a + (keep) chomping indicator in their header
         * include trailing empty lines, which are otherwise excluded from the
         * scalar's contents.
         */
        this.blockScalarKeep = false;
        /** Current input */
        this.buffer = '';
        /**
         * Flag noting whether the map value indicator : can immediately follow this
         * node within a flow context.
         */
        this.flowKey = false;
        /** Count of surrounding flow collection levels. */
        this.flowLevel = 0;
        /**
         * Minimum level of indentation required for next lines to be parsed as a
         * part of the current scalar value.
         */
        this.indentNext = 0;
        /** Indentation level of the current line. */
        this.indentValue = 0;
        /** Position of the next \n character. */
        this.lineEndPos = null;
        /** Stores the state of the lexer if reaching the end of incpomplete input */
        this.next = null;
        /** A pointer to `buffer`; the current position of the lexer. */
        this.pos = 0;
    }
    /**
     * Generate YAML tokens from the `source` string. If `incomplete`,
     * a part of the last line may be left as a buffer for the next call.
     *
     * @returns A generator of lexical tokens
     */
    *lex(source, incomplete = false) {
        if (source) {
            if (typeof source !== 'string')
                throw TypeError('source is not a string');
            this.buffer = this.buffer ? this.buffer + source : source;
            this.lineEndPos = null;
        }
        this.atEnd = !incomplete;
        let next = this.next ?? 'stream';
        while (next && (incomplete || this.hasChars(1)))
            next = yield* this.parseNext(next);
    }
    atLineEnd() {
        let i = this.pos;
        let ch = this.buffer[i];
        while (ch === ' ' || ch === '\t')
            ch = this.buffer[++i];
        if (!ch || ch === '#' || ch === '\n')
            return true;
        if (ch === '\r')
            return this.buffer[i + 1] === '\n';
        return false;
    }
    charAt(n) {
        return this.buffer[this.pos + n];
    }
    continueScalar(offset) {
        let ch = this.buffer[offset];
        if (this.indentNext > 0) {
            let indent = 0;
            while (ch === ' ')
                ch = this.buffer[++indent + offset];
            if (ch === '\r') {
                const next = this.buffer[indent + offset + 1];
                if (next === '\n' || (!next && !this.atEnd))
                    return offset + indent + 1;
            }
            return ch === '\n' || indent >= this.indentNext || (!ch && !this.atEnd)
                ? offset + indent
                : -1;
        }
        if (ch === '-' || ch === '.') {
            const dt = this.buffer.substr(offset, 3);
            if ((dt === '---' || dt === '...') && isEmpty(this.buffer[offset + 3]))
                return -1;
        }
        return offset;
    }
    getLine() {
        let end = this.lineEndPos;
        if (typeof end !== 'number' || (end !== -1 && end < this.pos)) {
            end = this.buffer.indexOf('\n', this.pos);
            this.lineEndPos = end;
        }
        if (end === -1)
            return this.atEnd ? this.buffer.substring(this.pos) : null;
        if (this.buffer[end - 1] === '\r')
            end -= 1;
        return this.buffer.substring(this.pos, end);
    }
    hasChars(n) {
        return this.pos + n <= this.buffer.length;
    }
    setNext(state) {
        this.buffer = this.buffer.substring(this.pos);
        this.pos = 0;
        this.lineEndPos = null;
        this.next = state;
        return null;
    }
    peek(n) {
        return this.buffer.substr(this.pos, n);
    }
    *parseNext(next) {
        switch (next) {
            case 'stream':
                return yield* this.parseStream();
            case 'line-start':
                return yield* this.parseLineStart();
            case 'block-start':
                return yield* this.parseBlockStart();
            case 'doc':
                return yield* this.parseDocument();
            case 'flow':
                return yield* this.parseFlowCollection();
            case 'quoted-scalar':
                return yield* this.parseQuotedScalar();
            case 'block-scalar':
                return yield* this.parseBlockScalar();
            case 'plain-scalar':
                return yield* this.parsePlainScalar();
        }
    }
    *parseStream() {
        let line = this.getLine();
        if (line === null)
            return this.setNext('stream');
        if (line[0] === cst.BOM) {
            yield* this.pushCount(1);
            line = line.substring(1);
        }
        if (line[0] === '%') {
            let dirEnd = line.length;
            let cs = line.indexOf('#');
            while (cs !== -1) {
                const ch = line[cs - 1];
                if (ch === ' ' || ch === '\t') {
                    dirEnd = cs - 1;
                    break;
                }
                else {
                    cs = line.indexOf('#', cs + 1);
                }
            }
            while (true) {
                const ch = line[dirEnd - 1];
                if (ch === ' ' || ch === '\t')
                    dirEnd -= 1;
                else
                    break;
            }
            const n = (yield* this.pushCount(dirEnd)) + (yield* this.pushSpaces(true));
            yield* this.pushCount(line.length - n); // possible comment
            this.pushNewline();
            return 'stream';
        }
        if (this.atLineEnd()) {
            const sp = yield* this.pushSpaces(true);
            yield* this.pushCount(line.length - sp);
            yield* this.pushNewline();
            return 'stream';
        }
        yield cst.DOCUMENT;
        return yield* this.parseLineStart();
    }
    *parseLineStart() {
        const ch = this.charAt(0);
        if (!ch && !this.atEnd)
            return this.setNext('line-start');
        if (ch === '-' || ch === '.') {
            if (!this.atEnd && !this.hasChars(4))
                return this.setNext('line-start');
            const s = this.peek(3);
            if ((s === '---' || s === '...') && isEmpty(this.charAt(3))) {
                yield* this.pushCount(3);
                this.indentValue = 0;
                this.indentNext = 0;
                return s === '---' ? 'doc' : 'stream';
            }
        }
        this.indentValue = yield* this.pushSpaces(false);
        if (this.indentNext > this.indentValue && !isEmpty(this.charAt(1)))
            this.indentNext = this.indentValue;
        return yield* this.parseBlockStart();
    }
    *parseBlockStart() {
        const [ch0, ch1] = this.peek(2);
        if (!ch1 && !this.atEnd)
            return this.setNext('block-start');
        if ((ch0 === '-' || ch0 === '?' || ch0 === ':') && isEmpty(ch1)) {
            const n = (yield* this.pushCount(1)) + (yield* this.pushSpaces(true));
            this.indentNext = this.indentValue + 1;
            this.indentValue += n;
            return 'block-start';
        }
        return 'doc';
    }
    *parseDocument() {
        yield* this.pushSpaces(true);
        const line = this.getLine();
        if (line === null)
            return this.setNext('doc');
        let n = yield* this.pushIndicators();
        switch (line[n]) {
            case '#':
                yield* this.pushCount(line.length - n);
            // fallthrough
            case undefined:
                yield* this.pushNewline();
                return yield* this.parseLineStart();
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel = 1;
                return 'flow';
            case '}':
            case ']':
                // this is an error
                yield* this.pushCount(1);
                return 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'doc';
            case '"':
            case "'":
                return yield* this.parseQuotedScalar();
            case '|':
            case '>':
                n += yield* this.parseBlockScalarHeader();
                n += yield* this.pushSpaces(true);
                yield* this.pushCount(line.length - n);
                yield* this.pushNewline();
                return yield* this.parseBlockScalar();
            default:
                return yield* this.parsePlainScalar();
        }
    }
    *parseFlowCollection() {
        let nl, sp;
        let indent = -1;
        do {
            nl = yield* this.pushNewline();
            if (nl > 0) {
                sp = yield* this.pushSpaces(false);
                this.indentValue = indent = sp;
            }
            else {
                sp = 0;
            }
            sp += yield* this.pushSpaces(true);
        } while (nl + sp > 0);
        const line = this.getLine();
        if (line === null)
            return this.setNext('flow');
        if ((indent !== -1 && indent < this.indentNext && line[0] !== '#') ||
            (indent === 0 &&
                (line.startsWith('---') || line.startsWith('...')) &&
                isEmpty(line[3]))) {
            // Allowing for the terminal ] or } at the same (rather than greater)
            // indent level as the initial [ or { is technically invalid, but
            // failing here would be surprising to users.
            const atFlowEndMarker = indent === this.indentNext - 1 &&
                this.flowLevel === 1 &&
                (line[0] === ']' || line[0] === '}');
            if (!atFlowEndMarker) {
                // this is an error
                this.flowLevel = 0;
                yield cst.FLOW_END;
                return yield* this.parseLineStart();
            }
        }
        let n = 0;
        while (line[n] === ',') {
            n += yield* this.pushCount(1);
            n += yield* this.pushSpaces(true);
            this.flowKey = false;
        }
        n += yield* this.pushIndicators();
        switch (line[n]) {
            case undefined:
                return 'flow';
            case '#':
                yield* this.pushCount(line.length - n);
                return 'flow';
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel += 1;
                return 'flow';
            case '}':
            case ']':
                yield* this.pushCount(1);
                this.flowKey = true;
                this.flowLevel -= 1;
                return this.flowLevel ? 'flow' : 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'flow';
            case '"':
            case "'":
                this.flowKey = true;
                return yield* this.parseQuotedScalar();
            case ':': {
                const next = this.charAt(1);
                if (this.flowKey || isEmpty(next) || next === ',') {
                    this.flowKey = false;
                    yield* this.pushCount(1);
                    yield* this.pushSpaces(true);
                    return 'flow';
                }
            }
            // fallthrough
            default:
                this.flowKey = false;
                return yield* this.parsePlainScalar();
        }
    }
    *parseQuotedScalar() {
        const quote = this.charAt(0);
        let end = this.buffer.indexOf(quote, this.pos + 1);
        if (quote === "'") {
            while (end !== -1 && this.buffer[end + 1] === "'")
                end = this.buffer.indexOf("'", end + 2);
        }
        else {
            // double-quote
            while (end !== -1) {
                let n = 0;
                while (this.buffer[end - 1 - n] === '\\')
                    n += 1;
                if (n % 2 === 0)
                    break;
                end = this.buffer.indexOf('"', end + 1);
            }
        }
        // Only looking for newlines within the quotes
        const qb = this.buffer.substring(0, end);
        let nl = qb.indexOf('\n', this.pos);
        if (nl !== -1) {
            while (nl !== -1) {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = qb.indexOf('\n', cs);
            }
            if (nl !== -1) {
                // this is an error caused by an unexpected unindent
                end = nl - (qb[nl - 1] === '\r' ? 2 : 1);
            }
        }
        if (end === -1) {
            if (!this.atEnd)
                return this.setNext('quoted-scalar');
            end = this.buffer.length;
        }
        yield* this.pushToIndex(end + 1, false);
        return this.flowLevel ? 'flow' : 'doc';
    }
    *parseBlockScalarHeader() {
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        let i = this.pos;
        while (true) {
            const ch = this.buffer[++i];
            if (ch === '+')
                this.blockScalarKeep = true;
            else if (ch > '0' && ch <= '9')
                this.blockScalarIndent = Number(ch) - 1;
            else if (ch !== '-')
                break;
        }
        return yield* this.pushUntil(ch => isEmpty(ch) || ch === '#');
    }
    *parseBlockScalar() {
        let nl = this.pos - 1; // may be -1 if this.pos === 0
        let indent = 0;
        let ch;
        loop: for (let i = this.pos; (ch = this.buffer[i]); ++i) {
            switch (ch) {
                case ' ':
                    indent += 1;
                    break;
                case '\n':
                    nl = i;
                    indent = 0;
                    break;
                case '\r': {
                    const next = this.buffer[i + 1];
                    if (!next && !this.atEnd)
                        return this.setNext('block-scalar');
                    if (next === '\n')
                        break;
                } // fallthrough
                default:
                    break loop;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('block-scalar');
        if (indent >= this.indentNext) {
            if (this.blockScalarIndent === -1)
                this.indentNext = indent;
            else {
                this.indentNext =
                    this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
            }
            do {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = this.buffer.indexOf('\n', cs);
            } while (nl !== -1);
            if (nl === -1) {
                if (!this.atEnd)
                    return this.setNext('block-scalar');
                nl = this.buffer.length;
            }
        }
        // Trailing insufficiently indented tabs are invalid.
        // To catch that during parsing, we include them in the block scalar value.
        let i = nl + 1;
        ch = this.buffer[i];
        while (ch === ' ')
            ch = this.buffer[++i];
        if (ch === '\t') {
            while (ch === '\t' || ch === ' ' || ch === '\r' || ch === '\n')
                ch = this.buffer[++i];
            nl = i - 1;
        }
        else if (!this.blockScalarKeep) {
            do {
                let i = nl - 1;
                let ch = this.buffer[i];
                if (ch === '\r')
                    ch = this.buffer[--i];
                const lastChar = i; // Drop the line if last char not more indented
                while (ch === ' ')
                    ch = this.buffer[--i];
                if (ch === '\n' && i >= this.pos && i + 1 + indent > lastChar)
                    nl = i;
                else
                    break;
            } while (true);
        }
        yield cst.SCALAR;
        yield* this.pushToIndex(nl + 1, true);
        return yield* this.parseLineStart();
    }
    *parsePlainScalar() {
        const inFlow = this.flowLevel > 0;
        let end = this.pos - 1;
        let i = this.pos - 1;
        let ch;
        while ((ch = this.buffer[++i])) {
            if (ch === ':') {
                const next = this.buffer[i + 1];
                if (isEmpty(next) || (inFlow && flowIndicatorChars.has(next)))
                    break;
                end = i;
            }
            else if (isEmpty(ch)) {
                let next = this.buffer[i + 1];
                if (ch === '\r') {
                    if (next === '\n') {
                        i += 1;
                        ch = '\n';
                        next = this.buffer[i + 1];
                    }
                    else
                        end = i;
                }
                if (next === '#' || (inFlow && flowIndicatorChars.has(next)))
                    break;
                if (ch === '\n') {
                    const cs = this.continueScalar(i + 1);
                    if (cs === -1)
                        break;
                    i = Math.max(i, cs - 2); // to advance, but still account for ' #'
                }
            }
            else {
                if (inFlow && flowIndicatorChars.has(ch))
                    break;
                end = i;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('plain-scalar');
        yield cst.SCALAR;
        yield* this.pushToIndex(end + 1, true);
        return inFlow ? 'flow' : 'doc';
    }
    *pushCount(n) {
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos += n;
            return n;
        }
        return 0;
    }
    *pushToIndex(i, allowEmpty) {
        const s = this.buffer.slice(this.pos, i);
        if (s) {
            yield s;
            this.pos += s.length;
            return s.length;
        }
        else if (allowEmpty)
            yield '';
        return 0;
    }
    *pushIndicators() {
        let n = 0;
        loop: while (true) {
            switch (this.charAt(0)) {
                case '!':
                    n += yield* this.pushTag();
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '&':
                    n += yield* this.pushUntil(isNotAnchorChar);
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '-': // this is an error
                case '?': // this is an error outside flow collections
                case ':': {
                    const inFlow = this.flowLevel > 0;
                    const ch1 = this.charAt(1);
                    if (isEmpty(ch1) || (inFlow && flowIndicatorChars.has(ch1))) {
                        if (!inFlow)
                            this.indentNext = this.indentValue + 1;
                        else if (this.flowKey)
                            this.flowKey = false;
                        n += yield* this.pushCount(1);
                        n += yield* this.pushSpaces(true);
                        continue loop;
                    }
                }
            }
            break loop;
        }
        return n;
    }
    *pushTag() {
        if (this.charAt(1) === '<') {
            let i = this.pos + 2;
            let ch = this.buffer[i];
            while (!isEmpty(ch) && ch !== '>')
                ch = this.buffer[++i];
            return yield* this.pushToIndex(ch === '>' ? i + 1 : i, false);
        }
        else {
            let i = this.pos + 1;
            let ch = this.buffer[i];
            while (ch) {
                if (tagChars.has(ch))
                    ch = this.buffer[++i];
                else if (ch === '%' &&
                    hexDigits.has(this.buffer[i + 1]) &&
                    hexDigits.has(this.buffer[i + 2])) {
                    ch = this.buffer[(i += 3)];
                }
                else
                    break;
            }
            return yield* this.pushToIndex(i, false);
        }
    }
    *pushNewline() {
        const ch = this.buffer[this.pos];
        if (ch === '\n')
            return yield* this.pushCount(1);
        else if (ch === '\r' && this.charAt(1) === '\n')
            return yield* this.pushCount(2);
        else
            return 0;
    }
    *pushSpaces(allowTabs) {
        let i = this.pos - 1;
        let ch;
        do {
            ch = this.buffer[++i];
        } while (ch === ' ' || (allowTabs && ch === '\t'));
        const n = i - this.pos;
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos = i;
        }
        return n;
    }
    *pushUntil(test) {
        let i = this.pos;
        let ch = this.buffer[i];
        while (!test(ch))
            ch = this.buffer[++i];
        return yield* this.pushToIndex(i, false);
    }
}

exports.Lexer = Lexer;


/***/ }),

/***/ 6628:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Tracks newlines during parsing in order to provide an efficient API for
 * determining the one-indexed `{ line, col }` position for any offset
 * within the input.
 */
class LineCounter {
    constructor() {
        this.lineStarts = [];
        /**
         * Should be called in ascending order. Otherwise, call
         * `lineCounter.lineStarts.sort()` before calling `linePos()`.
         */
        this.addNewLine = (offset) => this.lineStarts.push(offset);
        /**
         * Performs a binary search and returns the 1-indexed { line, col }
         * position of `offset`. If `line === 0`, `addNewLine` has never been
         * called or `offset` is before the first known newline.
         */
        this.linePos = (offset) => {
            let low = 0;
            let high = this.lineStarts.length;
            while (low < high) {
                const mid = (low + high) >> 1; // Math.floor((low + high) / 2)
                if (this.lineStarts[mid] < offset)
                    low = mid + 1;
                else
                    high = mid;
            }
            if (this.lineStarts[low] === offset)
                return { line: low + 1, col: 1 };
            if (low === 0)
                return { line: 0, col: offset };
            const start = this.lineStarts[low - 1];
            return { line: low, col: offset - start + 1 };
        };
    }
}

exports.LineCounter = LineCounter;


/***/ }),

/***/ 3456:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);
var cst = __nccwpck_require__(3461);
var lexer = __nccwpck_require__(361);

function includesToken(list, type) {
    for (let i = 0; i < list.length; ++i)
        if (list[i].type === type)
            return true;
    return false;
}
function findNonEmptyIndex(list) {
    for (let i = 0; i < list.length; ++i) {
        switch (list[i].type) {
            case 'space':
            case 'comment':
            case 'newline':
                break;
            default:
                return i;
        }
    }
    return -1;
}
function isFlowToken(token) {
    switch (token?.type) {
        case 'alias':
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'flow-collection':
            return true;
        default:
            return false;
    }
}
function getPrevProps(parent) {
    switch (parent.type) {
        case 'document':
            return parent.start;
        case 'block-map': {
            const it = parent.items[parent.items.length - 1];
            return it.sep ?? it.start;
        }
        case 'block-seq':
            return parent.items[parent.items.length - 1].start;
        /* istanbul ignore next should not happen */
        default:
            return [];
    }
}
/** Note: May modify input array */
function getFirstKeyStartProps(prev) {
    if (prev.length === 0)
        return [];
    let i = prev.length;
    loop: while (--i >= 0) {
        switch (prev[i].type) {
            case 'doc-start':
            case 'explicit-key-ind':
            case 'map-value-ind':
            case 'seq-item-ind':
            case 'newline':
                break loop;
        }
    }
    while (prev[++i]?.type === 'space') {
        /* loop */
    }
    return prev.splice(i, prev.length);
}
function arrayPushArray(target, source) {
    // May exhaust call stack with large `source` array
    if (source.length < 1e5)
        Array.prototype.push.apply(target, source);
    else
        for (let i = 0; i < source.length; ++i)
            target.push(source[i]);
}
function fixFlowSeqItems(fc) {
    if (fc.start.type === 'flow-seq-start') {
        for (const it of fc.items) {
            if (it.sep &&
                !it.value &&
                !includesToken(it.start, 'explicit-key-ind') &&
                !includesToken(it.sep, 'map-value-ind')) {
                if (it.key)
                    it.value = it.key;
                delete it.key;
                if (isFlowToken(it.value)) {
                    if (it.value.end)
                        arrayPushArray(it.value.end, it.sep);
                    else
                        it.value.end = it.sep;
                }
                else
                    arrayPushArray(it.start, it.sep);
                delete it.sep;
            }
        }
    }
}
/**
 * A YAML concrete syntax tree (CST) parser
 *
 * ```ts
 * const src: string = ...
 * for (const token of new Parser().parse(src)) {
 *   // token: Token
 * }
 * ```
 *
 * To use the parser with a user-provided lexer:
 *
 * ```ts
 * function* parse(source: string, lexer: Lexer) {
 *   const parser = new Parser()
 *   for (const lexeme of lexer.lex(source))
 *     yield* parser.next(lexeme)
 *   yield* parser.end()
 * }
 *
 * const src: string = ...
 * const lexer = new Lexer()
 * for (const token of parse(src, lexer)) {
 *   // token: Token
 * }
 * ```
 */
class Parser {
    /**
     * @param onNewLine - If defined, called separately with the start position of
     *   each new line (in `parse()`, including the start of input).
     */
    constructor(onNewLine) {
        /** If true, space and sequence indicators count as indentation */
        this.atNewLine = true;
        /** If true, next token is a scalar value */
        this.atScalar = false;
        /** Current indentation level */
        this.indent = 0;
        /** Current offset since the start of parsing */
        this.offset = 0;
        /** On the same line with a block map key */
        this.onKeyLine = false;
        /** Top indicates the node that's currently being built */
        this.stack = [];
        /** The source of the current token, set in parse() */
        this.source = '';
        /** The type of the current token, set in parse() */
        this.type = '';
        // Must be defined after `next()`
        this.lexer = new lexer.Lexer();
        this.onNewLine = onNewLine;
    }
    /**
     * Parse `source` as a YAML stream.
     * If `incomplete`, a part of the last line may be left as a buffer for the next call.
     *
     * Errors are not thrown, but yielded as `{ type: 'error', message }` tokens.
     *
     * @returns A generator of tokens representing each directive, document, and other structure.
     */
    *parse(source, incomplete = false) {
        if (this.onNewLine && this.offset === 0)
            this.onNewLine(0);
        for (const lexeme of this.lexer.lex(source, incomplete))
            yield* this.next(lexeme);
        if (!incomplete)
            yield* this.end();
    }
    /**
     * Advance the parser by the `source` of one lexical token.
     */
    *next(source) {
        this.source = source;
        if (node_process.env.LOG_TOKENS)
            console.log('|', cst.prettyToken(source));
        if (this.atScalar) {
            this.atScalar = false;
            yield* this.step();
            this.offset += source.length;
            return;
        }
        const type = cst.tokenType(source);
        if (!type) {
            const message = `Not a YAML token: ${source}`;
            yield* this.pop({ type: 'error', offset: this.offset, message, source });
            this.offset += source.length;
        }
        else if (type === 'scalar') {
            this.atNewLine = false;
            this.atScalar = true;
            this.type = 'scalar';
        }
        else {
            this.type = type;
            yield* this.step();
            switch (type) {
                case 'newline':
                    this.atNewLine = true;
                    this.indent = 0;
                    if (this.onNewLine)
                        this.onNewLine(this.offset + source.length);
                    break;
                case 'space':
                    if (this.atNewLine && source[0] === ' ')
                        this.indent += source.length;
                    break;
                case 'explicit-key-ind':
                case 'map-value-ind':
                case 'seq-item-ind':
                    if (this.atNewLine)
                        this.indent += source.length;
                    break;
                case 'doc-mode':
                case 'flow-error-end':
                    return;
                default:
                    this.atNewLine = false;
            }
            this.offset += source.length;
        }
    }
    /** Call at end of input to push out any remaining constructions */
    *end() {
        while (this.stack.length > 0)
            yield* this.pop();
    }
    get sourceToken() {
        const st = {
            type: this.type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
        return st;
    }
    *step() {
        const top = this.peek(1);
        if (this.type === 'doc-end' && top?.type !== 'doc-end') {
            while (this.stack.length > 0)
                yield* this.pop();
            this.stack.push({
                type: 'doc-end',
                offset: this.offset,
                source: this.source
            });
            return;
        }
        if (!top)
            return yield* this.stream();
        switch (top.type) {
            case 'document':
                return yield* this.document(top);
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return yield* this.scalar(top);
            case 'block-scalar':
                return yield* this.blockScalar(top);
            case 'block-map':
                return yield* this.blockMap(top);
            case 'block-seq':
                return yield* this.blockSequence(top);
            case 'flow-collection':
                return yield* this.flowCollection(top);
            case 'doc-end':
                return yield* this.documentEnd(top);
        }
        /* istanbul ignore next should not happen */
        yield* this.pop();
    }
    peek(n) {
        return this.stack[this.stack.length - n];
    }
    *pop(error) {
        const token = error ?? this.stack.pop();
        /* istanbul ignore if should not happen */
        if (!token) {
            const message = 'Tried to pop an empty stack';
            yield { type: 'error', offset: this.offset, source: '', message };
        }
        else if (this.stack.length === 0) {
            yield token;
        }
        else {
            const top = this.peek(1);
            if (token.type === 'block-scalar') {
                // Block scalars use their parent rather than header indent
                token.indent = 'indent' in top ? top.indent : 0;
            }
            else if (token.type === 'flow-collection' && top.type === 'document') {
                // Ignore all indent for top-level flow collections
                token.indent = 0;
            }
            if (token.type === 'flow-collection')
                fixFlowSeqItems(token);
            switch (top.type) {
                case 'document':
                    top.value = token;
                    break;
                case 'block-scalar':
                    top.props.push(token); // error
                    break;
                case 'block-map': {
                    const it = top.items[top.items.length - 1];
                    if (it.value) {
                        top.items.push({ start: [], key: token, sep: [] });
                        this.onKeyLine = true;
                        return;
                    }
                    else if (it.sep) {
                        it.value = token;
                    }
                    else {
                        Object.assign(it, { key: token, sep: [] });
                        this.onKeyLine = !it.explicitKey;
                        return;
                    }
                    break;
                }
                case 'block-seq': {
                    const it = top.items[top.items.length - 1];
                    if (it.value)
                        top.items.push({ start: [], value: token });
                    else
                        it.value = token;
                    break;
                }
                case 'flow-collection': {
                    const it = top.items[top.items.length - 1];
                    if (!it || it.value)
                        top.items.push({ start: [], key: token, sep: [] });
                    else if (it.sep)
                        it.value = token;
                    else
                        Object.assign(it, { key: token, sep: [] });
                    return;
                }
                /* istanbul ignore next should not happen */
                default:
                    yield* this.pop();
                    yield* this.pop(token);
            }
            if ((top.type === 'document' ||
                top.type === 'block-map' ||
                top.type === 'block-seq') &&
                (token.type === 'block-map' || token.type === 'block-seq')) {
                const last = token.items[token.items.length - 1];
                if (last &&
                    !last.sep &&
                    !last.value &&
                    last.start.length > 0 &&
                    findNonEmptyIndex(last.start) === -1 &&
                    (token.indent === 0 ||
                        last.start.every(st => st.type !== 'comment' || st.indent < token.indent))) {
                    if (top.type === 'document')
                        top.end = last.start;
                    else
                        top.items.push({ start: last.start });
                    token.items.splice(-1, 1);
                }
            }
        }
    }
    *stream() {
        switch (this.type) {
            case 'directive-line':
                yield { type: 'directive', offset: this.offset, source: this.source };
                return;
            case 'byte-order-mark':
            case 'space':
            case 'comment':
            case 'newline':
                yield this.sourceToken;
                return;
            case 'doc-mode':
            case 'doc-start': {
                const doc = {
                    type: 'document',
                    offset: this.offset,
                    start: []
                };
                if (this.type === 'doc-start')
                    doc.start.push(this.sourceToken);
                this.stack.push(doc);
                return;
            }
        }
        yield {
            type: 'error',
            offset: this.offset,
            message: `Unexpected ${this.type} token in YAML stream`,
            source: this.source
        };
    }
    *document(doc) {
        if (doc.value)
            return yield* this.lineEnd(doc);
        switch (this.type) {
            case 'doc-start': {
                if (findNonEmptyIndex(doc.start) !== -1) {
                    yield* this.pop();
                    yield* this.step();
                }
                else
                    doc.start.push(this.sourceToken);
                return;
            }
            case 'anchor':
            case 'tag':
            case 'space':
            case 'comment':
            case 'newline':
                doc.start.push(this.sourceToken);
                return;
        }
        const bv = this.startBlockValue(doc);
        if (bv)
            this.stack.push(bv);
        else {
            yield {
                type: 'error',
                offset: this.offset,
                message: `Unexpected ${this.type} token in YAML document`,
                source: this.source
            };
        }
    }
    *scalar(scalar) {
        if (this.type === 'map-value-ind') {
            const prev = getPrevProps(this.peek(2));
            const start = getFirstKeyStartProps(prev);
            let sep;
            if (scalar.end) {
                sep = scalar.end;
                sep.push(this.sourceToken);
                delete scalar.end;
            }
            else
                sep = [this.sourceToken];
            const map = {
                type: 'block-map',
                offset: scalar.offset,
                indent: scalar.indent,
                items: [{ start, key: scalar, sep }]
            };
            this.onKeyLine = true;
            this.stack[this.stack.length - 1] = map;
        }
        else
            yield* this.lineEnd(scalar);
    }
    *blockScalar(scalar) {
        switch (this.type) {
            case 'space':
            case 'comment':
            case 'newline':
                scalar.props.push(this.sourceToken);
                return;
            case 'scalar':
                scalar.source = this.source;
                // block-scalar source includes trailing newline
                this.atNewLine = true;
                this.indent = 0;
                if (this.onNewLine) {
                    let nl = this.source.indexOf('\n') + 1;
                    while (nl !== 0) {
                        this.onNewLine(this.offset + nl);
                        nl = this.source.indexOf('\n', nl) + 1;
                    }
                }
                yield* this.pop();
                break;
            /* istanbul ignore next should not happen */
            default:
                yield* this.pop();
                yield* this.step();
        }
    }
    *blockMap(map) {
        const it = map.items[map.items.length - 1];
        // it.sep is true-ish if pair already has key or : separator
        switch (this.type) {
            case 'newline':
                this.onKeyLine = false;
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    it.start.push(this.sourceToken);
                }
                return;
            case 'space':
            case 'comment':
                if (it.value) {
                    map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    if (this.atIndentedComment(it.start, map.indent)) {
                        const prev = map.items[map.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            map.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
        }
        if (this.indent >= map.indent) {
            const atMapIndent = !this.onKeyLine && this.indent === map.indent;
            const atNextItem = atMapIndent &&
                (it.sep || it.explicitKey) &&
                this.type !== 'seq-item-ind';
            // For empty nodes, assign newline-separated not indented empty tokens to following node
            let start = [];
            if (atNextItem && it.sep && !it.value) {
                const nl = [];
                for (let i = 0; i < it.sep.length; ++i) {
                    const st = it.sep[i];
                    switch (st.type) {
                        case 'newline':
                            nl.push(i);
                            break;
                        case 'space':
                            break;
                        case 'comment':
                            if (st.indent > map.indent)
                                nl.length = 0;
                            break;
                        default:
                            nl.length = 0;
                    }
                }
                if (nl.length >= 2)
                    start = it.sep.splice(nl[1]);
            }
            switch (this.type) {
                case 'anchor':
                case 'tag':
                    if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        it.sep.push(this.sourceToken);
                    }
                    else {
                        it.start.push(this.sourceToken);
                    }
                    return;
                case 'explicit-key-ind':
                    if (!it.sep && !it.explicitKey) {
                        it.start.push(this.sourceToken);
                        it.explicitKey = true;
                    }
                    else if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start, explicitKey: true });
                    }
                    else {
                        this.stack.push({
                            type: 'block-map',
                            offset: this.offset,
                            indent: this.indent,
                            items: [{ start: [this.sourceToken], explicitKey: true }]
                        });
                    }
                    this.onKeyLine = true;
                    return;
                case 'map-value-ind':
                    if (it.explicitKey) {
                        if (!it.sep) {
                            if (includesToken(it.start, 'newline')) {
                                Object.assign(it, { key: null, sep: [this.sourceToken] });
                            }
                            else {
                                const start = getFirstKeyStartProps(it.start);
                                this.stack.push({
                                    type: 'block-map',
                                    offset: this.offset,
                                    indent: this.indent,
                                    items: [{ start, key: null, sep: [this.sourceToken] }]
                                });
                            }
                        }
                        else if (it.value) {
                            map.items.push({ start: [], key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else if (isFlowToken(it.key) &&
                            !includesToken(it.sep, 'newline')) {
                            const start = getFirstKeyStartProps(it.start);
                            const key = it.key;
                            const sep = it.sep;
                            sep.push(this.sourceToken);
                            // @ts-expect-error type guard is wrong here
                            delete it.key;
                            // @ts-expect-error type guard is wrong here
                            delete it.sep;
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key, sep }]
                            });
                        }
                        else if (start.length > 0) {
                            // Not actually at next item
                            it.sep = it.sep.concat(start, this.sourceToken);
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    else {
                        if (!it.sep) {
                            Object.assign(it, { key: null, sep: [this.sourceToken] });
                        }
                        else if (it.value || atNextItem) {
                            map.items.push({ start, key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start: [], key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    this.onKeyLine = true;
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (atNextItem || it.value) {
                        map.items.push({ start, key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        this.stack.push(fs);
                    }
                    else {
                        Object.assign(it, { key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    return;
                }
                default: {
                    const bv = this.startBlockValue(map);
                    if (bv) {
                        if (bv.type === 'block-seq') {
                            if (!it.explicitKey &&
                                it.sep &&
                                !includesToken(it.sep, 'newline')) {
                                yield* this.pop({
                                    type: 'error',
                                    offset: this.offset,
                                    message: 'Unexpected block-seq-ind on same line with key',
                                    source: this.source
                                });
                                return;
                            }
                        }
                        else if (atMapIndent) {
                            map.items.push({ start });
                        }
                        this.stack.push(bv);
                        return;
                    }
                }
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *blockSequence(seq) {
        const it = seq.items[seq.items.length - 1];
        switch (this.type) {
            case 'newline':
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        seq.items.push({ start: [this.sourceToken] });
                }
                else
                    it.start.push(this.sourceToken);
                return;
            case 'space':
            case 'comment':
                if (it.value)
                    seq.items.push({ start: [this.sourceToken] });
                else {
                    if (this.atIndentedComment(it.start, seq.indent)) {
                        const prev = seq.items[seq.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            seq.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
            case 'anchor':
            case 'tag':
                if (it.value || this.indent <= seq.indent)
                    break;
                it.start.push(this.sourceToken);
                return;
            case 'seq-item-ind':
                if (this.indent !== seq.indent)
                    break;
                if (it.value || includesToken(it.start, 'seq-item-ind'))
                    seq.items.push({ start: [this.sourceToken] });
                else
                    it.start.push(this.sourceToken);
                return;
        }
        if (this.indent > seq.indent) {
            const bv = this.startBlockValue(seq);
            if (bv) {
                this.stack.push(bv);
                return;
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *flowCollection(fc) {
        const it = fc.items[fc.items.length - 1];
        if (this.type === 'flow-error-end') {
            let top;
            do {
                yield* this.pop();
                top = this.peek(1);
            } while (top?.type === 'flow-collection');
        }
        else if (fc.end.length === 0) {
            switch (this.type) {
                case 'comma':
                case 'explicit-key-ind':
                    if (!it || it.sep)
                        fc.items.push({ start: [this.sourceToken] });
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'map-value-ind':
                    if (!it || it.value)
                        fc.items.push({ start: [], key: null, sep: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        Object.assign(it, { key: null, sep: [this.sourceToken] });
                    return;
                case 'space':
                case 'comment':
                case 'newline':
                case 'anchor':
                case 'tag':
                    if (!it || it.value)
                        fc.items.push({ start: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (!it || it.value)
                        fc.items.push({ start: [], key: fs, sep: [] });
                    else if (it.sep)
                        this.stack.push(fs);
                    else
                        Object.assign(it, { key: fs, sep: [] });
                    return;
                }
                case 'flow-map-end':
                case 'flow-seq-end':
                    fc.end.push(this.sourceToken);
                    return;
            }
            const bv = this.startBlockValue(fc);
            /* istanbul ignore else should not happen */
            if (bv)
                this.stack.push(bv);
            else {
                yield* this.pop();
                yield* this.step();
            }
        }
        else {
            const parent = this.peek(2);
            if (parent.type === 'block-map' &&
                ((this.type === 'map-value-ind' && parent.indent === fc.indent) ||
                    (this.type === 'newline' &&
                        !parent.items[parent.items.length - 1].sep))) {
                yield* this.pop();
                yield* this.step();
            }
            else if (this.type === 'map-value-ind' &&
                parent.type !== 'flow-collection') {
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                fixFlowSeqItems(fc);
                const sep = fc.end.splice(1, fc.end.length);
                sep.push(this.sourceToken);
                const map = {
                    type: 'block-map',
                    offset: fc.offset,
                    indent: fc.indent,
                    items: [{ start, key: fc, sep }]
                };
                this.onKeyLine = true;
                this.stack[this.stack.length - 1] = map;
            }
            else {
                yield* this.lineEnd(fc);
            }
        }
    }
    flowScalar(type) {
        if (this.onNewLine) {
            let nl = this.source.indexOf('\n') + 1;
            while (nl !== 0) {
                this.onNewLine(this.offset + nl);
                nl = this.source.indexOf('\n', nl) + 1;
            }
        }
        return {
            type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
    }
    startBlockValue(parent) {
        switch (this.type) {
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return this.flowScalar(this.type);
            case 'block-scalar-header':
                return {
                    type: 'block-scalar',
                    offset: this.offset,
                    indent: this.indent,
                    props: [this.sourceToken],
                    source: ''
                };
            case 'flow-map-start':
            case 'flow-seq-start':
                return {
                    type: 'flow-collection',
                    offset: this.offset,
                    indent: this.indent,
                    start: this.sourceToken,
                    items: [],
                    end: []
                };
            case 'seq-item-ind':
                return {
                    type: 'block-seq',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: [this.sourceToken] }]
                };
            case 'explicit-key-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                start.push(this.sourceToken);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, explicitKey: true }]
                };
            }
            case 'map-value-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, key: null, sep: [this.sourceToken] }]
                };
            }
        }
        return null;
    }
    atIndentedComment(start, indent) {
        if (this.type !== 'comment')
            return false;
        if (this.indent <= indent)
            return false;
        return start.every(st => st.type === 'newline' || st.type === 'space');
    }
    *documentEnd(docEnd) {
        if (this.type !== 'doc-mode') {
            if (docEnd.end)
                docEnd.end.push(this.sourceToken);
            else
                docEnd.end = [this.sourceToken];
            if (this.type === 'newline')
                yield* this.pop();
        }
    }
    *lineEnd(token) {
        switch (this.type) {
            case 'comma':
            case 'doc-start':
            case 'doc-end':
            case 'flow-seq-end':
            case 'flow-map-end':
            case 'map-value-ind':
                yield* this.pop();
                yield* this.step();
                break;
            case 'newline':
                this.onKeyLine = false;
            // fallthrough
            case 'space':
            case 'comment':
            default:
                // all other values are errors
                if (token.end)
                    token.end.push(this.sourceToken);
                else
                    token.end = [this.sourceToken];
                if (this.type === 'newline')
                    yield* this.pop();
        }
    }
}

exports.Parser = Parser;


/***/ }),

/***/ 4047:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var composer = __nccwpck_require__(9984);
var Document = __nccwpck_require__(3021);
var errors = __nccwpck_require__(1464);
var log = __nccwpck_require__(7249);
var identity = __nccwpck_require__(1127);
var lineCounter = __nccwpck_require__(6628);
var parser = __nccwpck_require__(3456);

function parseOptions(options) {
    const prettyErrors = options.prettyErrors !== false;
    const lineCounter$1 = options.lineCounter || (prettyErrors && new lineCounter.LineCounter()) || null;
    return { lineCounter: lineCounter$1, prettyErrors };
}
/**
 * Parse the input as a stream of YAML documents.
 *
 * Documents should be separated from each other by `...` or `---` marker lines.
 *
 * @returns If an empty `docs` array is returned, it will be of type
 *   EmptyStream and contain additional stream information. In
 *   TypeScript, you should use `'empty' in docs` as a type guard for it.
 */
function parseAllDocuments(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
    const composer$1 = new composer.Composer(options);
    const docs = Array.from(composer$1.compose(parser$1.parse(source)));
    if (prettyErrors && lineCounter)
        for (const doc of docs) {
            doc.errors.forEach(errors.prettifyError(source, lineCounter));
            doc.warnings.forEach(errors.prettifyError(source, lineCounter));
        }
    if (docs.length > 0)
        return docs;
    return Object.assign([], { empty: true }, composer$1.streamInfo());
}
/** Parse an input string into a single YAML.Document */
function parseDocument(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
    const composer$1 = new composer.Composer(options);
    // `doc` is always set by compose.end(true) at the very latest
    let doc = null;
    for (const _doc of composer$1.compose(parser$1.parse(source), true, source.length)) {
        if (!doc)
            doc = _doc;
        else if (doc.options.logLevel !== 'silent') {
            doc.errors.push(new errors.YAMLParseError(_doc.range.slice(0, 2), 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
            break;
        }
    }
    if (prettyErrors && lineCounter) {
        doc.errors.forEach(errors.prettifyError(source, lineCounter));
        doc.warnings.forEach(errors.prettifyError(source, lineCounter));
    }
    return doc;
}
function parse(src, reviver, options) {
    let _reviver = undefined;
    if (typeof reviver === 'function') {
        _reviver = reviver;
    }
    else if (options === undefined && reviver && typeof reviver === 'object') {
        options = reviver;
    }
    const doc = parseDocument(src, options);
    if (!doc)
        return null;
    doc.warnings.forEach(warning => log.warn(doc.options.logLevel, warning));
    if (doc.errors.length > 0) {
        if (doc.options.logLevel !== 'silent')
            throw doc.errors[0];
        else
            doc.errors = [];
    }
    return doc.toJS(Object.assign({ reviver: _reviver }, options));
}
function stringify(value, replacer, options) {
    let _replacer = null;
    if (typeof replacer === 'function' || Array.isArray(replacer)) {
        _replacer = replacer;
    }
    else if (options === undefined && replacer) {
        options = replacer;
    }
    if (typeof options === 'string')
        options = options.length;
    if (typeof options === 'number') {
        const indent = Math.round(options);
        options = indent < 1 ? undefined : indent > 8 ? { indent: 8 } : { indent };
    }
    if (value === undefined) {
        const { keepUndefined } = options ?? replacer ?? {};
        if (!keepUndefined)
            return undefined;
    }
    if (identity.isDocument(value) && !_replacer)
        return value.toString(options);
    return new Document.Document(value, _replacer, options).toString(options);
}

exports.parse = parse;
exports.parseAllDocuments = parseAllDocuments;
exports.parseDocument = parseDocument;
exports.stringify = stringify;


/***/ }),

/***/ 5840:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var map = __nccwpck_require__(7451);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var tags = __nccwpck_require__(18);

const sortMapEntriesByKey = (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
class Schema {
    constructor({ compat, customTags, merge, resolveKnownTags, schema, sortMapEntries, toStringDefaults }) {
        this.compat = Array.isArray(compat)
            ? tags.getTags(compat, 'compat')
            : compat
                ? tags.getTags(null, compat)
                : null;
        this.name = (typeof schema === 'string' && schema) || 'core';
        this.knownTags = resolveKnownTags ? tags.coreKnownTags : {};
        this.tags = tags.getTags(customTags, this.name, merge);
        this.toStringOptions = toStringDefaults ?? null;
        Object.defineProperty(this, identity.MAP, { value: map.map });
        Object.defineProperty(this, identity.SCALAR, { value: string.string });
        Object.defineProperty(this, identity.SEQ, { value: seq.seq });
        // Used by createMap()
        this.sortMapEntries =
            typeof sortMapEntries === 'function'
                ? sortMapEntries
                : sortMapEntries === true
                    ? sortMapEntriesByKey
                    : null;
    }
    clone() {
        const copy = Object.create(Schema.prototype, Object.getOwnPropertyDescriptors(this));
        copy.tags = this.tags.slice();
        return copy;
    }
}

exports.Schema = Schema;


/***/ }),

/***/ 7451:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var YAMLMap = __nccwpck_require__(4454);

const map = {
    collection: 'map',
    default: true,
    nodeClass: YAMLMap.YAMLMap,
    tag: 'tag:yaml.org,2002:map',
    resolve(map, onError) {
        if (!identity.isMap(map))
            onError('Expected a mapping for this tag');
        return map;
    },
    createNode: (schema, obj, ctx) => YAMLMap.YAMLMap.from(schema, obj, ctx)
};

exports.map = map;


/***/ }),

/***/ 3632:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

const nullTag = {
    identify: value => value == null,
    createNode: () => new Scalar.Scalar(null),
    default: true,
    tag: 'tag:yaml.org,2002:null',
    test: /^(?:~|[Nn]ull|NULL)?$/,
    resolve: () => new Scalar.Scalar(null),
    stringify: ({ source }, ctx) => typeof source === 'string' && nullTag.test.test(source)
        ? source
        : ctx.options.nullStr
};

exports.nullTag = nullTag;


/***/ }),

/***/ 1706:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var YAMLSeq = __nccwpck_require__(2223);

const seq = {
    collection: 'seq',
    default: true,
    nodeClass: YAMLSeq.YAMLSeq,
    tag: 'tag:yaml.org,2002:seq',
    resolve(seq, onError) {
        if (!identity.isSeq(seq))
            onError('Expected a sequence for this tag');
        return seq;
    },
    createNode: (schema, obj, ctx) => YAMLSeq.YAMLSeq.from(schema, obj, ctx)
};

exports.seq = seq;


/***/ }),

/***/ 6464:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyString = __nccwpck_require__(3069);

const string = {
    identify: value => typeof value === 'string',
    default: true,
    tag: 'tag:yaml.org,2002:str',
    resolve: str => str,
    stringify(item, ctx, onComment, onChompKeep) {
        ctx = Object.assign({ actualString: true }, ctx);
        return stringifyString.stringifyString(item, ctx, onComment, onChompKeep);
    }
};

exports.string = string;


/***/ }),

/***/ 3959:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

const boolTag = {
    identify: value => typeof value === 'boolean',
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
    resolve: str => new Scalar.Scalar(str[0] === 't' || str[0] === 'T'),
    stringify({ source, value }, ctx) {
        if (source && boolTag.test.test(source)) {
            const sv = source[0] === 't' || source[0] === 'T';
            if (value === sv)
                return source;
        }
        return value ? ctx.options.trueStr : ctx.options.falseStr;
    }
};

exports.boolTag = boolTag;


/***/ }),

/***/ 8405:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var stringifyNumber = __nccwpck_require__(8689);

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: str => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber.stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
    resolve: str => parseFloat(str),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
    resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str));
        const dot = str.indexOf('.');
        if (dot !== -1 && str[str.length - 1] === '0')
            node.minFractionDigits = str.length - dot - 1;
        return node;
    },
    stringify: stringifyNumber.stringifyNumber
};

exports.float = float;
exports.floatExp = floatExp;
exports.floatNaN = floatNaN;


/***/ }),

/***/ 9874:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
const intResolve = (str, offset, radix, { intAsBigInt }) => (intAsBigInt ? BigInt(str) : parseInt(str.substring(offset), radix));
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value) && value >= 0)
        return prefix + value.toString(radix);
    return stringifyNumber.stringifyNumber(node);
}
const intOct = {
    identify: value => intIdentify(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^0o[0-7]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 8, opt),
    stringify: node => intStringify(node, 8, '0o')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber.stringifyNumber
};
const intHex = {
    identify: value => intIdentify(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^0x[0-9a-fA-F]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

exports.int = int;
exports.intHex = intHex;
exports.intOct = intOct;


/***/ }),

/***/ 896:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var bool = __nccwpck_require__(3959);
var float = __nccwpck_require__(8405);
var int = __nccwpck_require__(9874);

const schema = [
    map.map,
    seq.seq,
    string.string,
    _null.nullTag,
    bool.boolTag,
    int.intOct,
    int.int,
    int.intHex,
    float.floatNaN,
    float.floatExp,
    float.float
];

exports.schema = schema;


/***/ }),

/***/ 3559:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var map = __nccwpck_require__(7451);
var seq = __nccwpck_require__(1706);

function intIdentify(value) {
    return typeof value === 'bigint' || Number.isInteger(value);
}
const stringifyJSON = ({ value }) => JSON.stringify(value);
const jsonScalars = [
    {
        identify: value => typeof value === 'string',
        default: true,
        tag: 'tag:yaml.org,2002:str',
        resolve: str => str,
        stringify: stringifyJSON
    },
    {
        identify: value => value == null,
        createNode: () => new Scalar.Scalar(null),
        default: true,
        tag: 'tag:yaml.org,2002:null',
        test: /^null$/,
        resolve: () => null,
        stringify: stringifyJSON
    },
    {
        identify: value => typeof value === 'boolean',
        default: true,
        tag: 'tag:yaml.org,2002:bool',
        test: /^true$|^false$/,
        resolve: str => str === 'true',
        stringify: stringifyJSON
    },
    {
        identify: intIdentify,
        default: true,
        tag: 'tag:yaml.org,2002:int',
        test: /^-?(?:0|[1-9][0-9]*)$/,
        resolve: (str, _onError, { intAsBigInt }) => intAsBigInt ? BigInt(str) : parseInt(str, 10),
        stringify: ({ value }) => intIdentify(value) ? value.toString() : JSON.stringify(value)
    },
    {
        identify: value => typeof value === 'number',
        default: true,
        tag: 'tag:yaml.org,2002:float',
        test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/,
        resolve: str => parseFloat(str),
        stringify: stringifyJSON
    }
];
const jsonError = {
    default: true,
    tag: '',
    test: /^/,
    resolve(str, onError) {
        onError(`Unresolved plain scalar ${JSON.stringify(str)}`);
        return str;
    }
};
const schema = [map.map, seq.seq].concat(jsonScalars, jsonError);

exports.schema = schema;


/***/ }),

/***/ 18:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var bool = __nccwpck_require__(3959);
var float = __nccwpck_require__(8405);
var int = __nccwpck_require__(9874);
var schema = __nccwpck_require__(896);
var schema$1 = __nccwpck_require__(3559);
var binary = __nccwpck_require__(6083);
var merge = __nccwpck_require__(452);
var omap = __nccwpck_require__(303);
var pairs = __nccwpck_require__(8385);
var schema$2 = __nccwpck_require__(5913);
var set = __nccwpck_require__(1528);
var timestamp = __nccwpck_require__(6752);

const schemas = new Map([
    ['core', schema.schema],
    ['failsafe', [map.map, seq.seq, string.string]],
    ['json', schema$1.schema],
    ['yaml11', schema$2.schema],
    ['yaml-1.1', schema$2.schema]
]);
const tagsByName = {
    binary: binary.binary,
    bool: bool.boolTag,
    float: float.float,
    floatExp: float.floatExp,
    floatNaN: float.floatNaN,
    floatTime: timestamp.floatTime,
    int: int.int,
    intHex: int.intHex,
    intOct: int.intOct,
    intTime: timestamp.intTime,
    map: map.map,
    merge: merge.merge,
    null: _null.nullTag,
    omap: omap.omap,
    pairs: pairs.pairs,
    seq: seq.seq,
    set: set.set,
    timestamp: timestamp.timestamp
};
const coreKnownTags = {
    'tag:yaml.org,2002:binary': binary.binary,
    'tag:yaml.org,2002:merge': merge.merge,
    'tag:yaml.org,2002:omap': omap.omap,
    'tag:yaml.org,2002:pairs': pairs.pairs,
    'tag:yaml.org,2002:set': set.set,
    'tag:yaml.org,2002:timestamp': timestamp.timestamp
};
function getTags(customTags, schemaName, addMergeTag) {
    const schemaTags = schemas.get(schemaName);
    if (schemaTags && !customTags) {
        return addMergeTag && !schemaTags.includes(merge.merge)
            ? schemaTags.concat(merge.merge)
            : schemaTags.slice();
    }
    let tags = schemaTags;
    if (!tags) {
        if (Array.isArray(customTags))
            tags = [];
        else {
            const keys = Array.from(schemas.keys())
                .filter(key => key !== 'yaml11')
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown schema "${schemaName}"; use one of ${keys} or define customTags array`);
        }
    }
    if (Array.isArray(customTags)) {
        for (const tag of customTags)
            tags = tags.concat(tag);
    }
    else if (typeof customTags === 'function') {
        tags = customTags(tags.slice());
    }
    if (addMergeTag)
        tags = tags.concat(merge.merge);
    return tags.reduce((tags, tag) => {
        const tagObj = typeof tag === 'string' ? tagsByName[tag] : tag;
        if (!tagObj) {
            const tagName = JSON.stringify(tag);
            const keys = Object.keys(tagsByName)
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown custom tag ${tagName}; use one of ${keys}`);
        }
        if (!tags.includes(tagObj))
            tags.push(tagObj);
        return tags;
    }, []);
}

exports.coreKnownTags = coreKnownTags;
exports.getTags = getTags;


/***/ }),

/***/ 6083:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_buffer = __nccwpck_require__(181);
var Scalar = __nccwpck_require__(3301);
var stringifyString = __nccwpck_require__(3069);

const binary = {
    identify: value => value instanceof Uint8Array, // Buffer inherits from Uint8Array
    default: false,
    tag: 'tag:yaml.org,2002:binary',
    /**
     * Returns a Buffer in node and an Uint8Array in browsers
     *
     * To use the resulting buffer as an image, you'll want to do something like:
     *
     *   const blob = new Blob([buffer], { type: 'image/jpeg' })
     *   document.querySelector('#photo').src = URL.createObjectURL(blob)
     */
    resolve(src, onError) {
        if (typeof node_buffer.Buffer === 'function') {
            return node_buffer.Buffer.from(src, 'base64');
        }
        else if (typeof atob === 'function') {
            // On IE 11, atob() can't handle newlines
            const str = atob(src.replace(/[\n\r]/g, ''));
            const buffer = new Uint8Array(str.length);
            for (let i = 0; i < str.length; ++i)
                buffer[i] = str.charCodeAt(i);
            return buffer;
        }
        else {
            onError('This environment does not support reading binary tags; either Buffer or atob is required');
            return src;
        }
    },
    stringify({ comment, type, value }, ctx, onComment, onChompKeep) {
        if (!value)
            return '';
        const buf = value; // checked earlier by binary.identify()
        let str;
        if (typeof node_buffer.Buffer === 'function') {
            str =
                buf instanceof node_buffer.Buffer
                    ? buf.toString('base64')
                    : node_buffer.Buffer.from(buf.buffer).toString('base64');
        }
        else if (typeof btoa === 'function') {
            let s = '';
            for (let i = 0; i < buf.length; ++i)
                s += String.fromCharCode(buf[i]);
            str = btoa(s);
        }
        else {
            throw new Error('This environment does not support writing binary tags; either Buffer or btoa is required');
        }
        type ?? (type = Scalar.Scalar.BLOCK_LITERAL);
        if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
            const lineWidth = Math.max(ctx.options.lineWidth - ctx.indent.length, ctx.options.minContentWidth);
            const n = Math.ceil(str.length / lineWidth);
            const lines = new Array(n);
            for (let i = 0, o = 0; i < n; ++i, o += lineWidth) {
                lines[i] = str.substr(o, lineWidth);
            }
            str = lines.join(type === Scalar.Scalar.BLOCK_LITERAL ? '\n' : ' ');
        }
        return stringifyString.stringifyString({ comment, type, value: str }, ctx, onComment, onChompKeep);
    }
};

exports.binary = binary;


/***/ }),

/***/ 8398:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

function boolStringify({ value, source }, ctx) {
    const boolObj = value ? trueTag : falseTag;
    if (source && boolObj.test.test(source))
        return source;
    return value ? ctx.options.trueStr : ctx.options.falseStr;
}
const trueTag = {
    identify: value => value === true,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
    resolve: () => new Scalar.Scalar(true),
    stringify: boolStringify
};
const falseTag = {
    identify: value => value === false,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
    resolve: () => new Scalar.Scalar(false),
    stringify: boolStringify
};

exports.falseTag = falseTag;
exports.trueTag = trueTag;


/***/ }),

/***/ 5782:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var stringifyNumber = __nccwpck_require__(8689);

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: (str) => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber.stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
    resolve: (str) => parseFloat(str.replace(/_/g, '')),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
    resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str.replace(/_/g, '')));
        const dot = str.indexOf('.');
        if (dot !== -1) {
            const f = str.substring(dot + 1).replace(/_/g, '');
            if (f[f.length - 1] === '0')
                node.minFractionDigits = f.length;
        }
        return node;
    },
    stringify: stringifyNumber.stringifyNumber
};

exports.float = float;
exports.floatExp = floatExp;
exports.floatNaN = floatNaN;


/***/ }),

/***/ 873:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
function intResolve(str, offset, radix, { intAsBigInt }) {
    const sign = str[0];
    if (sign === '-' || sign === '+')
        offset += 1;
    str = str.substring(offset).replace(/_/g, '');
    if (intAsBigInt) {
        switch (radix) {
            case 2:
                str = `0b${str}`;
                break;
            case 8:
                str = `0o${str}`;
                break;
            case 16:
                str = `0x${str}`;
                break;
        }
        const n = BigInt(str);
        return sign === '-' ? BigInt(-1) * n : n;
    }
    const n = parseInt(str, radix);
    return sign === '-' ? -1 * n : n;
}
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value)) {
        const str = value.toString(radix);
        return value < 0 ? '-' + prefix + str.substr(1) : prefix + str;
    }
    return stringifyNumber.stringifyNumber(node);
}
const intBin = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'BIN',
    test: /^[-+]?0b[0-1_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 2, opt),
    stringify: node => intStringify(node, 2, '0b')
};
const intOct = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^[-+]?0[0-7_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 1, 8, opt),
    stringify: node => intStringify(node, 8, '0')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9][0-9_]*$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber.stringifyNumber
};
const intHex = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^[-+]?0x[0-9a-fA-F_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

exports.int = int;
exports.intBin = intBin;
exports.intHex = intHex;
exports.intOct = intOct;


/***/ }),

/***/ 452:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);

// If the value associated with a merge key is a single mapping node, each of
// its key/value pairs is inserted into the current mapping, unless the key
// already exists in it. If the value associated with the merge key is a
// sequence, then this sequence is expected to contain mapping nodes and each
// of these nodes is merged in turn according to its order in the sequence.
// Keys in mapping nodes earlier in the sequence override keys specified in
// later mapping nodes. -- http://yaml.org/type/merge.html
const MERGE_KEY = '<<';
const merge = {
    identify: value => value === MERGE_KEY ||
        (typeof value === 'symbol' && value.description === MERGE_KEY),
    default: 'key',
    tag: 'tag:yaml.org,2002:merge',
    test: /^<<$/,
    resolve: () => Object.assign(new Scalar.Scalar(Symbol(MERGE_KEY)), {
        addToJSMap: addMergeToJSMap
    }),
    stringify: () => MERGE_KEY
};
const isMergeKey = (ctx, key) => (merge.identify(key) ||
    (identity.isScalar(key) &&
        (!key.type || key.type === Scalar.Scalar.PLAIN) &&
        merge.identify(key.value))) &&
    ctx?.doc.schema.tags.some(tag => tag.tag === merge.tag && tag.default);
function addMergeToJSMap(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (identity.isSeq(source))
        for (const it of source.items)
            mergeValue(ctx, map, it);
    else if (Array.isArray(source))
        for (const it of source)
            mergeValue(ctx, map, it);
    else
        mergeValue(ctx, map, source);
}
function mergeValue(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (!identity.isMap(source))
        throw new Error('Merge sources must be maps or map aliases');
    const srcMap = source.toJSON(null, ctx, Map);
    for (const [key, value] of srcMap) {
        if (map instanceof Map) {
            if (!map.has(key))
                map.set(key, value);
        }
        else if (map instanceof Set) {
            map.add(key);
        }
        else if (!Object.prototype.hasOwnProperty.call(map, key)) {
            Object.defineProperty(map, key, {
                value,
                writable: true,
                enumerable: true,
                configurable: true
            });
        }
    }
    return map;
}
function resolveAliasValue(ctx, value) {
    return ctx && identity.isAlias(value) ? value.resolve(ctx.doc, ctx) : value;
}

exports.addMergeToJSMap = addMergeToJSMap;
exports.isMergeKey = isMergeKey;
exports.merge = merge;


/***/ }),

/***/ 303:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var pairs = __nccwpck_require__(8385);

class YAMLOMap extends YAMLSeq.YAMLSeq {
    constructor() {
        super();
        this.add = YAMLMap.YAMLMap.prototype.add.bind(this);
        this.delete = YAMLMap.YAMLMap.prototype.delete.bind(this);
        this.get = YAMLMap.YAMLMap.prototype.get.bind(this);
        this.has = YAMLMap.YAMLMap.prototype.has.bind(this);
        this.set = YAMLMap.YAMLMap.prototype.set.bind(this);
        this.tag = YAMLOMap.tag;
    }
    /**
     * If `ctx` is given, the return type is actually `Map<unknown, unknown>`,
     * but TypeScript won't allow widening the signature of a child method.
     */
    toJSON(_, ctx) {
        if (!ctx)
            return super.toJSON(_);
        const map = new Map();
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const pair of this.items) {
            let key, value;
            if (identity.isPair(pair)) {
                key = toJS.toJS(pair.key, '', ctx);
                value = toJS.toJS(pair.value, key, ctx);
            }
            else {
                key = toJS.toJS(pair, '', ctx);
            }
            if (map.has(key))
                throw new Error('Ordered maps must not include duplicate keys');
            map.set(key, value);
        }
        return map;
    }
    static from(schema, iterable, ctx) {
        const pairs$1 = pairs.createPairs(schema, iterable, ctx);
        const omap = new this();
        omap.items = pairs$1.items;
        return omap;
    }
}
YAMLOMap.tag = 'tag:yaml.org,2002:omap';
const omap = {
    collection: 'seq',
    identify: value => value instanceof Map,
    nodeClass: YAMLOMap,
    default: false,
    tag: 'tag:yaml.org,2002:omap',
    resolve(seq, onError) {
        const pairs$1 = pairs.resolvePairs(seq, onError);
        const seenKeys = [];
        for (const { key } of pairs$1.items) {
            if (identity.isScalar(key)) {
                if (seenKeys.includes(key.value)) {
                    onError(`Ordered maps must not include duplicate keys: ${key.value}`);
                }
                else {
                    seenKeys.push(key.value);
                }
            }
        }
        return Object.assign(new YAMLOMap(), pairs$1);
    },
    createNode: (schema, iterable, ctx) => YAMLOMap.from(schema, iterable, ctx)
};

exports.YAMLOMap = YAMLOMap;
exports.omap = omap;


/***/ }),

/***/ 8385:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);
var YAMLSeq = __nccwpck_require__(2223);

function resolvePairs(seq, onError) {
    if (identity.isSeq(seq)) {
        for (let i = 0; i < seq.items.length; ++i) {
            let item = seq.items[i];
            if (identity.isPair(item))
                continue;
            else if (identity.isMap(item)) {
                if (item.items.length > 1)
                    onError('Each pair must have its own sequence indicator');
                const pair = item.items[0] || new Pair.Pair(new Scalar.Scalar(null));
                if (item.commentBefore)
                    pair.key.commentBefore = pair.key.commentBefore
                        ? `${item.commentBefore}\n${pair.key.commentBefore}`
                        : item.commentBefore;
                if (item.comment) {
                    const cn = pair.value ?? pair.key;
                    cn.comment = cn.comment
                        ? `${item.comment}\n${cn.comment}`
                        : item.comment;
                }
                item = pair;
            }
            seq.items[i] = identity.isPair(item) ? item : new Pair.Pair(item);
        }
    }
    else
        onError('Expected a sequence for this tag');
    return seq;
}
function createPairs(schema, iterable, ctx) {
    const { replacer } = ctx;
    const pairs = new YAMLSeq.YAMLSeq(schema);
    pairs.tag = 'tag:yaml.org,2002:pairs';
    let i = 0;
    if (iterable && Symbol.iterator in Object(iterable))
        for (let it of iterable) {
            if (typeof replacer === 'function')
                it = replacer.call(iterable, String(i++), it);
            let key, value;
            if (Array.isArray(it)) {
                if (it.length === 2) {
                    key = it[0];
                    value = it[1];
                }
                else
                    throw new TypeError(`Expected [key, value] tuple: ${it}`);
            }
            else if (it && it instanceof Object) {
                const keys = Object.keys(it);
                if (keys.length === 1) {
                    key = keys[0];
                    value = it[key];
                }
                else {
                    throw new TypeError(`Expected tuple with one key, not ${keys.length} keys`);
                }
            }
            else {
                key = it;
            }
            pairs.items.push(Pair.createPair(key, value, ctx));
        }
    return pairs;
}
const pairs = {
    collection: 'seq',
    default: false,
    tag: 'tag:yaml.org,2002:pairs',
    resolve: resolvePairs,
    createNode: createPairs
};

exports.createPairs = createPairs;
exports.pairs = pairs;
exports.resolvePairs = resolvePairs;


/***/ }),

/***/ 5913:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var binary = __nccwpck_require__(6083);
var bool = __nccwpck_require__(8398);
var float = __nccwpck_require__(5782);
var int = __nccwpck_require__(873);
var merge = __nccwpck_require__(452);
var omap = __nccwpck_require__(303);
var pairs = __nccwpck_require__(8385);
var set = __nccwpck_require__(1528);
var timestamp = __nccwpck_require__(6752);

const schema = [
    map.map,
    seq.seq,
    string.string,
    _null.nullTag,
    bool.trueTag,
    bool.falseTag,
    int.intBin,
    int.intOct,
    int.int,
    int.intHex,
    float.floatNaN,
    float.floatExp,
    float.float,
    binary.binary,
    merge.merge,
    omap.omap,
    pairs.pairs,
    set.set,
    timestamp.intTime,
    timestamp.floatTime,
    timestamp.timestamp
];

exports.schema = schema;


/***/ }),

/***/ 1528:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);

class YAMLSet extends YAMLMap.YAMLMap {
    constructor(schema) {
        super(schema);
        this.tag = YAMLSet.tag;
    }
    add(key) {
        let pair;
        if (identity.isPair(key))
            pair = key;
        else if (key &&
            typeof key === 'object' &&
            'key' in key &&
            'value' in key &&
            key.value === null)
            pair = new Pair.Pair(key.key, null);
        else
            pair = new Pair.Pair(key, null);
        const prev = YAMLMap.findPair(this.items, pair.key);
        if (!prev)
            this.items.push(pair);
    }
    /**
     * If `keepPair` is `true`, returns the Pair matching `key`.
     * Otherwise, returns the value of that Pair's key.
     */
    get(key, keepPair) {
        const pair = YAMLMap.findPair(this.items, key);
        return !keepPair && identity.isPair(pair)
            ? identity.isScalar(pair.key)
                ? pair.key.value
                : pair.key
            : pair;
    }
    set(key, value) {
        if (typeof value !== 'boolean')
            throw new Error(`Expected boolean value for set(key, value) in a YAML set, not ${typeof value}`);
        const prev = YAMLMap.findPair(this.items, key);
        if (prev && !value) {
            this.items.splice(this.items.indexOf(prev), 1);
        }
        else if (!prev && value) {
            this.items.push(new Pair.Pair(key));
        }
    }
    toJSON(_, ctx) {
        return super.toJSON(_, ctx, Set);
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        if (this.hasAllNullValues(true))
            return super.toString(Object.assign({}, ctx, { allNullValues: true }), onComment, onChompKeep);
        else
            throw new Error('Set items must all have null values');
    }
    static from(schema, iterable, ctx) {
        const { replacer } = ctx;
        const set = new this(schema);
        if (iterable && Symbol.iterator in Object(iterable))
            for (let value of iterable) {
                if (typeof replacer === 'function')
                    value = replacer.call(iterable, value, value);
                set.items.push(Pair.createPair(value, null, ctx));
            }
        return set;
    }
}
YAMLSet.tag = 'tag:yaml.org,2002:set';
const set = {
    collection: 'map',
    identify: value => value instanceof Set,
    nodeClass: YAMLSet,
    default: false,
    tag: 'tag:yaml.org,2002:set',
    createNode: (schema, iterable, ctx) => YAMLSet.from(schema, iterable, ctx),
    resolve(map, onError) {
        if (identity.isMap(map)) {
            if (map.hasAllNullValues(true))
                return Object.assign(new YAMLSet(), map);
            else
                onError('Set items must all have null values');
        }
        else
            onError('Expected a mapping for this tag');
        return map;
    }
};

exports.YAMLSet = YAMLSet;
exports.set = set;


/***/ }),

/***/ 6752:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

/** Internal types handle bigint as number, because TS can't figure it out. */
function parseSexagesimal(str, asBigInt) {
    const sign = str[0];
    const parts = sign === '-' || sign === '+' ? str.substring(1) : str;
    const num = (n) => asBigInt ? BigInt(n) : Number(n);
    const res = parts
        .replace(/_/g, '')
        .split(':')
        .reduce((res, p) => res * num(60) + num(p), num(0));
    return (sign === '-' ? num(-1) * res : res);
}
/**
 * hhhh:mm:ss.sss
 *
 * Internal types handle bigint as number, because TS can't figure it out.
 */
function stringifySexagesimal(node) {
    let { value } = node;
    let num = (n) => n;
    if (typeof value === 'bigint')
        num = n => BigInt(n);
    else if (isNaN(value) || !isFinite(value))
        return stringifyNumber.stringifyNumber(node);
    let sign = '';
    if (value < 0) {
        sign = '-';
        value *= num(-1);
    }
    const _60 = num(60);
    const parts = [value % _60]; // seconds, including ms
    if (value < 60) {
        parts.unshift(0); // at least one : is required
    }
    else {
        value = (value - parts[0]) / _60;
        parts.unshift(value % _60); // minutes
        if (value >= 60) {
            value = (value - parts[0]) / _60;
            parts.unshift(value); // hours
        }
    }
    return (sign +
        parts
            .map(n => String(n).padStart(2, '0'))
            .join(':')
            .replace(/000000\d*$/, '') // % 60 may introduce error
    );
}
const intTime = {
    identify: value => typeof value === 'bigint' || Number.isInteger(value),
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
    resolve: (str, _onError, { intAsBigInt }) => parseSexagesimal(str, intAsBigInt),
    stringify: stringifySexagesimal
};
const floatTime = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
    resolve: str => parseSexagesimal(str, false),
    stringify: stringifySexagesimal
};
const timestamp = {
    identify: value => value instanceof Date,
    default: true,
    tag: 'tag:yaml.org,2002:timestamp',
    // If the time zone is omitted, the timestamp is assumed to be specified in UTC. The time part
    // may be omitted altogether, resulting in a date format. In such a case, the time part is
    // assumed to be 00:00:00Z (start of day, UTC).
    test: RegExp('^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})' + // YYYY-Mm-Dd
        '(?:' + // time is optional
        '(?:t|T|[ \\t]+)' + // t | T | whitespace
        '([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)' + // Hh:Mm:Ss(.ss)?
        '(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?' + // Z | +5 | -03:30
        ')?$'),
    resolve(str) {
        const match = str.match(timestamp.test);
        if (!match)
            throw new Error('!!timestamp expects a date, starting with yyyy-mm-dd');
        const [, year, month, day, hour, minute, second] = match.map(Number);
        const millisec = match[7] ? Number((match[7] + '00').substr(1, 3)) : 0;
        let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
        const tz = match[8];
        if (tz && tz !== 'Z') {
            let d = parseSexagesimal(tz, false);
            if (Math.abs(d) < 30)
                d *= 60;
            date -= 60000 * d;
        }
        return new Date(date);
    },
    stringify: ({ value }) => value?.toISOString().replace(/(T00:00:00)?\.000Z$/, '') ?? ''
};

exports.floatTime = floatTime;
exports.intTime = intTime;
exports.timestamp = timestamp;


/***/ }),

/***/ 4475:
/***/ ((__unused_webpack_module, exports) => {



const FOLD_FLOW = 'flow';
const FOLD_BLOCK = 'block';
const FOLD_QUOTED = 'quoted';
/**
 * Tries to keep input at up to `lineWidth` characters, splitting only on spaces
 * not followed by newlines or spaces unless `mode` is `'quoted'`. Lines are
 * terminated with `\n` and started with `indent`.
 */
function foldFlowLines(text, indent, mode = 'flow', { indentAtStart, lineWidth = 80, minContentWidth = 20, onFold, onOverflow } = {}) {
    if (!lineWidth || lineWidth < 0)
        return text;
    if (lineWidth < minContentWidth)
        minContentWidth = 0;
    const endStep = Math.max(1 + minContentWidth, 1 + lineWidth - indent.length);
    if (text.length <= endStep)
        return text;
    const folds = [];
    const escapedFolds = {};
    let end = lineWidth - indent.length;
    if (typeof indentAtStart === 'number') {
        if (indentAtStart > lineWidth - Math.max(2, minContentWidth))
            folds.push(0);
        else
            end = lineWidth - indentAtStart;
    }
    let split = undefined;
    let prev = undefined;
    let overflow = false;
    let i = -1;
    let escStart = -1;
    let escEnd = -1;
    if (mode === FOLD_BLOCK) {
        i = consumeMoreIndentedLines(text, i, indent.length);
        if (i !== -1)
            end = i + endStep;
    }
    for (let ch; (ch = text[(i += 1)]);) {
        if (mode === FOLD_QUOTED && ch === '\\') {
            escStart = i;
            switch (text[i + 1]) {
                case 'x':
                    i += 3;
                    break;
                case 'u':
                    i += 5;
                    break;
                case 'U':
                    i += 9;
                    break;
                default:
                    i += 1;
            }
            escEnd = i;
        }
        if (ch === '\n') {
            if (mode === FOLD_BLOCK)
                i = consumeMoreIndentedLines(text, i, indent.length);
            end = i + indent.length + endStep;
            split = undefined;
        }
        else {
            if (ch === ' ' &&
                prev &&
                prev !== ' ' &&
                prev !== '\n' &&
                prev !== '\t') {
                // space surrounded by non-space can be replaced with newline + indent
                const next = text[i + 1];
                if (next && next !== ' ' && next !== '\n' && next !== '\t')
                    split = i;
            }
            if (i >= end) {
                if (split) {
                    folds.push(split);
                    end = split + endStep;
                    split = undefined;
                }
                else if (mode === FOLD_QUOTED) {
                    // white-space collected at end may stretch past lineWidth
                    while (prev === ' ' || prev === '\t') {
                        prev = ch;
                        ch = text[(i += 1)];
                        overflow = true;
                    }
                    // Account for newline escape, but don't break preceding escape
                    const j = i > escEnd + 1 ? i - 2 : escStart - 1;
                    // Bail out if lineWidth & minContentWidth are shorter than an escape string
                    if (escapedFolds[j])
                        return text;
                    folds.push(j);
                    escapedFolds[j] = true;
                    end = j + endStep;
                    split = undefined;
                }
                else {
                    overflow = true;
                }
            }
        }
        prev = ch;
    }
    if (overflow && onOverflow)
        onOverflow();
    if (folds.length === 0)
        return text;
    if (onFold)
        onFold();
    let res = text.slice(0, folds[0]);
    for (let i = 0; i < folds.length; ++i) {
        const fold = folds[i];
        const end = folds[i + 1] || text.length;
        if (fold === 0)
            res = `\n${indent}${text.slice(0, end)}`;
        else {
            if (mode === FOLD_QUOTED && escapedFolds[fold])
                res += `${text[fold]}\\`;
            res += `\n${indent}${text.slice(fold + 1, end)}`;
        }
    }
    return res;
}
/**
 * Presumes `i + 1` is at the start of a line
 * @returns index of last newline in more-indented block
 */
function consumeMoreIndentedLines(text, i, indent) {
    let end = i;
    let start = i + 1;
    let ch = text[start];
    while (ch === ' ' || ch === '\t') {
        if (i < start + indent) {
            ch = text[++i];
        }
        else {
            do {
                ch = text[++i];
            } while (ch && ch !== '\n');
            end = i;
            start = i + 1;
            ch = text[start];
        }
    }
    return end;
}

exports.FOLD_BLOCK = FOLD_BLOCK;
exports.FOLD_FLOW = FOLD_FLOW;
exports.FOLD_QUOTED = FOLD_QUOTED;
exports.foldFlowLines = foldFlowLines;


/***/ }),

/***/ 2148:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var anchors = __nccwpck_require__(1596);
var identity = __nccwpck_require__(1127);
var stringifyComment = __nccwpck_require__(9799);
var stringifyString = __nccwpck_require__(3069);

function createStringifyContext(doc, options) {
    const opt = Object.assign({
        blockQuote: true,
        commentString: stringifyComment.stringifyComment,
        defaultKeyType: null,
        defaultStringType: 'PLAIN',
        directives: null,
        doubleQuotedAsJSON: false,
        doubleQuotedMinMultiLineLength: 40,
        falseStr: 'false',
        flowCollectionPadding: true,
        indentSeq: true,
        lineWidth: 80,
        minContentWidth: 20,
        nullStr: 'null',
        simpleKeys: false,
        singleQuote: null,
        trailingComma: false,
        trueStr: 'true',
        verifyAliasOrder: true
    }, doc.schema.toStringOptions, options);
    let inFlow;
    switch (opt.collectionStyle) {
        case 'block':
            inFlow = false;
            break;
        case 'flow':
            inFlow = true;
            break;
        default:
            inFlow = null;
    }
    return {
        anchors: new Set(),
        doc,
        flowCollectionPadding: opt.flowCollectionPadding ? ' ' : '',
        indent: '',
        indentStep: typeof opt.indent === 'number' ? ' '.repeat(opt.indent) : '  ',
        inFlow,
        options: opt
    };
}
function getTagObject(tags, item) {
    if (item.tag) {
        const match = tags.filter(t => t.tag === item.tag);
        if (match.length > 0)
            return match.find(t => t.format === item.format) ?? match[0];
    }
    let tagObj = undefined;
    let obj;
    if (identity.isScalar(item)) {
        obj = item.value;
        let match = tags.filter(t => t.identify?.(obj));
        if (match.length > 1) {
            const testMatch = match.filter(t => t.test);
            if (testMatch.length > 0)
                match = testMatch;
        }
        tagObj =
            match.find(t => t.format === item.format) ?? match.find(t => !t.format);
    }
    else {
        obj = item;
        tagObj = tags.find(t => t.nodeClass && obj instanceof t.nodeClass);
    }
    if (!tagObj) {
        const name = obj?.constructor?.name ?? (obj === null ? 'null' : typeof obj);
        throw new Error(`Tag not resolved for ${name} value`);
    }
    return tagObj;
}
// needs to be called before value stringifier to allow for circular anchor refs
function stringifyProps(node, tagObj, { anchors: anchors$1, doc }) {
    if (!doc.directives)
        return '';
    const props = [];
    const anchor = (identity.isScalar(node) || identity.isCollection(node)) && node.anchor;
    if (anchor && anchors.anchorIsValid(anchor)) {
        anchors$1.add(anchor);
        props.push(`&${anchor}`);
    }
    const tag = node.tag ?? (tagObj.default ? null : tagObj.tag);
    if (tag)
        props.push(doc.directives.tagString(tag));
    return props.join(' ');
}
function stringify(item, ctx, onComment, onChompKeep) {
    if (identity.isPair(item))
        return item.toString(ctx, onComment, onChompKeep);
    if (identity.isAlias(item)) {
        if (ctx.doc.directives)
            return item.toString(ctx);
        if (ctx.resolvedAliases?.has(item)) {
            throw new TypeError(`Cannot stringify circular structure without alias nodes`);
        }
        else {
            if (ctx.resolvedAliases)
                ctx.resolvedAliases.add(item);
            else
                ctx.resolvedAliases = new Set([item]);
            item = item.resolve(ctx.doc);
        }
    }
    let tagObj = undefined;
    const node = identity.isNode(item)
        ? item
        : ctx.doc.createNode(item, { onTagObj: o => (tagObj = o) });
    tagObj ?? (tagObj = getTagObject(ctx.doc.schema.tags, node));
    const props = stringifyProps(node, tagObj, ctx);
    if (props.length > 0)
        ctx.indentAtStart = (ctx.indentAtStart ?? 0) + props.length + 1;
    const str = typeof tagObj.stringify === 'function'
        ? tagObj.stringify(node, ctx, onComment, onChompKeep)
        : identity.isScalar(node)
            ? stringifyString.stringifyString(node, ctx, onComment, onChompKeep)
            : node.toString(ctx, onComment, onChompKeep);
    if (!props)
        return str;
    return identity.isScalar(node) || str[0] === '{' || str[0] === '['
        ? `${props} ${str}`
        : `${props}\n${ctx.indent}${str}`;
}

exports.createStringifyContext = createStringifyContext;
exports.stringify = stringify;


/***/ }),

/***/ 1212:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyCollection(collection, ctx, options) {
    const flow = ctx.inFlow ?? collection.flow;
    const stringify = flow ? stringifyFlowCollection : stringifyBlockCollection;
    return stringify(collection, ctx, options);
}
function stringifyBlockCollection({ comment, items }, ctx, { blockItemPrefix, flowChars, itemIndent, onChompKeep, onComment }) {
    const { indent, options: { commentString } } = ctx;
    const itemCtx = Object.assign({}, ctx, { indent: itemIndent, type: null });
    let chompKeep = false; // flag for the preceding node's status
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
            if (!chompKeep && item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, chompKeep);
            if (item.comment)
                comment = item.comment;
        }
        else if (identity.isPair(item)) {
            const ik = identity.isNode(item.key) ? item.key : null;
            if (ik) {
                if (!chompKeep && ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, chompKeep);
            }
        }
        chompKeep = false;
        let str = stringify.stringify(item, itemCtx, () => (comment = null), () => (chompKeep = true));
        if (comment)
            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        if (chompKeep && comment)
            chompKeep = false;
        lines.push(blockItemPrefix + str);
    }
    let str;
    if (lines.length === 0) {
        str = flowChars.start + flowChars.end;
    }
    else {
        str = lines[0];
        for (let i = 1; i < lines.length; ++i) {
            const line = lines[i];
            str += line ? `\n${indent}${line}` : '\n';
        }
    }
    if (comment) {
        str += '\n' + stringifyComment.indentComment(commentString(comment), indent);
        if (onComment)
            onComment();
    }
    else if (chompKeep && onChompKeep)
        onChompKeep();
    return str;
}
function stringifyFlowCollection({ items }, ctx, { flowChars, itemIndent }) {
    const { indent, indentStep, flowCollectionPadding: fcPadding, options: { commentString } } = ctx;
    itemIndent += indentStep;
    const itemCtx = Object.assign({}, ctx, {
        indent: itemIndent,
        inFlow: true,
        type: null
    });
    let reqNewline = false;
    let linesAtValue = 0;
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
            if (item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, false);
            if (item.comment)
                comment = item.comment;
        }
        else if (identity.isPair(item)) {
            const ik = identity.isNode(item.key) ? item.key : null;
            if (ik) {
                if (ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, false);
                if (ik.comment)
                    reqNewline = true;
            }
            const iv = identity.isNode(item.value) ? item.value : null;
            if (iv) {
                if (iv.comment)
                    comment = iv.comment;
                if (iv.commentBefore)
                    reqNewline = true;
            }
            else if (item.value == null && ik?.comment) {
                comment = ik.comment;
            }
        }
        if (comment)
            reqNewline = true;
        let str = stringify.stringify(item, itemCtx, () => (comment = null));
        reqNewline || (reqNewline = lines.length > linesAtValue || str.includes('\n'));
        if (i < items.length - 1) {
            str += ',';
        }
        else if (ctx.options.trailingComma) {
            if (ctx.options.lineWidth > 0) {
                reqNewline || (reqNewline = lines.reduce((sum, line) => sum + line.length + 2, 2) +
                    (str.length + 2) >
                    ctx.options.lineWidth);
            }
            if (reqNewline) {
                str += ',';
            }
        }
        if (comment)
            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        lines.push(str);
        linesAtValue = lines.length;
    }
    const { start, end } = flowChars;
    if (lines.length === 0) {
        return start + end;
    }
    else {
        if (!reqNewline) {
            const len = lines.reduce((sum, line) => sum + line.length + 2, 2);
            reqNewline = ctx.options.lineWidth > 0 && len > ctx.options.lineWidth;
        }
        if (reqNewline) {
            let str = start;
            for (const line of lines)
                str += line ? `\n${indentStep}${indent}${line}` : '\n';
            return `${str}\n${indent}${end}`;
        }
        else {
            return `${start}${fcPadding}${lines.join(' ')}${fcPadding}${end}`;
        }
    }
}
function addCommentBefore({ indent, options: { commentString } }, lines, comment, chompKeep) {
    if (comment && chompKeep)
        comment = comment.replace(/^\n+/, '');
    if (comment) {
        const ic = stringifyComment.indentComment(commentString(comment), indent);
        lines.push(ic.trimStart()); // Avoid double indent on first line
    }
}

exports.stringifyCollection = stringifyCollection;


/***/ }),

/***/ 9799:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Stringifies a comment.
 *
 * Empty comment lines are left empty,
 * lines consisting of a single space are replaced by `#`,
 * and all other lines are prefixed with a `#`.
 */
const stringifyComment = (str) => str.replace(/^(?!$)(?: $)?/gm, '#');
function indentComment(comment, indent) {
    if (/^\n+$/.test(comment))
        return comment.substring(1);
    return indent ? comment.replace(/^(?! *$)/gm, indent) : comment;
}
const lineComment = (str, indent, comment) => str.endsWith('\n')
    ? indentComment(comment, indent)
    : comment.includes('\n')
        ? '\n' + indentComment(comment, indent)
        : (str.endsWith(' ') ? '' : ' ') + comment;

exports.indentComment = indentComment;
exports.lineComment = lineComment;
exports.stringifyComment = stringifyComment;


/***/ }),

/***/ 6829:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyDocument(doc, options) {
    const lines = [];
    let hasDirectives = options.directives === true;
    if (options.directives !== false && doc.directives) {
        const dir = doc.directives.toString(doc);
        if (dir) {
            lines.push(dir);
            hasDirectives = true;
        }
        else if (doc.directives.docStart)
            hasDirectives = true;
    }
    if (hasDirectives)
        lines.push('---');
    const ctx = stringify.createStringifyContext(doc, options);
    const { commentString } = ctx.options;
    if (doc.commentBefore) {
        if (lines.length !== 1)
            lines.unshift('');
        const cs = commentString(doc.commentBefore);
        lines.unshift(stringifyComment.indentComment(cs, ''));
    }
    let chompKeep = false;
    let contentComment = null;
    if (doc.contents) {
        if (identity.isNode(doc.contents)) {
            if (doc.contents.spaceBefore && hasDirectives)
                lines.push('');
            if (doc.contents.commentBefore) {
                const cs = commentString(doc.contents.commentBefore);
                lines.push(stringifyComment.indentComment(cs, ''));
            }
            // top-level block scalars need to be indented if followed by a comment
            ctx.forceBlockIndent = !!doc.comment;
            contentComment = doc.contents.comment;
        }
        const onChompKeep = contentComment ? undefined : () => (chompKeep = true);
        let body = stringify.stringify(doc.contents, ctx, () => (contentComment = null), onChompKeep);
        if (contentComment)
            body += stringifyComment.lineComment(body, '', commentString(contentComment));
        if ((body[0] === '|' || body[0] === '>') &&
            lines[lines.length - 1] === '---') {
            // Top-level block scalars with a preceding doc marker ought to use the
            // same line for their header.
            lines[lines.length - 1] = `--- ${body}`;
        }
        else
            lines.push(body);
    }
    else {
        lines.push(stringify.stringify(doc.contents, ctx));
    }
    if (doc.directives?.docEnd) {
        if (doc.comment) {
            const cs = commentString(doc.comment);
            if (cs.includes('\n')) {
                lines.push('...');
                lines.push(stringifyComment.indentComment(cs, ''));
            }
            else {
                lines.push(`... ${cs}`);
            }
        }
        else {
            lines.push('...');
        }
    }
    else {
        let dc = doc.comment;
        if (dc && chompKeep)
            dc = dc.replace(/^\n+/, '');
        if (dc) {
            if ((!chompKeep || contentComment) && lines[lines.length - 1] !== '')
                lines.push('');
            lines.push(stringifyComment.indentComment(commentString(dc), ''));
        }
    }
    return lines.join('\n') + '\n';
}

exports.stringifyDocument = stringifyDocument;


/***/ }),

/***/ 8689:
/***/ ((__unused_webpack_module, exports) => {



function stringifyNumber({ format, minFractionDigits, tag, value }) {
    if (typeof value === 'bigint')
        return String(value);
    const num = typeof value === 'number' ? value : Number(value);
    if (!isFinite(num))
        return isNaN(num) ? '.nan' : num < 0 ? '-.inf' : '.inf';
    let n = Object.is(value, -0) ? '-0' : JSON.stringify(value);
    if (!format &&
        minFractionDigits &&
        (!tag || tag === 'tag:yaml.org,2002:float') &&
        /^-?\d/.test(n) &&
        !n.includes('e')) {
        let i = n.indexOf('.');
        if (i < 0) {
            i = n.length;
            n += '.';
        }
        let d = minFractionDigits - (n.length - i - 1);
        while (d-- > 0)
            n += '0';
    }
    return n;
}

exports.stringifyNumber = stringifyNumber;


/***/ }),

/***/ 9748:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyPair({ key, value }, ctx, onComment, onChompKeep) {
    const { allNullValues, doc, indent, indentStep, options: { commentString, indentSeq, simpleKeys } } = ctx;
    let keyComment = (identity.isNode(key) && key.comment) || null;
    if (simpleKeys) {
        if (keyComment) {
            throw new Error('With simple keys, key nodes cannot have comments');
        }
        if (identity.isCollection(key) || (!identity.isNode(key) && typeof key === 'object')) {
            const msg = 'With simple keys, collection cannot be used as a key value';
            throw new Error(msg);
        }
    }
    let explicitKey = !simpleKeys &&
        (!key ||
            (keyComment && value == null && !ctx.inFlow) ||
            identity.isCollection(key) ||
            (identity.isScalar(key)
                ? key.type === Scalar.Scalar.BLOCK_FOLDED || key.type === Scalar.Scalar.BLOCK_LITERAL
                : typeof key === 'object'));
    ctx = Object.assign({}, ctx, {
        allNullValues: false,
        implicitKey: !explicitKey && (simpleKeys || !allNullValues),
        indent: indent + indentStep
    });
    let keyCommentDone = false;
    let chompKeep = false;
    let str = stringify.stringify(key, ctx, () => (keyCommentDone = true), () => (chompKeep = true));
    if (!explicitKey && !ctx.inFlow && str.length > 1024) {
        if (simpleKeys)
            throw new Error('With simple keys, single line scalar must not span more than 1024 characters');
        explicitKey = true;
    }
    if (ctx.inFlow) {
        if (allNullValues || value == null) {
            if (keyCommentDone && onComment)
                onComment();
            return str === '' ? '?' : explicitKey ? `? ${str}` : str;
        }
    }
    else if ((allNullValues && !simpleKeys) || (value == null && explicitKey)) {
        str = `? ${str}`;
        if (keyComment && !keyCommentDone) {
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        }
        else if (chompKeep && onChompKeep)
            onChompKeep();
        return str;
    }
    if (keyCommentDone)
        keyComment = null;
    if (explicitKey) {
        if (keyComment)
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        str = `? ${str}\n${indent}:`;
    }
    else {
        str = `${str}:`;
        if (keyComment)
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
    }
    let vsb, vcb, valueComment;
    if (identity.isNode(value)) {
        vsb = !!value.spaceBefore;
        vcb = value.commentBefore;
        valueComment = value.comment;
    }
    else {
        vsb = false;
        vcb = null;
        valueComment = null;
        if (value && typeof value === 'object')
            value = doc.createNode(value);
    }
    ctx.implicitKey = false;
    if (!explicitKey && !keyComment && identity.isScalar(value))
        ctx.indentAtStart = str.length + 1;
    chompKeep = false;
    if (!indentSeq &&
        indentStep.length >= 2 &&
        !ctx.inFlow &&
        !explicitKey &&
        identity.isSeq(value) &&
        !value.flow &&
        !value.tag &&
        !value.anchor) {
        // If indentSeq === false, consider '- ' as part of indentation where possible
        ctx.indent = ctx.indent.substring(2);
    }
    let valueCommentDone = false;
    const valueStr = stringify.stringify(value, ctx, () => (valueCommentDone = true), () => (chompKeep = true));
    let ws = ' ';
    if (keyComment || vsb || vcb) {
        ws = vsb ? '\n' : '';
        if (vcb) {
            const cs = commentString(vcb);
            ws += `\n${stringifyComment.indentComment(cs, ctx.indent)}`;
        }
        if (valueStr === '' && !ctx.inFlow) {
            if (ws === '\n' && valueComment)
                ws = '\n\n';
        }
        else {
            ws += `\n${ctx.indent}`;
        }
    }
    else if (!explicitKey && identity.isCollection(value)) {
        const vs0 = valueStr[0];
        const nl0 = valueStr.indexOf('\n');
        const hasNewline = nl0 !== -1;
        const flow = ctx.inFlow ?? value.flow ?? value.items.length === 0;
        if (hasNewline || !flow) {
            let hasPropsLine = false;
            if (hasNewline && (vs0 === '&' || vs0 === '!')) {
                let sp0 = valueStr.indexOf(' ');
                if (vs0 === '&' &&
                    sp0 !== -1 &&
                    sp0 < nl0 &&
                    valueStr[sp0 + 1] === '!') {
                    sp0 = valueStr.indexOf(' ', sp0 + 1);
                }
                if (sp0 === -1 || nl0 < sp0)
                    hasPropsLine = true;
            }
            if (!hasPropsLine)
                ws = `\n${ctx.indent}`;
        }
    }
    else if (valueStr === '' || valueStr[0] === '\n') {
        ws = '';
    }
    str += ws + valueStr;
    if (ctx.inFlow) {
        if (valueCommentDone && onComment)
            onComment();
    }
    else if (valueComment && !valueCommentDone) {
        str += stringifyComment.lineComment(str, ctx.indent, commentString(valueComment));
    }
    else if (chompKeep && onChompKeep) {
        onChompKeep();
    }
    return str;
}

exports.stringifyPair = stringifyPair;


/***/ }),

/***/ 3069:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var foldFlowLines = __nccwpck_require__(4475);

const getFoldOptions = (ctx, isBlock) => ({
    indentAtStart: isBlock ? ctx.indent.length : ctx.indentAtStart,
    lineWidth: ctx.options.lineWidth,
    minContentWidth: ctx.options.minContentWidth
});
// Also checks for lines starting with %, as parsing the output as YAML 1.1 will
// presume that's starting a new document.
const containsDocumentMarker = (str) => /^(%|---|\.\.\.)/m.test(str);
function lineLengthOverLimit(str, lineWidth, indentLength) {
    if (!lineWidth || lineWidth < 0)
        return false;
    const limit = lineWidth - indentLength;
    const strLen = str.length;
    if (strLen <= limit)
        return false;
    for (let i = 0, start = 0; i < strLen; ++i) {
        if (str[i] === '\n') {
            if (i - start > limit)
                return true;
            start = i + 1;
            if (strLen - start <= limit)
                return false;
        }
    }
    return true;
}
function doubleQuotedString(value, ctx) {
    const json = JSON.stringify(value);
    if (ctx.options.doubleQuotedAsJSON)
        return json;
    const { implicitKey } = ctx;
    const minMultiLineLength = ctx.options.doubleQuotedMinMultiLineLength;
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    let str = '';
    let start = 0;
    for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
        if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
            // space before newline needs to be escaped to not be folded
            str += json.slice(start, i) + '\\ ';
            i += 1;
            start = i;
            ch = '\\';
        }
        if (ch === '\\')
            switch (json[i + 1]) {
                case 'u':
                    {
                        str += json.slice(start, i);
                        const code = json.substr(i + 2, 4);
                        switch (code) {
                            case '0000':
                                str += '\\0';
                                break;
                            case '0007':
                                str += '\\a';
                                break;
                            case '000b':
                                str += '\\v';
                                break;
                            case '001b':
                                str += '\\e';
                                break;
                            case '0085':
                                str += '\\N';
                                break;
                            case '00a0':
                                str += '\\_';
                                break;
                            case '2028':
                                str += '\\L';
                                break;
                            case '2029':
                                str += '\\P';
                                break;
                            default:
                                if (code.substr(0, 2) === '00')
                                    str += '\\x' + code.substr(2);
                                else
                                    str += json.substr(i, 6);
                        }
                        i += 5;
                        start = i + 1;
                    }
                    break;
                case 'n':
                    if (implicitKey ||
                        json[i + 2] === '"' ||
                        json.length < minMultiLineLength) {
                        i += 1;
                    }
                    else {
                        // folding will eat first newline
                        str += json.slice(start, i) + '\n\n';
                        while (json[i + 2] === '\\' &&
                            json[i + 3] === 'n' &&
                            json[i + 4] !== '"') {
                            str += '\n';
                            i += 2;
                        }
                        str += indent;
                        // space after newline needs to be escaped to not be folded
                        if (json[i + 2] === ' ')
                            str += '\\';
                        i += 1;
                        start = i + 1;
                    }
                    break;
                default:
                    i += 1;
            }
    }
    str = start ? str + json.slice(start) : json;
    return implicitKey
        ? str
        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_QUOTED, getFoldOptions(ctx, false));
}
function singleQuotedString(value, ctx) {
    if (ctx.options.singleQuote === false ||
        (ctx.implicitKey && value.includes('\n')) ||
        /[ \t]\n|\n[ \t]/.test(value) // single quoted string can't have leading or trailing whitespace around newline
    )
        return doubleQuotedString(value, ctx);
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    const res = "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
    return ctx.implicitKey
        ? res
        : foldFlowLines.foldFlowLines(res, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
}
function quotedString(value, ctx) {
    const { singleQuote } = ctx.options;
    let qs;
    if (singleQuote === false)
        qs = doubleQuotedString;
    else {
        const hasDouble = value.includes('"');
        const hasSingle = value.includes("'");
        if (hasDouble && !hasSingle)
            qs = singleQuotedString;
        else if (hasSingle && !hasDouble)
            qs = doubleQuotedString;
        else
            qs = singleQuote ? singleQuotedString : doubleQuotedString;
    }
    return qs(value, ctx);
}
// The negative lookbehind avoids a polynomial search,
// but isn't supported yet on Safari: https://caniuse.com/js-regexp-lookbehind
let blockEndNewlines;
try {
    blockEndNewlines = new RegExp('(^|(?<!\n))\n+(?!\n|$)', 'g');
}
catch {
    blockEndNewlines = /\n+(?!\n|$)/g;
}
function blockString({ comment, type, value }, ctx, onComment, onChompKeep) {
    const { blockQuote, commentString, lineWidth } = ctx.options;
    // 1. Block can't end in whitespace unless the last line is non-empty.
    // 2. Strings consisting of only whitespace are best rendered explicitly.
    if (!blockQuote || /\n[\t ]+$/.test(value)) {
        return quotedString(value, ctx);
    }
    const indent = ctx.indent ||
        (ctx.forceBlockIndent || containsDocumentMarker(value) ? '  ' : '');
    const literal = blockQuote === 'literal'
        ? true
        : blockQuote === 'folded' || type === Scalar.Scalar.BLOCK_FOLDED
            ? false
            : type === Scalar.Scalar.BLOCK_LITERAL
                ? true
                : !lineLengthOverLimit(value, lineWidth, indent.length);
    if (!value)
        return literal ? '|\n' : '>\n';
    // determine chomping from whitespace at value end
    let chomp;
    let endStart;
    for (endStart = value.length; endStart > 0; --endStart) {
        const ch = value[endStart - 1];
        if (ch !== '\n' && ch !== '\t' && ch !== ' ')
            break;
    }
    let end = value.substring(endStart);
    const endNlPos = end.indexOf('\n');
    if (endNlPos === -1) {
        chomp = '-'; // strip
    }
    else if (value === end || endNlPos !== end.length - 1) {
        chomp = '+'; // keep
        if (onChompKeep)
            onChompKeep();
    }
    else {
        chomp = ''; // clip
    }
    if (end) {
        value = value.slice(0, -end.length);
        if (end[end.length - 1] === '\n')
            end = end.slice(0, -1);
        end = end.replace(blockEndNewlines, `$&${indent}`);
    }
    // determine indent indicator from whitespace at value start
    let startWithSpace = false;
    let startEnd;
    let startNlPos = -1;
    for (startEnd = 0; startEnd < value.length; ++startEnd) {
        const ch = value[startEnd];
        if (ch === ' ')
            startWithSpace = true;
        else if (ch === '\n')
            startNlPos = startEnd;
        else
            break;
    }
    let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
    if (start) {
        value = value.substring(start.length);
        start = start.replace(/\n+/g, `$&${indent}`);
    }
    const indentSize = indent ? '2' : '1'; // root is at -1
    // Leading | or > is added later
    let header = (startWithSpace ? indentSize : '') + chomp;
    if (comment) {
        header += ' ' + commentString(comment.replace(/ ?[\r\n]+/g, ' '));
        if (onComment)
            onComment();
    }
    if (!literal) {
        const foldedValue = value
            .replace(/\n+/g, '\n$&')
            .replace(/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g, '$1$2') // more-indented lines aren't folded
            //                ^ more-ind. ^ empty     ^ capture next empty lines only at end of indent
            .replace(/\n+/g, `$&${indent}`);
        let literalFallback = false;
        const foldOptions = getFoldOptions(ctx, true);
        if (blockQuote !== 'folded' && type !== Scalar.Scalar.BLOCK_FOLDED) {
            foldOptions.onOverflow = () => {
                literalFallback = true;
            };
        }
        const body = foldFlowLines.foldFlowLines(`${start}${foldedValue}${end}`, indent, foldFlowLines.FOLD_BLOCK, foldOptions);
        if (!literalFallback)
            return `>${header}\n${indent}${body}`;
    }
    value = value.replace(/\n+/g, `$&${indent}`);
    return `|${header}\n${indent}${start}${value}${end}`;
}
function plainString(item, ctx, onComment, onChompKeep) {
    const { type, value } = item;
    const { actualString, implicitKey, indent, indentStep, inFlow } = ctx;
    if ((implicitKey && value.includes('\n')) ||
        (inFlow && /[[\]{},]/.test(value))) {
        return quotedString(value, ctx);
    }
    if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
        // not allowed:
        // - '-' or '?'
        // - start with an indicator character (except [?:-]) or /[?-] /
        // - '\n ', ': ' or ' \n' anywhere
        // - '#' not preceded by a non-space char
        // - end with ' ' or ':'
        return implicitKey || inFlow || !value.includes('\n')
            ? quotedString(value, ctx)
            : blockString(item, ctx, onComment, onChompKeep);
    }
    if (!implicitKey &&
        !inFlow &&
        type !== Scalar.Scalar.PLAIN &&
        value.includes('\n')) {
        // Where allowed & type not set explicitly, prefer block style for multiline strings
        return blockString(item, ctx, onComment, onChompKeep);
    }
    if (containsDocumentMarker(value)) {
        if (indent === '') {
            ctx.forceBlockIndent = true;
            return blockString(item, ctx, onComment, onChompKeep);
        }
        else if (implicitKey && indent === indentStep) {
            return quotedString(value, ctx);
        }
    }
    const str = value.replace(/\n+/g, `$&\n${indent}`);
    // Verify that output will be parsed as a string, as e.g. plain numbers and
    // booleans get parsed with those types in v1.2 (e.g. '42', 'true' & '0.9e-3'),
    // and others in v1.1.
    if (actualString) {
        const test = (tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test?.test(str);
        const { compat, tags } = ctx.doc.schema;
        if (tags.some(test) || compat?.some(test))
            return quotedString(value, ctx);
    }
    return implicitKey
        ? str
        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
}
function stringifyString(item, ctx, onComment, onChompKeep) {
    const { implicitKey, inFlow } = ctx;
    const ss = typeof item.value === 'string'
        ? item
        : Object.assign({}, item, { value: String(item.value) });
    let { type } = item;
    if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
        // force double quotes on control characters & unpaired surrogates
        if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(ss.value))
            type = Scalar.Scalar.QUOTE_DOUBLE;
    }
    const _stringify = (_type) => {
        switch (_type) {
            case Scalar.Scalar.BLOCK_FOLDED:
            case Scalar.Scalar.BLOCK_LITERAL:
                return implicitKey || inFlow
                    ? quotedString(ss.value, ctx) // blocks are not valid inside flow containers
                    : blockString(ss, ctx, onComment, onChompKeep);
            case Scalar.Scalar.QUOTE_DOUBLE:
                return doubleQuotedString(ss.value, ctx);
            case Scalar.Scalar.QUOTE_SINGLE:
                return singleQuotedString(ss.value, ctx);
            case Scalar.Scalar.PLAIN:
                return plainString(ss, ctx, onComment, onChompKeep);
            default:
                return null;
        }
    };
    let res = _stringify(type);
    if (res === null) {
        const { defaultKeyType, defaultStringType } = ctx.options;
        const t = (implicitKey && defaultKeyType) || defaultStringType;
        res = _stringify(t);
        if (res === null)
            throw new Error(`Unsupported default string type ${t}`);
    }
    return res;
}

exports.stringifyString = stringifyString;


/***/ }),

/***/ 204:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove node');
/**
 * Apply a visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
function visit(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (identity.isDocument(node)) {
        const cd = visit_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        visit_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current node */
visit.SKIP = SKIP;
/** Remove the current node */
visit.REMOVE = REMOVE;
function visit_(key, node, visitor, path) {
    const ctrl = callVisitor(key, node, visitor, path);
    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visit_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (identity.isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = visit_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (identity.isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = visit_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = visit_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
/**
 * Apply an async visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `Promise`: Must resolve to one of the following values
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
async function visitAsync(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (identity.isDocument(node)) {
        const cd = await visitAsync_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        await visitAsync_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visitAsync.BREAK = BREAK;
/** Do not visit the children of the current node */
visitAsync.SKIP = SKIP;
/** Remove the current node */
visitAsync.REMOVE = REMOVE;
async function visitAsync_(key, node, visitor, path) {
    const ctrl = await callVisitor(key, node, visitor, path);
    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visitAsync_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (identity.isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = await visitAsync_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (identity.isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = await visitAsync_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = await visitAsync_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
function initVisitor(visitor) {
    if (typeof visitor === 'object' &&
        (visitor.Collection || visitor.Node || visitor.Value)) {
        return Object.assign({
            Alias: visitor.Node,
            Map: visitor.Node,
            Scalar: visitor.Node,
            Seq: visitor.Node
        }, visitor.Value && {
            Map: visitor.Value,
            Scalar: visitor.Value,
            Seq: visitor.Value
        }, visitor.Collection && {
            Map: visitor.Collection,
            Seq: visitor.Collection
        }, visitor);
    }
    return visitor;
}
function callVisitor(key, node, visitor, path) {
    if (typeof visitor === 'function')
        return visitor(key, node, path);
    if (identity.isMap(node))
        return visitor.Map?.(key, node, path);
    if (identity.isSeq(node))
        return visitor.Seq?.(key, node, path);
    if (identity.isPair(node))
        return visitor.Pair?.(key, node, path);
    if (identity.isScalar(node))
        return visitor.Scalar?.(key, node, path);
    if (identity.isAlias(node))
        return visitor.Alias?.(key, node, path);
    return undefined;
}
function replaceNode(key, path, node) {
    const parent = path[path.length - 1];
    if (identity.isCollection(parent)) {
        parent.items[key] = node;
    }
    else if (identity.isPair(parent)) {
        if (key === 'key')
            parent.key = node;
        else
            parent.value = node;
    }
    else if (identity.isDocument(parent)) {
        parent.contents = node;
    }
    else {
        const pt = identity.isAlias(parent) ? 'alias' : 'scalar';
        throw new Error(`Cannot replace node with ${pt} parent`);
    }
}

exports.visit = visit;
exports.visitAsync = visitAsync;


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(5581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

//# sourceMappingURL=index.js.map