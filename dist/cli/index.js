import './sourcemap-register.cjs';import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 67:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   CO: () => (/* binding */ parseArch),
/* harmony export */   HS: () => (/* binding */ archNames),
/* harmony export */   U: () => (/* binding */ archOfConfig)
/* harmony export */ });
/* unused harmony exports KERNEL_ARCHES, OCI_ARCHES, kernelArchOf, ociArch, archOfOci, archOfSrcarch */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(916);
// The architectures krata runs, and every name each one goes by: one table, so no two modules disagree.

const ARCHES = [
    { kernel: 'x86_64', aliases: ['amd64', 'x86'], oci: 'amd64', kbuild: 'x86_64', srcarch: 'x86', configSymbol: 'CONFIG_X86_64' },
    { kernel: 'aarch64', aliases: ['arm64'], oci: 'arm64', kbuild: 'arm64', srcarch: 'arm64', configSymbol: 'CONFIG_ARM64' },
];
const KERNEL_ARCHES = ARCHES.map((a) => a.kernel);
const OCI_ARCHES = ARCHES.map((a) => a.oci);
/** All the names of one architecture. */
function archNames(arch) {
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(`${input}: ${JSON.stringify(value)} is not one of ${ARCHES.flatMap((a) => [a.kernel, ...a.aliases]).join(', ')}`);
    }
    return arch;
}
/** The OCI `architecture` of a kernel architecture. */
function ociArch(arch) {
    return archNames(arch).oci;
}
/** The kernel architecture of an OCI `architecture`, when krata runs it. */
function archOfOci(oci) {
    return ARCHES.find((a) => a.oci === oci)?.kernel;
}
/** The kernel architecture of a `.config` header's srcarch (`x86`, `arm64`). */
function archOfSrcarch(srcarch) {
    return ARCHES.find((a) => a.srcarch === srcarch)?.kernel;
}
/** Which architecture's own symbol is `y`, by a lookup of `CONFIG_*` names. */
function archOfConfig(isSet) {
    return ARCHES.find((a) => isSet(a.configSymbol))?.kernel;
}


/***/ }),

/***/ 333:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  f: () => (/* binding */ BOOT_USAGE),
  g: () => (/* binding */ bootCommand)
});

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(975);
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(916);
;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(455);
;// CONCATENATED MODULE: external "node:readline"
const external_node_readline_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:readline");
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(522);
// EXTERNAL MODULE: ./src/input-file.ts
var input_file = __nccwpck_require__(54);
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
/** Bytes of the x86 header this module needs: everything up to and including payload_length (0x24C/4). */
const BZIMAGE_HEADER_BYTES = 0x250;
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
    if (version >= 0x0208 && head.length >= BZIMAGE_HEADER_BYTES) {
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








/** The kernel_version string is short; this bounds the read. */
const VERSION_STRING_MAX_BYTES = 512;
/**
 * Inspects the kernel image at `path`; any unusable file is an InputError naming the `image` input. A file shorter than
 * its header says, a payload that does not decompress to its end, or one whose release cannot be read is refused.
 */
async function inspectKernelImage(path) {
    const { handle: file, size } = await (0,input_file/* openInputFile */.Hd)(path, 'image');
    try {
        const head = await readAt(file, 0, Math.max(BZIMAGE_HEADER_BYTES, PE_HEADER_BYTES));
        const bz = parseBzImageHeader(head);
        if (bz !== undefined)
            return await inspectBzImage(file, path, size, bz);
        if (isArm64ImageHeader(head)) {
            const extent = peFileExtent(head);
            if (extent !== undefined && extent > size) {
                throw new errors/* InputError */.dz(`image: ${path} is truncated: its PE header says ${extent} bytes but the file has ${size}`);
            }
            const { banner } = await scanImage(path, false);
            const info = { path, format: 'arm64-Image', arch: 'aarch64', payloadCompression: 'none', size };
            return withBanner(info, banner);
        }
        if (isGzip(head)) {
            const { banner, inflated, header } = await scanImage(path, true);
            const extent = peFileExtent(header);
            if (extent !== undefined && extent > inflated) {
                throw new errors/* InputError */.dz(`image: ${path} is truncated: it inflates to ${inflated} bytes but its PE header says ${extent}`);
            }
            const info = { path, format: 'arm64-Image.gz', arch: 'aarch64', payloadCompression: 'gzip', size };
            return withBanner(info, banner);
        }
        throw new errors/* InputError */.dz(`image: ${path} is not a Linux kernel image (no bzImage "HdrS" header, no arm64 Image magic)`);
    }
    finally {
        await file.close();
    }
}
async function inspectBzImage(file, path, size, bz) {
    if (bz.declaredSize !== undefined && bz.declaredSize > size) {
        throw new errors/* InputError */.dz(`image: ${path} is truncated: its boot header says ${bz.declaredSize} bytes (setup + syssize) but the file has ${size}`);
    }
    const info = { path, format: 'bzImage', arch: 'x86_64', size };
    if (bz.payload !== undefined) {
        const end = bz.payload.offset + bz.payload.length;
        if (end > size)
            throw new errors/* InputError */.dz(`image: ${path} is truncated: its payload ends at byte ${end} but the file has ${size}`);
        info.payloadCompression = payloadCompressionOf(await readAt(file, bz.payload.offset, PAYLOAD_MAGIC_BYTES));
        await checkPayloadEnds(file, path, bz.payload, info.payloadCompression);
    }
    const text = bz.versionStringOffset === undefined ? '' : cString(await readAt(file, bz.versionStringOffset, VERSION_STRING_MAX_BYTES));
    const release = text === '' ? undefined : releaseOf(text);
    if (release === undefined)
        throw new errors/* InputError */.dz(`image: ${path}: cannot read the kernel release (the boot header has no kernel_version string)`);
    return { ...info, versionString: text, release };
}
/**
 * A gzip payload is inflated to its end (streamed; the output is dropped) and an xz one must end in an xz footer, so a
 * bzImage cut or corrupted inside its payload is refused. Other compressions are only checked to fit the file.
 */
async function checkPayloadEnds(file, path, payload, compression) {
    if (compression === 'gzip') {
        const source = file.createReadStream({ start: payload.offset, end: payload.offset + payload.length - 1, autoClose: false, highWaterMark: 1 << 20 });
        try {
            await (0,external_node_stream_promises_namespaceObject.pipeline)(source, (0,external_node_zlib_.createGunzip)(), new external_node_stream_namespaceObject.Writable({ write: (_chunk, _encoding, done) => done() }));
        }
        catch (error) {
            throw new errors/* InputError */.dz(`image: ${path}: its gzip payload does not decompress to its end (${reasonOf(error)})`);
        }
    }
    else if (compression === 'xz') {
        const tail = await readAt(file, payload.offset + payload.length - 16, 16);
        if (!xzPayloadEnds(tail))
            throw new errors/* InputError */.dz(`image: ${path}: its xz payload has no xz stream footer at its end (truncated or corrupt)`);
    }
}
function withBanner(info, banner) {
    const release = banner === undefined ? undefined : releaseOf(banner);
    if (banner === undefined || release === undefined)
        throw new errors/* InputError */.dz(`image: ${info.path}: cannot read the kernel release (no "Linux version" banner in the ${FORMAT_WORDS[info.format]})`);
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
            // Leaving the loop destroys the stream: nothing more is read.
            if (scanner.banner === undefined)
                scanner.push(chunk);
            if (scanner.banner !== undefined && !gzipped)
                break;
        }
    }
    catch (error) {
        if (error instanceof errors/* InputError */.dz)
            throw error;
        if (gzipped)
            throw new errors/* InputError */.dz(`image: ${path}: its gzip stream does not decompress to its end (${reasonOf(error)})`);
        throw (0,errors/* fileError */.zS)('image', path, error);
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
    return new errors/* InputError */.dz(`image: ${path} is gzip-compressed but holds no arm64 Image (no "ARM\\x64" magic at offset 56)`);
}
function reasonOf(error) {
    const code = error?.code;
    if (code === 'Z_BUF_ERROR')
        return 'unexpected end of file';
    return error instanceof Error ? error.message : String(error);
}

