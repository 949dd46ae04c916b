export const id = 181;
export const ids = [181];
export const modules = {

/***/ 4181:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ main_run)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 14 modules
var core = __webpack_require__(6421);
;// CONCATENATED MODULE: ./src/errors.ts
/**
 * The action's error vocabulary (README, "Bad input"). Every error it stops with is one line of one of these kinds
 * (or of a subclass of one); a plain `Error` is never thrown on purpose, and no other module declares a kind of its own
 * (__tests__/errors.test.ts holds that).
 */
/**
 * A user-supplied input that cannot be used (a missing file, a line that is not Kconfig, a bad tag...).
 * It is reported as one line naming the input or file:line, and always fails the step: `fail-on`
 * governs unmet requirements, not unusable input.
 */
class InputError extends Error {
    name = 'InputError';
}
/**
 * Bytes that do not match the digest naming them (a blob or manifest fetched or read back), or data this action wrote
 * that did not read back as written (a tag resolving elsewhere).
 */
class IntegrityError extends Error {
    name = 'IntegrityError';
}
/** A program this action runs (the `zstd` program, apt-get, QEMU and Xen for the boot test) failed. */
class ToolError extends Error {
    name = 'ToolError';
}
/**
 * A registry refused a request, answered something unusable, or could not be reached (in time). Its answers are
 * untrusted: the message names the registry and the request, never a secret. `status` is the HTTP status when there
 * was one; `code` the registry's error code (MANIFEST_UNKNOWN, DENIED...) or the transport's (ECONNREFUSED, TIMEOUT,
 * DEADLINE, SLOW_BODY, FOREIGN_CHALLENGE...), for callers that decide on them (404: absent). Credentials the registry
 * does not accept are an InputError (the user's input is at fault); bytes not matching their digest an IntegrityError.
 */
class RegistryError extends Error {
    status;
    code;
    name = 'RegistryError';
    constructor(message, status, code) {
        super(message);
        this.status = status;
        this.code = code;
    }
}
/** A Kconfig line the reader cannot parse; never shown as a failure, it is counted among the skipped lines. */
class KconfigSyntaxError extends Error {
    name = 'KconfigSyntaxError';
}
/** A broken promise inside this action (a bug, or a damaged copy of it): the message asks for a report. */
class InternalError extends Error {
    name = 'InternalError';
    constructor(message) {
        super(`internal error: ${message} (a bug in kernel-action; please report it)`);
    }
}
/**
 * The one wording for a file an input names that cannot be used: `config: build/.config does not exist`,
 * `image: vmlinuz cannot be read (permission denied)`; `doing` is `written` for a file the action writes.
 */
function fileError(input, file, error, doing = 'read') {
    const code = error?.code;
    if (code === 'ENOENT')
        return new InputError(`${input}: ${file} does not exist`);
    if (code === 'EISDIR')
        return new InputError(`${input}: ${file} is a directory, not a file`);
    if (code === 'EACCES' || code === 'EPERM')
        return new InputError(`${input}: ${file} cannot be ${doing} (permission denied)`);
    return new InputError(`${input}: ${file} cannot be ${doing} (${code ?? (error instanceof Error ? error.message : String(error))})`);
}
/** The message of anything thrown, on one line, for the log and for `core.setFailed`. */
function oneLine(error) {
    const text = error instanceof Error ? error.message : String(error);
    return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
/** A value that must be one of a fixed set (a target, a mode...); anything else names the input at fault. */
function oneOf(name, value, allowed) {
    if (allowed.includes(value))
        return value;
    throw new InputError(`${name}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/addons/modules-dep.ts
// The two index files depmod writes that kernel-action reads: modules.dep (what modprobe loads, in what order) and
// modules.builtin (what needs no loading). Pure text in, data out.

/** The name the kernel knows a module by: `xen_blkback` for kernel/drivers/block/xen-blkback/xen-blkback.ko.xz. */
function moduleNameOf(file) {
    return (file.split('/').pop() ?? file).replace(/\.ko(\.(gz|xz|zst))?$/, '').replace(/-/g, '_');
}
// depmod before kmod 10 wrote absolute paths: /lib/modules/<release>/kernel/...
const relative = (path) => path.replace(/^\/lib\/modules\/[^/]+\//, '');
/** modules.dep as depmod writes it: `kernel/fs/x.ko: kernel/lib/y.ko ...`, a module's dependencies (and theirs) on its line. */
function parseModulesDep(text) {
    const entries = [];
    const byName = new Map();
    for (const line of text.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const entry = {
            path: relative(line.slice(0, colon).trim()),
            deps: line
                .slice(colon + 1)
                .trim()
                .split(/\s+/)
                .filter(Boolean)
                .map(relative),
        };
        entries.push(entry);
        if (!byName.has(moduleNameOf(entry.path)))
            byName.set(moduleNameOf(entry.path), entry);
    }
    return { entries, byName };
}
/** The module names modules.builtin lists (one path per line). */
function parseModulesBuiltin(text) {
    return new Set(text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map(moduleNameOf));
}
/**
 * Modules that load in any Xen guest without touching hardware (they bind only to Xen's own bus, or to nothing):
 * xen-fbfront first, because krata's zone list asks for it as a module (CONFIG_XEN_FBDEV_FRONTEND=m) and it has
 * dependencies, so loading it also proves modules.dep.
 */
const SAFE_IN_A_ZONE = ['xen_fbfront', 'xen_kbdfront', 'xen_gntalloc', 'xen_gntdev'];
/** busybox's modprobe (the guest's) reads plain, gzip and xz modules; it has no zstd. */
const BUSYBOX_READS = /\.ko(\.(gz|xz))?$/;
/**
 * The module a guest loads to prove its addons work (issue 20: `modprobe` by name, from modules.dep): the first of
 * SAFE_IN_A_ZONE the addons hold, else the first pure library module (lib/, crypto/, not a test_ one) by name, of
 * those busybox's modprobe can read with all their dependencies. None when the addons hold no such module: loading an
 * arbitrary driver in a zone could hang it (xen-acpi-processor refuses to load in one).
 */
function moduleToLoad(dep) {
    const readable = (e) => [e.path, ...e.deps].every((p) => BUSYBOX_READS.test(p));
    const known = SAFE_IN_A_ZONE.map((name) => dep.byName.get(name)).filter((e) => e !== undefined);
    const library = dep.entries
        .filter((e) => /^kernel\/(lib|crypto)\//.test(e.path) && !/^test_/.test(moduleNameOf(e.path)))
        .sort((a, b) => moduleNameOf(a.path).localeCompare(moduleNameOf(b.path)));
    const chosen = [...known, ...library].find(readable);
    if (chosen !== undefined)
        return { module: moduleNameOf(chosen.path) };
    if ([...known, ...library].length > 0)
        return { none: "none loaded: busybox's modprobe (the boot test's) cannot read zstd modules" };
    return { none: 'none loaded: the addons hold no module known to be safe to load in a zone' };
}
/** A module name as a user gives it (`xen-fbfront`), checked and written the kernel's way (`xen_fbfront`); '' stays ''. */
function checkModuleName(input, value) {
    if (value === '')
        return '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
        throw new InputError(`${input}: ${JSON.stringify(value)} is not a module name (letters, digits, - and _, e.g. xen-fbfront)`);
    }
    return moduleNameOf(value);
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
;// CONCATENATED MODULE: ./src/input-file.ts
// The one checked way to open a file this project reads: the files a user names (config, requirements, fragment,
// image, addons) and the files it finds (layout blobs and index.json, Kconfig sources, installed zone files, the
// install journal). Each must be a regular file, checked before it is opened: a FIFO would block the open or the read
// forever, and a device such as /dev/zero reports size 0 and never ends. Reads are bounded by the size seen at open
// time, and that size by the caller's bound.



/** Opens `file` (named by input `input`) for reading, or throws a one-line InputError saying why not. */
async function openInputFile(file, input, options = {}) {
    const seen = await statOf(file, input, options.noFollow === true);
    assertRegular(file, input, seen);
    assertSize(file, input, seen.size, options);
    let handle;
    try {
        // O_NONBLOCK: should the path become a FIFO after the stat, the open still returns instead of waiting for a writer.
        handle = await external_node_fs_.promises.open(file, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NONBLOCK | (options.noFollow ? external_node_fs_.constants.O_NOFOLLOW : 0));
    }
    catch (error) {
        if (error.code === 'ELOOP')
            throw new InputError(`${input}: ${file} is a symbolic link, which is not followed here`);
        throw fileError(input, file, error);
    }
    try {
        const stat = await handle.stat();
        assertRegular(file, input, stat);
        assertSize(file, input, stat.size, options);
        return { handle, size: stat.size };
    }
    catch (error) {
        await handle.close();
        throw error;
    }
}
/**
 * Reads a file that is small by nature, whole, after checking its size against `maxBytes`; `what` names what the file
 * should be ("kernel config"), for the message.
 */
async function readInputFile(file, input, maxBytes, what, options = {}) {
    const { handle, size } = await openInputFile(file, input, { ...options, maxBytes, what });
    try {
        const buffer = Buffer.alloc(size);
        let filled = 0;
        // Exactly the size seen at open: a file that grows meanwhile is not followed.
        while (filled < size) {
            const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
            if (bytesRead === 0)
                break;
            filled += bytesRead;
        }
        return buffer.subarray(0, filled);
    }
    catch (error) {
        if (error instanceof InputError)
            throw error;
        throw fileError(input, file, error);
    }
    finally {
        await handle.close();
    }
}
/**
 * A checked file as a stream of exactly the bytes it had when opened (a file that grows meanwhile is not followed).
 * The handle closes when the stream ends or is destroyed.
 */
async function streamInputFile(file, input, options = {}) {
    const { handle, size } = await openInputFile(file, input, options);
    if (size === 0) {
        await handle.close();
        return { stream: external_node_stream_.Readable.from([]), size };
    }
    return { stream: handle.createReadStream({ start: 0, end: size - 1, highWaterMark: 1 << 20, autoClose: true }), size };
}
/** That `file` is a regular file, without opening it: to judge every input before any work, its contents later. */
async function assertInputFile(file, input) {
    assertRegular(file, input, await statOf(file, input, false));
}
async function statOf(file, input, noFollow) {
    try {
        const stat = noFollow ? await external_node_fs_.promises.lstat(file) : await external_node_fs_.promises.stat(file);
        if (stat.isSymbolicLink())
            throw new InputError(`${input}: ${file} is a symbolic link, which is not followed here`);
        return stat;
    }
    catch (error) {
        if (error instanceof InputError)
            throw error;
        throw fileError(input, file, error);
    }
}
function assertSize(file, input, size, options) {
    if (options.maxBytes === undefined || size <= options.maxBytes)
        return;
    throw new InputError(`${input}: ${file} is too large to be ${article(options.what ?? 'file')} (${size} bytes, at most ${options.maxBytes})`);
}
function article(what) {
    return `${/^[aeiouAEIO]/.test(what) ? 'an' : 'a'} ${what}`;
}
function assertRegular(file, input, stat) {
    if (stat.isFile())
        return;
    if (stat.isDirectory())
        throw fileError(input, file, { code: 'EISDIR' });
    throw new InputError(`${input}: ${file} is ${kindOf(stat)}, not a regular file`);
}
function kindOf(stat) {
    if (stat.isFIFO())
        return 'a named pipe (FIFO)';
    if (stat.isCharacterDevice())
        return 'a character device';
    if (stat.isBlockDevice())
        return 'a block device';
    if (stat.isSocket())
        return 'a socket';
    return 'a special file';
}
/**
 * The synchronous twin of readInputFile, for readers that are synchronous by design (the Kconfig tree): the same
 * checks (a regular file, within `maxBytes`, opened without blocking on a FIFO), undefined when the file does not exist.
 */
function readInputFileSync(file, input, maxBytes, what) {
    let fd;
    try {
        fd = external_node_fs_default().openSync(file, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NONBLOCK);
    }
    catch (error) {
        const code = error.code;
        if (code === 'ENOENT' || code === 'ENOTDIR')
            return undefined;
        throw fileError(input, file, error);
    }
    try {
        const stat = external_node_fs_default().fstatSync(fd);
        assertRegular(file, input, stat);
        assertSize(file, input, stat.size, { maxBytes, what });
        const buffer = Buffer.alloc(stat.size);
        let filled = 0;
        while (filled < stat.size) {
            const read = external_node_fs_default().readSync(fd, buffer, filled, stat.size - filled, filled);
            if (read === 0)
                break;
            filled += read;
        }
        return buffer.subarray(0, filled);
    }
    catch (error) {
        if (error instanceof InputError)
            throw error;
        throw fileError(input, file, error);
    }
    finally {
        external_node_fs_default().closeSync(fd);
    }
}

;// CONCATENATED MODULE: ./src/arch.ts
// The architectures krata runs, and every name each one goes by: one table, so no two modules disagree.

const ARCHES = [
    { kernel: 'x86_64', aliases: ['amd64', 'x86'], oci: 'amd64', kbuild: 'x86_64', srcarch: 'x86', configSymbol: 'CONFIG_X86_64', node: 'x64' },
    { kernel: 'aarch64', aliases: ['arm64'], oci: 'arm64', kbuild: 'arm64', srcarch: 'arm64', configSymbol: 'CONFIG_ARM64', node: 'arm64' },
];
const KERNEL_ARCHES = ARCHES.map((a) => a.kernel);
const OCI_ARCHES = ARCHES.map((a) => a.oci);
/** All the names of one architecture. */
function arch_archNames(arch) {
    return ARCHES.find((a) => a.kernel === arch);
}
/** `amd64` → `x86_64`: the kernel name for a name or alias, or undefined. */
function kernelArchOf(name) {
    const trimmed = name.trim();
    return ARCHES.find((a) => a.kernel === trimmed || a.aliases.includes(trimmed))?.kernel;
}
/** An architecture input (`arch`, `--arch`): a kernel name or an alias; anything else names the input at fault. */
function parseArch(input, value) {
    const arch = kernelArchOf(value);
    if (arch === undefined) {
        throw new InputError(`${input}: ${JSON.stringify(value)} is not one of ${ARCHES.flatMap((a) => [a.kernel, ...a.aliases]).join(', ')}`);
    }
    return arch;
}
/** The OCI `architecture` of a kernel architecture. */
function arch_ociArch(arch) {
    return arch_archNames(arch).oci;
}
/** The kernel architecture of an OCI `architecture`, when krata runs it. */
function archOfOci(oci) {
    return ARCHES.find((a) => a.oci === oci)?.kernel;
}
/** Which architecture's own symbol is `y`, by a lookup of `CONFIG_*` names. */
function archOfConfig(isSet) {
    return ARCHES.find((a) => isSet(a.configSymbol))?.kernel;
}
/** The architecture of the host this runs on (Node's `process.arch`), or undefined where krata runs no kernel. */
function archOfNode(nodeArch = process.arch) {
    return ARCHES.find((a) => a.node === nodeArch)?.kernel;
}

;// CONCATENATED MODULE: ./src/check/kernel-config.ts


const ASSIGNMENT = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;
const HEADER = /^# Linux\/(\S+) (\S+) Kernel Configuration$/;
/**
 * Reads `.config` text the way the kernel's confdata.c does, but strictly: every line is an assignment, a
 * `# CONFIG_X is not set`, a comment or blank; anything else is an error naming file:line. A repeated option
 * is kept as a duplicate and the last one wins, as in the kernel.
 */
function parseKernelConfig(text, file, input = 'config') {
    if (text.trim() === '')
        throw new InputError(`${input}: ${file} is empty`);
    if (text.includes('\0'))
        throw new InputError(`${input}: ${file} is a binary file, not a kernel .config`);
    const entries = new Map();
    const duplicates = [];
    let header;
    // Line by line with indexOf rather than split(): no array of every line is held while the entries are built.
    for (let start = 0, line = 1; start <= text.length; line++) {
        const newline = text.indexOf('\n', start);
        const end = newline === -1 ? text.length : newline;
        const raw = text.slice(start, end);
        start = end + 1;
        const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        const entry = parseLine(content, file, line);
        if (entry === undefined) {
            const h = HEADER.exec(content);
            if (h && header === undefined)
                header = { srcarch: h[1], version: h[2], line };
            continue;
        }
        const previous = entries.get(entry.option);
        if (previous)
            duplicates.push({ option: entry.option, line, previousLine: previous.line });
        entries.set(entry.option, entry.entry);
    }
    return { file, entries, header, duplicates };
}
/**
 * The one grammar of a `.config` line, shared by configs, fragments and requirements files: an assignment
 * (`CONFIG_X=y|m|n|<value>|"<string>"`), `# CONFIG_X is not set`, a comment or blank (undefined). Anything else is
 * `invalid`; an unterminated string value is an InputError naming file:line.
 */
function parseConfigLine(text, file, line) {
    const trimmed = text.trim();
    if (trimmed === '')
        return undefined;
    const notSet = NOT_SET.exec(trimmed);
    if (notSet)
        return { option: notSet[1], entry: { state: 'not-set', line } };
    if (trimmed.startsWith('#'))
        return undefined;
    const assignment = ASSIGNMENT.exec(trimmed);
    if (!assignment)
        return 'invalid';
    const [, option, rawValue] = assignment;
    // confdata.c reads a bool by its first character only and drops an int, hex or string that has more after it, so
    // "CONFIG_XEN=y # comment" never means the value "y # comment": refuse it, as kconfig writes no such line.
    if (rawValue.startsWith('"') ? trailingAfterString(rawValue) : /\s/.test(rawValue)) {
        throw new InputError(`${file}:${line}: ${option}: text after the value in ${JSON.stringify(clip(trimmed))} (a comment must be on a line of its own)`);
    }
    if (rawValue === 'y')
        return { option, entry: { state: 'y', line } };
    if (rawValue === 'm')
        return { option, entry: { state: 'm', line } };
    if (rawValue === 'n')
        return { option, entry: { state: 'not-set', line } };
    return { option, entry: { state: 'value', value: unquote(rawValue, file, line, option), line } };
}
function parseLine(text, file, line) {
    const parsed = parseConfigLine(text, file, line);
    if (parsed === 'invalid') {
        throw new InputError(`${file}:${line}: not a kernel config line: ${JSON.stringify(clip(text.trim()))}`);
    }
    return parsed;
}
/** True when a quoted string value ends before the line does (`"a" # note`), escapes taken into account. */
function trailingAfterString(raw) {
    for (let i = 1; i < raw.length; i++) {
        if (raw[i] === '\\')
            i++;
        else if (raw[i] === '"')
            return raw.slice(i + 1).trim() !== '';
    }
    return false;
}
/**
 * A kconfig string value is written quoted with `"` and `\` escaped; numbers and hex are bare. The value is cut out in
 * slices between escapes (never built a character at a time, which costs ~30 bytes of V8 rope per character).
 */
function unquote(raw, file, line, option) {
    if (!raw.startsWith('"'))
        return raw;
    const parts = [];
    let from = 1;
    for (;;) {
        const quote = raw.indexOf('"', from);
        const escape = raw.indexOf('\\', from);
        if (escape !== -1 && escape + 1 < raw.length && (quote === -1 || escape < quote)) {
            parts.push(raw.slice(from, escape), raw[escape + 1]);
            from = escape + 2;
            continue;
        }
        if (quote === -1 || raw.slice(quote + 1).trim() !== '')
            break;
        parts.push(raw.slice(from, quote));
        return parts.join('');
    }
    throw new InputError(`${file}:${line}: ${option} has an unterminated string value`);
}
function clip(text) {
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
/** The architecture a config was made for, from the symbols only an x86_64 or arm64 config sets. */
function detectArch(config) {
    const byConfig = archOfConfig((option) => config.entries.get(option)?.state === 'y');
    if (byConfig)
        return byConfig;
    // The header alone is enough for arm64 only: `Linux/x86` heads 32-bit configs too.
    return config.header?.srcarch === arch_archNames('aarch64').srcarch ? 'aarch64' : undefined;
}
/** `6.1.192` → [6, 1]; the header's version may carry a suffix (`6.12.0-rc1`). */
function majorMinor(version) {
    const m = /^(\d+)\.(\d+)/.exec(version ?? '');
    return m ? [Number(m[1]), Number(m[2])] : undefined;
}
/** How an entry reads to a user: `y`, `m`, `not set`, `absent` or the value. */
function describeEntry(entry) {
    if (!entry)
        return 'absent';
    if (entry.state === 'not-set')
        return 'not set';
    if (entry.state === 'value')
        return entry.value;
    return entry.state;
}
/** The values as kconfig sees them, keyed without the `CONFIG_` prefix (for the Kconfig explainer). */
function kconfigValues(config) {
    const values = new Map();
    for (const [option, entry] of config.entries) {
        const symbol = option.slice('CONFIG_'.length);
        values.set(symbol, entry.state === 'not-set' ? 'n' : entry.state === 'value' ? entry.value : entry.state);
    }
    return values;
}

;// CONCATENATED MODULE: ./src/check/requirements.ts


/**
 * What krata's own code needs to boot a zone kernel, beyond its documented list (krata v0.0.21: the x86 PV ELF
 * loader, and zone init mounting its root, config and addons disks). A `-k` kernel gets the *system's* modules,
 * so all of it must be built in.
 */
function bootRequirements() {
    const source = 'krata-boot';
    const builtIn = (option, reason, severity) => ({
        option,
        wanted: 'y',
        source,
        reason,
        ...(severity ? { severity } : {}),
    });
    return [
        {
            option: 'CONFIG_KERNEL_GZIP',
            anyOf: ['CONFIG_KERNEL_XZ'],
            wanted: 'y',
            source,
            arches: ['x86_64'],
            reason: "krata's loader finds the kernel inside a gzip or xz stream; zstd, lz4, lzo, lzma and bzip2 kernels do not boot",
        },
        builtIn('CONFIG_BLK_DEV_INITRD', 'krata boots every zone with its initrd'),
        builtIn('CONFIG_SQUASHFS', 'the zone root image, its config disk and the addons disk are squashfs'),
        builtIn('CONFIG_OVERLAY_FS', 'zone init overlays a writable layer on the root image'),
        builtIn('CONFIG_TMPFS', 'zone init mounts tmpfs for the writable layer and /tmp'),
        builtIn('CONFIG_DEVTMPFS', 'zone init mounts /dev as devtmpfs'),
        builtIn('CONFIG_PROC_FS', 'zone init mounts /proc'),
        builtIn('CONFIG_SYSFS', 'zone init mounts /sys'),
        builtIn('CONFIG_CGROUPS', 'zone init mounts cgroup2 for the workload'),
        builtIn('CONFIG_UNIX98_PTYS', 'zone init mounts /dev/pts for the workload console'),
        builtIn('CONFIG_EROFS_FS', 'images packed as erofs are mounted with it', 'warning'),
    ];
}
const TARGETS = ['zone', 'host'];
// Symbols defined only in arch/x86 (or depending on X86/XEN_PV): an arm64 kernel can never have them.
const X86_ONLY = new Set([
    'CONFIG_XEN_PV',
    'CONFIG_XEN_512GB',
    'CONFIG_XEN_PV_SMP',
    'CONFIG_XEN_PVHVM',
    'CONFIG_XEN_PVHVM_SMP',
    'CONFIG_XEN_PVHVM_GUEST',
    'CONFIG_XEN_SAVE_RESTORE',
    'CONFIG_XEN_PVH',
    'CONFIG_XEN_PV_MSR_SAFE',
    'CONFIG_XEN_PV_DOM0',
    'CONFIG_PCI_XEN',
    'CONFIG_XEN_PCIDEV_FRONTEND',
    'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT',
    'CONFIG_XEN_HAVE_PVMMU',
    'CONFIG_XEN_HAVE_VPMU',
    'CONFIG_XEN_ACPI',
    'CONFIG_XEN_PCIDEV_BACKEND',
    'CONFIG_XEN_ACPI_PROCESSOR',
    'CONFIG_XEN_MCE_LOG',
]);
// Symbols younger than the oldest kernels people still build (5.15): XEN_PV_MSR_SAFE came in 6.1, XEN_VIRTIO and
// XEN_GRANT_DMA_OPS in 5.19.
const INTRODUCED = new Map([
    ['CONFIG_XEN_PV_MSR_SAFE', [6, 1]],
    ['CONFIG_XEN_VIRTIO', [5, 19]],
    ['CONFIG_XEN_GRANT_DMA_OPS', [5, 19]],
]);
// krata's "Minimum requirements for a zone-wide/system-wide kernel", in the order of its documentation.
const ZONE_LIST = `
CONFIG_XEN=y
CONFIG_XEN_PV=y
CONFIG_XEN_512GB=y
CONFIG_XEN_PV_SMP=y
CONFIG_XEN_PVHVM=y
CONFIG_XEN_PVHVM_SMP=y
CONFIG_XEN_PVHVM_GUEST=y
CONFIG_XEN_SAVE_RESTORE=y
CONFIG_XEN_PVH=y
CONFIG_XEN_PV_MSR_SAFE=y
CONFIG_PCI_XEN=y
CONFIG_NET_9P_XEN=y
CONFIG_XEN_PCIDEV_FRONTEND=y
CONFIG_XEN_BLKDEV_FRONTEND=y
CONFIG_XEN_NETDEV_FRONTEND=y
CONFIG_INPUT_XEN_KBDDEV_FRONTEND=y
CONFIG_HVC_XEN=y
CONFIG_HVC_XEN_FRONTEND=y
CONFIG_XEN_FBDEV_FRONTEND=m
CONFIG_XEN_BALLOON=y
CONFIG_XEN_BALLOON_MEMORY_HOTPLUG=y
CONFIG_XEN_MEMORY_HOTPLUG_LIMIT=512
CONFIG_XEN_SCRUB_PAGES_DEFAULT=y
CONFIG_XEN_DEV_EVTCHN=y
CONFIG_XEN_BACKEND=y
CONFIG_XENFS=y
CONFIG_XEN_COMPAT_XENFS=y
CONFIG_XEN_SYS_HYPERVISOR=y
CONFIG_XEN_XENBUS_FRONTEND=y
CONFIG_SWIOTLB_XEN=y
CONFIG_XEN_HAVE_PVMMU=y
CONFIG_XEN_EFI=y
CONFIG_XEN_AUTO_XLATE=y
CONFIG_XEN_ACPI=y
CONFIG_XEN_HAVE_VPMU=y
CONFIG_XEN_GRANT_DMA_OPS=y
CONFIG_XEN_VIRTIO=y
`;
// krata's additional "Minimum requirements for a host kernel" (a host needs the zone list too).
const HOST_LIST = `
CONFIG_XEN_PV_DOM0=y
CONFIG_XEN_DOM0=y
CONFIG_PCI_XEN=y
CONFIG_XEN_PCIDEV_BACKEND=y
CONFIG_XEN_BLKDEV_BACKEND=y
CONFIG_XEN_NETDEV_BACKEND=y
CONFIG_XEN_SCSI_BACKEND=y
CONFIG_XEN_PVCALLS_BACKEND=y
CONFIG_TCG_XEN=m
CONFIG_XEN_WDT=y
CONFIG_XEN_DEV_EVTCHN=y
CONFIG_XEN_GNTDEV=y
CONFIG_XEN_GRANT_DEV_ALLOC=y
CONFIG_XEN_GRANT_DMA_ALLOC=y
CONFIG_SWIOTLB_XEN=y
CONFIG_XEN_PRIVCMD=y
CONFIG_XEN_ACPI_PROCESSOR=y
CONFIG_XEN_MCE_LOG=y
`;
/** What a `.config` line asks for when read as a requirement: its state is the wanted one. */
function wantedOf(entry) {
    if (entry.state === 'not-set')
        return 'n';
    return entry.state === 'value' ? { value: entry.value } : entry.state;
}
/** Requirements in fragment syntax (`CONFIG_X=y|m|<value>`, `# CONFIG_X is not set`: must be off), read with the config grammar. */
function parseRequirementLines(text, file, source) {
    const requirements = [];
    text.split('\n').forEach((raw, index) => {
        const line = index + 1;
        const parsed = parseConfigLine(raw.replace(/\r$/, ''), file, line);
        if (parsed === 'invalid') {
            throw new InputError(`${file}:${line}: not a requirement (want CONFIG_X=y|m|<value> or "# CONFIG_X is not set")`);
        }
        if (parsed)
            requirements.push({ option: parsed.option, wanted: wantedOf(parsed.entry), source: source(line) });
    });
    return requirements;
}
function builtIn(list, source) {
    return parseRequirementLines(list, `built-in ${source} list`, () => source).map((requirement) => ({
        ...requirement,
        ...(X86_ONLY.has(requirement.option) ? { arches: ['x86_64'] } : {}),
        ...(INTRODUCED.has(requirement.option) ? { since: INTRODUCED.get(requirement.option) } : {}),
    }));
}
/** The built-in set for a target: `host` is the zone list plus the host list, each option once (first listing wins). */
function requirementsFor(target) {
    const lists = target === 'zone' ? [builtIn(ZONE_LIST, 'zone')] : [builtIn(ZONE_LIST, 'host'), builtIn(HOST_LIST, 'host')];
    return mergeRequirements(lists.flat(), []);
}
/**
 * Adds user rules to a base set. A user rule for an option the base already has replaces it in place (the user knows
 * their kernel); new options are appended in the order given.
 */
function mergeRequirements(base, extra) {
    const byOption = new Map();
    for (const r of base)
        if (!byOption.has(r.option))
            byOption.set(r.option, r);
    for (const r of extra)
        byOption.set(r.option, r);
    return [...byOption.values()];
}
/** Parses a user requirements file (fragment syntax); any other non-comment line is an error naming file:line. */
function parseRequirementsFile(text, file) {
    return parseRequirementLines(text, file, (line) => `${file}:${line}`);
}

;// CONCATENATED MODULE: ./src/requirement.ts
/** The wanted state as the JSON report and the summary show it: `y`, `m`, `not set` or the value. */
function wantedText(wanted) {
    if (wanted === 'n')
        return 'not set';
    return typeof wanted === 'string' ? wanted : wanted.value;
}
/** The wanted state as kconfig spells a value: `y`, `m`, `n` or the value. */
function kconfigValue(wanted) {
    return typeof wanted === 'string' ? wanted : wanted.value;
}
/** `CONFIG_XEN` → `XEN`: Kconfig names symbols without the prefix. */
function symbolOf(option) {
    return option.startsWith('CONFIG_') ? option.slice('CONFIG_'.length) : option;
}

;// CONCATENATED MODULE: ./src/check/evaluate.ts


/** Checks every requirement against the config. Pure: same inputs, same results, in requirement order. */
function evaluateRequirements(config, requirements, options) {
    const ignored = new Set((options.ignore ?? []).map(withPrefix));
    const kernel = majorMinor(options.version);
    return requirements.map((requirement) => {
        const entry = config.entries.get(requirement.option);
        const base = {
            requirement,
            option: requirement.option,
            wanted: wantedText(requirement.wanted),
            found: describeEntry(entry),
            line: entry?.line ?? null,
            source: requirement.source,
        };
        if (ignored.has(requirement.option)) {
            return { ...base, status: 'skipped', message: `${requirement.option}: skipped (input ignore)` };
        }
        if (requirement.arches && !requirement.arches.includes(options.arch)) {
            return {
                ...base,
                status: 'not-applicable',
                message: `${requirement.option}: not applicable on ${options.arch} (the symbol exists only on ${requirement.arches.join(', ')})`,
            };
        }
        if (!entry && requirement.since && kernel && olderThan(kernel, requirement.since)) {
            return {
                ...base,
                status: 'warning',
                message: `${requirement.option} is absent: it does not exist before Linux ${requirement.since.join('.')} (config is ${options.version})`,
            };
        }
        const alternative = requirement.anyOf
            ?.map((option) => ({ option, entry: config.entries.get(option) }))
            .find((a) => verdict(a.option, requirement.wanted, a.entry, KRATA, false).status === 'ok');
        if (alternative) {
            return {
                ...base,
                found: `${alternative.option}=${describeEntry(alternative.entry)}`,
                line: alternative.entry?.line ?? null,
                status: 'ok',
                message: `${alternative.option}=${describeEntry(alternative.entry)}`,
            };
        }
        const judged = verdict(requirement.option, requirement.wanted, entry, who(requirement), options.strict ?? false);
        return { ...base, ...explained(requirement, judged, config) };
    });
}
/** Adds the alternatives and krata's reason to a failure, and softens it for warning-only requirements. */
function explained(requirement, judged, config) {
    if (judged.status === 'ok')
        return judged;
    let message = judged.message;
    if (requirement.anyOf?.length) {
        const options = [requirement.option, ...requirement.anyOf];
        const found = options.map((o) => `${o} ${describeEntry(config.entries.get(o))}`).join(', ');
        message = `none of ${options.join(', ')} is =${wantedText(requirement.wanted)} (${found})`;
    }
    if (requirement.reason)
        message = `${message}: ${requirement.reason}`;
    return { status: requirement.severity === 'warning' && judged.status === 'error' ? 'warning' : judged.status, message };
}
function verdict(option, wanted, entry, who, strict) {
    const ok = (message) => ({ status: 'ok', message });
    const error = (message) => ({ status: 'error', message });
    if (wanted === 'n') {
        if (!entry || entry.state === 'not-set')
            return ok(`${option} is off`);
        return error(`${option}=${describeEntry(entry)}, ${who.name} needs it off (# ${option} is not set)`);
    }
    const want = `${who.name} needs =${wantedText(wanted)}`;
    if (!entry)
        return error(`${option} is absent from the config, ${want}`);
    if (entry.state === 'not-set')
        return error(`${option} is not set, ${want}`);
    if (wanted === 'y') {
        if (entry.state === 'y')
            return ok(`${option}=y`);
        if (entry.state === 'm') {
            // "krata needs it built in": the reason is krata's way of loading modules, not the kind of kernel.
            return error(`${option}=m: built as a module, ${who.krata ? 'krata' : who.name} needs it built in (=y)`);
        }
        return error(`${option}=${entry.value}, ${want}`);
    }
    if (wanted === 'm') {
        if (entry.state === 'm')
            return ok(`${option}=m`);
        if (entry.state === 'y') {
            const message = `${option}=y: built in where ${who.name} asks for a module (=m)`;
            return strict ? error(`${message}; an error with strict: true`) : { status: 'warning', message };
        }
        return error(`${option}=${entry.value}, ${want}`);
    }
    const found = describeEntry(entry);
    if (entry.state === 'value' && sameValue(entry.value, wanted.value))
        return ok(`${option}=${found}`);
    return error(`${option}=${found}, ${want}`);
}
const KRATA = { name: 'krata', krata: true };
function who(requirement) {
    if (requirement.source === 'zone' || requirement.source === 'host')
        return { name: `a krata ${requirement.source} kernel`, krata: true };
    if (requirement.source === 'krata-boot')
        return { name: 'a krata zone kernel', krata: true };
    return { name: requirement.source, krata: false };
}
/** Hex values compare by value (`0x1F` = `0x1f`); anything else must match as written, as kconfig stores it. */
function sameValue(found, wanted) {
    if (found === wanted)
        return true;
    const hex = /^0x[0-9a-f]+$/i;
    if (hex.test(found) && hex.test(wanted))
        return BigInt(found) === BigInt(wanted);
    return false;
}
function olderThan([major, minor], [sinceMajor, sinceMinor]) {
    return major < sinceMajor || (major === sinceMajor && minor < sinceMinor);
}
function withPrefix(option) {
    const trimmed = option.trim();
    return trimmed.startsWith('CONFIG_') ? trimmed : `CONFIG_${trimmed}`;
}
function countResults(results) {
    return {
        errors: results.filter((r) => r.status === 'error').length,
        warnings: results.filter((r) => r.status === 'warning').length,
    };
}

;// CONCATENATED MODULE: ./src/check/report.ts

const FAIL_ON = ['error', 'warning', 'never'];
function buildReport(fields, results, failOn) {
    const duplicates = (fields.duplicates ?? []).map((d) => ({ ...d, message: duplicateMessage(d) }));
    const counted = countResults(results);
    const errors = counted.errors;
    const warnings = counted.warnings + duplicates.length;
    return {
        target: fields.target,
        arch: fields.arch,
        version: fields.version ?? null,
        config: fields.config,
        passed: !isFailing({ errors, warnings }, failOn === 'never' ? 'error' : failOn),
        errors,
        warnings,
        results,
        duplicates,
    };
}
function duplicateMessage(d) {
    return `${d.option} is set twice (lines ${d.previousLine} and ${d.line}); the last one wins`;
}
/** Whether unmet requirements fail the step; `fail-on` never excuses unusable input, which fails earlier. */
function isFailing(counts, failOn) {
    if (failOn === 'never')
        return false;
    return counts.errors > 0 || (failOn === 'warning' && counts.warnings > 0);
}
/** What failed, in one line: `.config: 1 error, 0 warnings against the krata zone requirements (x86_64)`. */
function failureSummary(report) {
    const parts = [plural(report.errors, 'error'), plural(report.warnings, 'warning')];
    return `${report.config}: ${parts.join(', ')} against the krata ${report.target} requirements (${report.arch})`;
}
/** The one line the step fails with: the summary, and where the details are on a runner. */
function failureLine(report) {
    return `${failureSummary(report)}; see the annotations and the job summary`;
}
/** The report's fields as the JSON report documents them (README "JSON report"); the structured requirement stays inside. */
function reportJson(report) {
    const results = report.results.map(({ requirement: _, ...row }) => row);
    return `${JSON.stringify({ ...report, results }, null, 2)}\n`;
}
function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(6466);
;// CONCATENATED MODULE: ./src/oci/digest.ts
// sha256 digests in the OCI form `sha256:<64 hex>`, computed while bytes stream past (never a whole file in memory).





// The one digest pattern: every reference, descriptor and layout file name is checked against it.
const SHA256_DIGEST = /^sha256:([0-9a-f]{64})$/;
/** `sha256:` and 64 lowercase hex digits: the only digest form this action writes or accepts. */
function isSha256Digest(text) {
    return SHA256_DIGEST.test(text);
}
/** `sha256:<hex>` of a buffer. */
function digest_sha256Digest(bytes) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
}
/** The hex part of a `sha256:` digest; anything else is refused, so it is safe to use as a file name. */
function digestHex(digest) {
    const match = SHA256_DIGEST.exec(digest);
    if (!match)
        throw new InternalError(`not a sha256 digest: ${JSON.stringify(digest)}`);
    return match[1];
}
/** Passes bytes through unchanged while hashing and counting them; `result()` is valid once the stream has flushed. */
class DigestingStream extends external_node_stream_.Transform {
    #hash = (0,external_node_crypto_.createHash)('sha256');
    #size = 0;
    #digest;
    _transform(chunk, _encoding, callback) {
        this.#hash.update(chunk);
        this.#size += chunk.length;
        callback(null, chunk);
    }
    _flush(callback) {
        this.#digest = `sha256:${this.#hash.digest('hex')}`;
        callback();
    }
    result() {
        if (this.#digest === undefined)
            throw new InternalError('digest read before the stream ended');
        return { digest: this.#digest, size: this.#size };
    }
}
/**
 * The one verifying reader: passes a blob's bytes through, failing the stream as soon as there are more than the
 * descriptor's `size`, or at the end when the count or the sha256 differs. A reader never sees a short, long or
 * altered blob end cleanly; every mismatch is an IntegrityError.
 */
class VerifyingStream extends external_node_stream_.Transform {
    expected;
    where;
    #hash = (0,external_node_crypto_.createHash)('sha256');
    #seen = 0;
    constructor(expected, where) {
        super({ highWaterMark: 1 << 20 });
        this.expected = expected;
        this.where = where;
    }
    _transform(chunk, _encoding, callback) {
        this.#seen += chunk.length;
        if (this.#seen > this.expected.size) {
            callback(new IntegrityError(`${this.where}: blob ${this.expected.digest} is longer than its ${this.expected.size} bytes`));
            return;
        }
        this.#hash.update(chunk);
        callback(null, chunk);
    }
    _flush(callback) {
        callback(checkBytes(this.expected, this.#seen, `sha256:${this.#hash.digest('hex')}`, this.where) ?? null);
    }
}
/** The IntegrityError for bytes that are not what their descriptor says, or undefined when they are. */
function checkBytes(expected, size, digest, where) {
    if (size !== expected.size)
        return new IntegrityError(`${where}: blob ${expected.digest} is ${size} bytes, its descriptor says ${expected.size}`);
    if (digest !== expected.digest)
        return new IntegrityError(`${where}: blob ${expected.digest} has digest ${digest} (corrupt or altered)`);
    return undefined;
}
/** `source` piped into a VerifyingStream, with source errors carried over and the source closed with it. */
function verifiedStream(source, expected, where) {
    const check = new VerifyingStream(expected, where);
    source.on('error', (error) => check.destroy(error));
    check.on('close', () => source.destroy());
    return source.pipe(check);
}
/** Digest and size of a file, read as a stream. */
async function digest_sha256OfFile(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let size = 0;
    await (0,external_node_stream_promises_.pipeline)(external_node_fs_default().createReadStream(file, { highWaterMark: 1 << 20 }), async (source) => {
        for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.length;
        }
    });
    return { digest: `sha256:${hash.digest('hex')}`, size };
}

;// CONCATENATED MODULE: ./src/oci/reference.ts
// The one grammar for naming images: a repository (where an image goes, parsed the way `docker push` reads it), an
// image reference (`host/repo[:tag|@digest]` or `oci:<layout>[:tag|@digest]`), a tag and a digest. Every input that
// names an image (`repository`, `compare-to`, `merge`, and the verify, install and diff commands) is read here.


const dockerHubRegistry = 'registry-1.docker.io';
// OCI distribution spec: a path component, and a tag.
const pathComponent = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
// A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
const hostPattern = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;
/**
 * `ghcr.io/org/kernel` → {registry: 'ghcr.io', repository: 'org/kernel'}. The first component names a
 * registry only if it has a `.` or `:` or is `localhost` (Docker's rule); otherwise it is Docker Hub.
 */
function parseRepository(text) {
    const input = text.trim();
    const fail = (why) => {
        throw new InputError(`repository "${text}": ${why}`);
    };
    if (input === '')
        fail('is empty');
    // `user:password@host/path`: the password must not reach a log, so this message never quotes the input.
    if (hasUserInfo(input)) {
        throw new InputError('repository: must not include a user name or password (user:password@host); give them as username and password');
    }
    if (input.includes('://'))
        fail('must not include a scheme (write host/path, e.g. ghcr.io/org/kernel)');
    if (input.includes('@'))
        fail('must not include a digest (give tags in the tags input)');
    const slash = input.indexOf('/');
    const first = slash < 0 ? '' : input.slice(0, slash);
    const namesRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
    let registry = namesRegistry ? first : dockerHubRegistry;
    let repository = namesRegistry ? input.slice(slash + 1) : input;
    if (namesRegistry && !hostPattern.test(registry))
        fail(`"${registry}" is not a valid registry host`);
    const port = /:([0-9]+)$/.exec(registry)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
        fail(`port ${port} of "${registry}" is not in 1-65535`);
    if (registry === 'docker.io' || registry === 'index.docker.io')
        registry = dockerHubRegistry;
    if (repository.includes(':'))
        fail('must not include a tag (give tags in the tags input)');
    if (repository !== repository.toLowerCase())
        fail('must be lowercase');
    const components = repository.split('/');
    for (const component of components) {
        if (!pathComponent.test(component))
            fail(`"${component}" is not a valid path component ([a-z0-9] separated by . _ __ or -)`);
    }
    if (registry === dockerHubRegistry && components.length === 1)
        repository = `library/${repository}`;
    if (registry.length + 1 + repository.length > 255)
        fail('is longer than 255 characters');
    return { registry, repository };
}
/** `user:pw@host/path` (with or without a scheme): an `@` in the host part that does not start a digest. */
function hasUserInfo(input) {
    const withoutScheme = input.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
    const hostPart = withoutScheme.split('/')[0];
    const at = hostPart.indexOf('@');
    return at >= 0 && !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/.test(hostPart.slice(at + 1));
}
function isValidTag(tag) {
    return tagPattern.test(tag);
}
/** The one message for a tag outside the OCI grammar, prefixed with the input that gave it. */
function tagError(input, tag) {
    return new InputError(`${input}: ${JSON.stringify(tag)} is not a valid OCI tag (letters, digits, _ . -; at most 128; not starting with . or -)`);
}
/** The tag used when a registry reference names neither a tag nor a digest. */
const DEFAULT_TAG = 'latest';
/** Parses `oci:<layout-dir>[:tag|@digest]` or `host[:port]/repo[:tag|@digest]` (tag `latest` when none is given). */
function reference_parseImageReference(text) {
    const input = text.trim();
    if (input === '')
        throw new InputError('image reference is empty');
    // Checked before anything quotes the input: a password in it must never reach a log.
    if (!input.startsWith('oci:') && hasUserInfo(input)) {
        throw new InputError("image reference: must not include a user name or password (user:password@host); use a Docker login or the action's username and password");
    }
    const fail = (why) => {
        throw new InputError(`image reference "${text}": ${why}`);
    };
    const at = input.lastIndexOf('@');
    const digest = at < 0 ? undefined : input.slice(at + 1);
    if (digest !== undefined && !isSha256Digest(digest))
        fail(`"${digest}" is not a sha256:<64 hex> digest`);
    const rest = at < 0 ? input : input.slice(0, at);
    const layout = rest.startsWith('oci:');
    const body = layout ? rest.slice('oci:'.length) : rest;
    // A tag follows the last ':' that comes after the last '/', so a folder may itself hold ':' only before a '/'.
    const colon = body.lastIndexOf(':');
    const hasTag = digest === undefined && colon > body.lastIndexOf('/');
    const name = hasTag ? body.slice(0, colon) : body;
    const given = hasTag ? body.slice(colon + 1) : undefined;
    const pinned = digest !== undefined ? { digest } : {};
    if (layout) {
        if (name === '')
            fail('oci: needs a layout folder');
        if (given === '')
            fail('empty tag');
        return { kind: 'layout', text: input, dir: name, ...(given !== undefined ? { tag: given } : {}), ...pinned };
    }
    const tag = given ?? (digest === undefined ? DEFAULT_TAG : undefined);
    if (tag !== undefined && !isValidTag(tag))
        throw tagError(`image reference "${text}"`, tag);
    let repository;
    try {
        repository = parseRepository(name);
    }
    catch (error) {
        throw new InputError(`image reference "${text}": ${error.message.replace(/^repository "[^"]*": /, '')}`);
    }
    return { kind: 'registry', text: input, repository, ...(tag !== undefined ? { tag } : {}), ...pinned };
}
/** The tag or digest to fetch first; undefined for a layout reference naming neither (its only image, or `latest`). */
function reference_startingPoint(reference) {
    return reference.digest ?? reference.tag ?? (reference.kind === 'registry' ? DEFAULT_TAG : undefined);
}
/** `ghcr.io/org/kernel` and `docker.io/org/kernel` name one repository when their parsed forms agree. */
function sameRepository(a, b) {
    return a.registry === b.registry && a.repository === b.repository;
}
/** 127.0.0.0/8, localhost and [::1], with or without a port: a registry that may be spoken to over plain HTTP. */
function isLoopbackRegistry(host) {
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:[0-9]+$/, '');
    if (name === 'localhost' || name === '[::1]')
        return true;
    return /^127\.(?:[0-9]{1,3})\.(?:[0-9]{1,3})\.(?:[0-9]{1,3})$/.test(name);
}
/** The base URL of a registry: HTTPS unless it is on loopback or the caller allows insecure HTTP. */
function registryBaseUrl(registry, insecure = false) {
    const scheme = insecure || isLoopbackRegistry(registry) ? 'http' : 'https';
    return `${scheme}://${registry}`;
}

// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
;// CONCATENATED MODULE: ./src/sample.ts




/**
 * The bundled sample kernel (`assets/sample`, see its README). It is found by walking up from this file, which works
 * from `src/` under jest and from `dist/` in the bundle, without the bundler copying the assets into `dist/`.
 */
function sampleKernel(arch = 'x86_64') {
    let dir = external_node_path_default().dirname((0,external_node_url_.fileURLToPath)(import.meta.url));
    for (let depth = 0; depth < 4; depth++) {
        const candidate = external_node_path_default().join(dir, 'assets', 'sample');
        if ((0,external_node_fs_.existsSync)(external_node_path_default().join(candidate, 'config'))) {
            // The arm64 sample lives in arm64/ beside the x86_64 one (assets/sample/README.md).
            const at = arch === 'x86_64' ? candidate : external_node_path_default().join(candidate, 'arm64');
            return {
                config: external_node_path_default().join(at, 'config'),
                image: external_node_path_default().join(at, arch === 'x86_64' ? 'bzImage' : 'Image.gz'),
                addons: external_node_path_default().join(at, 'addons.squashfs'),
            };
        }
        dir = external_node_path_default().dirname(dir);
    }
    throw new InternalError('the bundled sample kernel (assets/sample) is missing from this copy of kernel-action');
}

;// CONCATENATED MODULE: ./src/publish/annotations.ts

/**
 * The manifest annotations: the three `dev.edera.kernel.*` keys krata's own tooling requires (format, version,
 * flavor), the config digest, tags and arch, the OCI standard keys, then the user's, which win on conflict.
 */
function kernelAnnotations(facts, user) {
    const generated = {
        'dev.edera.kernel.format': '1',
        'dev.edera.kernel.version': facts.version,
        'dev.edera.kernel.flavor': facts.flavor,
        'dev.edera.kernel.arch': facts.arch,
        'dev.edera.kernel.config': facts.configDigest,
        'dev.edera.kernel.tags': facts.tags.join(','),
        'org.opencontainers.image.created': facts.created,
        'org.opencontainers.image.title': facts.title,
        'org.opencontainers.image.version': facts.version,
        ...(facts.source ? { 'org.opencontainers.image.source': facts.source } : {}),
        ...(facts.revision ? { 'org.opencontainers.image.revision': facts.revision } : {}),
    };
    return { ...generated, ...user };
}
/** Input `annotations`: one `KEY=VALUE` per line; the key is a reverse-DNS style name. */
function parseAnnotationLines(lines) {
    const annotations = {};
    for (const line of lines) {
        const eq = line.indexOf('=');
        const key = eq > 0 ? line.slice(0, eq).trim() : '';
        if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key)) {
            throw new InputError(`annotations: ${JSON.stringify(line)} is not KEY=VALUE with a key such as org.example.name`);
        }
        annotations[key] = line.slice(eq + 1).trim();
    }
    return annotations;
}
// An OCI `created` is RFC 3339, whose year has four digits: 9999-12-31T23:59:59Z is the last second.
const LAST_RFC3339_SECOND = 253_402_300_799;
/**
 * `created` must not change between two runs on the same inputs, or the digest would: take SOURCE_DATE_EPOCH,
 * else the commit time, else the Unix epoch.
 */
function createdTimestamp(sourceDateEpoch, commitTime) {
    if (sourceDateEpoch !== undefined && sourceDateEpoch !== '') {
        if (!/^\d+$/.test(sourceDateEpoch))
            throw new InputError(`SOURCE_DATE_EPOCH: ${JSON.stringify(sourceDateEpoch)} is not a number of seconds`);
        if (Number(sourceDateEpoch) > LAST_RFC3339_SECOND) {
            throw new InputError(`SOURCE_DATE_EPOCH: ${sourceDateEpoch} is past the year 9999 (at most ${LAST_RFC3339_SECOND})`);
        }
        return new Date(Number(sourceDateEpoch) * 1000).toISOString().replace('.000Z', 'Z');
    }
    return new Date((commitTime ?? 0) * 1000).toISOString().replace('.000Z', 'Z');
}

;// CONCATENATED MODULE: ./src/oci/types.ts
// The OCI image-spec data model, as plain data. Writers (layout, registry) are separate from it.
const types_MediaType = {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layerTar: 'application/vnd.oci.image.layer.v1.tar',
    layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
    dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
};

;// CONCATENATED MODULE: ./src/oci/image.ts
// Pure builders for the OCI image config, manifest and index, and their one canonical serialisation.



const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** krata's config parser requires `history`, so there is always one entry per layer. */
function image_imageConfig(spec) {
    if (!RFC3339.test(spec.created) || Number.isNaN(Date.parse(spec.created))) {
        throw new InternalError(`image creation time is not an RFC 3339 time: ${JSON.stringify(spec.created)}`);
    }
    if (spec.history.length !== spec.diffIds.length) {
        throw new InternalError(`${spec.diffIds.length} layers but ${spec.history.length} history entries`);
    }
    return {
        created: spec.created,
        architecture: spec.architecture,
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [...spec.diffIds] },
        history: spec.history.map((createdBy) => ({ created: spec.created, created_by: createdBy })),
    };
}
function image_imageManifest(spec) {
    return {
        schemaVersion: 2,
        mediaType: types_MediaType.manifest,
        config: spec.config,
        layers: [...spec.layers],
        ...(hasEntries(spec.annotations) ? { annotations: { ...spec.annotations } } : {}),
    };
}
function imageIndex(spec) {
    return {
        schemaVersion: 2,
        mediaType: types_MediaType.index,
        manifests: [...spec.manifests],
        ...(hasEntries(spec.annotations) ? { annotations: { ...spec.annotations } } : {}),
    };
}
/**
 * Serialises JSON data once, canonically: no whitespace and object keys sorted at every level, so equal data
 * always gives equal bytes and digest, whatever order the object was built in. Array order is kept.
 */
function image_serializeJson(data, mediaType) {
    const bytes = Buffer.from(canonicalJson(data), 'utf8');
    return { descriptor: { mediaType, digest: digest_sha256Digest(bytes), size: bytes.length }, bytes };
}
function canonicalJson(data) {
    return JSON.stringify(sortKeys(data));
}
function sortKeys(value) {
    if (Array.isArray(value))
        return value.map(sortKeys);
    if (value !== null && typeof value === 'object') {
        const sorted = {};
        for (const key of Object.keys(value).sort()) {
            const item = value[key];
            if (item !== undefined)
                sorted[key] = sortKeys(item);
        }
        return sorted;
    }
    return value;
}
function hasEntries(record) {
    return record !== undefined && Object.keys(record).length > 0;
}

;// CONCATENATED MODULE: ./src/publish/tags.ts


const PLACEHOLDER = /\{\{\s*([a-z]+)\s*\}\}/g;
/**
 * Expands tag templates (`{{version}}`, `{{major}}`, `{{minor}}`, `{{patch}}`, `{{flavor}}`, `{{arch}}`) and checks
 * each result against the OCI tag grammar before anything is written. Docker tags cannot hold `+`, so a version such
 * as `6.18.44+nvidia` is written with `-`, as Edera's publisher does. Duplicates are dropped, order kept.
 */
function expandTags(templates, context) {
    const version = context.version.replace(/\+/g, '-');
    const [major = '', minor = '', patch = ''] = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version)?.slice(1) ?? [];
    const values = { version, major, minor, patch, flavor: context.flavor, arch: context.arch };
    const tags = (templates.length ? templates : ['{{version}}']).map((template) => {
        const tag = template.replace(PLACEHOLDER, (whole, name) => {
            if (!(name in values))
                throw new InputError(`tags: unknown placeholder ${whole} in ${JSON.stringify(template)}`);
            if (values[name] === '')
                throw new InputError(`tags: ${whole} in ${JSON.stringify(template)} is empty for version ${JSON.stringify(context.version)}`);
            return values[name];
        });
        if (!isValidTag(tag))
            throw tagError('tags', tag);
        return tag;
    });
    return [...new Set(tags)];
}

;// CONCATENATED MODULE: ./src/publish/merge-index.ts
// The pure half of a merge: which images the `merge` input names, whether they may share one index, and that index.








const INPUT = 'merge';
// Per-image facts that have no single value for an index; `tags` is rewritten with the index's own tags.
const PER_IMAGE_KEYS = new Set(['dev.edera.kernel.arch', 'dev.edera.kernel.tags', 'org.opencontainers.image.ref.name']);
/** One line of the `merge` input: `sha256:…`, `REPOSITORY@sha256:…` or `oci:LAYOUT@sha256:…` (the `image-ref` output). */
function parseMergeSources(lines, target) {
    const digests = [];
    for (const line of lines) {
        const digest = isSha256Digest(line) ? line : digestOfReference(line, target);
        if (digests.includes(digest))
            throw new InputError(`${INPUT}: ${digest} is listed twice`);
        digests.push(digest);
    }
    return digests;
}
/** `REPOSITORY@digest` or `oci:LAYOUT@digest`, read by the one reference grammar, naming where the index goes. */
function digestOfReference(line, target) {
    const notADigest = () => new InputError(`${INPUT}: ${JSON.stringify(line)} is not a sha256 digest or REPOSITORY@sha256:<64 hex>`);
    const at = line.lastIndexOf('@');
    if (at < 0 || !isSha256Digest(line.slice(at + 1)))
        throw notADigest();
    let ref;
    try {
        ref = reference_parseImageReference(line);
    }
    catch (error) {
        throw new InputError(`${INPUT}: ${error.message}`);
    }
    if (ref.digest === undefined)
        throw notADigest();
    const named = line.slice(0, at);
    if (ref.kind === 'layout') {
        if (target.kind === 'layout' && external_node_path_default().resolve(ref.dir) === external_node_path_default().resolve(target.dir))
            return ref.digest;
        const into = target.kind === 'layout' ? `the OCI layout ${target.dir}` : target.name;
        throw new InputError(`${INPUT}: ${line} is in the OCI layout ${ref.dir}, but the index goes to ${into}; the images must be where the index goes`);
    }
    if (target.kind === 'layout') {
        throw new InputError(`${INPUT}: ${line} names a registry repository, but input repository is empty (merging into the OCI layout ${target.dir}); set repository`);
    }
    if (!sameRepository(ref.repository, target.ref)) {
        // distribution rejects an index whose children are in another repository (MANIFEST_BLOB_UNKNOWN).
        throw new InputError(`${INPUT}: ${line} is in ${named}, not in ${target.name}; every image of an index must be in the repository the index goes to`);
    }
    return ref.digest;
}
/**
 * Checks that the images are one kernel (same `dev.edera.kernel.version` and `.flavor`) for distinct platforms krata
 * can pick (`linux` + `amd64`/`arm64`), and builds the index: entries in architecture order, so the digest does not
 * depend on the order the matrix jobs finished in; the shared kernel annotations on the index too.
 */
function planKernelIndex(images, options) {
    if (images.length === 0)
        throw new InputError(`${INPUT}: no images to merge`);
    const entries = images.map((image) => ({ image, platform: platformOf(image) }));
    for (const [i, a] of entries.entries()) {
        for (const b of entries.slice(i + 1)) {
            if (a.platform.architecture === b.platform.architecture) {
                throw new InputError(`${INPUT}: ${a.image.descriptor.digest} and ${b.image.descriptor.digest} are both linux/${a.platform.architecture}; an index holds one image per platform`);
            }
        }
    }
    const version = sharedAnnotation(images, 'dev.edera.kernel.version', 'versions');
    const flavor = sharedAnnotation(images, 'dev.edera.kernel.flavor', 'flavors');
    if (options.version && options.version !== version) {
        throw new InputError(`${INPUT}: the images are kernel ${version}, but input version is ${options.version}`);
    }
    if (options.flavor && options.flavor !== flavor) {
        throw new InputError(`${INPUT}: the images are flavor ${flavor}, but input flavor is ${options.flavor}`);
    }
    entries.sort((a, b) => OCI_ARCHES.indexOf(a.platform.architecture) - OCI_ARCHES.indexOf(b.platform.architecture));
    const architectures = entries.map((e) => e.platform.architecture);
    const tags = options.pushByDigest ? [] : indexTags(options.tagTemplates, version, flavor, architectures);
    const annotations = { ...agreedAnnotations(images) };
    if (tags.length > 0)
        annotations['dev.edera.kernel.tags'] = tags.join(',');
    Object.assign(annotations, options.annotations);
    const index = image_serializeJson(imageIndex({
        manifests: entries.map(({ image, platform }) => ({
            mediaType: image.descriptor.mediaType,
            digest: image.descriptor.digest,
            size: image.descriptor.size,
            platform,
        })),
        annotations,
    }), types_MediaType.index);
    return {
        index,
        tags,
        version,
        flavor,
        platforms: entries.map(({ image, platform }) => ({ architecture: platform.architecture, digest: image.descriptor.digest })),
    };
}
function platformOf(image) {
    const { digest } = image.descriptor;
    if (image.descriptor.mediaType !== types_MediaType.manifest) {
        const what = image.descriptor.mediaType === types_MediaType.index || image.descriptor.mediaType === types_MediaType.dockerManifestList
            ? 'an image index, not one image: list the per-architecture digests'
            : `a ${image.descriptor.mediaType || 'manifest of no media type'}, not an OCI image manifest`;
        throw new InputError(`${INPUT}: ${digest} is ${what}`);
    }
    const config = (typeof image.config === 'object' && image.config !== null ? image.config : {});
    const { architecture, os, variant } = config;
    if (os !== 'linux')
        throw new InputError(`${INPUT}: ${digest} has os ${JSON.stringify(os)} in its image config; krata runs linux images only`);
    if (!OCI_ARCHES.includes(architecture)) {
        throw new InputError(`${INPUT}: ${digest} has architecture ${JSON.stringify(architecture)} in its image config; krata picks only amd64 or arm64 from an index`);
    }
    const arch = architecture;
    const annotated = image.manifest.annotations?.['dev.edera.kernel.arch'];
    if (annotated !== undefined && annotated !== archOfOci(arch)) {
        throw new InputError(`${INPUT}: ${digest} says dev.edera.kernel.arch=${annotated}, but its image config says ${arch}`);
    }
    return { os: 'linux', architecture: arch, ...(typeof variant === 'string' && variant !== '' ? { variant } : {}) };
}
function sharedAnnotation(images, key, what) {
    const values = images.map((image) => {
        const value = image.manifest.annotations?.[key];
        if (value === undefined || value === '') {
            throw new InputError(`${INPUT}: ${image.descriptor.digest} has no ${key} annotation; merge takes kernel images published by this action`);
        }
        return { digest: image.descriptor.digest, value };
    });
    const other = values.find((v) => v.value !== values[0].value);
    if (other !== undefined) {
        throw new InputError(`${INPUT}: images of different kernel ${what}: ${values[0].digest} is ${values[0].value}, ${other.digest} is ${other.value}`);
    }
    return values[0].value;
}
/** The `dev.edera.kernel.*` and `org.opencontainers.image.*` annotations every image carries with the same value. */
function agreedAnnotations(images) {
    const first = images[0].manifest.annotations ?? {};
    const agreed = {};
    for (const [key, value] of Object.entries(first)) {
        if (!key.startsWith('dev.edera.kernel.') && !key.startsWith('org.opencontainers.image.'))
            continue;
        if (PER_IMAGE_KEYS.has(key))
            continue;
        if (images.every((image) => image.manifest.annotations?.[key] === value))
            agreed[key] = value;
    }
    return agreed;
}
function indexTags(templates, version, flavor, architectures) {
    const withArch = templates.find((t) => /\{\{\s*arch\s*\}\}/.test(t));
    if (withArch !== undefined && architectures.length > 1) {
        throw new InputError(`${INPUT}: tags: {{arch}} in ${JSON.stringify(withArch)} has no one value for an index of ${architectures.join(' and ')}`);
    }
    try {
        return expandTags(templates, { version, flavor, arch: archOfOci(architectures[0]) });
    }
    catch (error) {
        if (error instanceof InputError)
            throw new InputError(`${INPUT}: ${error.message}`);
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/oci/descriptor.ts
// A descriptor as found in a manifest, an index or a layout's index.json, checked field by field before anything
// uses it: its digest becomes a file name and a URL, its size a read bound. Hostile values are input errors that
// name the field, never an internal error further down.


/** No blob of a kernel image comes near this (a kernel is tens of MiB, addons a few hundred): a bound, not a limit. */
const MAX_BLOB_BYTES = 16 * 1024 * 1024 * 1024;
/** `where: field.digest …`: the checked descriptor, or an InputError naming the first field at fault. */
function checkDescriptor(value, field, where) {
    const fail = (what) => {
        throw new InputError(`${where}: ${field}${what}`);
    };
    if (value === null || typeof value !== 'object' || Array.isArray(value))
        fail(' is not a descriptor (a JSON object)');
    const d = value;
    if (typeof d.mediaType !== 'string')
        fail(`.mediaType ${shown(d.mediaType)} is not a string`);
    checkDigest(d.digest, `${field}.digest`, where);
    const size = d.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > MAX_BLOB_BYTES) {
        fail(`.size ${shown(size)} is not a byte count from 0 to ${MAX_BLOB_BYTES}`);
    }
    if (d.annotations !== undefined && !isStringMap(d.annotations))
        fail('.annotations is not an object of strings');
    if (d.platform !== undefined) {
        const p = d.platform;
        if (p === null || typeof p !== 'object' || Array.isArray(p))
            fail('.platform is not an object');
        for (const key of ['os', 'architecture', 'variant']) {
            if (p[key] !== undefined && typeof p[key] !== 'string')
                fail(`.platform.${key} ${shown(p[key])} is not a string`);
        }
    }
    return d;
}
/** A digest this action can name a file or URL after: `sha256:<64 lowercase hex>`. */
function checkDigest(value, field, where) {
    if (typeof value === 'string' && isSha256Digest(value))
        return value;
    const algorithm = typeof value === 'string' ? /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):[a-zA-Z0-9=_-]+$/.exec(value)?.[1] : undefined;
    if (algorithm !== undefined && algorithm !== 'sha256') {
        throw new InputError(`${where}: ${field} ${shown(value)} uses ${algorithm}; only sha256 digests are read`);
    }
    throw new InputError(`${where}: ${field} ${shown(value)} is not a sha256:<64 hex> digest`);
}
function isStringMap(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
/** A hostile value, quoted for a one-line message and cut short. */
function shown(value) {
    const text = value === undefined ? 'undefined' : JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:timers/promises"
var external_node_timers_promises_ = __webpack_require__(8500);
;// CONCATENATED MODULE: ./src/oci/layout-files.ts
// The file-system side of sharing one OCI layout between runs: files created once by whichever run comes first, a
// lock file around index.json updates (with recovery from a lock whose owner died), and the removal of staging files
// that a killed run left behind. A run's files are named after their owner (host and pid) so a live one is never
// taken for abandoned.






const INCOMING_PREFIX = '.incoming-';
const HOST = (0,external_node_crypto_.createHash)('sha256').update(external_node_os_default().hostname()).digest('hex').slice(0, 8);
/** "<host hash>-<pid>": who owns a staging or lock file. */
function ownerTag() {
    return `${HOST}-${process.pid}`;
}
/** Names a layout creator makes in the layout's top folder (so a racing creator does not call them foreign). */
function isLayoutEntry(name) {
    return /^(?:oci-layout|index\.json|blobs)$/.test(name) || /^(?:oci-layout|index\.json)\..+\.(?:tmp|lock|broken)$|^index\.json\.lock$/.test(name);
}
/**
 * Creates `file` with `bytes` unless it exists, so that readers never see it partly written: the bytes go to a temp
 * file first, which is then hard-linked into place (link fails, instead of replacing, when another run was first).
 */
async function createFileOnce(file, bytes) {
    if (external_node_fs_default().existsSync(file))
        return;
    const temp = `${file}.${ownerTag()}-${(0,external_node_crypto_.randomUUID)()}.tmp`;
    try {
        await external_node_fs_default().promises.writeFile(temp, bytes, { flag: 'wx' });
        await external_node_fs_default().promises.link(temp, file).catch((error) => {
            if (error.code !== 'EEXIST')
                throw error;
        });
    }
    finally {
        await external_node_fs_default().promises.rm(temp, { force: true });
    }
}
/** Staging files without a live owner older than this are removed even when their owner cannot be asked (another host). */
const FOREIGN_STALE_MS = 24 * 60 * 60 * 1000;
/** Removes the files named `<prefix><host>-<pid>-...` in `dir` whose owner process is gone. */
async function removeAbandonedFiles(dir, prefix) {
    const names = await external_node_fs_default().promises.readdir(dir).catch(() => []);
    const now = Date.now();
    for (const name of names) {
        if (!name.startsWith(prefix))
            continue;
        const file = external_node_path_default().join(dir, name);
        if (ownerIsAlive(name.slice(prefix.length)))
            continue;
        if (!ownedHere(name.slice(prefix.length))) {
            const stat = await external_node_fs_default().promises.stat(file).catch(() => undefined);
            if (!stat || now - stat.mtimeMs < FOREIGN_STALE_MS)
                continue;
        }
        await external_node_fs_default().promises.rm(file, { force: true });
    }
}
/** True unless the tag names a process on this host that no longer exists. */
function ownerIsAlive(tag) {
    const match = /^([0-9a-f]{8})-(\d+)-/.exec(tag);
    if (!match)
        return false; // a staging file from before owners were named: only its age says (see ownedHere)
    if (match[1] !== HOST)
        return true;
    return processExists(Number(match[2]));
}
function ownedHere(tag) {
    return tag.startsWith(`${HOST}-`);
}
function processExists(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM'; // it exists, it is just not ours to signal
    }
}
/** How long to wait for another run's index.json update before giving up. */
const LOCK_TIMEOUT_MS = 60_000;
/**
 * Runs `critical` while holding the lock file `lock` (created with O_EXCL, holding its owner's tag). A lock whose owner
 * died (SIGKILL between create and remove) is broken; one held longer than LOCK_TIMEOUT_MS by another host too.
 */
async function withLockFile(lock, critical) {
    const mine = `${ownerTag()}-${(0,external_node_crypto_.randomUUID)()}\n`;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (let attempt = 0;; attempt++) {
        try {
            await external_node_fs_default().promises.writeFile(lock, mine, { flag: 'wx' });
            break;
        }
        catch (error) {
            if (error.code !== 'EEXIST')
                throw error;
        }
        if (await breakStaleLock(lock))
            continue;
        if (Date.now() > deadline)
            throw new InputError(`oci-layout: ${lock} held by another run for more than ${LOCK_TIMEOUT_MS / 1000} s`);
        await (0,external_node_timers_promises_.setTimeout)(Math.min(5 + attempt * 5, 100));
    }
    try {
        return await critical();
    }
    finally {
        // Remove the lock only while it is still ours.
        if ((await external_node_fs_default().promises.readFile(lock, 'utf8').catch(() => '')) === mine)
            await external_node_fs_default().promises.rm(lock, { force: true });
    }
}
/**
 * Breaks `lock` when its owner is gone. It is renamed aside first (atomic), so that of two runs breaking it at once
 * only one succeeds; should the renamed lock turn out to be live after all, it is linked back.
 */
async function breakStaleLock(lock) {
    const owner = await external_node_fs_default().promises.readFile(lock, 'utf8').catch(() => undefined);
    if (owner === undefined)
        return true; // released meanwhile: try again at once
    const stat = await external_node_fs_default().promises.stat(lock).catch(() => undefined);
    const tooOld = stat !== undefined && Date.now() - stat.mtimeMs > LOCK_TIMEOUT_MS;
    if (owner !== '' && ownerIsAlive(owner) && !tooOld)
        return false;
    if (owner === '' && !tooOld)
        return false; // being written right now
    const aside = `${lock}.${ownerTag()}-${(0,external_node_crypto_.randomUUID)()}.broken`;
    try {
        await external_node_fs_default().promises.rename(lock, aside);
    }
    catch {
        return true;
    }
    const taken = await external_node_fs_default().promises.readFile(aside, 'utf8').catch(() => '');
    if (taken !== owner)
        await external_node_fs_default().promises.link(aside, lock).catch(() => undefined); // a live lock: put it back
    await external_node_fs_default().promises.rm(aside, { force: true });
    return true;
}

;// CONCATENATED MODULE: ./src/oci/image-format.ts
// The krata kernel image format as plain data (krata-formats.md §2.4): which layer media types krata v0.0.21 reads,
// which index entries it picks, how many layers a kernel image has, and the one rule for tar entry names. The writers,
// the readers and the verify rules all take their vocabulary from here. No I/O.


const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
/** The layer media types krata v0.0.21 accepts (`acquire_layer`), and how each is compressed. */
const KRATA_LAYER_TYPES = new Map([
    [types_MediaType.layerTar, 'none'],
    [types_MediaType.layerGzip, 'gzip'],
    [types_MediaType.layerZstd, 'zstd'],
    [DOCKER_LAYER_GZIP, 'gzip'],
]);
/** krata matches an index entry by these architecture strings only (`aarch64` parses as Other and is never picked). */
const KRATA_PLATFORM_ARCHES = new Set(OCI_ARCHES);
/**
 * A kernel image has one layer per kernel file (four) and Edera's own a few more; a manifest listing more than this
 * is refused before any layer is read, so a hostile one cannot make us fetch thousands.
 */
const MAX_KERNEL_LAYERS = 16;
/** The directory every kernel file lives in, inside the image. */
const KERNEL_DIR = 'kernel';
const KERNEL_FILE_NAMES = ['image', 'addons.squashfs', 'config.gz', 'metadata'];
/**
 * The tar entry rule krata's reader applies: it compares entry paths as stored, so only `kernel/<file>` is that
 * file (`./kernel/image` and `/kernel/image` are other names). Undefined for any other entry.
 */
function kernelFileOfEntry(path) {
    if (!path.startsWith(`${KERNEL_DIR}/`))
        return undefined;
    const name = path.slice(KERNEL_DIR.length + 1);
    return KERNEL_FILE_NAMES.includes(name) ? name : undefined;
}
/** What krata reads as a file: a regular file entry in any of tar's spellings (never a link). */
function isRegularEntry(type) {
    return type === 'File' || type === 'OldFile' || type === 'ContiguousFile';
}
/** krata's pick: the first entry whose platform is linux and amd64 (x86_64) or arm64 (aarch64); variant ignored. */
function pickPlatform(index, arch) {
    const wanted = arch_ociArch(arch);
    return (index.manifests ?? []).find((entry) => entry.platform?.os === 'linux' && entry.platform.architecture === wanted);
}
/** Every entry krata could pick from an index, in order. */
function krataPlatformEntries(index) {
    return (index.manifests ?? []).filter((entry) => entry.platform?.os === 'linux' && KRATA_PLATFORM_ARCHES.has(entry.platform.architecture));
}
function platformText(entry) {
    if (entry.platform === undefined)
        return '(no platform)';
    const { os, architecture, variant } = entry.platform;
    return `${os}/${architecture}${variant ? `/${variant}` : ''}`;
}
/** An index by its media type (the registry's Content-Type or the descriptor's); by its shape when neither says. */
function isIndexDocument(mediaType, document) {
    if (mediaType === types_MediaType.index || mediaType === types_MediaType.dockerManifestList)
        return true;
    if (mediaType === types_MediaType.manifest || mediaType === types_MediaType.dockerManifest)
        return false;
    return Array.isArray(document.manifests) && !('layers' in document);
}
/**
 * The layer that holds `kernel/<file>`, from the config's history: each non-empty history entry belongs to one
 * layer in order, and both this action (`kernel-action: add /kernel/image`) and BuildKit
 * (`COPY kernel /kernel/image # buildkit`) name the file there. The last such layer wins, as it does when the
 * layers are unpacked. Undefined when the history does not say (e.g. an older image with one `COPY /kernel` layer).
 */
function kernelLayerFromHistory(image, file) {
    const history = image.config.history;
    if (!Array.isArray(history))
        return undefined;
    const filled = history.filter((entry) => !entry?.empty_layer);
    if (filled.length !== image.layers.length)
        return undefined;
    const names = new RegExp(`(^|[\\s/"'])kernel/${file.replace('.', '\\.')}($|[\\s"'])`);
    let found;
    filled.forEach((entry, position) => {
        const createdBy = entry?.created_by;
        if (typeof createdBy === 'string' && names.test(createdBy))
            found = image.layers[position];
    });
    return found;
}

;// CONCATENATED MODULE: ./src/oci/store.ts



/** The distribution spec's bound on a manifest or index (a layout's index.json gets the same). */
const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
/** An image config of a kernel image is a few hundred bytes. */
const CONFIG_MAX_BYTES = 4 * 1024 * 1024;
/** An index of kernels has one entry per architecture (plus attestations): more is refused before any is fetched. */
const MAX_INDEX_ENTRIES = 256;
function parseDocument(fetched, where) {
    let parsed;
    try {
        parsed = JSON.parse(fetched.bytes.toString('utf8'));
    }
    catch {
        throw new InputError(`${where}: the manifest is not valid JSON`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new InputError(`${where}: the manifest is not a JSON object`);
    return parsed;
}
/** An index's `manifests`, each entry checked; refused when there are more than MAX_INDEX_ENTRIES. */
function checkIndexDocument(document, where) {
    const manifests = document.manifests;
    if (!Array.isArray(manifests))
        throw new InputError(`${where}: the index has no "manifests" list`);
    if (manifests.length > MAX_INDEX_ENTRIES) {
        throw new InputError(`${where}: the index lists ${manifests.length} manifests, more than the ${MAX_INDEX_ENTRIES} read`);
    }
    manifests.forEach((entry, position) => checkDescriptor(entry, `manifests[${position}]`, where));
    if (document.annotations !== undefined && !store_isStringMap(document.annotations))
        throw new InputError(`${where}: annotations is not an object of strings`);
    return document;
}
/** An image manifest's config and layers, each checked; refused with more than MAX_KERNEL_LAYERS layers. */
function checkManifestDocument(document, where) {
    if (!('config' in document) || !Array.isArray(document.layers)) {
        throw new InputError(`${where}: not an image manifest (no config or layers descriptors)`);
    }
    if (document.layers.length > MAX_KERNEL_LAYERS) {
        throw new InputError(`${where}: the manifest lists ${document.layers.length} layers; a kernel image has at most ${MAX_KERNEL_LAYERS}`);
    }
    checkDescriptor(document.config, 'config', where);
    document.layers.forEach((layer, position) => checkDescriptor(layer, `layers[${position}]`, where));
    if (document.annotations !== undefined && !store_isStringMap(document.annotations))
        throw new InputError(`${where}: annotations is not an object of strings`);
    return document;
}
/** Opens an image manifest already fetched from `store`: checks it, reads and parses its config. */
async function openManifest(store, reference, fetched, indexDigest) {
    const where = `${reference}@${fetched.digest}`;
    const document = parseDocument(fetched, where);
    if (isIndexDocument(fetched.mediaType, document))
        throw new InputError(`${where} is an index inside an index; only one level is read`);
    const manifest = checkManifestDocument(document, where);
    const configBytes = await store.readSmallBlob(manifest.config, CONFIG_MAX_BYTES);
    let config;
    try {
        config = JSON.parse(configBytes.toString('utf8'));
    }
    catch {
        throw new InputError(`${reference}: config ${manifest.config.digest} is not valid JSON`);
    }
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
        throw new InputError(`${reference}: config ${manifest.config.digest} is not a JSON object`);
    }
    return {
        reference,
        digest: fetched.digest,
        ...(indexDigest !== undefined ? { indexDigest } : {}),
        manifest,
        config,
        layers: manifest.layers,
        readSmallBlob: (descriptor, maxBytes) => store.readSmallBlob(descriptor, maxBytes),
        openBlob: (descriptor) => store.openBlob(descriptor),
    };
}
/** A small blob whose descriptor says it is larger than the caller reads into memory: refused before any byte. */
function assertReadable(name, descriptor, maxBytes) {
    if (descriptor.size > maxBytes) {
        throw new InputError(`${name}: blob ${descriptor.digest} is ${descriptor.size} bytes, more than the ${maxBytes} read into memory`);
    }
}
/** The `mediaType` a document declares about itself, or ''. */
function declaredMediaType(bytes) {
    try {
        const mediaType = JSON.parse(bytes.toString('utf8')).mediaType;
        return typeof mediaType === 'string' ? mediaType : '';
    }
    catch {
        return '';
    }
}
function store_isStringMap(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

;// CONCATENATED MODULE: ./src/oci/layout.ts
// An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/<hex>`): content-addressed blobs plus
// tags kept as `org.opencontainers.image.ref.name` annotations on the entries of index.json. Written and read with one
// set of rules: every file through the checked opener (a regular file, not a link, within its bound), index.json a
// schemaVersion 2 index of checked descriptors, every blob checked against its descriptor.












const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
const LAYOUT_FILE = 'oci-layout';
const LAYOUT_VERSION = '1.0.0';
// The ref grammar of the image-layout spec: components of alphanumerics joined by - . _ : @ + or --, split by /.
const REF_NAME = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/;
const layout_INPUT = 'oci-layout';
/** index.json lists one entry per tag: 4 MiB holds tens of thousands. */
const INDEX_MAX_BYTES = 4 * 1024 * 1024;
const LAYOUT_FILE_MAX_BYTES = 64 * 1024;
// Reused blobs up to this size are re-hashed (about 0.1 s for 64 MiB); bigger ones are checked by size only.
const VERIFY_DIGEST_MAX_BYTES = 64 * 1024 * 1024;
class layout_OciLayout {
    dir;
    /** For messages as a store: `oci:<folder as given>`. */
    name;
    kind = 'layout';
    /** The input named in messages: `oci-layout` when writing, the reference when reading one. */
    #input;
    // index.json updates run one after another, so concurrent tag() calls cannot lose each other's entries.
    #indexUpdates = Promise.resolve();
    constructor(dir, input) {
        this.dir = external_node_path_default().resolve(dir);
        this.name = `oci:${dir}`;
        this.#input = input;
    }
    /** Opens the layout in `dir`, creating it when the folder is missing or empty; an existing layout is added to. */
    static async open(dir) {
        const layout = new layout_OciLayout(dir, layout_INPUT);
        await layout.#prepare(dir);
        return layout;
    }
    /**
     * Opens an existing layout for reading only (nothing is created or removed): the folder must hold an `oci-layout`
     * file of version 1.0.0 and an index.json read by the same rules as when writing. `input` names it in messages.
     */
    static async openExisting(dir, input = `oci:${dir}`) {
        const stat = await external_node_fs_default().promises.stat(dir).catch(() => undefined);
        if (stat === undefined || !stat.isDirectory())
            throw new InputError(`${input}: no such layout folder ${dir}`);
        const layout = new layout_OciLayout(dir, input);
        const layoutFile = external_node_path_default().join(layout.dir, LAYOUT_FILE);
        if (!external_node_fs_default().existsSync(layoutFile))
            throw new InputError(`${input}: ${dir} is not an OCI image layout (it has no oci-layout file)`);
        await layout.#checkExisting(dir, layoutFile);
        await layout.readIndex();
        return layout;
    }
    async #prepare(given) {
        const stat = await external_node_fs_default().promises.stat(this.dir).catch((error) => {
            if (error.code === 'ENOENT')
                return undefined;
            throw fileError(layout_INPUT, given, error);
        });
        if (stat && !stat.isDirectory())
            throw new InputError(`${layout_INPUT}: ${given} is a file, not a folder`);
        const layoutFile = external_node_path_default().join(this.dir, LAYOUT_FILE);
        if (!external_node_fs_default().existsSync(layoutFile)) {
            // Another run may be creating this layout right now: what it has made so far is not "foreign" content.
            const foreign = stat ? (await external_node_fs_default().promises.readdir(this.dir)).filter((name) => !isLayoutEntry(name)) : [];
            if (foreign.length > 0) {
                throw new InputError(`${layout_INPUT}: ${given} is not empty and is not an OCI image layout (it has no oci-layout file)`);
            }
            await external_node_fs_default().promises.mkdir(this.dir, { recursive: true });
            await createFileOnce(layoutFile, Buffer.from(canonicalJson({ imageLayoutVersion: LAYOUT_VERSION })));
        }
        await this.#checkExisting(given, layoutFile);
        await external_node_fs_default().promises.mkdir(external_node_path_default().join(this.dir, 'blobs', 'sha256'), { recursive: true });
        await createFileOnce(this.#indexPath(), Buffer.from(canonicalJson({ ...imageIndex({ manifests: [] }), mediaType: types_MediaType.index })));
        await this.readIndex();
        await removeAbandonedFiles(external_node_path_default().join(this.dir, 'blobs'), INCOMING_PREFIX);
    }
    async #checkExisting(given, layoutFile) {
        const bytes = await readInputFile(layoutFile, this.#input, LAYOUT_FILE_MAX_BYTES, 'oci-layout file', { noFollow: true });
        const version = parseJsonFile(this.#input, layoutFile, bytes);
        if (version?.imageLayoutVersion !== LAYOUT_VERSION) {
            throw new InputError(`${this.#input}: ${given}/oci-layout: unsupported imageLayoutVersion (want ${LAYOUT_VERSION})`);
        }
    }
    /** Path of the blob with this digest (which need not exist); the digest is checked before it becomes a name. */
    blobPath(digest) {
        return external_node_path_default().join(this.dir, 'blobs', 'sha256', digestHex(digest));
    }
    /** True when the blob is present (its size is not checked: see `hasIntactBlob` for content that is reused). */
    async hasBlob(digest) {
        return external_node_fs_default().promises
            .access(this.blobPath(digest))
            .then(() => true)
            .catch(() => false);
    }
    /**
     * True when the blob is present with the right size and, up to VERIFY_DIGEST_MAX_BYTES, the right digest: a blob
     * already in the layout is reused only when it is what its name says (a disk error or a hand edit is replaced).
     */
    async hasIntactBlob(digest, size) {
        const file = this.blobPath(digest);
        const stat = await external_node_fs_default().promises.stat(file).catch(() => undefined);
        if (!stat?.isFile() || (size !== undefined && stat.size !== size))
            return false;
        if (stat.size > VERIFY_DIGEST_MAX_BYTES)
            return true;
        return (await digest_sha256OfFile(file)).digest === digest;
    }
    // Staging files live beside blobs/sha256 (same file system, so committing is a rename) but not in it, so that tools
    // listing blobs never see a half-written one. The name holds this host and pid: a later run removes the files of a
    // run that was killed (SIGKILL, a cancelled job) and leaves alone those of a run still writing.
    stagingPath() {
        return external_node_path_default().join(this.dir, 'blobs', `${INCOMING_PREFIX}${ownerTag()}-${(0,external_node_crypto_.randomUUID)()}`);
    }
    async commitBlob(stagingPath, digest) {
        const size = (await external_node_fs_default().promises.stat(stagingPath)).size;
        if (await this.hasIntactBlob(digest, size)) {
            await external_node_fs_default().promises.rm(stagingPath, { force: true });
            return;
        }
        // rename() replaces a corrupt blob of the same name in one step.
        await external_node_fs_default().promises.rename(stagingPath, this.blobPath(digest));
    }
    /** Stores a small blob given as bytes (a config, a manifest) and returns its bare descriptor. */
    async writeBlob(bytes, mediaType) {
        const descriptor = { mediaType, digest: digest_sha256Digest(bytes), size: bytes.length };
        if (await this.hasIntactBlob(descriptor.digest, descriptor.size))
            return descriptor;
        const staging = this.stagingPath();
        try {
            await external_node_fs_default().promises.writeFile(staging, bytes, { flag: 'wx' });
            await external_node_fs_default().promises.rename(staging, this.blobPath(descriptor.digest));
        }
        catch (error) {
            await external_node_fs_default().promises.rm(staging, { force: true });
            throw error;
        }
        return descriptor;
    }
    /** Stores serialised JSON (config, manifest, index) under its digest. */
    async writeJsonBlob(serialized) {
        if (digest_sha256Digest(serialized.bytes) !== serialized.descriptor.digest) {
            throw new IntegrityError(`serialised ${serialized.descriptor.mediaType} does not match its digest ${serialized.descriptor.digest}`);
        }
        await this.writeBlob(serialized.bytes, serialized.descriptor.mediaType);
        return serialized.descriptor;
    }
    /** A blob that reads from this layout when opened. */
    blob(descriptor) {
        const file = this.blobPath(descriptor.digest);
        return { descriptor, open: () => external_node_fs_default().createReadStream(file, { highWaterMark: 1 << 20 }) };
    }
    /** index.json, read by the one set of rules (regular file, at most INDEX_MAX_BYTES, a schemaVersion 2 index). */
    async readIndex() {
        const file = this.#indexPath();
        const bytes = await readInputFile(file, this.#input, INDEX_MAX_BYTES, 'OCI index.json', { noFollow: true });
        return parseLayoutIndex(bytes, file, this.#input);
    }
    /** The manifest or index at a tag or digest ('': the only image, else `latest`), checked against its entry. */
    async fetchManifest(reference) {
        const { manifests } = await this.readIndex();
        const byRef = (ref) => manifests.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === ref);
        let entry;
        if (reference === '') {
            const only = manifests.length === 1 ? manifests[0] : byRef(DEFAULT_TAG);
            if (only === undefined)
                return undefined;
            entry = only;
        }
        else if (isSha256Digest(reference)) {
            // A digest not listed in index.json is still read (a child of a listed index), bounded like any manifest.
            entry = manifests.find((e) => e.digest === reference) ?? { digest: reference, mediaType: '' };
        }
        else {
            const tagged = byRef(reference);
            if (tagged === undefined)
                return undefined;
            entry = tagged;
        }
        if (entry.size !== undefined && entry.size > MANIFEST_MAX_BYTES) {
            throw new InputError(`${this.name}: manifest ${entry.digest} is ${entry.size} bytes, more than the ${MANIFEST_MAX_BYTES} of a manifest`);
        }
        if (!(await this.#exists(entry.digest)))
            return undefined;
        const bytes = await readInputFile(this.blobPath(entry.digest), this.#input, MANIFEST_MAX_BYTES, 'manifest', { noFollow: true });
        const mismatch = checkBytes({ digest: entry.digest, size: entry.size ?? bytes.length }, bytes.length, digest_sha256Digest(bytes), this.name);
        if (mismatch)
            throw mismatch;
        return { bytes, digest: entry.digest, mediaType: entry.mediaType || declaredMediaType(bytes) };
    }
    /** A small blob, read whole after its descriptor's size is checked against `maxBytes`; then size and digest. */
    async readSmallBlob(descriptor, maxBytes) {
        assertReadable(this.name, descriptor, maxBytes);
        const { handle, size } = await this.#openBlobFile(descriptor);
        try {
            const bytes = Buffer.alloc(size);
            let filled = 0;
            while (filled < size) {
                const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
                if (bytesRead === 0)
                    break;
                filled += bytesRead;
            }
            const mismatch = checkBytes(descriptor, filled, digest_sha256Digest(bytes.subarray(0, filled)), this.name);
            if (mismatch)
                throw mismatch;
            return bytes;
        }
        finally {
            await handle.close();
        }
    }
    /** A blob as a stream of exactly its descriptor's size, checked by the one verifying stream. */
    async openBlob(descriptor) {
        if (!(await this.#exists(descriptor.digest)))
            throw new InputError(`${this.name}: has no blob ${descriptor.digest}`);
        const { stream, size } = await streamInputFile(this.blobPath(descriptor.digest), this.#input, { noFollow: true });
        if (size !== descriptor.size) {
            stream.destroy();
            throw new IntegrityError(`${this.name}: blob ${descriptor.digest} is ${size} bytes, its descriptor says ${descriptor.size}`);
        }
        return verifiedStream(stream, descriptor, this.name);
    }
    /** The blob file, opened through the checked opener: a regular file (not a link) of exactly the descriptor's size. */
    async #openBlobFile(descriptor) {
        if (!(await this.#exists(descriptor.digest)))
            throw new InputError(`${this.name}: has no blob ${descriptor.digest}`);
        const opened = await openInputFile(this.blobPath(descriptor.digest), this.#input, { noFollow: true });
        if (opened.size !== descriptor.size) {
            await opened.handle.close();
            throw new IntegrityError(`${this.name}: blob ${descriptor.digest} is ${opened.size} bytes, its descriptor says ${descriptor.size}`);
        }
        return opened;
    }
    async #exists(digest) {
        return external_node_fs_default().promises.lstat(this.blobPath(digest)).then(() => true, (error) => {
            if (error.code === 'ENOENT')
                return false;
            throw fileError(this.#input, this.blobPath(digest), error);
        });
    }
    /** The descriptor tagged `tag`, or undefined. */
    async resolve(tag) {
        const index = await this.readIndex();
        return index.manifests.find((entry) => entry.annotations?.[REF_NAME_ANNOTATION] === tag);
    }
    /**
     * Points each tag at `descriptor`. A tag moves: any entry already carrying that ref name is replaced.
     * An untagged entry for the same digest is dropped (the tagged one supersedes it); other entries stay as they are.
     */
    async tag(descriptor, tags) {
        for (const tag of tags) {
            if (!REF_NAME.test(tag))
                throw new InputError(`tags: ${JSON.stringify(tag)} is not a valid OCI layout ref name`);
        }
        await this.#updateIndex((manifests) => {
            const moving = new Set(tags);
            const kept = manifests.filter((entry) => {
                const ref = entry.annotations?.[REF_NAME_ANNOTATION];
                if (ref === undefined)
                    return entry.digest !== descriptor.digest;
                return !moving.has(ref);
            });
            const added = [...moving].map((tag) => ({
                ...descriptor,
                annotations: { ...descriptor.annotations, [REF_NAME_ANNOTATION]: tag },
            }));
            return [...kept, ...added];
        });
    }
    /**
     * Lists `descriptor` in index.json without a ref name (push-by-digest): the image is then a root that `umoci gc`
     * keeps and `skopeo ... oci:<dir>@<digest>` reads. Nothing changes when an entry for the digest is already there.
     */
    async addUntagged(descriptor) {
        await this.#updateIndex((manifests) => manifests.some((entry) => entry.digest === descriptor.digest) ? manifests : [...manifests, { ...descriptor }]);
    }
    /**
     * Read-modify-write of index.json, serialised within this process (a queue) and across processes (a lock file),
     * so concurrent runs on one layout never lose each other's entries.
     */
    async #updateIndex(change) {
        const update = this.#indexUpdates.then(() => withLockFile(`${this.#indexPath()}.lock`, async () => {
            const index = await this.readIndex();
            await this.#writeIndex({ ...index, manifests: change(index.manifests) });
        }));
        this.#indexUpdates = update.catch(() => undefined);
        await update;
    }
    #indexPath() {
        return external_node_path_default().join(this.dir, 'index.json');
    }
    async #writeIndex(index) {
        await writeFileAtomic(this.#indexPath(), Buffer.from(canonicalJson({ ...index, mediaType: types_MediaType.index })));
    }
}
/** Writes a file so that readers see either the old or the new content, never a partial one. */
async function writeFileAtomic(file, bytes) {
    const temp = `${file}.${(0,external_node_crypto_.randomUUID)()}.tmp`;
    try {
        await external_node_fs_default().promises.writeFile(temp, bytes, { flag: 'wx' });
        await external_node_fs_default().promises.rename(temp, file);
    }
    catch (error) {
        await external_node_fs_default().promises.rm(temp, { force: true });
        throw error;
    }
}
/**
 * The one reading of a layout's index.json, for writers and readers alike: a JSON object with schemaVersion 2 and a
 * manifests list whose every entry is a descriptor (checked field by field).
 */
function parseLayoutIndex(bytes, file, input) {
    const index = parseJsonFile(input, file, bytes);
    if (typeof index !== 'object' || index === null || Array.isArray(index) || index.schemaVersion !== 2 || !Array.isArray(index.manifests)) {
        throw new InputError(`${input}: ${file} is not an OCI image index (schemaVersion 2 and a manifests list of descriptors)`);
    }
    index.manifests.forEach((entry, position) => checkDescriptor(entry, `manifests[${position}]`, `${input}: ${file}`));
    return index;
}
function parseJsonFile(input, file, bytes) {
    try {
        return JSON.parse(bytes.toString('utf8'));
    }
    catch {
        throw new InputError(`${input}: ${file} is not valid JSON`);
    }
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
;// CONCATENATED MODULE: ./src/oci/registry/docker-config.ts
// Registry credentials as `docker login` leaves them: `$DOCKER_CONFIG/config.json` (or ~/.docker/config.json), with
// its `auths` entries, its `credHelpers` per registry and its `credsStore` for all, in Docker's order.






/** The username a credential helper reports for an identity token instead of a password. */
const identityTokenUser = '<token>';
const helperTimeoutMs = 30_000;
const helperOutputLimit = 64 * 1024;
/**
 * Credentials for `registry`: `credHelpers[registry]` if set, else `credsStore` if set (Docker then ignores `auths`),
 * else `auths[registry].auth` (base64 "user:pass"). `onSecret` gets every secret a helper returns, before it is used.
 */
function readDockerConfigCredentials(registry, env = process.env, home = external_node_os_.homedir(), onSecret = () => undefined) {
    const file = external_node_path_.join(env.DOCKER_CONFIG ?? external_node_path_.join(home, '.docker'), 'config.json');
    let text;
    try {
        text = external_node_fs_.readFileSync(file, 'utf8');
    }
    catch {
        return undefined;
    }
    let config;
    try {
        config = JSON.parse(text);
    }
    catch {
        throw new InputError(`${file}: not valid JSON`);
    }
    const wanted = registry === dockerHubRegistry ? ['index.docker.io', 'docker.io', dockerHubRegistry] : [registry];
    const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => wanted.includes(hostOf(key)));
    if (helperKey !== undefined) {
        return runCredentialHelper(String(config.credHelpers[helperKey]), registry, env, onSecret, `${file}: credHelpers["${helperKey}"]`);
    }
    if (typeof config.credsStore === 'string' && config.credsStore !== '') {
        return runCredentialHelper(config.credsStore, registry, env, onSecret, `${file}: credsStore`);
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
        if (!wanted.includes(hostOf(key)))
            continue;
        if (typeof entry?.identitytoken === 'string' && entry.identitytoken !== '') {
            return { username: identityTokenUser, password: entry.identitytoken };
        }
        if (typeof entry?.auth !== 'string' || entry.auth === '')
            continue;
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon <= 0)
            throw new InputError(`${file}: auths["${key}"].auth is not base64 of user:password`);
        return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    return undefined;
}
/** Keys are written as `host`, `https://host` or `https://host/v1/`. */
function hostOf(key) {
    return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}
/** The server URL a helper was given by `docker login`: Docker Hub keeps its historic v1 URL. */
function serverUrl(registry) {
    return registry === dockerHubRegistry ? 'https://index.docker.io/v1/' : registry;
}
/**
 * `docker-credential-<name> get` with the server URL on stdin, answering `{"Username":..,"Secret":..}` on stdout.
 * "credentials not found" is no credentials (as in Docker); a missing helper or any other failure is one line
 * naming the helper and where it was configured. The helper's own output is never shown: it may hold the secret.
 */
function runCredentialHelper(name, registry, env, onSecret, configuredAt) {
    const program = `docker-credential-${name}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
        throw new InputError(`${configuredAt}: "${name}" is not a credential helper name`);
    let stdout;
    try {
        stdout = (0,external_node_child_process_.execFileSync)(program, ['get'], {
            input: serverUrl(registry),
            env,
            encoding: 'utf8',
            timeout: helperTimeoutMs,
            maxBuffer: helperOutputLimit,
            stdio: ['pipe', 'pipe', 'pipe'],
        });
    }
    catch (error) {
        const failure = error;
        if (failure.code === 'ENOENT')
            throw new InputError(`${configuredAt}: credential helper ${program} is not on PATH`);
        if (/credentials not found/i.test(String(failure.stdout ?? '')))
            return undefined;
        const how = failure.code === 'ETIMEDOUT' ? `did not answer within ${helperTimeoutMs / 1000} s` : `failed (exit status ${failure.status ?? failure.code})`;
        throw new InputError(`${configuredAt}: credential helper ${program} ${how} for ${registry}`);
    }
    let answer;
    try {
        answer = JSON.parse(stdout);
    }
    catch {
        throw new InputError(`${configuredAt}: credential helper ${program} did not answer JSON for ${registry}`);
    }
    if (typeof answer.Secret !== 'string' || answer.Secret === '' || typeof answer.Username !== 'string') {
        throw new InputError(`${configuredAt}: credential helper ${program} gave no Username and Secret for ${registry}`);
    }
    onSecret(answer.Secret);
    return { username: answer.Username, password: answer.Secret };
}

;// CONCATENATED MODULE: ./src/oci/registry/errors.ts
// The errors a registry conversation ends with, beyond src/errors.ts's kinds. Each message is one line and holds no secret.


/**
 * A tag read back after the push points somewhere else: another writer raced us, or the registry lost the write.
 * An integrity error of the action's vocabulary (what it wrote did not read back as written).
 */
class TagMismatchError extends IntegrityError {
    tag;
    expected;
    found;
    name = 'TagMismatchError';
    constructor(message, tag, expected, found) {
        super(message);
        this.tag = tag;
        this.expected = expected;
        this.found = found;
    }
}

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
var external_node_https_default = /*#__PURE__*/__webpack_require__.n(external_node_https_);
;// CONCATENATED MODULE: ./src/oci/registry/transport.ts





/**
 * A request that never got an HTTP answer. `code` is e.g. ECONNREFUSED, ECONNRESET, TIMEOUT (one request got no
 * headers in time), SILENT (the operation's silence budget is spent), DEADLINE, ABORTED.
 */
class ConnectionError extends RegistryError {
    code;
    method;
    url;
    name = 'ConnectionError';
    constructor(code, method, url) {
        super(`${method} ${redactUrl(url)}: cannot connect (${code})`, undefined, code);
        this.code = code;
        this.method = method;
        this.url = url;
    }
}
/** The documented time bounds (README, "Registry time limits"). */
const timeBounds = {
    headersTimeoutMs: 10_000,
    silenceMs: 25_000,
    operationTimeoutMs: 120_000,
    /** An upload may take this long per MiB on top of the operation bound (≥ 64 KiB/s). */
    msPerMiB: 16_000,
    /** A blob body must bring at least bodyMinBytes(window) in every window of this length its reader spends waiting. */
    bodyWindowMs: 30_000,
};
/** The least a blob body must bring per window of waiting: 1 MiB per 30 s (about 35 kB/s), the same rate in a test's shorter window. */
function bodyMinBytes(windowMs) {
    return Math.ceil((1024 * 1024 * windowMs) / 30_000);
}
const defaults = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };
// Refused / unknown host means the address is wrong: retrying only delays the clear error (but see lastResetAt).
const retryableCodes = new Set([
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'TIMEOUT',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
]);
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
/** A refused connection this soon after a reset is a registry restarting, not a wrong address. */
const restartWindowMs = 60_000;
function isRetryableStatus(status) {
    return status === 429 || status >= 500;
}
function isRetryableErrorCode(code) {
    return retryableCodes.has(code);
}
/** Milliseconds asked for by a Retry-After header (delta-seconds or HTTP-date), or undefined if unusable. */
function parseRetryAfter(value, now) {
    if (value === null)
        return undefined;
    const text = value.trim();
    if (/^[0-9]+$/.test(text))
        return Number(text) * 1000;
    const date = Date.parse(text);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}
/** Exponential backoff with jitter in the upper half: attempt 1 waits up to base, attempt 2 up to 2×base, ... capped. */
function backoffDelay(attempt, baseDelayMs, maxDelayMs, random) {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
/** The network error code behind a failed fetch: undici wraps it in `cause` (sometimes an AggregateError). */
function errorCode(error) {
    let current = error;
    for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
        // An aborted fetch rejects with a DOMException (not always an Error of this realm), so go by name.
        const name = current.name;
        if (name === 'TimeoutError' || name === 'AbortError')
            return 'TIMEOUT';
        const code = current.code;
        if (typeof code === 'string' && code !== '')
            return code;
        const errors = current.errors;
        if (Array.isArray(errors) && errors.length > 0) {
            current = errors[0];
            continue;
        }
        current = current.cause;
    }
    return 'UNKNOWN';
}
/** Query strings may hold upload state or tokens: keep them out of messages. */
function redactUrl(url) {
    const query = url.indexOf('?');
    return query < 0 ? url : `${url.slice(0, query)}?…`;
}
/**
 * Whether a request to `target` may carry the credentials meant for `home` (the registry, or a token realm):
 * only the same scheme, host and port. Docker's rule; an upload Location or redirect elsewhere goes bare.
 */
function mayCarryCredentials(home, target) {
    const a = new URL(home);
    const b = new URL(target);
    return a.protocol === b.protocol && a.host === b.host;
}
/** https → http: the request (and whatever it carries) would travel in clear. */
function isDowngrade(from, to) {
    return new URL(from).protocol === 'https:' && new URL(to).protocol !== 'https:';
}
/** The errors of the action's vocabulary: they end an operation as they are, never retried or reworded. */
function isVocabulary(error) {
    return (error instanceof RegistryError ||
        error instanceof InputError ||
        error instanceof IntegrityError ||
        error instanceof ToolError ||
        error instanceof InternalError);
}
/**
 * The time bound of one client operation (a HEAD, an upload, a manifest read): its signal aborts every attempt and
 * wait in it when the deadline passes, or when the caller's signal aborts. It also keeps the operation's silence
 * budget: what is left of the time its requests may wait for answers that never come. `end()` stops the clock (for
 * a streamed download whose body is then bounded by its minimum rate instead).
 */
class Operation {
    timeoutMs;
    silenceMs;
    signal;
    deadline;
    /** Milliseconds this operation may still wait for answers that never come (until the next answer). */
    silenceLeftMs;
    controller = new AbortController();
    timer;
    detach = () => undefined;
    constructor(timeoutMs, silenceMs, parent) {
        this.timeoutMs = timeoutMs;
        this.silenceMs = silenceMs;
        this.deadline = Date.now() + timeoutMs;
        this.silenceLeftMs = silenceMs;
        this.signal = this.controller.signal;
        this.timer = setTimeout(() => this.controller.abort(new RegistryError(`no answer within ${timeoutMs} ms`, undefined, 'DEADLINE')), timeoutMs);
        this.timer.unref();
        if (parent !== undefined) {
            const follow = () => this.controller.abort(parent.reason);
            if (parent.aborted)
                follow();
            parent.addEventListener('abort', follow, { once: true });
            this.detach = () => parent.removeEventListener('abort', follow);
        }
    }
    /** DEADLINE when this operation's time ran out, ABORTED when the caller aborted it, else undefined. */
    get abortCode() {
        if (!this.signal.aborted)
            return undefined;
        const reason = this.signal.reason;
        return reason instanceof RegistryError && reason.code === 'DEADLINE' ? 'DEADLINE' : 'ABORTED';
    }
    /** How long the next request may wait for its answer: `wanted`, within the silence budget. */
    answerWindow(wanted) {
        return Math.max(1, Math.min(wanted, this.silenceLeftMs));
    }
    /** Stops the clock. A streamed body still follows the caller's signal, so the listener stays until it is done. */
    end() {
        clearTimeout(this.timer);
    }
    /** The operation is over entirely: stop the clock and stop following the caller's signal. */
    close() {
        clearTimeout(this.timer);
        this.detach();
    }
}
class Transport {
    options;
    /** When a connection was last reset (any operation): a refusal soon after is a restart, worth retrying. */
    lastResetAt = -Infinity;
    prefix;
    /** The URL that gave each answer (after redirects): whose 401 it is. */
    answeredBy = new WeakMap();
    constructor(options = {}, env = process.env) {
        this.options = {
            attempts: options.attempts ?? defaults.attempts,
            headersTimeoutMs: options.headersTimeoutMs ?? timeBounds.headersTimeoutMs,
            silenceMs: options.silenceMs ?? envMs(env, 'KERNEL_ACTION_SILENCE_MS') ?? timeBounds.silenceMs,
            operationTimeoutMs: options.operationTimeoutMs ?? timeBounds.operationTimeoutMs,
            bodyWindowMs: options.bodyWindowMs ?? envMs(env, 'KERNEL_ACTION_BODY_WINDOW_MS') ?? timeBounds.bodyWindowMs,
            baseDelayMs: options.baseDelayMs ?? envMs(env, 'KERNEL_ACTION_RETRY_BASE_MS') ?? defaults.baseDelayMs,
            maxDelayMs: options.maxDelayMs ?? envMs(env, 'KERNEL_ACTION_RETRY_MAX_MS') ?? defaults.maxDelayMs,
            random: options.random ?? Math.random,
            name: options.name ?? '',
            onRetry: options.onRetry,
        };
        this.prefix = this.options.name === '' ? '' : `${this.options.name}: `;
    }
    /** Starts an operation bounded by `timeoutMs` (default: operationTimeoutMs), the silence budget and the caller's signal. */
    begin(signal, timeoutMs = this.options.operationTimeoutMs) {
        return new Operation(timeoutMs, this.options.silenceMs, signal);
    }
    /**
     * The way a request is sent: retried within `operation` (or an operation of its own), each try one exchange()
     * (authenticated when `access` is given). `build` is called again for every send, so a streamed body is re-opened.
     */
    async request(build, operation, access) {
        const op = operation ?? this.begin();
        let label = { method: 'GET', url: '' };
        const labelled = () => {
            const spec = build();
            label = { method: spec.method ?? 'GET', url: spec.url };
            return spec;
        };
        try {
            return await this.retry(op, () => label, () => this.exchange(labelled, op, access));
        }
        finally {
            if (operation === undefined)
                op.close();
        }
    }
    /**
     * The one retry loop. `attempt` makes one try (it may send several requests, e.g. open an upload session and
     * PUT into it) and returns the answer that decides; `label` names the request that was last sent, for messages.
     * A 429/5xx answer or a transient network error is retried with backoff while attempts, time and the silence
     * budget are left. Errors of the action's vocabulary end the operation as they are.
     */
    async retry(op, label, attempt) {
        const { baseDelayMs, maxDelayMs, random } = this.options;
        for (let n = 1;; n++) {
            let reason;
            let delayMs;
            try {
                if (op.abortCode !== undefined)
                    throw op.signal.reason;
                const response = await attempt();
                if (!isRetryableStatus(response.status))
                    return response;
                const asked = parseRetryAfter(response.headers.get('retry-after'), Date.now());
                delayMs = asked !== undefined ? Math.min(asked, maxDelayMs) : backoffDelay(n, baseDelayMs, maxDelayMs, random);
                if (!this.mayRetry(n, delayMs, op))
                    return response;
                await releaseBody(response);
                reason = `HTTP ${response.status}`;
            }
            catch (error) {
                const { method, url } = label();
                let code;
                if (op.abortCode !== undefined)
                    code = op.abortCode;
                else if (error instanceof ConnectionError)
                    code = error.code;
                else if (isVocabulary(error))
                    throw error;
                else {
                    code = errorCode(error);
                    // fetch fails with a TypeError (of its own realm: go by name) caused by the network; one without a cause is
                    // a request we could not build (a header value the credential checks should have refused): our bug.
                    if (code === 'UNKNOWN') {
                        const { name, cause } = (error ?? {});
                        if (name !== 'TypeError')
                            throw error;
                        if (cause === undefined)
                            throw new InternalError(`${method} ${redactUrl(url)} could not be sent (${name})`);
                    }
                }
                if (code === 'TIMEOUT' && op.silenceLeftMs <= 0)
                    code = 'SILENT';
                if (resetCodes.has(code))
                    this.lastResetAt = Date.now();
                const restarting = code === 'ECONNREFUSED' && Date.now() - this.lastResetAt < restartWindowMs;
                delayMs = backoffDelay(n, baseDelayMs, maxDelayMs, random);
                if (!(isRetryableErrorCode(code) || restarting) || n >= this.options.attempts)
                    throw new ConnectionError(code, method, url);
                // Worth another try, but the wait would end past the deadline: giving up now is giving up at the deadline.
                if (!this.mayRetry(n, delayMs, op))
                    throw new ConnectionError('DEADLINE', method, url);
                reason = code;
            }
            const { method, url } = label();
            this.options.onRetry?.({ method, url: redactUrl(url), attempt: n, reason, delayMs });
            await sleep(delayMs, op.signal).catch(() => {
                throw new ConnectionError(op.abortCode ?? 'ABORTED', method, url);
            });
        }
    }
    /**
     * One exchange, no retry, under the one credentials rule for every method: the Authorization header goes only to
     * the registry's own origin (scheme, host, port) and is dropped on a redirect elsewhere; a 401 is answered (with
     * credentials or a new token, then sent again, at most 3 sends) only when the registry's origin gave it. A 401 from
     * anywhere else (a redirect target, an upload host) ends the operation with one line, and nothing is sent there.
     */
    async exchange(build, op, access) {
        for (let sends = 1;; sends++) {
            const spec = build();
            const authorization = access !== undefined && mayCarryCredentials(access.auth.origin, spec.url) ? access.auth.authorization(access.scopes) : undefined;
            const headers = new Headers(spec.headers);
            if (authorization !== undefined)
                headers.set('authorization', authorization);
            const response = await this.send({ ...spec, headers }, op);
            if (response.status !== 401 || access === undefined)
                return response;
            await releaseBody(response);
            const from = this.answeredBy.get(response) ?? spec.url;
            if (!mayCarryCredentials(access.auth.origin, from)) {
                const who = mayCarryCredentials(spec.url, from) ? `${new URL(from).origin} (not the registry)` : `the redirect target ${new URL(from).origin}`;
                throw new RegistryError(`${this.prefix}${spec.method ?? 'GET'} ${redactUrl(spec.url)}: ${who} asked for credentials; none are sent to a host other than the registry`, 401, 'FOREIGN_CHALLENGE');
            }
            if (sends >= 3 || !(await access.auth.answer(response, access.scopes, authorization, op))) {
                throw access.auth.refusal(response, access.scopes, authorization);
            }
        }
    }
    /**
     * One request, no retry, no authentication of its own. Response headers must come within the answer window
     * (headersTimeoutMs, twice that once a streamed upload's body is sent, never more than the silence budget left); a
     * window that passes is spent from the budget, an answer refills it. Redirects of GET/HEAD (and 307/308 with a body in memory) are followed;
     * Authorization goes along only to the same scheme, host and port, a token request not even that far, and a
     * redirect from https to http is refused. A streamed body is never redirected: the caller sees the 3xx.
     */
    async send(spec, op, options = {}) {
        const { url: first, nodeStream, ...init } = spec;
        const method = init.method ?? 'GET';
        const headers = new Headers(init.headers);
        let url = first;
        for (let hop = 0;; hop++) {
            const streamed = isStreamBody(init.body);
            const windowMs = op.answerWindow(streamed ? 2 * this.options.headersTimeoutMs : this.options.headersTimeoutMs);
            const timedOut = () => {
                op.silenceLeftMs -= windowMs;
                return new ConnectionError('TIMEOUT', method, url);
            };
            const response = streamed || nodeStream === true
                ? await nodeRequest(url, { ...init, headers }, op.signal, windowMs, timedOut, nodeStream === true)
                : await fetchInTime(url, { ...init, headers }, op.signal, windowMs, timedOut);
            op.silenceLeftMs = op.silenceMs; // an answer: the registry is alive, whatever it said
            this.answeredBy.set(response, url);
            const location = response.headers.get('location');
            const follows = method === 'GET' || method === 'HEAD' || response.status === 307 || response.status === 308;
            if (![301, 302, 303, 307, 308].includes(response.status) || location === null || !follows || streamed)
                return response;
            await releaseBody(response);
            const where = `${this.prefix}${method} ${redactUrl(first)}`;
            if (hop >= 5)
                throw new RegistryError(`${where}: more than 5 redirects`);
            const next = new URL(location, url);
            if (next.protocol !== 'http:' && next.protocol !== 'https:')
                throw new RegistryError(`${where}: redirected to a ${next.protocol} URL; refusing`);
            if (isDowngrade(url, next))
                throw new RegistryError(`${where}: redirected from https to http (${next.host}); refusing to continue in clear`);
            if (!mayCarryCredentials(first, next)) {
                if (options.tokenRequest === true) {
                    throw new RegistryError(`${where}: the token realm redirected to ${next.origin}; a token request is never sent to another host`, response.status, 'FOREIGN_REDIRECT');
                }
                headers.delete('authorization');
            }
            url = next.toString();
        }
    }
    /** Another attempt is allowed, and the wait before it ends before the operation's deadline. */
    mayRetry(attempt, delayMs, op) {
        return attempt < this.options.attempts && Date.now() + delayMs < op.deadline;
    }
}
/** fetch, without following redirects, aborted with `timedOut()` when its headers do not come within `windowMs`. */
async function fetchInTime(url, init, signal, windowMs, timedOut) {
    const headersTimer = new AbortController();
    const timer = setTimeout(() => headersTimer.abort(timedOut()), windowMs);
    try {
        return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.any([signal, headersTimer.signal]) });
    }
    finally {
        clearTimeout(timer);
    }
}
function envMs(env, name) {
    const text = env[name];
    if (text === undefined || !/^[0-9]+$/.test(text.trim()))
        return undefined;
    return Number(text);
}
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        signal.throwIfAborted(); // a throw here rejects, with the abort's reason
        const timer = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(timer);
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort's own reason, whatever the aborter gave, as throwIfAborted does
            reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
    });
}
/**
 * The body of `response`, at most `maxBytes` of it: a larger body (by Content-Length, or as it streams) is broken
 * off and reported as `what` being too large. Never retried: a registry sending that much is not having a bad moment.
 */
async function readLimited(response, maxBytes, what) {
    const tooLarge = () => new RegistryError(`${what} is larger than ${maxBytes} bytes; not read further`, undefined, 'TOO_LARGE');
    const declared = Number(response.headers.get('content-length') ?? '');
    if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw tooLarge();
    }
    const { bytes, complete } = await readPrefix(response, maxBytes);
    if (!complete)
        throw tooLarge();
    return bytes;
}
/** Up to `maxBytes` of the body (for an error message); the rest is not read. */
async function readPrefix(response, maxBytes) {
    if (response.body === null)
        return { bytes: Buffer.alloc(0), complete: true };
    // A fetch body is bytes; the types leave its chunks `any`.
    const reader = response.body.getReader();
    const chunks = [];
    let length = 0;
    for (;;) {
        const { done, value } = await reader.read();
        if (done)
            return { bytes: Buffer.concat(chunks, length), complete: true };
        if (length + value.length > maxBytes) {
            chunks.push(Buffer.from(value.subarray(0, maxBytes - length)));
            await reader.cancel().catch(() => undefined);
            return { bytes: Buffer.concat(chunks, maxBytes), complete: false };
        }
        chunks.push(Buffer.from(value));
        length += value.length;
    }
}
/** A body that is produced as it is sent (an upload), rather than bytes already in memory. */
function isStreamBody(body) {
    return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}
/** Bodies of node:http answers handed out as Node streams (see RequestSpec.nodeStream). */
const nodeBodies = new WeakMap();
/** The Node stream holding a 200 answer's body to a `nodeStream` request, or undefined (then use `response.body`). */
function nodeBody(response) {
    return nodeBodies.get(response);
}
/** Frees the connection of an answer whose body is not wanted. */
async function releaseBody(response) {
    const node = nodeBodies.get(response);
    if (node !== undefined)
        node.destroy();
    else if (!response.bodyUsed)
        await response.body?.cancel().catch(() => undefined);
}
/**
 * Sends a request with node:http(s) and answers with a fetch `Response`. For a streamed body: fetch (undici 6) keeps
 * every chunk of a streamed request body in memory until the request ends (nodejs/undici#4058): a 1 GiB blob cost
 * 1.1 GB of RSS. Here the body is piped with back-pressure, so memory stays flat whatever the blob's size; the answer
 * window (`windowMs`, then `timedOut()`) starts once it is sent, and sending is bounded by the operation. For a `nodeStream` GET, a 200 body stays a
 * Node stream (nodeBody()), which reads a large layer faster than a web stream.
 */
async function nodeRequest(url, init, signal, windowMs, timedOut, nodeStream) {
    const target = new URL(url);
    const headers = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const request = (target.protocol === 'https:' ? (external_node_https_default()) : (external_node_http_default())).request(target, {
        method: init.method ?? (nodeStream ? 'GET' : 'PUT'),
        headers,
        signal,
    });
    const answered = new Promise((resolve, reject) => {
        request.once('response', resolve);
        request.once('error', reject);
    });
    // One chunk in flight per upload: Readable.from would otherwise read 16 chunks (16 MiB) ahead.
    const sent = isStreamBody(init.body)
        ? (0,external_node_stream_promises_.pipeline)(external_node_stream_.Readable.from(exactLength(init.body, headers['content-length']), { highWaterMark: 1 }), request)
        : new Promise((resolve) => request.end(resolve));
    let timer;
    const headersInTime = sent.then(() => new Promise((resolve, reject) => {
        timer = setTimeout(() => {
            const error = timedOut();
            request.destroy(error);
            reject(error);
        }, windowMs);
        answered.then(resolve, reject);
    }));
    // The registry may answer (e.g. 401, 413) before the body is through; then the answer is what matters.
    let answer;
    try {
        answer = await Promise.race([answered, headersInTime]);
    }
    finally {
        clearTimeout(timer);
    }
    sent.catch(() => undefined);
    headersInTime.catch(() => undefined);
    const status = answer.statusCode ?? 502;
    const responseHeaders = new Headers();
    for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2)
        responseHeaders.append(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
    const nullBody = status === 204 || status === 205 || status === 304 || init.method === 'HEAD';
    if (nullBody)
        answer.resume();
    const keepNode = nodeStream && status === 200;
    const body = nullBody || keepNode ? null : external_node_stream_.Readable.toWeb(answer);
    const response = new Response(body, { status, statusText: answer.statusMessage ?? '', headers: responseHeaders });
    if (keepNode)
        nodeBodies.set(response, answer);
    return response;
}
/** The body, failing (an IntegrityError: the bytes are not what was declared) when it is not as long as its header says, not hanging. */
async function* exactLength(body, contentLength) {
    const expected = contentLength === undefined ? undefined : Number(contentLength);
    const mismatch = () => new IntegrityError('request body does not match its content-length');
    let length = 0;
    for await (const chunk of body) {
        length += chunk.length;
        if (expected !== undefined && length > expected)
            throw mismatch();
        yield chunk;
    }
    if (expected !== undefined && length !== expected)
        throw mismatch();
}

;// CONCATENATED MODULE: ./src/oci/registry/auth.ts
// The answers to 401 challenges: anonymous, Basic, and the Bearer token flow (with a password or an identity token).






/** A token answer is a few KiB (a JWT with its certificate); anything near this is not a token. */
const tokenBodyLimit = 256 * 1024;
/** `Bearer realm="https://x/token",service="x",scope="repository:a:pull"` → {scheme: 'bearer', params}. */
function parseChallenge(header) {
    if (header === null)
        return undefined;
    const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
    if (match === null)
        return undefined;
    const params = {};
    const param = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
    const rest = match[2];
    let found;
    while ((found = param.exec(rest)) !== null && found[0] !== '') {
        params[found[1].toLowerCase()] = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : found[3];
    }
    return { scheme: match[1].toLowerCase(), params };
}
/**
 * Holds what to send as `Authorization` for a registry and learns it from 401 challenges.
 * Tokens are cached per set of scopes.
 */
class RegistryAuth {
    registry;
    origin;
    username;
    basic;
    /** An OAuth2 refresh token (Docker's identity token), exchanged at the realm instead of Basic credentials. */
    identityToken;
    onSecret;
    transport;
    insecure;
    scheme = 'none';
    tokens = new Map();
    /** Every password, credential and token seen, to scrub from text a registry sends back. */
    secrets = new Set();
    constructor(options) {
        this.registry = options.registry;
        this.origin = new URL(options.origin).origin;
        this.transport = options.transport;
        this.insecure = options.insecure ?? false;
        this.onSecret = options.onSecret ?? (() => undefined);
        const credentials = options.credentials;
        if (credentials !== undefined)
            checkOneLine(this.registry, credentials);
        if (credentials !== undefined && credentials.username === identityTokenUser) {
            this.username = undefined;
            this.identityToken = credentials.password;
            this.onSecret(credentials.password);
            if (credentials.password !== '')
                this.secrets.add(credentials.password);
        }
        else if (credentials !== undefined) {
            this.username = credentials.username;
            this.basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
            this.onSecret(credentials.password);
            this.onSecret(this.basic);
            for (const secret of [credentials.password, this.basic])
                if (secret !== '')
                    this.secrets.add(secret);
        }
    }
    get hasCredentials() {
        return this.basic !== undefined || this.identityToken !== undefined;
    }
    /** The header to send for a request needing `scopes`, if one is known yet. */
    authorization(scopes) {
        if (this.scheme === 'basic')
            return `Basic ${this.basic}`;
        if (this.scheme === 'bearer') {
            const token = this.tokens.get(scopeKey(scopes));
            return token === undefined ? undefined : `Bearer ${token}`;
        }
        return undefined;
    }
    /**
     * Answers a 401: returns true if there is now something new to send (retry the request once), false if
     * not. `sent` is the Authorization header the refused request carried. A Bearer challenge always gets a
     * fresh token, which also replaces a cached one that expired.
     */
    async answer(response, scopes, sent, op) {
        const challenge = parseChallenge(response.headers.get('www-authenticate'));
        if (challenge === undefined)
            return false;
        if (challenge.scheme === 'basic') {
            if (this.basic === undefined || sent?.startsWith('Basic '))
                return false;
            this.scheme = 'basic';
            return true;
        }
        if (challenge.scheme !== 'bearer' || challenge.params.realm === undefined)
            return false;
        const wanted = new Set(scopes);
        if (challenge.params.scope !== undefined)
            for (const scope of challenge.params.scope.split(' '))
                wanted.add(scope);
        const token = await this.fetchToken(challenge.params.realm, challenge.params.service, [...wanted], op);
        this.onSecret(token);
        this.secrets.add(token);
        this.tokens.set(scopeKey(scopes), token);
        this.scheme = 'bearer';
        return true;
    }
    async fetchToken(realm, service, scopes, op) {
        let url;
        try {
            url = new URL(realm);
        }
        catch {
            throw new RegistryError(`registry ${this.registry}: token realm "${realm}" is not a URL`);
        }
        if (url.protocol !== 'https:' && !this.insecure && !isLoopbackRegistry(url.host)) {
            throw new RegistryError(`registry ${this.registry}: token realm ${url.origin} is not HTTPS; refusing to send credentials to it`);
        }
        const where = `${url.origin}${url.pathname}`;
        const headers = { accept: 'application/json' };
        let spec;
        if (this.identityToken !== undefined) {
            // OAuth2 refresh-token grant, as Docker does with an identity token.
            const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.identityToken, client_id: 'kernel-action' });
            if (service !== undefined)
                form.set('service', service);
            form.set('scope', scopes.join(' '));
            headers['content-type'] = 'application/x-www-form-urlencoded';
            spec = { url: url.toString(), method: 'POST', headers, body: form.toString() };
        }
        else {
            if (service !== undefined)
                url.searchParams.set('service', service);
            for (const scope of scopes)
                url.searchParams.append('scope', scope);
            if (this.basic !== undefined)
                headers.authorization = `Basic ${this.basic}`;
            spec = { url: url.toString(), method: 'GET', headers };
        }
        const response = await this.transport.send(spec, op, { tokenRequest: true });
        if (response.status === 401 || response.status === 403) {
            await response.body?.cancel().catch(() => undefined);
            throw this.refused(response.status);
        }
        if (!response.ok) {
            await response.body?.cancel().catch(() => undefined);
            throw new RegistryError(`registry ${this.registry}: token request to ${where} → ${response.status}`, response.status);
        }
        const text = (await readLimited(response, tokenBodyLimit, `registry ${this.registry}: token answer from ${where}`)).toString('utf8');
        let body = {};
        try {
            body = JSON.parse(text);
        }
        catch {
            // reported below as no token
        }
        const token = typeof body.token === 'string' && body.token !== '' ? body.token : body.access_token;
        if (typeof token !== 'string' || token === '') {
            throw new RegistryError(`registry ${this.registry}: token response from ${where} has no token`);
        }
        // Sent back as a header value: anything a header cannot hold is refused here, once, without echoing it.
        if (!/^[\x21-\x7e]+$/.test(token)) {
            throw new RegistryError(`registry ${this.registry}: token response from ${where} holds a token with spaces, line breaks or other characters a header cannot carry`);
        }
        return token;
    }
    /**
     * `text` (e.g. an error body a registry or proxy sent back, which may echo the request) without any known secret
     * or any `Basic`/`Bearer` credential.
     */
    redact(text) {
        let clean = text.replace(/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***');
        for (const secret of this.secrets)
            clean = clean.split(secret).join('***');
        return clean;
    }
    /** The one-line error for credentials the registry does not accept (or their absence). */
    refused(status) {
        if (!this.hasCredentials) {
            return new InputError(`registry ${this.registry}: authentication required (${status}); no credentials given for ${this.registry}`);
        }
        if (this.username === undefined)
            return new InputError(`registry ${this.registry}: authentication failed with the identity token (${status})`);
        return new InputError(`registry ${this.registry}: authentication failed for user "${this.username}" (${status})`);
    }
    /**
     * The one-line error for a 401 of the registry that cannot be answered (any more): a token that lacks the scope
     * asked for, or credentials refused (or absent).
     */
    refusal(response, scopes, sent) {
        const challenge = parseChallenge(response.headers.get('www-authenticate'));
        const lacksScope = challenge?.params.error === 'insufficient_scope' && sent?.startsWith('Bearer ') === true;
        return lacksScope && this.hasCredentials ? this.insufficientScope(scopes) : this.refused(401);
    }
    /** The one-line error for a token that is valid but does not allow what was asked (e.g. push). */
    insufficientScope(scopes) {
        const who = this.username !== undefined ? `user "${this.username}"` : this.hasCredentials ? 'the identity token' : 'an anonymous user';
        return new RegistryError(`registry ${this.registry}: ${who} is not allowed ${scopes.join(' ')} (insufficient_scope)`, 401, 'insufficient_scope');
    }
}
/**
 * Credentials are one line: a CR or LF (a password pasted with its newline, a token file's last line) would make a
 * header that cannot be sent, or a different secret than meant. Refused up front, naming the part, never showing it.
 */
function checkOneLine(registry, credentials) {
    const broken = (text) => /[\r\n\0]/.test(text);
    const parts = credentials.username === identityTokenUser
        ? [['identity token', credentials.password]]
        : [
            ['username', credentials.username],
            ['password', credentials.password],
        ];
    const bad = parts.find(([, text]) => broken(text));
    if (bad !== undefined) {
        throw new InputError(`registry ${registry}: the ${bad[0]} contains a line break or NUL character; a credential is one line (check how it was pasted or read)`);
    }
}
function scopeKey(scopes) {
    return [...scopes].sort().join(' ');
}

;// CONCATENATED MODULE: ./src/oci/registry/body-rate.ts
// The minimum rate of a streamed blob body: a registry trickling a few bytes now and then would otherwise hold a
// download (and the step) open for ever, since every byte resets an idle timer.

/**
 * `source` passed through, destroyed with `slow(bytes)` when it brings fewer than `rule.minBytes` over a window of
 * `rule.windowMs` spent waiting for it. Only time in which the reader has taken everything delivered counts: a
 * reader busy with what it has (a slow disk, a decompressor) does not make the registry slow. The end of the body
 * ends the watch, so a short last stretch is never judged. `onClose` runs once, however the stream ends.
 */
function withMinimumRate(source, rule, slow, onClose) {
    // Sampled: 30 ticks per window (1 s in the default 30 s window) is fine-grained enough for a bound of this size.
    const tickMs = Math.max(1, Math.round(rule.windowMs / 30));
    let waited = 0;
    let arrived = 0;
    const watched = new external_node_stream_.Transform({
        transform(chunk, _encoding, done) {
            arrived += chunk.length;
            done(null, chunk);
        },
        flush(done) {
            clearInterval(ticker);
            done();
        },
    });
    const ticker = setInterval(() => {
        // Nothing buffered on either side: the reader waits on the registry.
        if (watched.readableLength > 0 || watched.writableLength > 0)
            return;
        waited += tickMs;
        if (waited < rule.windowMs)
            return;
        if (arrived < rule.minBytes)
            watched.destroy(slow(arrived));
        waited = 0;
        arrived = 0;
    }, tickMs);
    ticker.unref(); // the socket keeps the process alive while the body is read; the watch alone must not
    watched.once('close', () => {
        clearInterval(ticker);
        source.destroy();
        onClose();
    });
    source.once('error', (error) => watched.destroy(error));
    return source.pipe(watched);
}

;// CONCATENATED MODULE: ./src/oci/registry/client.ts
// An OCI distribution client for one repository: blobs, manifests, tags. Streams uploads and downloads; holds
// nothing unbounded in memory; sends credentials only to the registry itself; no logging of its own.











/** The distribution spec's bound on a manifest; an index of kernels is a few KiB. */
const manifestBodyLimit = 4 * 1024 * 1024;
/** Enough of an error body for its first error; the rest is not read. */
const errorBodyLimit = 16 * 1024;
// distribution 2.8 answers 404 to manifest reads whose Accept lacks the OCI types, so always send all four.
const manifestAccept = [types_MediaType.manifest, types_MediaType.index, types_MediaType.dockerManifest, types_MediaType.dockerManifestList].join(', ');
class RegistryClient {
    registry;
    repository;
    log;
    base;
    transport;
    auth;
    constructor(ref, options = {}) {
        this.registry = ref.registry;
        this.repository = ref.repository;
        this.log = options.log ?? (() => undefined);
        const origin = registryBaseUrl(ref.registry, options.insecure);
        this.base = `${origin}/v2/${ref.repository}`;
        this.transport = new Transport({
            name: `registry ${ref.registry}`,
            ...options.transport,
            onRetry: (retry) => {
                this.log(`registry ${this.registry}: ${retry.method} retry ${retry.attempt} after ${retry.reason}, waiting ${retry.delayMs} ms`);
                options.transport?.onRetry?.(retry);
            },
        }, options.env);
        const credentials = options.credentials ?? readDockerConfigCredentials(ref.registry, options.env, options.home, options.onSecret);
        this.auth = new RegistryAuth({
            registry: ref.registry,
            origin,
            credentials,
            onSecret: options.onSecret,
            insecure: options.insecure,
            transport: this.transport,
        });
    }
    async blobExists(digest, signal) {
        const what = `HEAD blob ${digest}`;
        return this.operation(what, signal, undefined, async (op) => {
            const response = await this.retried(this.pullScope(), op, () => ({ url: `${this.base}/blobs/${digest}`, method: 'HEAD' }));
            await discard(response);
            if (response.status === 200)
                return true;
            if (response.status === 404)
                return false;
            throw await this.failure(what, response);
        });
    }
    /**
     * Makes a blob present: one POST opens an upload session (asking to mount the blob from `mountFrom` if given:
     * 201 means mounted, 202 continues with that session), then one streamed PUT. A retry opens a new session and
     * re-opens the stream; there is one retry loop for the whole thing.
     */
    async uploadBlob(blob, options = {}) {
        const { digest, size } = blob.descriptor;
        const mountFrom = options.mountFrom !== undefined && options.mountFrom !== this.repository ? options.mountFrom : undefined;
        const query = mountFrom === undefined ? '' : `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`;
        const startUrl = `${this.base}/blobs/uploads/${query}`;
        const scopes = mountFrom === undefined ? this.pushScope() : [...this.pushScope(), `repository:${mountFrom}:pull`];
        // Sending is bounded by the size too: the operation allows down to ~64 KiB/s on top of the usual bound.
        const timeoutMs = this.transport.options.operationTimeoutMs + Math.ceil((size / (1024 * 1024)) * timeBounds.msPerMiB);
        let phase = 'start';
        let label = { method: 'POST', url: startUrl };
        let sourceError;
        let sent = 0;
        const putSpec = (location) => {
            const startedAt = Date.now();
            sent = 0;
            sourceError = undefined;
            const source = blob.open();
            const counted = async function* () {
                try {
                    for await (const chunk of source) {
                        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
                        sent += bytes.length;
                        const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
                        options.onProgress?.({ digest, bytes: sent, total: size, bytesPerSecond: sent / seconds });
                        yield bytes;
                    }
                }
                catch (error) {
                    sourceError = error;
                    throw error;
                }
            };
            const url = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
            const headers = { 'content-type': 'application/octet-stream', 'content-length': String(size) };
            return { url, method: 'PUT', headers, body: counted(), duplex: 'half' };
        };
        const attempt = async (op) => {
            phase = 'start';
            label = { method: 'POST', url: startUrl };
            const start = await this.transport.exchange(() => ({ url: startUrl, method: 'POST' }), op, this.access(scopes));
            if (start.status !== 202)
                return start; // 201: mounted; anything else is decided by the retry loop, then below
            await discard(start);
            const location = this.uploadLocation(start, digest);
            phase = 'put';
            label = { method: 'PUT', url: location };
            return this.transport.exchange(() => putSpec(location), op, this.access(this.pushScope()));
        };
        return this.operation(`upload of blob ${digest}`, options.signal, timeoutMs, async (op) => {
            let response;
            try {
                response = await this.transport.retry(op, () => label, () => attempt(op));
            }
            catch (error) {
                // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the blob's stream threw, as it was
                if (sourceError !== undefined)
                    throw sourceError; // the blob's own stream failed, not the network
                if (error instanceof IntegrityError && phase === 'put') {
                    throw new IntegrityError(`blob ${digest}: its stream gave ${sent} bytes, its descriptor says ${size}`);
                }
                throw error;
            }
            if (phase === 'start') {
                if (response.status === 201 && mountFrom !== undefined) {
                    await discard(response);
                    return { mounted: true, bytes: 0 };
                }
                throw await this.failure(`POST upload for blob ${digest}`, response);
            }
            if (response.status !== 201)
                throw await this.failure(`PUT blob ${digest}`, response);
            await discard(response);
            this.checkDigestHeader(`PUT blob ${digest}`, response, digest);
            return { mounted: false, bytes: sent };
        });
    }
    /** Puts a manifest under a digest or a tag; returns the digest the registry stored it under. */
    async putManifest(manifest, reference, signal) {
        const { digest, mediaType } = manifest.descriptor;
        const what = `PUT manifest ${reference}`;
        return this.operation(what, signal, undefined, async (op) => {
            const response = await this.retried(this.pushScope(), op, () => ({
                url: `${this.base}/manifests/${reference}`,
                method: 'PUT',
                headers: { 'content-type': mediaType },
                body: manifest.bytes,
            }));
            if (response.status !== 201)
                throw await this.failure(what, response);
            await discard(response);
            this.checkDigestHeader(what, response, digest);
            return digest;
        });
    }
    /** A manifest or index by tag or digest, at most 4 MiB; by digest, its bytes are checked against it. */
    async getManifest(reference, signal) {
        const what = `GET manifest ${reference}`;
        return this.operation(what, signal, undefined, async (op) => {
            const response = await this.retried(this.pullScope(), op, () => ({
                url: `${this.base}/manifests/${reference}`,
                method: 'GET',
                headers: { accept: manifestAccept },
            }));
            if (response.status !== 200)
                throw await this.failure(what, response);
            const bytes = await readLimited(response, manifestBodyLimit, `registry ${this.registry}: ${what}`);
            const digest = digest_sha256Digest(bytes);
            if (reference.includes(':') && reference !== digest) {
                throw new IntegrityError(`registry ${this.registry}: ${what} returned bytes with digest ${digest}`);
            }
            const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
            return { mediaType, bytes, digest };
        });
    }
    /**
     * The bytes of a small blob (an image config), checked against its digest. Not for layers: the body is held in
     * memory, so anything larger than `maxBytes` is refused. A missing blob is a RegistryError with status 404.
     */
    async getBlob(digest, maxBytes = 4 * 1024 * 1024, signal) {
        const what = `GET blob ${digest}`;
        return this.operation(what, signal, undefined, async (op) => {
            const response = await this.retried(this.pullScope(), op, () => ({ url: `${this.base}/blobs/${digest}`, method: 'GET' }));
            if (response.status !== 200)
                throw await this.failure(what, response);
            const bytes = await readLimited(response, maxBytes, `registry ${this.registry}: ${what}`);
            const got = digest_sha256Digest(bytes);
            if (got !== digest)
                throw new IntegrityError(`registry ${this.registry}: ${what} returned bytes with digest ${got}`);
            return bytes;
        });
    }
    /**
     * A blob's bytes as a stream, for layers of any size. Redirects (to a storage host) are followed without
     * credentials. Nothing is verified here: the caller hashes what it reads. The answer must start within the usual
     * bounds; after that the body may take as long as it needs at a minimum rate (1 MiB per 30 s of waiting for it).
     */
    async getBlobStream(digest, signal) {
        const what = `GET blob ${digest}`;
        const op = this.transport.begin(signal);
        let response;
        try {
            const spec = () => ({ url: `${this.base}/blobs/${digest}`, method: 'GET', nodeStream: true });
            response = await this.converted(what, op, () => this.retried(this.pullScope(), op, spec));
            if (response.status !== 200)
                throw await this.failure(what, response);
        }
        catch (error) {
            op.close();
            throw error;
        }
        op.end(); // from here the body is bounded by its minimum rate (and the caller's signal)
        const web = response.body;
        const source = nodeBody(response) ?? (web === null ? external_node_stream_.Readable.from([]) : external_node_stream_.Readable.fromWeb(web));
        const windowMs = this.transport.options.bodyWindowMs;
        const rule = { windowMs, minBytes: bodyMinBytes(windowMs) };
        const slow = (bytes) => new RegistryError(`registry ${this.registry}: ${what}: the body brought ${bytes} bytes in ${seconds(windowMs)} s, under the minimum of ${rule.minBytes}; broken off`, undefined, 'SLOW_BODY');
        return withMinimumRate(source, rule, slow, () => op.close());
    }
    /** The digest a tag points at, or undefined if the tag does not exist. */
    async resolve(tag, signal) {
        const what = `HEAD manifest ${tag}`;
        const digest = await this.operation(what, signal, undefined, async (op) => {
            const response = await this.retried(this.pullScope(), op, () => ({
                url: `${this.base}/manifests/${tag}`,
                method: 'HEAD',
                headers: { accept: manifestAccept },
            }));
            await discard(response);
            if (response.status === 404)
                return null;
            if (response.status !== 200)
                throw await this.failure(what, response);
            return response.headers.get('docker-content-digest') ?? '';
        });
        if (digest === null)
            return undefined;
        if (digest !== '')
            return digest;
        return (await this.getManifest(tag, signal)).digest; // not every registry sends the header on HEAD
    }
    pullScope() {
        return [`repository:${this.repository}:pull`];
    }
    pushScope() {
        return [`repository:${this.repository}:pull,push`];
    }
    /** The absolute Location of an upload session; a switch from https to http is refused (the blob would go in clear). */
    uploadLocation(response, digest) {
        const location = response.headers.get('location');
        if (location === null || location === '') {
            throw new RegistryError(`registry ${this.registry}: POST upload for blob ${digest} → 202 without a Location header`);
        }
        const url = new URL(location, this.base);
        if (isDowngrade(this.base, url)) {
            throw new RegistryError(`registry ${this.registry}: upload Location for blob ${digest} switches from https to http (${url.host}); refusing`);
        }
        return url.toString();
    }
    /** Runs `work` as one operation with its own deadline, turning network failures into one-line RegistryErrors. */
    async operation(what, signal, timeoutMs, work) {
        const op = this.transport.begin(signal, timeoutMs);
        try {
            return await this.converted(what, op, () => work(op));
        }
        finally {
            op.close();
        }
    }
    async converted(what, op, work) {
        try {
            return await work();
        }
        catch (error) {
            if (!(error instanceof ConnectionError))
                throw error;
            const code = error.code;
            if (code === 'DEADLINE') {
                throw new RegistryError(`registry ${this.registry}: ${what}: no answer within ${Math.round(op.timeoutMs / 1000)} s; gave up (DEADLINE)`, undefined, code);
            }
            if (code === 'SILENT') {
                throw new RegistryError(`registry ${this.registry}: ${what}: no answer in ${seconds(op.silenceMs)} s of waiting; gave up (TIMEOUT)`, undefined, 'TIMEOUT');
            }
            if (code === 'TIMEOUT')
                throw new RegistryError(`registry ${this.registry}: ${what}: no answer in time (TIMEOUT)`, undefined, code);
            if (code === 'ABORTED')
                throw new RegistryError(`registry ${this.registry}: ${what}: aborted`, undefined, code);
            throw new RegistryError(`registry ${this.registry}: cannot connect (${code})`, undefined, code);
        }
    }
    /** One request with authentication, retried within the operation. */
    retried(scopes, op, build) {
        return this.transport.request(build, op, this.access(scopes));
    }
    access(scopes) {
        return { auth: this.auth, scopes };
    }
    checkDigestHeader(what, response, digest) {
        const answered = response.headers.get('docker-content-digest');
        if (answered !== null && answered !== '' && answered !== digest) {
            throw new IntegrityError(`registry ${this.registry}: ${what} stored digest ${answered}, expected ${digest}`);
        }
    }
    /** `registry X: PUT manifest v1 → 400 MANIFEST_BLOB_UNKNOWN: blob unknown to registry`. */
    async failure(what, response) {
        const text = response.bodyUsed
            ? ''
            : (await readPrefix(response, errorBodyLimit).catch(() => ({ bytes: Buffer.alloc(0) }))).bytes.toString('utf8');
        let detail;
        let code;
        try {
            const first = JSON.parse(text).errors?.[0];
            code = first?.code;
            detail = [first?.code, first?.message].filter((part) => part !== undefined && part !== '').join(': ');
        }
        catch {
            detail = text.replace(/\s+/g, ' ').trim().slice(0, 200);
        }
        if (detail === '')
            detail = response.statusText;
        detail = this.auth.redact(detail); // a registry or proxy may echo the request, Authorization included
        return new RegistryError(`registry ${this.registry}: ${what} → ${response.status}${detail === '' ? '' : ` ${detail}`}`, response.status, code);
    }
}
/** Frees the connection of a response whose body is not needed (HEAD/201/202 bodies are empty or useless). */
async function discard(response) {
    await releaseBody(response);
}
/** `ms` in seconds for a message: whole seconds when whole (a test's short windows keep their fraction). */
function seconds(ms) {
    return String(Math.round(ms / 100) / 10);
}

;// CONCATENATED MODULE: ./src/oci/stores/registry-store.ts




class RegistryStore {
    client;
    name;
    kind = 'registry';
    constructor(client) {
        this.client = client;
        this.name = `${client.registry}/${client.repository}`;
    }
    static open(repository, options) {
        return new RegistryStore(new RegistryClient(repository, options));
    }
    async fetchManifest(reference) {
        try {
            const fetched = await this.client.getManifest(reference);
            return { bytes: fetched.bytes, digest: fetched.digest, mediaType: fetched.mediaType || declaredMediaType(fetched.bytes) };
        }
        catch (error) {
            if (error instanceof RegistryError && error.status === 404)
                return undefined;
            throw error;
        }
    }
    async readSmallBlob(descriptor, maxBytes) {
        assertReadable(this.name, descriptor, maxBytes);
        const bytes = await this.client.getBlob(descriptor.digest, maxBytes);
        if (bytes.length !== descriptor.size) {
            throw new IntegrityError(`${this.name}: blob ${descriptor.digest} is ${bytes.length} bytes, its descriptor says ${descriptor.size}`);
        }
        return bytes;
    }
    async openBlob(descriptor) {
        return verifiedStream(await this.client.getBlobStream(descriptor.digest), descriptor, this.name);
    }
}

;// CONCATENATED MODULE: ./src/oci/stores/open-store.ts
// The store an image reference points into: a registry repository or a local OCI layout, read by the same interface.


/** The store a parsed reference names; a layout must exist already (reading never creates one). */
async function open_store_openImageStore(reference, options = {}) {
    if (reference.kind === 'layout')
        return layout_OciLayout.openExisting(reference.dir);
    return RegistryStore.open(reference.repository, {
        credentials: options.credentials,
        insecure: options.insecureRegistry,
        onSecret: options.onSecret,
        log: options.log,
    });
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
// EXTERNAL MODULE: ./node_modules/tar/dist/esm/index.min.js
var index_min = __webpack_require__(8697);
;// CONCATENATED MODULE: ./src/describe/squashfs.ts


const SUPERBLOCK_BYTES = 96;
const SQUASHFS_MAGIC = 0x73717368; // "hsqs" read as little-endian u32
/** No addons image krata ships comes near this; it bounds what an image can make install write. */
const ADDONS_MAX_BYTES = 4 * 1024 ** 3;
/**
 * How far a file may run past its squashfs: mksquashfs pads to 4 KiB (measured: 2921 bytes of padding on a tiny tree,
 * 317 on Debian's modules; none with -nopad), openSUSE's mksquashfs to 64 KiB (its squashfs-64k.patch). Anything more
 * is bytes the kernel never reads, riding along into every pull and install.
 */
const SQUASHFS_PAD_BYTES = 64 * 1024;
/** The compressor ids of squashfs_fs.h (ZLIB_COMPRESSION ... ZSTD_COMPRESSION). */
const SQUASHFS_COMPRESSORS = { 1: 'gzip', 2: 'lzma', 3: 'lzo', 4: 'xz', 5: 'lz4', 6: 'zstd' };
/** What a squashfs superblock says of the file it starts; undefined when `head` is no squashfs superblock. */
function parseSquashfsSuperblock(head) {
    if (head.length < SUPERBLOCK_BYTES || head.readUInt32LE(0) !== SQUASHFS_MAGIC)
        return undefined;
    // Offsets beyond 2^53 are not real files; as numbers they stay exact up to there and compare with file sizes.
    const offset = (at) => Number(head.readBigUInt64LE(at));
    const compressionId = head.readUInt16LE(20);
    return {
        major: head.readUInt16LE(28),
        minor: head.readUInt16LE(30),
        inodeCount: head.readUInt32LE(4),
        blockSize: head.readUInt32LE(12),
        blockLog: head.readUInt16LE(22),
        fragmentCount: head.readUInt32LE(16),
        compressionId,
        compression: SQUASHFS_COMPRESSORS[compressionId],
        flags: head.readUInt16LE(24),
        idCount: head.readUInt16LE(26),
        rootInode: head.readBigUInt64LE(32),
        bytesUsed: offset(40),
        idTableStart: offset(48),
        xattrIdTableStart: offset(56),
        inodeTableStart: offset(64),
        directoryTableStart: offset(72),
        fragmentTableStart: offset(80),
        exportTableStart: offset(88),
    };
}
/**
 * Why the `size` bytes starting with `head` are not a whole squashfs 4 image the kernel mounts (undefined when they
 * are): the same rule for a file given to publish or boot and for kernel/addons.squashfs inside an image.
 */
function squashfsProblem(head, size) {
    if (size > ADDONS_MAX_BYTES)
        return `is ${size} bytes, more than the ${ADDONS_MAX_BYTES} an addons image may be`;
    const superblock = parseSquashfsSuperblock(head);
    if (superblock === undefined)
        return 'is not a squashfs image (no "hsqs" superblock)';
    if (superblock.major !== 4)
        return `is squashfs version ${superblock.major}; the kernel mounts version 4`;
    if (superblock.bytesUsed < SUPERBLOCK_BYTES || superblock.bytesUsed > size) {
        return `is truncated: its squashfs superblock says ${superblock.bytesUsed} bytes but the file has ${size}`;
    }
    const padded = Math.ceil(superblock.bytesUsed / SQUASHFS_PAD_BYTES) * SQUASHFS_PAD_BYTES;
    if (size > padded) {
        return `is longer than its squashfs image: the superblock says ${superblock.bytesUsed} bytes (${padded} padded to 64 KiB) but the file has ${size}`;
    }
    return undefined;
}
/** Throws a one-line InputError naming the `addons` input unless `file` is a whole squashfs 4 image. */
async function assertSquashfs(file, input = 'addons') {
    const { handle, size } = await openInputFile(file, input, { maxBytes: ADDONS_MAX_BYTES, what: 'addons squashfs image' });
    try {
        await readSquashfsSuperblock(handle, size, file, input);
    }
    finally {
        await handle.close();
    }
}
/** The superblock of the open file `file` of `size` bytes, once it is known to start a whole squashfs 4 image. */
async function readSquashfsSuperblock(handle, size, file, input) {
    const buffer = Buffer.alloc(SUPERBLOCK_BYTES);
    const head = buffer.subarray(0, (await handle.read(buffer, 0, SUPERBLOCK_BYTES, 0)).bytesRead);
    const problem = squashfsProblem(head, size);
    if (problem !== undefined)
        throw new InputError(`${input}: ${file} ${problem}`);
    return parseSquashfsSuperblock(head);
}

;// CONCATENATED MODULE: ./src/pull/kernel-file-limits.ts
// How large each kernel file inside an image may be, judged from its tar header before a byte of it is written:
// what install writes and verify inflates stays within these, whatever a layer decompresses to.

const MiB = 1024 * 1024;
/** Per-file caps, by path inside the image (README "Host side": the caps). */
const KERNEL_FILE_CAPS = new Map([
    // The largest distribution kernels are ~15 MB; a debug build with everything built in stays well below this.
    ['kernel/image', 256 * MiB],
    // A few hundred bytes of KEY=value lines.
    ['kernel/metadata', 64 * 1024],
    // The action reads a .config of at most 16 MiB; its gzip is smaller still.
    ['kernel/config.gz', 16 * MiB],
    // Bounded again by its own squashfs superblock (squashfs.ts).
    ['kernel/addons.squashfs', ADDONS_MAX_BYTES],
]);
/** What an inflated kernel/config.gz may hold: the same bound as a .config the action reads. */
const CONFIG_INFLATED_MAX = 16 * MiB;
/** The path as krata's unpacker would place it (leading `./` and `/` do not change where it lands). */
function placedPath(path) {
    return path.replace(/^(?:\.\/|\/)+/, '');
}
/** Why a regular entry of `size` bytes at `path` is refused, or undefined when it is within its cap. */
function kernelFileSizeProblem(path, size) {
    const cap = KERNEL_FILE_CAPS.get(placedPath(path));
    if (cap === undefined || size <= cap)
        return undefined;
    return `${path} is ${size} bytes, more than the ${cap} a ${placedPath(path).slice('kernel/'.length)} may be`;
}

;// CONCATENATED MODULE: ./src/pull/layer-bytes.ts
/** How many leading bytes the magic check needs (a ustar magic sits at 257..262). */
const MAGIC_BYTES = 263;
const WORDS = { gzip: 'gzip (1f 8b)', zstd: 'zstd (28 b5 2f fd)', none: 'a tar archive ("ustar" at byte 257)' };
/** Undefined when `head` (the first MAGIC_BYTES, fewer only at the end of the blob) starts as `compression` does. */
function layerMagicProblem(head, compression) {
    if (head.length === 0)
        return 'is empty';
    const ok = compression === 'gzip'
        ? head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
        : compression === 'zstd'
            ? head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC
            : isTarStart(head);
    if (ok)
        return undefined;
    return `does not start as ${WORDS[compression]} but with ${head
        .subarray(0, 4)
        .toString('hex')
        .replace(/(..)(?=.)/g, '$1 ')}${describe(head)}`;
}
function isTarStart(head) {
    if (head.length < MAGIC_BYTES)
        return head.length >= 512 || head.every((byte) => byte === 0);
    const magic = head.toString('latin1', 257, 262);
    // An empty archive is all zeros; otherwise POSIX "ustar\0" or GNU "ustar  ".
    return magic === 'ustar' || head.every((byte) => byte === 0);
}
function describe(head) {
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)
        return ' (gzip)';
    if (head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC)
        return ' (zstd)';
    if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])))
        return ' (xz)';
    return '';
}
const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/**
 * Follows a zstd stream frame by frame (RFC 8878 §3.1) without decompressing, so every frame, not only the first, is
 * a zstd frame (or a skippable one): `push` returns a reason as soon as one is not.
 */
class ZstdFrameCheck {
    #need = 4;
    #collected = [];
    #step = 'magic';
    #skip = 0;
    #afterSkip = 'magic';
    #descriptor = 0;
    #lastBlock = false;
    /** Feeds the next bytes; a reason when the stream stops being zstd. */
    push(chunk) {
        let at = 0;
        while (at < chunk.length) {
            if (this.#step === 'skip') {
                const step = Math.min(this.#skip, chunk.length - at);
                this.#skip -= step;
                at += step;
                if (this.#skip === 0)
                    this.#to(this.#afterSkip);
                continue;
            }
            while (at < chunk.length && this.#collected.length < this.#need)
                this.#collected.push(chunk[at++]);
            if (this.#collected.length < this.#need)
                break;
            const problem = this.#field(Buffer.from(this.#collected));
            if (problem !== undefined)
                return problem;
        }
        return undefined;
    }
    /** A reason when the stream ends inside a frame. */
    end() {
        return this.#step === 'magic' && this.#collected.length === 0 ? undefined : 'the zstd stream ends inside a frame';
    }
    #to(step) {
        this.#step = step;
        this.#need = step === 'magic' ? 4 : 3;
        this.#collected = [];
    }
    #field(bytes) {
        switch (this.#step) {
            case 'magic': {
                const magic = bytes.readUInt32LE(0);
                if (magic === ZSTD_MAGIC) {
                    this.#step = 'descriptor';
                    this.#need = 1;
                    this.#collected = [];
                    return undefined;
                }
                if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
                    this.#step = 'skippable-size';
                    this.#need = 4;
                    this.#collected = [];
                    return undefined;
                }
                return `a frame starts with ${bytes.toString('hex')}, not the zstd magic${describe(bytes)}`;
            }
            case 'skippable-size':
                return this.#skipThen(bytes.readUInt32LE(0), 'magic');
            case 'descriptor': {
                const d = bytes[0];
                if (d & 0x08)
                    return 'a zstd frame header sets its reserved bit';
                this.#descriptor = d;
                const single = (d >> 5) & 1;
                const fcs = [single ? 1 : 0, 2, 4, 8][d >> 6];
                const dict = [0, 1, 2, 4][d & 3];
                const rest = (single ? 0 : 1) + dict + fcs;
                this.#lastBlock = false;
                if (rest === 0) {
                    this.#to('block-header');
                    return undefined;
                }
                this.#step = 'header-rest';
                this.#need = rest;
                this.#collected = [];
                return undefined;
            }
            case 'header-rest':
                this.#to('block-header');
                return undefined;
            case 'block-header': {
                const header = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);
                const type = (header >> 1) & 3;
                if (type === 3)
                    return 'a zstd block has the reserved type';
                const size = type === 1 ? 1 : header >>> 3;
                this.#lastBlock = (header & 1) === 1;
                const checksum = (this.#descriptor >> 2) & 1 ? 4 : 0;
                return this.#skipThen(size + (this.#lastBlock ? checksum : 0), this.#lastBlock ? 'magic' : 'block-header');
            }
            default:
                return undefined;
        }
    }
    #skipThen(bytes, then) {
        this.#collected = [];
        if (bytes === 0) {
            this.#to(then);
            return undefined;
        }
        this.#step = 'skip';
        this.#skip = bytes;
        this.#afterSkip = then;
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/pull/tar-header.ts
// The tar headers a layer may hold, judged as GNU tar judges them (its `from_header`): numeric fields in octal or
// base-256, ending in a space or NUL; no negative size; a checksum that adds up. Pure: bytes in, facts or a reason out.
const TAR_BLOCK = 512;
/** True for the all-zero block that ends an archive. */
function isZeroBlock(block) {
    for (const byte of block)
        if (byte !== 0)
            return false;
    return true;
}
/** The header's facts, or a string saying why GNU tar refuses it. `block` is exactly 512 bytes and not all zero. */
function parseTarHeader(block) {
    const name = nameOf(block);
    const checksum = numericField(block, 148, 8);
    if (typeof checksum === 'string')
        return `checksum field ${checksum}`;
    if (!checksumMatches(block, checksum))
        return 'header checksum does not match its bytes';
    for (const [field, offset, length] of [
        ['mode', 100, 8],
        ['uid', 108, 8],
        ['gid', 116, 8],
        ['mtime', 136, 12],
    ]) {
        const value = numericField(block, offset, length);
        if (typeof value === 'string')
            return `${field} field ${value}`;
    }
    const size = numericField(block, 124, 12);
    if (typeof size === 'string')
        return `size field ${size}`;
    if (size === undefined)
        return 'size field is blank';
    if (size < 0)
        return 'size field is a negative base-256 number';
    if (!Number.isSafeInteger(size))
        return 'size field is beyond any real file';
    return { name, type: String.fromCharCode(block[156]), size };
}
function nameOf(block) {
    const name = cField(block, 0, 100);
    const ustar = block.toString('latin1', 257, 263);
    const prefix = ustar === 'ustar\0' ? cField(block, 345, 155) : '';
    return prefix === '' ? name : `${prefix}/${name}`;
}
function cField(block, offset, length) {
    const bytes = block.subarray(offset, offset + length);
    const end = bytes.indexOf(0);
    return bytes.toString('utf8', 0, end < 0 ? length : end);
}
/**
 * A numeric field: leading spaces, octal digits, then a space or NUL (what follows is ignored); or base-256 (first
 * byte 0x80 positive, 0xff negative). Undefined when blank; a string saying what is wrong otherwise.
 */
function numericField(block, offset, length) {
    const first = block[offset];
    // Base-256: GNU tar reads a negative one only where its type is signed (mtime); the caller judges the sign.
    if (first === 0xff)
        return -1;
    if (first === 0x80) {
        let value = 0n;
        for (let i = 1; i < length; i++)
            value = (value << 8n) | BigInt(block[offset + i]);
        return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER + 1 : Number(value);
    }
    let at = offset;
    const end = offset + length;
    while (at < end && block[at] === 0x20)
        at++;
    if (at === end || block[at] === 0)
        return undefined;
    let value = 0;
    const start = at;
    while (at < end && block[at] >= 0x30 && block[at] <= 0x37)
        value = value * 8 + (block[at++] - 0x30);
    if (at === start || (at < end && block[at] !== 0x20 && block[at] !== 0)) {
        return `holds ${JSON.stringify(block.toString('latin1', offset, end).replace(/\0+$/, ''))} where an octal number is expected`;
    }
    return value;
}
/** GNU tar accepts the unsigned sum and, for old writers, the signed one; the field itself counts as 8 spaces. */
function checksumMatches(block, stored) {
    if (stored === undefined)
        return false;
    let unsigned = 8 * 0x20;
    let signed = 8 * 0x20;
    for (let i = 0; i < TAR_BLOCK; i++) {
        if (i >= 148 && i < 156)
            continue;
        const byte = block[i];
        unsigned += byte;
        signed += byte > 127 ? byte - 256 : byte;
    }
    return stored === unsigned || stored === signed;
}
/** The `size` record of a pax extended header body ("<len> size=<decimal>\n"), a reason when malformed, or undefined. */
function paxSize(body) {
    const text = body.toString('utf8');
    let size;
    let at = 0;
    while (at < text.length) {
        const space = text.indexOf(' ', at);
        const length = space < 0 ? NaN : Number(text.slice(at, space));
        if (!Number.isSafeInteger(length) || length <= space - at || at + length > text.length || text[at + length - 1] !== '\n') {
            if (/^\0*$/.test(text.slice(at)))
                break; // padding some writers leave
            return 'pax header has a malformed record';
        }
        const record = text.slice(space + 1, at + length - 1);
        if (record.startsWith('size=')) {
            const value = record.slice('size='.length);
            if (!/^\d{1,15}$/.test(value))
                return `pax header has size=${JSON.stringify(value).slice(0, 40)}, not a size`;
            size = Number(value);
        }
        at += length;
    }
    return size;
}

;// CONCATENATED MODULE: ./src/pull/tar-gate.ts
// A pass-through in front of the tar parser that lets only archives GNU tar would read reach it: every header
// checked (tar-header.ts), at most MAX_ENTRIES entries, at most MAX_INFLATED bytes, and nothing after the first zero
// block (where GNU tar and krata's tar crate stop reading). Bytes pass unchanged, so the parser sees what was sent.



/** A kernel image holds a handful of entries; this bound keeps a layer of empty entries from running for minutes. */
const MAX_ENTRIES = 65_536;
/** The caps of the kernel files together (tar-limits.ts), with room for headers. */
const MAX_INFLATED = 4.5 * 1024 ** 3;
/** GNU tar pads an archive to a 10 KiB record; anything far beyond the end-of-archive blocks is not tar. */
const MAX_TRAILING = 1024 * 1024;
/** A pax header carries a few names and times. */
const MAX_PAX_BYTES = 1024 * 1024;
class TarGate extends external_node_stream_.Transform {
    where;
    #state = { kind: 'header' };
    #pending = Buffer.alloc(0);
    #offset = 0;
    #entries = 0;
    #trailing = 0;
    /** A pax `size` waiting for the header it applies to. */
    #nextSize;
    constructor(where) {
        super({ highWaterMark: 1 << 20 });
        this.where = where;
    }
    _transform(chunk, _encoding, callback) {
        try {
            const forward = this.#consume(chunk);
            callback(null, forward.length > 0 ? forward : undefined);
        }
        catch (error) {
            callback(error);
        }
    }
    _flush(callback) {
        // A short archive is the parser's to report ("Truncated input"); nothing is added here.
        callback();
    }
    /** Walks `chunk` and returns the part of it to pass on (all of it until the end-of-archive block). */
    #consume(chunk) {
        if (this.#state.kind === 'done') {
            this.#follow(chunk.length);
            return Buffer.alloc(0);
        }
        if (this.#offset + chunk.length > MAX_INFLATED) {
            throw new InputError(`${this.where}: inflates to more than ${MAX_INFLATED} bytes, more than any kernel image holds`);
        }
        let at = 0;
        while (at < chunk.length) {
            const state = this.#state;
            if (state.kind === 'skip') {
                const step = Math.min(state.left, chunk.length - at);
                state.left -= step;
                at += step;
                if (state.left === 0)
                    this.#state = { kind: 'header' };
                continue;
            }
            if (state.kind === 'pax') {
                const step = Math.min(state.size + state.pad - state.have, chunk.length - at);
                if (state.have < state.size)
                    state.body.push(chunk.subarray(at, at + Math.min(step, state.size - state.have)));
                state.have += step;
                at += step;
                if (state.have === state.size + state.pad)
                    this.#paxDone(Buffer.concat(state.body));
                continue;
            }
            const need = TAR_BLOCK - this.#pending.length;
            const piece = chunk.subarray(at, at + need);
            at += piece.length;
            this.#pending = this.#pending.length === 0 ? Buffer.from(piece) : Buffer.concat([this.#pending, piece]);
            if (this.#pending.length === TAR_BLOCK) {
                const block = this.#pending;
                this.#pending = Buffer.alloc(0);
                this.#header(block, this.#offset + at - TAR_BLOCK);
                if (this.#done()) {
                    this.#follow(chunk.length - at);
                    this.#offset += at;
                    return Buffer.concat([chunk.subarray(0, at), Buffer.alloc(TAR_BLOCK)]);
                }
            }
        }
        this.#offset += chunk.length;
        return chunk;
    }
    #header(block, position) {
        if (isZeroBlock(block)) {
            // Only this zero block and one more reach the parser (a second one is sent for it), so it ends there too.
            this.#state = { kind: 'done' };
            return;
        }
        const facts = parseTarHeader(block);
        if (typeof facts === 'string')
            throw new InputError(`${this.where}: tar header at byte ${position}: ${facts}; GNU tar refuses it`);
        if (++this.#entries > MAX_ENTRIES)
            throw new InputError(`${this.where}: more than ${MAX_ENTRIES} tar entries; a kernel image holds a few`);
        const meta = facts.type === 'x' || facts.type === 'g';
        const size = meta || this.#nextSize === undefined ? facts.size : this.#nextSize;
        if (!meta && facts.type !== 'L' && facts.type !== 'K')
            this.#nextSize = undefined;
        const pad = (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;
        if (meta) {
            if (size > MAX_PAX_BYTES)
                throw new InputError(`${this.where}: tar entry "${facts.name}": a pax header of ${size} bytes`);
            this.#state = size + pad === 0 ? { kind: 'header' } : { kind: 'pax', body: [], have: 0, size, pad };
            this.#paxType = facts.type;
            this.#paxName = facts.name;
            if (size + pad === 0)
                this.#paxDone(Buffer.alloc(0));
            return;
        }
        this.#state = size + pad === 0 ? { kind: 'header' } : { kind: 'skip', left: size + pad };
    }
    /** What follows the end of the archive is never read by GNU tar or krata: it need not be inflated for long. */
    #follow(bytes) {
        this.#trailing += bytes;
        if (this.#trailing > MAX_TRAILING)
            throw new InputError(`${this.where}: more than ${MAX_TRAILING} bytes follow the end of the tar archive`);
    }
    #done() {
        return this.#state.kind === 'done';
    }
    #paxType = 'x';
    #paxName = '';
    #paxDone(body) {
        this.#state = { kind: 'header' };
        const size = paxSize(body);
        if (typeof size === 'string')
            throw new InputError(`${this.where}: tar entry "${this.#paxName}": ${size}; GNU tar refuses it`);
        if (size === undefined)
            return;
        // A global header's size would apply to every entry after it: no writer does that, so it is refused.
        if (this.#paxType === 'g')
            throw new InputError(`${this.where}: tar entry "${this.#paxName}": a global pax header sets size; refused`);
        this.#nextSize = size;
    }
}

;// CONCATENATED MODULE: ./src/pull/layer-reader.ts
// Reading a layer as krata's puller does: decompressed according to its media type, then walked as a tar stream,
// entry by entry, with back-pressure (node-tar), so a layer of any size passes through in constant memory; each
// stage checks its bytes before the next one trusts them (layer-bytes.ts, tar-gate.ts, kernel-file-limits.ts).












/** Streams one layer of `image` through `onEntry`. The blob's digest and size are checked as it is read. */
async function readLayer(image, layer, onEntry, where) {
    const compression = KRATA_LAYER_TYPES.get(layer.mediaType);
    if (compression === undefined)
        throw new InputError(`${where}: layer ${layer.digest} has media type ${layer.mediaType}, which krata cannot read`);
    const blob = await image.openBlob(layer);
    await walkTar(blob, compression, onEntry, `${where}: layer ${layer.digest}`);
}
/**
 * Decompresses `source` and calls `onEntry` for each tar entry, one body at a time. Before anything is decompressed the
 * bytes must start as `compression` says; every tar header must be one GNU tar accepts; each kernel file must be within
 * its cap (kernel-file-limits.ts) and addons.squashfs a whole squashfs. The first error of any part (the bytes, the
 * decompressor, the tar, a consumer) ends the whole walk with that error; no consumer is left waiting.
 */
async function walkTar(source, compression, onEntry, where) {
    const parser = new index_min/* Parser */.iX({ strict: true });
    const pending = [];
    const bodies = new Set();
    const stages = [source, new MagicGate(compression, where)];
    if (compression === 'zstd')
        stages.push(new ZstdFrameGate(where));
    const decompress = decompressor(compression);
    if (decompress !== undefined)
        stages.push(decompress);
    stages.push(new TarGate(where));
    let failure;
    let failed = () => undefined;
    const stopped = new Promise((_resolve, reject) => (failed = reject));
    stopped.catch(() => undefined);
    // Any part failing stops every part: the pipeline alone would wait forever on a parser blocked by a failed body.
    const fail = (error) => {
        if (failure !== undefined)
            return;
        failure = error;
        failed(error);
        for (const stage of stages)
            stage.destroy();
        for (const body of bodies)
            body.destroy(error);
    };
    parser.on('entry', (entry) => {
        const info = { path: entry.path, type: entry.type, size: entry.size ?? 0, ...(entry.linkpath ? { linkpath: entry.linkpath } : {}) };
        const regular = isRegularEntry(entry.type);
        const problem = regular ? kernelFileSizeProblem(entry.path, info.size) : undefined;
        if (problem !== undefined) {
            entry.resume();
            fail(new InputError(`${where}: ${problem}`));
            return;
        }
        let consume;
        try {
            consume = onEntry(info);
        }
        catch (error) {
            // A throw inside the parser's event would escape the stream uncaught: end the walk with it instead.
            entry.resume();
            fail(error);
            return;
        }
        const check = regular && placedPath(entry.path) === 'kernel/addons.squashfs' ? new SquashfsHead(info.size, `${where}: ${entry.path}`) : undefined;
        check?.on('error', fail);
        if (consume === undefined) {
            if (check === undefined)
                entry.resume();
            else
                entry.pipe(check).resume();
            return;
        }
        const body = new external_node_stream_.PassThrough({ highWaterMark: 1 << 20 });
        // The walk reports a failure itself (fail); a consumer that awaits something before reading its body (opening the
        // file it writes) has no listener yet when the walk destroys the body with that failure.
        body.on('error', () => undefined);
        bodies.add(body);
        body.once('close', () => bodies.delete(body));
        if (check === undefined)
            entry.pipe(body);
        else
            entry.pipe(check).pipe(body);
        pending.push(consume(body).catch(fail));
    });
    try {
        await Promise.race([(0,external_node_stream_promises_.pipeline)([...stages, parser]), stopped]);
    }
    catch (error) {
        fail(error);
    }
    // Every consumer has finished (or failed) before the walk returns: none is still writing a file.
    await Promise.allSettled(pending);
    if (failure === undefined)
        return;
    if (failure instanceof InputError || failure instanceof ToolError || failure instanceof IntegrityError)
        throw failure;
    if (failure instanceof Error && failure.name !== 'Error' && !('code' in failure))
        throw failure;
    throw new InputError(`${where}: ${failure.message}`);
}
/** Holds back the first bytes until they show the layer is what its media type says. */
class MagicGate extends external_node_stream_.Transform {
    compression;
    where;
    #head = [];
    #have = 0;
    #open = false;
    constructor(compression, where) {
        super({ highWaterMark: 1 << 20 });
        this.compression = compression;
        this.where = where;
    }
    _transform(chunk, _encoding, callback) {
        if (this.#open)
            return callback(null, chunk);
        this.#head.push(chunk);
        this.#have += chunk.length;
        if (this.#have < MAGIC_BYTES)
            return callback();
        this.#release(callback);
    }
    _flush(callback) {
        if (this.#open)
            return callback();
        this.#release(callback);
    }
    #release(callback) {
        const head = Buffer.concat(this.#head);
        this.#head = [];
        const problem = layerMagicProblem(head, this.compression);
        if (problem !== undefined)
            return callback(new InputError(`${this.where}: the layer ${problem}; its media type says ${this.compression === 'none' ? 'tar' : `tar+${this.compression}`}`));
        this.#open = true;
        callback(null, head);
    }
}
/** Every zstd frame must be a zstd frame: the `zstd` program would also decode a gzip member placed after one. */
class ZstdFrameGate extends external_node_stream_.Transform {
    where;
    #frames = new ZstdFrameCheck();
    constructor(where) {
        super({ highWaterMark: 1 << 20 });
        this.where = where;
    }
    _transform(chunk, _encoding, callback) {
        const problem = this.#frames.push(chunk);
        callback(problem === undefined ? null : new InputError(`${this.where}: the tar+zstd layer is not zstd throughout: ${problem}`), chunk);
    }
    _flush(callback) {
        const problem = this.#frames.end();
        callback(problem === undefined ? null : new InputError(`${this.where}: ${problem}`));
    }
}
/** Checks kernel/addons.squashfs's first bytes against its size as they pass (squashfs.ts: the publish rule). */
class SquashfsHead extends external_node_stream_.Transform {
    size;
    what;
    #head = Buffer.alloc(0);
    #checked = false;
    constructor(size, what) {
        super({ highWaterMark: 1 << 20 });
        this.size = size;
        this.what = what;
    }
    _transform(chunk, _encoding, callback) {
        if (!this.#checked) {
            this.#head = Buffer.concat([this.#head, chunk.subarray(0, SUPERBLOCK_BYTES - this.#head.length)]);
            if (this.#head.length === SUPERBLOCK_BYTES) {
                const problem = this.#check();
                if (problem !== undefined)
                    return callback(problem);
            }
        }
        callback(null, chunk);
    }
    _flush(callback) {
        callback(this.#checked ? null : (this.#check() ?? null));
    }
    #check() {
        this.#checked = true;
        const problem = squashfsProblem(this.#head, this.size);
        return problem === undefined ? undefined : new InputError(`${this.what} ${problem}`);
    }
}
function decompressor(compression) {
    if (compression === 'gzip')
        return (0,external_node_zlib_.createGunzip)({ chunkSize: 1 << 16 });
    if (compression === 'zstd')
        return nodeZstd?.() ?? zstdDecompressor();
    return undefined;
}
/** Node's own zstd (zlib.createZstdDecompress, Node 22.15+/23.8+) when this Node has it. */
const nodeZstd = external_node_zlib_default().createZstdDecompress?.bind((external_node_zlib_default()));
/** Without it, the `zstd` program does it, as a stream (stdin → stdout). */
function zstdDecompressor() {
    const child = (0,external_node_child_process_.spawn)('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk.toString()).slice(-500)));
    const exited = new Promise((resolve) => child.once('close', resolve));
    // The output only ends cleanly once zstd has said it succeeded: a corrupt frame must not pass as a short tar.
    const output = new external_node_stream_.Transform({
        transform: (chunk, _encoding, callback) => callback(null, chunk),
        flush: (callback) => {
            void exited.then((code) => callback(code === 0 ? null : new ToolError(`zstd -d failed: ${stderr.trim() || `exit ${String(code)}`}`)));
        },
    });
    child.on('error', (error) => output.destroy(new ToolError(`cannot run zstd to read a tar+zstd layer: ${error.message}`)));
    child.stdout.pipe(output);
    const duplex = external_node_stream_.Duplex.from({ writable: child.stdin, readable: output });
    duplex.on('close', () => {
        if (child.exitCode === null)
            child.kill();
    });
    return duplex;
}
/** Reads a whole entry body into memory, refusing more than `maxBytes` (for metadata). */
async function bodyToBuffer(body, maxBytes, what) {
    const chunks = [];
    let length = 0;
    for await (const chunk of body) {
        length += chunk.length;
        if (length > maxBytes)
            throw new InputError(`${what} is larger than ${maxBytes} bytes`);
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}
/**
 * The sha256 of a gzip body once inflated, refusing to inflate past `maxBytes` (kernel/config.gz: a 16 MiB gzip of
 * zeros would otherwise cost a minute). Nothing is kept in memory.
 */
async function inflatedSha256(body, maxBytes, what) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let inflated = 0;
    const tooLarge = new InputError(`${what} inflates to more than ${maxBytes} bytes`);
    try {
        await (0,external_node_stream_promises_.pipeline)(body, (0,external_node_zlib_.createGunzip)({ chunkSize: 1 << 16 }), new external_node_stream_.Writable({
            write: (chunk, _encoding, done) => {
                inflated += chunk.length;
                if (inflated > maxBytes)
                    return done(tooLarge);
                hash.update(chunk);
                done();
            },
        }));
    }
    catch (error) {
        if (error === tooLarge || !(error instanceof Error) || !('code' in error))
            throw error;
        throw new InputError(`${what} is not a whole gzip stream (${error.message})`);
    }
    return `sha256:${hash.digest('hex')}`;
}

;// CONCATENATED MODULE: ./src/boot/dom0-bringup.ts
// What dom0 must bring up before xl can run a zone, stage by stage, and which kernel modules each stage loads first.
// Pure: modules.dep and modules.builtin come in as text, load lists go out. The kit's own dom0 kernel and a user's host
// kernel (issue 20: `target: host`) go through the same stages; only where the modules come from differs.

/** The bring-up stages dom0's init reports, in order (stage ids shared with stages.ts). */
/** The kit's dom0 kernel's Xen modules, in load order (xenfs uses xen-privcmd), with loop and blkback for the disks. */
const DOM0_MODULES = ['xen-evtchn', 'xen-gntdev', 'xen-gntalloc', 'xen-privcmd', 'xenfs', 'loop', 'xen-blkback'];
/** The drivers of each stage (xenstored has none: it needs the three devices before it). */
const DOM0_DRIVERS = [
    { stage: 'evtchn', modules: ['xen-evtchn'] },
    { stage: 'gntdev', modules: ['xen-gntdev'], optional: ['xen-gntalloc'] },
    { stage: 'privcmd', modules: ['xen-privcmd'] },
    { stage: 'xenfs', modules: ['xenfs'] },
    // Loop devices carry the zone's disk images (as krata's own loopdev does); blkback serves them.
    { stage: 'blkback', modules: ['loop', 'xen-blkback'] },
    { stage: 'netback', modules: ['xen-netback'] },
];
/** The kit's dom0 kernel: its seven modules, by stage (it brings no netback, and its zone boots need none). */
function kitDom0Loads(modules) {
    const files = Object.entries(modules).map(([name, source]) => ({ name: `${moduleNameOf(name)}.ko`, source }));
    const byStage = {};
    for (const driver of DOM0_DRIVERS) {
        const names = [...driver.modules, ...(driver.optional ?? [])].filter((m) => m in modules).map((m) => `${moduleNameOf(m)}.ko`);
        if (names.length > 0)
            byStage[driver.stage] = names;
    }
    return { files, byStage, absent: {} };
}
/**
 * Which modules a host kernel's dom0 loads from its addons: for each stage's drivers that modules.dep lists, the
 * module after everything it depends on (modules.dep lists a module's dependencies, and theirs, on its line; they load
 * in reverse of that order), each module once over all stages. A driver neither in modules.dep nor in modules.builtin is
 * absent: its stage fails naming it. Without modules.builtin (or without addons) a driver not in modules.dep is taken to
 * be built in, and the boot says whether it is.
 */
function planHostDom0(dep, builtin) {
    const modules = [];
    const taken = new Set();
    const byStage = {};
    const absent = {};
    // One file per module name: `kernel//x.ko` and `kernel/x.ko` are one module, loaded once.
    const take = (path) => {
        const file = `${moduleNameOf(path)}.ko`;
        if (!taken.has(file)) {
            taken.add(file);
            modules.push({ path, file });
        }
        return file;
    };
    for (const driver of DOM0_DRIVERS) {
        const load = [];
        const missing = [];
        for (const [name, required] of [...driver.modules.map((m) => [m, true]), ...(driver.optional ?? []).map((m) => [m, false])]) {
            const key = moduleNameOf(name);
            const entry = dep?.byName.get(key);
            if (entry) {
                for (const path of [...entry.deps].reverse())
                    load.push(take(path));
                load.push(take(entry.path));
            }
            else if (required && !builtin?.has(key)) {
                missing.push(`${name}.ko`);
            }
        }
        const unique = [...new Set(load)];
        if (unique.length > 0)
            byStage[driver.stage] = unique;
        // Shown only when the stage fails: then a module that could not be had is the likely cause, and the line says so.
        if (missing.length > 0) {
            const are = missing.length === 1 ? 'is' : 'are';
            absent[driver.stage] =
                dep === undefined
                    ? `${missing.join(', ')} cannot be loaded: no addons (or no modules.dep in them) to load ${missing.length === 1 ? 'it' : 'them'} from;`
                    : builtin === undefined
                        ? `${missing.join(', ')} ${are} not in the addons' modules.dep (and the addons have no modules.builtin to say what is built in);`
                        : `${missing.join(', ')} ${are} neither built in (modules.builtin) nor in the addons' modules.dep;`;
        }
    }
    return { modules, byStage, absent };
}

;// CONCATENATED MODULE: ./src/boot/kit-contents.ts
// What a boot kit holds and how its index file (kit.json) names the pieces: pure data and checks, no I/O. The kit is
// one OCI image per architecture whose single layer unpacks to the files kit.json lists, relative to the kit folder.



/** The kit's index file, at the top of its layer. */
const KIT_INDEX = 'kit.json';
/** Bumped when kit.json changes shape; a kit of another version is refused with what to do. */
const KIT_FORMAT = 1;
/** The image annotation naming each Debian package the kit was made from (value: `name=version`, one per line). */
const kit_contents_PACKAGES_ANNOTATION = 'dev.krata.kernel-action.boot-kit.debian-packages';
const kit_contents_KIT_TITLE = 'kernel-action boot kit';
/** The toolstack programs dom0 runs (xen-in-qemu.md), from xen-utils. */
const XEN_PROGRAMS = ['xl', 'xenstored', 'xenconsoled', 'xen-init-dom0', 'libxl-save-helper', 'xenconsole'];
/**
 * The Debian packages a kit is made from, per architecture: the hypervisor, dom0's kernel (a metapackage, followed to
 * the versioned package), the toolstack and every library its programs need (the build fails, naming the library,
 * when one is missing), and the static busybox.
 */
function kitPackages(arch) {
    const deb = archNames(arch).oci;
    return [
        `xen-hypervisor-4.17-${deb}`,
        `linux-image-${deb}`,
        'xen-utils-4.17',
        'xenstore-utils',
        'busybox-static',
        'libxencall1',
        'libxendevicemodel1',
        'libxenevtchn1',
        'libxenforeignmemory1',
        'libxengnttab1',
        'libxenhypfs1',
        'libxenmisc4.17',
        'libxenstore4',
        'libxentoolcore1',
        'libxentoollog1',
        'libyajl2',
        'libc6',
        'libgcc-s1',
        'libuuid1',
        'zlib1g',
        'liblzma5',
        'libzstd1',
        'libfdt1',
    ];
}
/** The layout tag of an architecture's kit: `x86_64` or `aarch64`. */
function kit_contents_kitTag(arch) {
    return arch;
}
/** The annotation value: `name=version` lines, sorted, so the same packages always give the same manifest. */
function kit_contents_packagesAnnotation(packages) {
    return [...new Set(packages.map((p) => `${p.name}=${p.version}`))].sort().join('\n');
}
const RELATIVE = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._+/-]+$/;
const ABSOLUTE = /^\/(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._+/-]+$/;
/** Reads kit.json as found: every path is checked to stay inside the kit folder before anything uses it. */
function parseKitIndex(text, where) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch {
        throw new InputError(`${where}: ${KIT_INDEX} is not JSON`);
    }
    const bad = (what) => {
        throw new InputError(`${where}: ${KIT_INDEX} ${what}`);
    };
    if (data === null || typeof data !== 'object')
        return bad('is not an object');
    const kit = data;
    if (kit.format !== KIT_FORMAT)
        bad(`has format ${JSON.stringify(kit.format)}; this kernel-action reads format ${KIT_FORMAT} (use the kit its boot-kit default names)`);
    if (kit.arch !== 'x86_64' && kit.arch !== 'aarch64')
        bad(`names no known arch (${JSON.stringify(kit.arch)})`);
    const rel = (key, value) => typeof value === 'string' && RELATIVE.test(value) ? value : bad(`${key}: ${JSON.stringify(value)} is not a path inside the kit`);
    const abs = (key, value) => typeof value === 'string' && ABSOLUTE.test(value) ? value : bad(`${key}: ${JSON.stringify(value)} is not an absolute dom0 path`);
    const modules = (kit.dom0Modules ?? {});
    const programs = Array.isArray(kit.xenPrograms) ? kit.xenPrograms : bad('xenPrograms is not a list');
    const libraries = Array.isArray(kit.libraries) ? kit.libraries : bad('libraries is not a list');
    return {
        format: KIT_FORMAT,
        arch: kit.arch,
        xen: rel('xen', kit.xen),
        dom0Kernel: rel('dom0Kernel', kit.dom0Kernel),
        dom0Modules: Object.fromEntries(DOM0_MODULES.map((m) => [m, rel(`dom0Modules.${m}`, modules[m])])),
        xenBinDir: abs('xenBinDir', kit.xenBinDir),
        xenPrograms: programs.map((p, i) => rel(`xenPrograms[${i}]`, p)),
        xenstoreClient: rel('xenstoreClient', kit.xenstoreClient),
        libraries: libraries.map((l, i) => {
            const lib = (l ?? {});
            return { name: abs(`libraries[${i}].name`, lib.name), file: rel(`libraries[${i}].file`, lib.file) };
        }),
        busybox: rel('busybox', kit.busybox),
        rootImage: rel('rootImage', kit.rootImage),
        emptyAddons: rel('emptyAddons', kit.emptyAddons),
    };
}
/** Every file kit.json names, relative to the kit folder: what an unpacked kit must hold. */
function kitFiles(kit) {
    return [
        kit.xen,
        kit.dom0Kernel,
        ...Object.values(kit.dom0Modules),
        ...kit.xenPrograms,
        kit.xenstoreClient,
        ...kit.libraries.map((l) => l.file),
        kit.busybox,
        kit.rootImage,
        kit.emptyAddons,
    ];
}

;// CONCATENATED MODULE: ./src/boot/kit-oci-adapter.ts
// The boot kit's only contact with the project's OCI code (layout writer, registry client, image reader): one small
// file, so that a change of the store interface is re-pointed here and nowhere else.













/** Writes the kit's blobs, config and manifest into the layout at `dir` and tags it with the arch. */
async function writeKitImage(dir, files) {
    const layout = await OciLayout.open(dir);
    const diffId = (await sha256OfFile(files.tarFile)).digest;
    const blob = await sha256OfFile(files.gzFile);
    const staging = layout.stagingPath();
    await rename(files.gzFile, staging);
    await layout.commitBlob(staging, blob.digest);
    const layer = { mediaType: MediaType.layerGzip, digest: blob.digest, size: blob.size };
    // A fixed creation time: the digest depends on the packages alone.
    const created = '1970-01-01T00:00:00Z';
    const config = serializeJson(imageConfig({
        architecture: ociArch(files.arch),
        created,
        diffIds: [diffId],
        history: ['kernel-action boot-kit: Xen, dom0 and its userland from Debian packages'],
    }), MediaType.config);
    const manifest = serializeJson(imageManifest({
        config: await layout.writeJsonBlob(config),
        layers: [layer],
        annotations: {
            'org.opencontainers.image.title': `${KIT_TITLE} (${files.arch})`,
            'org.opencontainers.image.created': created,
            [PACKAGES_ANNOTATION]: packagesAnnotation(files.packages),
        },
    }), MediaType.manifest);
    const descriptor = await layout.writeJsonBlob(manifest);
    await layout.tag({ ...descriptor, platform: { architecture: ociArch(files.arch), os: 'linux' } }, [kitTag(files.arch)]);
    return { digest: descriptor.digest, layerBytes: blob.size };
}
/** Input `boot-kit` / `--boot-kit`: empty (the pinned kit) or a reference the image reader takes, checked up front. */
function checkKitReference(text) {
    if (text === '')
        return '';
    try {
        reference_parseImageReference(text);
    }
    catch (error) {
        throw new InputError(`boot-kit: ${error.message}`);
    }
    return text;
}
/** The digest a reference pins (`...@sha256:...`), if any: the cache can answer before any request. */
function pinnedDigest(reference) {
    return reference_parseImageReference(reference).digest;
}
/** Fetches the manifest `reference` names (an index is narrowed to `arch`), and no blob until `open()`. */
async function resolveKit(reference, arch, log) {
    const parsed = reference_parseImageReference(reference);
    const store = await open_store_openImageStore(parsed, { log });
    let fetched = await store.fetchManifest(reference_startingPoint(parsed) ?? '');
    if (fetched === undefined)
        throw new InputError(`boot-kit: ${reference} does not exist`);
    let indexDigest;
    const document = parseDocument(fetched, reference);
    if (isIndexDocument(fetched.mediaType, document)) {
        const index = checkIndexDocument(document, `${reference}@${fetched.digest}`);
        const child = pickPlatform(index, arch);
        if (child === undefined)
            throw new InputError(`boot-kit: ${reference} has no linux/${arch_ociArch(arch)} kit`);
        indexDigest = fetched.digest;
        fetched = await store.fetchManifest(child.digest);
        if (fetched === undefined)
            throw new InputError(`boot-kit: ${reference} names ${child.digest}, which ${store.name} does not have`);
    }
    const manifest = fetched;
    return {
        digest: manifest.digest,
        open: async () => {
            const image = await openManifest(store, reference, manifest, indexDigest);
            if (image.layers.length !== 1)
                throw new InputError(`boot-kit: ${reference} has ${image.layers.length} layers; a boot kit has one`);
            const layer = image.layers[0];
            return {
                digest: image.digest,
                architecture: image.config.architecture,
                walk: (onEntry) => readLayer(image, layer, onEntry, `boot-kit ${reference}`),
            };
        },
    };
}

;// CONCATENATED MODULE: ./src/describe/banner-scanner.ts
// Finds the kernel's `linux_banner` ("Linux version <release> (<user>@<host>) ... #1 SMP ...\n") in a
// stream of chunks while holding only a bounded window of bytes, so big images are never held whole.
const NEEDLE = Buffer.from('Linux version ', 'latin1');
/** A banner longer than this is not a banner (the real one is about 150 bytes). */
const MAX_BANNER_BYTES = 1024;
// A banner's release is one word that starts with a digit (VERSION.PATCHLEVEL...), then " (".
const BANNER_SHAPE = /^\d\S* \(/;
class BannerScanner {
    window = Buffer.alloc(0);
    found;
    /** The banner text after "Linux version ", without its trailing newline, once it has been seen. */
    get banner() {
        return this.found;
    }
    /** Feeds the next chunk; returns the banner as soon as it is complete. */
    push(chunk) {
        if (this.found !== undefined)
            return this.found;
        this.window = this.window.length === 0 ? chunk : Buffer.concat([this.window, chunk]);
        let from = 0;
        for (;;) {
            const at = this.window.indexOf(NEEDLE, from);
            if (at === -1)
                break;
            const textStart = at + NEEDLE.length;
            const end = this.window.indexOf(0, textStart);
            if (end === -1) {
                // Incomplete: keep it for the next chunk unless it is already too long to be the banner.
                if (this.window.length - textStart <= MAX_BANNER_BYTES) {
                    this.window = this.window.subarray(at);
                    return undefined;
                }
                from = textStart;
                continue;
            }
            const text = this.window.subarray(textStart, end).toString('latin1');
            if (end - textStart <= MAX_BANNER_BYTES && BANNER_SHAPE.test(text)) {
                this.found = text.replace(/\n$/, '');
                this.window = Buffer.alloc(0);
                return this.found;
            }
            from = textStart;
        }
        // Keep just enough of the tail to match a needle split across chunks.
        this.window = Buffer.from(this.window.subarray(Math.max(0, this.window.length - (NEEDLE.length - 1))));
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/describe/boot-header.ts
// Pure readers of the fixed headers at the start of Linux kernel images.
// x86: Documentation/x86/boot.rst (the "real-mode kernel header"); arm64: Documentation/arm64/booting.rst.
/** Bytes of the x86 header this module needs: everything up to and including init_size (0x260/4). */
const BZIMAGE_HEADER_BYTES = 0x264;
/** The arm64 Image header is 64 bytes; its magic sits at offset 56. */
const ARM64_HEADER_BYTES = 64;
const HDRS = 0x53726448; // "HdrS" read as little-endian u32
/** Parses the x86 boot header from the first bytes of a file; undefined when there is no "HdrS" magic. */
function parseBzImageHeader(head) {
    if (head.length < 0x208 || head.readUInt32LE(0x202) !== HDRS)
        return undefined;
    const version = head.readUInt16LE(0x206);
    const rawSetupSects = head.readUInt8(0x1f1);
    const setupSects = rawSetupSects === 0 ? 4 : rawSetupSects;
    const header = { protocol: `${version >> 8}.${version & 0xff}`, setupSects };
    // boot.rst: kernel_version is a pointer "less 0x200", valid only when it falls inside the setup code.
    const versionPointer = head.length >= 0x210 ? head.readUInt16LE(0x20e) : 0;
    if (versionPointer !== 0 && versionPointer < setupSects * 0x200) {
        header.versionStringOffset = versionPointer + 0x200;
    }
    if (version >= 0x0204)
        header.declaredSize = (setupSects + 1) * 512 + head.readUInt32LE(0x1f4) * 16;
    if (version >= 0x020a && head.length >= 0x264 && head.readUInt32LE(0x260) > 0)
        header.initSize = head.readUInt32LE(0x260);
    if (version >= 0x0208 && head.length >= 0x250) {
        const payloadOffset = head.readUInt32LE(0x248);
        const length = head.readUInt32LE(0x24c);
        // payload_offset counts from the protected-mode code, which starts after the setup sectors.
        if (length > 0)
            header.payload = { offset: (setupSects + 1) * 512 + payloadOffset, length };
    }
    return header;
}
const ARM64_MAGIC = 0x644d5241; // "ARM\x64" read as little-endian u32
/** True when the bytes start with an arm64 Image header. */
function isArm64ImageHeader(head) {
    return head.length >= ARM64_HEADER_BYTES && head.readUInt32LE(56) === ARM64_MAGIC;
}
/**
 * The payload compression of an EFI zboot image (`vmlinuz.efi`, CONFIG_EFI_ZBOOT=y), from its header
 * (drivers/firmware/efi/libstub/zboot-header.S: "MZ", "zimg" at 4, the compression's name at 24), or undefined when
 * `head` is not one. Only EFI firmware starts such a file; Xen's domain builder wants the Image inside it.
 */
function efiZbootCompression(head) {
    if (head.length < 0x40 || head.toString('latin1', 0, 2) !== 'MZ' || head.toString('latin1', 4, 8) !== 'zimg')
        return undefined;
    const name = head.subarray(24, 0x38);
    const end = name.indexOf(0);
    return name.toString('latin1', 0, end < 0 ? name.length : end).replace(/[^\x20-\x7e]/g, '?');
}
/**
 * The bytes an arm64 Image with an EFI stub must hold: the end of its last PE/COFF section's raw data
 * (arch/arm64/kernel/efi-header.S lays .text and .data out up to _edata). Undefined without a PE header ("MZ" at 0,
 * "PE\0\0" at the offset stored at 0x3c) or when `head` is too short to hold the section table.
 */
function peFileExtent(head) {
    if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a)
        return undefined;
    const pe = head.readUInt32LE(0x3c);
    if (pe + 24 > head.length || head.readUInt32LE(pe) !== 0x00004550)
        return undefined;
    const sections = head.readUInt16LE(pe + 6);
    const table = pe + 24 + head.readUInt16LE(pe + 20);
    if (sections === 0 || table + sections * 40 > head.length)
        return undefined;
    let extent = 0;
    for (let i = 0; i < sections; i++) {
        const entry = table + i * 40;
        const rawSize = head.readUInt32LE(entry + 16);
        if (rawSize > 0)
            extent = Math.max(extent, head.readUInt32LE(entry + 20) + rawSize);
    }
    return extent;
}
/** The arm64 Image header's image_size (offset 16): the bytes the kernel occupies once loaded; 0 before Linux 3.17. */
function arm64ImageSize(head) {
    if (head.length < ARM64_HEADER_BYTES)
        return 0;
    const size = head.readBigUInt64LE(16);
    return size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size);
}
/** Bytes at the start of an arm64 Image that hold its PE header and section table. */
const PE_HEADER_BYTES = 4096;
/**
 * True when a kernel xz payload ends as an xz stream must: the footer magic "YZ" just before the 4-byte
 * uncompressed size that the kernel's size_append adds (scripts/Makefile.lib), or at the very end without it.
 */
function xzPayloadEnds(tail) {
    const footerAt = (end) => end >= 2 && tail[end - 2] === 0x59 && tail[end - 1] === 0x5a;
    return footerAt(tail.length - 4) || footerAt(tail.length);
}
/** True when the bytes start with the gzip magic (RFC 1952). */
function isGzip(head) {
    return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}
// The magics boot.rst lists for the payload, longest first so that no short one shadows a long one.
const PAYLOAD_MAGICS = [
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
    ['lz4', [0x02, 0x21, 0x4c, 0x18]],
    ['lzo', [0x89, 0x4c, 0x5a, 0x4f]],
    ['none', [0x7f, 0x45, 0x4c, 0x46]], // an uncompressed ELF vmlinux
    ['bzip2', [0x42, 0x5a, 0x68]],
    ['gzip', [0x1f, 0x8b]],
    ['lzma', [0x5d, 0x00]],
];
/** Longest magic in PAYLOAD_MAGICS: how many payload bytes to read. */
const PAYLOAD_MAGIC_BYTES = 6;
/** Names the compression of a bzImage payload from its first bytes. */
function payloadCompressionOf(start) {
    for (const [name, magic] of PAYLOAD_MAGICS) {
        if (start.length >= magic.length && magic.every((byte, i) => start[i] === byte))
            return name;
    }
    return 'unknown';
}
/** The text before the first NUL (the whole buffer when there is none), as latin1 so no byte is lost. */
function cString(bytes) {
    const end = bytes.indexOf(0);
    return bytes.subarray(0, end === -1 ? bytes.length : end).toString('latin1');
}
/** The release (`uname -r`) is the first word of the version string or of the banner after "Linux version ". */
function releaseOf(versionString) {
    const first = versionString.trim().split(/\s+/)[0];
    return first === '' ? undefined : first;
}

;// CONCATENATED MODULE: ./src/describe/kernel-image.ts








/**
 * No kernel inflates beyond this (the largest distribution vmlinux is ~100 MB); the header's own figure bounds it
 * further, so a payload made to inflate to gigabytes stops at once instead of costing a minute.
 */
const KERNEL_INFLATED_MAX = 1024 * 1024 * 1024;
/** An arm64 Image older than 3.17 says no image_size: then this bound, the cap of a kernel/image file, applies. */
const ARM64_IMAGE_DEFAULT_MAX = 256 * 1024 * 1024;
/** The kernel_version string is short; this bounds the read. */
const VERSION_STRING_MAX_BYTES = 512;
/**
 * Inspects the kernel image at `path`; any unusable file is an InputError naming the `image` input. A file shorter than
 * its header says, a payload that does not decompress to its end, or one whose release cannot be read is refused.
 */
async function inspectKernelImage(path) {
    const { handle: file, size } = await openInputFile(path, 'image');
    try {
        const head = await readAt(file, 0, Math.max(BZIMAGE_HEADER_BYTES, PE_HEADER_BYTES));
        const bz = parseBzImageHeader(head);
        if (bz !== undefined)
            return await inspectBzImage(file, path, size, bz);
        if (isArm64ImageHeader(head)) {
            const extent = peFileExtent(head);
            if (extent !== undefined && extent > size) {
                throw new InputError(`image: ${path} is truncated: its PE header says ${extent} bytes but the file has ${size}`);
            }
            const { banner } = await scanImage(path, false);
            const info = { path, format: 'arm64-Image', arch: 'aarch64', payloadCompression: 'none', size };
            return withBanner(info, banner);
        }
        if (isGzip(head)) {
            const { banner, inflated, header } = await scanImage(path, true);
            const extent = peFileExtent(header);
            if (extent !== undefined && extent > inflated) {
                throw new InputError(`image: ${path} is truncated: it inflates to ${inflated} bytes but its PE header says ${extent}`);
            }
            const info = { path, format: 'arm64-Image.gz', arch: 'aarch64', payloadCompression: 'gzip', size };
            return withBanner(info, banner);
        }
        const zboot = efiZbootCompression(head);
        if (zboot !== undefined) {
            throw new InputError(`image: ${path} is an EFI zboot image (vmlinuz.efi, ${zboot || 'unnamed'} payload), which Xen cannot load: give arch/arm64/boot/Image or Image.gz of the same build`);
        }
        throw new InputError(`image: ${path} is not a Linux kernel image (no bzImage "HdrS" header, no arm64 Image magic)`);
    }
    finally {
        await file.close();
    }
}
async function inspectBzImage(file, path, size, bz) {
    if (bz.declaredSize !== undefined && bz.declaredSize > size) {
        throw new InputError(`image: ${path} is truncated: its boot header says ${bz.declaredSize} bytes (setup + syssize) but the file has ${size}`);
    }
    const info = { path, format: 'bzImage', arch: 'x86_64', size };
    if (bz.payload !== undefined) {
        const end = bz.payload.offset + bz.payload.length;
        if (end > size)
            throw new InputError(`image: ${path} is truncated: its payload ends at byte ${end} but the file has ${size}`);
        info.payloadCompression = payloadCompressionOf(await readAt(file, bz.payload.offset, PAYLOAD_MAGIC_BYTES));
        await checkPayloadEnds(file, path, bz.payload, info.payloadCompression, bz.initSize);
    }
    const text = bz.versionStringOffset === undefined ? '' : cString(await readAt(file, bz.versionStringOffset, VERSION_STRING_MAX_BYTES));
    const release = text === '' ? undefined : releaseOf(text);
    if (release === undefined)
        throw new InputError(`image: ${path}: cannot read the kernel release (the boot header has no kernel_version string)`);
    return { ...info, versionString: text, release };
}
/**
 * A gzip payload is inflated to its end (streamed; the output is dropped) and an xz one must end in an xz footer, so a
 * bzImage cut or corrupted inside its payload is refused. Other compressions are only checked to fit the file.
 */
async function checkPayloadEnds(file, path, payload, compression, initSize) {
    if (compression === 'gzip') {
        // The payload's last 4 bytes are its inflated length (gzip's ISIZE, which arch/x86/boot/compressed/mkpiggy reads
        // as the kernel's output length); init_size bounds it too. Inflating past either is refused on the spot.
        const declared = (await readAt(file, payload.offset + payload.length - 4, 4)).readUInt32LE(0);
        const bound = Math.min(declared, initSize ?? KERNEL_INFLATED_MAX, KERNEL_INFLATED_MAX);
        let inflated = 0;
        const overrun = new InputError(`image: ${path}: its gzip payload inflates beyond the ${bound} bytes its header declares (${declared === bound ? 'length trailer' : initSize === bound ? 'init_size' : 'kernel-action bound'})`);
        const source = file.createReadStream({
            start: payload.offset,
            end: payload.offset + payload.length - 1,
            autoClose: false,
            highWaterMark: 1 << 20,
        });
        try {
            await (0,external_node_stream_promises_.pipeline)(source, (0,external_node_zlib_.createGunzip)({ chunkSize: 1 << 20 }), new external_node_stream_.Writable({
                write: (chunk, _encoding, done) => {
                    inflated += chunk.length;
                    done(inflated > bound ? overrun : null);
                },
            }));
        }
        catch (error) {
            if (error === overrun)
                throw overrun;
            throw new InputError(`image: ${path}: its gzip payload does not decompress to its end (${reasonOf(error)})`);
        }
    }
    else if (compression === 'xz') {
        const tail = await readAt(file, payload.offset + payload.length - 16, 16);
        if (!xzPayloadEnds(tail))
            throw new InputError(`image: ${path}: its xz payload has no xz stream footer at its end (truncated or corrupt)`);
    }
}
function withBanner(info, banner) {
    const release = banner === undefined ? undefined : releaseOf(banner);
    if (banner === undefined || release === undefined)
        throw new InputError(`image: ${info.path}: cannot read the kernel release (no "Linux version" banner in the ${FORMAT_WORDS[info.format]})`);
    return { ...info, versionString: banner, release };
}
const FORMAT_WORDS = { bzImage: 'bzImage', 'arm64-Image': 'Image', 'arm64-Image.gz': 'inflated Image.gz' };
/** Reads up to `length` bytes at `position`; fewer at the end of the file. */
async function readAt(file, position, length) {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, Math.max(0, position));
    return buffer.subarray(0, bytesRead);
}
/**
 * Streams the image for its banner. A plain Image is read only up to the banner. A gzipped one is inflated to its
 * end (to prove the stream is whole, and to count its size), and must hold an arm64 Image: its first 64 inflated
 * bytes are checked before the scan.
 */
async function scanImage(path, gzipped) {
    const source = (0,external_node_fs_.createReadStream)(path, { highWaterMark: 1 << 20 });
    const inflate = gzipped ? (0,external_node_zlib_.createGunzip)({ chunkSize: 1 << 20 }) : undefined;
    const stream = inflate === undefined ? source : source.pipe(inflate);
    // pipe() does not forward errors: a read error must end the inflated stream too.
    if (inflate !== undefined)
        source.on('error', (error) => inflate.destroy(error));
    const scanner = new BannerScanner();
    let header = Buffer.alloc(0);
    let inflated = 0;
    try {
        for await (const chunk of stream) {
            inflated += chunk.length;
            if (header.length < PE_HEADER_BYTES) {
                header = Buffer.concat([header, chunk.subarray(0, PE_HEADER_BYTES - header.length)]);
                if (gzipped && header.length >= ARM64_HEADER_BYTES && !isArm64ImageHeader(header))
                    throw notArm64Gzip(path);
            }
            if (gzipped && header.length >= ARM64_HEADER_BYTES) {
                // The inflated Image cannot be larger than the memory its header says it occupies (image_size).
                const bound = Math.min(arm64ImageSize(header) || ARM64_IMAGE_DEFAULT_MAX, KERNEL_INFLATED_MAX);
                if (inflated > bound)
                    throw new InputError(`image: ${path}: it inflates beyond the ${bound} bytes its Image header declares (image_size)`);
            }
            // Leaving the loop destroys the stream: nothing more is read.
            if (scanner.banner === undefined)
                scanner.push(chunk);
            if (scanner.banner !== undefined && !gzipped)
                break;
        }
    }
    catch (error) {
        if (error instanceof InputError)
            throw error;
        if (gzipped)
            throw new InputError(`image: ${path}: its gzip stream does not decompress to its end (${reasonOf(error)})`);
        throw fileError('image', path, error);
    }
    finally {
        source.destroy();
        inflate?.destroy();
    }
    if (gzipped && !isArm64ImageHeader(header))
        throw notArm64Gzip(path);
    return { banner: scanner.banner, inflated, header };
}
function notArm64Gzip(path) {
    return new InputError(`image: ${path} is gzip-compressed but holds no arm64 Image (no "ARM\\x64" magic at offset 56)`);
}
function reasonOf(error) {
    const code = error?.code;
    if (code === 'Z_BUF_ERROR')
        return 'unexpected end of file';
    return error instanceof Error ? error.message : String(error);
}

;// CONCATENATED MODULE: ./src/describe/metadata.ts
// The `/kernel/metadata` file of a krata / Edera kernel image: KEY=VALUE lines, each ending in "\n",
// no quoting (see krata-formats.md §1.3). Edera reads it with `grep '^KEY=' | cut -d= -f2` and
// `split(",")`, so a value must not hold a newline, "=", a space, or (in a tag) a comma.


const CONFIG_DIGEST = /^sha256:[0-9a-f]{64}$/;
/**
 * Renders `/kernel/metadata`, in the order of krata's doc with Edera's later KERNEL_UNAME_R:
 * KERNEL_ARCH, KERNEL_VERSION, [KERNEL_UNAME_R], KERNEL_FLAVOR, KERNEL_CONFIG, [KERNEL_TAGS].
 */
function renderKernelMetadata(metadata) {
    const { arch, version, unameR, flavor, configDigest, tags } = metadata;
    if (!KERNEL_ARCHES.includes(arch)) {
        throw new InputError(`arch: "${String(arch)}" is not a kernel architecture (${KERNEL_ARCHES.join(' or ')})`);
    }
    checkValue('version', version);
    if (unameR !== undefined)
        checkValue('uname-r', unameR);
    checkValue('flavor', flavor);
    if (!CONFIG_DIGEST.test(configDigest)) {
        throw new InputError(`config: digest "${configDigest}" is not sha256:<64 lowercase hex>`);
    }
    for (const tag of tags) {
        checkValue('tags', tag);
        if (tag.includes(','))
            throw new InputError(`tags: "${tag}" contains a comma; KERNEL_TAGS is comma-separated`);
    }
    const lines = [`KERNEL_ARCH=${arch}`, `KERNEL_VERSION=${version}`];
    if (unameR !== undefined)
        lines.push(`KERNEL_UNAME_R=${unameR}`);
    lines.push(`KERNEL_FLAVOR=${flavor}`, `KERNEL_CONFIG=${configDigest}`);
    if (tags.length > 0)
        lines.push(`KERNEL_TAGS=${tags.join(',')}`);
    return lines.map((line) => `${line}\n`).join('');
}
/** A value must survive `cut -d= -f2` and a line-by-line read unchanged. */
function checkValue(input, value) {
    const shown = JSON.stringify(value);
    if (value === '')
        throw new InputError(`${input}: must not be empty`);
    if (/[\r\n]/.test(value))
        throw new InputError(`${input}: ${shown} contains a line break`);
    if (value.includes('='))
        throw new InputError(`${input}: ${shown} contains "="`);
    if (/\s/.test(value))
        throw new InputError(`${input}: ${shown} contains a space`);
}
const KEY = /^[A-Z_][A-Z0-9_]*$/;
/** Parses `/kernel/metadata` text into key → value; the last of repeated keys wins, blank lines are skipped. */
function parseKernelMetadata(text) {
    const record = {};
    text.split('\n').forEach((line, index) => {
        if (line === '')
            return;
        const eq = line.indexOf('=');
        const key = eq === -1 ? '' : line.slice(0, eq);
        if (!KEY.test(key))
            throw new InputError(`metadata:${index + 1}: "${line}" is not a KEY=VALUE line`);
        record[key] = line.slice(eq + 1);
    });
    return record;
}
const FORMAT_NAMES = {
    bzImage: 'bzImage',
    'arm64-Image': 'Image',
    'arm64-Image.gz': 'Image.gz',
};
/**
 * Checks that the image, the .config and the `version` input can be the same kernel. Throws an InputError when they
 * cannot (another architecture, another major.minor, a version the image or config contradicts); returns warnings
 * for what is only unproven (same major.minor, but nothing in the image names the patch level).
 */
function crossCheckKernel(image, config, versionInput = '') {
    if (config.arch !== undefined && config.arch !== image.arch) {
        const kind = `${image.arch} ${FORMAT_NAMES[image.format]}`;
        throw new InputError(`image: ${image.path} is an ${kind} but config ${config.file} is for ${config.arch}`);
    }
    const warnings = [];
    const { release } = image;
    if (config.version !== undefined) {
        const agreement = releaseAgreement(image, config.version);
        if (agreement === 'mismatch')
            throw new InputError(`image: ${image.path} is Linux ${release} but config ${config.file} is for ${config.version}`);
        if (agreement === 'same-series')
            warnings.push(unprovenPatch(image, config.version, `config ${config.file} is for`));
    }
    const inputVersion = upstreamVersionOf(versionInput);
    if (inputVersion !== undefined) {
        if (config.version !== undefined && !sameVersion(inputVersion, upstreamVersionOf(config.version) ?? config.version)) {
            throw new InputError(`version: ${versionInput} contradicts config ${config.file}, which is for ${config.version}`);
        }
        const agreement = releaseAgreement(image, inputVersion);
        if (agreement === 'mismatch')
            throw new InputError(`version: ${versionInput} contradicts image ${image.path}, which is Linux ${release}`);
        if (agreement === 'same-series' && config.version === undefined)
            warnings.push(unprovenPatch(image, inputVersion, 'input version says'));
    }
    return warnings;
}
function unprovenPatch(image, version, claim) {
    return `image: ${image.path} is Linux ${image.release}, ${claim} ${version}: the same ${seriesOf(version)} series, but nothing in the image names ${version}`;
}
/**
 * How an image's release relates to an upstream version: 'match' when the release starts with it (6.1.192-sample),
 * 'named' when the image's version string names it as a whole token (Debian's "... Debian 6.1.192-2 (...)", Ubuntu's
 * "(Ubuntu 6.8.0-45.45-generic 6.8.12)"), 'same-series' when only major.minor agree, else 'mismatch'.
 */
function releaseAgreement(image, version) {
    if (releaseMatches(image.release, version))
        return 'match';
    if (namesVersion(image.versionString, version))
        return 'named';
    const series = seriesOf(version);
    if (series === undefined || series !== seriesOf(image.release))
        return 'mismatch';
    // A release with its own non-zero patch level (6.1.191-foo) names another kernel; distributions keep ".0" (6.1.0-56).
    const patch = /^\d+\.\d+\.(\d+)/.exec(image.release)?.[1];
    return patch === undefined || Number(patch) === 0 ? 'same-series' : 'mismatch';
}
/** "6.1.192-sample" matches 6.1.192; "6.1.1920" and "6.1.19" do not match each other. */
function releaseMatches(release, version) {
    if (!release.startsWith(version))
        return false;
    const rest = release.slice(version.length);
    return rest === '' || !/^[0-9]/.test(rest);
}
/** The version as a token of its own: after a start, space or "(", and not followed by more digits of a longer one. */
function namesVersion(versionString, version) {
    const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(?:^|[\\s(])${escaped}(?![0-9]|\\.[0-9])`).test(versionString);
}
/** "6.1" of "6.1.192" or "6.1.0-56-amd64". */
function seriesOf(version) {
    return /^(\d+\.\d+)(?![0-9])/.exec(version)?.[1];
}
/** The upstream kernel version a `version` input starts with ("6.18.44" of "6.18.44+nvidia-610.57.04"), if any. */
function upstreamVersionOf(input) {
    return /^\d+\.\d+(?:\.\d+)?(?![0-9])/.exec(input)?.[0];
}
/** 6.1 agrees with 6.1.192 (it names no patch level); 6.1.191 does not. */
function sameVersion(a, b) {
    const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
    return longer === shorter || (longer.startsWith(shorter) && longer[shorter.length] === '.' && shorter.split('.').length === 2);
}

;// CONCATENATED MODULE: ./src/verify/rules.ts
// krata v0.0.21's puller, as rules over plain data (krata-formats.md §2.4): each returns the lines of what it
// would refuse or misread, empty when it is fine. No I/O here.



/** krata matches an index entry by these architecture strings only (`aarch64` parses as Other and is never picked). */
const rules_KRATA_PLATFORM_ARCHES = new Set(OCI_ARCHES);
const REQUIRED_ANNOTATIONS = ['dev.edera.kernel.format', 'dev.edera.kernel.version', 'dev.edera.kernel.flavor'];
const LOADABLE_PAYLOADS = new Set(['gzip', 'xz']);
function indexViolations(index) {
    const lines = [];
    const entries = Array.isArray(index.manifests) ? index.manifests : [];
    entries.forEach((entry, position) => {
        const at = `index entry ${position + 1} (${entry.digest})`;
        if (entry.platform === undefined)
            lines.push(`${at}: has no platform; krata skips it`);
        else if (entry.platform.os !== 'linux')
            lines.push(`${at}: platform ${platformText(entry)}; krata picks only linux`);
        else if (!rules_KRATA_PLATFORM_ARCHES.has(entry.platform.architecture)) {
            lines.push(`${at}: platform ${platformText(entry)}; krata matches only amd64 or arm64, so it never picks this one`);
        }
    });
    if (!entries.some((entry) => entry.platform?.os === 'linux' && rules_KRATA_PLATFORM_ARCHES.has(entry.platform.architecture))) {
        lines.push('index: no linux/amd64 or linux/arm64 entry; krata can pick nothing from it');
    }
    return lines;
}
/** A registry's Content-Type is how krata tells an index from a manifest. */
function servedTypeViolations(servedAs, isIndex, fromRegistry) {
    if (!fromRegistry)
        return [];
    const indexTypes = [types_MediaType.index, types_MediaType.dockerManifestList];
    if (isIndex && !indexTypes.includes(servedAs))
        return [`index served as "${servedAs}"; krata detects an index only by its Content-Type`];
    return [];
}
function layerTypeViolations(layers) {
    return layers.flatMap((layer, position) => KRATA_LAYER_TYPES.has(layer.mediaType)
        ? []
        : [
            `layer ${position + 1} (${layer.digest}): media type ${layer.mediaType}; krata reads only tar, tar+gzip, tar+zstd or docker rootfs.diff.tar.gzip layers`,
        ]);
}
/** The three `dev.edera.kernel.*` keys krata's fetch tool requires, on the manifest (or the index above it). */
function annotationViolations(manifest, index) {
    const missing = REQUIRED_ANNOTATIONS.filter((key) => !manifest?.[key] && !index?.[key]);
    return missing.length === 0 ? [] : [`manifest: annotation${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing`];
}
/** oci-spec 0.6.8's ImageConfiguration: architecture, os, rootfs{type, diff_ids} and history are all required. */
function configViolations(config, platformArch) {
    const lines = [];
    if (!Array.isArray(config.history))
        lines.push('config: no "history" array; krata cannot parse the image config without it');
    if (typeof config.architecture !== 'string')
        lines.push('config: no "architecture"; krata cannot parse the image config without it');
    if (typeof config.os !== 'string')
        lines.push('config: no "os"; krata cannot parse the image config without it');
    const rootfs = config.rootfs;
    if (rootfs === null || typeof rootfs !== 'object' || typeof rootfs.type !== 'string' || !Array.isArray(rootfs.diff_ids)) {
        lines.push('config: no "rootfs" with "type" and "diff_ids"; krata cannot parse the image config without it');
    }
    if (platformArch !== undefined && typeof config.architecture === 'string' && config.architecture !== platformArch) {
        lines.push(`config: architecture ${config.architecture}, but the index lists this image as ${platformArch}`);
    }
    return lines;
}
/** Entry lines kept before the rest are counted in one line: a layer of 60,000 bad entries must stay readable. */
const TAR_RULE_LINES_MAX = 20;
/** Tar entry rules, fed one entry at a time across all layers in order (krata unpacks them into one tree). */
class TarRules {
    /** What is wrong: at most TAR_RULE_LINES_MAX entry lines, then one line counting the rest (kept up to date). */
    lines = [];
    #reported = 0;
    #summaryAt = -1;
    #directories = new Set(['']);
    #report(line) {
        this.#reported++;
        if (this.#reported <= TAR_RULE_LINES_MAX) {
            this.lines.push(line);
            return;
        }
        if (this.#summaryAt < 0)
            this.#summaryAt = this.lines.push('') - 1;
        this.lines[this.#summaryAt] = `… and ${this.#reported - TAR_RULE_LINES_MAX} more tar entries that break these rules`;
    }
    entry(layer, path, type, linkpath) {
        const at = `layer ${layer}: "${path}"`;
        let name = path;
        if (name.startsWith('./') || name.startsWith('/')) {
            this.#report(`${at}: path starts with "${name.startsWith('/') ? '/' : './'}"; krata compares paths as stored, so it is not ${stripPrefix(name)}`);
            name = stripPrefix(name);
        }
        else {
            const parent = parentOf(name.replace(/\/+$/, ''));
            if (!this.#directories.has(parent))
                this.#report(`${at}: no "${parent}/" directory entry before it; krata fails "unable to find parent of entry"`);
        }
        const bare = name.replace(/\/+$/, '');
        if (type === 'Directory')
            this.#directories.add(bare);
        if (bare.startsWith('kernel/') && !isRegularEntry(type) && type !== 'Directory') {
            const what = type === 'SymbolicLink' ? `a symbolic link to ${linkpath ?? '?'}` : type === 'Link' ? `a hard link to ${linkpath ?? '?'}` : `a ${type} entry`;
            this.#report(`${at}: is ${what}; krata reads only regular files (it would find it empty)`);
        }
    }
}
function stripPrefix(path) {
    return path.replace(/^(?:\.\/|\/)+/, '');
}
function parentOf(path) {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? '' : path.slice(0, slash);
}
/** The metadata checked against the kernel it describes, the stored config, the image config and the annotations. */
function metadataViolations(facts) {
    const { kernel, metadata } = facts;
    const lines = [];
    if (facts.bootRules !== false &&
        kernel?.format === 'bzImage' &&
        kernel.payloadCompression !== undefined &&
        !LOADABLE_PAYLOADS.has(kernel.payloadCompression)) {
        lines.push(`kernel/image: a ${kernel.payloadCompression}-compressed bzImage; krata's loader finds only gzip or xz kernels`);
    }
    if (metadata === undefined)
        return lines;
    const arch = metadata.KERNEL_ARCH;
    if (arch === undefined)
        lines.push('kernel/metadata: no KERNEL_ARCH');
    else if (!KERNEL_ARCHES.includes(arch))
        lines.push(`kernel/metadata: KERNEL_ARCH=${arch} is not x86_64 or aarch64`);
    else {
        if (kernel !== undefined && kernel.arch !== arch)
            lines.push(`kernel/metadata: KERNEL_ARCH=${arch}, but kernel/image is an ${kernel.arch} ${kernel.format}`);
        const fromConfig = archOfOci(facts.configArchitecture);
        if (fromConfig !== undefined && fromConfig !== arch)
            lines.push(`kernel/metadata: KERNEL_ARCH=${arch}, but the image config says ${String(facts.configArchitecture)}`);
    }
    const unameR = metadata.KERNEL_UNAME_R;
    if (unameR !== undefined && kernel?.release !== undefined && unameR !== kernel.release) {
        lines.push(`kernel/metadata: KERNEL_UNAME_R=${unameR}, but kernel/image is Linux ${kernel.release}`);
    }
    const configDigest = metadata.KERNEL_CONFIG;
    if (configDigest === undefined)
        lines.push('kernel/metadata: no KERNEL_CONFIG');
    else if (facts.configDigest === undefined)
        lines.push('kernel/metadata: KERNEL_CONFIG cannot be checked: the image has no kernel/config.gz');
    else if (configDigest !== facts.configDigest) {
        lines.push(`kernel/metadata: KERNEL_CONFIG=${configDigest}, but the uncompressed kernel/config.gz is ${facts.configDigest}`);
    }
    for (const [key, annotation] of [
        ['KERNEL_VERSION', 'dev.edera.kernel.version'],
        ['KERNEL_FLAVOR', 'dev.edera.kernel.flavor'],
    ]) {
        const said = facts.annotations?.[annotation];
        if (metadata[key] !== undefined && said !== undefined && said !== metadata[key]) {
            lines.push(`kernel/metadata: ${key}=${metadata[key]}, but annotation ${annotation} is ${said}`);
        }
    }
    return lines;
}

;// CONCATENATED MODULE: ./src/verify/verify-image.ts
// `kernel-action verify`: reads an image the way krata v0.0.21 pulls it and lists every rule it breaks.
// Layers are streamed (never held in memory); kernel/image goes to a temporary file only to be inspected.















const METADATA_MAX_BYTES = 64 * 1024;
async function verifyImage(reference, options) {
    const parsed = parseImageReference(reference);
    const store = await openImageStore(parsed, options);
    return verifyStoredImage(store, startingPoint(parsed) ?? '', reference, options);
}
/**
 * Verifies the image at `at` (a tag or digest; '' in a layout: its only image) in a store already open: the read-back
 * after a push goes through the very client that pushed.
 */
async function verifyStoredImage(store, at, reference, options) {
    const top = await store.fetchManifest(at);
    if (top === undefined)
        throw new InputError(`${reference}: not found in ${store.name}`);
    const document = parseDocument(top, reference);
    const result = { reference, digest: top.digest, violations: [], images: [] };
    const isIndex = isIndexDocument(top.mediaType, document);
    result.violations.push(...servedTypeViolations(top.mediaType, isIndex || Array.isArray(document.manifests), store.kind === 'registry'));
    if (!isIndex) {
        await verifyManifest(store, reference, top, options, result);
        return result;
    }
    const index = checkIndexDocument(document, `${reference}@${top.digest}`);
    result.violations.push(...indexViolations(index));
    const wanted = options.arch === undefined ? undefined : pickPlatform(index, options.arch);
    if (options.arch !== undefined && wanted === undefined) {
        result.violations.push(`index: no linux/${arch_ociArch(options.arch)} entry (asked for --arch ${options.arch})`);
    }
    const children = options.arch !== undefined ? (wanted ? [wanted] : []) : krataPlatformEntries(index);
    for (const child of children) {
        const prefix = platformText(child);
        const fetched = await store.fetchManifest(child.digest);
        if (fetched === undefined) {
            result.violations.push(`${prefix}: the index names ${child.digest}, which ${store.name} does not have`);
            continue;
        }
        await verifyManifest(store, reference, fetched, options, result, {
            prefix,
            platformArch: child.platform?.architecture,
            indexAnnotations: index.annotations,
        });
    }
    return result;
}
async function verifyManifest(store, reference, fetched, options, result, child) {
    const violations = [];
    const add = (lines) => void violations.push(...lines);
    let image;
    try {
        image = await openManifest(store, reference, fetched);
    }
    catch (error) {
        result.violations.push(prefixed(child, [oneLine(error)])[0]);
        return;
    }
    add(annotationViolations(image.manifest.annotations, child?.indexAnnotations));
    add(layerTypeViolations(image.layers));
    add(configViolations(image.config, child?.platformArch));
    let facts;
    if (options.depth === 'full') {
        facts = await readKernelFiles(image);
        add(facts.violations);
        if (facts.kernelFound === false)
            add(['no regular file kernel/image in any layer; krata fails "unable to find file kernel/image"']);
        if (facts.metadata === undefined)
            add(['no kernel/metadata in any layer']);
        add(metadataViolations({
            kernel: facts.kernel,
            metadata: facts.metadata,
            configDigest: facts.configDigest,
            configArchitecture: image.config.architecture,
            annotations: { ...child?.indexAnnotations, ...image.manifest.annotations },
            bootRules: options.bootRules ?? true,
        }));
    }
    result.violations.push(...prefixed(child, violations));
    result.images.push({
        ...(child ? { platform: child.prefix } : {}),
        digest: image.digest,
        description: verify_image_describe(image, facts),
    });
}
function prefixed(child, lines) {
    return child === undefined ? lines : lines.map((line) => `${child.prefix}: ${line}`);
}
/** Streams every readable layer once: tar rules on each entry, and the kernel files captured as krata would see them. */
async function readKernelFiles(image) {
    const rules = new TarRules();
    const facts = { violations: rules.lines, kernelFound: false };
    const scratch = await external_node_fs_default().promises.mkdtemp(external_node_path_default().join(external_node_os_default().tmpdir(), 'kernel-action-verify-'));
    const kernelFile = external_node_path_default().join(scratch, 'image');
    let metadataText;
    try {
        for (const [position, layer] of image.layers.entries()) {
            if (!KRATA_LAYER_TYPES.has(layer.mediaType))
                continue; // already reported; krata would stop here
            try {
                await readLayer(image, layer, (entry) => {
                    rules.entry(position + 1, entry.path, entry.type, entry.linkpath);
                    const regular = isRegularEntry(entry.type);
                    if (!regular)
                        return undefined;
                    const file = kernelFileOfEntry(entry.path);
                    if (file === 'image') {
                        facts.kernelFound = true;
                        return (body) => (0,external_node_stream_promises_.pipeline)(body, external_node_fs_default().createWriteStream(kernelFile));
                    }
                    if (file === 'metadata') {
                        return async (body) => {
                            metadataText = (await bodyToBuffer(body, METADATA_MAX_BYTES, 'kernel/metadata')).toString('utf8');
                        };
                    }
                    if (file === 'config.gz') {
                        return async (body) => {
                            facts.configDigest = await inflatedSha256(body, CONFIG_INFLATED_MAX, 'kernel/config.gz');
                        };
                    }
                    return undefined;
                }, `layer ${position + 1}`);
            }
            catch (error) {
                rules.lines.push(`layer ${position + 1} (${layer.digest}): ${oneLine(error).replace(/^layer \d+: /, '')}`);
            }
        }
        if (facts.kernelFound) {
            try {
                facts.kernel = await inspectKernelImage(kernelFile);
            }
            catch (error) {
                rules.lines.push(`kernel/image: ${oneLine(error)
                    .replace(/^image: /, '')
                    .replaceAll(kernelFile, 'kernel/image')}`);
            }
        }
        if (metadataText !== undefined) {
            try {
                facts.metadata = parseKernelMetadata(metadataText);
            }
            catch (error) {
                rules.lines.push(`kernel/${oneLine(error)}`);
            }
        }
        return facts;
    }
    finally {
        await external_node_fs_default().promises.rm(scratch, { recursive: true, force: true });
    }
}
function verify_image_describe(image, facts) {
    const types = [
        ...new Set(image.layers.map((layer) => layer.mediaType.replace(/^application\/vnd\.(oci\.image\.layer\.v1\.|docker\.image\.rootfs\.diff\.)/, ''))),
    ];
    const parts = [`${image.digest}`, `${image.layers.length} layer${image.layers.length === 1 ? '' : 's'} (${types.join(', ')})`];
    const kernel = facts?.kernel;
    if (kernel !== undefined)
        parts.push(`${kernel.arch} ${kernel.format}${kernel.release ? ` Linux ${kernel.release}` : ''}`);
    const flavor = facts?.metadata?.KERNEL_FLAVOR ?? image.manifest.annotations?.['dev.edera.kernel.flavor'];
    if (flavor)
        parts.push(`flavor ${flavor}`);
    if (facts?.configDigest !== undefined && facts.metadata?.KERNEL_CONFIG === facts.configDigest)
        parts.push('KERNEL_CONFIG matches kernel/config.gz');
    return parts.join(', ');
}

;// CONCATENATED MODULE: ./src/publish/verify-pushed.ts
// Input `verify`: the pushed image is read back from the registry, as krata would read it, before any tag points at
// it, through the very client that pushed it. `light` reads the manifest and config only; `full` streams every layer.


const READ_BACK_VERIFY = ['light', 'full', 'false'];
/** Throws (so no tag is written) when the image `digest` in `store` breaks one of krata's rules. */
async function verifyPushed(store, digest, context) {
    if (context.verify === 'false')
        return;
    const reference = `${store.name}@${digest}`;
    const result = await verifyStoredImage(store, digest, reference, { depth: context.verify, bootRules: context.bootRules });
    if (result.violations.length > 0) {
        throw new InputError(`verify: ${reference} was pushed but not tagged, krata would not load it: ${result.violations.join('; ')}`);
    }
    context.log(`verify (${context.verify}): ${reference} reads back as krata reads it`);
}

;// CONCATENATED MODULE: ./src/action/inputs.ts


















const COMPRESSIONS = ['none', 'gzip', 'zstd'];
/**
 * Every input of action.yml with its default there, exactly (a test keeps action.yml, the README and this in step).
 * The runner always passes the default; a run outside Actions passes nothing, so the same default applies here.
 */
const INPUT_DEFAULTS = {
    config: '',
    target: 'zone',
    arch: '',
    requirements: '',
    ignore: '',
    fragment: '',
    strict: 'false',
    'boot-rules': 'true',
    'fail-on': 'error',
    report: '',
    'kernel-source': '',
    image: '',
    addons: '',
    modules: '',
    flavor: '',
    version: '',
    tags: '',
    repository: '',
    'oci-layout': '',
    username: '',
    password: '',
    'github-token': '${{ github.token }}',
    annotations: '',
    compression: 'none',
    'insecure-registry': 'false',
    'push-by-digest': 'false',
    merge: '',
    'boot-test': 'false',
    'boot-kit': '',
    'boot-module': '',
    verify: 'light',
    'compare-to': '',
};
/** The runner's value, else the action.yml default (an expression default like `${{ github.token }}` only exists on a runner). */
function actionInput(name) {
    const given = core/* getInput */.V4(name);
    const fallback = INPUT_DEFAULTS[name];
    return given !== '' || fallback.includes('${{') ? given : fallback;
}
function getInputs(context, read = actionInput) {
    // Secrets first, so that no later error can echo them.
    const password = read('password');
    if (password)
        core/* setSecret */.Pq(password);
    const githubToken = read('github-token');
    if (githubToken)
        core/* setSecret */.Pq(githubToken);
    const list = (name, { csv = false } = {}) => parseList(read(name), csv);
    const bool = (name) => parseBool(name, read(name));
    // Every input is read and checked whatever the mode, so a bad value never hides behind another input.
    const given = {
        config: read('config'),
        image: read('image'),
        addons: read('addons'),
        modules: read('modules'),
        merge: list('merge', { csv: true }),
        bootTest: bool('boot-test'),
        bootKit: checkKitReference(read('boot-kit').trim()),
        bootModule: checkModuleName('boot-module', read('boot-module').trim()),
        verify: oneOf('verify', verifyInput(read('verify')), READ_BACK_VERIFY),
        compareTo: compareToInput(read('compare-to')),
    };
    const target = oneOf('target', read('target'), TARGETS);
    if (given.bootModule !== '' && target === 'host') {
        throw new InputError("boot-module: names the module a zone kernel's guest loads; with target: host the guest is the bundled sample zone");
    }
    const check = {
        target,
        arch: read('arch').trim() === '' ? undefined : parseArch('arch', read('arch').trim()),
        requirements: list('requirements'),
        ignore: list('ignore', { csv: true }),
        fragment: list('fragment'),
        strict: bool('strict'),
        bootRules: bool('boot-rules'),
        failOn: oneOf('fail-on', read('fail-on'), FAIL_ON),
        report: external_node_path_default().resolve(read('report') || external_node_path_default().join(context.tempDir, 'kernel-check.json')),
        kernelSource: read('kernel-source'),
    };
    const output = {
        version: read('version'),
        flavor: read('flavor'),
        tags: list('tags', { csv: true }),
        annotations: list('annotations'),
        pushByDigest: bool('push-by-digest'),
        ociLayout: read('oci-layout') || (context.onRunner ? external_node_path_default().join(context.tempDir, 'kernel-oci') : 'kernel-oci'),
    };
    // What can be known before the kernel's version is read: the templates' placeholders and characters, the annotations.
    checkTagTemplates(output.tags, { version: output.version, flavor: output.flavor || target, arch: check.arch ?? 'x86_64' });
    parseAnnotationLines(output.annotations);
    const compression = oneOf('compression', read('compression'), COMPRESSIONS);
    const repository = read('repository');
    // Checked before anything is read or written (compare-to reads from it first), and never echoed when it holds a password.
    if (repository)
        parseRepository(repository);
    const registry = {
        repository,
        credentials: registryCredentials({ username: read('username'), password, githubToken, repository }, context),
        insecureRegistry: bool('insecure-registry'),
    };
    const built = { ...output, flavor: output.flavor || target };
    const drift = { compareTo: given.compareTo, output: built, registry };
    if (given.merge.length > 0) {
        const building = ['config', 'image', 'addons', 'modules'].filter((name) => given[name] !== '');
        if (building.length > 0) {
            throw new InputError(`merge: cannot be combined with ${building.join(', ')} (a merge step builds nothing; build in the per-architecture jobs)`);
        }
        // The same rules as the merge itself: digests, each in the repository (or layout) the index goes to.
        parseMergeSources(given.merge, repository ? { kind: 'registry', ref: parseRepository(repository), name: repository } : { kind: 'layout', dir: output.ociLayout });
        return { mode: 'merge', sources: given.merge, verify: given.verify, output, registry };
    }
    if (given.addons !== '' && given.modules !== '')
        throw new InputError('modules: cannot be combined with addons (modules builds addons.squashfs; give one of them)');
    if (given.config === '') {
        // The quick start: the bundled sample kernel, into the local layout only.
        if (given.image !== '' || given.addons !== '')
            throw new InputError('config: required when image or addons is given');
        if (given.modules !== '')
            throw new InputError('config: required when modules is given');
        if (repository !== '')
            throw new InputError('config: required with repository (the bundled sample kernel is never pushed)');
        const sample = sampleKernel();
        return {
            mode: 'publish',
            check: { ...check, config: sample.config, sample: true },
            drift,
            image: sample.image,
            addons: sample.addons,
            modules: '',
            compression,
            bootTest: given.bootTest,
            bootKit: given.bootKit,
            bootModule: given.bootModule,
            verify: given.verify,
            output: built,
            registry,
        };
    }
    if (given.image === '') {
        if (given.addons !== '')
            throw new InputError('addons: given without image (the kernel image is what gets published)');
        if (given.modules !== '')
            throw new InputError('modules: given without image (the modules are checked against the kernel image)');
        return { mode: 'check', check: { ...check, config: given.config, sample: false }, drift, bootTest: given.bootTest };
    }
    return {
        mode: 'publish',
        check: { ...check, config: given.config, sample: false },
        drift,
        image: given.image,
        addons: given.addons,
        modules: given.modules,
        compression,
        bootTest: given.bootTest,
        bootKit: given.bootKit,
        bootModule: given.bootModule,
        verify: given.verify,
        output: built,
        registry,
    };
}
/**
 * The files the inputs name are there and are regular files (their contents are judged when they are read): a missing
 * image fails the step before the check, not after it. In the order they are read: config first. And the report's
 * path is not a folder (its other failures show only on writing).
 */
async function checkInputFiles(inputs) {
    if (inputs.mode === 'merge')
        return;
    const { check } = inputs;
    const named = [
        ['config', check.config],
        ...check.requirements.map((file) => ['requirements', file]),
        ...check.fragment.map((file) => ['fragment', file]),
    ];
    if (inputs.mode === 'publish')
        named.push(['image', inputs.image], ...(inputs.addons ? [['addons', inputs.addons]] : []));
    for (const [input, file] of named)
        await assertInputFile(file, input);
    if ((await (0,promises_.stat)(check.report).catch(() => undefined))?.isDirectory()) {
        throw new InputError(`report: ${check.report} is a directory; give the path of a file`);
    }
}
/**
 * Explicit `username`/`password` (both or neither); else, for ghcr.io, the workflow token as the workflow's actor;
 * else none here (the registry client then reads ~/.docker/config.json, as docker/login-action leaves it).
 */
function registryCredentials(given, context) {
    if (given.username || given.password) {
        if (!given.username)
            throw new InputError('username: required when password is given');
        if (!given.password)
            throw new InputError('password: required when username is given');
        return { username: given.username, password: given.password };
    }
    if (given.repository && given.githubToken && parseRepository(given.repository).registry === 'ghcr.io') {
        return { username: context.actor || 'x-access-token', password: given.githubToken };
    }
    return undefined;
}
/** A List input is newline-separated; a CSV one also splits on commas. Blank lines and `#` comments are dropped. */
function parseList(text, csv = false) {
    return text
        .split(/\r?\n/)
        .flatMap((line) => (csv ? line.split(',') : [line]))
        .map((item) => item.trim())
        .filter((item) => item !== '' && !item.startsWith('#'));
}
function parseBool(name, text) {
    const value = text.trim();
    if (value === '')
        return INPUT_DEFAULTS[name] === 'true';
    if (/^(true|True|TRUE)$/.test(value))
        return true;
    if (/^(false|False|FALSE)$/.test(value))
        return false;
    throw new InputError(`${name}: ${JSON.stringify(value)} is not a boolean (use true or false)`);
}
/**
 * Tag templates expanded with what is known before the check: the version when the input gives it (else a stand-in,
 * the config's version being read later), so an unknown placeholder or a character no tag may hold fails now.
 */
function checkTagTemplates(templates, known) {
    expandTags(templates, { ...known, version: known.version || '0.0.0' });
}
/**
 * Input `compare-to`: empty, `none`, a tag or digest (in `repository` or the local layout), or a full reference
 * (`repo:tag`, `repo@digest`, `oci:<layout>...`) checked by the one reference parser.
 */
function compareToInput(text) {
    const given = text.trim();
    if (given === '' || given === 'none')
        return given;
    if (given.startsWith('oci:') || given.includes('/')) {
        try {
            reference_parseImageReference(given);
        }
        catch (error) {
            throw new InputError(`compare-to: ${oneLine(error)}`);
        }
        return given;
    }
    if (isValidTag(given) || isSha256Digest(given))
        return given;
    throw new InputError(`compare-to: ${JSON.stringify(given)} is not a tag, a repo:tag or repo@digest, an oci:<layout> reference, or none`);
}
/** `true` is the default depth (`light`); `false` turns the read-back off. */
function verifyInput(value) {
    const trimmed = value.trim();
    if (trimmed === '' || /^(true|True|TRUE)$/.test(trimmed))
        return 'light';
    if (/^(false|False|FALSE)$/.test(trimmed))
        return 'false';
    return trimmed;
}

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var github = __webpack_require__(2413);
;// CONCATENATED MODULE: ./src/action/runner-context.ts





/** The workflow facts as the official toolkit reads them (its `context.repo` throws outside a repository). */
function readWorkflowFacts() {
    const { /* context */ "_": context } = github;
    return {
        serverUrl: context.serverUrl,
        repository: process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : undefined,
        sha: context.sha || undefined,
        actor: context.actor || undefined,
    };
}
function workflowFactsFromEnv(env) {
    return {
        serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
        repository: env.GITHUB_REPOSITORY || undefined,
        sha: env.GITHUB_SHA || undefined,
        actor: env.GITHUB_ACTOR || undefined,
    };
}
function readRunnerContext(env = process.env, cwd = process.cwd(), workflow = workflowFactsFromEnv(env)) {
    const workspace = env.GITHUB_WORKSPACE || cwd;
    const sourceDateEpoch = env.SOURCE_DATE_EPOCH;
    return {
        onRunner: Boolean(env.RUNNER_TEMP),
        tempDir: env.RUNNER_TEMP || external_node_os_default().tmpdir(),
        workspace,
        actor: workflow.actor,
        source: workflow.repository ? `${workflow.serverUrl}/${workflow.repository}` : undefined,
        revision: workflow.sha,
        // The commit time only changes with the source, so the same checkout gives the same digest.
        created: createdTimestamp(sourceDateEpoch, sourceDateEpoch ? undefined : commitTime(workspace)),
        summaryFile: env.GITHUB_STEP_SUMMARY || undefined,
        debug: env.RUNNER_DEBUG === '1',
    };
}
/** A file the action writes beside the run (report, fix fragment, metadata): in the runner's temp folder. */
function tempPath(context, ...parts) {
    return external_node_path_default().join(context.tempDir, ...parts);
}
function commitTime(workspace) {
    const git = (0,external_node_child_process_.spawnSync)('git', ['log', '-1', '--format=%ct'], { cwd: workspace, encoding: 'utf8' });
    const seconds = Number.parseInt(git.stdout?.trim() ?? '', 10);
    return git.status === 0 && Number.isFinite(seconds) ? seconds : undefined;
}

;// CONCATENATED MODULE: ./src/check/read-config.ts




// A .config is a few hundred KB (Debian's arm64 one: 0.3 MB); anything past 16 MiB is not one, and a gzip bomb stops
// here. The limit is also what bounds the check's memory (README: about 10× the config's size on top of ~55 MB).
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** Reads a `.config` or a gzip copy of one (`config.gz`, `/proc/config.gz`) and parses it. */
async function readKernelConfig(path, input = 'config', display = path) {
    return (await read_config_readKernelConfigWithBytes(path, input, display)).config;
}
/** The parsed config and its uncompressed bytes: KERNEL_CONFIG is the digest of those bytes, not of a gzip copy. */
async function read_config_readKernelConfigWithBytes(path, input = 'config', display = path) {
    const bytes = decodeConfig(await readSmallFile(path, input), display, input);
    return { config: parseKernelConfig(bytes.toString('utf8'), display, input), bytes };
}
/**
 * Reads a file that is small by nature, with errors that name the input it came from. It must be a regular file (a
 * FIFO or a device such as /dev/zero would hang or never end) and is read up to MAX_CONFIG_BYTES.
 */
async function readSmallFile(path, input) {
    return readInputFile(path, input, MAX_CONFIG_BYTES, input === 'requirements' ? 'requirements file' : 'kernel config');
}
/** A config as written (plain or gzip), uncompressed, at most MAX_CONFIG_BYTES: the same bound for every config read. */
function decodeConfig(bytes, display, input) {
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
        try {
            return (0,external_node_zlib_.gunzipSync)(bytes, { maxOutputLength: MAX_CONFIG_BYTES });
        }
        catch (error) {
            if (error.code === 'ERR_BUFFER_TOO_LARGE') {
                throw new InputError(`${input}: ${display} inflates to more than ${MAX_CONFIG_BYTES} bytes, too large to be a kernel config`);
            }
            throw new InputError(`${input}: ${display} is not a readable gzip file (${error.message})`);
        }
    }
    return bytes;
}

;// CONCATENATED MODULE: ./src/check/run-check.ts






/** Reads the config and any requirement files, then evaluates. The one way in for the action and the CLI. */
async function runCheck(request) {
    const { config, bytes: configBytes } = await read_config_readKernelConfigWithBytes(request.config);
    const arch = resolveArch(config, request.arch);
    const extra = [];
    for (const file of request.requirements ?? []) {
        extra.push(...parseRequirementsFile((await readSmallFile(file, 'requirements')).toString('utf8'), file));
    }
    const boot = request.target === 'zone' && (request.bootRules ?? true) ? bootRequirements() : [];
    const requirements = mergeRequirements([...requirementsFor(request.target), ...boot], extra);
    const version = config.header?.version;
    const results = evaluateRequirements(config, requirements, { arch, version, ignore: request.ignore, strict: request.strict });
    const report = buildReport({ target: request.target, arch, version, config: request.config, duplicates: config.duplicates }, results, request.failOn ?? 'error');
    return { config, configBytes, arch, requirements, report };
}
/** The config says which architecture it is for; input `arch` may confirm it but never contradict it. */
function resolveArch(config, stated) {
    const detected = detectArch(config);
    if (detected && stated && detected !== stated) {
        throw new InputError(`arch: input says ${stated} but ${config.file} is an ${detected} config`);
    }
    const arch = detected ?? stated;
    if (!arch) {
        throw new InputError(`arch: cannot tell the architecture of ${config.file} (no CONFIG_X86_64=y or CONFIG_ARM64=y); set input arch`);
    }
    return arch;
}
/** Where each option is written in the committed fragments (the last fragment to set it wins, as in merge_config.sh). */
async function readFragmentLines(files) {
    const lines = new Map();
    for (const file of files) {
        const fragment = await readKernelConfig(file, 'fragment');
        for (const [option, entry] of fragment.entries)
            lines.set(option, { file, line: entry.line });
    }
    return lines;
}

;// CONCATENATED MODULE: ./src/action/annotations.ts

// GitHub keeps 10 annotations of each level per step, and 50 per job over all its steps, and silently drops the rest
// (actions/toolkit problem-matchers.md).
const ANNOTATIONS_PER_LEVEL = 10;
const ANNOTATIONS_PER_JOB = 50;
const LEVELS = ['error', 'warning', 'notice'];
/**
 * One annotation per problem, on the fragment line that sets the option when there is one, else on the option's line
 * in the config, else on line 1 of the config. The budget is applied later, over everything the step emits.
 */
function planAnnotations(results, where) {
    const planned = [];
    for (const level of ['error', 'warning']) {
        for (const result of results.filter((r) => r.status === level)) {
            planned.push({ level, title: result.option, message: withExplanation(result), ...place(result, where) });
        }
    }
    return planned;
}
/**
 * GitHub's budget: at most ten annotations per level, and at most `jobRemaining` in all (what the job's 50 leave after
 * the earlier steps), filled errors first; `reserved` slots are kept for lines emitted after these (the step's failure
 * line). Past the budget, the last slot of a level says how many more there are; the rest are `hidden`.
 */
function fitAnnotations(annotations, { reserved = {}, overflowAt = {}, jobRemaining = ANNOTATIONS_PER_JOB, } = {}) {
    const shown = [];
    const hidden = [];
    let left = Math.max(0, jobRemaining - LEVELS.reduce((n, level) => n + (reserved[level] ?? 0), 0));
    for (const level of LEVELS) {
        const all = annotations.filter((a) => a.level === level);
        const slots = Math.min(ANNOTATIONS_PER_LEVEL - (reserved[level] ?? 0), left);
        const fits = all.length <= slots ? all : all.slice(0, Math.max(0, slots - 1));
        shown.push(...fits);
        const rest = all.slice(fits.length);
        hidden.push(...rest);
        if (rest.length > 0 && slots > 0) {
            const cap = slots < ANNOTATIONS_PER_LEVEL - (reserved[level] ?? 0) ? `${ANNOTATIONS_PER_JOB} per job` : `${ANNOTATIONS_PER_LEVEL} per step`;
            shown.push({
                level,
                title: `${rest.length} more ${level}s`,
                message: `${rest.length} more ${level}s are not shown as annotations (GitHub shows ${cap}); they are in the log, and every check result is in the job summary and the JSON report`,
                ...overflowAt,
            });
        }
        left -= Math.min(slots, all.length);
    }
    return { shown, hidden };
}
/** Notices about options (drift since the last release), placed like the check's results; the step's budget caps them. */
function planNotices(notices, where) {
    return notices.map((n) => ({ level: 'notice', title: n.title, message: n.message, ...place(n, where) }));
}
function place(result, where) {
    const inFragment = where.fragments?.get(result.option);
    if (inFragment)
        return { file: inFragment.file, startLine: inFragment.line };
    if (!where.config)
        return {};
    return { file: where.config, startLine: result.line ?? 1 };
}
/**
 * The path GitHub needs: relative to the workspace, `/`-separated, no `./`. A file outside the workspace cannot
 * carry an annotation, so it gets none (the annotation still shows on the run, without a file).
 */
function workspacePath(file, workspace) {
    const absolute = external_node_path_default().resolve(workspace ?? process.cwd(), file);
    const relative = external_node_path_default().relative(external_node_path_default().resolve(workspace ?? process.cwd()), absolute);
    if (relative === '' || relative.startsWith('..') || external_node_path_default().isAbsolute(relative))
        return undefined;
    return relative.split((external_node_path_default()).sep).join('/');
}
/** The check's verdict, then why (from Kconfig) when it is known. */
function withExplanation(result) {
    return result.explanation ? `${result.message}. Why: ${result.explanation}` : result.message;
}

;// CONCATENATED MODULE: ./src/action/report-check.ts






/** Logs every result, one line each, so the whole check is in the log even past the annotation budget. */
function logResults(outcome, log) {
    const { report } = outcome;
    log.info(`${report.config}: Linux ${report.version ?? '(no version header)'}, ${report.arch}, ${outcome.requirements.length} ${report.target} requirements`);
    for (const d of report.duplicates)
        log.info(`warn ${d.message}`);
    const mark = { ok: 'ok  ', error: 'FAIL', warning: 'warn', 'not-applicable': 'n/a ', skipped: 'skip' };
    for (const r of report.results)
        log.info(`${mark[r.status]} ${withExplanation(r)}`);
}
/** The check's annotations (problems first, then duplicated options), handed to the step's one budget. */
function emitAnnotations(outcome, fragments, log, workspace) {
    const where = annotationPlaces(outcome.report.config, fragments, workspace);
    for (const a of planAnnotations(outcome.report.results, where))
        log.annotate(a);
    for (const d of outcome.report.duplicates) {
        log.annotate({ level: 'warning', title: d.option, message: d.message, ...(where.config ? { file: where.config, startLine: d.line } : {}) });
    }
    log.overflowOn(where.config);
}
/** Notices (drift since the last release) on the same fragment or config lines as the check's annotations. */
function emitNotices(notices, config, fragments, log, workspace) {
    for (const a of planNotices(notices, annotationPlaces(config, fragments, workspace)))
        log.annotate(a);
}
/** Annotation files are workspace-relative; a fragment outside the workspace cannot carry one. */
function annotationPlaces(config, fragments, workspace) {
    const relative = new Map([...fragments].map(([option, at]) => [option, { ...at, file: workspacePath(at.file, workspace) }]));
    const attachable = new Map([...relative].filter((e) => e[1].file !== undefined));
    return { config: workspacePath(config, workspace), fragments: attachable };
}
/** Writes the JSON report where input `report` says (resolved by getInputs). */
async function writeReport(outcome, file) {
    try {
        await external_node_fs_.promises.mkdir(external_node_path_default().dirname(file), { recursive: true });
        await external_node_fs_.promises.writeFile(file, reportJson(outcome.report));
    }
    catch (error) {
        throw new InputError(`report: ${file} ${reportWriteFailure(error.code)}`);
    }
    return file;
}
/** Why the report could not be written, in words (the raw Node message names a syscall, not the input). */
function reportWriteFailure(code) {
    if (code === 'EISDIR')
        return 'is a directory; give the path of a file';
    if (code === 'EEXIST' || code === 'ENOTDIR')
        return 'cannot be created: a folder on its path is a file';
    if (code === 'ENOSPC')
        return 'cannot be written: no space left on the device';
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
        return `cannot be written: permission denied (${code})`;
    return `cannot be written (${code ?? 'unknown error'})`;
}
/** The step summary goes to `$GITHUB_STEP_SUMMARY`; a local run has none, and says so instead of failing. */
async function writeSummary(html, context, log) {
    if (!context.summaryFile) {
        log.info('No GITHUB_STEP_SUMMARY (not on a runner): job summary skipped');
        return;
    }
    await core/* summary */.z.addRaw(html).write();
}

;// CONCATENATED MODULE: ./src/log-line.ts
// No imports: the CLI uses this too, and must not bundle @actions/core.
/**
 * Every character the runner's `TrimStart()` drops before it looks for `::` (.NET `char.IsWhiteSpace`: the Unicode
 * space, line and paragraph separators, U+0009–U+000D and U+0085), plus what older .NET trimmed (U+180E, U+200B,
 * U+FEFF). JavaScript's `\s` alone misses U+0085, so a line starting with NEL and `::` reached the runner as a command.
 */
const RUNNER_BLANK = '[\\s\\u0085\\u180e\\u200b\\ufeff]';
const LEADING_COMMAND = new RegExp(`^(${RUNNER_BLANK}*)::`);
/**
 * A log line as the runner must see it: one line, never starting with `::` (a v2 command, leading blanks ignored) and
 * never holding `##[` (a v1 command, anywhere in the line). `%` is not special in a plain line, so the runner's own
 * escapes show the change without any ambiguity.
 */
function escapeLogLine(text) {
    return text
        .replace(/\r\n|\r|\n/g, (eol) => (eol === '\r' ? '\\r' : '\\n'))
        .replace(LEADING_COMMAND, '$1%3A:')
        .replace(/##\[/g, '##%5B');
}
/**
 * JSON printed where the runner reads it (`--json` in a workflow's `run:` step): `[` after `##` written as the JSON
 * escape `\u005b`, so no line holds a v1 command while every string parses back exactly as it was. A pretty-printed
 * JSON line never starts with `::`, so nothing else can be a command.
 */
function escapeJsonForLog(json) {
    return json.replace(/##\[/g, '##\\u005b');
}
/** User text inside the job summary's HTML: the five characters HTML gives a meaning to, as numeric references. */
function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
/**
 * Text an image says about itself (annotations, metadata, config values, the references naming it) inside the job
 * summary. The summary is HTML blocks, which a blank line would end: whatever follows would be read as markdown. So
 * the text becomes one line (line breaks and other control characters shown as `\n`, `\u0085`...), and every character
 * that HTML or GitHub's markdown gives a meaning to (tags, entities, code spans, emphasis, links and images, headings,
 * table pipes, strikethrough, math) is a numeric reference: shown as itself, never acted on. `_` only at a word's edge,
 * where emphasis starts or ends, so option names stay readable.
 */
function escapeSummaryText(text) {
    return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this shows as escapes
    /\r\n|[\0-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[&<>"'`*[\]!\\|~$#]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, (c) => {
        if (c === '\r\n' || c === '\n')
            return '&#92;n';
        if (c === '\r')
            return '&#92;r';
        if (c === '\t')
            return '&#92;t';
        const code = c.charCodeAt(0);
        if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code >= 0x2000)
            return `&#92;u${code.toString(16).padStart(4, '0')}`;
        return `&#${code};`;
    });
}

;// CONCATENATED MODULE: ./src/action/summary.ts



// GitHub rejects a step summary over 1 MiB; stay well under it.
const SUMMARY_LIMIT = 900 * 1024;
const VERDICT = {
    error: ':x: error',
    warning: ':warning: warning',
    ok: ':white_check_mark: ok',
    'not-applicable': 'not applicable',
    skipped: 'skipped',
};
/**
 * The job summary as HTML: the verdict (and whether it was enforced), whether the image was published and why not,
 * failures first, passes folded away, the fix fragment ready to copy, then what was published.
 */
function renderSummary(report, step = { failOn: 'error' }, limit = SUMMARY_LIMIT) {
    const failing = report.results.filter((r) => r.status === 'error' || r.status === 'warning');
    const rest = report.results.filter((r) => r.status !== 'error' && r.status !== 'warning');
    const unenforced = !report.passed && step.failOn === 'never';
    const head = `<h2>krata ${escapeHtml(report.target)} kernel check: ${report.passed ? 'passed' : 'failed'}${unenforced ? ', not enforced (fail-on: never)' : ''}</h2>\n` +
        `<p><code>${escapeHtml(report.config)}</code> · ${escapeHtml(report.arch)} · Linux ${escapeHtml(report.version ?? 'version unknown')} · ` +
        `${report.errors} errors, ${report.warnings} warnings, ${rest.filter((r) => r.status === 'ok').length} met</p>\n` +
        (step.notPublished ? `<p><strong>Not published:</strong> ${escapeSummaryText(step.notPublished)}</p>\n` : '') +
        renderDuplicates(report);
    const tail = (step.boot ? `\n${step.boot}\n\n` : '') +
        (step.drift ?? '') +
        (step.fixFragment ? renderFixFragment(step.fixFragment) : '') +
        (step.publish
            ? renderPublish(step.publish, unenforced ? `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}: not enforced (fail-on: never)` : undefined)
            : '');
    let failures = failing.length ? table(failing) : '<p>Every requirement is met.</p>\n';
    let passes = rest.length ? `<details><summary>${plural(rest.length, 'other requirement')}</summary>\n\n${table(rest)}</details>\n` : '';
    if (head.length + failures.length + passes.length + tail.length > limit) {
        passes = `<p>${plural(rest.length, 'other requirement')} left out to keep the summary under GitHub's size limit; see the JSON report.</p>\n`;
    }
    if (head.length + failures.length + passes.length + tail.length > limit) {
        const keep = Math.max(0, Math.floor(failing.length * (limit / 2 / failures.length)));
        failures = `${table(failing.slice(0, keep))}<p>${failing.length - keep} more problems are in the JSON report.</p>\n`;
    }
    return head + failures + passes + tail;
}
function table(results) {
    const rows = results.map((r) => `<tr><td><code>${escapeHtml(r.option)}</code></td><td>${escapeHtml(r.wanted)}</td><td>${escapeHtml(r.found)}</td>` +
        `<td>${r.line ?? ''}</td><td>${VERDICT[r.status]}</td><td>${escapeHtml(withExplanation(r))}</td></tr>`);
    return `<table><tr><th>Option</th><th>Wanted</th><th>Found</th><th>Line</th><th>Verdict</th><th>Why</th></tr>\n${rows.join('\n')}\n</table>\n`;
}
function renderDuplicates(report) {
    if (report.duplicates.length === 0)
        return '';
    return `<p>Set twice (the last one wins): ${report.duplicates.map((d) => `<code>${escapeHtml(d.option)}</code> (lines ${d.previousLine} and ${d.line})`).join(', ')}</p>\n`;
}
/** In a fenced block, so GitHub renders it verbatim with a copy button. */
function renderFixFragment(fix) {
    const body = fix.text.includes('```') ? `<pre>${escapeHtml(fix.text)}</pre>` : `\`\`\`text\n${fix.text.trimEnd()}\n\`\`\``;
    return (`<details><summary>Fix fragment (<code>${escapeHtml(fix.path)}</code>): append it to the .config and run <code>make olddefconfig</code></summary>\n\n` +
        `${body}\n\n</details>\n`);
}
function renderPublish(p, unenforced) {
    const rows = [
        ...(unenforced ? [['Check', unenforced]] : []),
        ['OCI layout', p.layout],
        ['Tags', p.tags.join(', ')],
        ['Manifest digest', p.digest],
        ...(p.imageRef ? [['Image', p.imageRef]] : []),
        ['Config digest', p.configDigest],
    ];
    return (`<h3>Kernel image</h3>\n${keyValueTable(rows)}` + `<details><summary>/kernel/metadata</summary>\n\n<pre>${escapeHtml(p.metadata)}</pre></details>\n`);
}
/** The job summary of a merge: what the index holds and where it went. */
function renderMergeSummary(outcome) {
    const rows = [
        ['Index', outcome.imageRef],
        ['Tags', outcome.tags.join(', ') || '(none: by digest)'],
        ['Kernel', `${outcome.version} ${outcome.flavor}`],
        ...outcome.platforms.map((p) => [`linux/${p.architecture}`, p.digest]),
    ];
    return `<h2>krata kernel: multi-arch index</h2>\n${keyValueTable(rows)}`;
}
/** Names and values, each value as code (digests, references, paths, and the version and flavor images say they have). */
function keyValueTable(rows) {
    return `<table>${rows.map(([k = '', v = '']) => `<tr><th>${escapeSummaryText(k)}</th><td><code>${escapeSummaryText(v)}</code></td></tr>`).join('')}</table>\n`;
}

;// CONCATENATED MODULE: ./src/oci/registry/push.ts
// Writes one image to a registry in the only safe order: blobs, manifest by digest, tags, then a read-back.



/** Blobs (skipping those present), then the manifest by digest, then tags, then reads every tag back. */
async function pushImage(client, image, tags, options = {}) {
    for (const tag of tags) {
        if (!isValidTag(tag))
            throw new InputError(`tags: "${tag}" is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})`);
    }
    const log = client.log;
    const where = `${client.registry}/${client.repository}`;
    const result = { digest: image.manifest.descriptor.digest, bytesUploaded: 0, blobsSkipped: 0, blobsMounted: 0, blobsUploaded: 0 };
    const unique = [...new Map(image.blobs.map((blob) => [blob.descriptor.digest, blob])).values()];
    await eachConcurrently(unique, options.concurrency ?? 3, async (blob) => {
        const outcome = await placeBlob(client, blob, options);
        if (outcome === 'skipped')
            result.blobsSkipped++;
        else if (outcome === 'mounted')
            result.blobsMounted++;
        else {
            result.blobsUploaded++;
            result.bytesUploaded += outcome;
        }
    });
    // Only now may the manifest exist, and only once it exists by digest may a tag point at it.
    const digest = await client.putManifest(image.manifest, image.manifest.descriptor.digest);
    log(`${where}@${digest}: manifest pushed`);
    await options.beforeTags?.(digest);
    for (const tag of tags)
        await client.putManifest(image.manifest, tag);
    for (const tag of tags) {
        const resolved = await client.resolve(tag);
        if (resolved !== digest) {
            const message = `registry ${client.registry}: tag ${tag} resolves to ${resolved ?? 'nothing'} after push, expected ${digest}`;
            throw new TagMismatchError(message, tag, digest, resolved);
        }
        log(`${where}:${tag} → ${digest}`);
    }
    return result;
}
/** Makes one blob present in the repository; returns how, or the bytes uploaded. */
async function placeBlob(client, blob, options) {
    const { digest, size } = blob.descriptor;
    if (await client.blobExists(digest)) {
        client.log(`blob ${digest}: already present`);
        return 'skipped';
    }
    const intervalMs = (options.progressIntervalSeconds ?? 10) * 1000;
    let lastLine = Date.now();
    const startedAt = Date.now();
    const outcome = await client.uploadBlob(blob, {
        mountFrom: options.mountFrom,
        onProgress: (progress) => {
            options.onProgress?.(progress);
            if (Date.now() - lastLine < intervalMs || progress.bytes === progress.total)
                return;
            lastLine = Date.now();
            client.log(`blob ${digest}: ${formatBytes(progress.bytes)} of ${formatBytes(progress.total)} (${formatBytes(progress.bytesPerSecond)}/s)`);
        },
    });
    if (outcome.mounted) {
        client.log(`blob ${digest}: mounted from ${options.mountFrom}`);
        return 'mounted';
    }
    const seconds = (Date.now() - startedAt) / 1000;
    client.log(`blob ${digest}: uploaded ${formatBytes(size)} in ${seconds.toFixed(1)} s`);
    return outcome.bytes;
}
/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects (others finish quietly). */
async function eachConcurrently(items, limit, work) {
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const item = items[next++];
            try {
                await work(item);
            }
            catch (error) {
                failed = true;
                throw error;
            }
        }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
    const settled = await Promise.allSettled(workers);
    const rejected = settled.find((outcome) => outcome.status === 'rejected');
    if (rejected !== undefined)
        throw rejected.reason;
}
function formatBytes(bytes) {
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

;// CONCATENATED MODULE: ./src/publish/merge.ts
// Merge per-architecture kernel images into one multi-arch index: read every image, check them all, and only then
// write the index by digest, then the tags, then read each tag back — in a registry or in a local OCI layout.












const merge_INPUT = 'merge';
async function mergeKernelImages(request) {
    return request.repository ? mergeInRegistry(request) : mergeInLayout(request);
}
async function mergeInRegistry(request) {
    const ref = parseRepository(request.repository);
    const name = `${ref.registry}/${ref.repository}`;
    const digests = parseMergeSources(request.sources, { kind: 'registry', ref, name: request.repository });
    // One client reads the images, pushes the index and reads it back.
    const store = RegistryStore.open(ref, {
        credentials: request.credentials,
        insecure: request.insecureRegistry,
        onSecret: request.onSecret,
        log: request.log,
    });
    const images = await readImages(store, digests, name, request.log);
    const plan = planKernelIndex(images, request);
    for (const p of plan.platforms)
        request.log(`linux/${p.architecture}: ${p.digest}`);
    // The children are in the repository already, so the index is the only thing to push: by digest, verify, tags, read-back.
    // Boot rules were the per-architecture jobs' to apply: they knew the target; the index is checked as krata reads it.
    const readBack = { verify: request.verify ?? 'light', bootRules: false, log: request.log };
    await pushImage(store.client, { manifest: plan.index, blobs: [] }, plan.tags, { beforeTags: (digest) => verifyPushed(store, digest, readBack) });
    const digest = plan.index.descriptor.digest;
    return { ...plan, digest, imageRef: `${request.repository}@${digest}` };
}
async function mergeInLayout(request) {
    const dir = request.ociLayout;
    const target = { kind: 'layout', dir };
    const digests = parseMergeSources(request.sources, target);
    // OciLayout.open would create a missing layout; a merge must find one, so look before opening.
    if (!external_node_fs_default().existsSync(external_node_path_default().join(dir, 'oci-layout'))) {
        throw new InputError(`${merge_INPUT}: ${dir} is not an OCI image layout, so it holds none of the images (set repository to merge in a registry)`);
    }
    const layout = await layout_OciLayout.open(dir);
    const images = await readImages(layout, digests, `the OCI layout ${dir}`, () => undefined);
    const plan = planKernelIndex(images, request);
    for (const p of plan.platforms)
        request.log(`linux/${p.architecture}: ${p.digest}`);
    const digest = plan.index.descriptor.digest;
    await layout.writeJsonBlob(plan.index);
    if (plan.tags.length > 0)
        await layout.tag(plan.index.descriptor, plan.tags);
    else
        await layout.addUntagged(plan.index.descriptor); // by digest: still a root of the layout
    for (const tag of plan.tags) {
        const resolved = (await layout.resolve(tag))?.digest;
        if (resolved !== digest)
            throw new IntegrityError(`oci layout ${dir}: tag ${tag} resolves to ${resolved ?? 'nothing'} after writing, expected ${digest}`);
        request.log(`oci layout ${dir}:${tag} → ${digest}`);
    }
    return { ...plan, digest, imageRef: `oci:${dir}@${digest}`, layout: dir };
}
/** Each image's manifest and config, read from the store by the same rules as every other reader. */
async function readImages(store, digests, where, log) {
    const images = [];
    for (const digest of digests) {
        const fetched = await store.fetchManifest(digest);
        if (fetched === undefined)
            throw new InputError(`${merge_INPUT}: ${digest} is not in ${where}`);
        const document = parseDocument(fetched, `${merge_INPUT}: ${digest} in ${where}`);
        const mediaType = fetched.mediaType || (typeof document.mediaType === 'string' ? document.mediaType : '');
        let config;
        // An index is named as such by planKernelIndex; only an image manifest has a config to read.
        if (!isIndexDocument(mediaType, document)) {
            const manifest = checkManifestDocument(document, `${merge_INPUT}: ${digest} in ${where}`);
            config = parseJson(await readConfig(store, manifest, digest, where), `image config ${manifest.config.digest} of ${digest}`);
        }
        images.push({ descriptor: { mediaType, digest, size: fetched.bytes.length }, manifest: document, config });
        log(`${store.name}@${digest}: read`);
    }
    return images;
}
async function readConfig(store, manifest, digest, where) {
    return store.readSmallBlob(manifest.config, CONFIG_MAX_BYTES).catch((error) => {
        const missing = (error instanceof RegistryError && error.status === 404) || (error instanceof InputError && error.message.includes(' has no blob '));
        if (missing)
            throw new InputError(`${merge_INPUT}: ${digest}: its image config ${manifest.config.digest} is not in ${where}`);
        throw error;
    });
}
function parseJson(bytes, what) {
    try {
        return JSON.parse(bytes.toString('utf8'));
    }
    catch {
        throw new InputError(`${merge_INPUT}: ${what} is not valid JSON`);
    }
}

// EXTERNAL MODULE: external "node:events"
var external_node_events_ = __webpack_require__(8474);
;// CONCATENATED MODULE: ./src/oci/layer.ts
// One OCI layer per kernel file: a tar holding `kernel/` then `kernel/<name>`, built by node-tar from
// synthetic entries (nothing from the host's stat leaks in), hashed and compressed in a single streamed pass.












// Every entry gets the same owner, time and modes, so the tar depends on the file's bytes alone.
const EPOCH = new Date(0);
const DIR_MODE = 0o755;
const FILE_MODE = 0o644;
const GZIP_LEVEL = 6;
const ZSTD_LEVEL = 3;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
function layerMediaType(compression) {
    switch (compression) {
        case 'none':
            return types_MediaType.layerTar;
        case 'gzip':
            return types_MediaType.layerGzip;
        case 'zstd':
            return types_MediaType.layerZstd;
    }
}
/** Builds the layer for one kernel file into `store` and returns its descriptor and diffId. */
async function buildFileLayer(spec, store) {
    if (!FILE_NAME.test(spec.name)) {
        throw new InputError(`kernel file name ${JSON.stringify(spec.name)} is not a plain file name (letters, digits, . _ -)`);
    }
    const content = await openContent(spec.source);
    const compressor = await createCompressor(spec.compression);
    const tarDigest = new DigestingStream();
    const blobDigest = compressor ? new DigestingStream() : tarDigest;
    const staging = store.stagingPath();
    const pack = new index_min/* Pack */.mM({ mtime: EPOCH });
    pack.add(directoryEntry(`${KERNEL_DIR}/`));
    const file = fileEntry(`${KERNEL_DIR}/${spec.name}`, content.size);
    pack.add(file);
    pack.end();
    const compressing = compressor ? [compressor.stream, blobDigest] : [];
    // One chunk in flight: Readable.from's default (16 objects) would hold 16 MiB per layer for nothing.
    const streams = [external_node_stream_.Readable.from(packBytes(pack), { highWaterMark: 1 }), tarDigest, ...compressing, external_node_fs_default().createWriteStream(staging, { flags: 'wx' })];
    // The first failure anywhere stops every other part (streams, feeder, child process).
    const abort = new AbortController();
    const stopAll = (error) => {
        if (!abort.signal.aborted)
            abort.abort(error);
        compressor?.kill();
        throw error;
    };
    try {
        await Promise.all([
            feedEntry(file, content, abort.signal).catch(stopAll),
            (0,external_node_stream_promises_.pipeline)(streams, { signal: abort.signal }).catch(stopAll),
            compressor?.finished.catch(stopAll),
        ]);
        const { digest, size } = blobDigest.result();
        await store.commitBlob(staging, digest);
        return {
            descriptor: { mediaType: layerMediaType(spec.compression), digest, size },
            diffId: tarDigest.result().digest,
        };
    }
    catch (error) {
        await external_node_fs_default().promises.rm(staging, { force: true });
        throw error;
    }
}
async function openContent(source) {
    if (Buffer.isBuffer(source)) {
        return { size: source.length, open: () => external_node_stream_.Readable.from([source]), label: 'buffer' };
    }
    let stat;
    try {
        stat = await external_node_fs_default().promises.stat(source);
    }
    catch (error) {
        throw fileError('kernel file', source, error);
    }
    if (stat.isDirectory())
        throw fileError('kernel file', source, { code: 'EISDIR' });
    if (!stat.isFile())
        throw new InputError(`kernel file: ${source} is not a regular file`);
    const size = stat.size;
    // Read exactly the size written into the tar header; a file that shrinks meanwhile is caught by feedEntry.
    return {
        size,
        open: () => (size === 0 ? external_node_stream_.Readable.from([]) : external_node_fs_default().createReadStream(source, { start: 0, end: size - 1, highWaterMark: 1 << 20 })),
        label: source,
    };
}
function directoryEntry(path) {
    const entry = new index_min/* ReadEntry */.lf(new index_min/* Header */.Y9({ path, type: 'Directory', mode: DIR_MODE, uid: 0, gid: 0, size: 0, mtime: EPOCH }));
    entry.end();
    return entry;
}
function fileEntry(path, size) {
    return new index_min/* ReadEntry */.lf(new index_min/* Header */.Y9({ path, type: 'File', mode: FILE_MODE, uid: 0, gid: 0, size, mtime: EPOCH }));
}
/** Streams the content into the tar entry, waiting whenever the tar (and everything after it) is full. */
async function feedEntry(entry, content, signal) {
    const source = content.open();
    let written = 0;
    try {
        for await (const chunk of source) {
            if (signal.aborted)
                return;
            written += chunk.length;
            if (!entry.write(chunk))
                await (0,external_node_events_.once)(entry, 'drain', { signal });
        }
    }
    catch (error) {
        if (signal.aborted)
            return;
        throw error;
    }
    finally {
        source.destroy();
    }
    if (written !== content.size) {
        throw new InputError(`${content.label}: changed while it was being read (${written} of ${content.size} bytes)`);
    }
    entry.end();
}
/** The Pack's bytes as an async iterable, which `pipeline` consumes with back-pressure. */
async function* packBytes(pack) {
    for await (const chunk of pack)
        yield chunk;
}
// zlib.createZstdCompress exists from Node 22.15 / 23.8; @types/node 20 does not know it.
function nodeZstdFactory() {
    const factory = (external_node_zlib_default()).createZstdCompress;
    return typeof factory === 'function' ? factory.bind((external_node_zlib_default())) : undefined;
}
async function createCompressor(compression) {
    switch (compression) {
        case 'none':
            return undefined;
        case 'gzip':
            // Node writes a gzip header with no name and mtime 0, so equal input gives equal bytes.
            return { stream: external_node_zlib_default().createGzip({ level: GZIP_LEVEL }), finished: Promise.resolve(), kill: () => undefined };
        case 'zstd': {
            const nodeZstd = nodeZstdFactory();
            if (nodeZstd) {
                const constants = (external_node_zlib_default()).constants;
                const params = {
                    [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL,
                    // The zstd program adds a checksum by default; do the same so both kinds of output are alike.
                    [constants.ZSTD_c_checksumFlag]: 1,
                };
                return { stream: nodeZstd({ params }), finished: Promise.resolve(), kill: () => undefined };
            }
            if (await zstdProgramRuns())
                return zstdProgram();
            throw new InputError('compression: zstd needs Node.js 22.15+ or the zstd program on PATH');
        }
        default:
            throw new InputError(`compression: ${JSON.stringify(compression)} is not one of none, gzip, zstd`);
    }
}
// Both spawns pass env explicitly so that the PATH searched is this process's current one.
async function zstdProgramRuns() {
    return await new Promise((resolve) => {
        const child = (0,external_node_child_process_.spawn)('zstd', ['--version'], { stdio: 'ignore', env: process.env });
        child.on('error', () => resolve(false));
        child.on('close', (code) => resolve(code === 0));
    });
}
// Single-threaded (-T1) so the output does not depend on the number of cores.
function zstdProgram() {
    const child = (0,external_node_child_process_.spawn)('zstd', [`-${ZSTD_LEVEL}`, '-q', '-c', '-T1', '--no-progress'], { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
    const stderr = [];
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    const finished = new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code, signal) => {
            if (code === 0)
                resolve();
            else
                reject(new ToolError(`zstd failed (${signal ?? `exit ${code}`}): ${Buffer.concat(stderr).toString().trim()}`));
        });
    });
    // Duplex.from pairs the child's stdin and stdout into one pipeline stage.
    const stream = external_node_stream_.Duplex.from({ writable: child.stdin, readable: child.stdout });
    return { stream, finished, kill: () => child.kill() };
}

;// CONCATENATED MODULE: ./src/oci/kernel-image.ts
// The kernel image: one layer per file under /kernel, an image config krata can parse, and a manifest carrying
// the caller's annotations — all written into a local OCI layout, ready to be tagged there or pushed.





/** Writes every layer, the config and the manifest into `layout`; tagging is left to the caller. */
async function buildKernelImage(spec, layout) {
    if (spec.files.length === 0)
        throw new InternalError('a kernel image needs at least one file');
    const seen = new Set();
    for (const file of spec.files) {
        if (seen.has(file.name))
            throw new InputError(`kernel file ${JSON.stringify(file.name)} is given twice`);
        seen.add(file.name);
    }
    // Each layer's bytes depend only on its own file, so building them at once cannot change the result.
    const layers = await Promise.all(spec.files.map((file) => buildFileLayer({ name: file.name, source: file.source, compression: spec.compression }, layout)));
    const diffIds = layers.map((layer) => layer.diffId);
    const config = image_serializeJson(image_imageConfig({
        architecture: spec.architecture,
        created: spec.created,
        diffIds,
        history: spec.files.map((file) => `kernel-action: add /${KERNEL_DIR}/${file.name}`),
    }), types_MediaType.config);
    await layout.writeJsonBlob(config);
    const manifest = image_serializeJson(image_imageManifest({
        config: config.descriptor,
        layers: layers.map((layer) => layer.descriptor),
        annotations: spec.annotations,
    }), types_MediaType.manifest);
    await layout.writeJsonBlob(manifest);
    return {
        manifest: {
            bytes: manifest.bytes,
            descriptor: { ...manifest.descriptor, platform: { os: 'linux', architecture: spec.architecture } },
        },
        blobs: [...layers.map((layer) => layout.blob(layer.descriptor)), layout.blob(config.descriptor)],
        digest: manifest.descriptor.digest,
        diffIds,
        config: config.descriptor,
        layers: layers.map((layer) => layer.descriptor),
    };
}
/**
 * `gzip -9` of the bytes with no file name and mtime 0 in the header, so `config.gz` is the same for the same
 * `.config` (GNU gzip would record the input's mtime). `zcat` of it gives the bytes back unchanged.
 */
function gzipDeterministic(bytes) {
    return external_node_zlib_default().gzipSync(bytes, { level: 9 });
}

;// CONCATENATED MODULE: ./src/publish/publish.ts
















/**
 * Describe and publish: read the kernel image, check it is the kernel the config describes, write /kernel/metadata,
 * build the image into the local OCI layout, then push it (blobs, manifest by digest, tags last) when asked.
 */
async function publishKernel(request) {
    const { kernel: given, output } = request;
    // Everything is checked before anything is written: a bad input leaves no metadata file and no layout change.
    const kernel = await inspectKernelImage(given.image);
    const headerVersion = given.config.header?.version;
    const mismatches = crossCheckKernel(kernel, { arch: given.arch, version: headerVersion, file: given.config.file }, output.version);
    if (request.build.bootRules)
        assertKrataCanLoad(kernel);
    const version = output.version || headerVersion;
    if (!version)
        throw new InputError(`version: ${given.config.file} has no "# Linux/<arch> <version> Kernel Configuration" header; set input version`);
    const repository = request.registry.repository ? parseRepository(request.registry.repository) : undefined;
    const tags = expandTags(output.tags, { version, flavor: output.flavor, arch: given.arch });
    const configDigest = digest_sha256Digest(given.configBytes);
    if (given.addons)
        await assertSquashfs(given.addons, 'addons');
    const metadata = renderKernelMetadata({
        arch: given.arch,
        version,
        unameR: kernel.release,
        flavor: output.flavor,
        configDigest,
        tags,
    });
    for (const warning of mismatches)
        request.warn(warning);
    const layout = await layout_OciLayout.open(output.ociLayout);
    const metadataPath = external_node_path_default().join(request.workDir, 'metadata');
    // Defined when this run created the folder: only then is it ours to remove again (when it is left empty).
    const made = await external_node_fs_.promises.mkdir(request.workDir, { recursive: true });
    try {
        await external_node_fs_.promises.writeFile(metadataPath, metadata);
        return await buildAndPush(request, { kernel, version, repository, tags, configDigest, metadata, metadataPath, layout });
    }
    catch (error) {
        // A failed step leaves no metadata behind (and no folder it made for it).
        await external_node_fs_.promises.rm(metadataPath, { force: true });
        if (made !== undefined)
            await external_node_fs_.promises.rmdir(request.workDir).catch(() => undefined);
        throw error;
    }
}
async function buildAndPush(request, checked) {
    const { kernel, version, repository, tags, configDigest, metadata, metadataPath, layout } = checked;
    const { kernel: given, output, build } = request;
    request.log(`kernel: ${kernel.format} ${kernel.arch}, release ${kernel.release}, payload ${kernel.payloadCompression ?? 'unknown'}`);
    for (const line of metadata.trimEnd().split('\n'))
        request.log(`metadata: ${line}`);
    const files = [{ name: 'image', source: given.image }];
    if (given.addons) {
        files.push({ name: 'addons.squashfs', source: given.addons });
    }
    else {
        request.warn('addons: no addons.squashfs given; the image has no kernel modules (krata mounts the system addons for -k kernels anyway)');
    }
    files.push({ name: 'config.gz', source: gzipDeterministic(given.configBytes) }, { name: 'metadata', source: Buffer.from(metadata) });
    const annotations = kernelAnnotations({
        version,
        flavor: output.flavor,
        arch: given.arch,
        configDigest,
        tags,
        created: build.created,
        source: build.source,
        revision: build.revision,
        title: repository?.repository.split('/').pop() ?? `${output.flavor}-kernel`,
    }, request.annotations);
    const built = await buildKernelImage({ files, architecture: arch_ociArch(given.arch), created: build.created, compression: build.compression, annotations }, layout);
    const writtenTags = output.pushByDigest ? [] : tags;
    // By digest, the manifest is still listed in index.json (without a ref name), so the layout holds a real image.
    if (writtenTags.length)
        await layout.tag(built.manifest.descriptor, writtenTags);
    else
        await layout.addUntagged(built.manifest.descriptor);
    request.log(`oci layout ${output.ociLayout}: ${built.digest}${writtenTags.length ? ` tagged ${writtenTags.join(', ')}` : ''}`);
    let push;
    if (repository) {
        // One client pushes and reads back.
        const store = RegistryStore.open(repository, {
            credentials: request.registry.credentials,
            insecure: request.registry.insecureRegistry,
            onSecret: request.onSecret,
            log: request.log,
        });
        const readBack = { verify: build.verify ?? 'light', bootRules: build.bootRules, log: request.log };
        push = await pushImage(store.client, built, writtenTags, { beforeTags: (digest) => verifyPushed(store, digest, readBack) });
    }
    return {
        kernel,
        metadataPath,
        metadata,
        configDigest,
        digest: built.digest,
        imageRef: repository ? `${request.registry.repository}@${built.digest}` : `oci:${output.ociLayout}@${built.digest}`,
        tags: writtenTags,
        layout: output.ociLayout,
        manifest: JSON.parse(built.manifest.bytes.toString('utf8')),
        manifestSize: built.manifest.bytes.length,
        imageConfig: built.config,
        layers: Object.fromEntries(files.map((file, position) => [file.name, built.layers[position]])),
        push,
    };
}
// krata's x86 loader scans the bzImage for a gzip or an xz stream and fails on anything else.
const publish_LOADABLE_PAYLOADS = new Set(['gzip', 'xz']);
/** The image half of the boot rules: the config may say gzip while the bzImage given is another build. */
function assertKrataCanLoad(kernel) {
    if (kernel.format !== 'bzImage' || kernel.payloadCompression === undefined)
        return;
    if (publish_LOADABLE_PAYLOADS.has(kernel.payloadCompression))
        return;
    if (kernel.payloadCompression === 'unknown') {
        throw new InputError(`image: ${kernel.path} is a bzImage whose payload has no known compression magic; krata's loader only finds gzip or xz kernels (boot-rules: false to publish anyway)`);
    }
    throw new InputError(`image: ${kernel.path} is a ${kernel.payloadCompression}-compressed bzImage; krata's loader only finds gzip or xz kernels (CONFIG_KERNEL_GZIP=y or CONFIG_KERNEL_XZ=y; boot-rules: false to publish anyway)`);
}

;// CONCATENATED MODULE: ./src/action/publish-step.ts






/** The describe-and-publish half of the step, wired to the runner: inputs, secrets, log (its outcome gives the outputs). */
async function publishStep(inputs, check, context, log) {
    const outcome = await publishKernel({
        kernel: { config: check.config, configBytes: check.configBytes, arch: check.arch, image: inputs.image, addons: inputs.addons },
        output: inputs.output,
        annotations: parseAnnotationLines(inputs.output.annotations),
        registry: inputs.registry,
        build: {
            compression: inputs.compression,
            verify: inputs.verify,
            bootRules: inputs.check.bootRules && inputs.check.target === 'zone',
            created: context.created,
            ...(context.source ? { source: context.source } : {}),
            ...(context.revision ? { revision: context.revision } : {}),
        },
        workDir: tempPath(context, 'kernel-action'),
        log: (line) => log.info(line),
        warn: (line) => log.warning(line),
        onSecret: (value) => core/* setSecret */.Pq(value),
    });
    if (outcome.push) {
        const p = outcome.push;
        log.info(`pushed ${outcome.imageRef}: ${p.blobsUploaded} blobs uploaded (${formatBytes(p.bytesUploaded)}), ${p.blobsSkipped} already there, ${p.blobsMounted} mounted`);
    }
    return outcome;
}
/**
 * Merge mode (input `merge`): no config is checked and nothing is built; the per-architecture images already
 * published are joined into one index, written by digest, then tagged.
 */
async function mergeStep(inputs, log) {
    const { output, registry } = inputs;
    const outcome = await mergeKernelImages({
        sources: inputs.sources,
        verify: inputs.verify,
        repository: registry.repository,
        ociLayout: output.ociLayout,
        tagTemplates: output.tags,
        pushByDigest: output.pushByDigest,
        annotations: parseAnnotationLines(output.annotations),
        version: output.version || undefined,
        flavor: output.flavor || undefined,
        credentials: registry.credentials,
        insecureRegistry: registry.insecureRegistry,
        log: (line) => log.info(line),
        onSecret: (value) => core/* setSecret */.Pq(value),
    });
    log.info(`merged ${outcome.platforms.map((p) => `linux/${p.architecture}`).join(', ')} into ${outcome.imageRef}${outcome.tags.length ? ` tagged ${outcome.tags.join(', ')}` : ''}`);
    return outcome;
}

;// CONCATENATED MODULE: ./src/drift/config-diff.ts
// What changed between two kernel configs, option by option, in the five states a `.config` line can be in
// (absent, not set, y, m, a value): the pure half of the drift report.


const CLASS_ORDER = { requirement: 0, xen: 1, other: 2 };
/**
 * Every option whose state differs between the two configs: requirement changes first, then Xen ones, then the
 * rest, each group by name. One pass over each map, so two 10,000-line configs compare in milliseconds.
 */
function diffConfigs(before, after, requirementOptions) {
    const changes = [];
    const classify = (option) => (requirementOptions.has(option) ? 'requirement' : option.includes('XEN') ? 'xen' : 'other');
    for (const [option, now] of after.entries) {
        const was = before.entries.get(option);
        if (was && sameState(was, now))
            continue;
        changes.push({
            option,
            kind: was ? 'changed' : 'added',
            class: classify(option),
            before: describeEntry(was),
            after: describeEntry(now),
            line: now.line,
        });
    }
    for (const [option, was] of before.entries) {
        if (after.entries.has(option))
            continue;
        changes.push({ option, kind: 'removed', class: classify(option), before: describeEntry(was), after: 'absent', line: null });
    }
    return changes.sort((a, b) => CLASS_ORDER[a.class] - CLASS_ORDER[b.class] || (a.option < b.option ? -1 : a.option > b.option ? 1 : 0));
}
function sameState(a, b) {
    if (a.state !== b.state)
        return false;
    return a.state !== 'value' || a.value === b.value;
}
/**
 * The options krata's requirements name: both built-in lists, the boot rules (with their alternatives, such as
 * KERNEL_XZ for KERNEL_GZIP) and any user rules, whatever the target, so a zone and a host diff class alike.
 */
function requirementOptionSet(extra = []) {
    const options = new Set();
    for (const r of [...requirementsFor('host'), ...bootRequirements(), ...extra]) {
        options.add(r.option);
        for (const alternative of r.anyOf ?? [])
            options.add(alternative);
    }
    return options;
}
/** A state as a change message reads it: `=y`, `=512`, `not set`, `absent`. */
function stateText(described) {
    return described === 'absent' || described === 'not set' ? described : `=${described}`;
}

;// CONCATENATED MODULE: ./src/drift/drift.ts

/** The files whose size is tracked, as named inside the image. */
const SIZED_FILES = ['kernel/image', 'kernel/addons.squashfs'];
/** Pure: two sides and their parsed configs in, the report out. */
function buildDrift(before, after, requirementOptions) {
    const sameConfig = before.side.configDigest === after.side.configDigest;
    const changes = sameConfig ? [] : diffConfigs(before.config, after.config, requirementOptions);
    const counts = { added: 0, removed: 0, changed: 0, requirement: 0, xen: 0, other: 0 };
    for (const change of changes) {
        counts[change.kind]++;
        counts[change.class]++;
    }
    return {
        before: before.side,
        after: after.side,
        sameConfig,
        configChanged: changes.length,
        counts,
        changes,
        sizes: SIZED_FILES.map((file) => sizeChange(file, before.side.sizes[file], after.side.sizes[file])),
    };
}
function sizeChange(file, before, after) {
    const known = before !== null && after !== null;
    const bytes = known ? after - before : null;
    const percent = known && before !== 0 ? Math.round(((after - before) / before) * 1000) / 10 : null;
    return { file, before, after, bytes, percent };
}
/** A side that has only a config (a check-only run, or a `.config` given to the CLI). */
function drift_configOnlySide(ref, configDigest, config) {
    return {
        ref,
        digest: null,
        configDigest,
        version: config.header?.version ?? null,
        unameR: null,
        flavor: null,
        tags: [],
        sizes: { 'kernel/image': null, 'kernel/addons.squashfs': null },
    };
}

;// CONCATENATED MODULE: ./src/drift/kernel-side.ts
// One side of a drift comparison from what an image says about itself: /kernel/metadata first (what krata reads),
// the manifest's dev.edera.kernel.* annotations where the metadata is missing, layer sizes from the descriptors.

function imageSide(facts) {
    const metadata = facts.metadata === undefined ? {} : parseKernelMetadata(facts.metadata);
    const annotation = (key) => facts.annotations[`dev.edera.kernel.${key}`] || undefined;
    const pick = (metadataKey, annotationKey) => metadata[metadataKey] || (annotationKey ? annotation(annotationKey) : undefined) || null;
    const tags = pick('KERNEL_TAGS', 'tags');
    return {
        ref: facts.ref,
        digest: facts.digest,
        configDigest: facts.configDigest,
        version: pick('KERNEL_VERSION', 'version'),
        unameR: pick('KERNEL_UNAME_R'),
        flavor: pick('KERNEL_FLAVOR', 'flavor'),
        tags: tags ? tags.split(',').filter((t) => t !== '') : [],
        sizes: {
            'kernel/image': facts.layerSizes['kernel/image'] ?? null,
            'kernel/addons.squashfs': facts.layerSizes['kernel/addons.squashfs'] ?? null,
        },
    };
}

;// CONCATENATED MODULE: ./src/pull/image-source.ts
// Opening the kernel image a reference names, for install, diff and compare-to: the reference parsed by the one
// grammar (oci/reference.ts), its store opened (oci/open-store.ts), and the host's architecture's image picked from
// an index as krata picks it (oci/image-format.ts).






/** The host's architecture (x64 → x86_64, arm64 → aarch64); anything else has no kernel image to pick. */
function hostKernelArch(nodeArch = process.arch) {
    const arch = archOfNode(nodeArch);
    if (arch === undefined)
        throw new InputError(`arch: this host is ${nodeArch}; give --arch x86_64 or --arch aarch64`);
    return arch;
}
/**
 * Opens the kernel image a reference names, picking the `arch` child (the host's by default) from an index.
 * Resolves undefined when the tag or digest does not exist; any other failure throws a one-line error.
 */
async function openKernelImage(reference, options = {}) {
    const parsed = reference_parseImageReference(reference);
    const store = await open_store_openImageStore(parsed, options);
    const top = await store.fetchManifest(reference_startingPoint(parsed) ?? '');
    if (top === undefined)
        return undefined;
    const document = parseDocument(top, reference);
    if (!isIndexDocument(top.mediaType, document))
        return openManifest(store, reference, top);
    const index = checkIndexDocument(document, `${reference}@${top.digest}`);
    const arch = options.arch ?? hostKernelArch();
    const child = pickPlatform(index, arch);
    if (child === undefined) {
        const found = index.manifests.map((entry) => platformText(entry)).join(', ') || 'none';
        throw new InputError(`${reference}: the index has no linux/${arch_ociArch(arch)} image (platforms: ${found})`);
    }
    const fetched = await store.fetchManifest(child.digest);
    if (fetched === undefined)
        throw new InputError(`${reference}: the index names ${child.digest}, which ${store.name} does not have`);
    return openManifest(store, reference, fetched, top.digest);
}

;// CONCATENATED MODULE: ./src/drift/read-side.ts
// Reads one side of a drift comparison: a published kernel image (its config.gz, its metadata if small, and the
// layer sizes from the manifest: the kernel and addons blobs are never downloaded), or a `.config`/`config.gz` file.









// A config.gz layer is tens of KB (a 10,000-line config gzips to ~60 KB); metadata is a few hundred bytes.
const CONFIG_LAYER_MAX = 4 * 1024 * 1024;
const METADATA_LAYER_MAX = 64 * 1024;
/**
 * The kernel image `reference` names (the `arch` child of an index), or undefined when it does not exist. Reads the
 * manifest (and index), the image config, the config.gz layer and, when small, the metadata layer.
 */
async function readImageSide(reference, options, label = reference) {
    const image = await openKernelImage(reference, options);
    if (image === undefined)
        return undefined;
    const configLayer = kernelLayerFromHistory(image, 'config.gz');
    if (configLayer === undefined)
        throw new InputError(`${reference}: the image has no kernel/config.gz layer, so its config cannot be compared`);
    const configGz = await fileInSmallLayer(image, configLayer, 'config.gz', CONFIG_LAYER_MAX, reference);
    const configBytes = decodeConfig(configGz, `${reference} kernel/config.gz`, 'compare-to');
    const config = parseKernelConfig(configBytes.toString('utf8'), `${reference} kernel/config.gz`, 'compare-to');
    const metadataLayer = kernelLayerFromHistory(image, 'metadata');
    const metadata = metadataLayer !== undefined && metadataLayer.size <= METADATA_LAYER_MAX
        ? (await fileInSmallLayer(image, metadataLayer, 'metadata', METADATA_LAYER_MAX, reference)).toString('utf8')
        : undefined;
    const size = (file) => kernelLayerFromHistory(image, file)?.size;
    const side = imageSide({
        ref: label,
        digest: image.digest,
        configDigest: digest_sha256Digest(configBytes),
        annotations: image.manifest.annotations ?? {},
        metadata,
        layerSizes: { 'kernel/image': size('image'), 'kernel/addons.squashfs': size('addons.squashfs') },
    });
    return { side, config };
}
/** A `.config` or `config.gz` on disk: only the config is compared. */
async function readConfigSide(file, input) {
    const { config, bytes } = await readKernelConfigWithBytes(file, input);
    return { side: configOnlySide(file, sha256Digest(bytes), config), config };
}
/**
 * One file out of a small layer (config.gz, metadata), read with the image's own layer reader (tar, gzip or zstd,
 * digest checked). The layer's size is checked first, so a mislabelled big layer is never fetched.
 */
async function fileInSmallLayer(image, layer, file, maxBytes, where) {
    const name = `kernel/${file}`;
    if (layer.size > maxBytes)
        throw new InputError(`${where}: the ${name} layer is ${layer.size} bytes, more than the ${maxBytes} read for a comparison`);
    let found;
    await readLayer(image, layer, (entry) => 
    // The one entry rule (krata's): paths as stored, so `./kernel/config.gz` is not the file.
    isRegularEntry(entry.type) && kernelFileOfEntry(entry.path) === file
        ? async (body) => void (found = await bodyToBuffer(body, maxBytes, `${where}: ${name}`))
        : undefined, where);
    if (found === undefined)
        throw new InputError(`${where}: layer ${layer.digest} holds no ${name}`);
    return found;
}

;// CONCATENATED MODULE: ./src/drift/render.ts
// The drift report for people: plain text (the CLI), an HTML section (the job summary) and one notice per changed
// requirement. Pure: data in, strings out.
// Every value here comes from an image or names one: escaped so no annotation or config value acts as HTML or markdown.


// A kernel version bump changes hundreds of options; past this the folded table points at the JSON report.
const FOLDED_ROWS = 400;
/** `6.1.191` when the side knows its version, else its ref: the "in ..." of "was =y in 6.1.191". */
function sideName(side) {
    return side.version ?? side.ref;
}
function changeMessage(change, before) {
    return `${change.option} was ${stateText(change.before)} in ${sideName(before)}, now ${stateText(change.after)}`;
}
/** One line of counts: `4 options changed (1 added, 1 removed, 2 changed): 2 requirements, 0 Xen, 2 other`. */
function countsLine(drift) {
    if (drift.sameConfig)
        return `no config change (both are ${drift.after.configDigest})`;
    if (drift.configChanged === 0)
        return 'no option changed (the configs differ only in comments or order)';
    const c = drift.counts;
    return (`${drift.configChanged} option${drift.configChanged === 1 ? '' : 's'} changed (${c.added} added, ${c.removed} removed, ${c.changed} changed): ` +
        `${c.requirement} requirement${c.requirement === 1 ? '' : 's'}, ${c.xen} Xen, ${c.other} other`);
}
function factRows(drift) {
    const { before, after } = drift;
    const text = (value) => value ?? '—';
    const same = (a, b) => (a === b ? 'same' : 'changed');
    const rows = [
        { name: 'kernel version', before: text(before.version), after: text(after.version), change: same(text(before.version), text(after.version)) },
    ];
    // Only images have a release, a flavor, tags and layers: beside a bare config these would read as "removed".
    const images = before.digest !== null && after.digest !== null;
    if (images) {
        rows.push({ name: 'uname -r', before: text(before.unameR), after: text(after.unameR), change: same(text(before.unameR), text(after.unameR)) }, { name: 'flavor', before: text(before.flavor), after: text(after.flavor), change: same(text(before.flavor), text(after.flavor)) }, {
            name: 'tags',
            before: before.tags.join(',') || '—',
            after: after.tags.join(',') || '—',
            change: same(before.tags.join(','), after.tags.join(',')),
        });
    }
    rows.push({ name: 'config', before: before.configDigest, after: after.configDigest, change: same(before.configDigest, after.configDigest) });
    if (images) {
        for (const size of drift.sizes)
            rows.push({ name: `${size.file} layer`, before: bytes(size.before), after: bytes(size.after), change: sizeDelta(size) });
    }
    return rows;
}
/** `10,485,760 B` (exact, so a reviewer sees a 2 KiB change too). */
function bytes(value) {
    return value === null ? '—' : `${value.toLocaleString('en-US')} B`;
}
/** `+114,240 B (+1.1 %)`, `0 B (0 %)`, or `—` when a side has no such layer. */
function sizeDelta(size) {
    if (size.bytes === null)
        return '—';
    const sign = size.bytes > 0 ? '+' : size.bytes < 0 ? '-' : '';
    const percent = size.percent === null ? '' : ` (${size.percent > 0 ? '+' : ''}${size.percent} %)`;
    return `${sign}${Math.abs(size.bytes).toLocaleString('en-US')} B${percent}`;
}
/** The CLI's rendering: the facts, the counts, then one line per changed option. */
function renderDriftText(drift) {
    const lines = [`Since ${drift.before.ref}${drift.before.digest ? ` (${drift.before.digest})` : ''}:`];
    for (const row of factRows(drift)) {
        if (row.before === '—' && row.after === '—')
            continue;
        lines.push(`  ${row.name}: ${row.before === row.after ? row.after : `${row.before} → ${row.after}`}${row.name.endsWith('layer') && row.change !== '—' ? `, ${row.change}` : ''}`);
    }
    lines.push(countsLine(drift));
    // A loop, not Math.max(...spread): 400,000 changes would overflow the call stack as arguments.
    const width = drift.changes.reduce((widest, c) => Math.max(widest, c.option.length), 0);
    for (const change of drift.changes) {
        lines.push(`  ${change.class.padEnd(11)} ${change.kind.padEnd(7)} ${change.option.padEnd(width)}  ${change.before} → ${change.after}`);
    }
    return `${lines.join('\n')}\n`;
}
/** The job summary's "Since <ref>" section: facts, requirement and Xen changes, then the rest folded away. */
function renderDriftSummary(drift) {
    const facts = factRows(drift).filter((row) => !(row.before === '—' && row.after === '—'));
    let html = `<h3>Since <code>${escapeSummaryText(drift.before.ref)}</code></h3>\n` +
        `<table><tr><th></th><th>Before</th><th>Now</th><th>Change</th></tr>\n` +
        facts
            .map((r) => `<tr><th>${escapeSummaryText(r.name)}</th><td><code>${escapeSummaryText(r.before)}</code></td><td><code>${escapeSummaryText(r.after)}</code></td><td>${escapeSummaryText(r.change)}</td></tr>`)
            .join('\n') +
        `\n</table>\n<p>${escapeSummaryText(countsLine(drift))}</p>\n`;
    const first = drift.changes.filter((c) => c.class !== 'other');
    const rest = drift.changes.filter((c) => c.class === 'other');
    if (first.length > 0)
        html += changeTable(first);
    if (rest.length > 0) {
        const shown = rest.slice(0, FOLDED_ROWS);
        const more = rest.length - shown.length;
        html +=
            `<details><summary>${rest.length} other option${rest.length === 1 ? '' : 's'} changed</summary>\n\n${changeTable(shown)}` +
                `${more > 0 ? `<p>${more} more are in the drift report.</p>\n` : ''}</details>\n`;
    }
    return html;
}
function changeTable(changes) {
    const rows = changes.map((c) => `<tr><td><code>${escapeSummaryText(c.option)}</code></td><td>${c.class}</td><td>${c.kind}</td>` +
        `<td>${escapeSummaryText(c.before)}</td><td>${escapeSummaryText(c.after)}</td><td>${c.line ?? ''}</td></tr>`);
    return `<table><tr><th>Option</th><th>Class</th><th>Change</th><th>Before</th><th>Now</th><th>Line</th></tr>\n${rows.join('\n')}\n</table>\n`;
}
/** The changes a notice is put on: every requirement option that changed, with its message. */
function driftNotices(drift) {
    return drift.changes
        .filter((c) => c.class === 'requirement')
        .map((c) => ({
        option: c.option,
        line: c.line,
        title: `${c.option} changed since ${sideName(drift.before)}`,
        message: changeMessage(c, drift.before),
    }));
}

;// CONCATENATED MODULE: ./src/action/drift-step.ts
// Input `compare-to`: what changed since the kernel published before. The reference is read before anything is
// pushed (its tag is usually about to be overwritten) and compared once this build is known.
















/**
 * The image `compare-to` names: `none`; a tag or digest in `repository` (or, with no repository, in the local
 * layout); a full `repo:tag`, `repo@digest` or `oci:<layout>...`. Empty means the first of `tags`, if it exists.
 */
function compareToReference(drift, check) {
    const given = drift.compareTo;
    const { repository } = drift.registry;
    const { ociLayout: layout, version: versionInput, tags, flavor } = drift.output;
    if (given === 'none')
        return undefined;
    const inTarget = (tagOrDigest) => {
        const at = tagOrDigest.startsWith('sha256:') ? '@' : ':';
        return repository ? `${repository}${at}${tagOrDigest}` : `oci:${layout}${at}${tagOrDigest}`;
    };
    if (given === '') {
        if (!repository && !external_node_fs_default().existsSync(external_node_path_default().join(layout, 'index.json')))
            return undefined;
        const version = versionInput || check.config.header?.version;
        if (!version)
            return undefined;
        let first;
        try {
            first = expandTags(tags, { version, flavor, arch: check.arch })[0];
        }
        catch {
            return undefined; // the publish step reports a bad tag, with its own message
        }
        return first === undefined ? undefined : { reference: inTarget(first), implicit: true };
    }
    if (given.startsWith('oci:') || given.includes('/')) {
        reference_parseImageReference(given); // a malformed reference is bad input, whatever the registry would say
        return { reference: given, implicit: false };
    }
    if (isValidTag(given) || isSha256Digest(given))
        return { reference: inTarget(given), implicit: false };
    throw new InputError(`compare-to: ${JSON.stringify(given)} is not a tag, a repo:tag or repo@digest, an oci:<layout> reference, or none`);
}
/** Reads the reference kernel; a missing one is a notice. An unreadable default is a warning; an explicit one fails. */
async function pullReference(drift, check, log) {
    const target = compareToReference(drift, check);
    if (target === undefined)
        return undefined;
    const { reference, implicit } = target;
    try {
        const side = await readImageSide(reference, {
            arch: check.arch,
            credentials: credentialsFor(drift, reference),
            insecureRegistry: drift.registry.insecureRegistry,
            onSecret: (value) => core/* setSecret */.Pq(value),
            log: (line) => log.info(line),
        });
        if (side === undefined) {
            log.notice(`compare-to: ${reference} does not exist yet, so there is nothing to compare with`);
            return undefined;
        }
        log.info(`compare-to: ${reference} is ${side.side.digest} (Linux ${side.side.version ?? 'version unknown'}, config ${side.side.configDigest})`);
        // An index gives the same architecture's image; a single image is whatever was pushed there.
        const theirs = detectArch(side.config);
        if (theirs !== undefined && theirs !== check.arch) {
            log.warning(`compare-to: ${reference} holds an ${theirs} kernel and this one is ${check.arch}: the drift compares across architectures`);
        }
        return side;
    }
    catch (error) {
        if (!implicit)
            throw error;
        log.warning(`compare-to: could not read ${reference} (${oneLine(error)}); no drift report`);
        return undefined;
    }
}
/** The same credentials as publishing, but only to the registry they are for; elsewhere the Docker config or none. */
function credentialsFor(drift, reference) {
    const parsed = reference_parseImageReference(reference);
    if (parsed.kind !== 'registry' || !drift.registry.repository)
        return undefined;
    return parseRepository(drift.registry.repository).registry === parsed.repository.registry ? drift.registry.credentials : undefined;
}
function publishedSide(published, check) {
    const side = imageSide({
        ref: published.imageRef,
        digest: published.digest,
        configDigest: published.configDigest,
        annotations: published.manifest.annotations ?? {},
        metadata: published.metadata,
        layerSizes: { 'kernel/image': published.layers.image?.size, 'kernel/addons.squashfs': published.layers['addons.squashfs']?.size },
    });
    return { side, config: check.config };
}
/**
 * Compares the reference with this build (the image just published, or only the config in a check-only run):
 * drift report file, `drift` in the check report, notices.
 */
async function reportDrift(settings, reference, check, published, context, log) {
    const after = published
        ? publishedSide(published, check)
        : { side: drift_configOnlySide(check.report.config, digest_sha256Digest(check.configBytes), check.config), config: check.config };
    const report = buildDrift(reference, after, requirementOptionSet(check.requirements));
    // Beside the check's report (already written, and written again here with `drift` in it).
    const driftFile = external_node_path_default().join(external_node_path_default().dirname(settings.report), 'kernel-drift.json');
    await external_node_fs_default().promises.writeFile(driftFile, `${JSON.stringify(report, null, 2)}\n`);
    await external_node_fs_default().promises.writeFile(settings.report, `${JSON.stringify({ ...JSON.parse(reportJson(check.report)), drift: report }, null, 2)}\n`);
    logDrift(report, log);
    emitNotices(driftNotices(report), check.report.config, await readFragmentLines(settings.fragment), log, context.workspace);
    return { summary: renderDriftSummary(report), configChanged: report.configChanged, reportPath: driftFile };
}
function logDrift(drift, log) {
    log.info(`since ${drift.before.ref}: ${drift.configChanged} options changed (${drift.counts.requirement} requirements, ${drift.counts.xen} Xen)`);
    for (const c of drift.changes)
        log.info(`  ${c.class} ${c.kind} ${c.option}: ${c.before} → ${c.after}`);
}

;// CONCATENATED MODULE: ./src/kconfig/expr.ts
/**
 * Kconfig expressions: parsing a token list into a tree, printing it back, and evaluating it in
 * tristate logic against the values of a `.config` (semantics of the kernel's scripts/kconfig/expr.c).
 */

const TRISTATE_LETTER = ['n', 'm', 'y'];
const CONSTANTS = new Set(['y', 'm', 'n']);
/** Parses a whole token list as one expression; throws a plain Error with a short reason on junk. */
function parseExpr(tokens) {
    let pos = 0;
    const peekOp = () => {
        const t = tokens[pos];
        return t?.kind === 'op' ? t.text : undefined;
    };
    const parseOr = () => {
        let left = parseAnd();
        while (peekOp() === '||') {
            pos++;
            left = { kind: 'or', left, right: parseAnd() };
        }
        return left;
    };
    const parseAnd = () => {
        let left = parseUnary();
        while (peekOp() === '&&') {
            pos++;
            left = { kind: 'and', left, right: parseUnary() };
        }
        return left;
    };
    // As in the kernel's grammar, `!A = B` is `!(A = B)`: comparisons bind tighter than `!`.
    const parseUnary = () => {
        const op = peekOp();
        if (op === '!') {
            pos++;
            return { kind: 'not', operand: parseUnary() };
        }
        if (op === '(') {
            pos++;
            const inner = parseOr();
            if (peekOp() !== ')')
                throw new KconfigSyntaxError('missing )');
            pos++;
            return inner;
        }
        const left = parseOperand();
        const cmp = peekOp();
        if (cmp === '=' || cmp === '!=' || cmp === '<' || cmp === '>' || cmp === '<=' || cmp === '>=') {
            pos++;
            return { kind: 'compare', op: cmp, left, right: parseOperand() };
        }
        return left;
    };
    const parseOperand = () => {
        const t = tokens[pos];
        if (t === undefined)
            throw new KconfigSyntaxError('expression ends early');
        pos++;
        if (t.kind === 'word')
            return { kind: 'symbol', name: t.text };
        if (t.kind === 'macro')
            return { kind: 'macro', text: t.text };
        // The kernel looks quoted "y"/"m"/"n" up as the constants themselves.
        if (t.kind === 'string')
            return CONSTANTS.has(t.text) ? { kind: 'symbol', name: t.text } : { kind: 'string', value: t.text };
        throw new KconfigSyntaxError(`unexpected "${t.text}"`);
    };
    const expr = parseOr();
    if (pos !== tokens.length)
        throw new KconfigSyntaxError(`unexpected "${tokens[pos].text}"`);
    return expr;
}
/** The conjuncts of a top-level `&&` chain, left to right. */
function conjuncts(expr) {
    return expr.kind === 'and' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}
/** `a && b && ...`, or undefined for an empty list (no condition). */
function andAll(exprs) {
    return balanced('and', exprs);
}
/** `a || b || ...`, or undefined for an empty list. */
function orAll(exprs) {
    return balanced('or', exprs);
}
/**
 * A balanced tree of one associative operator: it prints and evaluates as the chain `a && b && c` does, but is only
 * log2(n) deep, so the recursive walks over expressions stay shallow for a symbol with thousands of conditions.
 */
function balanced(kind, exprs) {
    if (exprs.length === 0)
        return undefined;
    let level = [...exprs];
    while (level.length > 1) {
        const next = [];
        for (let i = 0; i < level.length; i += 2)
            next.push(i + 1 < level.length ? { kind, left: level[i], right: level[i + 1] } : level[i]);
        level = next;
    }
    return level[0];
}
const PRECEDENCE = { or: 1, and: 2, not: 3, compare: 4, symbol: 5, string: 5, macro: 5 };
/** Prints an expression the way Kconfig files write it, with only the parentheses it needs. */
function formatExpr(expr) {
    const wrap = (inner, min) => {
        const text = formatExpr(inner);
        return PRECEDENCE[inner.kind] < min ? `(${text})` : text;
    };
    switch (expr.kind) {
        case 'symbol':
            return expr.name;
        case 'string':
            return `"${expr.value}"`;
        case 'macro':
            return expr.text;
        case 'not':
            // `!A = B` means `!(A = B)`: print the parentheses so nobody reads it the other way.
            return `!${wrap(expr.operand, PRECEDENCE.symbol)}`;
        case 'and':
            return `${wrap(expr.left, PRECEDENCE.and)} && ${wrap(expr.right, PRECEDENCE.and)}`;
        case 'or':
            return `${wrap(expr.left, PRECEDENCE.or)} || ${wrap(expr.right, PRECEDENCE.or)}`;
        case 'compare':
            return `${formatExpr(expr.left)} ${expr.op} ${formatExpr(expr.right)}`;
    }
}
/** The symbol names an expression reads (not the constants y/m/n). */
function symbolsOf(expr, into = new Set()) {
    switch (expr.kind) {
        case 'symbol':
            if (!CONSTANTS.has(expr.name))
                into.add(expr.name);
            break;
        case 'not':
            symbolsOf(expr.operand, into);
            break;
        case 'and':
        case 'or':
        case 'compare':
            symbolsOf(expr.left, into);
            symbolsOf(expr.right, into);
            break;
        default:
            break;
    }
    return into;
}
/** Whether the expression contains a toolchain-dependent macro. */
function hasMacro(expr) {
    switch (expr.kind) {
        case 'macro':
            return true;
        case 'not':
            return hasMacro(expr.operand);
        case 'and':
        case 'or':
        case 'compare':
            return hasMacro(expr.left) || hasMacro(expr.right);
        default:
            return false;
    }
}
/** A symbol's tristate value: absent is n; with modules off, `m` counts as `y` (sym_calc_value does so). */
function symbolTristate(name, ctx) {
    if (name === 'y')
        return 2;
    if (name === 'n')
        return 0;
    // The constant m means `m && MODULES` in a dependency (menu_check_dep).
    if (name === 'm')
        return ctx.modules ? 1 : 0;
    const type = ctx.typeOf(name);
    if (type !== undefined && type !== 'bool' && type !== 'tristate')
        return 0;
    const value = ctx.value(name);
    if (value === 'y')
        return 2;
    if (value === 'm')
        return ctx.modules ? 1 : 2;
    return 0;
}
/**
 * Evaluates in tristate logic. Macros cannot be evaluated without the user's toolchain: they count
 * as met (y), and callers that explain a failure point them out separately.
 */
function evalExpr(expr, ctx) {
    switch (expr.kind) {
        case 'symbol':
            return symbolTristate(expr.name, ctx);
        case 'string':
            return CONSTANTS.has(expr.value) ? symbolTristate(expr.value, ctx) : 0;
        case 'macro':
            return 2;
        case 'not':
            return (2 - evalExpr(expr.operand, ctx));
        case 'and':
            return Math.min(evalExpr(expr.left, ctx), evalExpr(expr.right, ctx));
        case 'or':
            return Math.max(evalExpr(expr.left, ctx), evalExpr(expr.right, ctx));
        case 'compare':
            return evalCompare(expr.op, expr.left, expr.right, ctx);
    }
}
/** The string value and type of a comparison operand; undefined for a macro (unknown). */
function operandOf(expr, ctx) {
    if (expr.kind === 'string')
        return { text: expr.value, type: undefined };
    if (expr.kind !== 'symbol')
        return undefined;
    const name = expr.name;
    if (CONSTANTS.has(name))
        return { text: TRISTATE_LETTER[symbolTristate(name, ctx)], type: 'tristate' };
    const type = ctx.typeOf(name);
    const value = ctx.value(name);
    // An undefined symbol is a constant whose value is its own name (the kernel's S_UNKNOWN symbols).
    if (type === undefined)
        return { text: value ?? name, type: undefined };
    if (type === 'bool' || type === 'tristate')
        return { text: TRISTATE_LETTER[symbolTristate(name, ctx)], type };
    return { text: value ?? '', type };
}
function parseNumber(text, type) {
    if (type === 'bool' || type === 'tristate') {
        const index = TRISTATE_LETTER.indexOf(text);
        return { kind: 'number', value: BigInt(index) };
    }
    const pattern = type === 'int' ? /^[-+]?\d+$/ : type === 'hex' ? /^(0[xX])?[0-9a-fA-F]+$/ : /^([-+]?\d+|[-+]?0[xX][0-9a-fA-F]+)$/;
    if (!pattern.test(text))
        return { kind: 'string' };
    if (type === 'hex' && !/^0[xX]/.test(text))
        return { kind: 'number', value: BigInt(`0x${text}`) };
    const negative = text.startsWith('-');
    const digits = text.replace(/^[-+]/, '');
    // strtoll with base 0 reads a leading 0 as octal.
    const value = /^0\d/.test(digits) && type !== 'int' ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
    return { kind: 'number', value: negative ? -value : value };
}
function evalCompare(op, leftExpr, rightExpr, ctx) {
    const left = operandOf(leftExpr, ctx);
    const right = operandOf(rightExpr, ctx);
    if (left === undefined || right === undefined)
        return 2;
    let order;
    const bothStrings = left.type === 'string' && right.type === 'string';
    const l = bothStrings ? { kind: 'string' } : parseNumber(left.text, left.type);
    const r = bothStrings ? { kind: 'string' } : parseNumber(right.text, right.type);
    if (l.kind === 'number' && r.kind === 'number')
        order = l.value < r.value ? -1 : l.value > r.value ? 1 : 0;
    else
        order = left.text < right.text ? -1 : left.text > right.text ? 1 : 0;
    const holds = op === '=' ? order === 0 : op === '!=' ? order !== 0 : op === '<' ? order < 0 : op === '>' ? order > 0 : op === '<=' ? order <= 0 : order >= 0;
    return holds ? 2 : 0;
}

;// CONCATENATED MODULE: ./src/kconfig/symbol-facts.ts
/**
 * Facts about a symbol that follow from the Kconfig tree alone (its type, direct dependency, prompts)
 * or from the tree plus a `.config` (an evaluation context), shared by the explainer and the fixer.
 */

const TRUE = { kind: 'symbol', name: 'y' };
const typeCache = new WeakMap();
/** The declared type of each symbol (the first definition that gives one). */
function symbolTypes(tree) {
    let types = typeCache.get(tree);
    if (types === undefined) {
        types = new Map();
        for (const [name, defs] of tree.symbols) {
            const type = defs.find((d) => d.type !== undefined)?.type;
            if (type !== undefined)
                types.set(name, type);
        }
        typeCache.set(tree, types);
    }
    return types;
}
/** How expressions are evaluated against `values` in this tree. */
function evalContext(tree, values) {
    const types = symbolTypes(tree);
    return {
        value: (name) => values.get(name),
        typeOf: (name) => types.get(name),
        // Read on each use: the fixer's planned values switch modules on as it goes.
        get modules() {
            return values.get(tree.modulesSymbol) === 'y';
        },
    };
}
/** One definition's dependency: its `depends on` and those of its enclosing menus, ifs and choices. */
function definitionDependency(def) {
    return andAll([...def.inherited, ...def.dependsOn]) ?? TRUE;
}
/** When the definition's prompt is shown, beyond its dependency: the prompt's `if` and menus' `visible if`. */
function promptCondition(def) {
    return andAll([...(def.prompt?.condition ? [def.prompt.condition] : []), ...def.visibleIf]) ?? TRUE;
}
/** The symbol's direct dependency: the `||` of its definitions' dependencies, as the kernel builds it. */
function directDependency(defs) {
    if (defs.length === 1)
        return definitionDependency(defs[0]);
    const distinct = new Map();
    for (const def of defs) {
        const dep = definitionDependency(def);
        if (dep === TRUE)
            return TRUE;
        distinct.set(formatExpr(dep), dep);
    }
    return orAll([...distinct.values()]) ?? TRUE;
}
function levelRule(tree, name, defs) {
    const type = symbolTypes(tree).get(name);
    const links = (list) => (list ?? []).map((l) => ({ symbol: l.symbol, condition: l.condition ?? TRUE }));
    const rule = {
        boolean: type === 'bool' || type === 'tristate',
        defs: defs.map((def) => ({
            dep: definitionDependency(def),
            prompt: def.prompt ? promptCondition(def) : undefined,
            defaults: def.defaults.map((d) => ({ value: d.value, condition: d.condition ?? TRUE })),
        })),
        directDep: directDependency(defs),
        selectedBy: links(tree.selectedBy.get(name)),
        impliedBy: links(tree.impliedBy.get(name)),
        reads: [],
    };
    const read = new Set();
    for (const def of rule.defs) {
        symbolsOf(def.dep, read);
        if (def.prompt)
            symbolsOf(def.prompt, read);
        for (const d of def.defaults)
            symbolsOf(d.condition, symbolsOf(d.value, read));
    }
    for (const link of rule.selectedBy)
        symbolsOf(link.condition, read.add(link.symbol));
    for (const link of rule.impliedBy)
        symbolsOf(link.condition, read.add(link.symbol));
    rule.reads = [...read].filter((s) => tree.symbols.has(s));
    return rule;
}
/** Settled levels per tree; a symbol is settled together with everything it reads, transitively. */
const levelCache = new WeakMap();
/**
 * The highest value a symbol can reach on this arch by setting other options, whatever the `.config`
 * says: a least fixed point, so symbols that only depend on, or are only selected by, symbols this
 * arch lacks stay at n. Toolchain macros and comparisons count as possibly true. Computed on demand
 * for the symbols asked about and what they read, not for the whole tree.
 */
function attainableLevel(tree, symbol) {
    return settle(tree, [symbol]).get(symbol) ?? 0;
}
function settle(tree, roots) {
    let levels = levelCache.get(tree);
    if (levels === undefined)
        levelCache.set(tree, (levels = new Map()));
    const settled = levels;
    const fresh = [...roots].filter((r) => tree.symbols.has(r) && !settled.has(r));
    if (fresh.length === 0)
        return settled;
    // The unsettled part of the roots' cone, in post-order: each symbol after what it reads.
    const rules = new Map();
    const ruleOf = (name) => {
        let rule = rules.get(name);
        if (rule === undefined)
            rules.set(name, (rule = levelRule(tree, name, tree.symbols.get(name))));
        return rule;
    };
    const order = dependencyOrder(fresh, (name) => (settled.has(name) ? [] : ruleOf(name).reads), (name) => !settled.has(name));
    const working = new Map(order.map((name) => [name, 0]));
    const lookup = { get: (name) => working.get(name) ?? settled.get(name) };
    const max = (e) => possibleLevel(tree, lookup, e);
    const level = (name) => lookup.get(name) ?? 0;
    const levelOf = (rule) => {
        let best = 0;
        for (const def of rule.defs) {
            const dep = max(def.dep);
            if (dep === 0)
                continue;
            if (def.prompt)
                best = Math.max(best, Math.min(dep, max(def.prompt)));
            for (const d of def.defaults)
                best = Math.max(best, Math.min(dep, max(d.condition), rule.boolean ? max(d.value) : 2));
        }
        // select forces a value whatever the dependencies; imply only within them.
        for (const link of rule.selectedBy)
            best = Math.max(best, Math.min(level(link.symbol), max(link.condition)));
        if (rule.impliedBy.length > 0) {
            const dep = max(rule.directDep);
            for (const link of rule.impliedBy)
                best = Math.max(best, Math.min(dep, level(link.symbol), max(link.condition)));
        }
        return best;
    };
    // Sweep in dependency order until nothing rises: acyclic parts settle in one sweep, cycles in a few more.
    for (let changed = true; changed;) {
        changed = false;
        for (const name of order) {
            const next = levelOf(ruleOf(name));
            if (next > working.get(name)) {
                working.set(name, next);
                changed = true;
            }
        }
    }
    for (const [name, value] of working)
        settled.set(name, value);
    return settled;
}
/**
 * The highest value `e` can take given the symbols' attainable `levels` (an over-approximation:
 * toolchain macros and comparisons of symbols count as possibly true).
 */
function possibleLevel(tree, levels, e) {
    const modulesLevel = () => ((levels.get(tree.modulesSymbol) ?? 0) > 0 ? 1 : 0);
    const constant = (x) => x.kind === 'string' || (x.kind === 'symbol' && !tree.symbols.has(x.name));
    const constantCompare = (x) => constant(x.left) && constant(x.right) ? evalExpr(x, { value: () => undefined, typeOf: () => undefined, modules: true }) : undefined;
    const max = (x) => {
        switch (x.kind) {
            case 'symbol':
                if (x.name === 'y')
                    return 2;
                if (x.name === 'm')
                    return modulesLevel();
                return levels.get(x.name) ?? 0;
            case 'string':
                return x.value === 'y' ? 2 : x.value === 'm' ? modulesLevel() : 0;
            case 'macro':
                return 2;
            case 'not':
                return (2 - min(x.operand));
            case 'and':
                return Math.min(max(x.left), max(x.right));
            case 'or':
                return Math.max(max(x.left), max(x.right));
            case 'compare':
                return constantCompare(x) ?? 2;
        }
    };
    // A lower bound: any defined symbol may be off.
    const min = (x) => {
        switch (x.kind) {
            case 'symbol':
            case 'string':
                return (x.kind === 'symbol' ? x.name : x.value) === 'y' ? 2 : 0;
            case 'macro':
                return 0;
            case 'not':
                return (2 - max(x.operand));
            case 'and':
                return Math.min(min(x.left), min(x.right));
            case 'or':
                return Math.max(min(x.left), min(x.right));
            case 'compare':
                return constantCompare(x) ?? 0;
        }
    };
    return max(e);
}
/** The highest value `e` can take on this arch, whatever the `.config` says. */
function possibleValue(tree, e) {
    return possibleLevel(tree, settle(tree, symbolsOf(e)), e);
}
/** The symbols reachable from `roots` through `reads`, in post-order (cycles broken anywhere). */
function dependencyOrder(roots, reads, include) {
    const order = [];
    const seen = new Set();
    for (const root of roots) {
        if (seen.has(root))
            continue;
        seen.add(root);
        // An explicit stack: dependency chains can be deeper than the call stack likes.
        const names = [root];
        const positions = [0];
        while (names.length > 0) {
            const top = names.length - 1;
            const children = reads(names[top]);
            const position = positions[top];
            if (position === children.length) {
                order.push(names.pop());
                positions.pop();
                continue;
            }
            positions[top] = position + 1;
            const child = children[position];
            if (seen.has(child) || !include(child))
                continue;
            seen.add(child);
            names.push(child);
            positions.push(0);
        }
    }
    return order;
}

;// CONCATENATED MODULE: ./src/kconfig/explain.ts
/**
 * Why a required option does not have the wanted value: its unmet dependencies (recursively, to the
 * first option a user can set), whether it has a prompt, and who selects or implies it. Data first
 * (like Kconfiglib's missing_deps), rendered to one line at the edge.
 */


/** The tristate a wanted value needs: y for y, m for m, and "visible" (m) for an int, hex or string value. */
function wantedLevel(wanted) {
    if (wanted === 'y')
        return 2;
    if (wanted === 'n')
        return 0;
    return 1;
}
const MAX_DEPTH = 8;
class Explainer {
    tree;
    values;
    ctx;
    /** Symbols already explained once in this explanation: a second mention carries no cause. */
    explained = new Set();
    constructor(tree, values) {
        this.tree = tree;
        this.values = values;
        this.ctx = evalContext(tree, values);
    }
    explain(symbol, wanted, depth) {
        this.explained.add(symbol);
        const defs = this.tree.symbols.get(symbol) ?? [];
        const level = wantedLevel(wanted);
        const explanation = {
            symbol,
            wanted,
            found: this.values.get(symbol),
            arch: this.tree.arch,
            definedAt: defs.map((d) => d.location),
            exists: defs.length > 0,
            attainable: defs.length > 0 && attainableLevel(this.tree, symbol) >= level,
            hasPrompt: defs.some((d) => d.prompt !== undefined && possibleValue(this.tree, andAll([definitionDependency(d), promptCondition(d)])) > 0),
            defaultsTo: TRISTATE_LETTER[defaultLevel(this.tree, defs)],
            unmetDependencies: [],
            selectedBy: this.linkStates(this.tree.selectedBy.get(symbol)),
            impliedBy: this.linkStates(this.tree.impliedBy.get(symbol)),
            toolchainDependent: [],
        };
        if (defs.length === 0 || level === 0)
            return explanation;
        if (wanted === 'm' && this.values.get(this.tree.modulesSymbol) !== 'y')
            explanation.modulesOff = this.tree.modulesSymbol;
        // `if XEN` around a `depends on XEN` gives the same term twice: name it once.
        const seen = new Set();
        for (const term of conjuncts(directDependency(defs))) {
            const text = formatExpr(term);
            if (seen.has(text))
                continue;
            seen.add(text);
            if (hasMacro(term))
                explanation.toolchainDependent.push(text);
            const value = evalExpr(term, this.ctx);
            if (value >= level)
                continue;
            const unmet = { expr: text, value: TRISTATE_LETTER[value] };
            const cause = this.causeOf(term, depth);
            if (cause !== undefined)
                unmet.cause = cause;
            explanation.unmetDependencies.push(unmet);
        }
        if (explanation.hasPrompt && explanation.unmetDependencies.length === 0) {
            const shown = defs.filter((d) => d.prompt !== undefined);
            const hidden = shown.every((d) => evalExpr(promptCondition(d), this.ctx) === 0);
            if (hidden) {
                explanation.hiddenPrompt = conjuncts(promptCondition(shown[0]))
                    .map((term) => ({ term, value: evalExpr(term, this.ctx) }))
                    .filter(({ value }) => value === 0)
                    .map(({ term, value }) => ({ expr: formatExpr(term), value: TRISTATE_LETTER[value] }));
            }
        }
        return explanation;
    }
    causeOf(term, depth) {
        const name = term.kind === 'symbol' ? term.name : undefined;
        if (name === undefined || name === 'y' || name === 'm' || name === 'n')
            return undefined;
        if (this.explained.has(name) || depth >= MAX_DEPTH)
            return undefined;
        const cause = this.explain(name, 'y', depth + 1);
        // A symbol that has a prompt and whose dependencies hold is the settable cause itself: nothing more to say.
        const settable = cause.exists && cause.attainable && cause.hasPrompt && cause.unmetDependencies.length === 0 && cause.hiddenPrompt === undefined;
        return settable ? undefined : cause;
    }
    linkStates(links) {
        return (links ?? []).map((link) => {
            const state = { symbol: link.symbol, state: TRISTATE_LETTER[evalExpr({ kind: 'symbol', name: link.symbol }, this.ctx)] };
            if (link.condition)
                state.condition = formatExpr(link.condition);
            return state;
        });
    }
}
/** The most a symbol's own defaults can give on this arch once its dependencies hold (select and imply aside). */
function defaultLevel(tree, defs) {
    let best = 0;
    for (const def of defs) {
        for (const d of def.defaults) {
            const value = Math.min(possibleValue(tree, d.value), d.condition === undefined ? 2 : possibleValue(tree, d.condition));
            if (value > best)
                best = value;
        }
    }
    return best;
}
/** Explains why `symbol` is not `wanted` in `values`; `values` holds `.config` values without `CONFIG_`. */
function explainOption(tree, values, symbol, wanted) {
    return new Explainer(tree, values).explain(symbol, wanted, 0);
}
/** At most this many selectors are named; the rest are counted. */
const MAX_NAMED_LINKS = 6;
const states = (links) => {
    const named = links.slice(0, MAX_NAMED_LINKS).map((l) => `${l.symbol} (=${l.state})`);
    const more = links.length - named.length;
    return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
};
/** The reason itself, without the causes of its dependencies. */
function renderReason(e) {
    if (!e.exists)
        return `not defined for ${e.arch} in this tree`;
    const parts = [];
    if (e.modulesOff !== undefined)
        parts.push(`modules are off: CONFIG_${e.modulesOff} is not set`);
    if (e.unmetDependencies.length > 0)
        parts.push(`depends on ${e.unmetDependencies.map((u) => `${u.expr} (=${u.value})`).join(', ')}`);
    const defaulted = !e.hasPrompt && e.defaultsTo !== 'n' && wantedLevel(e.defaultsTo) >= wantedLevel(e.wanted);
    if (!e.hasPrompt && (defaulted || e.unmetDependencies.length === 0 || e.selectedBy.length > 0 || e.impliedBy.length > 0)) {
        const by = [
            ...(e.selectedBy.length > 0 ? [`${states(e.selectedBy)} via select`] : []),
            ...(e.impliedBy.length > 0 ? [`${states(e.impliedBy)} via imply`] : []),
        ];
        const orBy = by.length > 0 ? `, or set by ${by.join(', or ')}` : '';
        // Dependencies met and a default that gives it: only what cannot be evaluated here (the toolchain) keeps it off.
        if (defaulted && e.unmetDependencies.length > 0)
            parts.push(`no prompt: defaults to ${e.defaultsTo} once its dependencies hold${orBy}`);
        else if (defaulted && e.toolchainDependent.length === 0)
            parts.push(`no prompt: defaults to ${e.defaultsTo}, so make olddefconfig sets it${orBy}`);
        else if (defaulted) {
            // the toolchain-dependent part below says why
        }
        else if (by.length > 0)
            parts.push(`no prompt: only set by ${by.join(', or ')}`);
        else if (e.toolchainDependent.length === 0)
            parts.push('no prompt, and nothing selects it');
    }
    if (e.hiddenPrompt !== undefined) {
        parts.push(`prompt hidden: needs ${e.hiddenPrompt.map((u) => `${u.expr} (=${u.value})`).join(', ')}`);
    }
    if (parts.length === 0 && e.toolchainDependent.length > 0)
        parts.push(`toolchain-dependent: ${e.toolchainDependent.join(', ')}`);
    if (parts.length === 0)
        parts.push(`dependencies met; set CONFIG_${e.symbol}=${e.wanted}`);
    const reason = parts.join('; ');
    return e.attainable ? reason : `cannot be ${e.wanted === 'y' || e.wanted === 'm' ? `${e.wanted}` : `set to ${e.wanted}`} on ${e.arch}: ${reason}`;
}
function renderCauses(e, out) {
    for (const unmet of e.unmetDependencies) {
        const cause = unmet.cause;
        if (cause === undefined)
            continue;
        const where = cause.definedAt[0] ? ` [${cause.definedAt[0].file}:${cause.definedAt[0].line}]` : '';
        out.push(`${cause.symbol}: ${renderReason(cause)}${where}`);
        renderCauses(cause, out);
    }
}
/**
 * One line, e.g. `depends on XEN (=n); XEN: depends on PARAVIRT (=n) [arch/x86/xen/Kconfig:6]`,
 * `no prompt: only set by XEN_VIRTIO (=n) via select`, or `not defined for aarch64 in this tree`.
 */
function renderExplanation(e) {
    const out = [renderReason(e)];
    renderCauses(e, out);
    return out.join('; ');
}

;// CONCATENATED MODULE: ./src/kconfig/fix-fragment.ts
/**
 * A config fragment that, merged into the `.config` and followed by the kernel's own
 * `make olddefconfig`, makes the requirements hold: it switches on the dependencies a required option
 * is missing (dependencies first), and for options without a prompt a symbol that selects them.
 */




const fix_fragment_MAX_DEPTH = 12;
/** Alternatives tried for one `||` or one list of selectors, to bound the search. */
const MAX_ALTERNATIVES = 8;
const LETTER = ['n', 'm', 'y'];
class FixPlanner {
    tree;
    values;
    /** Values the `.config` will have after the fix, as far as the plan decides them. */
    expected = new Map();
    assignments = [];
    ctx;
    constructor(tree, values) {
        this.tree = tree;
        this.values = values;
        const planned = { get: (name) => this.expected.get(name) ?? values.get(name) };
        this.ctx = evalContext(tree, planned);
    }
    /** Plans one requirement; false when no way was found. */
    require(symbol, wanted) {
        if (this.exactly(symbol, wanted))
            return true;
        const start = this.snapshot();
        if (this.need(symbol, wanted, undefined, 0, new Set(), true))
            return true;
        this.restore(start);
        return false;
    }
    value(symbol) {
        return this.expected.get(symbol) ?? this.values.get(symbol);
    }
    exactly(symbol, wanted) {
        if (wanted === 'y' || wanted === 'm' || wanted === 'n')
            return LETTER[evalExpr({ kind: 'symbol', name: symbol }, this.ctx)] === wanted;
        return this.value(symbol) === wanted;
    }
    reaches(symbol, wanted) {
        if (wanted === 'y' || wanted === 'm')
            return evalExpr({ kind: 'symbol', name: symbol }, this.ctx) >= wantedLevel(wanted);
        return this.exactly(symbol, wanted);
    }
    /**
     * Makes `symbol` reach `wanted` (exactly, for a requirement; at least, for a dependency).
     * `why` says who needs it, for the comment above its line.
     */
    need(symbol, wanted, why, depth, stack, exact) {
        if (exact ? this.exactly(symbol, wanted) : this.reaches(symbol, wanted))
            return true;
        const defs = this.tree.symbols.get(symbol);
        const level = wantedLevel(wanted);
        if (defs === undefined || attainableLevel(this.tree, symbol) < level)
            return false;
        if (depth > fix_fragment_MAX_DEPTH || stack.has(symbol))
            return false;
        const inner = new Set(stack).add(symbol);
        if (wanted === 'n')
            return this.switchOff(symbol, why, depth, inner);
        // With modules off, olddefconfig turns an m into y: an =m needs the modules symbol on first.
        const modules = this.tree.modulesSymbol;
        if (wanted === 'm' && this.value(modules) !== 'y' && !this.need(modules, 'y', `${symbol}=m needs loadable modules`, depth + 1, inner, false)) {
            return false;
        }
        const dependency = directDependency(defs);
        if (!this.satisfy(dependency, level, `${symbol} depends on`, depth, inner))
            return false;
        const prompted = defs.find((d) => d.prompt !== undefined && possibleValue(this.tree, promptCondition(d)) > 0);
        if (prompted !== undefined && this.satisfy(promptCondition(prompted), 2, `shows the prompt of ${symbol}:`, depth, inner)) {
            this.assign(symbol, wanted, why);
            return true;
        }
        // No prompt: the value comes from a default, or from a symbol that selects or implies it.
        if (this.reaches(symbol, wanted) || this.defaultReaches(defs, level)) {
            this.expected.set(symbol, wanted);
            return true;
        }
        const links = [
            ...(this.tree.selectedBy.get(symbol) ?? []).map((l) => ({ ...l, verb: 'selects' })),
            ...(this.tree.impliedBy.get(symbol) ?? []).map((l) => ({ ...l, verb: 'implies' })),
        ];
        const chosen = this.cheapest(links.map((link) => () => this.need(link.symbol, 'y', `${link.symbol} ${link.verb} ${symbol}, which has no prompt`, depth + 1, inner, false) &&
            (link.condition === undefined || this.satisfy(link.condition, 2, `${link.symbol} ${link.verb} ${symbol} if`, depth, inner))));
        if (!chosen)
            return false;
        this.expected.set(symbol, wanted);
        return true;
    }
    /** Whether the first default whose condition holds gives at least `level` now. */
    defaultReaches(defs, level) {
        for (const def of defs) {
            for (const d of def.defaults) {
                const condition = d.condition === undefined ? 2 : evalExpr(d.condition, this.ctx);
                if (condition === 0)
                    continue;
                return Math.min(condition, evalExpr(d.value, this.ctx)) >= level;
            }
        }
        return false;
    }
    switchOff(symbol, why, depth, stack) {
        const defs = this.tree.symbols.get(symbol) ?? [];
        // kconfig ignores `# CONFIG_X is not set` for a choice member: the way off is to choose another member.
        const members = defs.find((d) => d.choiceMembers !== undefined)?.choiceMembers;
        if (members !== undefined) {
            const others = members.filter((m) => m !== symbol);
            const reason = why ?? `${symbol} is one of a choice`;
            return this.cheapest(others.map((other) => () => this.need(other, 'y', `${reason}: choose ${other} instead`, depth + 1, stack, true)));
        }
        const selectedNow = (this.tree.selectedBy.get(symbol) ?? []).some((l) => evalExpr(l.condition ? { kind: 'and', left: { kind: 'symbol', name: l.symbol }, right: l.condition } : { kind: 'symbol', name: l.symbol }, this.ctx) > 0);
        if (selectedNow || !defs.some((d) => d.prompt !== undefined))
            return false;
        this.assign(symbol, 'n', why);
        return true;
    }
    /** Makes an expression reach `level`; `why` prefixes the comment of what it switches on. */
    satisfy(expr, level, why, depth, stack) {
        if (evalExpr(expr, this.ctx) >= level)
            return true;
        switch (expr.kind) {
            case 'symbol': {
                const reason = `${why} ${expr.name}`;
                if (this.tree.symbols.get(expr.name) === undefined)
                    return false;
                if (this.need(expr.name, 'y', reason, depth + 1, stack, false))
                    return true;
                return level === 1 && this.need(expr.name, 'm', reason, depth + 1, stack, false);
            }
            case 'and':
                return this.satisfy(expr.left, level, why, depth, stack) && this.satisfy(expr.right, level, why, depth, stack);
            case 'or':
                return this.cheapest(alternatives(expr).map((e) => () => this.satisfy(e, level, why, depth, stack)));
            case 'not':
                return expr.operand.kind === 'symbol' && this.need(expr.operand.name, 'n', `${why} !${expr.operand.name}`, depth + 1, stack, false);
            case 'compare': {
                const { left, right, op } = expr;
                if (left.kind !== 'symbol' || right.kind !== 'symbol')
                    return false;
                const on = (op === '=' && (right.name === 'y' || right.name === 'm')) || (op === '!=' && right.name === 'n');
                const off = (op === '=' && right.name === 'n') || (op === '!=' && right.name === 'y');
                if (on)
                    return this.need(left.name, right.name === 'm' ? 'm' : 'y', `${why} ${formatExpr(expr)}`, depth + 1, stack, false);
                if (off)
                    return this.need(left.name, 'n', `${why} ${formatExpr(expr)}`, depth + 1, stack, false);
                return false;
            }
            default:
                return false;
        }
    }
    /** Tries each alternative on a copy of the plan and keeps the one that adds the fewest lines. */
    cheapest(attempts) {
        const start = this.snapshot();
        let best;
        attempts.slice(0, MAX_ALTERNATIVES).forEach((attempt, index) => {
            if (attempt()) {
                const cost = this.assignments.length - start.assignments;
                if (best === undefined || cost < best.cost)
                    best = { index, cost };
            }
            this.restore(start);
        });
        if (best === undefined)
            return false;
        return attempts[best.index]();
    }
    assign(symbol, value, why) {
        this.expected.set(symbol, value);
        const existing = this.assignments.find((a) => a.symbol === symbol);
        if (existing !== undefined) {
            existing.value = value;
            return;
        }
        this.assignments.push(why === undefined ? { symbol, value } : { symbol, value, why });
    }
    snapshot() {
        return { expected: new Map(this.expected), assignments: this.assignments.length };
    }
    restore(s) {
        this.expected = new Map(s.expected);
        this.assignments.length = s.assignments;
    }
}
/** The disjuncts of a top-level `||` chain. */
function alternatives(expr) {
    return expr.kind === 'or' ? [...alternatives(expr.left), ...alternatives(expr.right)] : [expr];
}
/** A `.config` line, quoting strings as confdata.c writes them. */
function configLine(symbol, value, type) {
    if (value === 'n')
        return `# CONFIG_${symbol} is not set`;
    if (type === 'string')
        return `CONFIG_${symbol}="${value.replace(/[\\"]/g, '\\$&')}"`;
    return `CONFIG_${symbol}=${value}`;
}
/**
 * The fragment text: assignments in dependency order, each added dependency with a `# why` line;
 * requirements that cannot hold on this arch, or for which no way was found, as comments at the end.
 */
function fixFragment(tree, values, requirements) {
    const planner = new FixPlanner(tree, values);
    const notes = [];
    for (const requirement of requirements) {
        const symbol = symbolOf(requirement.option);
        const wanted = kconfigValue(requirement.wanted);
        if (planner.require(symbol, wanted))
            continue;
        const explanation = explainOption(tree, values, symbol, wanted);
        const line = configLine(symbol, wanted, symbolTypes(tree).get(symbol));
        const reason = !explanation.exists || !explanation.attainable ? renderExplanation(explanation) : `no way found: ${renderExplanation(explanation)}`;
        notes.push(`# ${line.replace(/^# /, '')}: ${reason}`);
    }
    const types = symbolTypes(tree);
    const lines = [`# Fix fragment for ${tree.arch}: append to .config, then run make olddefconfig`];
    for (const a of planner.assignments) {
        if (a.why !== undefined)
            lines.push(`# ${a.why}`);
        lines.push(configLine(a.symbol, a.value, types.get(a.symbol)));
    }
    return [...lines, ...notes].join('\n') + '\n';
}

;// CONCATENATED MODULE: ./src/kconfig/tokenize.ts
/** Index just past the `)` matching the `$(` at `start`, or -1. Quotes do not nest, as in preprocess.c. */
function macroEnd(text, start) {
    let depth = 0;
    for (let i = start + 1; i < text.length; i++) {
        if (text[i] === '(')
            depth++;
        else if (text[i] === ')' && --depth === 0)
            return i + 1;
    }
    return -1;
}
function hasTopLevelComma(inner) {
    let depth = 0;
    for (const c of inner) {
        if (c === '(')
            depth++;
        else if (c === ')')
            depth--;
        else if (c === ',' && depth === 0)
            return true;
    }
    return false;
}
/**
 * Expands `$(name)` references whose value is known. Function calls (`$(f,args)`), environment
 * variables we do not have (`$(CC)`) and variables built from them are left as written.
 */
function expandMacros(text, scope, depth = 0) {
    if (!text.includes('$(') || depth > 20)
        return text;
    let out = '';
    let i = 0;
    while (i < text.length) {
        const start = text.indexOf('$(', i);
        if (start < 0) {
            out += text.slice(i);
            break;
        }
        out += text.slice(i, start);
        const end = macroEnd(text, start);
        if (end < 0) {
            out += text.slice(start);
            break;
        }
        const inner = text.slice(start + 2, end - 1);
        out += hasTopLevelComma(inner) ? text.slice(start, end) : expandVariable(inner, text.slice(start, end), scope, depth);
        i = end;
    }
    return out;
}
function expandVariable(inner, original, scope, depth) {
    const name = expandMacros(inner, scope, depth + 1).trim();
    const variable = scope.get(name);
    if (variable === undefined)
        return original;
    const value = variable.recursive ? expandMacros(variable.value, scope, depth + 1) : variable.value;
    return value.includes('$(') ? original : value;
}
/** A variable assignment line (`name := value`, `name = value`, `name += value`), or undefined. */
function parseAssignment(line) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*(:=|\+=|=)\s*(.*)$/.exec(line);
    if (m === null)
        return undefined;
    return { name: m[1], op: m[2], value: m[3].trimEnd() };
}
/** Applies an assignment to the scope, as the kernel's preprocessor does. */
function assignVariable(scope, name, op, value) {
    if (op === '=') {
        scope.set(name, { value, recursive: true });
        return;
    }
    if (op === ':=') {
        scope.set(name, { value: expandMacros(value, scope), recursive: false });
        return;
    }
    const previous = scope.get(name);
    if (previous === undefined)
        scope.set(name, { value, recursive: true });
    else {
        const added = previous.recursive ? value : expandMacros(value, scope);
        scope.set(name, { value: previous.value === '' ? added : `${previous.value} ${added}`, recursive: previous.recursive });
    }
}
const TWO_CHAR_OPS = new Set(['&&', '||', '!=', '<=', '>=']);
const ONE_CHAR_OPS = new Set(['!', '=', '<', '>', '(', ')']);
const WORD_END = new Set([' ', '\t', '#', '"', "'", ...ONE_CHAR_OPS]);
/** Splits an expanded line into tokens; `#` outside quotes and macros starts a comment. */
function tokenize(line) {
    const tokens = [];
    let i = 0;
    while (i < line.length) {
        const c = line[i];
        if (c === ' ' || c === '\t') {
            i++;
            continue;
        }
        if (c === '#')
            break;
        if (c === '"' || c === "'") {
            const start = ++i;
            let escaped = false;
            while (i < line.length && line[i] !== c) {
                if (line[i] === '\\' && i + 1 < line.length) {
                    escaped = true;
                    i++;
                }
                i++;
            }
            const raw = line.slice(start, i);
            i++;
            tokens.push({ kind: 'string', text: escaped ? raw.replace(/\\(.)/g, '$1') : raw });
            continue;
        }
        const two = line.slice(i, i + 2);
        if (TWO_CHAR_OPS.has(two)) {
            tokens.push({ kind: 'op', text: two });
            i += 2;
            continue;
        }
        if (ONE_CHAR_OPS.has(c)) {
            tokens.push({ kind: 'op', text: c });
            i++;
            continue;
        }
        // A word runs to the next blank, operator, quote or comment; `$(...)` inside it is kept whole.
        const start = i;
        let macro = false;
        while (i < line.length) {
            const d = line[i];
            if (d === '$' && line[i + 1] === '(') {
                const end = macroEnd(line, i);
                if (end > 0) {
                    i = end;
                    macro = true;
                    continue;
                }
            }
            if (WORD_END.has(d) || ((d === '&' || d === '|') && line[i + 1] === d))
                break;
            i++;
        }
        const text = line.slice(start, i);
        if (text === '') {
            // An operator-like character we do not know: keep it so that the caller reports the line.
            tokens.push({ kind: 'op', text: line[i] });
            i++;
            continue;
        }
        tokens.push({ kind: macro ? 'macro' : 'word', text });
    }
    return tokens;
}

;// CONCATENATED MODULE: ./src/kconfig/parse.ts
/**
 * Reads a kernel source tree's Kconfig (from `<src>/Kconfig`, for one architecture) into symbol
 * definitions with their dependencies, the way scripts/kconfig/parser.y builds its menu tree.
 * Tolerant: a line it does not understand is recorded in `skipped`, never fatal.
 */







const TYPE_WORDS = {
    bool: 'bool',
    boolean: 'bool',
    tristate: 'tristate',
    int: 'int',
    hex: 'hex',
    string: 'string',
};
/** Columns of leading blanks, tabs to the next multiple of 8 (the lexer's help-text rule). */
function indentation(line) {
    let col = 0;
    for (const c of line) {
        if (c === ' ')
            col++;
        else if (c === '\t')
            col = (col & ~7) + 8;
        else
            break;
    }
    return col;
}
/** Splits `... if COND` at the first top-level `if` word. */
function splitIf(tokens) {
    let depth = 0;
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind === 'op' && t.text === '(')
            depth++;
        else if (t.kind === 'op' && t.text === ')')
            depth--;
        else if (depth === 0 && t.kind === 'word' && t.text === 'if')
            return [tokens.slice(0, i), tokens.slice(i + 1)];
    }
    return [[...tokens], undefined];
}
class TreeBuilder {
    files;
    sourceDir;
    symbols = new Map();
    skipped = [];
    stack = [];
    scope;
    mainmenu;
    modulesSymbol = 'MODULES';
    fileCount = 0;
    current = { kind: 'other' };
    reading = new Set();
    constructor(files, sourceDir, variables) {
        this.files = files;
        this.sourceDir = sourceDir;
        this.scope = new Map(Object.entries(variables).map(([k, v]) => [k, { value: v, recursive: false }]));
    }
    readFile(file, from) {
        const text = this.files.read(file);
        if (text === undefined) {
            if (from)
                this.skipped.push({ location: from, reason: `source "${file}" not found` });
            return;
        }
        // A file sourcing itself would never end; the kernel reports recursion too.
        if (this.reading.has(file))
            return;
        this.reading.add(file);
        this.fileCount++;
        this.parseText(file, text);
        this.reading.delete(file);
    }
    parseText(file, text) {
        const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
        let i = 0;
        while (i < lines.length) {
            const lineNo = i + 1;
            let line = lines[i];
            i++;
            while (line.endsWith('\\') && i < lines.length)
                line = line.slice(0, -1) + ' ' + lines[i++];
            const trimmed = line.trimStart();
            if (trimmed === '' || trimmed.startsWith('#'))
                continue;
            const location = { file, line: lineNo };
            const assignment = trimmed.includes('=') ? parseAssignment(line) : undefined;
            if (assignment !== undefined) {
                assignVariable(this.scope, assignment.name, assignment.op, assignment.value);
                continue;
            }
            const tokens = tokenize(expandMacros(line, this.scope));
            if (tokens.length === 0)
                continue;
            const first = tokens[0];
            // A line of macro calls only (`$(error-if,...)`) expands to nothing when the toolchain is fine.
            if (first.kind === 'macro')
                continue;
            if (first.kind === 'word' && (first.text === 'help' || first.text === '---help---')) {
                i = skipHelp(lines, i);
                continue;
            }
            try {
                this.statement(first.kind === 'word' ? first.text : '', tokens.slice(1), location);
            }
            catch (err) {
                // An unusable file (a FIFO, a link out of the tree, a block nested too deep) stops the read; syntax is skipped.
                if (err instanceof InputError)
                    throw err;
                this.skipped.push({ location, reason: err instanceof Error ? err.message : String(err) });
            }
        }
    }
    /** Opens a menu, choice or if block; Linux nests a handful, so a deeper tree is refused rather than walked. */
    enter(block, location) {
        if (this.stack.length >= MAX_BLOCK_DEPTH) {
            throw new InputError(`kernel-source: ${location.file}:${location.line}: menu, choice and if blocks nested deeper than ${MAX_BLOCK_DEPTH}; not a kernel Kconfig`);
        }
        this.stack.push(block);
    }
    inheritedDeps() {
        return this.stack.flatMap((b) => b.deps);
    }
    statement(keyword, rest, location) {
        switch (keyword) {
            case 'config':
            case 'menuconfig': {
                const name = wordAt(rest, 0, keyword);
                const def = {
                    name,
                    location,
                    dependsOn: [],
                    inherited: this.inheritedDeps(),
                    visibleIf: this.stack.flatMap((b) => b.visibleIf),
                    defaults: [],
                    selects: [],
                    implies: [],
                    ranges: [],
                    inChoice: this.stack.some((b) => b.kind === 'choice'),
                };
                const choice = this.stack.findLast((b) => b.kind === 'choice');
                if (choice?.members !== undefined) {
                    if (!choice.members.includes(name))
                        choice.members.push(name);
                    def.choiceMembers = choice.members;
                }
                const defs = this.symbols.get(name);
                if (defs)
                    defs.push(def);
                else
                    this.symbols.set(name, [def]);
                this.current = { kind: 'config', def };
                return;
            }
            case 'menu':
            case 'choice': {
                const block = keyword === 'choice' ? { kind: keyword, deps: [], visibleIf: [], members: [] } : { kind: keyword, deps: [], visibleIf: [] };
                this.enter(block, location);
                this.current = { kind: 'block', block };
                return;
            }
            case 'if': {
                this.enter({ kind: 'if', deps: [parseExpr(rest)], visibleIf: [] }, location);
                this.current = { kind: 'other' };
                return;
            }
            case 'endmenu':
            case 'endchoice':
            case 'endif': {
                const kind = keyword.slice(3);
                const top = this.stack[this.stack.length - 1];
                if (top?.kind !== kind)
                    throw new KconfigSyntaxError(`${keyword} without ${kind}`);
                this.stack.pop();
                this.current = { kind: 'other' };
                return;
            }
            case 'comment':
                this.current = { kind: 'other' };
                return;
            case 'mainmenu':
                this.mainmenu = rest[0]?.text;
                this.current = { kind: 'other' };
                return;
            case 'source':
            case 'rsource':
            case 'osource':
            case 'orsource':
                this.source(keyword, rest, location);
                return;
            default:
                this.property(keyword, rest, location);
        }
    }
    source(keyword, rest, location) {
        const pathToken = rest[0];
        if (pathToken === undefined || pathToken.kind !== 'string')
            throw new KconfigSyntaxError(`${keyword} needs a quoted path`);
        if (pathToken.text.includes('$('))
            throw new KconfigSyntaxError(`${keyword} "${pathToken.text}": unknown variable`);
        const optional = keyword.startsWith('o');
        const relativeToFile = keyword.endsWith('rsource');
        let path = pathToken.text;
        if (relativeToFile)
            path = external_node_path_.posix.join(external_node_path_.posix.dirname(location.file), path);
        path = external_node_path_.posix.normalize(path);
        if (path.startsWith(`${this.sourceDir}/`))
            path = path.slice(this.sourceDir.length + 1);
        const saved = this.current;
        if (/[*?]/.test(path)) {
            const matches = this.files.glob(path);
            if (matches.length === 0 && !optional)
                this.skipped.push({ location, reason: `${keyword} "${path}" matches nothing` });
            for (const match of matches)
                this.readFile(match, location);
        }
        else if (optional) {
            if (this.files.read(path) !== undefined)
                this.readFile(path, location);
        }
        else
            this.readFile(path, location);
        // Properties after a source line do not belong to the last entry of the sourced file.
        this.current = saved.kind === 'config' ? { kind: 'other' } : saved;
    }
    property(keyword, rest, location) {
        const current = this.current;
        if (current.kind === 'block') {
            this.blockProperty(current.block, keyword, rest);
            return;
        }
        if (current.kind !== 'config') {
            // Properties of comments (depends on) and anything unknown outside an entry carry nothing we use.
            if (keyword !== 'depends')
                this.skipped.push({ location, reason: `unknown line "${keyword}"` });
            return;
        }
        const def = current.def;
        const type = TYPE_WORDS[keyword];
        if (type !== undefined) {
            def.type = type;
            const [prompt, condition] = splitIf(rest);
            if (prompt[0]?.kind === 'string')
                def.prompt = promptOf(prompt[0].text, condition);
            return;
        }
        switch (keyword) {
            case 'prompt': {
                const [prompt, condition] = splitIf(rest);
                if (prompt[0]?.kind === 'string')
                    def.prompt = promptOf(prompt[0].text, condition);
                return;
            }
            case 'def_bool':
            case 'def_tristate': {
                def.type = keyword === 'def_bool' ? 'bool' : 'tristate';
                const [value, condition] = splitIf(rest);
                def.defaults.push(withCondition(parseExpr(value), condition));
                return;
            }
            case 'default': {
                const [value, condition] = splitIf(rest);
                def.defaults.push(withCondition(parseExpr(value), condition));
                return;
            }
            case 'depends':
                def.dependsOn.push(parseExpr(dropOn(rest)));
                return;
            case 'select':
            case 'imply': {
                const [target, condition] = splitIf(rest);
                const link = withCondition(wordAt(target, 0, keyword), condition);
                if (keyword === 'select')
                    def.selects.push(link);
                else
                    def.implies.push(link);
                return;
            }
            case 'range': {
                const [bounds, condition] = splitIf(rest);
                if (bounds.length !== 2)
                    throw new KconfigSyntaxError('range needs two bounds');
                def.ranges.push(withCondition([parseExpr([bounds[0]]), parseExpr([bounds[1]])], condition));
                return;
            }
            case 'modules':
                this.modulesSymbol = def.name;
                return;
            case 'option':
                if (rest[0]?.text === 'modules')
                    this.modulesSymbol = def.name;
                return;
            default:
                this.skipped.push({ location, reason: `unknown line "${keyword}"` });
        }
    }
    blockProperty(block, keyword, rest) {
        if (keyword === 'depends')
            block.deps.push(parseExpr(dropOn(rest)));
        else if (keyword === 'visible' && rest[0]?.text === 'if')
            block.visibleIf.push(parseExpr(rest.slice(1)));
        // A choice's type, prompt, default and `optional` do not change its members' dependencies.
    }
}
function withCondition(value, condition) {
    return condition === undefined ? { value } : { value, condition: parseExpr(condition) };
}
function promptOf(text, condition) {
    return condition === undefined ? { text } : { text, condition: parseExpr(condition) };
}
function dropOn(tokens) {
    if (tokens[0]?.kind !== 'word' || tokens[0].text !== 'on')
        throw new KconfigSyntaxError('"depends" without "on"');
    return tokens.slice(1);
}
function wordAt(tokens, index, keyword) {
    const t = tokens[index];
    if (t === undefined || t.kind !== 'word')
        throw new KconfigSyntaxError(`${keyword} needs a symbol name`);
    return t.text;
}
/** Index of the first line after a help block that starts at `start`. */
function skipHelp(lines, start) {
    let i = start;
    let helpIndent = -1;
    for (; i < lines.length; i++) {
        const line = lines[i];
        if (line.trim() === '')
            continue;
        const indent = indentation(line);
        if (indent === 0)
            break;
        if (helpIndent < 0)
            helpIndent = indent;
        else if (indent < helpIndent)
            break;
    }
    return i;
}
/** The pure core: builds the tree from files reached through `files`. */
function parseKconfig(files, sourceDir, arch) {
    const { kbuild: kbuildArch, srcarch } = arch_archNames(arch);
    const builder = new TreeBuilder(files, sourceDir, { ARCH: kbuildArch, SRCARCH: srcarch, srctree: sourceDir });
    builder.readFile('Kconfig');
    const selectedBy = new Map();
    const impliedBy = new Map();
    for (const defs of builder.symbols.values()) {
        for (const def of defs) {
            for (const [links, index] of [
                [def.selects, selectedBy],
                [def.implies, impliedBy],
            ]) {
                for (const link of links) {
                    const entry = { symbol: def.name, location: def.location };
                    if (link.condition)
                        entry.condition = link.condition;
                    const list = index.get(link.value);
                    if (list)
                        list.push(entry);
                    else
                        index.set(link.value, [entry]);
                }
            }
        }
    }
    const tree = {
        sourceDir,
        arch,
        srcarch,
        symbols: builder.symbols,
        selectedBy,
        impliedBy,
        modulesSymbol: builder.modulesSymbol,
        fileCount: builder.fileCount,
        skipped: builder.skipped,
    };
    if (builder.mainmenu !== undefined)
        tree.mainmenu = builder.mainmenu;
    return tree;
}
/** Linux nests menu/choice/if blocks about ten deep. */
const MAX_BLOCK_DEPTH = 256;
/** The largest Kconfig file in Linux is ~100 KB; this bound keeps a hostile tree from filling memory. */
const KCONFIG_FILE_MAX_BYTES = 4 * 1024 * 1024;
/**
 * Files of a real directory; paths outside it are refused, and so is a file that resolves outside it through a
 * symbolic link (a tree must not make the action read /etc or a FIFO elsewhere). Each is opened by the checked opener.
 */
function directoryFiles(sourceDir) {
    const toRelative = (file) => {
        const rel = (0,external_node_path_.isAbsolute)(file) ? (0,external_node_path_.relative)(sourceDir, file).split(external_node_path_.sep).join('/') : file;
        return rel.startsWith('..') ? undefined : rel;
    };
    let root;
    return {
        read(file) {
            const rel = toRelative(file);
            if (rel === undefined)
                return undefined;
            const path = (0,external_node_path_.join)(sourceDir, rel);
            let real;
            try {
                real = (0,external_node_fs_.realpathSync)(path);
            }
            catch {
                return undefined; // not there (or a dangling link): a source that is not found, as make reports it
            }
            root ??= (0,external_node_fs_.realpathSync)(sourceDir);
            if (real !== root && !real.startsWith(`${root}${external_node_path_.sep}`)) {
                throw new InputError(`kernel-source: ${path} resolves to ${real}, outside ${sourceDir}; a Kconfig file must be inside the tree`);
            }
            return readInputFileSync(path, 'kernel-source', KCONFIG_FILE_MAX_BYTES, 'Kconfig file')?.toString('utf8');
        },
        glob(pattern) {
            const rel = toRelative(pattern);
            if (rel === undefined)
                return [];
            let paths = [''];
            for (const part of rel.split('/')) {
                if (!/[*?]/.test(part)) {
                    paths = paths.map((p) => (p === '' ? part : `${p}/${part}`));
                    continue;
                }
                const re = new RegExp(`^${part
                    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                    .replace(/\*/g, '[^/]*')
                    .replace(/\?/g, '[^/]')}$`);
                paths = paths.flatMap((dir) => {
                    try {
                        return (0,external_node_fs_.readdirSync)((0,external_node_path_.join)(sourceDir, dir))
                            .filter((name) => re.test(name))
                            .sort()
                            .map((name) => (dir === '' ? name : `${dir}/${name}`));
                    }
                    catch {
                        return [];
                    }
                });
            }
            return paths.filter((p) => {
                try {
                    return (0,external_node_fs_.statSync)((0,external_node_path_.join)(sourceDir, p)).isFile();
                }
                catch {
                    return false;
                }
            });
        },
    };
}
/** Reads `<sourceDir>/Kconfig` and everything it sources, for `arch`. */
function readKconfigTree(sourceDir, arch) {
    let isFile;
    try {
        isFile = (0,external_node_fs_.statSync)((0,external_node_path_.join)(sourceDir, 'Kconfig')).isFile();
    }
    catch {
        isFile = false;
    }
    if (!isFile)
        throw new InputError(`kernel-source: ${(0,external_node_path_.join)(sourceDir, 'Kconfig')} not found (is "${sourceDir}" a Linux source tree?)`);
    return parseKconfig(directoryFiles(sourceDir), sourceDir, arch);
}

;// CONCATENATED MODULE: ./src/kconfig/index.ts
/**
 * The way in for the action: read the kernel's Kconfig for the arch, explain every failing
 * requirement and write the fragment that fixes them.
 */







/**
 * `sourceDir` is the `kernel-source` input; `values` the `.config` (symbol without `CONFIG_` →
 * `y`/`m`/`n`/value). Throws InputError when `sourceDir` has no `Kconfig`.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- a promise on purpose: the tree read may become async without changing callers
async function explainRequirements(sourceDir, arch, values, failing) {
    const tree = readKconfigTree(sourceDir, arch);
    const explanations = new Map();
    for (const { option, wanted } of failing)
        explanations.set(symbolOf(option), explainOption(tree, values, symbolOf(option), kconfigValue(wanted)));
    return { explanations, fixFragment: fixFragment(tree, values, failing), skipped: tree.skipped };
}

;// CONCATENATED MODULE: ./src/check/explain-results.ts



/**
 * With the kernel source at hand, says why each failing requirement is not met (from Kconfig) and writes the fragment
 * that fixes them. Alternatives-based rules (a gzip *or* xz kernel) are explained through their first option.
 */
async function explainFailures(outcome, sourceDir) {
    const failing = outcome.report.results.filter(isFailure).map((r) => r.requirement);
    const explained = await explainRequirements(sourceDir, outcome.arch, kconfigValues(outcome.config), failing);
    const results = outcome.report.results.map((r) => {
        const explanation = explained.explanations.get(symbolOf(r.requirement.option));
        return explanation && isFailure(r) ? { ...r, explanation: renderExplanation(explanation) } : r;
    });
    const skipped = explained.skipped.map((s) => `${s.location.file}:${s.location.line}: ${s.reason}`);
    return { results, explanations: explained.explanations, fixFragment: explained.fixFragment, skipped };
}
const isFailure = (r) => r.status === 'error' || r.status === 'warning';

;// CONCATENATED MODULE: ./src/action/explain-step.ts




/** Reads the kernel's Kconfig to explain each failure, and writes the fix fragment (output `fix-fragment`: its path). */
async function explainStep(outcome, kernelSource, context, log) {
    const started = Date.now();
    const explained = await explainFailures(outcome, kernelSource);
    const file = tempPath(context, 'kernel-fix.config');
    await external_node_fs_.promises.writeFile(file, explained.fixFragment);
    log.info(`Kconfig of ${kernelSource} read (${explained.skipped.length} lines skipped); ${explained.explanations.size} failures explained in ${Date.now() - started} ms; fix fragment: ${file}`);
    for (const line of explained.skipped)
        core/* debug */.Yz(`Kconfig line skipped: ${line}`);
    return {
        outcome: { ...outcome, report: { ...outcome.report, results: explained.results } },
        fixFragment: { path: file, text: explained.fixFragment },
    };
}

;// CONCATENATED MODULE: ./src/action/step-log.ts




/**
 * The step's log, the one way the action writes to the runner: plain lines escaped so the runner never reads a
 * workflow command from user text, and every annotation (check results, duplicate options, publish warnings, the
 * sample notice and the step's own failure line) held back and fitted into GitHub's per-level budget at the end.
 */
class StepLog {
    annotations = [];
    overflowAt = {};
    jobCounter;
    /**
     * A file in the job's temp folder counting the annotations this action's earlier steps in the job emitted, so that
     * two steps (a zone and a host check) share GitHub's 50 per job instead of the second one's being dropped.
     */
    countJobAnnotationsIn(file) {
        this.jobCounter = file;
    }
    info(text) {
        core/* info */.pq(escapeLogLine(text));
    }
    annotate(annotation) {
        this.annotations.push(annotation);
    }
    warning(message) {
        this.annotate({ level: 'warning', message });
    }
    notice(message) {
        this.annotate({ level: 'notice', message });
    }
    /** Where a "N more" annotation points when a level overflows (the config's first line, when there is one). */
    overflowOn(file) {
        this.overflowAt = file ? { file, startLine: 1 } : {};
    }
    /**
     * Emits the annotations that fit, then the failure line (`core.setFailed`, itself an `::error`), which takes one of
     * the ten error slots. Whatever does not fit is still written to the log as a plain line.
     */
    finish(failure) {
        const used = this.readJobCounter();
        const reserved = failure === undefined ? 0 : 1;
        const { shown, hidden } = fitAnnotations(this.annotations, {
            reserved: { error: reserved },
            overflowAt: this.overflowAt,
            jobRemaining: ANNOTATIONS_PER_JOB - used,
        });
        this.writeJobCounter(used + shown.length + reserved);
        for (const a of hidden)
            this.info(`${a.level}: ${a.title ? `${a.title}: ` : ''}${a.message}`);
        for (const a of shown) {
            // Only the properties there are: core writes `::notice ::` for a set of undefined ones.
            const properties = Object.fromEntries(Object.entries({ title: a.title, file: a.file, startLine: a.startLine }).filter(([, v]) => v !== undefined));
            if (a.level === 'error')
                core/* error */.z3(a.message, properties);
            else if (a.level === 'warning')
                core/* warning */.$e(a.message, properties);
            else
                core/* notice */.lm(a.message, properties);
        }
        this.annotations.length = 0;
        if (failure !== undefined)
            core/* setFailed */.C1(failure);
    }
    readJobCounter() {
        if (!this.jobCounter)
            return 0;
        try {
            const n = Number.parseInt((0,external_node_fs_.readFileSync)(this.jobCounter, 'utf8'), 10);
            return Number.isInteger(n) && n >= 0 ? Math.min(n, ANNOTATIONS_PER_JOB) : 0;
        }
        catch {
            return 0;
        }
    }
    writeJobCounter(n) {
        if (!this.jobCounter)
            return;
        try {
            (0,external_node_fs_.writeFileSync)(this.jobCounter, `${n}\n`);
        }
        catch {
            // A read-only or missing temp folder costs only the cross-step budget, never the step.
        }
    }
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
;// CONCATENATED MODULE: ./src/boot/places.ts
// Where the boot test keeps things between runs, and where the action's own scripts are.





/** Where downloads and unpacked pieces are kept between runs (the same cache as scripts/debian-package.sh). */
function cacheDir() {
    if (process.env.KERNEL_ACTION_CACHE)
        return process.env.KERNEL_ACTION_CACHE;
    // A runner's user cannot write /var/cache; its home can be kept between jobs with actions/cache.
    return process.getuid?.() === 0 ? '/var/cache/kernel-action' : external_node_path_default().join((0,external_node_os_.homedir)(), '.cache', 'kernel-action');
}
/** scripts/debian-package.sh, found by walking up from this file (src/boot under jest, dist/ or dist/cli bundled). */
function actionScript(name) {
    let dir = external_node_path_default().dirname((0,external_node_url_.fileURLToPath)(import.meta.url));
    for (let depth = 0; depth < 5; depth++) {
        const candidate = external_node_path_default().join(dir, 'scripts', name);
        if ((0,external_node_fs_.existsSync)(candidate))
            return candidate;
        dir = external_node_path_default().dirname(dir);
    }
    throw new InternalError(`scripts/${name} is missing from this copy of kernel-action`);
}

;// CONCATENATED MODULE: ./src/boot/kit-fetch.ts
// The boot kit on this machine: pulled once by its manifest digest, every blob checked, unpacked into the cache folder
// (<cache>/boot-kit/<digest hex>/, which actions/cache can keep); a second use with the same digest reads no blob.









const COMPLETE = '.complete';
// Entry paths as the builder writes them: plain relative names, no `.`/`..` parts.
const ENTRY = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._+/-]+\/?$/;
const KIT_INDEX_MAX_BYTES = 1 << 20;
function kitCacheDir(digest) {
    return external_node_path_default().join(cacheDir(), 'boot-kit', digest.replace(/^sha256:/, ''));
}
/** The kit `reference` names, for `arch`, from the cache or pulled into it. */
async function localKit(reference, arch, log = () => undefined) {
    const pinned = pinnedDigest(reference);
    if (pinned !== undefined && (0,external_node_fs_.existsSync)(external_node_path_default().join(kitCacheDir(pinned), COMPLETE)))
        return readLocal(pinned, arch, true);
    const resolved = await resolveKit(reference, arch, log);
    const dir = kitCacheDir(resolved.digest);
    if ((0,external_node_fs_.existsSync)(external_node_path_default().join(dir, COMPLETE)))
        return readLocal(resolved.digest, arch, true);
    const opened = await resolved.open();
    if (opened.architecture !== arch_ociArch(arch)) {
        throw new InputError(`boot-kit: ${reference} is a kit for ${String(opened.architecture)}, not ${arch_ociArch(arch)}`);
    }
    const started = Date.now();
    const partial = `${dir}.${process.pid}.partial`;
    await (0,promises_.rm)(partial, { recursive: true, force: true });
    await (0,promises_.mkdir)(partial, { recursive: true });
    try {
        await opened.walk((entry) => {
            if (!ENTRY.test(entry.path))
                throw new InputError(`boot-kit ${reference}: layer entry ${JSON.stringify(entry.path)} is not a plain relative path`);
            const target = external_node_path_default().join(partial, entry.path);
            if (entry.type === 'Directory') {
                return async (body) => {
                    body.resume();
                    await (0,promises_.mkdir)(target, { recursive: true });
                };
            }
            if (entry.type !== 'File' && entry.type !== 'OldFile') {
                throw new InputError(`boot-kit ${reference}: layer entry ${entry.path} is a ${entry.type}; a kit holds only files and folders`);
            }
            return async (body) => {
                await (0,promises_.mkdir)(external_node_path_default().dirname(target), { recursive: true });
                await (0,external_node_stream_promises_.pipeline)(body, (0,external_node_fs_.createWriteStream)(target, { flags: 'wx', mode: 0o644 }));
            };
        });
        await (0,promises_.rm)(dir, { recursive: true, force: true });
        await (0,promises_.rename)(partial, dir);
    }
    catch (error) {
        await (0,promises_.rm)(partial, { recursive: true, force: true });
        throw error;
    }
    // A kit whose kit.json does not hold up is not kept: the next run pulls it again rather than trusting it.
    const local = await readLocal(opened.digest, arch, false).catch(async (error) => {
        await (0,promises_.rm)(dir, { recursive: true, force: true });
        throw error;
    });
    await createComplete(dir);
    log(`boot test: boot kit ${opened.digest} pulled and unpacked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return local;
}
async function createComplete(dir) {
    const out = (0,external_node_fs_.createWriteStream)(external_node_path_default().join(dir, COMPLETE));
    await new Promise((resolve, reject) => out.on('error', reject).end(resolve));
}
/** The unpacked kit: kit.json read and checked, every file it names present. */
async function readLocal(digest, arch, cached) {
    const dir = kitCacheDir(digest);
    const where = `boot kit ${dir}`;
    const text = await (0,promises_.readFile)(external_node_path_default().join(dir, KIT_INDEX), 'utf8').catch(() => {
        throw new InputError(`${where}: no ${KIT_INDEX}; not a boot kit`);
    });
    if (text.length > KIT_INDEX_MAX_BYTES)
        throw new InputError(`${where}: ${KIT_INDEX} is larger than ${KIT_INDEX_MAX_BYTES} bytes`);
    const kit = parseKitIndex(text, where);
    if (kit.arch !== arch)
        throw new InputError(`${where}: a kit for ${kit.arch}, not ${arch}`);
    for (const f of kitFiles(kit))
        if (!(0,external_node_fs_.existsSync)(external_node_path_default().join(dir, f)))
            throw new InputError(`${where}: ${KIT_INDEX} names ${f}, which the kit does not hold`);
    return { dir, digest, kit, cached };
}

;// CONCATENATED MODULE: ./src/boot/kit-pinned.ts
const BOOT_KIT_REPOSITORY = 'ghcr.io/krata/kernel-action-boot-kit';
const PINNED_BOOT_KITS = {
    // Built with `npm run boot-kit` on 2026-12-06 from Debian 12's xen 4.17.7+13-g2445b30a44-0+deb12u1 and
    // linux-image-6.1.0-57 (6.1.192-3); the image annotations list every package.
    x86_64: 'sha256:651ea6a4dd8e6ab19bdcb969c2ea6113f6e060cd2e8e17a58c55b36e36226aa8',
    aarch64: 'sha256:c1f7d9b4ef5acaed99fa839027c5b585974b32f0473e5282defe06520d9236bb',
};
/** The default kit reference for an architecture: the repository at the pinned digest. */
function defaultBootKit(arch) {
    return `${BOOT_KIT_REPOSITORY}@${PINNED_BOOT_KITS[arch]}`;
}

;// CONCATENATED MODULE: ./src/boot/module-files.ts


/** Every `<name>.ko` below `dirs` (missing folders are skipped), by module name: where dom0's backends are found. */
async function kernelModulesBelow(dirs) {
    const found = new Map();
    const walk = async (dir) => {
        for (const entry of await (0,promises_.readdir)(dir, { withFileTypes: true }).catch(() => [])) {
            const file = external_node_path_default().join(dir, entry.name);
            if (entry.isDirectory())
                await walk(file);
            else if (entry.name.endsWith('.ko'))
                found.set(entry.name.slice(0, -3), file);
        }
    };
    for (const dir of dirs)
        await walk(dir);
    return found;
}

;// CONCATENATED MODULE: ./src/boot/host-tools.ts















const run = (0,external_node_util_.promisify)(external_node_child_process_.execFile);
/** The one line to show when a piece is missing: what to install. */
class MissingTool extends ToolError {
    constructor(what, pkg) {
        super(`boot test: ${what} not found; install ${pkg}`);
    }
}
/** QEMU's program for an architecture's guests, and the Debian/Ubuntu package holding it. */
function qemuFor(arch) {
    return arch === 'x86_64' ? { program: 'qemu-system-x86_64', pkg: 'qemu-system-x86' } : { program: 'qemu-system-aarch64', pkg: 'qemu-system-arm' };
}
/**
 * QEMU first (the one thing the runner's distribution must provide), then the pieces: from the boot kit, or, when the
 * kit cannot be had, from this machine's Xen packages, saying so in one line.
 */
async function findBootHost(arch, options = {}) {
    const log = options.log ?? (() => undefined);
    const { program, pkg } = qemuFor(arch);
    const qemu = which(program, pkg);
    const reference = options.kit ?? defaultBootKit(arch);
    let kitError;
    try {
        const local = await localKit(reference, arch, log);
        log(`boot test: boot kit ${local.digest}${local.cached ? ' (from the cache)' : ''}`);
        return { ...kitPieces(local.dir, local.kit), qemu, source: `boot kit ${local.digest}` };
    }
    catch (error) {
        kitError = oneLine(error);
    }
    if (arch !== 'x86_64')
        throw new ToolError(`boot test: the boot kit ${reference} cannot be used: ${kitError}`);
    log(`boot test: the boot kit ${reference} cannot be used (${kitError}); using this machine's Xen packages instead`);
    try {
        const pieces = await installedPieces();
        return { ...pieces, qemu, mksquashfs: which('mksquashfs', 'squashfs-tools'), source: "this machine's Xen packages" };
    }
    catch (error) {
        throw new ToolError(`${oneLine(error)} (and the boot kit ${reference} cannot be used: ${kitError})`);
    }
}
/** A kit's files, as host paths. */
function kitPieces(dir, kit) {
    const at = (f) => external_node_path_default().join(dir, f);
    return {
        xen: at(kit.xen),
        dom0Kernel: at(kit.dom0Kernel),
        dom0Modules: Object.fromEntries(DOM0_MODULES.map((m) => [m, at(kit.dom0Modules[m])])),
        xenBinDir: kit.xenBinDir,
        xenPrograms: kit.xenPrograms.map(at),
        xenstoreClient: at(kit.xenstoreClient),
        libraries: kit.libraries.map((l) => ({ name: l.name, source: at(l.file) })),
        busybox: at(kit.busybox),
        rootImage: at(kit.rootImage),
        emptyAddons: at(kit.emptyAddons),
    };
}
/** x86_64 fallback: Xen, its toolstack, busybox and a dom0 kernel installed on this machine (Debian's packages). */
async function installedPieces() {
    const busybox = '/bin/busybox';
    if (!(0,external_node_fs_.existsSync)(busybox) || !(await isStatic(busybox)))
        throw new MissingTool('a static /bin/busybox', 'busybox-static');
    const xen = await unpackedXen();
    const xenBinDir = await findXenBinDir();
    const xenPrograms = XEN_PROGRAMS.map((p) => external_node_path_default().join(xenBinDir, p));
    const xenstoreClient = '/usr/bin/xenstore-write';
    if (!(0,external_node_fs_.existsSync)(xenstoreClient))
        throw new MissingTool('xenstore-write', 'xenstore-utils');
    const { kernel: dom0Kernel, modules: dom0Modules } = await installedDom0Kernel();
    const libraries = (await sharedLibraries([...xenPrograms, xenstoreClient])).map((l) => ({ name: l, source: l }));
    return { xen, dom0Kernel, dom0Modules, xenBinDir, xenPrograms, xenstoreClient, libraries, busybox };
}
function which(program, pkg) {
    for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
        const candidate = external_node_path_default().join(dir, program);
        if ((0,external_node_fs_.existsSync)(candidate))
            return candidate;
    }
    throw new MissingTool(program, pkg);
}
/** A dynamic busybox would need a libc in both initramfs; the static one is a single file. */
async function isStatic(file) {
    const handle = await (0,promises_.open)(file, 'r');
    try {
        const head = Buffer.alloc(4096);
        await handle.read(head, 0, head.length, 0);
        return !head.includes('ld-linux');
    }
    finally {
        await handle.close();
    }
}
/** QEMU's multiboot loader takes Xen's ELF, not the .gz Debian installs in /boot: unpack it once into the cache. */
async function unpackedXen() {
    const gz = (await (0,promises_.readdir)('/boot').catch(() => []))
        .filter((f) => /^xen-4\.\d+-amd64\.gz$/.test(f))
        .sort()
        .pop();
    if (!gz)
        throw new MissingTool('the Xen hypervisor (/boot/xen-4.*-amd64.gz)', 'xen-hypervisor-4.17-amd64');
    const dir = external_node_path_default().join(cacheDir(), 'boot');
    const target = external_node_path_default().join(dir, gz.replace(/\.gz$/, ''));
    if (!(0,external_node_fs_.existsSync)(target)) {
        await (0,promises_.mkdir)(dir, { recursive: true });
        const partial = `${target}.${process.pid}.partial`;
        await (0,external_node_stream_promises_.pipeline)((0,external_node_fs_.createReadStream)(external_node_path_default().join('/boot', gz)), (0,external_node_zlib_.createGunzip)(), (0,external_node_fs_.createWriteStream)(partial));
        await (0,promises_.rename)(partial, target);
    }
    return target;
}
async function findXenBinDir() {
    const dirs = (await (0,promises_.readdir)('/usr/lib').catch(() => [])).filter((d) => /^xen-4\.\d+$/.test(d)).sort();
    for (const d of dirs.reverse()) {
        const bin = external_node_path_default().join('/usr/lib', d, 'bin');
        if (XEN_PROGRAMS.every((p) => (0,external_node_fs_.existsSync)(external_node_path_default().join(bin, p))))
            return bin;
    }
    throw new MissingTool("Xen's toolstack (/usr/lib/xen-4.*/bin/xl, xenstored, xenconsoled)", 'xen-utils-4.17');
}
/** An installed kernel that can be dom0: the newest /boot/vmlinuz-<version> whose /lib/modules/<version> has every backend. */
async function installedDom0Kernel() {
    const kernels = (await (0,promises_.readdir)('/boot').catch(() => []))
        .filter((f) => f.startsWith('vmlinuz-'))
        .sort()
        .reverse();
    for (const k of kernels) {
        const found = await kernelModulesBelow([external_node_path_default().join('/lib/modules', k.slice('vmlinuz-'.length))]);
        if (DOM0_MODULES.every((m) => found.has(m))) {
            return { kernel: external_node_path_default().join('/boot', k), modules: Object.fromEntries(DOM0_MODULES.map((m) => [m, found.get(m)])) };
        }
    }
    throw new MissingTool(`a dom0 kernel (/boot/vmlinuz-* with uncompressed ${DOM0_MODULES.join(', ')} modules in /lib/modules)`, 'linux-image-amd64');
}
/** The shared libraries the toolstack needs, from ldd, plus libgcc_s, which glibc loads at run time for pthread_cancel. */
async function sharedLibraries(programs) {
    const libs = new Set();
    for (const p of programs) {
        const { stdout } = await run('ldd', [p]);
        for (const line of stdout.split('\n')) {
            const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
            if (m)
                libs.add(m[1]);
        }
    }
    const libc = [...libs].find((l) => l.endsWith('/libc.so.6'));
    if (libc) {
        const gcc = external_node_path_default().join(external_node_path_default().dirname(libc), 'libgcc_s.so.1');
        if ((0,external_node_fs_.existsSync)(gcc))
            libs.add(gcc);
    }
    return [...libs].sort();
}

;// CONCATENATED MODULE: ./src/boot/stages.ts

const STAGES = [
    { id: 'xen', title: 'Xen hypervisor booted in QEMU', missing: 'Xen did not boot in QEMU', options: [], harness: true },
    {
        id: 'dom0',
        title: 'dom0 toolstack ready (xenstored, xenconsoled)',
        missing: 'dom0 did not get its Xen toolstack running',
        options: [],
        harness: true,
    },
    {
        id: 'loaded',
        title: "Xen's PV domain builder loaded the kernel",
        missing: "Xen's PV domain builder rejected the image (a krata zone kernel is a bzImage with a gzip or xz payload)",
        options: ['CONFIG_XEN_PV'],
    },
    {
        id: 'console',
        title: 'guest kernel wrote to hvc0',
        missing: 'the guest kernel never wrote to hvc0',
        options: ['CONFIG_XEN_PV', 'CONFIG_HVC_XEN', 'CONFIG_PRINTK'],
    },
    {
        id: 'init',
        title: 'init ran from the ramdisk',
        missing: 'the guest kernel did not run init from its ramdisk',
        options: ['CONFIG_BLK_DEV_INITRD', 'CONFIG_BINFMT_ELF'],
    },
    { id: 'devtmpfs', title: 'devtmpfs mounted', missing: 'devtmpfs could not be mounted', options: ['CONFIG_DEVTMPFS'] },
    { id: 'xvda', title: 'Xen block device xvda (root image) present', missing: 'no xvda', options: ['CONFIG_XEN_BLKDEV_FRONTEND'] },
    { id: 'xvdc', title: 'Xen block device xvdc (addons) present', missing: 'no xvdc', options: ['CONFIG_XEN_BLKDEV_FRONTEND'] },
    {
        id: 'root',
        title: 'root squashfs mounted from xvda',
        missing: 'the root squashfs on xvda did not mount',
        options: ['CONFIG_SQUASHFS', 'CONFIG_SQUASHFS_ZLIB'],
    },
    {
        id: 'overlay',
        title: 'overlay on the root with a tmpfs upper layer',
        missing: 'the overlay with a tmpfs upper layer did not mount',
        options: ['CONFIG_OVERLAY_FS', 'CONFIG_TMPFS'],
    },
    { id: 'addons', title: 'addons squashfs mounted from xvdc', missing: 'the addons squashfs on xvdc did not mount', options: ['CONFIG_SQUASHFS'] },
    {
        id: 'modules',
        title: 'addons modules bound at /lib/modules/$(uname -r), one loaded with modprobe',
        missing: 'the addons modules could not be bound or loaded',
        options: [],
    },
    { id: 'proc', title: 'proc mounted', missing: 'proc could not be mounted', options: ['CONFIG_PROC_FS'] },
    { id: 'sysfs', title: 'sysfs mounted', missing: 'sysfs could not be mounted', options: ['CONFIG_SYSFS'] },
    { id: 'cgroup2', title: 'cgroup2 mounted', missing: 'cgroup2 could not be mounted', options: ['CONFIG_CGROUPS'] },
    { id: 'devpts', title: 'devpts mounted', missing: 'devpts could not be mounted', options: ['CONFIG_UNIX98_PTYS'] },
    { id: 'marker', title: 'marker printed with uname -r', missing: 'the guest never printed its marker', options: [] },
    { id: 'poweroff', title: 'guest powered off', missing: 'the guest did not power off', options: [] },
];
/**
 * What differs on arm64: there Xen has one guest type (PVH, built by xl's arm64 loader from an Image or Image.gz), and
 * what a kernel needs to be a Xen guest at all is CONFIG_XEN (CONFIG_XEN_PV is x86-only).
 */
const AARCH64_STAGES = {
    loaded: {
        title: "Xen's domain builder loaded the kernel",
        missing: "Xen's domain builder rejected the image (an arm64 zone kernel is arch/arm64/boot/Image or Image.gz)",
        options: ['CONFIG_XEN'],
    },
    console: { options: ['CONFIG_XEN', 'CONFIG_HVC_XEN', 'CONFIG_PRINTK'] },
};
/**
 * A host kernel (`target: host`) runs as dom0: its stages are what dom0 must do for krata (come up as dom0 under Xen,
 * give xl and xenstored their devices, run the toolstack, serve disks, have netback), then the reference zone guest
 * (the bundled sample) boots under it with its two disks. The guest's stages stay, their cause now the host's.
 */
const HOST_DOM0_STAGES = [
    {
        id: 'dom0',
        title: 'the kernel came up as dom0 and ran init',
        missing: 'the kernel did not come up as dom0 under Xen',
        options: ['CONFIG_XEN_DOM0', 'CONFIG_XEN_PV_DOM0', 'CONFIG_HVC_XEN', 'CONFIG_BLK_DEV_INITRD', 'CONFIG_BINFMT_ELF', 'CONFIG_DEVTMPFS'],
    },
    { id: 'evtchn', title: 'event channels (/dev/xen/evtchn)', missing: 'no /dev/xen/evtchn', options: ['CONFIG_XEN_DEV_EVTCHN'], modular: true },
    { id: 'gntdev', title: 'grant tables (/dev/xen/gntdev)', missing: 'no /dev/xen/gntdev', options: ['CONFIG_XEN_GNTDEV'], modular: true },
    { id: 'privcmd', title: 'hypercalls for xl (/dev/xen/privcmd)', missing: 'no /dev/xen/privcmd', options: ['CONFIG_XEN_PRIVCMD'], modular: true },
    { id: 'xenfs', title: 'xenfs mounted at /proc/xen', missing: 'xenfs could not be mounted', options: ['CONFIG_XENFS'], modular: true },
    {
        id: 'xenstored',
        title: 'xenstored, xen-init-dom0 and xenconsoled running',
        missing: "dom0's toolstack did not start",
        // libxl locks its per-domain files with fcntl (xen-init-dom0 fails "cannot store stub json config" without it).
        options: ['CONFIG_FILE_LOCKING', 'CONFIG_XEN_BACKEND'],
    },
    {
        id: 'blkback',
        title: "block backend and loop devices ready for the zone's disks",
        missing: 'no block backend to serve the zone its disks',
        options: ['CONFIG_XEN_BLKDEV_BACKEND', 'CONFIG_BLK_DEV_LOOP'],
        modular: true,
    },
    {
        id: 'netback',
        title: 'network backend registered (vif)',
        missing: 'no network backend for the zone',
        options: ['CONFIG_XEN_NETDEV_BACKEND'],
        modular: true,
    },
];
/** What a guest stage means when the kernel under test is dom0: the reference guest is known to pass them. */
const HOST_GUEST_STAGES = {
    loaded: { title: 'xl created the reference zone', missing: 'xl could not create the reference zone under this dom0', options: [] },
    xvda: { title: "zone's root disk (xvda) served by this dom0", options: ['CONFIG_XEN_BLKDEV_BACKEND'], modular: true },
    xvdc: { title: "zone's addons disk (xvdc) served by this dom0", options: ['CONFIG_XEN_BLKDEV_BACKEND'], modular: true },
};
/** The stages of one architecture's boot test: the same ids and order everywhere. */
function stageSpecs(arch, target = 'zone') {
    const zone = arch === 'x86_64' ? STAGES : STAGES.map((s) => ({ ...s, ...AARCH64_STAGES[s.id] }));
    if (target === 'zone')
        return zone;
    // XEN_PV_DOM0 is x86's; on arm64 CONFIG_XEN_DOM0 follows CONFIG_XEN.
    const dom0 = HOST_DOM0_STAGES.map((s) => ({
        ...s,
        inDom0: true,
        options: arch === 'x86_64' ? s.options : s.options.filter((o) => o !== 'CONFIG_XEN_PV_DOM0'),
    }));
    const guest = zone.filter((s) => !s.harness).map((s) => ({ ...s, options: [], ...HOST_GUEST_STAGES[s.id] }));
    return [zone[0], ...dom0, ...guest];
}
/** Lines the dom0 init writes about the guest, and the prefix it puts on every line of the guest's console. */
const DOM0_PREFIX = 'ka-dom0: ';
const GUEST_PREFIX = 'ka-guest| ';
/** Lines the guest's init writes: `ka-boot: ok NAME`, `ka-boot: fail NAME why`, `ka-boot: skip NAME why`. */
const GUEST_STAGE_PREFIX = 'ka-boot: ';
/** Reads the stages from QEMU's serial output (Xen, dom0 and, prefixed, the guest console). */
function readStages(lines, specs = STAGES) {
    const seen = new Map();
    const mark = (id, state, at, detail) => {
        if (!seen.has(id))
            seen.set(id, { state, at, detail });
    };
    const xlErrors = [];
    const ids = new Set(specs.map((s) => s.id));
    let panic;
    for (const { at, text } of lines) {
        panic ??= /Kernel panic - not syncing: (.*)/.exec(text)?.[1]?.trim();
        // Not anchored: SeaBIOS leaves terminal escapes in front of Xen's first line.
        if (/\(XEN\) Xen version \d/.test(text))
            mark('xen', 'ok', at);
        if (text.startsWith(DOM0_PREFIX)) {
            const what = text.slice(DOM0_PREFIX.length);
            const stage = /^(ok|fail) (\S+)(?: (.*))?$/.exec(what);
            if (what === 'ready')
                mark('dom0', 'ok', at);
            else if (stage && ids.has(stage[2]))
                mark(stage[2], stage[1] === 'ok' ? 'ok' : 'failed', at, stage[3]?.trim() || undefined);
            // The kit's dom0 (a zone test) reports its bring-up stages too; they are the harness's, summed up as dom0.
            else if (stage?.[1] === 'fail')
                mark('dom0', 'failed', at, `${stage[2]}: ${stage[3]?.trim() ?? ''}`);
            else if (what.startsWith('xl| ') && /error|fail|invalid|not /i.test(what))
                xlErrors.push(what.slice(4));
            else if (what === 'created')
                mark('loaded', 'ok', at);
            else if (what === 'create failed')
                mark('loaded', 'failed', at, mostTelling(xlErrors));
            else if (what === 'guest gone')
                mark('poweroff', 'ok', at);
            else if (what === 'guest still running')
                mark('poweroff', 'failed', at, 'the guest was still running after its init finished');
        }
        if (text.startsWith(GUEST_PREFIX)) {
            const guest = text.slice(GUEST_PREFIX.length);
            if (guest.trim() !== '')
                mark('console', 'ok', at);
            const stage = /^ka-boot: (ok|fail|skip) (\S+)(?: (.*))?$/.exec(guest);
            if (stage)
                mark(stage[2], stage[1] === 'ok' ? 'ok' : stage[1] === 'fail' ? 'failed' : 'skipped', at, stage[3]?.trim() || undefined);
            const marker = /^ka-boot: marker release=(\S+)/.exec(guest);
            if (marker)
                mark('marker', 'ok', at, marker[1]);
        }
    }
    // A kernel that panicked says why once; the first stage it never reached carries it.
    let panicShown = panic === undefined;
    return specs.map((spec) => {
        const s = seen.get(spec.id);
        const detail = s?.detail ?? (s === undefined && !panicShown ? `kernel panic: ${panic}` : undefined);
        if (s === undefined)
            panicShown = true;
        return { id: spec.id, title: spec.title, state: s?.state ?? 'missing', at: s?.at, detail };
    });
}
/** libxl repeats itself while it cleans up; the first error that is not about destroying the domain is the cause. */
function mostTelling(errors) {
    const cause = errors.find((e) => !/destroy|Non-existant domain|Destruction/i.test(e)) ?? errors[0];
    return cause?.replace(/^libxl: error: \S+ /, '');
}
/** Passed only when every stage happened (the modules bind may be skipped: krata tolerates addons without modules). */
function bootPassed(results) {
    return results.every((r) => r.state === 'ok' || r.state === 'skipped');
}
/** The one line naming the first stage that did not happen, with the config options responsible when known. */
function firstFailure(results, config, specs = STAGES) {
    const failed = results.find((r) => r.state === 'failed' || r.state === 'missing');
    if (!failed)
        return undefined;
    const spec = specs.find((s) => s.id === failed.id);
    const parts = [spec.missing];
    if (failed.detail)
        parts.push(failed.detail);
    if (!spec.harness) {
        const cause = spec.modular ? hostCause(spec.options, config) : configCause(spec.options, config, spec.inDom0 ? 'qemu-serial.log' : undefined);
        if (cause)
            parts.push(cause);
    }
    return `boot failed at ${spec.id}: ${parts.join(': ')}`;
}
/** Which of `options` explains the failure: the ones not built in when the config is known, else all of them. */
function configCause(options, config, log = 'the guest console log') {
    if (options.length === 0)
        return undefined;
    if (!config)
        return `needs ${options.map((o) => `${o}=y`).join(', ')} (no config given to say which)`;
    const notBuiltIn = options.filter((o) => config.entries.get(o)?.state !== 'y');
    if (notBuiltIn.length === 0)
        return `${options.join(', ')} ${options.length === 1 ? 'is' : 'are'} built in; see ${log}`;
    return notBuiltIn
        .map((o) => {
        const entry = config.entries.get(o);
        const state = entry?.state === 'm' ? 'is a module (=m)' : `is ${describeEntry(entry)}`;
        return `${o} ${state} in ${config.file}, krata needs it built in (=y)`;
    })
        .join('; ');
}
/**
 * A host driver's cause: a module is fine there (dom0 loads it from the addons, and dom0's own line says when the
 * addons lack it), so only options that are not set at all are named.
 */
function hostCause(options, config) {
    if (!config)
        return `needs ${options.join(', ')} (=y, or =m with the module in the addons; no config given to say which)`;
    const unset = options.filter((o) => !['y', 'm'].includes(config.entries.get(o)?.state ?? ''));
    if (unset.length === 0)
        return undefined;
    return unset
        .map((o) => `${o} is ${describeEntry(config.entries.get(o))} in ${config.file}, a krata host needs it (=y, or =m with the module in the addons)`)
        .join('; ');
}
/** The stages as a Markdown table for the job summary. */
function stagesTable(results) {
    const icon = { ok: '✅', failed: '❌', skipped: '➖', missing: '❌' };
    const rows = results.map((r) => {
        const time = r.at === undefined ? '' : `${r.at.toFixed(1)} s`;
        const state = r.state === 'missing' ? 'did not happen' : r.state;
        return `| ${icon[r.state]} | ${r.title} | ${state}${r.detail ? `: ${r.detail.replace(/\|/g, '\\|')}` : ''} | ${time} |`;
    });
    return ['| | stage | result | time |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

;// CONCATENATED MODULE: ./src/boot/plan.ts


/**
 * Pure planning of a boot test: the scripts dom0 and the guest run, the xl config, the initramfs layouts and QEMU's
 * command line. Paths on the host come in; text and argument lists go out. The I/O lives in run-boot.ts.
 */
/** The guest's name in xl, and where dom0 keeps the guest's files. */
const GUEST_NAME = 'zone';
const GUEST_DIR = '/guest';
/** Where dom0's init finds its module files and each stage's load list. */
const DOM0_DIR = '/ka';
/**
 * The guest's boot check, run by busybox's init from the ramdisk (so a kernel needs ELF support, not #! scripts, as
 * with krata's own init). It does what krata's zone init does, in its order, and reports each stage on hvc0.
 */
function guestCheckScript(deviceWaitSeconds = 20) {
    const S = GUEST_STAGE_PREFIX;
    return `export PATH=/bin
/bin/busybox --install -s /bin
say() { echo "${S}$*"; }
step() {
  name=$1; shift
  if out=$("$@" 2>&1); then state=ok; else state=fail; fi
  detail=$(printf %s "$out" | tr '\\n' ' ' | head -c 300)
  say "$state $name\${detail:+ $detail}"
}
# Xen lists its devices under /sys/bus/xen/devices whether or not a driver takes them; without blkfront's "vbd" driver
# waiting is pointless. Whole seconds: under TCG each sleep is a slow fork and exec (200 sleeps of 0.1 s took 90 s).
offered() { ls /sys/bus/xen/devices 2>/dev/null | tr "\\n" " "; }
waitdev() {
  while [ ! -b "$1" ] && [ -d /sys/bus/xen/drivers/vbd ] && [ $budget -gt 0 ]; do sleep 1; budget=$((budget-1)); done
  [ -b "$1" ] && return 0
  if [ -d /sys/bus/xen/drivers/vbd ]; then echo "none after ${deviceWaitSeconds} s, though Xen offers $(offered)"; else echo "no Xen block frontend driver, though Xen offers $(offered)"; fi
  return 1
}
overlay() { mount -t tmpfs tmpfs /overlay && mkdir -p /overlay/upper /overlay/work && mount -t overlay overlay -o lowerdir=/image,upperdir=/overlay/upper,workdir=/overlay/work /newroot; }
modules() {
  r=$(uname -r); m=/newroot/lib/modules/$r
  mkdir -p "$m" && mount --bind /newroot/addons/modules "$m" && mount -o remount,bind,ro "$m" || return 1
  [ -s /probe-module ] || { cat /probe-none 2>/dev/null; return 0; }
  # modprobe reads modules.dep below its own root's /lib/modules: the ramdisk's, bound to the same tree.
  name=$(cat /probe-module); mkdir -p /lib/modules/$r && mount --bind /newroot/addons/modules /lib/modules/$r || return 1
  if modprobe "$name" 2>/tmp/modprobe && [ -d "/sys/module/$name" ]; then echo "loaded $name"; return 0; fi
  echo "modprobe $name: $(cat /tmp/modprobe | tr '\\n' ' ')kernel: $(dmesg | tail -n 2 | tr '\\n' ' ')"; return 1
}
devpts() { mkdir -p /newroot/dev/pts && mount -t devpts devpts /newroot/dev/pts; }
budget=${deviceWaitSeconds}
say "ok init"
step devtmpfs mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc 2>/dev/null; mount -t sysfs sysfs /sys 2>/dev/null
step xvda waitdev /dev/xvda
step xvdc waitdev /dev/xvdc
step root mount -t squashfs -o ro /dev/xvda /image
step overlay overlay
step addons mount -t squashfs -o ro /dev/xvdc /newroot/addons
if [ -d /newroot/addons/modules ]; then step modules modules; else say "skip modules no modules directory in the addons"; fi
mount --move /dev /newroot/dev 2>/dev/null || mount -t devtmpfs devtmpfs /newroot/dev 2>/dev/null
step proc mount -t proc proc /newroot/proc
step sysfs mount -t sysfs sysfs /newroot/sys
step cgroup2 mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup
step devpts devpts
say "marker release=$(uname -r)"
poweroff -f
`;
}
/**
 * The guest's ramdisk: an uncompressed newc cpio, as krata's is, with busybox as init running the boot check, and the
 * name of the module it loads from the addons (addons-modules.ts chooses it).
 */
function guestRamdiskEntries(busybox, probe) {
    return [
        ...['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'image', 'overlay', 'newroot'].map((name) => ({ kind: 'dir', name })),
        { kind: 'char', name: 'dev/console', major: 5, minor: 1 },
        { kind: 'host-file', name: 'bin/busybox', mode: 0o755, source: busybox },
        { kind: 'symlink', name: 'bin/sh', target: 'busybox' },
        { kind: 'symlink', name: 'init', target: 'bin/busybox' },
        { kind: 'file', name: 'etc/inittab', data: '::sysinit:/bin/sh /boot-check\n' },
        { kind: 'file', name: 'boot-check', mode: 0o755, data: guestCheckScript() },
        ...(probe === undefined
            ? []
            : [
                {
                    kind: 'file',
                    name: 'module' in probe ? 'probe-module' : 'probe-none',
                    data: `${'module' in probe ? probe.module : probe.none}\n`,
                },
            ]),
    ];
}
/** The tiny root image krata would mount from xvda: the directories its init mounts on, and nothing else. */
const ROOT_IMAGE_DIRS = ['addons', 'dev', 'etc', 'lib/modules', 'proc', 'sys', 'tmp'];
/**
 * xl's block hotplug, reduced to what blkback needs: the disk is already a loop device (set up by dom0's init), so
 * write its major:minor and "connected" under the backend path. Debian's script wants bash, losetup and a lock dir.
 */
const HOTPLUG_SCRIPT = `#!/bin/sh
[ "$1" = add ] || exit 0
dev=$(xenstore-read "$XENBUS_PATH/params")
xenstore-write "$XENBUS_PATH/physical-device" "$(stat -L -c '%t:%T' "$dev")" "$XENBUS_PATH/physical-device-path" "$dev" "$XENBUS_PATH/hotplug-status" connected
`;
function guestTypeOf(arch) {
    return arch === 'x86_64' ? 'pv' : 'pvh';
}
/** krata's disk layout: xvda the root image, xvdc the addons (xvdb, the config block, is not needed to boot). */
function guestXlConfig(type = 'pv', memoryMiB = 128) {
    const disk = (vdev, loop) => `"format=raw, vdev=${vdev}, access=ro, script=${GUEST_DIR}/hotplug, target=${loop}"`;
    return [
        `name = "${GUEST_NAME}"`,
        `type = "${type}"`,
        `kernel = "${GUEST_DIR}/kernel"`,
        `ramdisk = "${GUEST_DIR}/initrd"`,
        'extra = "console=hvc0"',
        `memory = ${memoryMiB}`,
        'vcpus = 1',
        'on_poweroff = "destroy"',
        'on_reboot = "destroy"',
        'on_crash = "destroy"',
        `disk = [ ${disk('xvda', '/dev/loop0')}, ${disk('xvdc', '/dev/loop1')} ]`,
        '',
    ].join('\n');
}
/**
 * dom0's init: the order that works (xen-in-qemu.md): pseudo-filesystems with devpts, then each bring-up stage
 * (dom0-bringup.ts) loads its modules and shows its device, xenfs, xenstored with xen-init-dom0 and xenconsoled, the
 * loop devices for blkback; then the guest is created paused, its console attached, and it is unpaused, so that not one
 * line of its console is lost. Every stage says `ok NAME` or `fail NAME why`; every guest console line is prefixed so
 * the harness can tell them apart. A host kernel under test (`host`) also says it came up as dom0 and shows netback.
 */
function dom0InitScript(xenBinDir, guestTimeoutSeconds, kind) {
    const D = DOM0_PREFIX;
    const host = kind === 'host';
    return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:${xenBinDir}
say() { echo "${D}$*"; }
mount -t proc proc /proc; mount -t sysfs sysfs /sys
# Without devtmpfs no /dev/xen node ever appears: that is the dom0 stage failing, not evtchn.
if mount -t devtmpfs devtmpfs /dev 2>/tmp/devtmpfs; then ${host ? 'say "ok dom0 $(uname -r)"' : ':'}; else say "fail dom0 devtmpfs: $(cat /tmp/devtmpfs)"; fi
mkdir -p /dev/pts /var/run/xen /var/log/xen /var/lib/xen /var/lock /run
mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /var/run/xen
# stage NAME CHECK...: load the stage's modules (unless loaded already), then CHECK decides; the failure line says why.
stage() {
  name=$1; shift; : >/tmp/why
  # One file name per line, written by dom0-bringup.ts; read as lines, never globbed or split further.
  [ -f "${DOM0_DIR}/$name.load" ] && while IFS= read -r f; do
    [ -d "/sys/module/\${f%.ko}" ] || insmod "${DOM0_DIR}/modules/$f" 2>/tmp/insmod || echo "insmod $f: $(cat /tmp/insmod)" >>/tmp/why
  done <"${DOM0_DIR}/$name.load"
  if "$@" >>/tmp/why 2>&1; then say "ok $name"; return 0; fi
  say "fail $name $(cat ${DOM0_DIR}/$name.absent /tmp/why 2>/dev/null | tr '\\n' ' ' | head -c 400)"; return 1
}
# The stage's own line names the device; a failure adds only what dom0 saw (insmod errors, a missing module).
device() { [ -c "$1" ]; }
toolstack() {
  xenstored || return 1
  xen-init-dom0 >/tmp/init-dom0 2>&1 || { tail -n 1 /tmp/init-dom0; return 1; }
  xenconsoled || { echo "xenconsoled failed"; return 1; }
  xenstore-write /kernel-action ready && [ "$(xenstore-read /kernel-action)" = ready ]
}
disks() {
  [ -d /sys/bus/xen-backend/drivers/vbd ] || { echo "no blkback driver (/sys/bus/xen-backend/drivers/vbd)"; return 1; }
  losetup -r /dev/loop0 ${GUEST_DIR}/root.squashfs && losetup -r /dev/loop1 ${GUEST_DIR}/addons.squashfs
}
netback() { [ -d /sys/bus/xen-backend/drivers/vif ] || { echo "no netback driver (/sys/bus/xen-backend/drivers/vif)"; return 1; }; }
up=1
stage evtchn device /dev/xen/evtchn || up=
stage gntdev device /dev/xen/gntdev || up=
stage privcmd device /dev/xen/privcmd || up=
stage xenfs mount -t xenfs xenfs /proc/xen || up=
[ -n "$up" ] && { stage xenstored toolstack || up=; }
stage blkback disks || up=
${host ? 'stage netback netback || up=\n' : ''}if [ -n "$up" ]; then
  say ready
  if xl create -p ${GUEST_DIR}/guest.cfg >/tmp/xl 2>&1; then created=1; else created=; fi
  sed 's/^/${D}xl| /' /tmp/xl
fi
if [ -z "$up" ]; then
  say "no guest: dom0 is not ready"
elif [ -n "$created" ]; then
  say created
  xl console ${GUEST_NAME} | while IFS= read -r line; do echo "${GUEST_PREFIX}$line"; done &
  console=$!
  ( sleep ${guestTimeoutSeconds}; touch /tmp/timeout; xl destroy ${GUEST_NAME} ) >/dev/null 2>&1 &
  watchdog=$!
  xl unpause ${GUEST_NAME}
  # xl console ends with the guest; polling xl list meanwhile would take CPU from the guest (each run is heavy under TCG).
  wait $console
  while xl list ${GUEST_NAME} >/dev/null 2>&1; do sleep 0.5; done
  if [ -e /tmp/timeout ]; then say "guest still running"; else kill $watchdog 2>/dev/null; say "guest gone"; fi
else
  say "create failed"
fi
say done
poweroff -f
`;
}
function dom0InitramfsEntries(files) {
    const dirs = new Set([
        'bin',
        'usr',
        'usr/bin',
        'dev',
        'proc',
        'sys',
        'tmp',
        'run',
        'var',
        'var/run',
        'etc',
        'etc/xen',
        'lib',
        GUEST_DIR.slice(1),
        DOM0_DIR.slice(1),
        `${DOM0_DIR.slice(1)}/modules`,
    ]);
    const withParents = (p) => {
        const parts = p.replace(/^\/+/, '').split('/').slice(0, -1);
        for (let i = 1; i <= parts.length; i++)
            dirs.add(parts.slice(0, i).join('/'));
    };
    const programs = files.xenPrograms.map((p) => `${files.xenBinDir}/${p.split('/').pop()}`);
    [...programs, ...files.libraries.map((l) => l.name)].forEach(withParents);
    const sortedDirs = [...dirs].sort();
    return [
        ...sortedDirs.map((name) => ({ kind: 'dir', name })),
        { kind: 'char', name: 'dev/console', major: 5, minor: 1 },
        { kind: 'host-file', name: 'bin/busybox', mode: 0o755, source: files.busybox },
        { kind: 'file', name: 'init', mode: 0o755, data: dom0InitScript(files.xenBinDir, files.guestTimeoutSeconds, files.kind) },
        { kind: 'file', name: 'etc/xen/xl.conf', data: '' },
        ...files.loads.files.map((m) => ({ kind: 'host-file', name: `${DOM0_DIR.slice(1)}/modules/${m.name}`, source: m.source })),
        ...Object.entries(files.loads.byStage).map(([stage, names]) => ({
            kind: 'file',
            name: `${DOM0_DIR.slice(1)}/${stage}.load`,
            data: `${names.join('\n')}\n`,
        })),
        ...Object.entries(files.loads.absent).map(([stage, why]) => ({
            kind: 'file',
            name: `${DOM0_DIR.slice(1)}/${stage}.absent`,
            data: `${why}\n`,
        })),
        ...files.xenPrograms.map((p, i) => ({ kind: 'host-file', name: programs[i], mode: 0o755, source: p })),
        { kind: 'host-file', name: 'usr/bin/xenstore', mode: 0o755, source: files.xenstoreClient },
        { kind: 'symlink', name: 'usr/bin/xenstore-read', target: 'xenstore' },
        { kind: 'symlink', name: 'usr/bin/xenstore-write', target: 'xenstore' },
        ...files.libraries.map((l) => ({ kind: 'host-file', name: l.name, mode: 0o755, source: l.source })),
        { kind: 'file', name: `${GUEST_DIR}/hotplug`, mode: 0o755, data: HOTPLUG_SCRIPT },
        { kind: 'file', name: `${GUEST_DIR}/guest.cfg`, data: guestXlConfig(files.guestType) },
        { kind: 'host-file', name: `${GUEST_DIR}/kernel`, source: files.guest.kernel },
        { kind: 'host-file', name: `${GUEST_DIR}/initrd`, source: files.guest.ramdisk },
        { kind: 'host-file', name: `${GUEST_DIR}/root.squashfs`, source: files.guest.root },
        { kind: 'host-file', name: `${GUEST_DIR}/addons.squashfs`, source: files.guest.addons },
    ];
}
/** dom0's memory: room for its own userland plus the guest's files twice (the initramfs, then its unpacked copy). */
function dom0MiB(base, guestBytes) {
    return base + Math.ceil((guestBytes * 2) / 2 ** 20);
}
/** QEMU's arguments for the plan's architecture (the program is `qemuFor(arch)` in host-tools.ts). */
function qemuArgs(plan) {
    return plan.arch === 'x86_64' ? qemuArgsX86(plan) : qemuArgsArm64(plan);
}
/**
 * x86_64: Xen as the multiboot kernel, dom0's kernel and initramfs as its modules. TCG needs
 * `-cpu Haswell-noTSX` (with `-cpu max` dom0 dies at once); KVM takes the host's CPU.
 * dom0 gets one vCPU (the guest runs on the other) and Xen does not scrub free RAM at boot: under TCG both cost
 * seconds (the sample's whole boot test went from 70 s to 33 s on the same loaded machine with these two).
 */
function qemuArgsX86(plan) {
    for (const p of [plan.xen, plan.dom0Kernel, plan.dom0Initramfs]) {
        // QEMU splits its multiboot list at commas and a module's command line at blanks.
        if (/[,\s]/.test(p))
            throw new InputError(`${p}: QEMU's multiboot module list cannot hold a path with a comma or a blank (choose another --out)`);
    }
    const dom0 = dom0MiB(512, plan.guestBytes);
    return [
        '-accel',
        plan.accel,
        '-cpu',
        plan.accel === 'kvm' ? 'host' : 'Haswell-noTSX',
        '-m',
        String(dom0 + 384),
        '-smp',
        '2',
        '-nographic',
        '-nodefaults',
        '-no-reboot',
        '-serial',
        'stdio',
        '-kernel',
        plan.xen,
        '-append',
        `console=com1 dom0_mem=${dom0}M dom0_max_vcpus=1 bootscrub=0 noreboot`,
        '-initrd',
        `${plan.dom0Kernel} console=hvc0 quiet,${plan.dom0Initramfs}`,
    ];
}
/** Where QEMU's guest-loader puts dom0's kernel and initramfs: RAM starts at 1 GiB on `virt`; the kernel must end below the initramfs. */
const ARM64_DOM0_KERNEL_AT = 0x49000000;
const ARM64_DOM0_INITRAMFS_AT = 0x50000000;
const ARM64_RAM_AT = 0x40000000;
/** The room guest-loader leaves for dom0's kernel file (Image or Image.gz, as stored) below the initramfs: 112 MiB. */
const ARM64_DOM0_KERNEL_MAX_BYTES = ARM64_DOM0_INITRAMFS_AT - ARM64_DOM0_KERNEL_AT;
/**
 * aarch64 (xen-arm64-in-qemu.md): Xen (an arm64 Image) boots at EL2, which needs `virtualization=on` (without it QEMU
 * prints nothing at all); dom0's kernel and initramfs are placed by QEMU's guest-loader device, which also writes the
 * device-tree nodes Xen reads them from. TCG takes `-cpu max`. RAM holds what lies below the initramfs, the initramfs
 * itself (about the guest's bytes), dom0 and the guest.
 */
function qemuArgsArm64(plan) {
    // QEMU's option syntax: a comma inside a value is written twice.
    const value = (p) => p.replace(/,/g, ',,');
    const dom0 = dom0MiB(384, plan.guestBytes);
    const belowInitramfs = (ARM64_DOM0_INITRAMFS_AT - ARM64_RAM_AT) / 2 ** 20;
    const ram = belowInitramfs + Math.ceil(plan.guestBytes / 2 ** 20) + dom0 + 384;
    return [
        '-machine',
        'virt,virtualization=on,gic-version=3',
        '-accel',
        plan.accel,
        '-cpu',
        plan.accel === 'kvm' ? 'host' : 'max',
        '-m',
        String(ram),
        '-smp',
        '2',
        '-nographic',
        '-nodefaults',
        '-no-reboot',
        '-serial',
        'stdio',
        '-kernel',
        plan.xen,
        '-append',
        `console=dtuart dom0_mem=${dom0}M dom0_max_vcpus=1 bootscrub=0 noreboot`,
        '-device',
        `guest-loader,addr=0x${ARM64_DOM0_KERNEL_AT.toString(16)},kernel=${value(plan.dom0Kernel)},bootargs=console=hvc0 quiet`,
        '-device',
        `guest-loader,addr=0x${ARM64_DOM0_INITRAMFS_AT.toString(16)},initrd=${value(plan.dom0Initramfs)}`,
    ];
}

// EXTERNAL MODULE: external "node:readline"
var external_node_readline_ = __webpack_require__(481);
;// CONCATENATED MODULE: ./src/boot/accel.ts
/** Seconds a KVM run gets to print its first `(XEN)` line before it is given up for TCG. */
const KVM_PROBE_SECONDS = 20;
/**
 * The udev rule that lets the runner's user open /dev/kvm on GitHub's hosted runners (actions/runner-images #7670):
 * the device exists there, but belongs to the kvm group the `runner` user is not in.
 */
const KVM_UDEV_STEP = 'echo \'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"\' | sudo tee /etc/udev/rules.d/99-kvm4all.rules && sudo udevadm control --reload-rules && sudo udevadm trigger --name-match=kvm';
/** `auto` tries KVM first when this user can open /dev/kvm; `kvm` or `tcg` asked for is used alone. */
function planAccels(requested, access, device = '/dev/kvm') {
    if (requested !== 'auto')
        return { order: [requested] };
    if (access === 'usable')
        return { order: ['kvm', 'tcg'] };
    if (access === 'other-arch')
        return { order: ['tcg'], kvmSkipped: "the kernel is not of this machine's architecture" };
    if (access === 'absent')
        return { order: ['tcg'], kvmSkipped: `no ${device} on this machine` };
    return {
        order: ['tcg'],
        kvmSkipped: `${device} exists but this user cannot open it (on GitHub's runners, add a step before this one: ${KVM_UDEV_STEP})`,
    };
}
/** The reason to give up a KVM run at this line of QEMU's output, or undefined: the line is no sign of trouble. */
function kvmFailureIn(line) {
    const text = line.replace(/^qemu: /, '').trim();
    if (/KVM internal error/i.test(text))
        return text;
    if (/^emulation failure/i.test(text))
        return 'KVM internal error: emulation failure';
    if (/failed to set MSR|kvm_buf_set_msrs|Could not access KVM kernel module|failed to initialize kvm/i.test(text))
        return text;
    return undefined;
}
/** The one line that says KVM was given up and why, for the log and the job summary. */
function kvmGivenUp(reason, seconds) {
    return `KVM given up after ${seconds.toFixed(1)} s (${reason}); booting with TCG (software emulation) instead`;
}

;// CONCATENATED MODULE: ./src/boot/cpio.ts



const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
/** The 110-byte "newc" header plus the NUL-terminated, 4-byte-padded name (the format the kernel unpacks). */
function newcHeader(name, fields) {
    const nameBytes = Buffer.from(`${name}\0`);
    const hex = (n) => n.toString(16).padStart(8, '0');
    const header = '070701' +
        [
            fields.ino,
            fields.mode,
            0,
            0,
            fields.mode & S_IFDIR ? 2 : 1,
            0,
            fields.size,
            0,
            0,
            fields.rdevMajor ?? 0,
            fields.rdevMinor ?? 0,
            nameBytes.length,
            0,
        ]
            .map(hex)
            .join('');
    return Buffer.concat([Buffer.from(header), nameBytes, Buffer.alloc(padding(110 + nameBytes.length))]);
}
function padding(length) {
    return (4 - (length % 4)) % 4;
}
/** Writes `entries` as one uncompressed newc archive at `path`; host files are streamed, not read whole. */
async function writeCpio(path, entries) {
    const out = await (0,promises_.open)(path, 'w');
    try {
        let ino = 1;
        for (const entry of entries) {
            const name = entry.name.replace(/^\/+/, '');
            switch (entry.kind) {
                case 'dir':
                    await out.write(newcHeader(name, { ino: ino++, mode: S_IFDIR | 0o755, size: 0 }));
                    break;
                case 'symlink': {
                    const target = Buffer.from(entry.target);
                    await out.write(newcHeader(name, { ino: ino++, mode: S_IFLNK | 0o777, size: target.length }));
                    await out.write(Buffer.concat([target, Buffer.alloc(padding(target.length))]));
                    break;
                }
                case 'char':
                    await out.write(newcHeader(name, { ino: ino++, mode: S_IFCHR | 0o600, size: 0, rdevMajor: entry.major, rdevMinor: entry.minor }));
                    break;
                case 'file': {
                    const data = Buffer.from(entry.data);
                    await out.write(newcHeader(name, { ino: ino++, mode: S_IFREG | (entry.mode ?? 0o644), size: data.length }));
                    await out.write(Buffer.concat([data, Buffer.alloc(padding(data.length))]));
                    break;
                }
                case 'host-file': {
                    const { size } = await (0,promises_.stat)(entry.source);
                    await out.write(newcHeader(name, { ino: ino++, mode: S_IFREG | (entry.mode ?? 0o644), size }));
                    let written = 0;
                    for await (const chunk of (0,external_node_fs_.createReadStream)(entry.source)) {
                        await out.write(chunk);
                        written += chunk.length;
                    }
                    if (written !== size)
                        throw new IntegrityError(`${entry.source} changed size while it was archived`);
                    await out.write(Buffer.alloc(padding(size)));
                    break;
                }
            }
        }
        await out.write(newcHeader('TRAILER!!!', { ino: 0, mode: 0, size: 0 }));
    }
    finally {
        await out.close();
    }
}

;// CONCATENATED MODULE: ./src/addons/decompress.ts
// Decompressing squashfs blocks and compressed kernel modules. gzip is Node's zlib; zstd is Node's zlib where it has
// it (Node 22.15+ / 23.8+, the node24 runner) and the `zstd` program otherwise; xz, which Node lacks, is the `xz`
// program, for modules only (an xz squashfs is read through unsquashfs instead: see open-addons.ts).



// zlib.zstdDecompressSync exists from Node 22.15 / 23.8; @types/node 20 does not know it.
function decompress_nodeZstd() {
    const decompress = (external_node_zlib_default()).zstdDecompressSync;
    return typeof decompress === 'function' ? decompress.bind((external_node_zlib_default())) : undefined;
}
/** A synchronous zlib call as a Decompress: its throw becomes the promise's rejection. */
function settled(decompress) {
    return (input, maxBytes) => new Promise((resolve) => resolve(decompress(input, { maxOutputLength: maxBytes })));
}
const inflate = { decompress: settled((input, options) => external_node_zlib_default().inflateSync(input, options)), how: 'zlib' };
/** True when this Node.js decompresses zstd itself (else each block would cost a run of the zstd program). */
function hasNodeZstd() {
    return decompress_nodeZstd() !== undefined;
}
/** A squashfs block decompressor: gzip blocks are zlib streams, zstd blocks are zstd frames. */
function squashfsDecompressor(compression) {
    if (compression === 'gzip')
        return inflate;
    if (compression === 'zstd')
        return decompress_zstdDecompressor();
    return undefined;
}
function decompress_zstdDecompressor() {
    const native = decompress_nodeZstd();
    if (native)
        return { decompress: settled(native), how: "Node's zlib" };
    return { decompress: (input, maxBytes) => runFilter('zstd', ['-dcq'], input, maxBytes), how: 'the zstd program' };
}
/** How a compressed module (`.ko.gz`, `.ko.zst`, `.ko.xz`) is decompressed; undefined for a plain `.ko`. */
function moduleDecompressor(file) {
    if (file.endsWith('.ko.gz'))
        return { decompress: settled((input, options) => external_node_zlib_default().gunzipSync(input, options)), how: 'zlib' };
    if (file.endsWith('.ko.zst'))
        return decompress_zstdDecompressor();
    if (file.endsWith('.ko.xz'))
        return { decompress: (input, maxBytes) => runFilter('xz', ['-dcq'], input, maxBytes), how: 'the xz program' };
    return undefined;
}
/** Input that does not decompress (what zlib's own errors also mean here); the caller names the file it came from. */
class DecompressError extends InputError {
    name = 'DecompressError';
}
/** Raised when the program a decompressor needs is not installed, so the caller can say what that means there. */
class MissingProgramError extends ToolError {
    program;
    name = 'MissingProgramError';
    constructor(program) {
        super(`the ${program} program is not installed`);
        this.program = program;
    }
}
/** Runs `program args` with `input` on stdin and returns its stdout, refusing more than `maxBytes`. */
async function runFilter(program, args, input, maxBytes) {
    return await new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_.spawn)(program, args, { stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
        const chunks = [];
        let length = 0;
        let stderr = '';
        let failure;
        child.stdout.on('data', (chunk) => {
            length += chunk.length;
            if (length > maxBytes) {
                failure ??= new DecompressError(`it decompresses to more than ${maxBytes} bytes`);
                child.kill();
                return;
            }
            chunks.push(chunk);
        });
        child.stderr.on('data', (chunk) => (stderr = (stderr + chunk.toString()).slice(-300)));
        child.on('error', (error) => {
            failure ??= error.code === 'ENOENT' ? new MissingProgramError(program) : new ToolError(`${program} could not run (${error.message})`);
        });
        child.on('close', (code) => {
            if (failure)
                reject(failure);
            else if (code !== 0)
                reject(new DecompressError(stderr.trim().split('\n').pop() || `${program} exited ${code}`));
            else
                resolve(Buffer.concat(chunks, length));
        });
        // The program may exit before reading all of a corrupt input: that is its answer, not an error of ours.
        child.stdin.on('error', () => undefined);
        child.stdin.end(input);
    });
}

;// CONCATENATED MODULE: ./src/addons/squashfs-format.ts
// The on-disk records of a squashfs 4 image that reading a file by its path needs (the kernel's
// fs/squashfs/squashfs_fs.h): metadata block headers, inodes, directory listings, fragment entries and data block
// sizes. Pure: bytes in, records out; a record that cannot be what it claims is a SquashfsFormatError saying what.

/** A metadata block holds at most this many bytes once decompressed (SQUASHFS_METADATA_SIZE). */
const METADATA_BLOCK_BYTES = 8192;
/** The fragment index of a file without a fragment (SQUASHFS_INVALID_FRAG). */
const NO_FRAGMENT = 0xffffffff;
/** Fragment entries per metadata block: 8192 / 16. */
const FRAGMENT_ENTRIES_PER_BLOCK = 512;
const FRAGMENT_ENTRY_BYTES = 16;
/** The longest a file name can be in a directory entry (SQUASHFS_NAME_LEN). */
const NAME_MAX = 256;
/** A record that is not what the format says it must be; the reader turns it into one line naming the file. */
class SquashfsFormatError extends InputError {
    name = 'SquashfsFormatError';
}
function inodeRefOf(reference) {
    return { block: Number(reference >> 16n), offset: Number(reference & 0xffffn) };
}
/** A metadata block's 2-byte header: bit 15 set means stored uncompressed; the rest is its size on disk. */
function parseMetadataHeader(word) {
    const size = word & 0x7fff;
    if (size === 0 || size > METADATA_BLOCK_BYTES)
        throw new SquashfsFormatError(`a metadata block says it is ${size} bytes long`);
    return { compressed: (word & 0x8000) === 0, size };
}
/** A data block's size word: bit 24 set means stored uncompressed; size 0 is a hole (a block of zeros). */
function parseDataBlockSize(word) {
    return { compressed: (word & (1 << 24)) === 0, size: word & 0xffffff };
}
// squashfs_fs.h: SQUASHFS_DIR_TYPE 1 ... SQUASHFS_SOCKET_TYPE 7, and the extended (L) types 8 ... 14.
const KIND_OF_TYPE = { 1: 'directory', 2: 'file', 3: 'symlink', 4: 'other', 5: 'other', 6: 'other', 7: 'other' };
function kindOfType(type) {
    const kind = KIND_OF_TYPE[type > 7 ? type - 7 : type];
    if (kind === undefined)
        throw new SquashfsFormatError(`an inode has type ${type}, which squashfs does not define`);
    return kind;
}
/** The fixed part of the longest inode this reader parses (an extended file: 16 + 40 bytes). */
const INODE_FIXED_MAX_BYTES = 56;
/**
 * Parses the inode at the start of `bytes` (at least its fixed part, or to the end of the table). A file's block sizes
 * follow at `blockListAt`: `parseBlockList` reads them.
 */
function parseInode(bytes, blockSize) {
    const need = (length) => {
        if (bytes.length < length)
            throw new SquashfsFormatError('an inode runs past the end of the inode table');
    };
    need(16);
    const type = bytes.readUInt16LE(0);
    const number = bytes.readUInt32LE(12);
    const kind = kindOfType(type);
    if (type === 1) {
        need(32);
        // struct squashfs_dir_inode: start_block, nlink, file_size (u16), offset (u16), parent_inode.
        return directory(number, bytes.readUInt32LE(16), bytes.readUInt16LE(26), bytes.readUInt16LE(24));
    }
    if (type === 8) {
        need(40);
        // struct squashfs_ldir_inode: nlink, file_size (u32), start_block, parent_inode, i_count, offset (u16), xattr.
        return directory(number, bytes.readUInt32LE(24), bytes.readUInt16LE(34), bytes.readUInt32LE(20));
    }
    if (type === 2) {
        need(32);
        // struct squashfs_reg_inode: start_block, fragment, offset, file_size (all u32).
        return file(number, bytes.readUInt32LE(16), bytes.readUInt32LE(28), bytes.readUInt32LE(20), bytes.readUInt32LE(24), 32, blockSize);
    }
    if (type === 9) {
        need(56);
        // struct squashfs_lreg_inode: start_block (u64), file_size (u64), sparse (u64), nlink, fragment, offset, xattr.
        const start = Number(bytes.readBigUInt64LE(16));
        const size = Number(bytes.readBigUInt64LE(24));
        return file(number, start, size, bytes.readUInt32LE(44), bytes.readUInt32LE(48), 56, blockSize);
    }
    return { kind: kind === 'symlink' ? 'symlink' : 'other', number };
}
function directory(number, startBlock, offset, fileSize) {
    // A directory's file_size counts 3 bytes more than its listing (for the "." and ".." entries it does not store).
    if (fileSize < 3)
        throw new SquashfsFormatError(`directory inode ${number} has size ${fileSize}, less than the 3 every directory has`);
    if (offset >= METADATA_BLOCK_BYTES)
        throw new SquashfsFormatError(`directory inode ${number} starts its listing at offset ${offset} of a block`);
    return { kind: 'directory', number, listing: { block: startBlock, offset }, listingBytes: fileSize - 3 };
}
function file(number, blocksStart, size, fragment, fragmentOffset, blockListAt, blockSize) {
    const whole = Math.floor(size / blockSize);
    const blockCount = fragment === NO_FRAGMENT ? Math.ceil(size / blockSize) : whole;
    if (fragment !== NO_FRAGMENT && fragmentOffset + (size % blockSize) > blockSize) {
        throw new SquashfsFormatError(`file inode ${number} has its tail past the end of fragment ${fragment}`);
    }
    return { kind: 'file', number, blocksStart, size, fragment, fragmentOffset, blockCount, blockListAt };
}
/** The size words of a file's data blocks, as stored after its inode. */
function parseBlockList(bytes, count) {
    if (bytes.length < count * 4)
        throw new SquashfsFormatError('a file inode runs past the end of the inode table');
    return Array.from({ length: count }, (_, i) => bytes.readUInt32LE(i * 4));
}
/**
 * A directory's listing: runs of entries, each run behind a header naming the inode block they share. Entries are
 * sorted by name in the image (the kernel's lookup relies on it); the names are returned as stored.
 */
function parseDirectoryListing(bytes) {
    const entries = [];
    let at = 0;
    while (at < bytes.length) {
        if (at + 12 > bytes.length)
            throw new SquashfsFormatError('a directory header runs past the end of its listing');
        // struct squashfs_dir_header: count (entries - 1), start_block (of their inodes), inode_number.
        const count = bytes.readUInt32LE(at) + 1;
        const block = bytes.readUInt32LE(at + 4);
        if (count > 256)
            throw new SquashfsFormatError(`a directory header says ${count} entries follow (at most 256)`);
        at += 12;
        for (let i = 0; i < count; i++) {
            if (at + 8 > bytes.length)
                throw new SquashfsFormatError('a directory entry runs past the end of its listing');
            // struct squashfs_dir_entry: offset (u16), inode_number (s16 delta), type (u16), size (name length - 1).
            const offset = bytes.readUInt16LE(at);
            const type = bytes.readUInt16LE(at + 4);
            const nameBytes = bytes.readUInt16LE(at + 6) + 1;
            at += 8;
            if (nameBytes > NAME_MAX || at + nameBytes > bytes.length)
                throw new SquashfsFormatError('a directory entry name runs past the end of its listing');
            const name = bytes.toString('latin1', at, at + nameBytes);
            at += nameBytes;
            if (name.includes('/') || name.includes('\0') || name === '.' || name === '..') {
                throw new SquashfsFormatError(`a directory entry is named ${JSON.stringify(name)}`);
            }
            if (offset >= METADATA_BLOCK_BYTES)
                throw new SquashfsFormatError(`directory entry ${JSON.stringify(name)} points inside a block at ${offset}`);
            entries.push({ name, kind: kindOfType(type), inode: { block, offset } });
        }
    }
    return entries;
}
/** One fragment table entry: where the fragment block is and its size word. */
function parseFragmentEntry(bytes, at) {
    if (at + FRAGMENT_ENTRY_BYTES > bytes.length)
        throw new SquashfsFormatError('a fragment entry runs past the end of the fragment table');
    return { start: Number(bytes.readBigUInt64LE(at)), sizeWord: bytes.readUInt32LE(at + 8) };
}

;// CONCATENATED MODULE: ./src/addons/squashfs-reader.ts



function fileSource(handle) {
    return {
        read: async (position, length) => {
            const buffer = Buffer.alloc(length);
            let filled = 0;
            while (filled < length) {
                const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
                if (bytesRead === 0)
                    break;
                filled += bytesRead;
            }
            return buffer.subarray(0, filled);
        },
        close: () => handle.close(),
    };
}
/** A directory listing larger than this is not one a module tree has (Debian's largest is a few KiB). */
const MAX_LISTING_BYTES = 16 << 20;
/** A path deeper than this is not a module's (kernel/drivers/net/ethernet/<vendor>/<chip>/x.ko is 7). */
const squashfs_reader_MAX_DEPTH = 64;
class SquashfsReader {
    source;
    superblock;
    decompressor;
    name;
    how;
    blocks = new Map();
    listings = new Map();
    fragments = new Map();
    directoryTableEnd;
    /** `name` and `input` are for messages: `addons: build/addons.squashfs ...`. */
    constructor(source, superblock, decompressor, name) {
        this.source = source;
        this.superblock = superblock;
        this.decompressor = decompressor;
        this.name = name;
        this.how = `in-process (${superblock.compression ?? `compressor ${superblock.compressionId}`}, ${decompressor.how})`;
        // The directory table ends where the next table starts (fragment, export, id and xattr tables follow it, each optional).
        const after = [superblock.fragmentTableStart, superblock.exportTableStart, superblock.idTableStart, superblock.xattrIdTableStart];
        this.directoryTableEnd = Math.min(superblock.bytesUsed, ...after.filter((start) => start > superblock.directoryTableStart));
    }
    async list(path) {
        return await this.guard(async () => {
            const inode = await this.lookup(path);
            if (inode?.kind !== 'directory')
                return undefined;
            return (await this.listing(inode)).map(({ name, kind }) => ({ name, kind }));
        });
    }
    async read(path, maxBytes) {
        return await this.guard(async () => {
            const inode = await this.lookup(path);
            if (inode?.kind !== 'file')
                return undefined;
            if (inode.size > maxBytes) {
                throw new InputError(`${this.name.input}: ${this.name.file} holds ${path} of ${inode.size} bytes, more than the ${maxBytes} a file there can be`);
            }
            return await this.fileBytes(inode);
        });
    }
    async close() {
        await this.source.close();
    }
    /** Turns a record that is not what it claims, or a block that does not decompress, into one line naming the image. */
    async guard(work) {
        try {
            return await work();
        }
        catch (error) {
            const { input, file } = this.name;
            if (error instanceof SquashfsFormatError || error instanceof DecompressError) {
                throw new InputError(`${input}: ${file} is not a readable squashfs image: ${error.message}`);
            }
            if (error instanceof MissingProgramError) {
                throw new ToolError(`${input}: ${file} is ${this.superblock.compression}-compressed; this Node.js cannot decompress it and ${error.message}`);
            }
            if (error instanceof InputError || error instanceof ToolError)
                throw error;
            // zlib's own errors (Z_DATA_ERROR, a block larger than its bound) mean a corrupt block.
            throw new InputError(`${input}: ${file} is not a readable squashfs image: a block does not decompress (${error.message})`);
        }
    }
    async lookup(path) {
        const names = path.split('/').filter((part) => part !== '');
        if (names.length > squashfs_reader_MAX_DEPTH)
            return undefined;
        let inode = await this.inode(inodeRefOf(this.superblock.rootInode));
        if (inode.kind !== 'directory')
            throw new SquashfsFormatError('its root inode is not a directory');
        for (const name of names) {
            if (inode.kind !== 'directory')
                return undefined;
            const entry = (await this.listing(inode)).find((candidate) => candidate.name === name);
            if (entry === undefined)
                return undefined;
            inode = await this.inode(entry.inode);
        }
        return inode;
    }
    async inode(ref) {
        const { inodeTableStart, directoryTableStart, blockSize } = this.superblock;
        return { ...parseInode(await this.metadata(inodeTableStart, ref, INODE_FIXED_MAX_BYTES, directoryTableStart), blockSize), ref };
    }
    async listing(inode) {
        const key = `${inode.listing.block}:${inode.listing.offset}:${inode.listingBytes}`;
        let listing = this.listings.get(key);
        if (listing === undefined) {
            listing = (async () => {
                if (inode.listingBytes > MAX_LISTING_BYTES)
                    throw new SquashfsFormatError(`directory inode ${inode.number} says its listing is ${inode.listingBytes} bytes`);
                const bytes = await this.metadata(this.superblock.directoryTableStart, inode.listing, inode.listingBytes, this.directoryTableEnd);
                if (bytes.length < inode.listingBytes)
                    throw new SquashfsFormatError(`directory inode ${inode.number} runs past the end of the directory table`);
                return parseDirectoryListing(bytes);
            })();
            this.listings.set(key, listing);
        }
        return await listing;
    }
    /**
     * Up to `length` bytes of a metadata table (inode or directory table, or a fragment table block) from `ref`,
     * following the chain of metadata blocks that starts at `tableStart + ref.block`; fewer only where the table ends.
     */
    async metadata(tableStart, ref, length, tableEnd) {
        const pieces = [];
        let got = 0;
        let position = tableStart + ref.block;
        let skip = ref.offset;
        while (got < length && position < tableEnd) {
            const { data, next } = await this.metadataBlock(position, tableEnd);
            if (skip >= data.length) {
                skip -= data.length;
            }
            else {
                const piece = data.subarray(skip, skip + length - got);
                pieces.push(piece);
                got += piece.length;
                skip = 0;
            }
            position = next;
        }
        if (got === 0 && length > 0)
            throw new SquashfsFormatError(`a reference points past the end of a metadata table (at ${position})`);
        return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, got);
    }
    async metadataBlock(position, tableEnd) {
        let block = this.blocks.get(position);
        if (block === undefined) {
            block = (async () => {
                const raw = await this.bytes(position, Math.min(2 + METADATA_BLOCK_BYTES, tableEnd - position), 'a metadata block');
                if (raw.length < 2)
                    throw new SquashfsFormatError(`the metadata block at ${position} runs past the end of its table`);
                const { compressed, size } = parseMetadataHeader(raw.readUInt16LE(0));
                if (2 + size > raw.length)
                    throw new SquashfsFormatError(`the metadata block at ${position} runs past the end of its table`);
                const stored = raw.subarray(2, 2 + size);
                const data = compressed ? await this.decompress(stored, METADATA_BLOCK_BYTES, `the metadata block at ${position}`) : stored;
                return { data, next: position + 2 + size };
            })();
            this.blocks.set(position, block);
        }
        return await block;
    }
    async fileBytes(inode) {
        const { inodeTableStart, directoryTableStart, blockSize } = this.superblock;
        // The block list follows the inode's fixed part, possibly in the next metadata block.
        const listRef = { block: inode.ref.block, offset: inode.ref.offset + inode.blockListAt };
        const words = parseBlockList(await this.metadata(inodeTableStart, listRef, inode.blockCount * 4, directoryTableStart), inode.blockCount);
        const out = Buffer.alloc(inode.size);
        let filled = 0;
        let position = inode.blocksStart;
        for (const word of words) {
            const { compressed, size } = parseDataBlockSize(word);
            const expected = Math.min(blockSize, inode.size - filled);
            if (size === 0) {
                filled += expected; // a hole: zeros, already there
                continue;
            }
            const raw = await this.bytes(position, size, 'a data block');
            const data = compressed ? await this.decompress(raw, blockSize, `the data block at ${position}`) : raw;
            if (data.length !== expected)
                throw new SquashfsFormatError(`the data block at ${position} holds ${data.length} bytes, not ${expected}`);
            data.copy(out, filled);
            filled += expected;
            position += size;
        }
        if (inode.fragment !== NO_FRAGMENT) {
            const fragment = await this.fragment(inode.fragment);
            const tail = inode.size - filled;
            if (inode.fragmentOffset + tail > fragment.length)
                throw new SquashfsFormatError(`a file's tail runs past the end of fragment ${inode.fragment}`);
            fragment.copy(out, filled, inode.fragmentOffset, inode.fragmentOffset + tail);
        }
        else if (filled !== inode.size) {
            throw new SquashfsFormatError(`file inode ${inode.number} has blocks for ${filled} of its ${inode.size} bytes`);
        }
        return out;
    }
    async fragment(index) {
        let fragment = this.fragments.get(index);
        if (fragment === undefined) {
            fragment = (async () => {
                const { fragmentCount, fragmentTableStart, blockSize } = this.superblock;
                if (index >= fragmentCount)
                    throw new SquashfsFormatError(`a file names fragment ${index} of ${fragmentCount}`);
                // The fragment table is an index of u64 block positions; the metadata blocks it names hold 16-byte entries.
                const slot = Math.floor(index / FRAGMENT_ENTRIES_PER_BLOCK);
                const location = await this.bytes(fragmentTableStart + slot * 8, 8, 'the fragment table');
                const blockStart = Number(location.readBigUInt64LE(0));
                const entryRef = { block: 0, offset: (index % FRAGMENT_ENTRIES_PER_BLOCK) * FRAGMENT_ENTRY_BYTES };
                const entry = parseFragmentEntry(await this.metadata(blockStart, entryRef, FRAGMENT_ENTRY_BYTES, fragmentTableStart), 0);
                const { compressed, size } = parseDataBlockSize(entry.sizeWord);
                const raw = await this.bytes(entry.start, size, `fragment ${index}`);
                return compressed ? await this.decompress(raw, blockSize, `fragment ${index}`) : raw;
            })();
            // Files of one directory share fragments; a few are kept, not every one read.
            if (this.fragments.size >= 8)
                this.fragments.clear();
            this.fragments.set(index, fragment);
        }
        return await fragment;
    }
    /** Exactly `length` bytes at `position`, all inside the image. */
    async bytes(position, length, what) {
        if (position < 0 || length < 0 || position + length > this.superblock.bytesUsed) {
            throw new SquashfsFormatError(`${what} at ${position} (${length} bytes) lies past the end of the image (${this.superblock.bytesUsed} bytes)`);
        }
        const bytes = await this.source.read(position, length);
        if (bytes.length !== length)
            throw new SquashfsFormatError(`${what} at ${position} is cut short`);
        return bytes;
    }
    async decompress(stored, maxBytes, what) {
        try {
            return await this.decompressor.decompress(stored, maxBytes);
        }
        catch (error) {
            if (error instanceof ToolError)
                throw error;
            throw new DecompressError(`${what} does not decompress (${this.superblock.compression}: ${error.message})`);
        }
    }
}

;// CONCATENATED MODULE: ./src/addons/unsquashfs-tree.ts
// The same view of an addons image through squashfs-tools' unsquashfs (4.5+: -cat, -max-depth): for the compressors
// Node cannot decompress (xz, lzma, lzo, lz4). One process per listing or file read; nothing is extracted to disk.



/** Runs unsquashfs; a missing program is `undefined`, every other outcome is returned as it is. */
async function unsquashfs(args, maxBytes) {
    return await new Promise((resolve) => {
        (0,external_node_child_process_.execFile)('unsquashfs', args, { encoding: 'buffer', maxBuffer: maxBytes, env: process.env }, (error, stdout, stderr) => {
            const failure = error;
            if (failure?.code === 'ENOENT')
                resolve(undefined);
            else if (failure?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
                resolve({ code: 1, stdout, stderr: stderr.toString(), tooLarge: true });
            else
                resolve({ code: typeof failure?.code === 'number' ? failure.code : failure ? 1 : 0, stdout, stderr: stderr.toString() });
        });
    });
}
/** True when unsquashfs can be run here. */
async function unsquashfsAvailable() {
    return (await unsquashfs(['-v'], 1 << 20)) !== undefined;
}
const KINDS = { d: 'directory', '-': 'file', l: 'symlink' };
// `unsquashfs -lls`: mode, owner/group, size (or major, minor), date, time, then the path from the root.
const LISTING_LINE = /^(\S)\S{9} \S+\s+(?:\d+|\d+,\s*\d+) \d{4}-\d\d-\d\d \d\d:\d\d (.*)$/;
/** The direct children of `dir` in `unsquashfs -lls` output (paths from the root, "/modules/kernel"). */
function parseUnsquashfsListing(text, dir) {
    const prefix = dir === '' ? '/' : `/${dir}/`;
    let isDirectory = dir === '';
    const entries = [];
    for (const line of text.split('\n')) {
        const match = LISTING_LINE.exec(line);
        if (!match)
            continue;
        const kind = KINDS[match[1]] ?? 'other';
        const path = kind === 'symlink' ? match[2].replace(/ -> .*$/, '') : match[2];
        if (path === `/${dir}`)
            isDirectory = kind === 'directory';
        if (!path.startsWith(prefix) || path.length === prefix.length)
            continue;
        const name = path.slice(prefix.length);
        if (!name.includes('/'))
            entries.push({ name, kind });
    }
    return isDirectory ? entries : undefined;
}
class UnsquashfsTree {
    name;
    how;
    /** `why` says why unsquashfs reads it, for the log: "xz, which Node.js cannot decompress". */
    constructor(name, why) {
        this.name = name;
        this.how = `with unsquashfs (${why})`;
    }
    async list(path) {
        const depth = path === '' ? 1 : path.split('/').length + 1;
        // Paths from the root ("/modules"): a name from modules.dep that starts with "-" is never read as an option.
        const args = ['-lls', '-d', '', '-max-depth', String(depth), '-no-wildcards', (0,external_node_path_.resolve)(this.name.file), ...(path === '' ? [] : [`/${path}`])];
        const run = await this.run(args, 64 << 20);
        if (run.code !== 0 || run.tooLarge)
            throw this.failed(run);
        return parseUnsquashfsListing(run.stdout.toString('latin1'), path);
    }
    async read(path, maxBytes) {
        const run = await this.run(['-cat', '-no-wildcards', (0,external_node_path_.resolve)(this.name.file), `/${path}`], maxBytes);
        if (run.tooLarge)
            throw new InputError(`${this.name.input}: ${this.name.file} holds ${path} of more than the ${maxBytes} bytes a file there can be`);
        // A missing file is exit 2; a directory is exit 0 with "cat: /x is a directory" on stderr.
        if (run.code !== 0 || run.stderr.includes('cat: '))
            return undefined;
        return run.stdout;
    }
    async close() { }
    async run(args, maxBytes) {
        const run = await unsquashfs(args, maxBytes);
        if (run === undefined)
            throw new ToolError(`${this.name.input}: unsquashfs is no longer on PATH`);
        return run;
    }
    failed(run) {
        const why = run.tooLarge ? 'its listing is too long' : run.stderr.trim().split('\n').pop() || `exit ${run.code}`;
        return new InputError(`${this.name.input}: ${this.name.file} is not a readable squashfs image: unsquashfs says ${why}`);
    }
}

;// CONCATENATED MODULE: ./src/addons/open-addons.ts
// Opens an addons image for the check: in-process for gzip and zstd (the compressors Node can decompress: measured
// 15 ms against unsquashfs's 220 ms on Debian's module tree, see docs/notes-addons.md), through unsquashfs for the
// others (xz, lzma, lzo, lz4). A zstd image on a Node.js without zstd (before 22.15) goes to unsquashfs when it is
// there (160 ms), and else in-process with a run of the zstd program per block (280 ms).






const ADDONS_READERS = (/* unused pure expression or super */ null && (['auto', 'in-process', 'unsquashfs']));
/** The addons image `file` (named by input `input`) as a tree; `reader` forces one way (for measuring both). */
async function openAddons(file, input, reader = 'auto') {
    const { handle, size } = await openInputFile(file, input);
    let handedOver = false;
    try {
        const superblock = await readSquashfsSuperblock(handle, size, file, input);
        const compression = superblock.compression;
        if (compression === undefined) {
            throw new InputError(`${input}: ${file} is not a readable squashfs image: its superblock names compressor ${superblock.compressionId}, which squashfs does not define`);
        }
        const decompressor = reader === 'unsquashfs' ? undefined : squashfsDecompressor(superblock.compression);
        const slowZstd = reader === 'auto' && superblock.compression === 'zstd' && !hasNodeZstd() && (await unsquashfsAvailable());
        if (decompressor && !slowZstd) {
            handedOver = true;
            return new SquashfsReader(fileSource(handle), superblock, decompressor, { input, file });
        }
        if (reader === 'in-process')
            throw new ToolError(`${input}: ${file} is ${compression}-compressed, which kernel-action reads only through unsquashfs`);
        if (!(await unsquashfsAvailable())) {
            throw new ToolError(`${input}: ${file} is ${compression}-compressed, which Node.js cannot decompress; install unsquashfs (apt-get install squashfs-tools) to check it, or build it with gzip or zstd`);
        }
        const why = reader === 'unsquashfs' ? 'as asked' : slowZstd ? 'this Node.js has no zstd' : 'which Node.js cannot decompress';
        return new UnsquashfsTree({ input, file }, `${compression}, ${why}`);
    }
    finally {
        if (!handedOver)
            await handle.close();
    }
}

;// CONCATENATED MODULE: ./src/boot/addons-modules.ts
// Reads what a boot needs from an addons image, in-process (src/addons/): the module a guest loads to prove its addons,
// and, for a host kernel, the modules dom0 loads from its own addons, taken out uncompressed into the work folder.







const addons_modules_INDEX_MAX_BYTES = 64 << 20;
const MODULE_MAX_BYTES = 256 << 20;
/** All of dom0's modules together (Debian's Xen drivers with their dependencies: about 1 MiB); they live in its RAM. */
const DOM0_MODULES_MAX_BYTES = 64 << 20;
async function readIndex(tree) {
    const dep = await tree.read('modules/modules.dep', addons_modules_INDEX_MAX_BYTES);
    const builtin = await tree.read('modules/modules.builtin', addons_modules_INDEX_MAX_BYTES);
    return {
        dep: dep && parseModulesDep(dep.toString('latin1')),
        builtin: builtin && parseModulesBuiltin(builtin.toString('latin1')),
    };
}
async function withAddons(file, input, use) {
    const tree = await openAddons(file, input);
    try {
        return await use(tree);
    }
    finally {
        await tree.close();
    }
}
/**
 * The module the guest loads with modprobe from these addons: `named` (input `named.input`) when given, which
 * modules.dep must list; else one chosen by moduleToLoad, or undefined when they hold none safe to load.
 */
async function guestModuleOf(addons, input, named) {
    return withAddons(addons, input, async (tree) => {
        const { dep } = await readIndex(tree);
        if (named === undefined)
            return dep ? moduleToLoad(dep) : { none: 'none loaded: the addons hold no modules.dep' };
        if (!dep?.byName.has(named.module)) {
            throw new InputError(`${named.input}: ${named.module} is not in ${input} ${addons} (its modules/modules.dep does not list it)`);
        }
        return { module: named.module };
    });
}
/**
 * What a host kernel's dom0 loads from its addons (none given: everything is taken to be built in), each module
 * written uncompressed to `dir` (busybox's insmod takes plain .ko files).
 */
async function hostDom0Loads(addons, input, dir) {
    if (addons === undefined)
        return { files: [], ...planHostDom0(undefined, undefined) };
    return withAddons(addons, input, async (tree) => {
        const { dep, builtin } = await readIndex(tree);
        const plan = planHostDom0(dep, builtin);
        await (0,promises_.mkdir)(dir, { recursive: true });
        const files = [];
        let total = 0;
        for (const module of plan.modules) {
            // Each module within its own bound and all of them within dom0's: a tiny image of hard links or sparse files must
            // not be able to fill the disk (or dom0's RAM) with copies.
            const room = Math.min(MODULE_MAX_BYTES, DOM0_MODULES_MAX_BYTES - total);
            let bytes = await tree.read(`modules/${module.path}`, room);
            if (bytes === undefined)
                throw new InputError(`${input}: ${addons}: modules/modules.dep names ${module.path}, which is not a file in modules/`);
            const decompressor = moduleDecompressor(module.path);
            if (decompressor) {
                bytes = await decompressor.decompress(bytes, room).catch((error) => {
                    throw error instanceof DecompressError
                        ? new InputError(`${input}: ${addons}: modules/${module.path} does not decompress (${error.message})`)
                        : error;
                });
            }
            total += bytes.length;
            const source = external_node_path_default().join(dir, module.file);
            await (0,promises_.writeFile)(source, bytes);
            files.push({ name: module.file, source });
        }
        return { files, byStage: plan.byStage, absent: plan.absent };
    });
}

;// CONCATENATED MODULE: ./src/boot/run-boot.ts


















const run_boot_run = (0,external_node_util_.promisify)(external_node_child_process_.execFile);
async function runBootTest(options) {
    const log = options.log ?? (() => undefined);
    const started = Date.now();
    await (0,promises_.mkdir)(options.outDir, { recursive: true });
    const consoleLog = external_node_path_default().join(options.outDir, 'guest-console.log');
    const serialLog = external_node_path_default().join(options.outDir, 'qemu-serial.log');
    const info = await inspectKernelImage(options.image);
    const config = options.config ? await readKernelConfig(options.config) : undefined;
    const target = options.target ?? 'zone';
    // What the inputs alone can refuse is refused before QEMU or the kit are looked for.
    if (options.module && (target === 'host' || !options.addons)) {
        throw new InputError(`${options.module.input}: ${target === 'host' ? 'with a host kernel the guest is the bundled sample zone' : 'no addons to load it from'}`);
    }
    if (target === 'host' && info.arch === 'aarch64' && info.size > ARM64_DOM0_KERNEL_MAX_BYTES) {
        throw new InputError(`image: ${options.image} is ${Math.ceil(info.size / 2 ** 20)} MiB; the boot test places an arm64 dom0 kernel in ${ARM64_DOM0_KERNEL_MAX_BYTES / 2 ** 20} MiB (give Image.gz)`);
    }
    await options.prepare?.(info.arch);
    const host = await findBootHost(info.arch, { kit: options.bootKit, log });
    const work = await (0,promises_.mkdtemp)(external_node_path_default().join(options.outDir, 'work-'));
    try {
        // A host kernel is dom0, loading its drivers from its own addons; the bundled sample is the zone it must run.
        const reference = target === 'host' ? sampleKernel(info.arch) : undefined;
        const loads = reference ? await hostDom0Loads(options.addons, 'addons', external_node_path_default().join(work, 'dom0-modules')) : kitDom0Loads(host.dom0Modules);
        const guestAddons = reference
            ? { file: reference.addons, input: 'the reference zone addons' }
            : options.addons
                ? { file: options.addons, input: 'addons' }
                : undefined;
        const probe = guestAddons ? await guestModuleOf(guestAddons.file, guestAddons.input, options.module) : undefined;
        const guestRamdisk = external_node_path_default().join(work, 'guest-initrd.cpio');
        await writeCpio(guestRamdisk, guestRamdiskEntries(host.busybox, probe));
        const root = host.rootImage ?? (await squashfsOfDirs(host, work, 'root', ROOT_IMAGE_DIRS));
        const addons = guestAddons?.file ?? host.emptyAddons ?? (await squashfsOfDirs(host, work, 'empty-addons', []));
        const guestFiles = { kernel: reference?.image ?? options.image, ramdisk: guestRamdisk, root, addons };
        const guestBytes = (await Promise.all(Object.values(guestFiles).map((f) => (0,promises_.stat)(f)))).reduce((n, s) => n + s.size, 0);
        // Generous: a loaded 2-core machine without KVM took 140 s for a whole passing run.
        const timeoutSeconds = options.timeoutSeconds ?? 600;
        const dom0Initramfs = external_node_path_default().join(work, 'dom0-initramfs.cpio');
        await writeCpio(dom0Initramfs, dom0InitramfsEntries({
            busybox: host.busybox,
            loads,
            kind: target,
            xenBinDir: host.xenBinDir,
            xenPrograms: host.xenPrograms,
            xenstoreClient: host.xenstoreClient,
            libraries: host.libraries,
            guest: guestFiles,
            guestType: guestTypeOf(info.arch),
            guestTimeoutSeconds: Math.max(30, timeoutSeconds - 60),
        }));
        // A host kernel is QEMU's multiboot module on x86_64: linked into the work folder, its own path may hold anything.
        const dom0Kernel = reference ? external_node_path_default().join(work, 'dom0-kernel') : host.dom0Kernel;
        if (reference)
            await (0,promises_.symlink)(external_node_path_default().resolve(options.image), dom0Kernel);
        const plan = { arch: info.arch, xen: host.xen, dom0Kernel, dom0Initramfs, guestBytes };
        const device = options.kvmDevice ?? '/dev/kvm';
        const accels = planAccels(options.accel ?? 'auto', await kvmAccess(device, info.arch), device);
        let accelNote = accels.kvmSkipped && `KVM not tried: ${accels.kvmSkipped}`;
        if (accelNote)
            log(`boot test: ${accelNote}`);
        let lines = [];
        let accel = accels.order[0];
        // One budget for all QEMU runs: a KVM run given up late leaves the TCG run only what is left, not a fresh timeout.
        const deadline = Date.now() + timeoutSeconds * 1000;
        for (const [i, candidate] of accels.order.entries()) {
            accel = candidate;
            const last = i === accels.order.length - 1;
            log(`boot test: Xen in QEMU with ${candidate === 'kvm' ? 'KVM' : 'TCG (no KVM: software emulation)'}`);
            // A KVM run is watched: its failures pause QEMU instead of ending it. Only one that may fall back gets the
            // short bound for its first Xen line; one asked for alone is still killed on a KVM error line.
            const kvm = candidate === 'kvm' ? { probeSeconds: last ? undefined : (options.kvmProbeSeconds ?? KVM_PROBE_SECONDS) } : undefined;
            const left = Math.max(1, Math.round((deadline - Date.now()) / 1000));
            const result = await runQemu(host.qemu, qemuArgs({ ...plan, accel: candidate }), left, serialLog, kvm);
            lines = result.lines;
            const xenStarted = lines.some((l) => l.text.includes('(XEN)'));
            if (last || (!result.givenUp && xenStarted))
                break;
            accelNote = kvmGivenUp(result.givenUp ?? result.lastError ?? `QEMU exited with ${result.exitCode} before Xen started`, result.seconds);
            log(`boot test: ${accelNote}`);
            // The KVM attempt's log is kept beside the one of the run that counts.
            await (0,promises_.rename)(serialLog, serialLog.replace(/\.log$/, `.${candidate}.log`));
        }
        const guestLines = lines.filter((l) => l.text.startsWith(GUEST_PREFIX)).map((l) => l.text.slice(GUEST_PREFIX.length));
        await writeLines(consoleLog, guestLines);
        const specs = stageSpecs(info.arch, target);
        const stages = readStages(lines, specs);
        const passed = bootPassed(stages);
        return {
            status: passed ? 'passed' : 'failed',
            reason: passed ? undefined : firstFailure(stages, config, specs),
            stages,
            arch: info.arch,
            target,
            accel,
            accelNote,
            consoleLog,
            serialLog,
            seconds: (Date.now() - started) / 1000,
            release: info.release,
        };
    }
    finally {
        await (0,promises_.rm)(work, { recursive: true, force: true });
    }
}
/**
 * KVM is worth trying when the kernel is of the host's architecture and this user can open the device; what QEMU
 * prints under it decides the rest.
 */
async function kvmAccess(device, arch) {
    if (archOfNode(process.arch) !== arch)
        return 'other-arch';
    return (0,promises_.access)(device, promises_.constants.R_OK | promises_.constants.W_OK).then(() => 'usable', (error) => (error.code === 'ENOENT' ? 'absent' : 'denied'));
}
async function squashfsOfDirs(host, work, name, dirs) {
    if (host.mksquashfs === undefined)
        throw new InternalError(`boot test: ${host.source} brings no ${name} image and mksquashfs was not looked for`);
    const tree = external_node_path_default().join(work, `${name}.d`);
    await (0,promises_.mkdir)(tree, { recursive: true });
    for (const d of dirs)
        await (0,promises_.mkdir)(external_node_path_default().join(tree, d), { recursive: true });
    const image = external_node_path_default().join(work, `${name}.squashfs`);
    await run_boot_run(host.mksquashfs, [tree, image, '-noappend', '-all-root', '-no-xattrs', '-mkfs-time', '0', '-all-time', '0', '-quiet', '-no-progress']);
    return image;
}
/**
 * Runs QEMU, timestamping each serial line as it arrives (the stage times), and writes them all to `serialLog`. With
 * `kvm` (a KVM run), QEMU is killed at the first sign of a KVM failure, and with `kvm.probeSeconds` also when no
 * `(XEN)` line came in that time.
 */
function runQemu(qemu, args, timeoutSeconds, serialLog, kvm) {
    const probeSeconds = kvm?.probeSeconds;
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const lines = [];
        const out = (0,external_node_fs_.createWriteStream)(serialLog);
        // A full disk or an unwritable --out is this run's failure, not an uncaught one (the handler runs after spawn).
        out.on('error', (error) => {
            child.kill('SIGKILL');
            reject(error);
        });
        out.write(`# ${qemu} ${args.join(' ')}\n`);
        const child = (0,external_node_child_process_.spawn)(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let lastError;
        let givenUp;
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        const giveUp = (why) => {
            if (givenUp !== undefined)
                return;
            givenUp = why;
            out.write(`# given up: ${why}\n`);
            child.kill('SIGKILL');
        };
        let xenSeen = false;
        const probe = probeSeconds === undefined ? undefined : setTimeout(() => giveUp(`no (XEN) line within ${probeSeconds} s`), probeSeconds * 1000);
        const watch = (text) => {
            if (kvm === undefined)
                return;
            const failure = kvmFailureIn(text);
            if (failure)
                giveUp(failure);
            if (!xenSeen && text.includes('(XEN)')) {
                xenSeen = true;
                clearTimeout(probe);
            }
        };
        const record = (raw) => {
            // eslint-disable-next-line no-control-regex -- ESC (\x1b) is what starts the terminal escape sequences stripped here
            const text = raw.replace(/\r/g, '').replace(/\x1b(\[[0-9;?]*[A-Za-z]|[^[])/g, '');
            // hvc0 ends lines with CR CR LF: the blank line between every two lines is not output.
            if (text === '')
                return;
            const at = seconds();
            lines.push({ at, text });
            out.write(`[${at.toFixed(2).padStart(7)}] ${text}\n`);
            watch(text);
        };
        (0,external_node_readline_.createInterface)({ input: child.stdout }).on('line', record);
        (0,external_node_readline_.createInterface)({ input: child.stderr }).on('line', (l) => {
            lastError = l.trim() || lastError;
            record(`qemu: ${l}`);
        });
        const timer = setTimeout(() => {
            record(`qemu: killed after ${timeoutSeconds} s`);
            child.kill('SIGKILL');
        }, timeoutSeconds * 1000);
        child.on('error', (error) => {
            clearTimeout(timer);
            clearTimeout(probe);
            out.end();
            reject(error);
        });
        child.on('close', (exitCode) => {
            clearTimeout(timer);
            clearTimeout(probe);
            const ran = seconds();
            out.end(() => resolve({ lines, exitCode, lastError, givenUp, seconds: ran }));
        });
    });
}
async function writeLines(file, lines) {
    await new Promise((resolve, reject) => {
        const out = (0,external_node_fs_.createWriteStream)(file);
        out.on('error', reject);
        for (const l of lines)
            out.write(`${l}\n`);
        out.end(resolve);
    });
}

;// CONCATENATED MODULE: ./src/action/boot-step.ts









const boot_step_run = (0,external_node_util_.promisify)(external_node_child_process_.execFile);
/**
 * `boot-test`: after the check and before anything is written or pushed, boot the image as a Xen guest the way krata
 * does (x86_64 PV, aarch64 PVH). Its result gives `boot` (passed/failed/skipped) and `boot-log` in every mode, so a
 * workflow can always read them.
 */
async function bootStep(inputs, context, log) {
    if (inputs.mode === 'check' || !inputs.bootTest) {
        if (inputs.bootTest)
            log.notice('boot-test: no image to boot (the input `image` is empty); boot skipped');
        return { boot: { status: 'skipped', log: '' } };
    }
    const outcome = await core/* group */.Os(`Boot the kernel as ${inputs.check.target === 'host' ? 'dom0' : 'a Xen guest'} (Xen in QEMU)`, () => runBootTest({
        image: inputs.image,
        addons: inputs.addons || undefined,
        config: inputs.check.config,
        outDir: tempPath(context, 'kernel-action-boot'),
        log: (line) => log.info(line),
        prepare: (arch) => installBootTools(arch, log),
        bootKit: inputs.bootKit || undefined,
        target: inputs.check.target,
        module: inputs.bootModule ? { module: inputs.bootModule, input: 'boot-module' } : undefined,
    }));
    const boot = { status: outcome.status, log: outcome.consoleLog, serialLog: outcome.serialLog, reason: outcome.reason };
    const summary = renderBootSummary(outcome);
    if (outcome.status === 'failed')
        return { boot, summary, failure: outcome.reason ?? 'boot failed' };
    log.info(`boot-test: passed in ${outcome.seconds.toFixed(0)} s (${outcome.accel?.toUpperCase()})`);
    return { boot, summary };
}
function renderBootSummary(outcome) {
    const head = `### Boot test: ${outcome.status}`;
    const as = outcome.target === 'host' ? 'dom0, with the bundled sample zone kernel as its guest,' : `Xen ${guestTypeOf(outcome.arch).toUpperCase()} guest`;
    const how = `${as} under Xen in QEMU (${outcome.accel === 'kvm' ? 'KVM' : 'TCG, no KVM'}), ${outcome.seconds.toFixed(0)} s; times are seconds since QEMU started.`;
    const note = outcome.accelNote ? `${outcome.accelNote}.\n\n` : '';
    return `${head}\n\n${outcome.reason ? `**${outcome.reason}**\n\n` : ''}${how}\n\n${note}${stagesTable(outcome.stages)}\n`;
}
/** scripts/install-boot-tools.sh: QEMU for the kernel's architecture, the one thing the boot kit does not bring, installed with apt-get when missing. */
async function installBootTools(arch, log) {
    const started = Date.now();
    const installed = await boot_step_run('bash', [actionScript('install-boot-tools.sh'), arch], { maxBuffer: 16 << 20 }).catch((error) => {
        // The script's last word (it names what to install), else why it could not start (no bash on the PATH).
        const last = error.stderr?.trim().split('\n').pop();
        throw new ToolError(last?.startsWith('install-boot-tools: ')
            ? `boot-test: ${last.slice('install-boot-tools: '.length)}`
            : `boot-test: installing the boot tools failed: ${last || oneLine(error)}`);
    });
    const what = /installing (.*)/.exec(installed.stderr)?.[1];
    if (what)
        log.info(`boot-test: installed ${what} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

;// CONCATENATED MODULE: ./src/action/outputs.ts
// The step's outputs, all of them, from one result value and set in one place (nothing else calls core.setOutput):
// a workflow reads the same names whichever stage the step stopped at.

/** Every output of action.yml (__tests__/action-contract.test.ts holds the two together). */
const OUTPUTS = (/* unused pure expression or super */ null && ([
    'passed',
    'errors',
    'warnings',
    'report',
    'arch',
    'version',
    'fix-fragment',
    'metadata',
    'config-digest',
    'digest',
    'image-ref',
    'tags',
    'uname-r',
    'boot',
    'boot-log',
    'boot-serial-log',
    'config-changed',
    'drift-report',
]));
/** Each output's value, or undefined when the step did not get that far (the output is then not set). */
function outputValues(result) {
    const report = result.check?.report;
    const image = result.publish ?? result.merge;
    // A merge boots nothing (its images were booted, or not, in their own jobs): `skipped`, as a run that never booted.
    const boot = result.boot ?? (result.merge && { status: 'skipped', log: '' });
    return {
        passed: report && String(report.passed),
        errors: report && String(report.errors),
        warnings: report && String(report.warnings),
        report: result.check?.reportPath,
        arch: report?.arch,
        version: result.merge ? result.merge.version : report && (report.version ?? ''),
        'fix-fragment': result.fixFragment,
        metadata: result.publish?.metadataPath,
        'config-digest': result.publish?.configDigest,
        digest: image?.digest,
        'image-ref': image?.imageRef,
        tags: image?.tags.join('\n'),
        'uname-r': result.publish && (result.publish.kernel.release ?? ''),
        boot: boot?.status,
        'boot-log': boot?.log,
        'boot-serial-log': boot && (boot.serialLog ?? ''),
        'config-changed': result.drift && String(result.drift.configChanged),
        'drift-report': result.drift?.reportPath,
    };
}
/** The one place outputs are set: once, when the step ends, however it ends. */
function setOutputs(result) {
    for (const [name, value] of Object.entries(outputValues(result)))
        if (value !== undefined)
            core/* setOutput */.uH(name, value);
}

;// CONCATENATED MODULE: ./src/addons/build-addons.ts
// Input `modules`: builds addons.squashfs from the INSTALL_MOD_PATH of `make modules_install` the way Edera's
// hack/build/build.sh does (krata-formats.md §1.5): the release's tree becomes modules/, its build (and source) link
// is dropped, mksquashfs -all-root. Reproducibly: fixed times, no xattrs, gzip with 128 KiB blocks whatever the
// distribution's defaults, so the same tree gives the same bytes. The user's tree is never written to: it is mirrored
// (hard links where the file system allows, copies elsewhere) into a staging folder that is removed afterwards.




/** The links of lib/modules/<release>/ that point back into the build machine's source tree. */
const DROPPED_LINKS = new Set(['build', 'source']);
/** mksquashfs options: Edera's -all-root, plus what makes the output depend on the tree alone. */
const MKSQUASHFS_OPTIONS = ['-noappend', '-all-root', '-no-xattrs', '-comp', 'gzip', '-b', '131072', '-mkfs-time', '0', '-all-time', '0'];
/** Builds `request.output` from the tree; returns the release directory it took. */
async function buildAddons(request) {
    const input = request.input ?? 'modules';
    const tree = await releaseTree(request, input);
    const staging = await external_node_fs_.promises.mkdtemp(external_node_path_default().join(external_node_path_default().dirname(request.output), '.addons-staging-'));
    try {
        const modules = external_node_path_default().join(staging, 'modules');
        await mirror(tree, modules, input, true);
        // The root and modules/ directories get fixed modes: the staging folder's come from mkdtemp and the umask.
        await external_node_fs_.promises.chmod(staging, 0o755);
        await external_node_fs_.promises.chmod(modules, 0o755);
        // Absolute paths: an output named "-x" is never read as an option.
        await mksquashfs(staging, external_node_path_default().resolve(request.output), input);
        return { tree };
    }
    catch (error) {
        await external_node_fs_.promises.rm(request.output, { force: true });
        throw error;
    }
    finally {
        await external_node_fs_.promises.rm(staging, { recursive: true, force: true });
    }
}
/** `<modules>/lib/modules/<release>`, or a one-line InputError saying what is there instead. */
async function releaseTree(request, input) {
    const stat = await external_node_fs_.promises.stat(request.modules).catch((error) => {
        throw fileError(input, request.modules, error);
    });
    if (!stat.isDirectory())
        throw new InputError(`${input}: ${request.modules} is not a directory (give the INSTALL_MOD_PATH of make modules_install)`);
    const libModules = external_node_path_default().join(request.modules, 'lib', 'modules');
    const releases = (await external_node_fs_.promises.readdir(libModules, { withFileTypes: true }).catch(() => []))
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    if (releases.length === 0) {
        throw new InputError(`${input}: ${request.modules} has no lib/modules/<release>/ (give the INSTALL_MOD_PATH of make modules_install)`);
    }
    if (!releases.includes(request.release)) {
        const found = releases.map((name) => `lib/modules/${name}/`).join(', ');
        throw new InputError(`${input}: ${request.modules} holds ${found}, but ${request.image} is ${request.release}`);
    }
    const tree = external_node_path_default().join(libModules, request.release);
    // make modules_install runs depmod, which writes it; without kmod installed it silently does not.
    const dep = await external_node_fs_.promises.stat(external_node_path_default().join(tree, 'modules.dep')).catch(() => undefined);
    if (!dep?.isFile())
        throw new InputError(`${input}: ${request.modules} has no lib/modules/${request.release}/modules.dep (make modules_install writes it with depmod: is kmod installed?)`);
    return tree;
}
/** Mirrors directory `from` into `to`: directories with their modes, files hard-linked (or copied), links as links. */
async function mirror(from, to, input, top) {
    const stat = await external_node_fs_.promises.stat(from);
    await external_node_fs_.promises.mkdir(to);
    await external_node_fs_.promises.chmod(to, stat.mode & 0o7777);
    const entries = await external_node_fs_.promises.readdir(from, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const source = external_node_path_default().join(from, entry.name);
        const target = external_node_path_default().join(to, entry.name);
        if (top && DROPPED_LINKS.has(entry.name))
            continue;
        if (entry.isDirectory())
            await mirror(source, target, input, false);
        else if (entry.isSymbolicLink())
            await external_node_fs_.promises.symlink(await external_node_fs_.promises.readlink(source), target);
        else if (entry.isFile())
            await external_node_fs_.promises.link(source, target).catch(() => external_node_fs_.promises.copyFile(source, target));
        else
            throw new InputError(`${input}: ${source} is neither a file, a directory nor a symbolic link; a module tree holds only those`);
    }
}
async function mksquashfs(source, output, input) {
    // mksquashfs 4.6 refuses SOURCE_DATE_EPOCH beside explicit times; the explicit ones say more.
    const env = { ...process.env };
    delete env.SOURCE_DATE_EPOCH;
    await new Promise((resolve, reject) => {
        (0,external_node_child_process_.execFile)('mksquashfs', [source, output, ...MKSQUASHFS_OPTIONS, '-quiet', '-no-progress'], { env, maxBuffer: 4 << 20 }, (error, _stdout, stderr) => {
            if (!error)
                return resolve();
            if (error.code === 'ENOENT') {
                return reject(new ToolError(`${input}: building addons.squashfs needs mksquashfs (apt-get install squashfs-tools)`));
            }
            reject(new ToolError(`${input}: mksquashfs failed: ${stderr.trim().split('\n').pop() || error.message}`));
        });
    });
}

;// CONCATENATED MODULE: ./src/addons/modinfo.ts
/** ELF e_machine of each architecture kernel-action knows (elf.h: EM_X86_64, EM_AARCH64). */
const ELF_MACHINES = { x86_64: 62, aarch64: 183 };
/** The architecture an ELF machine number is, or the number itself for one kernel-action does not know. */
function archOfMachine(machine) {
    return Object.keys(ELF_MACHINES).find((arch) => ELF_MACHINES[arch] === machine) ?? `ELF machine ${machine}`;
}
/** The `vermagic=` value of the ELF object `elf` (32/64-bit, either byte order). */
function moduleVermagic(elf) {
    if (elf.length < 52 || elf.readUInt32BE(0) !== 0x7f454c46)
        return { problem: 'is not an ELF file' };
    const wide = elf[4] === 2;
    const little = elf[5] === 1;
    if ((elf[4] !== 1 && !wide) || (elf[5] !== 1 && elf[5] !== 2))
        return { problem: 'is an ELF file of unknown class or byte order' };
    const u16 = (at) => (little ? elf.readUInt16LE(at) : elf.readUInt16BE(at));
    const u32 = (at) => (little ? elf.readUInt32LE(at) : elf.readUInt32BE(at));
    const word = (at) => (wide ? Number(little ? elf.readBigUInt64LE(at) : elf.readBigUInt64BE(at)) : u32(at));
    if (wide && elf.length < 64)
        return { problem: 'is a cut ELF file' };
    const sectionsAt = word(wide ? 0x28 : 0x20);
    const entrySize = u16(wide ? 0x3a : 0x2e);
    const count = u16(wide ? 0x3c : 0x30);
    const namesIndex = u16(wide ? 0x3e : 0x32);
    const minimum = wide ? 64 : 40;
    if (entrySize < minimum || namesIndex >= count || sectionsAt + count * entrySize > elf.length)
        return { problem: 'has section headers past its end' };
    // Elf{32,64}_Shdr: sh_name at 0, then sh_offset and sh_size at 24/32 (64-bit) or 16/20 (32-bit).
    const section = (index) => {
        const at = sectionsAt + index * entrySize;
        return { name: u32(at), offset: word(at + (wide ? 24 : 16)), size: word(at + (wide ? 32 : 20)) };
    };
    const inside = (s) => s.offset + s.size <= elf.length;
    const names = section(namesIndex);
    if (!inside(names))
        return { problem: 'has its section names past its end' };
    for (let index = 0; index < count; index++) {
        const candidate = section(index);
        if (modinfo_cString(elf, names.offset + candidate.name, names.offset + names.size) !== '.modinfo')
            continue;
        if (!inside(candidate))
            return { problem: 'has its .modinfo section past its end' };
        // .modinfo is a run of NUL-terminated "key=value" strings.
        for (const field of elf.toString('latin1', candidate.offset, candidate.offset + candidate.size).split('\0')) {
            if (field.startsWith('vermagic='))
                return { vermagic: field.slice('vermagic='.length), machine: u16(18) };
        }
        return { problem: 'has no vermagic= in its .modinfo section' };
    }
    return { problem: 'has no .modinfo section (not a kernel module)' };
}
function modinfo_cString(bytes, start, end) {
    if (start >= end)
        return '';
    const nul = bytes.indexOf(0, start);
    return bytes.toString('latin1', start, nul === -1 || nul > end ? end : nul);
}
/** True when `vermagic` is that of a module built for `release`: the release, then a space or nothing. */
function vermagicMatches(vermagic, release) {
    return vermagic === release || vermagic.startsWith(`${release} `);
}
/** The release a vermagic names: its first word. */
function releaseOfVermagic(vermagic) {
    return vermagic.trim().split(/\s+/)[0] ?? '';
}

;// CONCATENATED MODULE: ./src/addons/check-addons.ts
// The addons rule (issue 20): krata's zone init bind-mounts /addons/modules onto /lib/modules/$(uname -r)
// (krata-formats.md §1.5), so addons.squashfs must hold modules/ at its top, with modules.dep in it, and its modules
// must have been built for the kernel's own release. Any other layout is one line naming what was found.




const MODULES_DEP_MAX_BYTES = 64 << 20;
/** Debian's largest module (amdgpu) is ~15 MiB unstripped; a .ko larger than this is not one. */
const check_addons_MODULE_MAX_BYTES = 256 << 20;
/** How deep the walk to the first module in the tree goes (modules/kernel/drivers/net/ethernet/intel/ice/ice.ko is 7). */
const WALK_DEPTH = 12;
/** How many directories that walk may list before it gives up (a tree of empty directories is not worth more). */
const WALK_LISTINGS = 64;
const RELEASE_LIKE = /^\d+\.\d+/;
/** Checks the tree of an addons image against the kernel it goes with; a mismatch is one InputError line. */
async function checkAddonsTree(tree, expected) {
    const where = `${expected.input}: ${expected.file}`;
    const top = (await tree.list('')) ?? [];
    const modulesEntry = top.find((entry) => entry.name === 'modules');
    if (modulesEntry === undefined) {
        const nested = await nestedRelease(tree, 'lib/modules');
        if (nested !== undefined) {
            throw new InputError(`${where} holds lib/modules/${nested}/ at its top; krata mounts modules/ from it (move lib/modules/${nested}/* to modules/)`);
        }
        if (!expected.modular)
            return { how: tree.how, checked: [] };
        throw new InputError(`${where} has no modules/ at its top (${holds(top)}); krata bind-mounts modules/ onto /lib/modules/${expected.release} (put the contents of lib/modules/${expected.release}/ there)`);
    }
    if (modulesEntry.kind !== 'directory')
        throw new InputError(`${where} has modules at its top, but as a ${modulesEntry.kind}, not a directory`);
    const inModules = (await tree.list('modules')) ?? [];
    if (!inModules.some((entry) => entry.name === 'modules.dep' && entry.kind === 'file')) {
        const nested = inModules.find((entry) => entry.kind === 'directory' && RELEASE_LIKE.test(entry.name))?.name;
        if (nested !== undefined) {
            throw new InputError(`${where} holds modules/${nested}/ at its top; krata bind-mounts modules/ itself onto /lib/modules/$(uname -r) (move modules/${nested}/* to modules/)`);
        }
        throw new InputError(`${where} has modules/ but no modules/modules.dep, which modprobe needs (make modules_install writes it; or run depmod)`);
    }
    const dep = (await tree.read('modules/modules.dep', MODULES_DEP_MAX_BYTES)) ?? Buffer.alloc(0);
    const listed = parseModulesDep(dep.toString('latin1')).entries.map((entry) => entry.path);
    const samples = sampleModules(listed);
    const walked = await firstModuleInTree(tree, 'modules', WALK_DEPTH, { listings: WALK_LISTINGS });
    if (walked !== undefined && !samples.includes(walked))
        samples.push(walked);
    const checked = [];
    for (const path of samples) {
        const fromDep = listed.includes(path);
        checked.push(await checkModule(tree, path, fromDep, expected));
    }
    return { how: tree.how, modules: listed.length, checked };
}
/** The first, middle and last module of modules.dep: three different corners of the tree. */
function sampleModules(listed) {
    if (listed.length === 0)
        return [];
    const picks = [listed[0], listed[Math.floor(listed.length / 2)], listed[listed.length - 1]];
    return [...new Set(picks)];
}
async function checkModule(tree, path, fromDep, expected) {
    const where = `${expected.input}: ${expected.file}`;
    let bytes = await tree.read(`modules/${path}`, check_addons_MODULE_MAX_BYTES);
    if (bytes === undefined)
        throw new InputError(`${where}: modules/modules.dep names ${path}, which is not a file in modules/`);
    const decompressor = moduleDecompressor(path);
    if (decompressor) {
        try {
            bytes = await decompressor.decompress(bytes, check_addons_MODULE_MAX_BYTES);
        }
        catch (error) {
            if (error instanceof MissingProgramError)
                return { path, skipped: error.message };
            throw new InputError(`${where}: modules/${path} does not decompress (${error.message})`);
        }
    }
    const found = moduleVermagic(bytes);
    if ('problem' in found)
        throw new InputError(`${where}: modules/${path} ${found.problem}`);
    if (!vermagicMatches(found.vermagic, expected.release)) {
        const release = releaseOfVermagic(found.vermagic);
        const which = fromDep ? `modules/${path}, listed in modules.dep` : `modules/${path}`;
        throw new InputError(`${where} holds modules built for ${release} (vermagic of ${which}), but ${expected.image} is ${expected.release}; modprobe refuses modules of another release`);
    }
    // One release, two builds: a multi-arch matrix can hand one leg the other's addons (the samples share 6.1.192-sample).
    if (expected.arch !== undefined && found.machine !== ELF_MACHINES[expected.arch]) {
        const which = fromDep ? `modules/${path}, listed in modules.dep` : `modules/${path}`;
        throw new InputError(`${where} holds modules built for ${archOfMachine(found.machine)} (ELF machine of ${which}), but ${expected.image} is an ${expected.arch} kernel; the kernel refuses modules of another architecture`);
    }
    return { path, vermagic: found.vermagic };
}
/** The release directory under `dir` (as in lib/modules/6.1.0-1/), when the tree has one. */
async function nestedRelease(tree, dir) {
    const entries = await tree.list(dir);
    return entries?.find((entry) => entry.kind === 'directory')?.name;
}
/** Walks down in name order (a level's files before its directories) to the first `.ko*` file. */
async function firstModuleInTree(tree, dir, depth, budget) {
    if (depth === 0 || budget.listings-- <= 0)
        return undefined;
    const entries = (await tree.list(dir)) ?? [];
    const module = entries.find((entry) => entry.kind === 'file' && /\.ko(\.(gz|xz|zst))?$/.test(entry.name));
    if (module)
        return `${dir}/${module.name}`.slice('modules/'.length);
    for (const entry of entries) {
        if (entry.kind !== 'directory')
            continue;
        const found = await firstModuleInTree(tree, `${dir}/${entry.name}`, depth - 1, budget);
        if (found !== undefined)
            return found;
    }
    return undefined;
}
function holds(entries) {
    if (entries.length === 0)
        return 'it is empty';
    const names = entries.slice(0, 5).map((entry) => (entry.kind === 'directory' ? `${entry.name}/` : entry.name));
    return `it holds ${names.join(', ')}${entries.length > 5 ? `, and ${entries.length - 5} more` : ''}`;
}

;// CONCATENATED MODULE: ./src/addons/prepare-addons.ts
// The addons half of a publish, run before anything is booted, written or pushed: build addons.squashfs from
// `modules` when given, then check the addons (given or built) against the kernel image's release.







/** Builds (from `modules`) and checks the addons; undefined when neither input is given. */
async function prepareAddons(request) {
    if (!request.addons && !request.modules)
        return undefined;
    if (request.addons && request.modules)
        throw new InternalError('prepareAddons: both addons and modules given (getInputs refuses that)');
    const { release, arch } = await inspectKernelImage(request.image);
    let file = request.addons ?? '';
    let builtFrom;
    if (request.modules) {
        await external_node_fs_.promises.mkdir(external_node_path_default().dirname(request.output), { recursive: true });
        file = request.output;
        builtFrom = (await buildAddons({ modules: request.modules, release, image: request.image, output: file })).tree;
    }
    const started = performance.now();
    // A built image is named by the tree it came from: that is what the user gave and can fix.
    const input = builtFrom ? 'modules' : 'addons';
    const tree = await openAddons(file, input, request.reader);
    try {
        const report = await checkAddonsTree(tree, { input, file: builtFrom ?? file, release, arch, image: request.image, modular: request.modular });
        return { file, ...(builtFrom ? { builtFrom } : {}), release, report, checkMs: performance.now() - started };
    }
    catch (error) {
        if (builtFrom)
            await external_node_fs_.promises.rm(file, { force: true });
        throw error;
    }
    finally {
        await tree.close();
    }
}
/** One line for the log: what the addons hold and how that was checked. */
function describeAddons(prepared) {
    const { report, release } = prepared;
    const source = prepared.builtFrom ? `${prepared.file}, built from ${prepared.builtFrom},` : prepared.file;
    const how = `read ${report.how} in ${Math.round(prepared.checkMs)} ms`;
    if (report.modules === undefined)
        return `addons: ${source} holds no modules/, as a kernel without CONFIG_MODULES may; ${how}`;
    const checked = report.checked.filter((module) => module.vermagic !== undefined);
    const skipped = report.checked.filter((module) => module.skipped !== undefined);
    const vermagic = checked[0]?.vermagic?.trim();
    const modules = `${report.modules} module${report.modules === 1 ? '' : 's'} in modules.dep`;
    const sample = checked.length > 0 ? `; vermagic "${vermagic}" in the ${checked.length} checked (first, middle and last of modules.dep, first in the tree)` : '';
    const notChecked = skipped.map((module) => `; ${module.path} not checked (${module.skipped})`).join('');
    return `addons: ${source} holds modules/ for ${release}: ${modules}${sample}${notChecked}; ${how}`;
}

;// CONCATENATED MODULE: ./src/main.ts















/**
 * The action: check the config, then (when an image is given and the check passes) describe and publish it; or, with
 * `merge`, join already published per-architecture images into one multi-arch index. Every input is checked before
 * any work; each stage adds its facts to one result, from which the outputs are set once, however the step ends.
 * Everything it says to the runner goes through one StepLog, whose annotations (the failure line included) stay
 * within GitHub's budget.
 */
async function main_run() {
    const log = new StepLog();
    const result = {};
    let failure;
    try {
        const context = readRunnerContext(process.env, process.cwd(), readWorkflowFacts());
        if (context.onRunner)
            log.countJobAnnotationsIn(tempPath(context, '.kernel-action-annotations'));
        const inputs = getInputs(context);
        await checkInputFiles(inputs);
        if (inputs.mode === 'merge') {
            failure = await runMerge(inputs, context, log, result);
        }
        else {
            // From here on a workflow can always read `boot`: skipped until the boot test runs.
            result.boot = { status: 'skipped', log: '' };
            failure = await runCheckAndPublish(inputs, context, log, result);
        }
    }
    catch (error) {
        if (!(error instanceof InputError) && error instanceof Error && error.stack)
            core/* debug */.Yz(error.stack);
        failure = oneLine(error);
    }
    setOutputs(result);
    log.finish(failure);
}
/** Merge mode: the per-architecture jobs checked and built; this step only joins their images. */
async function runMerge(inputs, context, log, result) {
    const merged = await core/* group */.Os('Merge the per-architecture images into one index', () => mergeStep(inputs, log));
    result.merge = merged;
    await writeSummary(renderMergeSummary(merged), context, log);
    return undefined;
}
/** Checks the config, then publishes when an image is given; returns the line the step fails with on unmet requirements. */
async function runCheckAndPublish(inputs, context, log, result) {
    const { check } = inputs;
    if (check.sample)
        log.notice(`No config given: using the bundled sample kernel (${check.config})`);
    const publishing = inputs.mode === 'publish' ? inputs : undefined;
    const summary = { failOn: check.failOn };
    let checked;
    try {
        checked = await core/* group */.Os('Check the kernel config', async () => {
            let outcome = await runCheck(check);
            if (check.kernelSource) {
                const explained = await explainStep(outcome, check.kernelSource, context, log);
                outcome = explained.outcome;
                summary.fixFragment = explained.fixFragment;
                result.fixFragment = explained.fixFragment.path;
            }
            logResults(outcome, log);
            emitAnnotations(outcome, await readFragmentLines(check.fragment), log, context.workspace);
            return outcome;
        });
        const { report } = checked;
        result.check = { report, reportPath: await writeReport(checked, check.report) };
        const outcome = checked;
        // Read before publishing: the reference tag is usually the one about to be overwritten.
        const reference = await core/* group */.Os('Read the kernel to compare with', () => pullReference(inputs.drift, outcome, log));
        const compare = async (published) => {
            if (!reference)
                return;
            const drift = await core/* group */.Os('Compare with the reference kernel', () => reportDrift(check, reference, outcome, published, context, log));
            summary.drift = drift.summary;
            result.drift = { configChanged: drift.configChanged, reportPath: drift.reportPath };
        };
        if (isFailing(report, check.failOn)) {
            // A kernel that fails its requirements is not published: nothing half-done is left behind.
            if (publishing) {
                const where = publishing.registry.repository ? ` or pushed to ${publishing.registry.repository}` : '';
                summary.notPublished = `the check failed (fail-on: ${check.failOn}; ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}), so nothing was written to the OCI layout${where}.`;
            }
            await compare();
            await writeSummary(renderSummary(report, summary), context, log);
            return failureLine(report);
        }
        // The addons (built from `modules` when given) are checked against the kernel before it is booted, written or pushed.
        const ready = publishing ? await withCheckedAddons(publishing, outcome, context, log) : undefined;
        // The boot test runs before anything is written or pushed: a kernel that does not boot is not published.
        const boot = await bootStep(ready ?? inputs, context, log).catch((error) => {
            // The harness itself could not run the test (tools missing, QEMU failing to start): that is a failed boot test too.
            result.boot = { status: 'failed', log: '', reason: oneLine(error) };
            throw error;
        });
        result.boot = boot.boot;
        summary.boot = boot.summary;
        if (boot.failure) {
            summary.notPublished = `it did not boot: ${boot.failure}.`;
            await compare();
            await writeSummary(renderSummary(report, summary), context, log);
            return boot.failure;
        }
        if (ready) {
            const published = await core/* group */.Os('Describe and publish the kernel image', () => publishStep(ready, outcome, context, log));
            result.publish = published;
            summary.publish = published;
            await compare(published);
        }
        else {
            await compare();
        }
        await writeSummary(renderSummary(report, summary), context, log);
        return undefined;
    }
    catch (error) {
        // The check ran before describe/publish failed: its summary is still worth having, with why nothing was published.
        if (checked) {
            // Published and then failed (the drift comparison): the image is out, so the summary must not say otherwise.
            if (publishing && !summary.publish)
                summary.notPublished = oneLine(error);
            await writeSummary(renderSummary(checked.report, summary), context, log).catch(() => undefined);
        }
        throw error;
    }
}
/** Builds addons.squashfs from `modules` when given, checks the addons against the kernel, and publishes those. */
async function withCheckedAddons(inputs, outcome, context, log) {
    const modular = outcome.config.entries.get('CONFIG_MODULES')?.state === 'y';
    const output = tempPath(context, 'kernel-action-addons', 'addons.squashfs');
    const { image, addons, modules } = inputs;
    const prepared = await core/* group */.Os('Check the addons against the kernel', () => prepareAddons({ image, addons, modules, modular, output }));
    if (prepared)
        log.info(describeAddons(prepared));
    return prepared ? { ...inputs, addons: prepared.file } : inputs;
}


/***/ })

};

//# sourceMappingURL=181.index.js.map