// EXTERNAL MODULE: ./src/check/read-config.ts
var read_config = __nccwpck_require__(957);
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
        [fields.ino, fields.mode, 0, 0, fields.mode & S_IFDIR ? 2 : 1, 0, fields.size, 0, 0, fields.rdevMajor ?? 0, fields.rdevMinor ?? 0, nameBytes.length, 0]
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
                        throw new errors/* IntegrityError */.cs(`${entry.source} changed size while it was archived`);
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

;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
;// CONCATENATED MODULE: ./src/boot/stages.ts
const STAGES = [
    { id: 'xen', title: 'Xen hypervisor booted in QEMU', missing: 'Xen did not boot in QEMU', options: [], harness: true },
    { id: 'dom0', title: 'dom0 toolstack ready (xenstored, xenconsoled)', missing: 'dom0 did not get its Xen toolstack running', options: [], harness: true },
    {
        id: 'loaded',
        title: "Xen's PV domain builder loaded the kernel",
        missing: "Xen's PV domain builder rejected the image (a krata zone kernel is a bzImage with a gzip or xz payload)",
        options: ['CONFIG_XEN_PV'],
    },
    { id: 'console', title: 'guest kernel wrote to hvc0', missing: 'the guest kernel never wrote to hvc0', options: ['CONFIG_XEN_PV', 'CONFIG_HVC_XEN', 'CONFIG_PRINTK'] },
    { id: 'init', title: 'init ran from the ramdisk', missing: 'the guest kernel did not run init from its ramdisk', options: ['CONFIG_BLK_DEV_INITRD', 'CONFIG_BINFMT_ELF'] },
    { id: 'devtmpfs', title: 'devtmpfs mounted', missing: 'devtmpfs could not be mounted', options: ['CONFIG_DEVTMPFS'] },
    { id: 'xvda', title: 'Xen block device xvda (root image) present', missing: 'no xvda', options: ['CONFIG_XEN_BLKDEV_FRONTEND'] },
    { id: 'xvdc', title: 'Xen block device xvdc (addons) present', missing: 'no xvdc', options: ['CONFIG_XEN_BLKDEV_FRONTEND'] },
    { id: 'root', title: 'root squashfs mounted from xvda', missing: 'the root squashfs on xvda did not mount', options: ['CONFIG_SQUASHFS', 'CONFIG_SQUASHFS_ZLIB'] },
    { id: 'overlay', title: 'overlay on the root with a tmpfs upper layer', missing: 'the overlay with a tmpfs upper layer did not mount', options: ['CONFIG_OVERLAY_FS', 'CONFIG_TMPFS'] },
    { id: 'addons', title: 'addons squashfs mounted from xvdc', missing: 'the addons squashfs on xvdc did not mount', options: ['CONFIG_SQUASHFS'] },
    { id: 'modules', title: 'addons modules bound at /lib/modules/$(uname -r)', missing: 'the addons modules could not be bind-mounted', options: [] },
    { id: 'proc', title: 'proc mounted', missing: 'proc could not be mounted', options: ['CONFIG_PROC_FS'] },
    { id: 'sysfs', title: 'sysfs mounted', missing: 'sysfs could not be mounted', options: ['CONFIG_SYSFS'] },
    { id: 'cgroup2', title: 'cgroup2 mounted', missing: 'cgroup2 could not be mounted', options: ['CONFIG_CGROUPS'] },
    { id: 'devpts', title: 'devpts mounted', missing: 'devpts could not be mounted', options: ['CONFIG_UNIX98_PTYS'] },
    { id: 'marker', title: 'marker printed with uname -r', missing: 'the guest never printed its marker', options: [] },
    { id: 'poweroff', title: 'guest powered off', missing: 'the guest did not power off', options: [] },
];
/** Lines the dom0 init writes about the guest, and the prefix it puts on every line of the guest's console. */
const DOM0_PREFIX = 'ka-dom0: ';
const GUEST_PREFIX = 'ka-guest| ';
/** Lines the guest's init writes: `ka-boot: ok NAME`, `ka-boot: fail NAME why`, `ka-boot: skip NAME why`. */
const GUEST_STAGE_PREFIX = 'ka-boot: ';
/** Reads the stages from QEMU's serial output (Xen, dom0 and, prefixed, the guest console). */
function readStages(lines) {
    const seen = new Map();
    const mark = (id, state, at, detail) => {
        if (!seen.has(id))
            seen.set(id, { state, at, detail });
    };
    const xlErrors = [];
    for (const { at, text } of lines) {
        // Not anchored: SeaBIOS leaves terminal escapes in front of Xen's first line.
        if (/\(XEN\) Xen version \d/.test(text))
            mark('xen', 'ok', at);
        if (text.startsWith(DOM0_PREFIX)) {
            const what = text.slice(DOM0_PREFIX.length);
            if (what === 'ready')
                mark('dom0', 'ok', at);
            else if (what.startsWith('fail '))
                mark('dom0', 'failed', at, what.slice(5));
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
    return STAGES.map((spec) => {
        const s = seen.get(spec.id);
        return { id: spec.id, title: spec.title, state: s?.state ?? 'missing', at: s?.at, detail: s?.detail };
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
function firstFailure(results, config) {
    const failed = results.find((r) => r.state === 'failed' || r.state === 'missing');
    if (!failed)
        return undefined;
    const spec = STAGES.find((s) => s.id === failed.id);
    const parts = [spec.missing];
    if (failed.detail)
        parts.push(failed.detail);
    if (!spec.harness) {
        const cause = configCause(spec.options, config);
        if (cause)
            parts.push(cause);
    }
    return `boot failed at ${spec.id}: ${parts.join(': ')}`;
}
/** Which of `options` explains the failure: the ones not built in when the config is known, else all of them. */
function configCause(options, config) {
    if (options.length === 0)
        return undefined;
    if (!config)
        return `needs ${options.map((o) => `${o}=y`).join(', ')} (no config given to say which)`;
    const notBuiltIn = options.filter((o) => config.entries.get(o)?.state !== 'y');
    if (notBuiltIn.length === 0)
        return `${options.join(', ')} ${options.length === 1 ? 'is' : 'are'} built in; see the guest console log`;
    return notBuiltIn
        .map((o) => {
        const entry = config.entries.get(o);
        const state = entry?.state === 'm' ? 'is a module (=m)' : entry?.state === 'not-set' ? 'is not set' : entry ? `is ${entry.state}` : 'is absent';
        return `${o} ${state} in ${config.file}, krata needs it built in (=y)`;
    })
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
/** The Xen drivers dom0 needs, in load order (xenfs uses xen-privcmd), with loop and blkback for the disks. */
const DOM0_MODULES = ['xen-evtchn', 'xen-gntdev', 'xen-gntalloc', 'xen-privcmd', 'xenfs', 'loop', 'xen-blkback'];
/** The guest's name in xl, and where dom0 keeps the guest's files. */
const GUEST_NAME = 'zone';
const GUEST_DIR = '/guest';
/**
 * The guest's boot check, run by busybox's init from the ramdisk (so a kernel needs ELF support, not #! scripts, as
 * with krata's own init). It does what krata's zone init does, in its order, and reports each stage on hvc0.
 */
function guestCheckScript(deviceWaitSeconds = 20) {
    const S = GUEST_STAGE_PREFIX;
    return `export PATH=/bin
/bin/busybox --install -s /bin
say() { echo "${S}$*"; }
step() { name=$1; shift; if out=$("$@" 2>&1); then say "ok $name"; else say "fail $name $(echo "$out" | tr '\\n' ' ' | head -c 200)"; fi; }
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
modules() { m=/newroot/lib/modules/$(uname -r); mkdir -p "$m" && mount --bind /newroot/addons/modules "$m" && mount -o remount,bind,ro "$m"; }
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
/** The guest's ramdisk: an uncompressed newc cpio, as krata's is, with busybox as init running the boot check. */
function guestRamdiskEntries(busybox) {
    return [
        ...['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'image', 'overlay', 'newroot'].map((name) => ({ kind: 'dir', name })),
        { kind: 'char', name: 'dev/console', major: 5, minor: 1 },
        { kind: 'host-file', name: 'bin/busybox', mode: 0o755, source: busybox },
        { kind: 'symlink', name: 'bin/sh', target: 'busybox' },
        { kind: 'symlink', name: 'init', target: 'bin/busybox' },
        { kind: 'file', name: 'etc/inittab', data: '::sysinit:/bin/sh /boot-check\n' },
        { kind: 'file', name: 'boot-check', mode: 0o755, data: guestCheckScript() },
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
/** krata's disk layout: xvda the root image, xvdc the addons (xvdb, the config block, is not needed to boot). */
function guestXlConfig(memoryMiB = 128) {
    const disk = (vdev, loop) => `"format=raw, vdev=${vdev}, access=ro, script=${GUEST_DIR}/hotplug, target=${loop}"`;
    return [
        `name = "${GUEST_NAME}"`,
        'type = "pv"',
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
 * dom0's init: the order that works (xen-in-qemu.md): pseudo-filesystems with devpts, the Xen modules, xenfs,
 * xenstored, xen-init-dom0, xenconsoled; then the guest is created paused, its console attached, and it is unpaused,
 * so that not one line of its console is lost. Every guest console line is prefixed so the harness can tell them apart.
 */
function dom0InitScript(xenBinDir, guestTimeoutSeconds) {
    const D = DOM0_PREFIX;
    return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:${xenBinDir}
say() { echo "${D}$*"; }
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /var/run/xen /var/log/xen /var/lib/xen /var/lock /run
mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /var/run/xen
for m in ${DOM0_MODULES.join(' ')}; do insmod /lib/modules/$m.ko 2>/tmp/insmod || say "fail insmod $m: $(cat /tmp/insmod)"; done
mount -t xenfs xenfs /proc/xen || say "fail mount xenfs"
xenstored 2>/tmp/xenstored || say "fail xenstored: $(cat /tmp/xenstored)"
xen-init-dom0 >/tmp/init-dom0 2>&1 || say "fail xen-init-dom0: $(tail -n 1 /tmp/init-dom0)"
xenconsoled || say "fail xenconsoled"
losetup -r /dev/loop0 ${GUEST_DIR}/root.squashfs && losetup -r /dev/loop1 ${GUEST_DIR}/addons.squashfs || say "fail losetup"
say ready
if xl create -p ${GUEST_DIR}/guest.cfg >/tmp/xl 2>&1; then created=1; else created=; fi
sed 's/^/${D}xl| /' /tmp/xl
if [ -n "$created" ]; then
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
    const dirs = new Set(['bin', 'usr', 'usr/bin', 'dev', 'proc', 'sys', 'tmp', 'run', 'var', 'var/run', 'etc', 'etc/xen', 'lib', 'lib/modules', GUEST_DIR.slice(1)]);
    const withParents = (p) => {
        const parts = p.replace(/^\/+/, '').split('/').slice(0, -1);
        for (let i = 1; i <= parts.length; i++)
            dirs.add(parts.slice(0, i).join('/'));
    };
    const programs = files.xenPrograms.map((p) => `${files.xenBinDir}/${p.split('/').pop()}`);
    [...programs, ...files.libraries].forEach(withParents);
    const sortedDirs = [...dirs].sort();
    return [
        ...sortedDirs.map((name) => ({ kind: 'dir', name })),
        { kind: 'char', name: 'dev/console', major: 5, minor: 1 },
        { kind: 'host-file', name: 'bin/busybox', mode: 0o755, source: files.busybox },
        { kind: 'file', name: 'init', mode: 0o755, data: dom0InitScript(files.xenBinDir, files.guestTimeoutSeconds) },
        { kind: 'file', name: 'etc/xen/xl.conf', data: '' },
        ...DOM0_MODULES.map((m) => ({ kind: 'host-file', name: `lib/modules/${m}.ko`, source: files.modules[m] })),
        ...files.xenPrograms.map((p, i) => ({ kind: 'host-file', name: programs[i], mode: 0o755, source: p })),
        { kind: 'host-file', name: 'usr/bin/xenstore', mode: 0o755, source: files.xenstoreClient },
        { kind: 'symlink', name: 'usr/bin/xenstore-read', target: 'xenstore' },
        { kind: 'symlink', name: 'usr/bin/xenstore-write', target: 'xenstore' },
        ...files.libraries.map((l) => ({ kind: 'host-file', name: l, mode: 0o755, source: l })),
        { kind: 'file', name: `${GUEST_DIR}/hotplug`, mode: 0o755, data: HOTPLUG_SCRIPT },
        { kind: 'file', name: `${GUEST_DIR}/guest.cfg`, data: guestXlConfig() },
        { kind: 'host-file', name: `${GUEST_DIR}/kernel`, source: files.guest.kernel },
        { kind: 'host-file', name: `${GUEST_DIR}/initrd`, source: files.guest.ramdisk },
        { kind: 'host-file', name: `${GUEST_DIR}/root.squashfs`, source: files.guest.root },
        { kind: 'host-file', name: `${GUEST_DIR}/addons.squashfs`, source: files.guest.addons },
    ];
}
/**
 * QEMU's arguments: Xen as the multiboot kernel, dom0's kernel and initramfs as its modules. TCG needs
 * `-cpu Haswell-noTSX` (with `-cpu max` dom0 dies at once); KVM takes the host's CPU.
 * dom0 gets one vCPU (the guest runs on the other) and Xen does not scrub free RAM at boot: under TCG both cost
 * seconds (the sample's whole boot test went from 70 s to 33 s on the same loaded machine with these two).
 */
function qemuArgs(plan) {
    for (const p of [plan.xen, plan.dom0Kernel, plan.dom0Initramfs]) {
        if (p.includes(','))
            throw new errors/* InputError */.dz(`${p}: QEMU's multiboot module list cannot hold a path with a comma`);
    }
    const dom0MiB = 512 + Math.ceil((plan.guestBytes * 2) / 2 ** 20);
    return [
        '-accel', plan.accel,
        '-cpu', plan.accel === 'kvm' ? 'host' : 'Haswell-noTSX',
        '-m', String(dom0MiB + 384),
        '-smp', '2',
        '-nographic', '-nodefaults', '-no-reboot',
        '-serial', 'stdio',
        '-kernel', plan.xen,
        '-append', `console=com1 dom0_mem=${dom0MiB}M dom0_max_vcpus=1 bootscrub=0 noreboot`,
        '-initrd', `${plan.dom0Kernel} console=hvc0 quiet,${plan.dom0Initramfs}`,
    ];
}

;// CONCATENATED MODULE: ./src/boot/host-tools.ts











const run = (0,external_node_util_.promisify)(external_node_child_process_namespaceObject.execFile);
/** Where downloads and unpacked pieces are kept between runs (the same cache as scripts/debian-package.sh). */
function cacheDir() {
    if (process.env.KERNEL_ACTION_CACHE)
        return process.env.KERNEL_ACTION_CACHE;
    // A runner's user cannot write /var/cache; its home can be kept between jobs with actions/cache.
    return process.getuid?.() === 0 ? '/var/cache/kernel-action' : external_node_path_default().join((0,external_node_os_namespaceObject.homedir)(), '.cache', 'kernel-action');
}
const XEN_PROGRAMS = ['xl', 'xenstored', 'xenconsoled', 'xen-init-dom0', 'libxl-save-helper', 'xenconsole'];
/** The one line to show when a piece is missing: what to install (scripts/install-boot-tools.sh does it all). */
class MissingTool extends Error {
    constructor(what, pkg) {
        super(`boot test: ${what} not found; install ${pkg} (scripts/install-boot-tools.sh installs everything the boot test needs)`);
    }
}
async function findBootHost() {
    const qemu = await which('qemu-system-x86_64', 'qemu-system-x86');
    const mksquashfs = await which('mksquashfs', 'squashfs-tools');
    const busybox = '/bin/busybox';
    if (!(0,external_node_fs_.existsSync)(busybox) || !(await isStatic(busybox)))
        throw new MissingTool('a static /bin/busybox', 'busybox-static');
    const xen = await unpackedXen();
    const xenBinDir = await findXenBinDir();
    const xenPrograms = XEN_PROGRAMS.map((p) => external_node_path_default().join(xenBinDir, p));
    const xenstoreClient = '/usr/bin/xenstore-write';
    if (!(0,external_node_fs_.existsSync)(xenstoreClient))
        throw new MissingTool('xenstore-write', 'xenstore-utils');
    const { kernel: dom0Kernel, modules: dom0Modules } = await dom0KernelPackage();
    const libraries = await sharedLibraries([...xenPrograms, xenstoreClient]);
    return { xen, dom0Kernel, dom0Modules, xenBinDir, xenPrograms, xenstoreClient, libraries, busybox, mksquashfs, qemu };
}
async function which(program, pkg) {
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
    const gz = (await (0,promises_.readdir)('/boot').catch(() => [])).filter((f) => /^xen-4\.\d+-amd64\.gz$/.test(f)).sort().pop();
    if (!gz)
        throw new MissingTool('the Xen hypervisor (/boot/xen-4.*-amd64.gz)', 'xen-hypervisor-4.17-amd64');
    const dir = external_node_path_default().join(cacheDir(), 'boot');
    const target = external_node_path_default().join(dir, gz.replace(/\.gz$/, ''));
    if (!(0,external_node_fs_.existsSync)(target)) {
        await (0,promises_.mkdir)(dir, { recursive: true });
        const partial = `${target}.${process.pid}.partial`;
        await (0,external_node_stream_promises_namespaceObject.pipeline)((0,external_node_fs_.createReadStream)(external_node_path_default().join('/boot', gz)), (0,external_node_zlib_.createGunzip)(), (0,external_node_fs_.createWriteStream)(partial));
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
/** scripts/debian-package.sh, found by walking up from this file (src/boot under jest, dist/ or dist/cli bundled). */
function actionScript(name) {
    let dir = external_node_path_default().dirname((0,external_node_url_namespaceObject.fileURLToPath)(import.meta.url));
    for (let depth = 0; depth < 5; depth++) {
        const candidate = external_node_path_default().join(dir, 'scripts', name);
        if ((0,external_node_fs_.existsSync)(candidate))
            return candidate;
        dir = external_node_path_default().dirname(dir);
    }
    throw new errors/* InternalError */.Gd(`scripts/${name} is missing from this copy of kernel-action`);
}
/** Debian's distribution kernel supports PV dom0 and ships every Xen backend as a module; it is fetched and cached. */
async function dom0KernelPackage() {
    let dir;
    try {
        dir = (await run('bash', [actionScript('debian-package.sh'), 'linux-image-amd64'], { maxBuffer: 1 << 20, env: { ...process.env, KERNEL_ACTION_CACHE: cacheDir() } })).stdout.trim();
    }
    catch (error) {
        const stderr = error.stderr?.trim().split('\n').pop() ?? String(error);
        throw new errors/* ToolError */.v4(`boot test: cannot fetch the dom0 kernel (Debian's linux-image-amd64): ${stderr}`);
    }
    const kernel = (await (0,promises_.readdir)(external_node_path_default().join(dir, 'boot'))).find((f) => f.startsWith('vmlinuz-'));
    if (!kernel)
        throw new errors/* ToolError */.v4(`boot test: no vmlinuz in ${dir}/boot`);
    const found = new Map();
    const walk = async (d) => {
        for (const e of await (0,promises_.readdir)(d, { withFileTypes: true })) {
            const p = external_node_path_default().join(d, e.name);
            if (e.isDirectory())
                await walk(p);
            else if (e.name.endsWith('.ko'))
                found.set(e.name.slice(0, -3), p);
        }
    };
    await walk(external_node_path_default().join(dir, 'lib', 'modules'));
    const modules = {};
    for (const m of DOM0_MODULES) {
        const p = found.get(m);
        if (!p)
            throw new errors/* ToolError */.v4(`boot test: the dom0 kernel in ${dir} has no ${m}.ko (compressed modules are not supported)`);
        modules[m] = p;
    }
    return { kernel: external_node_path_default().join(dir, 'boot', kernel), modules };
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

;// CONCATENATED MODULE: ./src/boot/run-boot.ts












const run_boot_run = (0,external_node_util_.promisify)(external_node_child_process_namespaceObject.execFile);
/** Why an aarch64 kernel is not booted (README "Boot test" says what it would take). */
const AARCH64_SKIP_REASON = 'aarch64 kernels are not boot-tested yet: it needs Xen for arm64 under qemu-system-aarch64 -machine virt,virtualization=on with the guest-loader device';
async function runBootTest(options) {
    const log = options.log ?? (() => undefined);
    const started = Date.now();
    await (0,promises_.mkdir)(options.outDir, { recursive: true });
    const consoleLog = external_node_path_default().join(options.outDir, 'guest-console.log');
    const serialLog = external_node_path_default().join(options.outDir, 'qemu-serial.log');
    const info = await inspectKernelImage(options.image);
    const config = options.config ? await (0,read_config/* readKernelConfig */.iF)(options.config) : undefined;
    if (info.arch === 'aarch64') {
        return { status: 'skipped', reason: AARCH64_SKIP_REASON, stages: [], consoleLog, serialLog, seconds: 0, release: info.release };
    }
    await options.prepare?.();
    const host = await findBootHost();
    const work = await (0,promises_.mkdtemp)(external_node_path_default().join(options.outDir, 'work-'));
    try {
        const guestRamdisk = external_node_path_default().join(work, 'guest-initrd.cpio');
        await writeCpio(guestRamdisk, guestRamdiskEntries(host.busybox));
        const root = await squashfsOfDirs(host, work, 'root', ROOT_IMAGE_DIRS);
        const addons = options.addons ?? (await squashfsOfDirs(host, work, 'empty-addons', []));
        const guestFiles = { kernel: options.image, ramdisk: guestRamdisk, root, addons };
        const guestBytes = (await Promise.all(Object.values(guestFiles).map((f) => (0,promises_.stat)(f)))).reduce((n, s) => n + s.size, 0);
        // Generous: a loaded 2-core machine without KVM took 140 s for a whole passing run.
        const timeoutSeconds = options.timeoutSeconds ?? 600;
        const dom0Initramfs = external_node_path_default().join(work, 'dom0-initramfs.cpio');
        await writeCpio(dom0Initramfs, dom0InitramfsEntries({
            busybox: host.busybox,
            modules: host.dom0Modules,
            xenBinDir: host.xenBinDir,
            xenPrograms: host.xenPrograms,
            xenstoreClient: host.xenstoreClient,
            libraries: host.libraries,
            guest: guestFiles,
            guestTimeoutSeconds: Math.max(30, timeoutSeconds - 60),
        }));
        const plan = { xen: host.xen, dom0Kernel: host.dom0Kernel, dom0Initramfs, guestBytes };
        const accels = options.accel === 'kvm' || options.accel === 'tcg' ? [options.accel] : (await kvmUsable()) ? ['kvm', 'tcg'] : ['tcg'];
        let lines = [];
        let accel = accels[0];
        for (const candidate of accels) {
            accel = candidate;
            log(`boot test: Xen in QEMU with ${candidate === 'kvm' ? 'KVM' : 'TCG (no KVM: software emulation)'}`);
            const result = await runQemu(host.qemu, qemuArgs({ ...plan, accel: candidate }), timeoutSeconds, serialLog);
            lines = result.lines;
            const xenStarted = lines.some((l) => l.text.includes('(XEN)'));
            if (xenStarted || candidate === accels[accels.length - 1])
                break;
            log(`boot test: QEMU with KVM failed before Xen started (${result.lastError ?? `exit ${result.exitCode}`}); falling back to TCG`);
        }
        const guestLines = lines.filter((l) => l.text.startsWith(GUEST_PREFIX)).map((l) => l.text.slice(GUEST_PREFIX.length));
        await writeLines(consoleLog, guestLines);
        const stages = readStages(lines);
        const passed = bootPassed(stages);
        return {
            status: passed ? 'passed' : 'failed',
            reason: passed ? undefined : firstFailure(stages, config),
            stages,
            accel,
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
/** KVM is worth trying when /dev/kvm can be opened; QEMU's own failure (e.g. "failed to set MSR 0x10a") decides the rest. */
async function kvmUsable() {
    return (0,promises_.access)('/dev/kvm', promises_.constants.R_OK | promises_.constants.W_OK).then(() => true, () => false);
}
async function squashfsOfDirs(host, work, name, dirs) {
    const tree = external_node_path_default().join(work, `${name}.d`);
    await (0,promises_.mkdir)(tree, { recursive: true });
    for (const d of dirs)
        await (0,promises_.mkdir)(external_node_path_default().join(tree, d), { recursive: true });
    const image = external_node_path_default().join(work, `${name}.squashfs`);
    await run_boot_run(host.mksquashfs, [tree, image, '-noappend', '-all-root', '-no-xattrs', '-mkfs-time', '0', '-all-time', '0', '-quiet', '-no-progress']);
    return image;
}
/** Runs QEMU, timestamping each serial line as it arrives (the stage times), and writes them all to `serialLog`. */
function runQemu(qemu, args, timeoutSeconds, serialLog) {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const lines = [];
        const out = (0,external_node_fs_.createWriteStream)(serialLog);
        out.write(`# ${qemu} ${args.join(' ')}\n`);
        const child = (0,external_node_child_process_namespaceObject.spawn)(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let lastError;
        const record = (raw) => {
            const text = raw.replace(/\r/g, '').replace(/\x1b(\[[0-9;?]*[A-Za-z]|[^[])/g, '');
            // hvc0 ends lines with CR CR LF: the blank line between every two lines is not output.
            if (text === '')
                return;
            const at = Number(process.hrtime.bigint() - started) / 1e9;
            lines.push({ at, text });
            out.write(`[${at.toFixed(2).padStart(7)}] ${text}\n`);
        };
        (0,external_node_readline_namespaceObject.createInterface)({ input: child.stdout }).on('line', record);
        (0,external_node_readline_namespaceObject.createInterface)({ input: child.stderr }).on('line', (l) => {
            lastError = l.trim() || lastError;
            record(`qemu: ${l}`);
        });
        const timer = setTimeout(() => {
            record(`qemu: killed after ${timeoutSeconds} s`);
            child.kill('SIGKILL');
        }, timeoutSeconds * 1000);
        child.on('error', (error) => {
            clearTimeout(timer);
            out.end();
            reject(error);
        });
        child.on('close', (exitCode) => {
            clearTimeout(timer);
            out.end(() => resolve({ lines, exitCode, lastError }));
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

;// CONCATENATED MODULE: ./src/boot/boot-command.ts





const BOOT_USAGE = `usage: kernel-action boot --image bzImage [--addons addons.squashfs] [--config .config]
                          [--out DIR] [--accel auto|kvm|tcg] [--timeout SECONDS]
exit status: 0 passed, 1 failed, 2 usage or input error, 3 skipped (aarch64)`;
/** `kernel-action boot`: boots the kernel as a Xen PV guest under Xen in QEMU and prints each stage. */
async function bootCommand(args) {
    const { values } = (0,external_node_util_.parseArgs)({
        args,
        options: {
            image: { type: 'string' },
            addons: { type: 'string' },
            config: { type: 'string' },
            out: { type: 'string' },
            accel: { type: 'string', default: 'auto' },
            timeout: { type: 'string', default: '600' },
        },
        strict: true,
        allowPositionals: false,
    });
    if (!values.image)
        throw new errors/* InputError */.dz('--image bzImage is required');
    const timeoutSeconds = Number(values.timeout);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 30)
        throw new errors/* InputError */.dz(`--timeout: ${JSON.stringify(values.timeout)} is not a whole number of seconds, at least 30`);
    const outcome = await runBootTest({
        image: values.image,
        addons: values.addons,
        config: values.config,
        outDir: values.out ?? external_node_path_default().join((0,external_node_os_namespaceObject.tmpdir)(), `kernel-action-boot-${process.pid}`),
        accel: (0,errors/* oneOf */.yL)('--accel', values.accel ?? 'auto', ['auto', 'kvm', 'tcg']),
        timeoutSeconds,
        log: (line) => process.stdout.write(`${line}\n`),
    });
    for (const s of outcome.stages) {
        const time = s.at === undefined ? '      ' : `${s.at.toFixed(1).padStart(5)}s`;
        process.stdout.write(`${time} ${s.state.padEnd(7)} ${s.title}${s.detail ? ` (${s.detail})` : ''}\n`);
    }
    if (outcome.status === 'skipped') {
        process.stdout.write(`boot test skipped: ${outcome.reason}\n`);
        return 3;
    }
    process.stdout.write(`guest console: ${outcome.consoleLog}\n`);
    if (outcome.status === 'failed') {
        process.stdout.write(`${outcome.reason}\n`);
        return 1;
    }
    process.stdout.write(`boot passed: ${outcome.release ?? 'the kernel'} booted as a Xen PV guest and did what krata's zone init needs (${outcome.accel?.toUpperCase()}, ${outcome.seconds.toFixed(0)} s)\n`);
    return 0;
}


/***/ }),

/***/ 65:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C: () => (/* binding */ evaluateRequirements),
/* harmony export */   a: () => (/* binding */ countResults)
/* harmony export */ });
/* harmony import */ var _requirement_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(52);
/* harmony import */ var _kernel_config_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(746);


/** Checks every requirement against the config. Pure: same inputs, same results, in requirement order. */
function evaluateRequirements(config, requirements, options) {
    const ignored = new Set((options.ignore ?? []).map(withPrefix));
    const kernel = (0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_0__/* .majorMinor */ .vI)(options.version);
    return requirements.map((requirement) => {
        const entry = config.entries.get(requirement.option);
        const base = {
            requirement,
            option: requirement.option,
            wanted: (0,_requirement_js__WEBPACK_IMPORTED_MODULE_1__/* .wantedText */ .z1)(requirement.wanted),
            found: (0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_0__/* .describeEntry */ .OY)(entry),
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
            return { ...base, found: `${alternative.option}=${(0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_0__/* .describeEntry */ .OY)(alternative.entry)}`, line: alternative.entry?.line ?? null, status: 'ok', message: `${alternative.option}=${(0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_0__/* .describeEntry */ .OY)(alternative.entry)}` };
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
        const found = options.map((o) => `${o} ${(0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_0__/* .describeEntry */ .OY)(config.entries.get(o))}`).join(', ');
        message = `none of ${options.join(', ')} is =${(0,_requirement_js__WEBPACK_IMPORTED_MODULE_1__/* .wantedText */ .z1)(requirement.wanted)} (${found})`;
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
        return error(`${option}=${(0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_0__/* .describeEntry */ .OY)(entry)}, ${who.name} needs it off (# ${option} is not set)`);
    }
    const want = `${who.name} needs =${(0,_requirement_js__WEBPACK_IMPORTED_MODULE_1__/* .wantedText */ .z1)(wanted)}`;
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
    const found = (0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_0__/* .describeEntry */ .OY)(entry);
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


/***/ }),

/***/ 46:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  v: () => (/* binding */ explainFailures)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(916);
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
                throw new errors/* KconfigSyntaxError */.BZ('missing )');
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
            throw new errors/* KconfigSyntaxError */.BZ('expression ends early');
        pos++;
        if (t.kind === 'word')
            return { kind: 'symbol', name: t.text };
        if (t.kind === 'macro')
            return { kind: 'macro', text: t.text };
        // The kernel looks quoted "y"/"m"/"n" up as the constants themselves.
        if (t.kind === 'string')
            return CONSTANTS.has(t.text) ? { kind: 'symbol', name: t.text } : { kind: 'string', value: t.text };
        throw new errors/* KconfigSyntaxError */.BZ(`unexpected "${t.text}"`);
    };
    const expr = parseOr();
    if (pos !== tokens.length)
        throw new errors/* KconfigSyntaxError */.BZ(`unexpected "${tokens[pos].text}"`);
    return expr;
}
/** The conjuncts of a top-level `&&` chain, left to right. */
function conjuncts(expr) {
    return expr.kind === 'and' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}
/** `a && b && ...`, or undefined for an empty list (no condition). */
function andAll(exprs) {
    return exprs.reduce((acc, e) => (acc === undefined ? e : { kind: 'and', left: acc, right: e }), undefined);
}
/** `a || b || ...`, or undefined for an empty list. */
function orAll(exprs) {
    return exprs.reduce((acc, e) => (acc === undefined ? e : { kind: 'or', left: acc, right: e }), undefined);
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
    const holds = op === '=' ? order === 0
        : op === '!=' ? order !== 0
            : op === '<' ? order < 0
                : op === '>' ? order > 0
                    : op === '<=' ? order <= 0
                        : order >= 0;
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

// EXTERNAL MODULE: ./src/requirement.ts
var src_requirement = __nccwpck_require__(52);
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
        const symbol = (0,src_requirement/* symbolOf */.wX)(requirement.option);
        const wanted = (0,src_requirement/* kconfigValue */.d_)(requirement.wanted);
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

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
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

// EXTERNAL MODULE: ./src/arch.ts
var src_arch = __nccwpck_require__(67);
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
                this.skipped.push({ location, reason: err instanceof Error ? err.message : String(err) });
            }
        }
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
                this.stack.push(block);
                this.current = { kind: 'block', block };
                return;
            }
            case 'if': {
                this.stack.push({ kind: 'if', deps: [parseExpr(rest)], visibleIf: [] });
                this.current = { kind: 'other' };
                return;
            }
            case 'endmenu':
            case 'endchoice':
            case 'endif': {
                const kind = keyword.slice(3);
                const top = this.stack[this.stack.length - 1];
                if (top?.kind !== kind)
                    throw new errors/* KconfigSyntaxError */.BZ(`${keyword} without ${kind}`);
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
            throw new errors/* KconfigSyntaxError */.BZ(`${keyword} needs a quoted path`);
        if (pathToken.text.includes('$('))
            throw new errors/* KconfigSyntaxError */.BZ(`${keyword} "${pathToken.text}": unknown variable`);
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
                    throw new errors/* KconfigSyntaxError */.BZ('range needs two bounds');
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
        throw new errors/* KconfigSyntaxError */.BZ('"depends" without "on"');
    return tokens.slice(1);
}
function wordAt(tokens, index, keyword) {
    const t = tokens[index];
    if (t === undefined || t.kind !== 'word')
        throw new errors/* KconfigSyntaxError */.BZ(`${keyword} needs a symbol name`);
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
    const { kbuild: kbuildArch, srcarch } = (0,src_arch/* archNames */.HS)(arch);
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
/** Files of a real directory; paths outside it are refused. */
function directoryFiles(sourceDir) {
    const toRelative = (file) => {
        const rel = (0,external_node_path_.isAbsolute)(file) ? (0,external_node_path_.relative)(sourceDir, file).split(external_node_path_.sep).join('/') : file;
        return rel.startsWith('..') ? undefined : rel;
    };
    return {
        read(file) {
            const rel = toRelative(file);
            if (rel === undefined)
                return undefined;
            try {
                return (0,external_node_fs_.readFileSync)((0,external_node_path_.join)(sourceDir, rel), 'utf8');
            }
            catch {
                return undefined;
            }
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
                const re = new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
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
        throw new errors/* InputError */.dz(`kernel-source: ${(0,external_node_path_.join)(sourceDir, 'Kconfig')} not found (is "${sourceDir}" a Linux source tree?)`);
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
        explanations.set((0,src_requirement/* symbolOf */.wX)(option), explainOption(tree, values, (0,src_requirement/* symbolOf */.wX)(option), (0,src_requirement/* kconfigValue */.d_)(wanted)));
    return { explanations, fixFragment: fixFragment(tree, values, failing), skipped: tree.skipped };
}

// EXTERNAL MODULE: ./src/check/kernel-config.ts
var kernel_config = __nccwpck_require__(746);
;// CONCATENATED MODULE: ./src/check/explain-results.ts



/**
 * With the kernel source at hand, says why each failing requirement is not met (from Kconfig) and writes the fragment
 * that fixes them. Alternatives-based rules (a gzip *or* xz kernel) are explained through their first option.
 */
async function explainFailures(outcome, sourceDir) {
    const failing = outcome.report.results.filter(isFailure).map((r) => r.requirement);
    const explained = await explainRequirements(sourceDir, outcome.arch, (0,kernel_config/* kconfigValues */.sk)(outcome.config), failing);
    const results = outcome.report.results.map((r) => {
        const explanation = explained.explanations.get((0,src_requirement/* symbolOf */.wX)(r.requirement.option));
        return explanation && isFailure(r) ? { ...r, explanation: renderExplanation(explanation) } : r;
    });
    const skipped = explained.skipped.map((s) => `${s.location.file}:${s.location.line}: ${s.reason}`);
    return { results, explanations: explained.explanations, fixFragment: explained.fixFragment, skipped };
}
const isFailure = (r) => r.status === 'error' || r.status === 'warning';


/***/ }),

/***/ 561:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   v: () => (/* binding */ formatResultLine)
/* harmony export */ });
/** A result as a compiler-style line: `.config:1234: error: CONFIG_XEN_PV=m: built as a module...`. */
function formatResultLine(result, file) {
    const at = result.line === null ? file : `${file}:${result.line}`;
    return `${at}: ${result.status}: ${result.message}${result.explanation ? `. Why: ${result.explanation}` : ''}`;
}


/***/ }),

/***/ 746:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Jj: () => (/* binding */ parseKernelConfig),
/* harmony export */   OY: () => (/* binding */ describeEntry),
/* harmony export */   k2: () => (/* binding */ detectArch),
/* harmony export */   qC: () => (/* binding */ parseConfigLine),
/* harmony export */   sk: () => (/* binding */ kconfigValues),
/* harmony export */   vI: () => (/* binding */ majorMinor)
/* harmony export */ });
/* harmony import */ var _arch_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(67);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(916);


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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${input}: ${file} is empty`);
    if (text.includes('\0'))
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${input}: ${file} is a binary file, not a kernel .config`);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${file}:${line}: ${option}: text after the value in ${JSON.stringify(clip(trimmed))} (a comment must be on a line of its own)`);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${file}:${line}: not a kernel config line: ${JSON.stringify(clip(text.trim()))}`);
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
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${file}:${line}: ${option} has an unterminated string value`);
}
function clip(text) {
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
/** The architecture a config was made for, from the symbols only an x86_64 or arm64 config sets. */
function detectArch(config) {
    const byConfig = (0,_arch_js__WEBPACK_IMPORTED_MODULE_0__/* .archOfConfig */ .U)((option) => config.entries.get(option)?.state === 'y');
    if (byConfig)
        return byConfig;
    // The header alone is enough for arm64 only: `Linux/x86` heads 32-bit configs too.
    return config.header?.srcarch === (0,_arch_js__WEBPACK_IMPORTED_MODULE_0__/* .archNames */ .HS)('aarch64').srcarch ? 'aarch64' : undefined;
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


/***/ }),

/***/ 957:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   EW: () => (/* binding */ readSmallFile),
/* harmony export */   RS: () => (/* binding */ readKernelConfigWithBytes),
/* harmony export */   iF: () => (/* binding */ readKernelConfig)
/* harmony export */ });
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(916);
/* harmony import */ var _input_file_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(54);
/* harmony import */ var _kernel_config_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(746);




// A .config is a few hundred KB (Debian's arm64 one: 0.3 MB); anything past 16 MiB is not one, and a gzip bomb stops
// here. The limit is also what bounds the check's memory (README: about 10× the config's size on top of ~55 MB).
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** Reads a `.config` or a gzip copy of one (`config.gz`, `/proc/config.gz`) and parses it. */
async function readKernelConfig(path, input = 'config', display = path) {
    return (await readKernelConfigWithBytes(path, input, display)).config;
}
/** The parsed config and its uncompressed bytes: KERNEL_CONFIG is the digest of those bytes, not of a gzip copy. */
async function readKernelConfigWithBytes(path, input = 'config', display = path) {
    const bytes = decode(await readSmallFile(path, input), display, input);
    return { config: (0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_3__/* .parseKernelConfig */ .Jj)(bytes.toString('utf8'), display, input), bytes };
}
/**
 * Reads a file that is small by nature, with errors that name the input it came from. It must be a regular file (a
 * FIFO or a device such as /dev/zero would hang or never end) and is read up to MAX_CONFIG_BYTES.
 */
async function readSmallFile(path, input) {
    return (0,_input_file_js__WEBPACK_IMPORTED_MODULE_2__/* .readInputFile */ .jH)(path, input, MAX_CONFIG_BYTES, input === 'requirements' ? 'requirements file' : 'kernel config');
}
function decode(bytes, display, input) {
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
        try {
            return (0,node_zlib__WEBPACK_IMPORTED_MODULE_0__.gunzipSync)(bytes, { maxOutputLength: MAX_CONFIG_BYTES });
        }
        catch (error) {
            if (error.code === 'ERR_BUFFER_TOO_LARGE') {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${input}: ${display} inflates to more than ${MAX_CONFIG_BYTES} bytes, too large to be a kernel config`);
            }
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${input}: ${display} is not a readable gzip file (${error.message})`);
        }
    }
    return bytes;
}


/***/ }),

/***/ 904:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DI: () => (/* binding */ isFailing),
/* harmony export */   FK: () => (/* binding */ buildReport),
/* harmony export */   d$: () => (/* binding */ FAIL_ON),
/* harmony export */   jg: () => (/* binding */ failureSummary),
/* harmony export */   l4: () => (/* binding */ reportJson)
/* harmony export */ });
/* unused harmony exports duplicateMessage, failureLine, plural */
/* harmony import */ var _evaluate_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(65);

const FAIL_ON = ['error', 'warning', 'never'];
function buildReport(fields, results, failOn) {
    const duplicates = (fields.duplicates ?? []).map((d) => ({ ...d, message: duplicateMessage(d) }));
    const counted = (0,_evaluate_js__WEBPACK_IMPORTED_MODULE_0__/* .countResults */ .a)(results);
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


/***/ }),

/***/ 762:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Bv: () => (/* binding */ mergeRequirements),
/* harmony export */   bR: () => (/* binding */ bootRequirements),
/* harmony export */   dW: () => (/* binding */ TARGETS),
/* harmony export */   eK: () => (/* binding */ requirementsFor),
/* harmony export */   wu: () => (/* binding */ parseRequirementsFile)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(916);
/* harmony import */ var _kernel_config_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(746);


/**
 * What krata's own code needs to boot a zone kernel, beyond its documented list (krata v0.0.21: the x86 PV ELF
 * loader, and zone init mounting its root, config and addons disks). A `-k` kernel gets the *system's* modules,
 * so all of it must be built in.
 */
function bootRequirements() {
    const source = 'krata-boot';
    const builtIn = (option, reason, severity) => ({
        option, wanted: 'y', source, reason, ...(severity ? { severity } : {}),
    });
    return [
        {
            option: 'CONFIG_KERNEL_GZIP', anyOf: ['CONFIG_KERNEL_XZ'], wanted: 'y', source, arches: ['x86_64'],
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
    'CONFIG_XEN_PV', 'CONFIG_XEN_512GB', 'CONFIG_XEN_PV_SMP', 'CONFIG_XEN_PVHVM', 'CONFIG_XEN_PVHVM_SMP',
    'CONFIG_XEN_PVHVM_GUEST', 'CONFIG_XEN_SAVE_RESTORE', 'CONFIG_XEN_PVH', 'CONFIG_XEN_PV_MSR_SAFE', 'CONFIG_XEN_PV_DOM0',
    'CONFIG_PCI_XEN', 'CONFIG_XEN_PCIDEV_FRONTEND', 'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT', 'CONFIG_XEN_HAVE_PVMMU',
    'CONFIG_XEN_HAVE_VPMU', 'CONFIG_XEN_ACPI', 'CONFIG_XEN_PCIDEV_BACKEND', 'CONFIG_XEN_ACPI_PROCESSOR', 'CONFIG_XEN_MCE_LOG',
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
        const parsed = (0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_1__/* .parseConfigLine */ .qC)(raw.replace(/\r$/, ''), file, line);
        if (parsed === 'invalid') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(`${file}:${line}: not a requirement (want CONFIG_X=y|m|<value> or "# CONFIG_X is not set")`);
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


/***/ }),

/***/ 312:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   k_: () => (/* binding */ runCheck)
/* harmony export */ });
/* unused harmony exports resolveArch, readFragmentLines */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(916);
/* harmony import */ var _kernel_config_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(746);
/* harmony import */ var _read_config_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(957);
/* harmony import */ var _requirements_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(762);
/* harmony import */ var _evaluate_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(65);
/* harmony import */ var _report_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(904);






/** Reads the config and any requirement files, then evaluates. The one way in for the action and the CLI. */
async function runCheck(request) {
    const { config, bytes: configBytes } = await (0,_read_config_js__WEBPACK_IMPORTED_MODULE_2__/* .readKernelConfigWithBytes */ .RS)(request.config);
    const arch = resolveArch(config, request.arch);
    const extra = [];
    for (const file of request.requirements ?? []) {
        extra.push(...(0,_requirements_js__WEBPACK_IMPORTED_MODULE_3__/* .parseRequirementsFile */ .wu)((await (0,_read_config_js__WEBPACK_IMPORTED_MODULE_2__/* .readSmallFile */ .EW)(file, 'requirements')).toString('utf8'), file));
    }
    const boot = request.target === 'zone' && (request.bootRules ?? true) ? (0,_requirements_js__WEBPACK_IMPORTED_MODULE_3__/* .bootRequirements */ .bR)() : [];
    const requirements = (0,_requirements_js__WEBPACK_IMPORTED_MODULE_3__/* .mergeRequirements */ .Bv)([...(0,_requirements_js__WEBPACK_IMPORTED_MODULE_3__/* .requirementsFor */ .eK)(request.target), ...boot], extra);
    const version = config.header?.version;
    const results = (0,_evaluate_js__WEBPACK_IMPORTED_MODULE_4__/* .evaluateRequirements */ .C)(config, requirements, { arch, version, ignore: request.ignore, strict: request.strict });
    const report = (0,_report_js__WEBPACK_IMPORTED_MODULE_5__/* .buildReport */ .FK)({ target: request.target, arch, version, config: request.config, duplicates: config.duplicates }, results, request.failOn ?? 'error');
    return { config, configBytes, arch, requirements, report };
}
/** The config says which architecture it is for; input `arch` may confirm it but never contradict it. */
function resolveArch(config, stated) {
    const detected = (0,_kernel_config_js__WEBPACK_IMPORTED_MODULE_1__/* .detectArch */ .k2)(config);
    if (detected && stated && detected !== stated) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(`arch: input says ${stated} but ${config.file} is an ${detected} config`);
    }
    const arch = detected ?? stated;
    if (!arch) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(`arch: cannot tell the architecture of ${config.file} (no CONFIG_X86_64=y or CONFIG_ARM64=y); set input arch`);
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


/***/ }),

/***/ 581:
/***/ ((module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ main)
/* harmony export */ });
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(916);
/* harmony import */ var _check_run_check_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(312);
/* harmony import */ var _arch_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(67);
/* harmony import */ var _check_requirements_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(762);
/* harmony import */ var _check_report_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(904);
/* harmony import */ var _check_format_js__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(561);
/* harmony import */ var _check_explain_results_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(46);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_7___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_7__);
/* harmony import */ var _log_line_js__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(420);
/* harmony import */ var _boot_boot_command_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(333);











const USAGE = `usage: kernel-action check --config FILE [--target zone|host] [--arch x86_64|aarch64]
                           [--requirements FILE]... [--ignore OPTION]... [--strict] [--no-boot-rules]
                           [--fail-on error|warning|never] [--json]
                           [--kernel-source DIR [--fix-fragment FILE]]
exit status: 0 requirements met, 1 requirements not met, 2 usage or input error
${_boot_boot_command_js__WEBPACK_IMPORTED_MODULE_8__/* .BOOT_USAGE */ .f}`;
/** Local use of the same engine as the action: `kernel-action check --config .config`. */
async function main(argv) {
    try {
        const [command, ...rest] = argv;
        if (command === '--help' || command === '-h') {
            process.stdout.write(`${USAGE}\n`);
            return 0;
        }
        if (command === 'boot')
            return await (0,_boot_boot_command_js__WEBPACK_IMPORTED_MODULE_8__/* .bootCommand */ .g)(rest);
        if (command !== 'check')
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');
        const { values } = (0,node_util__WEBPACK_IMPORTED_MODULE_0__.parseArgs)({
            args: rest,
            options: {
                config: { type: 'string' },
                target: { type: 'string', default: 'zone' },
                arch: { type: 'string' },
                requirements: { type: 'string', multiple: true },
                ignore: { type: 'string', multiple: true },
                strict: { type: 'boolean', default: false },
                'no-boot-rules': { type: 'boolean', default: false },
                'fail-on': { type: 'string', default: 'error' },
                json: { type: 'boolean', default: false },
                'kernel-source': { type: 'string' },
                'fix-fragment': { type: 'string' },
            },
            strict: true,
            allowPositionals: false,
        });
        if (!values.config)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('--config FILE is required');
        const failOn = (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .oneOf */ .yL)('--fail-on', values['fail-on'] ?? 'error', _check_report_js__WEBPACK_IMPORTED_MODULE_5__/* .FAIL_ON */ .d$);
        const checked = await (0,_check_run_check_js__WEBPACK_IMPORTED_MODULE_2__/* .runCheck */ .k_)({
            config: values.config,
            target: (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .oneOf */ .yL)('--target', values.target ?? 'zone', _check_requirements_js__WEBPACK_IMPORTED_MODULE_4__/* .TARGETS */ .dW),
            arch: values.arch === undefined ? undefined : (0,_arch_js__WEBPACK_IMPORTED_MODULE_3__/* .parseArch */ .CO)('--arch', values.arch),
            requirements: values.requirements,
            ignore: values.ignore?.flatMap((v) => v.split(',')),
            strict: values.strict,
            bootRules: !values['no-boot-rules'],
            failOn,
        });
        let report = checked.report;
        if (values['kernel-source']) {
            const explained = await (0,_check_explain_results_js__WEBPACK_IMPORTED_MODULE_6__/* .explainFailures */ .v)(checked, values['kernel-source']);
            report = { ...report, results: explained.results };
            if (values['fix-fragment'])
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_7__.writeFile)(values['fix-fragment'], explained.fixFragment);
        }
        else if (values['fix-fragment']) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('--fix-fragment needs --kernel-source');
        }
        if (values.json) {
            process.stdout.write((0,_check_report_js__WEBPACK_IMPORTED_MODULE_5__/* .reportJson */ .l4)(report));
        }
        else {
            // Escaped: in a workflow's `run:` step the runner reads this output, and a file name must not be a command.
            for (const r of report.results)
                process.stdout.write(`${(0,_log_line_js__WEBPACK_IMPORTED_MODULE_9__/* .escapeLogLine */ ._)((0,_check_format_js__WEBPACK_IMPORTED_MODULE_10__/* .formatResultLine */ .v)(r, report.config))}\n`);
            const failing = (0,_check_report_js__WEBPACK_IMPORTED_MODULE_5__/* .isFailing */ .DI)(report, failOn);
            const verdict = failing ? (0,_check_report_js__WEBPACK_IMPORTED_MODULE_5__/* .failureSummary */ .jg)(report) : `${report.config}: krata ${report.target} requirements met (${report.errors} errors, ${report.warnings} warnings)`;
            process.stdout.write(`${(0,_log_line_js__WEBPACK_IMPORTED_MODULE_9__/* .escapeLogLine */ ._)(verdict)}\n`);
        }
        return (0,_check_report_js__WEBPACK_IMPORTED_MODULE_5__/* .isFailing */ .DI)(report, failOn) ? 1 : 0;
    }
    catch (error) {
        const message = error instanceof TypeError && 'code' in error ? `${(0,_log_line_js__WEBPACK_IMPORTED_MODULE_9__/* .escapeLogLine */ ._)((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)(error))}\n${USAGE}` : (0,_log_line_js__WEBPACK_IMPORTED_MODULE_9__/* .escapeLogLine */ ._)((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)(error));
        process.stderr.write(`kernel-action: ${message}\n`);
        return 2;
    }
}
process.exitCode = await main(process.argv.slice(2));

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BZ: () => (/* binding */ KconfigSyntaxError),
/* harmony export */   Gd: () => (/* binding */ InternalError),
/* harmony export */   TN: () => (/* binding */ oneLine),
/* harmony export */   cs: () => (/* binding */ IntegrityError),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   v4: () => (/* binding */ ToolError),
/* harmony export */   yL: () => (/* binding */ oneOf),
/* harmony export */   zS: () => (/* binding */ fileError)
/* harmony export */ });
/**
 * The action's error vocabulary (README, "Bad input"). Every error it stops with is one line of one of these kinds;
 * a plain `Error` is never thrown on purpose.
 */
/**
 * A user-supplied input that cannot be used (a missing file, a line that is not Kconfig, a bad tag...).
 * It is reported as one line naming the input or file:line, and always fails the step: `fail-on`
 * governs unmet requirements, not unusable input.
 */
class InputError extends Error {
    name = 'InputError';
}
/** Data this action wrote did not read back as written (a tag resolving elsewhere, a blob not matching its digest). */
class IntegrityError extends Error {
    name = 'IntegrityError';
}
/** A program this action runs (the `zstd` program, apt-get, QEMU and Xen for the boot test) failed. */
class ToolError extends Error {
    name = 'ToolError';
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
 * `image: vmlinuz cannot be read (permission denied)`.
 */
function fileError(input, file, error) {
    const code = error?.code;
    if (code === 'ENOENT')
        return new InputError(`${input}: ${file} does not exist`);
    if (code === 'EISDIR')
        return new InputError(`${input}: ${file} is a directory, not a file`);
    if (code === 'EACCES' || code === 'EPERM')
        return new InputError(`${input}: ${file} cannot be read (permission denied)`);
    return new InputError(`${input}: ${file} cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`);
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


/***/ }),

/***/ 54:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Hd: () => (/* binding */ openInputFile),
/* harmony export */   jH: () => (/* binding */ readInputFile)
/* harmony export */ });
/* unused harmony export assertInputFile */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(916);
// Opening the files a user names (config, requirements, fragment, image, addons). Each must be a regular file,
// checked before it is opened: a FIFO would block the open or the read forever, and a device such as /dev/zero
// reports size 0 and never ends. Reads are bounded by the size seen at open time.


/** Opens `file` (named by input `input`) for reading, or throws a one-line InputError saying why not. */
async function openInputFile(file, input) {
    assertRegular(file, input, await statOf(file, input));
    let handle;
    try {
        // O_NONBLOCK: should the path become a FIFO after the stat, the open still returns instead of waiting for a writer.
        handle = await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.open(file, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_RDONLY | node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_NONBLOCK);
    }
    catch (error) {
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .fileError */ .zS)(input, file, error);
    }
    try {
        const stat = await handle.stat();
        assertRegular(file, input, stat);
        return { handle, size: stat.size };
    }
    catch (error) {
        await handle.close();
        throw error;
    }
}
/** Checks that `file` is a regular file that can be opened, without reading it. */
async function assertInputFile(file, input) {
    const { handle, size } = await openInputFile(file, input);
    await handle.close();
    return size;
}
/**
 * Reads a file that is small by nature, whole, after checking its size against `maxBytes`; `what` names what the file
 * should be ("kernel config"), for the message.
 */
async function readInputFile(file, input, maxBytes, what) {
    const { handle, size } = await openInputFile(file, input);
    try {
        if (size > maxBytes)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${input}: ${file} is too large to be a ${what} (${size} bytes, at most ${maxBytes})`);
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
        if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz)
            throw error;
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .fileError */ .zS)(input, file, error);
    }
    finally {
        await handle.close();
    }
}
async function statOf(file, input) {
    try {
        return await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.stat(file);
    }
    catch (error) {
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .fileError */ .zS)(input, file, error);
    }
}
function assertRegular(file, input, stat) {
    if (stat.isFile())
        return;
    if (stat.isDirectory())
        throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .fileError */ .zS)(input, file, { code: 'EISDIR' });
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(`${input}: ${file} is ${kindOf(stat)}, not a regular file`);
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


/***/ }),

/***/ 420:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   _: () => (/* binding */ escapeLogLine)
/* harmony export */ });
// No imports: the CLI uses this too, and must not bundle @actions/core.
/**
 * A log line as the runner must see it: one line, never starting with `::` (a v2 command, leading blanks ignored) and
 * never holding `##[` (a v1 command, anywhere in the line). `%` is not special in a plain line, so the runner's own
 * escapes show the change without any ambiguity.
 */
function escapeLogLine(text) {
    return text
        .replace(/\r\n|\r|\n/g, (eol) => (eol === '\r' ? '\\r' : '\\n'))
        .replace(/^(\s*)::/, '$1%3A:')
        .replace(/##\[/g, '##%5B');
}


/***/ }),

/***/ 52:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   d_: () => (/* binding */ kconfigValue),
/* harmony export */   wX: () => (/* binding */ symbolOf),
/* harmony export */   z1: () => (/* binding */ wantedText)
/* harmony export */ });
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


/***/ }),

/***/ 24:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

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
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ var __webpack_exports__main = __webpack_exports__.i;
/******/ export { __webpack_exports__main as main };
/******/ 

//# sourceMappingURL=index.js.map